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

/// Scores a table of responses: criteria, the index tree, shares and bounds.
public struct Analyzer: Sendable {
    public var options: AnalysisOptions

    public init(options: AnalysisOptions = AnalysisOptions()) {
        self.options = options
    }

    /// Analyses the whole table, and each group of `by` (unit, field, channel or a coded item id) as its own sample.
    public func analyze(_ table: ResponseTable, by: [String] = []) throws(AnalysisError) -> Analysis {
        guard options.level > 0, options.level < 1 else {
            throw .invalidOption("the confidence level must lie strictly between 0 and 1, e.g. 0.95; found \(options.level)")
        }
        if let t = options.target, !(t > 0 && t <= 1) {
            throw .invalidOption("the target must be a share between 0 and 1 (0.95 for 95 %); found \(t)")
        }
        let q = table.questionnaire
        let whole = try analyzeSample(table)
        var groups: [GroupAnalysis] = []
        for key in by {
            for (value, label, rows) in try partition(table, by: key) {
                let sub = table.analysisSubset(rows)
                groups.append(GroupAnalysis(by: key, value: value, label: label, analysis: try analyzeSample(sub)))
            }
        }
        return Analysis(
            questionnaire: QuestionnaireRef(id: q.id, version: q.version, title: q.title, verified: q.source.verified),
            level: options.level, target: options.target, overall: q.scoring.overall, n: whole.n,
            design: whole.design, indices: whole.indices, criteria: whole.criteria, negative: whole.negative,
            priorities: whole.priorities, groups: groups, rules: rules(for: q))
    }

    /// Rows of each group, in order of the group's code (items) or first appearance (metadata).
    func partition(_ table: ResponseTable, by key: String) throws(AnalysisError) -> [(String, String?, [Int])] {
        func split(_ column: Categorical) -> [(String, String?, [Int])] {
            var rows = [[Int]](repeating: [], count: column.levels.count)
            for i in 0..<table.count where column.codes[i] != 0 { rows[Int(column.codes[i]) - 1].append(i) }
            return column.levels.enumerated().map { ($0.element, nil, rows[$0.offset]) }
        }
        switch key {
        case "unit": return split(table.unit)
        case "field": return split(table.field)
        case "channel": return split(table.channel)
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

    func analyzeSample(_ table: ResponseTable) throws(AnalysisError) -> SampleAnalysis {
        let q = table.questionnaire
        let design: SurveyDesign
        do {
            design = try SurveyDesign(table: table, populations: options.populations)
        } catch {
            throw .design(error)
        }
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
                let column = Self.satisfactionColumn(item, codes, satisfied: q.satisfiedCodes(for: item)!)
                criterionSlots[i] = (column, summarize(item, column, q, &linearizers[w], df: df))
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
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for i in stride(from: w, to: definitions.count, by: workers) {
                let index = definitions[i]
                let plan = IndexPlan.resolve(index.id, in: q) { answered.contains($0) }
                indexSlots[i] = estimateIndex(index, plan: plan, in: q, columns: frozenColumns, &linearizers[w], design: design)
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
                interval = ProportionInterval.wilson(successes: est.value * Double(n), trials: Double(n), level: level)
            }
            return ShareEstimate(
                id: item.id, text: item.text, value: value, lower: interval?.lower, upper: interval?.upper, n: n,
                codes: codes.sorted())
        }
        let negative = q.scoring.negative.compactMap { share($0.item, $0.codes) }
        var priorities: [ShareEstimate] = []
        if let rule = q.scoring.priorities {
            priorities = rule.items.compactMap { share($0, rule.codes) }
            priorities.sort { ($0.value ?? -1) > ($1.value ?? -1) }
        }

        let summary = DesignSummary(
            strata: design.strata.count, weighted: design.isWeighted, fpc: design.isWeighted, df: df,
            lonelyStrata: design.strata.filter { $0.sampleSize == 1 }.map { $0.unit ?? "" })
        return SampleAnalysis(
            n: table.count, design: summary, indices: indices, criteria: criteria, negative: negative,
            priorities: priorities)
    }

    func summarize(_ item: Item, _ column: ScoredColumn, _ q: Questionnaire, _ linearizer: inout Linearizer, df: Int) -> CriterionSummary {
        let hist = linearizer.histogram(column)
        var counts = [Int](repeating: 0, count: 256)
        for s in 0..<linearizer.design.strata.count {
            for code in 0..<256 { counts[code] += hist[s * 256 + code] }
        }
        var distribution: [String: Int] = [:]
        for code in 1..<256 where counts[code] > 0 { distribution[String(code)] = counts[code] }
        let validCodes = Set(item.options.map(\.code))
        let n = validCodes.reduce(0) { $0 + counts[$1] }
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
        let interval =
            switch options.criterion {
            case .wilson: ProportionInterval.wilson(successes: est.value * Double(n), trials: Double(n), level: options.level)
            case .exact: ProportionInterval.clopperPearson(successes: est.value * Double(n), trials: Double(n), level: options.level)
            }
        summary.lower = interval.lower
        summary.upper = interval.upper
        if let t = options.target { summary.verdict = Verdict(lower: interval.lower, upper: interval.upper, target: t) }
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
        _ linearizer: inout Linearizer, design: SurveyDesign
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
        let interval = compositeInterval(est, terms: terms, design: design)
        result.lower = interval.bounds.lower
        result.upper = interval.bounds.upper
        result.method = interval.method
        if let se = interval.se { result.se = se }
        if let t = options.target { result.verdict = Verdict(lower: result.lower, upper: result.upper, target: t) }
        return result
    }

    /// Bounds for a composite index under the chosen method, with the exact fallback.
    func compositeInterval(_ est: LinearEstimate, terms: [RatioTerm], design: SurveyDesign)
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
            var nEff = value * (1 - value) / est.variance
            let ratio =
                StudentTDistribution.quantile(alpha / 2, degreesOfFreedom: Double(design.rowCount - 1))
                / StudentTDistribution.quantile(alpha / 2, degreesOfFreedom: Double(df))
            nEff *= ratio * ratio
            nEff = min(nEff, Double(est.respondents))
            return (ProportionInterval.clopperPearson(successes: nEff * value, trials: nEff, level: level), "beta", nil)
        case .logit, .bootstrap:
            let t = StudentTDistribution.quantile(1 - alpha / 2, degreesOfFreedom: Double(df))
            let centre = log(value / (1 - value))
            let half = t * se / (value * (1 - value))
            func expit(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
            return (Interval(lower: expit(centre - half), upper: expit(centre + half)), "logit", nil)
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
        case .beta: composite = "Korn–Graubard: Clopper–Pearson on the effective sample size, capped at n (R svyciprop method \"beta\")"
        case .bootstrap(let b, let seed): composite = "percentile bootstrap of respondents within units, \(b) replicates, seed \(seed)"
        }
        lines.append("Composite indices: \(composite); at 0 %, 100 % or without variance, Clopper–Pearson on the smallest number of valid answers among the criteria.")
        lines.append("Criteria: \(options.criterion == .wilson ? "Wilson score interval" : "Clopper–Pearson exact interval") on the valid answers.")
        lines.append("Design: units are strata; weights Nₕ/nₕ and finite-population correction when the number of dossiers is given; a unit with one respondent adds its uncentred square (R survey.lonely.psu = \"adjust\").")
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
