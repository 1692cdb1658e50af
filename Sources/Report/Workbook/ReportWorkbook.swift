import Foundation
import SIPASAnalysis
import SIPASModel
import SIPASXlsx

/// The workbook a commune sends to the province (báo cáo kết quả khảo sát), in Vietnamese. Use it
/// to write the report of a period once its ``ReportData`` is built.
///
/// Sheets: ``ReportSheet`` (Tổng hợp, Tiêu chí, Ma trận phân tổ, Phân tổ, Ưu tiên, Góp ý, Dữ liệu, Phương pháp, and
/// the hidden manifest the province checks on import), one file each under `Sheets/`. Counts and shares of criteria are Excel formulas over *Dữ liệu* with
/// cached values (when the design is unweighted); composite indices and all bounds are values.
public struct ReportWorkbook {
    public let data: ReportData
    public let profile: ReportProfile
    public let questionnaire: Questionnaire
    public let table: ResponseTable
    /// The questionnaire's YAML as stored with the responses; it travels in the manifest.
    public let questionnaireYAML: String
    /// Names of field, channel and unit codes (the store's and the profile's over the catalogue).
    public let labels: Labels

    public init(
        data: ReportData, profile: ReportProfile, questionnaire: Questionnaire, questionnaireYAML: String, table: ResponseTable, labels: Labels? = nil
    ) {
        self.labels = labels ?? Labels.catalogue.overridden(by: profile.labels)
        self.data = data
        self.profile = profile
        self.questionnaire = questionnaire
        self.questionnaireYAML = questionnaireYAML
        self.table = table
    }

    /// The sheet names in tab order (the last, the manifest, is hidden).
    public static let sheetNames = ReportSheet.allCases.map(\.name)

    /// What the workbook says about itself on its hidden manifest sheet.
    public var manifest: SubmissionManifest {
        SubmissionManifest(
            questionnaireID: questionnaire.id, version: questionnaire.version, contentHash: Hex.sha256(questionnaireYAML),
            questionnaireYAML: questionnaireYAML, unitCode: data.unit, unitName: data.unitName, unitLevel: profile.unit.level,
            parentUnit: profile.unit.parent, province: profile.unit.province, period: data.period, periodLabel: data.periodLabel,
            from: data.from, to: data.to, forms: table.count, dataSHA256: data.dataSHA256, software: data.software)
    }

    /// The order the sheets are filled in. No sheet needs another to be written first (formulas
    /// take their references from ``DataSheetLayout``), and any order gives the same cells. It
    /// still fixes the file's bytes: libxlsxwriter numbers shared strings and cell formats in the
    /// order they are first used, and the golden files hold the numbering of this order.
    static let fillOrder: [ReportSheet] = [.data, .summary, .criteria, .groups, .priorities, .comments, .method, .manifest, .groupMatrix]

    /// Writes the workbook to `path`.
    public func write(to path: String) throws(XlsxWriteError) {
        try write(to: path, fillOrder: Self.fillOrder)
    }

    /// Writes the workbook filling the sheets in `order` (every sheet once; tabs stay in ``ReportSheet`` order).
    func write(to path: String, fillOrder order: [ReportSheet]) throws(XlsxWriteError) {
        precondition(order.count == ReportSheet.allCases.count && Set(order) == Set(ReportSheet.allCases), "fill every sheet once")
        let large = table.count > 50_000
        let book = try XlsxWriter(path: path, constantMemory: large, zip64: large)
        book.setProperties(
            title: "Báo cáo SIPAS \(data.periodLabel) — \(profile.unit.name)", subject: "\(questionnaire.id) \(questionnaire.version)",
            author: "sipas", company: profile.unit.name, comments: "Kỳ \(data.period); dữ liệu SHA-256 \(data.dataSHA256)")
        var sheets: [ReportSheet: XlsxSheetWriter] = [:]
        for sheet in ReportSheet.allCases { sheets[sheet] = try book.addSheet(sheet.name) }
        let report = ReportContext(data: data, profile: profile, questionnaire: questionnaire, table: table, manifest: manifest, labels: labels)
        for sheet in order { try sheet.write(sheets[sheet]!, report) }
        sheets[.summary]!.activate()
        try book.close()
    }
}
