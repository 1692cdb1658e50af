import Foundation
import SIPASModel

/// Double entry (*nhập liệu hai lần*): two clerks' copies of the same paper forms compared cell by
/// cell before anything is imported.
///
/// Use it for `sipas import --verify`: an empty result means the copies agree form for form.
public enum DoubleEntry {
    /// A form is known by its unit and form id.
    struct Key: Hashable {
        var unit: String
        var form: String
    }

    /// Every difference, as lines a clerk can act on (file rows of both copies, item, both values as
    /// printed on the form). Empty when the copies agree.
    public static func compare(_ a: ResponseFile, _ b: ResponseFile) -> [String] {
        guard a.questionnaire.id == b.questionnaire.id, a.questionnaire.version == b.questionnaire.version else {
            return ["the copies use different questionnaires: \(a.questionnaire.id) \(a.questionnaire.version) vs \(b.questionnaire.id) \(b.questionnaire.version)"]
        }
        var out = repeated(in: a) + repeated(in: b)
        // A copy that repeats a form cannot be matched form for form: say so, and stop there.
        guard out.isEmpty else { return out }
        let q = a.questionnaire
        let indexB = Dictionary(uniqueKeysWithValues: (0..<b.table.count).map { (key(b, $0), $0) })
        var matched = Set<Int>()
        for i in 0..<a.table.count {
            let form = a.table.formID[i]
            guard let j = indexB[key(a, i)] else {
                out.append("form \(form): only in \(a.path) (row \(a.rows[i]))")
                continue
            }
            matched.insert(j)
            let place = "form \(form) (\(a.path) row \(a.rows[i]), \(b.path) row \(b.rows[j]))"
            func differ(_ name: String, _ x: String?, _ y: String?) {
                if x != y { out.append("\(place), \(name): '\(x ?? "")' vs '\(y ?? "")'") }
            }
            differ("collected_on", a.table.collectedOn[i], b.table.collectedOn[j])
            differ("channel", a.table.channel[i], b.table.channel[j])
            differ("field", a.table.field[i], b.table.field[j])
            for item in q.items {
                differ(item.id, value(item, a, i), value(item, b, j))
            }
        }
        for j in 0..<b.table.count where !matched.contains(j) {
            out.append("form \(b.table.formID[j]): only in \(b.path) (row \(b.rows[j]))")
        }
        return out
    }

    static func key(_ f: ResponseFile, _ i: Int) -> Key { Key(unit: f.table.unit[i] ?? "", form: f.table.formID[i]) }

    /// Forms a copy holds more than once, with the rows of every copy of each.
    static func repeated(in f: ResponseFile) -> [String] {
        var rowsOf: [Key: [Int]] = [:]
        var order: [Key] = []
        for i in 0..<f.table.count {
            let k = key(f, i)
            if rowsOf[k] == nil { order.append(k) }
            rowsOf[k, default: []].append(f.rows[i])
        }
        return order.compactMap { k in
            guard let rows = rowsOf[k], rows.count > 1 else { return nil }
            let unit = k.unit.isEmpty ? "" : " of unit \(k.unit)"
            return "\(f.path), rows \(rows.map(String.init).joined(separator: ", ")): form id '\(k.form)'\(unit) is typed more than once in this copy"
        }
    }

    /// The answer as written on the paper form: the code, codes joined by "|", or the text; nil when blank.
    /// A column the file does not carry is blank.
    static func value(_ item: Item, _ f: ResponseFile, _ i: Int) -> String? {
        switch item.type {
        case .single, .scale, .yesNo:
            let code = f.table.codes[item.id]?[i] ?? 0
            return code == 0 ? nil : String(code)
        case .multi:
            let set = f.table.picks[item.id]?[i] ?? 0
            let codes = (0..<64).filter { set & (1 << UInt64($0)) != 0 }
            return codes.isEmpty ? nil : codes.map(String.init).joined(separator: "|")
        case .text, .dossier:
            let text = f.table.texts[item.id]?[i] ?? nil
            return text.flatMap { $0.isEmpty ? nil : $0 }
        }
    }
}
