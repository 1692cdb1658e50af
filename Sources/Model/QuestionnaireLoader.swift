import Foundation
import Yams

extension Questionnaire {
    /// Parses and validates a questionnaire from YAML text; `file` names it in messages.
    /// Throws every problem found, each with its file and line; nothing is loaded when there is one.
    public init(yaml: String, file: String) throws(Problems) {
        var reader = try YAMLReader(yaml: yaml, file: file)
        guard let root = reader.root, let questionnaire = reader.read(root), reader.problems.isEmpty else {
            if reader.problems.isEmpty { reader.issue(nil, nil, "the file is empty") }
            throw Problems(reader.problems)
        }
        self = questionnaire
    }
}

/// The questionnaire's own rules, read with the shared YAML helpers.
extension YAMLReader {
    // MARK: Document

    mutating func read(_ root: Node) -> Questionnaire? {
        let topKeys: Set<String> = ["id", "version", "title", "title_en", "source", "scales", "sections", "scoring"]
        guard let top = mapping(root, nil, allowed: topKeys, what: "the questionnaire") else { return nil }
        let id = identifier(string(top, "id", nil, required: true, at: root), top["id"], pattern: .questionnaire)
        let version = string(top, "version", nil, required: true, at: root)
        let title = string(top, "title", nil, required: true, at: root)
        let titleEN = string(top, "title_en", nil, required: false, at: root)
        let source = readSource(top["source"], parent: root)
        let scales = readScales(top["scales"])
        let sections = readSections(top["sections"], scales: scales, parent: root)
        let items = sections.flatMap(\.items)
        checkUnique(items.map { ($0.id, top["sections"]) }, what: "item")
        let scoring = readScoring(top["scoring"], items: items, scales: scales, parent: root)
        guard let id, let version, let title, let source, let scoring else { return nil }
        return Questionnaire(
            id: id, version: version, title: title, titleEN: titleEN, source: source,
            scales: scales, sections: sections, scoring: scoring)
    }

    mutating func readSource(_ node: Node?, parent: Node) -> Questionnaire.Source? {
        guard let node else {
            issue(parent, nil, "missing 'source' (decision and whether the wording was verified)")
            return nil
        }
        guard let map = mapping(node, "source", allowed: ["decision", "verified", "note"], what: "source") else { return nil }
        let decision = string(map, "decision", "source", required: true, at: node)
        guard let verifiedNode = map["verified"] else {
            issue(node, "source", "missing 'verified' (true or false)")
            return nil
        }
        let verified = bool(verifiedNode, "source", "'verified'")
        let note = string(map, "note", "source", required: false, at: node)
        guard let decision, let verified else { return nil }
        return .init(decision: decision, verified: verified, note: note)
    }

    mutating func readOptions(_ node: Node?, _ subject: String, what: String, firstCode: Int = 1) -> [AnswerOption] {
        guard let list = sequence(node, subject, what) else { return [] }
        var options: [AnswerOption] = []
        for (offset, entry) in list.enumerated() {
            switch entry {
            case .scalar(let scalar) where !scalar.string.isEmpty:
                options.append(AnswerOption(code: firstCode + offset, label: scalar.string.precomposedForm))
            case .mapping:
                guard let map = mapping(entry, subject, allowed: ["code", "label", "label_en"], what: "an option")
                else { continue }
                let label = string(map, "label", subject, required: true, at: entry)
                let labelEN = string(map, "label_en", subject, required: false, at: entry)
                var code = firstCode + offset
                if let codeNode = map["code"], let explicit = int(codeNode, subject, "'code'") { code = explicit }
                if let label { options.append(AnswerOption(code: code, label: label, labelEN: labelEN)) }
            default:
                issue(entry, subject, "an option must be a label or {label:, label_en:}")
            }
        }
        return options
    }

