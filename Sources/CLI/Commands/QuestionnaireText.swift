import Foundation
import SIPASModel

func pad(_ s: String, _ width: Int) -> String {
    let n = s.count
    return n >= width ? s : s + String(repeating: " ", count: width - n)
}

func padLeft(_ s: String, _ width: Int) -> String {
    let n = s.count
    return n >= width ? s : String(repeating: " ", count: width - n) + s
}

enum QuestionnaireText {
    static func render(_ q: Questionnaire) -> String {
        var out: [String] = []
        out.append("\(q.title)")
        if let en = q.titleEN { out.append(en) }
        out.append("id \(q.id) · version \(q.version) · \(q.source.decision) · wording \(q.source.verified ? "verified" : "NOT verified")")
        if let note = q.source.note { out.append("note: \(note)") }
        for section in q.sections {
            out.append("")
            out.append("== \(section.title)")
            for item in section.items {
                let number = item.number.map { "\($0). " } ?? ""
                var line = "  \(item.id) [\(item.type.rawValue)\(item.required ? ", required" : "")] \(number)\(item.text)"
                if let sat = q.satisfiedCodes(for: item) { line += "  (satisfied: \(sat.sorted().map(String.init).joined(separator: ",")))" }
                out.append(line)
                if !item.options.isEmpty, item.scaleID == nil || item == section.items.first(where: { $0.scaleID == item.scaleID }) {
                    let codes = (item.options + item.missing).map { "\($0.code) \($0.label)" }.joined(separator: " · ")
                    out.append("      \(codes)")
                }
            }
        }
        out.append("")
        out.append("== Index tree (overall: \(q.scoring.overall))")
        func describe(_ id: String, depth: Int) {
            guard let index = q.index(id) else { return }
            let indent = String(repeating: "  ", count: depth + 1)
            switch index.members {
            case .criteria(let items):
                out.append("\(indent)\(index.id) — \(index.title) [\(index.aggregate.name) of \(items.joined(separator: ", "))]")
            case .question(let item):
                out.append("\(indent)\(index.id) — \(index.title) [share satisfied on \(item)]")
            case .components(let components):
                var rule = index.aggregate.name
                if case .weights(let w) = index.aggregate {
                    rule += " " + components.map { "\($0)=\(w[$0] ?? 0)" }.joined(separator: ", ")
                }
                out.append("\(indent)\(index.id) — \(index.title) [\(rule)]")
                for c in components { describe(c, depth: depth + 1) }
            }
        }
        describe(q.scoring.overall, depth: 0)
        let reached = Set(reachable(q.scoring.overall, q))
        for index in q.scoring.indices where !reached.contains(index.id) { describe(index.id, depth: 0) }
        return out.joined(separator: "\n")
    }

    static func reachable(_ id: String, _ q: Questionnaire) -> [String] {
        guard let index = q.index(id) else { return [] }
        if case .components(let c) = index.members { return [id] + c.flatMap { reachable($0, q) } }
        return [id]
    }
}
