import Foundation
import SIPASAnalysis
import SIPASModel
import Yams

/// What a province's (or district's) consolidation covers (hồ sơ báo cáo cấp tỉnh): the units it
/// expects, the period and the one before it, what to rank on, and the targets of the province
/// and of every unit. Loaded from `Reports/*.yaml`; a profile with `units:` is a province profile.
public struct ProvinceProfile: Sendable {
    /// A unit the province expects a report from.
    public struct ExpectedUnit: Sendable, Equatable {
        public var code: String
        public var name: String
        /// The district (huyện) it belongs to, for the ranking's readers.
        public var district: String?
        /// Dossiers it handled in the period: weights N/n and the finite-population correction.
        public var population: Double?
    }

    public var file: String
    /// `tỉnh` or `huyện`.
    public var level: String
    /// The province (or district) itself: code and name.
    public var unit: ReportProfile.Unit
    public var period: ReportPeriod
    /// The period ranks are compared with (default: the one before `period`).
    public var previous: ReportPeriod?
    public var questionnaire: String
    public var confidence: Double
    public var compositeInterval: CompositeInterval
    public var criterionInterval: CriterionInterval
    /// The index the units are ranked on (nil: the questionnaire's overall index).
    public var rankOn: String?
    public var rankLine: Int?
    public var units: [ExpectedUnit]
    /// The province's own targets, checked on the province estimate.
    public var targets: [ReportProfile.Target]
    /// Targets every unit must meet, checked on each unit.
    public var unitTargets: [ReportProfile.Target]
    /// Joint draws of the rank intervals, and their seed.
    public var replicates: Int
    public var seed: UInt64

    /// Dossiers per unit, where the profile gives them.
    public var populations: [String: Double] {
        Dictionary(units.compactMap { u in u.population.map { (u.code, $0) } }, uniquingKeysWith: { a, _ in a })
    }

    /// Whether a profile's YAML text is a province profile (it lists the units it expects).
    public static func isProvinceProfile(_ yaml: String) -> Bool {
        guard let node = try? Yams.compose(yaml: yaml), case .mapping(let map) = node else { return false }
        return map.keys.contains { $0.string == "units" }
    }

