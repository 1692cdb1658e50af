import Foundation
import SIPASAnalysis
import SIPASModel
import Yams

/// A reporting period (kỳ báo cáo): quarter, half-year, year or explicit dates.
public struct ReportPeriod: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable { case quarter, half, year, dates }
    public var kind: Kind
    public var year: Int
    /// 1–4 for a quarter, 1–2 for a half.
    public var part: Int
    public var from: String
    public var to: String

    /// "2026-Q1", "2026-H2", "2026".
    public init?(parse text: String) {
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        let pieces = t.split(separator: "-")
        guard let first = pieces.first, first.count == 4, let year = Int(first), year >= 2000, year <= 2100 else { return nil }
        if pieces.count == 1 {
            self.init(kind: .year, year: year, part: 0)
        } else if pieces.count == 2, pieces[1].count == 2, let p = Int(pieces[1].dropFirst()) {
            switch pieces[1].first {
            case "Q" where (1...4).contains(p): self.init(kind: .quarter, year: year, part: p)
            case "H" where (1...2).contains(p): self.init(kind: .half, year: year, part: p)
            default: return nil
            }
        } else {
            return nil
        }
    }

    public init(kind: Kind, year: Int, part: Int) {
        self.kind = kind
        self.year = year
        self.part = part
        let y = String(format: "%04d", year)
        switch kind {
        case .quarter:
            let months = [(1, 3, 31), (4, 6, 30), (7, 9, 30), (10, 12, 31)][part - 1]
            from = "\(y)-\(String(format: "%02d", months.0))-01"
            to = "\(y)-\(String(format: "%02d", months.1))-\(months.2)"
        case .half:
            from = part == 1 ? "\(y)-01-01" : "\(y)-07-01"
            to = part == 1 ? "\(y)-06-30" : "\(y)-12-31"
        case .year, .dates:
            from = "\(y)-01-01"
            to = "\(y)-12-31"
        }
    }

    /// Explicit dates, both included.
    public init(from: ISODate, to: ISODate) {
        kind = .dates
        year = from.year
        part = 0
        self.from = from.description
        self.to = to.description
    }

    /// "Quý I/2026", "6 tháng đầu năm 2026", "Năm 2026", "Từ 01/02/2026 đến 31/03/2026".
    public var label: String {
        switch kind {
        case .quarter: return "Quý \(["I", "II", "III", "IV"][part - 1])/\(year)"
        case .half: return part == 1 ? "6 tháng đầu năm \(year)" : "6 tháng cuối năm \(year)"
        case .year: return "Năm \(year)"
        case .dates: return "Từ \(ISODate(from)?.vietnamese ?? from) đến \(ISODate(to)?.vietnamese ?? to)"
        }
    }

    public var description: String {
        switch kind {
        case .quarter: return "\(year)-Q\(part)"
        case .half: return "\(year)-H\(part)"
        case .year: return "\(year)"
        case .dates: return "\(from)..\(to)"
        }
    }

    /// The period before: the previous quarter, half or year (none for explicit dates).
    public var previous: ReportPeriod? {
        switch kind {
        case .quarter: return part == 1 ? ReportPeriod(kind: .quarter, year: year - 1, part: 4) : ReportPeriod(kind: .quarter, year: year, part: part - 1)
        case .half: return part == 1 ? ReportPeriod(kind: .half, year: year - 1, part: 2) : ReportPeriod(kind: .half, year: year, part: 1)
        case .year: return ReportPeriod(kind: .year, year: year - 1, part: 0)
        case .dates: return nil
        }
    }
}

/// What a report (báo cáo) covers and which targets (chỉ tiêu) it checks; loaded from `Reports/*.yaml`.
public struct ReportProfile: Sendable {
    public struct Unit: Sendable, Equatable {
        public var code: String
        public var name: String
        public var level: String?
        /// Code of the unit it reports to (a district, or the province): recorded in the workbook's
        /// manifest, so that a province store files the commune under it.
        public var parent: String?
        public var province: String?
    }

    /// A target from the commune's plan: an index, over all forms or a subset, at least `minimum`.
    public struct Target: Sendable, Equatable {
        public var title: String
        public var index: String
        public var minimum: Double
        public var fields: [String]
        public var channels: [String]
        public var line: Int?
    }

    /// Counter (kiosk) ratings shown beside the survey: their questionnaire, target and dossiers handled.
    public struct Counter: Sendable, Equatable {
        public var questionnaire: String
        public var minimum: Double?
        /// Dossiers handled in the period, for the Decree-766 style rate.
        public var dossiers: Int?
    }

    public var unit: Unit
    public var period: ReportPeriod
    public var counter: Counter?
    public var questionnaire: String
    public var level: Double
    /// `ci:` logit (default), beta or bootstrap (1,000 replicates, seed 20231211).
    public var compositeInterval: CompositeInterval
    /// `criterion_ci:` wilson (default) or exact.
    public var criterionInterval: CriterionInterval
    public var targets: [Target]
    public var breakdowns: [String]
    public var populations: [String: Double]
    /// The profile's names for field and channel codes (`labels:`), over the store's and the catalogue's.
    public var labels: Labels
    /// Line of each breakdown entry, for messages.
    var breakdownLines: [Int?]
    let file: String

