/// A questionnaire (*phiếu khảo sát*) with its scoring rules, as loaded from a YAML file.
public struct Questionnaire: Sendable, Equatable {
    public var id: String
    public var version: String
    public var title: String
    public var titleEN: String?
    public var source: Source
    /// Answer scales by id, in file order.
    public var scales: [Scale]
    public var sections: [Section]
    public var scoring: ScoringRules

    /// Every item in form order.
    public var items: [Item] { sections.flatMap(\.items) }

    public init(
        id: String, version: String, title: String, titleEN: String? = nil, source: Source,
        scales: [Scale], sections: [Section], scoring: ScoringRules
    ) {
        self.id = id
        self.version = version
        self.title = title
        self.titleEN = titleEN
        self.source = source
        self.scales = scales
        self.sections = sections
        self.scoring = scoring
    }

    public func item(_ id: String) -> Item? { items.first { $0.id == id } }
    public func scale(_ id: String) -> Scale? { scales.first { $0.id == id } }
    public func index(_ id: String) -> IndexDefinition? { scoring.indices.first { $0.id == id } }

    /// Codes that count as satisfied for an item, or nil when the item is not scored.
    public func satisfiedCodes(for item: Item) -> Set<Int>? {
        guard let scaleID = item.scaleID else { return nil }
        return scoring.satisfied[scaleID]
    }

    /// Items that have a satisfied set: each is reported as a criterion (*tiêu chí*).
    public var scoredItems: [Item] { items.filter { satisfiedCodes(for: $0) != nil } }

    /// Where the wording comes from.
    public struct Source: Sendable, Equatable {
        public var decision: String
        public var verified: Bool
        public var note: String?
        public init(decision: String, verified: Bool, note: String? = nil) {
            self.decision = decision
            self.verified = verified
            self.note = note
        }
    }
}

/// One answer option: its code (the number printed on the form) and label.
public struct AnswerOption: Sendable, Equatable, Hashable {
    public var code: Int
    public var label: String
    public var labelEN: String?
    public init(code: Int, label: String, labelEN: String? = nil) {
        self.code = code
        self.label = label
        self.labelEN = labelEN
    }
}

/// A reusable answer scale (*thang đo*).
public struct Scale: Sendable, Equatable {
    public var id: String
    public var options: [AnswerOption]
    /// Valid codes that count as missing, such as "Không biết".
    public var missing: [AnswerOption]
    public init(id: String, options: [AnswerOption], missing: [AnswerOption] = []) {
        self.id = id
        self.options = options
        self.missing = missing
    }
}

public struct Section: Sendable, Equatable {
    public var id: String
    public var title: String
    public var items: [Item]
    public init(id: String, title: String, items: [Item]) {
        self.id = id
        self.title = title
        self.items = items
    }
}

public enum ItemType: String, Sendable, Equatable, CaseIterable {
    case single
    case scale
    case yesNo = "yes-no"
    case multi
    case text
    case dossier

    /// Whether cells hold option codes (as opposed to free text).
    public var isCoded: Bool {
        switch self {
        case .single, .scale, .yesNo, .multi: true
        case .text, .dossier: false
        }
    }
}

/// A question (*câu hỏi*) on the form.
public struct Item: Sendable, Equatable {
    public var id: String
    public var number: String?
    public var text: String
    public var textEN: String?
    public var type: ItemType
    /// The scale the options come from, when the item uses one.
    public var scaleID: String?
    /// Answer options in form order (resolved from the scale when there is one).
    public var options: [AnswerOption]
    /// Valid codes that count as missing.
    public var missing: [AnswerOption]
    /// Most picks allowed on a multi-choice item.
    public var maxPicks: Int?
    public var required: Bool

    public init(
        id: String, number: String? = nil, text: String, textEN: String? = nil, type: ItemType,
        scaleID: String? = nil, options: [AnswerOption] = [], missing: [AnswerOption] = [], maxPicks: Int? = nil,
        required: Bool = false
    ) {
        self.id = id
        self.number = number
        self.text = text
        self.textEN = textEN
        self.type = type
        self.scaleID = scaleID
        self.options = options
        self.missing = missing
        self.maxPicks = maxPicks
        self.required = required
    }

    /// Every code a data cell may hold: option codes, then missing codes.
    public var validCodes: [Int] { options.map(\.code) + missing.map(\.code) }

    /// Label of a code, for tables and messages.
    public func label(of code: Int) -> String? {
        (options + missing).first { $0.code == code }?.label
    }
}

/// How an index combines what is beneath it.
public enum Aggregation: Sendable, Equatable {
    /// Unweighted mean of the criterion or component indices.
    case mean
    /// All satisfied answers over all valid answers beneath.
    case pooled
    /// Weighted sum of the components; weights sum to 1.
    case weights([String: Double])
    /// Share satisfied on one question (pre-2017 rule, the kiosk).
    case overallQuestion

    public var name: String {
        switch self {
        case .mean: "mean"
        case .pooled: "pooled"
        case .weights: "weights"
        case .overallQuestion: "overall-question"
        }
    }
}

/// A node of the index tree: an element (*yếu tố*), a group, a part, or the overall index.
public struct IndexDefinition: Sendable, Equatable {
    public enum Members: Sendable, Equatable {
        /// Scored items (*tiêu chí*).
        case criteria([String])
        /// Other indices.
        case components([String])
        /// One item, for `overall-question`.
        case question(String)
    }

    public var id: String
    public var title: String
    public var titleEN: String?
    /// Display label: criterion-group, element, part, overall.
    public var kind: String
    public var members: Members
    public var aggregate: Aggregation

    public init(
        id: String, title: String, titleEN: String? = nil, kind: String, members: Members,
        aggregate: Aggregation
    ) {
        self.id = id
        self.title = title
        self.titleEN = titleEN
        self.kind = kind
        self.members = members
        self.aggregate = aggregate
    }
}

/// The share of answers in `codes` on `item`: a negative experience such as harassment.
public struct NegativeRule: Sendable, Equatable {
    public var item: String
    public var codes: Set<Int>
    public init(item: String, codes: Set<Int>) {
        self.item = item
        self.codes = codes
    }
}

/// Priorities for improvement: items ranked by the share answering one of `codes`.
public struct PriorityRule: Sendable, Equatable {
    public var items: [String]
    public var codes: Set<Int>
    public init(items: [String], codes: Set<Int>) {
        self.items = items
        self.codes = codes
    }
}

public struct ScoringRules: Sendable, Equatable {
    /// Satisfied codes per scale id.
    public var satisfied: [String: Set<Int>]
    public var indices: [IndexDefinition]
    /// The headline index.
    public var overall: String
    public var negative: [NegativeRule]
    public var priorities: PriorityRule?

    public init(
        satisfied: [String: Set<Int>], indices: [IndexDefinition], overall: String,
        negative: [NegativeRule] = [], priorities: PriorityRule? = nil
    ) {
        self.satisfied = satisfied
        self.indices = indices
        self.overall = overall
        self.negative = negative
        self.priorities = priorities
    }
}