    /// Reads a province profile; every problem is thrown with its file and line.
    public init(yaml: String, file: String) throws(Problems) {
        self.file = file
        var r = try YAMLReader(yaml: yaml, file: file)
        let allowed: Set<String> = [
            "level", "unit", "period", "previous", "questionnaire", "confidence", "ci", "criterion_ci", "rank_on", "rank_replicates", "seed",
            "units", "targets", "unit_targets",
        ]
        guard let root = r.root, let map = r.mapping(root, nil, allowed: allowed, what: "a province profile") else {
            throw Problems(r.problems.isEmpty ? [Problem(file: file, message: "the file is empty")] : r.problems)
        }
        let level = r.string(map, "level", nil, required: true, at: root)?.precomposedForm ?? ""
        if !level.isEmpty, !["tỉnh", "huyện"].contains(level) {
            r.issue(map["level"], "level", "level is tỉnh (a province consolidating its communes) or huyện (a district); found '\(level)'")
        }
        var unit = ReportProfile.Unit(code: "", name: "")
        if let u = r.mapping(map["unit"], "unit", allowed: ["code", "name"], what: "'unit'") {
            unit.code = r.string(u, "code", "unit", required: true, at: map["unit"]) ?? ""
            unit.name = r.string(u, "name", "unit", required: true, at: map["unit"])?.precomposedForm ?? ""
            unit.level = level
        } else {
            r.issue(root, nil, "missing 'unit' (code and name of the province or district)")
        }
        let period = r.period(map["period"], root: root)
        let previous = map["previous"] == nil ? period.previous : r.period(map["previous"], root: root)
        let questionnaire = r.string(map, "questionnaire", nil, required: true, at: root) ?? ""
        let confidence = r.confidence(map["confidence"], key: "confidence")
        let (ci, criterionCI) = r.intervals(map, root: root)
        let rankOn = r.string(map, "rank_on", nil, required: false, at: root)
        var replicates = 2000
        if let node = map["rank_replicates"] {
            if let v = node.int, v >= 2000, v <= 100_000 { replicates = v } else {
                r.issue(node, "rank_replicates", "rank_replicates is a whole number of draws from 2000 to 100000")
            }
        }
        var seed: UInt64 = 20_261_201
        if let node = map["seed"] {
            if let v = node.int, v >= 0 { seed = UInt64(v) } else { r.issue(node, "seed", "seed is a whole number ≥ 0") }
        }
        var units: [ExpectedUnit] = []
        var seen: Set<String> = []
        for node in r.sequence(map["units"], "units", "'units'") ?? [] {
            guard let u = r.mapping(node, "units", allowed: ["code", "name", "district", "population"], what: "a unit") else { continue }
            let code = r.string(u, "code", "units", required: true, at: node) ?? ""
            let name = r.string(u, "name", code, required: true, at: node)?.precomposedForm ?? ""
            var population: Double?
            if let p = u["population"] {
                if let v = p.float, v >= 1, v == v.rounded() { population = v } else {
                    r.issue(p, code, "'population' is the whole number of dossiers the unit handled in the period, e.g. 1250")
                }
            }
            if !code.isEmpty, !seen.insert(code).inserted { r.issue(node, code, "unit \(code) is listed twice") }
            units.append(ExpectedUnit(code: code, name: name, district: r.string(u, "district", code, required: false, at: node)?.precomposedForm, population: population))
        }
        if map["units"] != nil, units.isEmpty { r.issue(map["units"], "units", "list the units the province expects, each with code and name") }
        if !units.isEmpty, units.contains(where: { $0.population != nil }), units.contains(where: { $0.population == nil }) {
            r.issue(map["units"], "units", "give 'population' for every unit or for none (weights need every unit's number of dossiers)")
        }
        func targets(_ key: String) -> [ReportProfile.Target] {
            var out: [ReportProfile.Target] = []
            for node in r.sequence(map[key], key, "'\(key)'") ?? [] {
                guard let t = r.target(node) else { continue }
                if !t.fields.isEmpty || !t.channels.isEmpty {
                    r.issue(node, t.title, "a province target covers every form: a field or channel filter is not available here (put it in the commune's profile)")
                }
                out.append(t)
            }
            return out
        }
        let provinceTargets = targets("targets"), unitTargets = targets("unit_targets")
        if !r.problems.isEmpty { throw Problems(r.problems) }
        self.level = level
        self.unit = unit
        self.period = period
        self.previous = previous
        self.questionnaire = questionnaire
        self.confidence = confidence
        compositeInterval = ci
        criterionInterval = criterionCI
        self.rankOn = rankOn
        rankLine = map["rank_on"]?.mark?.line
        self.units = units
        self.targets = provinceTargets
        self.unitTargets = unitTargets
        self.replicates = replicates
        self.seed = seed
    }

    /// Checks the indices the profile names against the questionnaire.
    public func validate(against q: Questionnaire) throws(Problems) {
        let ids = q.scoring.indices.map(\.id)
        var issues: [Problem] = []
        for t in targets + unitTargets where !ids.contains(t.index) {
            issues.append(Problem(file: file, line: t.line, subject: t.title, message: "unknown index '\(t.index)' of \(q.id); expected one of: \(ids.joined(separator: ", "))"))
        }
        if let rankOn, !ids.contains(rankOn) {
            issues.append(Problem(file: file, line: rankLine, subject: "rank_on", message: "unknown index '\(rankOn)' of \(q.id); expected one of: \(ids.joined(separator: ", "))"))
        }
        if !issues.isEmpty { throw Problems(issues) }
    }

    /// The analysis options of the profile (its populations give weights and FPC).
    public func options(target: Double? = nil) -> AnalysisOptions {
        AnalysisOptions(level: confidence, composite: compositeInterval, criterion: criterionInterval, target: target, populations: populations)
    }
}
