import Foundation
import SIPASModel
import SIPASStatistics

public enum AnalysisError: Error, Sendable, CustomStringConvertible {
    case design(SurveyDesign.DesignError)
    case unknownGrouping(String, allowed: [String])
    case invalidOption(String)

    public var description: String {
        switch self {
        case .design(let e): e.description
        case .unknownGrouping(let by, let allowed):
            "cannot group by '\(by)': expected unit, field, channel or a single-choice item id (\(allowed.joined(separator: ", ")))"
        case .invalidOption(let message): message
        }
    }
}

/// What analysing a questionnaire needs that no form changes: each scored item's numerator and
/// denominator tables, and each index's plan when every criterion has answers. Build it once to
/// analyse many samples of one questionnaire (a province's thousands of units, each alone).
public struct PreparedQuestionnaire: Sendable {
    /// The questionnaire it was made of: used only for a table of this very questionnaire.
    let questionnaire: Questionnaire
    let scoring: [String: ScoringTable]
    /// Plans of `scoring.indices`, in order, when every scored item has a valid answer.
    let fullPlans: [IndexPlan?]

    public init(_ q: Questionnaire) {
        questionnaire = q
        var scoring: [String: ScoringTable] = [:]
        for item in q.scoredItems {
            let column = Analyzer.satisfactionColumn(item, [], satisfied: q.satisfiedCodes(for: item) ?? [])
            scoring[item.id] = ScoringTable(numerator: column.numerator, denominator: column.denominator, valid: column.valid)
        }
        self.scoring = scoring
        let scored = Set(q.scoredItems.map(\.id))
        fullPlans = q.scoring.indices.map { index in IndexPlan.resolve(index.id, in: q) { scored.contains($0) } }
    }

    /// The same questionnaire in every respect (id and version alone could hide other items or
    /// satisfied codes, whose tables and plans these are not).
    func fits(_ q: Questionnaire) -> Bool { q == questionnaire }
}

/// Scores a table of responses: criteria, the index tree, shares and bounds.
public struct Analyzer: Sendable {
    public var options: AnalysisOptions
    /// The questionnaire's tables, when analysing many samples of it (made for each analysis otherwise).
    public var prepared: PreparedQuestionnaire?

    public init(options: AnalysisOptions = AnalysisOptions(), prepared: PreparedQuestionnaire? = nil) {
        self.options = options
        self.prepared = prepared
    }

    /// Analyses the whole table, and each group of `by` (unit, field, channel or a coded item id) as
    /// a domain of the whole design (R: `svyby(…, ~by, design)`).
    public func analyze(_ table: ResponseTable, by: [String] = []) throws(AnalysisError) -> Analysis {
        let design = try wholeDesign(table)
        let prepared = prepared(for: table.questionnaire)
        let whole = analyzeSample(table, design: design, prepared: prepared)
        var groups: [GroupAnalysis] = []
        for key in by {
            for (value, label, rows) in try partition(table, by: key) {
                let sub = table.analysisSubset(rows)
                groups.append(GroupAnalysis(by: key, value: value, label: label, analysis: analyzeSample(sub, design: design.domain(rows), prepared: prepared)))
            }
        }
        return analysis(whole, of: table.questionnaire, groups: groups)
    }

    /// Analyses the rows given (ascending row numbers, e.g. the forms of one field for a target) as a
    /// domain of the whole table's design (R: `subset(design, …)`): weights, strata and corrections
    /// stay those of the whole sample.
    public func analyze(_ table: ResponseTable, domain rows: [Int]) throws(AnalysisError) -> Analysis {
        let design = try wholeDesign(table)
        let sample = analyzeSample(table.analysisSubset(rows), design: design.domain(rows), prepared: prepared(for: table.questionnaire))
        return analysis(sample, of: table.questionnaire, groups: [])
    }

    func prepared(for q: Questionnaire) -> PreparedQuestionnaire {
        if let prepared, prepared.fits(q) { return prepared }
        return PreparedQuestionnaire(q)
    }