    mutating func readScales(_ node: Node?) -> [Scale] {
        guard let node else { return [] }
        guard case .mapping(let entries) = node else {
            issue(node, nil, "'scales' must map scale ids to scales")
            return []
        }
        var scales: [Scale] = []
        for (key, value) in entries {
            guard let id = identifier(key.string, key, pattern: .item) else { continue }
            guard let map = mapping(value, id, allowed: ["options", "missing"], what: "a scale") else { continue }
            var options: [AnswerOption] = []
            for (i, option) in readOptions(map["options"], id, what: "'options'").enumerated() {
                if option.code != i + 1 {
                    issue(map["options"], id, "scale option codes are 1, 2, … in order; '\(option.label)' has code \(option.code)")
                }
                options.append(option)
            }
            if options.count < 2 { issue(value, id, "a scale needs at least two options, found \(options.count)") }
            let missing = readOptions(map["missing"], id, what: "'missing'", firstCode: options.count + 1)
            for m in missing where options.contains(where: { $0.code == m.code }) {
                issue(map["missing"], id, "missing code \(m.code) ('\(m.label)') collides with an option code")
            }
            scales.append(Scale(id: id, options: options, missing: missing))
        }
        checkUnique(scales.map { ($0.id, node) }, what: "scale")
        return scales
    }

    mutating func readSections(_ node: Node?, scales: [Scale], parent: Node) -> [Section] {
        guard let node else {
            issue(parent, nil, "missing 'sections'")
            return []
        }
        guard let list = sequence(node, nil, "'sections'") else { return [] }
        var sections: [Section] = []
        for entry in list {
            guard let map = mapping(entry, nil, allowed: ["id", "title", "title_en", "items"], what: "a section")
            else { continue }
            let id = identifier(string(map, "id", nil, required: true, at: entry), map["id"], pattern: .item) ?? "?"
            let title = string(map, "title", id, required: true, at: entry) ?? ""
            guard let itemNodes = sequence(map["items"], id, "'items'"), !itemNodes.isEmpty else {
                issue(entry, id, "a section needs at least one item")
                continue
            }
            let items = itemNodes.compactMap { readItem($0, scales: scales) }
            sections.append(Section(id: id, title: title, items: items))
        }
        checkUnique(sections.map { ($0.id, node) }, what: "section")
        return sections
    }

