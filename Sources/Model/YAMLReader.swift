import Foundation
import Yams

/// Reads a YAML file made by a person (questionnaire, report profile, kiosk file), collecting every
/// problem with its file and line instead of stopping at the first.
///
/// Use it for any YAML sipas loads: compose with ``init(yaml:file:)``, walk ``root`` with the
/// helpers (they report wrong types, unknown keys and missing values), then throw
/// `Problems(reader.problems)` if there are any.
public struct YAMLReader {
    public let file: String
    public var problems: [Problem] = []
    /// The document's root node; nil for an empty file.
    public let root: Node?

    /// Composes the YAML text; a syntax error is thrown as a problem with its line.
    public init(yaml: String, file: String) throws(Problems) {
        self.file = file
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            var line: Int?
            switch error {
            case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
                line = mark.line
            default:
                break
            }
            throw Problems([Problem(file: file, line: line, message: "not valid YAML: \(error)")])
        } catch {
            throw Problems([Problem(file: file, message: "\(error)")])
        }
        // An alias repeats its anchor's whole content, so a small file can stand for a huge tree
        // (seen while fuzzing the loaders: 29 kB of aliases took 66 s and 2 GB to load).
        let limit = 10_000 + 4 * yaml.utf8.count
        var budget = limit
        if let root, !root.fits(within: &budget) {
            throw Problems([Problem(
                file: file, message: "the file stands for more than \(limit) values once its YAML aliases (*name) are expanded; write the repeated parts out")])
        }
    }

    /// Records a problem at `node`'s line about `subject` (an item, a key).
    public mutating func issue(_ node: Node?, _ subject: String?, _ message: String) {
        problems.append(Problem(file: file, line: node?.mark?.line, subject: subject, message: message))
    }

    /// The mapping's entries by key, reporting keys outside `allowed`.
    public mutating func mapping(_ node: Node?, _ subject: String?, allowed: Set<String>, what: String) -> [String: Node]? {
        guard let node else { return nil }
        guard case .mapping(let entries) = node else {
            issue(node, subject, "\(what) must be a mapping (key: value)")
            return nil
        }
        var result: [String: Node] = [:]
        for (key, value) in entries {
            guard let name = key.string else {
                issue(key, subject, "keys must be text")
                continue
            }
            if !allowed.contains(name) {
                issue(key, subject, "unknown key '\(name)' in \(what); expected one of: \(allowed.sorted().joined(separator: ", "))")
            }
            result[name] = value
        }
        return result
    }

    public mutating func string(_ map: [String: Node], _ key: String, _ subject: String?, required: Bool, at parent: Node?) -> String? {
        guard let node = map[key] else {
            if required { issue(parent, subject, "missing '\(key)'") }
            return nil
        }
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            issue(node, subject, "'\(key)' must be non-empty text")
            return nil
        }
        return scalar.string.precomposedForm
    }

    public mutating func sequence(_ node: Node?, _ subject: String?, _ what: String) -> [Node]? {
        guard let node else { return nil }
        guard case .sequence(let seq) = node else {
            issue(node, subject, "\(what) must be a list")
            return nil
        }
        return Array(seq)
    }

    public mutating func int(_ node: Node, _ subject: String?, _ what: String) -> Int? {
        guard case .scalar = node, let value = node.int else {
            issue(node, subject, "\(what) must be a whole number, found '\(node.string ?? "?")'")
            return nil
        }
        return value
    }

    public mutating func bool(_ node: Node?, _ subject: String?, _ what: String) -> Bool? {
        guard let node else { return nil }
        guard let value = node.bool else {
            issue(node, subject, "\(what) must be true or false")
            return nil
        }
        return value
    }

    mutating func identifier(_ value: String?, _ node: Node?, pattern: IdentifierPattern) -> String? {
        guard let value else { return nil }
        guard pattern.matches(value) else {
            issue(node, value, "id '\(value)' is not well formed: \(pattern.rule)")
            return nil
        }
        return value
    }
}

extension Node {
    /// Whether the tree, aliases expanded, has at most `budget` nodes (counted down as it walks).
    func fits(within budget: inout Int) -> Bool {
        budget -= 1
        guard budget >= 0 else { return false }
        switch self {
        case .mapping(let entries): return entries.allSatisfy { $0.key.fits(within: &budget) && $0.value.fits(within: &budget) }
        case .sequence(let entries): return entries.allSatisfy { $0.fits(within: &budget) }
        default: return true
        }
    }
}