    func wholeDesign(_ table: ResponseTable) throws(AnalysisError) -> SurveyDesign {
        guard options.level > 0, options.level < 1 else {
            throw .invalidOption("the confidence level must lie strictly between 0 and 1, e.g. 0.95; found \(options.level)")
        }
        if let t = options.target, !(t > 0 && t <= 1) {
            throw .invalidOption("the target must be a share between 0 and 1 (0.95 for 95 %); found \(t)")
        }
        do {
            return try SurveyDesign(table: table, populations: options.populations)
        } catch {
            throw .design(error)
        }
    }

    func analysis(_ whole: SampleAnalysis, of q: Questionnaire, groups: [GroupAnalysis]) -> Analysis {
        Analysis(
            questionnaire: QuestionnaireRef(id: q.id, version: q.version, title: q.title, verified: q.source.verified),
            level: options.level, target: options.target, overall: q.scoring.overall, n: whole.n,
            design: whole.design, indices: whole.indices, criteria: whole.criteria, negative: whole.negative,
            priorities: whole.priorities, groups: groups, rules: rules(for: q))
    }

    /// Rows of each group, in order of the group's code (items) or first appearance (metadata).
    func partition(_ table: ResponseTable, by key: String) throws(AnalysisError) -> [(String, String?, [Int])] {
        func split(_ column: Categorical, _ kind: Labels.Kind) -> [(String, String?, [Int])] {
            var rows = [[Int]](repeating: [], count: column.levels.count)
            for i in 0..<table.count where column.codes[i] != 0 { rows[Int(column.codes[i]) - 1].append(i) }
            return column.levels.enumerated().map { ($0.element, options.labels.label(of: $0.element, in: kind), rows[$0.offset]) }
        }
        switch key {
        case "unit": return split(table.unit, .unit)
        case "field": return split(table.field, .field)
        case "channel": return split(table.channel, .channel)
        default:
            let q = table.questionnaire
            guard let item = q.item(key), let codes = table.codes[key] else {
                let allowed = q.items.filter { $0.type == .single || $0.type == .yesNo || $0.type == .scale }.map(\.id)
                throw .unknownGrouping(key, allowed: allowed)
            }
            return item.options.compactMap { option in
                let rows = (0..<table.count).filter { codes[$0] == UInt8(option.code) }
                return rows.isEmpty ? nil : (String(option.code), option.label, rows)
            }
        }
    }

    /// The numerator and denominator tables of an item: satisfied over valid option codes.
    static func satisfactionColumn(_ item: Item, _ codes: [UInt8], satisfied: Set<Int>) -> ScoredColumn {
        var num = [Double](repeating: 0, count: 256)
        var den = [Double](repeating: 0, count: 256)
        for option in item.options where option.code > 0 && option.code < 256 {
            den[option.code] = 1
            if satisfied.contains(option.code) { num[option.code] = 1 }
        }
        return ScoredColumn(id: item.id, codes: codes, numerator: num, denominator: den)
    }

    static func meanColumn(_ item: Item, _ codes: [UInt8]) -> ScoredColumn {
        var num = [Double](repeating: 0, count: 256)
        var den = [Double](repeating: 0, count: 256)
        for option in item.options where option.code > 0 && option.code < 256 {
            den[option.code] = 1
            num[option.code] = Double(option.code)
        }
        return ScoredColumn(id: item.id, codes: codes, numerator: num, denominator: den)
    }

    /// Everything for one sample: the whole table under its design, or a domain's rows under the
    /// domain of the whole design.
    func analyzeSample(_ table: ResponseTable, design: SurveyDesign, prepared: PreparedQuestionnaire) -> SampleAnalysis {
        let q = table.questionnaire
        var linearizer = Linearizer(design: design)
        let level = options.level
        let df = design.degreesOfFreedom

        // Criteria, then indices, each spread over two workers with their own linearizer (results in order).
        let scored = q.scoredItems
        let workers = table.count >= 20_000 ? 2 : 1
        nonisolated(unsafe) var criterionSlots = [(ScoredColumn, CriterionSummary)?](repeating: nil, count: scored.count)
        nonisolated(unsafe) var linearizers = [Linearizer](repeating: linearizer, count: workers)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for i in stride(from: w, to: scored.count, by: workers) {
                let item = scored[i]
                let codes = table.codes[item.id] ?? [UInt8](repeating: 0, count: table.count)
                let column = ScoredColumn(id: item.id, codes: codes, scoring: prepared.scoring[item.id]!)
                criterionSlots[i] = (column, options.criteria ? summarize(item, column, q, &linearizers[w], df: df) : Self.answers(item, column))
            }
        }
        for other in linearizers { linearizer.absorb(other) }
        var columns: [String: ScoredColumn] = [:]
        var criteria: [CriterionSummary] = []
        for slot in criterionSlots {
            columns[slot!.0.id] = slot!.0
            criteria.append(slot!.1)
        }