    mutating func readItem(_ node: Node, scales: [Scale]) -> Item? {
        let keys: Set<String> = ["id", "number", "text", "text_en", "type", "scale", "options", "max", "required"]
        guard let map = mapping(node, nil, allowed: keys, what: "an item") else { return nil }
        guard let id = identifier(string(map, "id", nil, required: true, at: node), map["id"], pattern: .item) else {
            return nil
        }
        let text = string(map, "text", id, required: true, at: node)
        let textEN = string(map, "text_en", id, required: false, at: node)
        let number = map["number"].flatMap { $0.string }
        let required = bool(map["required"], id, "'required'") ?? false
        guard let typeName = string(map, "type", id, required: true, at: node) else { return nil }
        guard let type = ItemType(rawValue: typeName) else {
            issue(map["type"], id, "unknown type '\(typeName)'; expected one of: \(ItemType.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        var scaleID: String?
        var options: [AnswerOption] = []
        var missing: [AnswerOption] = []
        let scaleName = string(map, "scale", id, required: false, at: node)
        switch type {
        case .scale, .single:
            if let scaleName {
                if map["options"] != nil { issue(map["options"], id, "give either 'scale' or 'options', not both") }
                if let scale = scales.first(where: { $0.id == scaleName }) {
                    scaleID = scale.id
                    options = scale.options
                    missing = scale.missing
                } else {
                    issue(map["scale"], id, "unknown scale '\(scaleName)'; defined: \(scales.map(\.id).joined(separator: ", "))")
                }
            } else if type == .scale {
                issue(node, id, "a scale item needs 'scale'")
            } else {
                options = readOptions(map["options"], id, what: "'options'")
                if options.count < 2 { issue(node, id, "a single-choice item needs 'scale' or at least two 'options'") }
            }
        case .multi:
            options = readOptions(map["options"], id, what: "'options'")
            if options.count < 2 { issue(node, id, "a multi-choice item needs at least two 'options'") }
        case .yesNo:
            if map["options"] != nil {
                options = readOptions(map["options"], id, what: "'options'")
                if options.count != 2 { issue(map["options"], id, "a yes-no item has exactly two options (1 yes, 2 no)") }
            } else {
                options = [AnswerOption(code: 1, label: "Có", labelEN: "Yes"), AnswerOption(code: 2, label: "Không", labelEN: "No")]
            }
        case .text, .dossier:
            if map["options"] != nil { issue(map["options"], id, "a \(type.rawValue) item takes no options") }
        }
        if scaleName != nil, type != .scale, type != .single {
            issue(map["scale"], id, "'scale' is only for scale and single items")
        }
        var maxPicks: Int?
        if let maxNode = map["max"] {
            if type != .multi { issue(maxNode, id, "'max' is only for multi-choice items") }
            if let value = int(maxNode, id, "'max'") {
                if value < 1 || value > options.count {
                    issue(maxNode, id, "'max' must lie between 1 and \(options.count) (the number of options), found \(value)")
                }
                maxPicks = value
            }
        }
        checkUnique(options.map { (String($0.code), map["options"]) }, what: "option code", subject: id)
        guard let text else { return nil }
        return Item(
            id: id, number: number, text: text, textEN: textEN, type: type, scaleID: scaleID,
            options: options, missing: missing, maxPicks: maxPicks, required: required)
    }

    mutating func checkUnique(_ ids: [(String, Node?)], what: String, subject: String? = nil) {
        var seen = Set<String>()
        for (id, node) in ids where !seen.insert(id).inserted {
            issue(node, subject ?? id, "duplicate \(what) '\(id)'")
        }
    }

    // MARK: Scoring

    mutating func codeSet(_ node: Node?, _ subject: String, _ what: String) -> Set<Int>? {
        guard let list = sequence(node, subject, what) else { return nil }
        let codes = list.compactMap { int($0, subject, "a code in \(what)") }
        if codes.isEmpty { issue(node, subject, "\(what) is empty") }
        return Set(codes)
    }

    mutating func idList(_ node: Node?, _ subject: String, _ what: String) -> [String]? {
        guard let list = sequence(node, subject, what) else { return nil }
        var ids: [String] = []
        for entry in list {
            guard let s = entry.string, !s.isEmpty else {
                issue(entry, subject, "\(what) lists ids")
                continue
            }
            ids.append(s)
        }
        if ids.isEmpty { issue(node, subject, "\(what) is empty") }
        return ids
    }

    mutating func readScoring(_ node: Node?, items: [Item], scales: [Scale], parent: Node) -> ScoringRules? {
        guard let node else {
            issue(parent, nil, "missing 'scoring'")
            return nil
        }
        let keys: Set<String> = ["satisfied", "indices", "overall", "negative", "priorities"]
        guard let map = mapping(node, "scoring", allowed: keys, what: "scoring") else { return nil }
        let itemsByID = Dictionary(items.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })

        var satisfied: [String: Set<Int>] = [:]
        if let satNode = map["satisfied"] {
            if case .mapping(let satMap) = satNode {
                for (key, value) in satMap {
                    guard let scaleID = key.string else { continue }
                    guard let scale = scales.first(where: { $0.id == scaleID }) else {
                        issue(key, scaleID, "satisfied set for unknown scale '\(scaleID)'")
                        continue
                    }
                    guard let codes = codeSet(value, scaleID, "the satisfied set") else { continue }
                    let optionCodes = Set(scale.options.map(\.code))
                    for code in codes.sorted() where !optionCodes.contains(code) {
                        issue(value, scaleID, "satisfied code \(code) is not an option of scale '\(scaleID)' (codes \(optionCodes.sorted().map(String.init).joined(separator: ", ")))")
                    }
                    satisfied[scaleID] = codes
                }
            } else {
                issue(satNode, "scoring", "'satisfied' must map scale ids to lists of codes")
            }
        } else {
            issue(node, "scoring", "missing 'satisfied' (which codes count as satisfied, per scale)")
        }

        var indices: [IndexDefinition] = []
        var indexNodes: [String: Node] = [:]
        if let list = sequence(map["indices"], "scoring", "'indices'"), !list.isEmpty {
            for entry in list {
                if let index = readIndex(entry, itemsByID: itemsByID, satisfied: satisfied) {
                    indices.append(index)
                    indexNodes[index.id] = entry
                }
            }
        } else {
            issue(node, "scoring", "'indices' must list at least one index")
        }
        checkUnique(indices.map { ($0.id, indexNodes[$0.id]) }, what: "index")
        for index in indices where itemsByID[index.id] != nil {
            issue(indexNodes[index.id], index.id, "index id '\(index.id)' is also an item id")
        }
        checkIndexTree(indices, nodes: indexNodes)

        let overall = string(map, "overall", "scoring", required: true, at: node)
        if let overall, !indices.contains(where: { $0.id == overall }) {
            issue(map["overall"], overall, "'overall' names an unknown index '\(overall)'")
        }

        var negative: [NegativeRule] = []
        if let list = sequence(map["negative"], "scoring", "'negative'") {
            for entry in list {
                guard let m = mapping(entry, "negative", allowed: ["item", "codes"], what: "a negative rule"),
                    let itemID = string(m, "item", "negative", required: true, at: entry),
                    let codes = codeSet(m["codes"], itemID, "'codes'")
                else { continue }
                checkCodes(codes, of: itemID, itemsByID: itemsByID, node: entry)
                negative.append(NegativeRule(item: itemID, codes: codes))
            }
        }
        var priorities: PriorityRule?
        if let pNode = map["priorities"],
            let m = mapping(pNode, "priorities", allowed: ["items", "codes"], what: "priorities"),
            let ids = idList(m["items"], "priorities", "'items'"),
            let codes = codeSet(m["codes"], "priorities", "'codes'")
        {
            for id in ids { checkCodes(codes, of: id, itemsByID: itemsByID, node: pNode) }
            priorities = PriorityRule(items: ids, codes: codes)
        }
        guard let overall else { return nil }
        return ScoringRules(
            satisfied: satisfied, indices: indices, overall: overall, negative: negative, priorities: priorities)
    }

    mutating func checkCodes(_ codes: Set<Int>, of itemID: String, itemsByID: [String: Item], node: Node) {
        guard let item = itemsByID[itemID] else {
            issue(node, itemID, "unknown item '\(itemID)'")
            return
        }
        let valid = Set(item.options.map(\.code))
        for code in codes.sorted() where !valid.contains(code) {
            issue(node, itemID, "code \(code) is not an option of item '\(itemID)'")
        }
    }

    mutating func readIndex(_ node: Node, itemsByID: [String: Item], satisfied: [String: Set<Int>]) -> IndexDefinition? {
        let keys: Set<String> = [
            "id", "title", "title_en", "kind", "criteria", "components", "question", "aggregate", "weights",
        ]
        guard let map = mapping(node, nil, allowed: keys, what: "an index"),
            let id = identifier(string(map, "id", nil, required: true, at: node), map["id"], pattern: .item)
        else { return nil }
        let title = string(map, "title", id, required: true, at: node)
        let titleEN = string(map, "title_en", id, required: false, at: node)
        let given = ["criteria", "components", "question"].filter { map[$0] != nil }
        guard given.count == 1 else {
            issue(node, id, "an index has exactly one of 'criteria', 'components', 'question'; found \(given.isEmpty ? "none" : given.joined(separator: ", "))")
            return nil
        }
        let aggregateName = string(map, "aggregate", id, required: false, at: node) ?? (map["question"] != nil ? "overall-question" : "mean")
        var members: IndexDefinition.Members
        func checkScored(_ itemID: String, _ reader: inout YAMLReader) {
            guard let item = itemsByID[itemID] else {
                reader.issue(node, id, "unknown item '\(itemID)'")
                return
            }
            guard let scaleID = item.scaleID, satisfied[scaleID] != nil else {
                reader.issue(node, id, "item '\(itemID)' cannot be scored: it needs a scale with a 'satisfied' set")
                return
            }
        }
        if let criteria = idList(map["criteria"], id, "'criteria'") {
            for c in criteria { checkScored(c, &self) }
            checkUnique(criteria.map { ($0, map["criteria"]) }, what: "criterion", subject: id)
            members = .criteria(criteria)
        } else if let components = idList(map["components"], id, "'components'") {
            checkUnique(components.map { ($0, map["components"]) }, what: "component", subject: id)
            members = .components(components)
        } else if let question = string(map, "question", id, required: true, at: node) {
            checkScored(question, &self)
            members = .question(question)
        } else {
            return nil
        }
        var aggregate: Aggregation
        switch aggregateName {
        case "mean": aggregate = .mean
        case "pooled": aggregate = .pooled
        case "overall-question":
            aggregate = .overallQuestion
            if case .question = members {} else {
                issue(map["aggregate"], id, "'overall-question' takes 'question: ITEM', not a list")
            }
        case "weights":
            guard case .components(let components) = members else {
                issue(map["aggregate"], id, "'weights' is for 'components'")
                return nil
            }
            guard let wNode = map["weights"], case .mapping(let wMap) = wNode else {
                issue(node, id, "'aggregate: weights' needs 'weights: {component: weight, …}'")
                return nil
            }
            var weights: [String: Double] = [:]
            for (k, v) in wMap {
                guard let name = k.string else { continue }
                guard let w = v.float, w >= 0 else {
                    issue(v, id, "weight of '\(name)' must be a number ≥ 0")
                    continue
                }
                weights[name] = w
            }
            let named = Set(weights.keys)
            let expected = Set(components)
            if named != expected {
                issue(wNode, id, "weights must name exactly the components \(components.joined(separator: ", ")); found \(weights.keys.sorted().joined(separator: ", "))")
            }
            let sum = weights.values.reduce(0, +)
            if abs(sum - 1) > 1e-9 { issue(wNode, id, "weights must sum to 1, they sum to \(sum)") }
            aggregate = .weights(weights)
        default:
            issue(map["aggregate"], id, "unknown aggregate '\(aggregateName)'; expected mean, pooled, weights or overall-question")
            return nil
        }
        if map["weights"] != nil, aggregateName != "weights" {
            issue(map["weights"], id, "'weights' needs 'aggregate: weights'")
        }
        if case .question = members, aggregateName != "overall-question" {
            issue(node, id, "'question' goes with 'aggregate: overall-question'")
        }
        let defaultKind: String
        switch members {
        case .criteria: defaultKind = "element"
        case .components: defaultKind = "part"
        case .question: defaultKind = "overall"
        }
        let kind = string(map, "kind", id, required: false, at: node) ?? defaultKind
        guard let title else { return nil }
        return IndexDefinition(id: id, title: title, titleEN: titleEN, kind: kind, members: members, aggregate: aggregate)
    }

    /// Components must exist and the tree must have no cycle.
    mutating func checkIndexTree(_ indices: [IndexDefinition], nodes: [String: Node]) {
        let byID = Dictionary(indices.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for index in indices {
            guard case .components(let components) = index.members else { continue }
            for c in components where byID[c] == nil {
                issue(nodes[index.id], index.id, "unknown component index '\(c)'")
            }
        }
        // Depth-first search for cycles.
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        func visit(_ id: String, _ path: [String], _ reader: inout YAMLReader) {
            if state[id] == 2 { return }
            if state[id] == 1 {
                let cycle = (path.drop { $0 != id } + [id]).joined(separator: " → ")
                reader.issue(nodes[id], id, "the index tree has a cycle: \(cycle)")
                return
            }
            state[id] = 1
            if case .components(let components)? = byID[id]?.members {
                for c in components where byID[c] != nil { visit(c, path + [id], &reader) }
            }
            state[id] = 2
        }
        for index in indices { visit(index.id, [], &self) }
    }
}


/// Well-formedness rules for ids.
enum IdentifierPattern {
    case questionnaire
    case item

    var rule: String {
        switch self {
        case .questionnaire: "lower-case letters, digits and '-', starting with a letter"
        case .item: "lower-case letters, digits and '_', starting with a letter"
        }
    }

    func matches(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        let extra: Unicode.Scalar = self == .questionnaire ? "-" : "_"
        return s.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == extra }
    }
}

extension String {
    /// Unicode NFC (*dựng sẵn*), the form Vietnamese text is compared and stored in.
    public var precomposedForm: String {
        // Swift's String comparison is canonical-equivalence aware; this makes the stored bytes NFC too.
        isKnownPrecomposed ? self : precomposedStringWithCanonicalMapping
    }

    /// True when every scalar is one that NFC leaves alone: below U+0300 (ASCII, Latin-1, Latin
    /// Extended-A/B: ă đ ĩ ũ ơ ư) or Latin Extended Additional (ạ ả … ỹ). Precomposed Vietnamese
    /// passes; anything with a combining mark or from elsewhere takes the full normalisation.
    public var isKnownPrecomposed: Bool {
        unicodeScalars.allSatisfy { $0.value < 0x300 || (0x1E00...0x1EFF).contains($0.value) }
    }
}
