import SIPASModel
import SIPASStatistics

/// How to put bounds on composite indices (element, part, overall).
public enum CompositeInterval: Sendable, Equatable {
    /// Taylor linearisation, interval on the logit scale with t(df) (R: `svyciprop(method = "logit")`).
    case logit
    /// Korn–Graubard exactly as R's `svyciprop(method = "beta")`: Clopper–Pearson on the
    /// effective sample size with R's degrees-of-freedom adjustment, not capped. Use it to
    /// reproduce R; it under-covers near 100 % on small samples (STATISTICS.md).
    case beta
    /// The default: Korn–Graubard with the effective size capped at the respondents, so a
    /// design effect below 1 cannot make the interval narrower than an exact one on the forms
    /// themselves. Holds 95 % coverage where the coverage study publishes verdicts (STATISTICS.md).
    case betaCapped
    /// Respondent-level percentile bootstrap, resampling within units.
    case bootstrap(replicates: Int, seed: UInt64)

    public var name: String {
        switch self {
        case .logit: "logit"
        case .beta: "beta"
        case .betaCapped: "beta-capped"
        case .bootstrap: "bootstrap"
        }
    }
}

/// How to put bounds on one criterion's share satisfied.
public enum CriterionInterval: String, Sendable, Equatable, CaseIterable {
    /// Wilson score interval on the valid answers (with weights, on the effective size).
    case wilson
    /// Clopper–Pearson, on the same size as Wilson.
    case exact
    /// R's `svyciprop(method = "logit")` on the domain of the criterion's valid answers.
    case logit
    /// R's `svyciprop(method = "beta")` (Korn–Graubard) on the domain of its valid answers.
    case beta
}

public struct AnalysisOptions: Sendable {
    public var level: Double
    public var composite: CompositeInterval
    public var criterion: CriterionInterval
    /// A target share such as 0.95: each index gets a verdict.
    public var target: Double?
    /// Number of dossiers per unit code, for weights and finite-population correction.
    public var populations: [String: Double]
    /// Groups smaller than this are flagged as too small to conclude.
    public var smallSample: Int
    /// False when only the indices are wanted (a province ranking thousands of units): criteria,
    /// negative experiences and priorities are then left out of the result and not estimated.
    public var criteria = true
    /// Names of field, channel and unit codes, carried as the `label` of each group of those.
    public var labels = Labels.catalogue

    public init(
        level: Double = 0.95, composite: CompositeInterval = .betaCapped, criterion: CriterionInterval = .wilson,
        target: Double? = nil, populations: [String: Double] = [:], smallSample: Int = 30
    ) {
        self.level = level
        self.composite = composite
        self.criterion = criterion
        self.target = target
        self.populations = populations
        self.smallSample = smallSample
    }
}

/// Đạt / Chưa đạt / Chưa đủ căn cứ: a target judged on the interval, not the point.
public enum Verdict: String, Sendable, Codable, Equatable {
    /// Lower bound ≥ target.
    case met
    /// Upper bound < target.
    case notMet = "not_met"
    /// The interval contains the target.
    case inconclusive

    public init?(lower: Double?, upper: Double?, target: Double) {
        guard let lower, let upper else { return nil }
        if lower >= target {
            self = .met
        } else if upper < target {
            self = .notMet
        } else {
            self = .inconclusive
        }
    }

    public var label: String {
        switch self {
        case .met: "Đạt"
        case .notMet: "Chưa đạt"
        case .inconclusive: "Chưa đủ căn cứ"
        }
    }
}

/// An index (element, part, overall) with its bounds.
public struct IndexEstimate: Sendable, Codable, Equatable {
    public var id: String
    public var title: String
    public var kind: String
    public var value: Double?
    public var lower: Double?
    public var upper: Double?
    public var se: Double?
    /// Design effect n·Var/(I(1−I)) = n/n_eff (Korn–Graubard's effective sample size).
    public var deff: Double?
    /// Respondents with at least one valid answer to the index's criteria.
    public var n: Int
    public var method: String
    /// n below the small-sample threshold: too small to conclude.
    public var small: Bool
    public var verdict: Verdict?
    /// Criteria left out of the index for want of any valid answer.
    public var omitted: [String]?
}

/// One scored item (*tiêu chí*).
public struct CriterionSummary: Sendable, Codable, Equatable {
    public var id: String
    public var number: String?
    public var text: String
    /// Share satisfied among valid answers (weighted when the design is).
    public var value: Double?
    public var lower: Double?
    public var upper: Double?
    public var se: Double?
    /// Valid answers.
    public var n: Int
    /// Blank answers plus answers with a missing code ("không biết", …).
    public var missing: Int
    /// Satisfied answers (count).
    public var satisfied: Int
    /// Mean code over valid answers (1–5 on the 5-point scale).
    public var mean: Double?
    public var meanLower: Double?
    public var meanUpper: Double?
    /// Count of each code given, blank excluded.
    public var distribution: [String: Int]
    public var method: String
    public var small: Bool
    public var verdict: Verdict?