    /// Checks the profile against its questionnaire: index ids and breakdown items must exist.
    public func validate(against q: Questionnaire) throws(Problems) {
        var issues: [Problem] = []
        let indexIDs = Set(q.scoring.indices.map(\.id))
        for t in targets where !indexIDs.contains(t.index) {
            issues.append(Problem(file: file, line: t.line, subject: t.title, message: "unknown index '\(t.index)' of \(q.id); expected one of: \(q.scoring.indices.map(\.id).joined(separator: ", "))"))
        }
        for (b, line) in zip(breakdowns, breakdownLines) where !["unit", "field", "channel"].contains(b) {
            guard let item = q.item(b) else {
                issues.append(Problem(file: file, line: line, subject: b, message: "unknown breakdown '\(b)': use unit, field, channel or a single-choice item of \(q.id)"))
                continue
            }
            if ![.single, .yesNo].contains(item.type) {
                issues.append(Problem(file: file, line: line, subject: b, message: "breakdown '\(b)' must be a single-choice item (it is \(item.type.rawValue))"))
            }
        }
        if !issues.isEmpty { throw Problems(issues) }
    }

    /// Reads a profile; every problem is thrown with its file and line, and dates are calendar-checked.
    public init(yaml: String, file: String) throws(Problems) {
        self.file = file
        var r = try YAMLReader(yaml: yaml, file: file)
        guard let root = r.root, let map = r.mapping(root, nil, allowed: ["unit", "period", "questionnaire", "level", "ci", "criterion_ci", "targets", "breakdowns", "populations", "counter", "labels"], what: "a report profile") else {
            throw Problems(r.problems.isEmpty ? [Problem(file: file, message: "the file is empty")] : r.problems)
        }
        var unit = Unit(code: "", name: "")
        if let u = r.mapping(map["unit"], "unit", allowed: ["code", "name", "level", "parent", "province"], what: "'unit'") {
            unit.code = r.string(u, "code", "unit", required: true, at: map["unit"]) ?? ""
            unit.name = r.string(u, "name", "unit", required: true, at: map["unit"])?.precomposedForm ?? ""
            unit.level = r.string(u, "level", "unit", required: false, at: map["unit"])?.precomposedForm
            unit.parent = r.string(u, "parent", "unit", required: false, at: map["unit"])
            unit.province = r.string(u, "province", "unit", required: false, at: map["unit"])?.precomposedForm
        } else {
            r.issue(root, nil, "missing 'unit' (code and name of the commune)")
        }
        let period = r.period(map["period"], root: root)
        let questionnaire = r.string(map, "questionnaire", nil, required: true, at: root) ?? ""
        let level = r.confidence(map["level"], key: "level")
        let (ci, criterionCI) = r.intervals(map, root: root)
        var targets: [Target] = []
        for node in r.sequence(map["targets"], "targets", "'targets'") ?? [] {
            if let target = r.target(node) { targets.append(target) }
        }
        var breakdowns: [String] = []
        var lines: [Int?] = []
        for node in r.sequence(map["breakdowns"], "breakdowns", "'breakdowns'") ?? [] {
            if let s = node.string { breakdowns.append(s); lines.append(node.mark?.line) } else { r.issue(node, "breakdowns", "each breakdown is a name") }
        }
        var populations: [String: Double] = [:]
        if let p = r.mapping(map["populations"], "populations", allowed: Set(), what: "'populations'") {
            _ = p
        }
        if case .mapping(let entries)? = map["populations"] {
            r.problems.removeAll { $0.subject == "populations" && $0.message.hasPrefix("unknown key") }
            for (k, v) in entries {
                if let key = k.string, let n = v.float, n >= 1, n == n.rounded() { populations[key] = n } else {
                    r.issue(v, "populations", "each unit needs a whole number of dossiers, e.g. XA01: 1250")
                }
            }
        }
        var counter: Counter?
        if map["counter"] != nil, let c = r.mapping(map["counter"], "counter", allowed: ["questionnaire", "min", "dossiers"], what: "'counter'") {
            var result = Counter(questionnaire: r.string(c, "questionnaire", "counter", required: false, at: map["counter"]) ?? "counter-quick")
            if let m = c["min"] {
                if let v = m.float, v > 0, v <= 1 { result.minimum = v } else {
                    r.issue(m, "counter", "'min' is a share between 0 and 1 (0.95 means 95 %); found '\(m.string ?? "")'")
                }
            }
            if let d = c["dossiers"] {
                if let v = d.int, v >= 1 { result.dossiers = v } else {
                    r.issue(d, "counter", "'dossiers' is the whole number of dossiers handled in the period, e.g. 1840")
                }
            }
            counter = result
        }
        let labels = r.labels(map["labels"])
        if !r.problems.isEmpty { throw Problems(r.problems) }
        self.labels = labels
        self.counter = counter
        self.unit = unit
        self.period = period
        self.questionnaire = questionnaire
        self.level = level
        self.compositeInterval = ci
        self.criterionInterval = criterionCI
        self.targets = targets
        self.breakdowns = breakdowns
        self.populations = populations
        self.breakdownLines = lines
    }
}
