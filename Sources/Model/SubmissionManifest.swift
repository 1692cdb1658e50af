/// What a commune's report workbook says about itself on its hidden, protected `sipas_meta` sheet
/// (the submission, *bản nộp*): the province checks it before it imports the workbook's responses.
///
/// Use ``pairs`` to write it (one key and value per row) and ``init(pairs:file:)`` to read it back.
/// The questionnaire's YAML travels with it, so a province can register a questionnaire it has
/// never seen and check that the workbook was made from exactly that text.
public struct SubmissionManifest: Sendable, Equatable {
    /// The hidden sheet that holds the manifest (the data-entry template's identity sheet has the same name).
    public static let sheet = "sipas_meta"
    /// The sheet of the workbook whose rows are the submitted responses.
    public static let dataSheet = "Dữ liệu"
    /// The value of the `workbook` key that tells a report from a data-entry template.
    public static let kind = "report"
    /// The manifest's format; a reader refuses a format it does not know.
    public static let format = "1"
    /// Characters of questionnaire YAML per cell (Excel holds at most 32,767 in one cell).
    static let chunk = 8_000

    public var questionnaireID: String
    public var version: String
    /// SHA-256 of ``questionnaireYAML``.
    public var contentHash: String
    public var questionnaireYAML: String
    /// The unit (đơn vị) whose responses these are: code, name, level, parent and province.
    public var unitCode: String
    public var unitName: String
    public var unitLevel: String?
    /// The code of the unit it reports to (a district or the province).
    public var parentUnit: String?
    public var province: String?
    /// The period as a profile writes it (2026, 2026-Q1, …), its Vietnamese label and its dates.
    public var period: String
    public var periodLabel: String
    public var from: String
    public var to: String
    /// Forms on the data sheet.
    public var forms: Int
    /// SHA-256 of the responses in the canonical CSV layout (the hash the *Phương pháp* sheet prints).
    public var dataSHA256: String
    public var software: String

    public init(
        questionnaireID: String, version: String, contentHash: String, questionnaireYAML: String, unitCode: String, unitName: String,
        unitLevel: String? = nil, parentUnit: String? = nil, province: String? = nil, period: String, periodLabel: String, from: String,
        to: String, forms: Int, dataSHA256: String, software: String
    ) {
        self.questionnaireID = questionnaireID
        self.version = version
        self.contentHash = contentHash
        self.questionnaireYAML = questionnaireYAML
        self.unitCode = unitCode
        self.unitName = unitName
        self.unitLevel = unitLevel
        self.parentUnit = parentUnit
        self.province = province
        self.period = period
        self.periodLabel = periodLabel
        self.from = from
        self.to = to
        self.forms = forms
        self.dataSHA256 = dataSHA256
        self.software = software
    }

    /// The rows of the manifest sheet, in order; the YAML is split over as many
    /// `questionnaire_yaml` rows as it needs.
    public var pairs: [(key: String, value: String)] {
        var out: [(String, String)] = [
            ("workbook", Self.kind), ("format", Self.format),
            ("questionnaire_id", questionnaireID), ("version", version), ("content_hash", contentHash),
            ("unit", unitCode), ("unit_name", unitName), ("unit_level", unitLevel ?? ""), ("parent_unit", parentUnit ?? ""),
            ("province", province ?? ""), ("period", period), ("period_label", periodLabel), ("from", from), ("to", to),
            ("forms", String(forms)), ("data_sha256", dataSHA256), ("software", software),
        ]
        var rest = Substring(questionnaireYAML)
        while !rest.isEmpty {
            out.append(("questionnaire_yaml", String(rest.prefix(Self.chunk))))
            rest = rest.dropFirst(Self.chunk)
        }
        return out
    }

    /// Whether the key–value rows of a `sipas_meta` sheet are a report's (a template's are not).
    public static func isReport(_ pairs: [(key: String, value: String)]) -> Bool {
        pairs.contains { $0.key == "workbook" && $0.value == kind }
    }

    /// Reads the manifest back from its rows; a missing or malformed entry is a problem of `file`
    /// naming the sheet (the sheet was altered, or the workbook is not a sipas report).
    public init(pairs: [(key: String, value: String)], file: String) throws(Problem) {
        var values: [String: String] = [:]
        var yaml = ""
        for (key, value) in pairs {
            if key == "questionnaire_yaml" { yaml += value } else if values[key] == nil { values[key] = value }
        }
        func problem(_ message: String) -> Problem {
            Problem(file: file, sheet: Self.sheet, message: message + "; export the report again from sipas")
        }
        guard values["format"] == Self.format else {
            throw problem("the report's manifest has format '\(values["format"] ?? "")', this sipas reads format \(Self.format)")
        }
        func required(_ key: String) throws(Problem) -> String {
            guard let v = values[key], !v.isEmpty else { throw problem("the report's manifest lacks '\(key)' (the hidden sheet was altered)") }
            return v
        }
        func optional(_ key: String) -> String? { values[key].flatMap { $0.isEmpty ? nil : $0 } }
        let formsText = try required("forms")
        guard let forms = Int(formsText), forms >= 0 else { throw problem("the report's manifest has '\(formsText)' forms, not a number") }
        guard !yaml.isEmpty else { throw problem("the report's manifest lacks the questionnaire's text (the hidden sheet was altered)") }
        self.init(
            questionnaireID: try required("questionnaire_id"), version: try required("version"), contentHash: try required("content_hash"),
            questionnaireYAML: yaml, unitCode: try required("unit"), unitName: try required("unit_name"), unitLevel: optional("unit_level"),
            parentUnit: optional("parent_unit"), province: optional("province"), period: try required("period"),
            periodLabel: try required("period_label"), from: try required("from"), to: try required("to"), forms: forms,
            dataSHA256: try required("data_sha256"), software: try required("software"))
        guard ISODate.isValid(from), ISODate.isValid(to), from <= to else {
            throw problem("the report's manifest has the period \(from) – \(to), not two dates in order")
        }
    }
}