    enum CodingKeys: String, CodingKey {
        case id, number, text, value, lower, upper, se, n, missing, satisfied, mean
        case meanLower = "mean_lower"
        case meanUpper = "mean_upper"
        case distribution, method, small, verdict
    }
}

/// A share with bounds: negative experiences, priorities.
public struct ShareEstimate: Sendable, Codable, Equatable {
    public var id: String
    public var text: String
    public var value: Double?
    public var lower: Double?
    public var upper: Double?
    public var n: Int
    public var codes: [Int]
}

public struct DesignSummary: Sendable, Codable, Equatable {
    /// Number of strata (units).
    public var strata: Int
    public var weighted: Bool
    public var fpc: Bool
    public var df: Int
    public var lonelyStrata: [String]

    enum CodingKeys: String, CodingKey {
        case strata, weighted, fpc, df
        case lonelyStrata = "lonely_strata"
    }
}

/// Everything computed for one sample (the whole data, or one group of `--by`).
public struct SampleAnalysis: Sendable, Codable, Equatable {
    public var n: Int
    public var design: DesignSummary
    public var indices: [IndexEstimate]
    public var criteria: [CriterionSummary]
    public var negative: [ShareEstimate]
    public var priorities: [ShareEstimate]
}

public struct GroupAnalysis: Sendable, Codable, Equatable {
    public var by: String
    public var value: String
    public var label: String?
    public var analysis: SampleAnalysis

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(by, forKey: .by)
        try c.encode(value, forKey: .value)
        try c.encodeIfPresent(label, forKey: .label)
        try analysis.encode(to: encoder)
    }

    enum CodingKeys: String, CodingKey { case by, value, label }

    public init(by: String, value: String, label: String?, analysis: SampleAnalysis) {
        self.by = by
        self.value = value
        self.label = label
        self.analysis = analysis
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        by = try c.decode(String.self, forKey: .by)
        value = try c.decode(String.self, forKey: .value)
        label = try c.decodeIfPresent(String.self, forKey: .label)
        analysis = try SampleAnalysis(from: decoder)
    }
}

public struct QuestionnaireRef: Sendable, Codable, Equatable {
    public var id: String
    public var version: String
    public var title: String
    public var verified: Bool
}

/// The result of `sipas analyze`: the documented JSON object.
public struct Analysis: Sendable, Codable, Equatable {
    public var questionnaire: QuestionnaireRef
    public var level: Double
    public var target: Double?
    public var overall: String
    public var n: Int
    public var design: DesignSummary
    public var indices: [IndexEstimate]
    public var criteria: [CriterionSummary]
    public var negative: [ShareEstimate]
    public var priorities: [ShareEstimate]
    public var groups: [GroupAnalysis]
    /// The rules used, in words, so that a report always states its method.
    public var rules: [String]
    /// With `--dossiers N` on counter ratings: the Decree-766 style rate.
    public var decree766: CounterRate?
    /// With a previous period (`--compare-to`, a report's previous period): each index's change.
    public var change: [IndexChange]?
}

/// The Decree-766 style rate from counter ratings: (N − dissatisfied ratings) / N, where N is the
/// number of dossiers handled (*số hồ sơ đã giải quyết*). Always labelled as that rule: it is not
/// a survey estimate and has no confidence interval.
public struct CounterRate: Sendable, Codable, Equatable {
    public var dossiers: Int
    public var ratings: Int
    public var dissatisfied: Int
    public var value: Double
    public var rule: String

    /// Counts the valid answers to the overall question (rule `overall-question`) outside its satisfied set.
    public static func compute(_ table: ResponseTable, dossiers: Int) throws(AnalysisError) -> CounterRate {
        let q = table.questionnaire
        guard let index = q.index(q.scoring.overall), case .question(let itemID) = index.members,
              let item = q.item(itemID), let satisfied = q.satisfiedCodes(for: item) else {
            throw AnalysisError.invalidOption("the Decree-766 rate needs a questionnaire whose headline index is one question (aggregate: overall-question), such as counter-quick; \(q.id) has none")
        }
        let valid = Set(item.options.map(\.code))
        var ratings = 0, dissatisfied = 0
        for code in table.codes[itemID] ?? [] where valid.contains(Int(code)) {
            ratings += 1
            if !satisfied.contains(Int(code)) { dissatisfied += 1 }
        }
        guard dossiers >= 1 else { throw AnalysisError.invalidOption("--dossiers must be at least 1") }
        guard dossiers >= ratings else {
            throw AnalysisError.invalidOption("\(ratings) ratings but only \(dossiers) dossiers: the number of dossiers handled cannot be smaller than the number of ratings")
        }
        return CounterRate(
            dossiers: dossiers, ratings: ratings, dissatisfied: dissatisfied, value: Double(dossiers - dissatisfied) / Double(dossiers),
            rule: "Decree-766 style: (N − dissatisfied ratings) / N, N = dossiers handled; dossiers without a rating count as not dissatisfied")
    }
}