        let definitions = q.scoring.indices
        nonisolated(unsafe) var indexSlots = [IndexEstimate?](repeating: nil, count: definitions.count)
        linearizers = [Linearizer](repeating: linearizer, count: workers)
        let answered = Set(criteria.filter { $0.n > 0 }.map(\.id))
        let frozenColumns = columns
        let everyAnswered = answered.count == scored.count
        // Without degrees of freedom every index falls back to Clopper–Pearson and never reads it.
        let tRatio = df >= 1 ? Self.tRatio(rows: design.rowCount, df: df, level: level) : .nan
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for i in stride(from: w, to: definitions.count, by: workers) {
                let index = definitions[i]
                let plan = everyAnswered ? prepared.fullPlans[i] : IndexPlan.resolve(index.id, in: q) { answered.contains($0) }
                indexSlots[i] = estimateIndex(index, plan: plan, in: q, columns: frozenColumns, &linearizers[w], design: design, tRatio: tRatio)
            }
        }
        for other in linearizers { linearizer.absorb(other) }
        let indices = indexSlots.map { $0! }

        // Shares of negative experiences and priorities.
        func share(_ itemID: String, _ codes: Set<Int>) -> ShareEstimate? {
            guard let item = q.item(itemID), let data = table.codes[itemID] else { return nil }
            let column = Self.satisfactionColumn(item, data, satisfied: codes)
            let est = linearizer.estimate([RatioTerm(coefficient: 1, columns: [column])])
            let n = est.minimumValid
            var value: Double?
            var interval: Interval?
            if n > 0 {
                value = est.value
                let size = Self.effectiveSize(est, n: n, weighted: design.isWeighted)
                interval = ProportionInterval.wilson(successes: est.value * size, trials: size, level: level)
            }
            return ShareEstimate(
                id: item.id, text: item.text, value: value, lower: interval?.lower, upper: interval?.upper, n: n,
                codes: codes.sorted())
        }
        let negative = options.criteria ? q.scoring.negative.compactMap { share($0.item, $0.codes) } : []
        var priorities: [ShareEstimate] = []
        if options.criteria, let rule = q.scoring.priorities {
            priorities = rule.items.compactMap { share($0, rule.codes) }
            priorities.sort { ($0.value ?? -1) > ($1.value ?? -1) }
        }

        let summary = DesignSummary(
            strata: design.strata.count, weighted: design.isWeighted, fpc: design.isWeighted, df: df,
            lonelyStrata: design.strata.filter { $0.sampleSize == 1 }.map { $0.unit ?? "" })
        return SampleAnalysis(
            n: table.count, design: summary, indices: indices, criteria: options.criteria ? criteria : [], negative: negative,
            priorities: priorities)
    }

    /// Only the number of valid answers of a criterion (which indices it can enter), for an
    /// analysis of indices alone.
    static func answers(_ item: Item, _ column: ScoredColumn) -> CriterionSummary {
        var n = 0
        for code in column.codes where column.denominator[Int(code)] != 0 { n += 1 }
        return CriterionSummary(
            id: item.id, number: item.number, text: item.text, value: nil, lower: nil, upper: nil, se: nil, n: n, missing: column.codes.count - n,
            satisfied: 0, mean: nil, meanLower: nil, meanUpper: nil, distribution: [:], method: "", small: true, verdict: nil)
    }

    func summarize(_ item: Item, _ column: ScoredColumn, _ q: Questionnaire, _ linearizer: inout Linearizer, df: Int) -> CriterionSummary {
        let hist = linearizer.histogram(column)
        let counts = hist.totals()
        var distribution: [String: Int] = [:]
        for code in 1..<256 where counts[code] > 0 { distribution[String(code)] = counts[code] }
        let validCodes = Set(item.options.map(\.code))
        let n = validCodes.reduce(0) { $0 + counts[$1] }
        var strataAnswered = 0
        let validSlots = hist.codes.indices.filter { validCodes.contains(Int(hist.codes[$0])) && hist.codes[$0] > 0 }
        let width = hist.codes.count
        for s in 0..<linearizer.design.strata.count where validSlots.contains(where: { hist.counts[s * width + $0] > 0 }) {
            strataAnswered += 1
        }
        let satisfiedCodes = q.satisfiedCodes(for: item) ?? []
        let satisfied = satisfiedCodes.reduce(0) { $0 + counts[$1] }
        let missing = linearizer.design.rowCount - n
        var summary = CriterionSummary(
            id: item.id, number: item.number, text: item.text, value: nil, lower: nil, upper: nil, se: nil, n: n,
            missing: missing, satisfied: satisfied, mean: nil, meanLower: nil, meanUpper: nil,
            distribution: distribution, method: options.criterion.rawValue, small: n < options.smallSample,
            verdict: nil)
        guard n > 0 else { return summary }
        let est = linearizer.estimate([RatioTerm(coefficient: 1, columns: [column])])
        summary.value = est.value
        summary.se = est.variance.squareRoot()
        let interval = criterionInterval(est, n: n, strataAnswered: strataAnswered, design: linearizer.design)
        summary.method = interval.method
        summary.lower = interval.bounds.lower
        summary.upper = interval.bounds.upper
        if let t = options.target { summary.verdict = Verdict(lower: interval.bounds.lower, upper: interval.bounds.upper, target: t) }
        let mean = linearizer.estimate([RatioTerm(coefficient: 1, columns: [Self.meanColumn(item, column.codes)])])
        summary.mean = mean.value
        if df >= 1, mean.variance > 0 {
            let t = StudentTDistribution.quantile((1 + options.level) / 2, degreesOfFreedom: Double(df))
            let half = t * mean.variance.squareRoot()
            summary.meanLower = mean.value - half
            summary.meanUpper = mean.value + half
        }
        return summary
    }

    func estimateIndex(
        _ index: IndexDefinition, plan: IndexPlan?, in q: Questionnaire, columns: [String: ScoredColumn],
        _ linearizer: inout Linearizer, design: SurveyDesign, tRatio: Double
    ) -> IndexEstimate {
        var result = IndexEstimate(
            id: index.id, title: index.title, kind: index.kind, value: nil, lower: nil, upper: nil, se: nil, deff: nil,
            n: 0, method: options.composite.name, small: true, verdict: nil, omitted: nil)
        guard let plan else {
            result.omitted = IndexPlan.leafCriteria(index.id, q)
            return result
        }
        if !plan.omitted.isEmpty { result.omitted = plan.omitted }
        let terms = plan.terms.map { RatioTerm(coefficient: $0.coefficient, columns: $0.criteria.compactMap { columns[$0] }) }
        let est = linearizer.estimate(terms)
        let value = est.value
        let variance = est.variance
        result.value = value
        result.se = variance.squareRoot()
        result.n = est.respondents
        result.small = est.respondents < options.smallSample
        if value > 0, value < 1 {
            result.deff = variance * Double(design.rowCount) / (value * (1 - value))
        }
        let interval = compositeInterval(est, terms: terms, design: design, tRatio: tRatio)
        result.lower = interval.bounds.lower
        result.upper = interval.bounds.upper
        result.method = interval.method
        if let se = interval.se { result.se = se }
        if let t = options.target { result.verdict = Verdict(lower: result.lower, upper: result.upper, target: t) }
        return result
    }

    /// The size a single proportion's Wilson or exact interval is computed on: the valid answers n,
    /// or with weights the effective size p(1 − p)/Var(p̂) from the design, capped at n (n when
    /// the proportion is 0 or 1 or has no variance).
    static func effectiveSize(_ est: LinearEstimate, n: Int, weighted: Bool) -> Double {
        guard weighted, est.value > 0, est.value < 1, est.variance > 0 else { return Double(n) }
        return min(est.value * (1 - est.value) / est.variance, Double(n))
    }

    /// Bounds for one criterion: Wilson or exact on n (on n_eff with weights), or R's
    /// `svyciprop(~satisfied, subset(design, answered))` "logit" or "beta" on the domain of its
    /// valid answers (df = valid answers − strata with one); at 0 %, 100 % or without variance
    /// those two fall back to Clopper–Pearson on n.
    func criterionInterval(_ est: LinearEstimate, n: Int, strataAnswered: Int, design: SurveyDesign)
        -> (bounds: Interval, method: String)
    {
        let level = options.level
        let p = est.value
        switch options.criterion {
        case .wilson, .exact:
            let size = Self.effectiveSize(est, n: n, weighted: design.isWeighted)
            let bounds =
                options.criterion == .wilson
                ? ProportionInterval.wilson(successes: p * size, trials: size, level: level)
                : ProportionInterval.clopperPearson(successes: p * size, trials: size, level: level)
            return (bounds, options.criterion.rawValue)
        case .logit, .beta:
            let df = n - strataAnswered
            guard p > 0, p < 1, est.variance > 0, df >= 1 else {
                return (ProportionInterval.clopperPearson(successes: p * Double(n), trials: Double(n), level: level), "clopper-pearson")
            }
            let bounds =
                options.criterion == .logit
                ? Self.logitInterval(p, variance: est.variance, df: df, level: level)
                : Self.kornGraubard(p, variance: est.variance, rows: n, df: df, level: level)
            return (bounds, options.criterion.rawValue)
        }
    }

    /// R's `svyciprop(method = "logit")`: logit(p) ± t(df) · SE/(p(1 − p)), back-transformed.
    static func logitInterval(_ p: Double, variance: Double, df: Int, level: Double) -> Interval {
        let t = StudentTDistribution.quantile(1 - (1 - level) / 2, degreesOfFreedom: Double(df))
        let centre = log(p / (1 - p))
        let half = t * variance.squareRoot() / (p * (1 - p))
        func expit(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
        return Interval(lower: expit(centre - half), upper: expit(centre + half))
    }

    /// R's `svyciprop(method = "beta")` (Korn–Graubard): Clopper–Pearson on
    /// n_eff = p(1 − p)/Var · (t(rows − 1)/t(df))², the quantiles at α/2, not capped (as R); with
    /// `cap`, n_eff is at most that (the default, `.betaCapped`, caps it at the respondents).
    public static func kornGraubard(_ p: Double, variance: Double, rows: Int, df: Int, level: Double, cap: Double? = nil) -> Interval {
        kornGraubard(p, variance: variance, tRatio: tRatio(rows: rows, df: df, level: level), level: level, cap: cap)
    }

    /// R's degrees-of-freedom adjustment of Korn–Graubard, t(rows − 1)/t(df) at α/2: the same for
    /// every index of a sample, so taken once.
    static func tRatio(rows: Int, df: Int, level: Double) -> Double {
        let alpha = 1 - level
        return StudentTDistribution.quantile(alpha / 2, degreesOfFreedom: Double(rows - 1))
            / StudentTDistribution.quantile(alpha / 2, degreesOfFreedom: Double(df))
    }

    static func kornGraubard(_ p: Double, variance: Double, tRatio ratio: Double, level: Double, cap: Double?) -> Interval {
        var nEff = p * (1 - p) / variance
        nEff *= ratio * ratio
        if let cap { nEff = min(nEff, cap) }
        return ProportionInterval.clopperPearson(successes: nEff * p, trials: nEff, level: level)
    }

    /// Bounds for a composite index under the chosen method, with the exact fallback.
    func compositeInterval(_ est: LinearEstimate, terms: [RatioTerm], design: SurveyDesign, tRatio: Double)
        -> (bounds: Interval, method: String, se: Double?)
    {
        let level = options.level
        let alpha = 1 - level
        let value = est.value
        let se = est.variance.squareRoot()
        let df = design.degreesOfFreedom
        if case .bootstrap(let replicates, let seed) = options.composite {
            let linearizer = Linearizer(design: design)
            let reps = linearizer.bootstrap(terms, replicates: replicates, seed: seed).sorted()
            if reps.count >= 2 {
                let mean = reps.reduce(0, +) / Double(reps.count)
                let sd = (reps.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(reps.count - 1)).squareRoot()
                return (Interval(lower: Self.quantile(reps, alpha / 2), upper: Self.quantile(reps, 1 - alpha / 2)), "bootstrap", sd)
            }
        }
        // Degenerate: at 0 or 1, no variance, or no degrees of freedom.
        if value <= 0 || value >= 1 || se <= 0 || df < 1 {
            let m = Double(est.minimumValid)
            return (ProportionInterval.clopperPearson(successes: value * m, trials: m, level: level), "clopper-pearson", nil)
        }
        switch options.composite {
        case .beta:
            return (Self.kornGraubard(value, variance: est.variance, tRatio: tRatio, level: level, cap: nil), "beta", nil)
        case .betaCapped:
            let bounds = Self.kornGraubard(value, variance: est.variance, tRatio: tRatio, level: level, cap: Double(est.respondents))
            return (bounds, "beta-capped", nil)
        case .logit, .bootstrap:
            return (Self.logitInterval(value, variance: est.variance, df: df, level: level), "logit", nil)
        }
    }

    /// R's default (type 7) sample quantile of sorted values.
    static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        let h = Double(sorted.count - 1) * p
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, sorted.count - 1)
        return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }

    /// The rules used, in words.
    func rules(for q: Questionnaire) -> [String] {
        var lines: [String] = []
        for scale in q.scales {
            if let sat = q.scoring.satisfied[scale.id] {
                let labels = scale.options.filter { sat.contains($0.code) }.map { "\($0.code) \($0.label)" }
                lines.append("Satisfied on scale \(scale.id): \(labels.joined(separator: ", ")); blank and missing codes leave the denominator.")
            }
        }
        for index in q.scoring.indices {
            let members: String
            switch index.members {
            case .criteria(let c): members = "criteria " + c.joined(separator: ", ")
            case .components(let c): members = "components " + c.joined(separator: ", ")
            case .question(let item): members = "question " + item
            }
            var rule = index.aggregate.name
            if case .weights(let w) = index.aggregate {
                rule += " (" + w.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"
            }
            lines.append("Index \(index.id) = \(rule) of \(members).")
        }
        let composite: String
        switch options.composite {
        case .logit: composite = "Taylor linearisation, interval on the logit scale with t(n − strata) (R svyciprop method \"logit\")"
        case .beta: composite = "Korn–Graubard: Clopper–Pearson on the effective sample size with R's degrees-of-freedom adjustment, not capped (R svyciprop method \"beta\")"
        case .betaCapped: composite = "Korn–Graubard: Clopper–Pearson on the effective sample size p(1 − p)/Var from Taylor linearisation, with R's degrees-of-freedom adjustment (t(forms − 1)/t(df))², capped at the respondents (R svyciprop method \"beta\" does not cap; the cap holds 95 % coverage near 100 %, STATISTICS.md)"
        case .bootstrap(let b, let seed): composite = "percentile bootstrap of respondents within units, \(b) replicates, seed \(seed)"
        }
        lines.append("Composite indices: \(composite); at 0 %, 100 % or without variance, Clopper–Pearson on the smallest number of valid answers among the criteria.")
        let criterion: String
        switch options.criterion {
        case .wilson, .exact:
            criterion = (options.criterion == .wilson ? "Wilson score interval" : "Clopper–Pearson exact interval")
                + " on the valid answers; with weights on the effective size p(1 − p)/Var(p), capped at the valid answers"
        case .logit: criterion = "logit interval on the domain of the valid answers, t(valid answers − units with one) (R svyciprop method \"logit\")"
        case .beta: criterion = "Korn–Graubard on the domain of the valid answers (R svyciprop method \"beta\")"
        }
        lines.append("Criteria: \(criterion).")
        lines.append("Design: units are strata; weights Nₕ/nₕ and finite-population correction when the number of dossiers is given; a unit with one respondent adds its uncentred square (R survey.lonely.psu = \"adjust\").")
        lines.append("Groups (breakdowns, targets on a field or channel) are domains of the whole design: strata, weights and corrections of the whole sample, forms outside the group count as zeros; degrees of freedom = forms in the group − units present in it (R svyby / subset).")
        lines.append("Confidence level \(options.level); fewer than \(options.smallSample) respondents is flagged as too small to conclude.")
        if let t = options.target {
            lines.append("Target \(t): Đạt when the lower bound ≥ target, Chưa đạt when the upper bound < target, otherwise Chưa đủ căn cứ.")
        }
        if !q.source.verified {
            lines.append("Questionnaire \(q.id) \(q.version): wording not verified against the official text (\(q.source.decision)).")
        }
        return lines
    }
}
