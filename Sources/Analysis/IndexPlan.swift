import SIPASModel

/// An index written as a weighted sum of ratios: I = Σₖ cₖ Rₖ, where Rₖ is satisfied answers
/// over valid answers pooled across the criteria `criteria[k]`.
///
/// Every aggregation rule reduces to this form: a criterion is one ratio; `mean` averages the
/// terms of its members; `weights` weighs them; `pooled` is one ratio over all criteria beneath;
/// `overall-question` is the ratio of one item. Linearisation then treats every index alike.
public struct IndexPlan: Sendable, Equatable {
    public struct Term: Sendable, Equatable {
        public var coefficient: Double
        /// Item ids whose answers are pooled into this ratio.
        public var criteria: [String]

        public init(coefficient: Double, criteria: [String]) {
            self.coefficient = coefficient
            self.criteria = criteria
        }
    }

    public var terms: [Term]
    /// Criteria left out because they have no valid answer in the data.
    public var omitted: [String]

    /// Every criterion the index reads.
    public var criteria: [String] {
        var seen = Set<String>()
        return terms.flatMap(\.criteria).filter { seen.insert($0).inserted }
    }

    /// Resolves `indexID` in `questionnaire`; `hasAnswers` says whether a criterion has any valid answer.
    /// A member with no answers is left out of its parent's mean (the mean of the others);
    /// returns nil when nothing beneath the index has an answer.
    public static func resolve(
        _ indexID: String, in questionnaire: Questionnaire, hasAnswers: (String) -> Bool
    ) -> IndexPlan? {
        var omitted: [String] = []
        guard let terms = resolveTerms(indexID, questionnaire, hasAnswers, &omitted) else { return nil }
        return IndexPlan(terms: merge(terms), omitted: omitted)
    }

    /// A single criterion as a plan.
    public static func criterion(_ itemID: String) -> IndexPlan {
        IndexPlan(terms: [Term(coefficient: 1, criteria: [itemID])], omitted: [])
    }

    private static func resolveTerms(
        _ id: String, _ q: Questionnaire, _ hasAnswers: (String) -> Bool, _ omitted: inout [String]
    ) -> [Term]? {
        guard let index = q.index(id) else { return nil }
        switch (index.members, index.aggregate) {
        case (.question(let item), _):
            guard hasAnswers(item) else {
                omitted.append(item)
                return nil
            }
            return [Term(coefficient: 1, criteria: [item])]
        case (.criteria(let items), .pooled):
            let answered = items.filter(hasAnswers)
            omitted += items.filter { !hasAnswers($0) }
            return answered.isEmpty ? nil : [Term(coefficient: 1, criteria: answered)]
        case (.criteria(let items), _):
            let answered = items.filter(hasAnswers)
            omitted += items.filter { !hasAnswers($0) }
            guard !answered.isEmpty else { return nil }
            let c = 1 / Double(answered.count)
            return answered.map { Term(coefficient: c, criteria: [$0]) }
        case (.components(let components), .pooled):
            let leaves = components.flatMap { leafCriteria($0, q) }
            var seen = Set<String>()
            let unique = leaves.filter { seen.insert($0).inserted }
            let answered = unique.filter(hasAnswers)
            omitted += unique.filter { !hasAnswers($0) }
            return answered.isEmpty ? nil : [Term(coefficient: 1, criteria: answered)]
        case (.components(let components), .weights(let weights)):
            var parts: [(Double, [Term])] = []
            for c in components {
                if let t = resolveTerms(c, q, hasAnswers, &omitted) { parts.append((weights[c] ?? 0, t)) }
            }
            let total = parts.reduce(0) { $0 + $1.0 }
            guard !parts.isEmpty, total > 0 else { return nil }
            return parts.flatMap { w, terms in terms.map { Term(coefficient: $0.coefficient * w / total, criteria: $0.criteria) } }
        case (.components(let components), _):
            let parts = components.compactMap { resolveTerms($0, q, hasAnswers, &omitted) }
            guard !parts.isEmpty else { return nil }
            let c = 1 / Double(parts.count)
            return parts.flatMap { $0.map { Term(coefficient: $0.coefficient * c, criteria: $0.criteria) } }
        }
    }

    /// The criteria beneath an index, in tree order.
    public static func leafCriteria(_ id: String, _ q: Questionnaire) -> [String] {
        guard let index = q.index(id) else { return [] }
        switch index.members {
        case .question(let item): return [item]
        case .criteria(let items): return items
        case .components(let components): return components.flatMap { leafCriteria($0, q) }
        }
    }

    private static func merge(_ terms: [Term]) -> [Term] {
        var order: [[String]] = []
        var sums: [[String]: Double] = [:]
        for t in terms {
            if sums[t.criteria] == nil { order.append(t.criteria) }
            sums[t.criteria, default: 0] += t.coefficient
        }
        return order.map { Term(coefficient: sums[$0]!, criteria: $0) }
    }
}
