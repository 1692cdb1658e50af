import Foundation
import SIPASAnalysis
import SIPASModel

/// The readable tables of `sipas analyze`.
enum AnalysisText {
    static func percent(_ v: Double?) -> String {
        guard let v else { return "—" }
        return String(format: "%.2f", v * 100)
    }

    static func interval(_ lo: Double?, _ hi: Double?) -> String {
        guard let lo, let hi else { return "—" }
        return "[\(percent(lo)), \(percent(hi))]"
    }

    static func render(_ a: Analysis, questionnaire q: Questionnaire, files: [String]) -> String {
        var out: [String] = []
        let level = String(format: "%g", a.level * 100)
        out.append("\(q.title)")
        out.append("Questionnaire \(q.id) \(q.version)\(q.source.verified ? "" : " (wording not verified)") · \(a.n) responses · \(a.design.strata) unit(s) · \(files.count) file(s)")
        if a.design.weighted { out.append("Weighted by dossiers per unit (N/n), with finite-population correction.") }
        if let t = a.target { out.append("Target: \(percent(t)) %") }
        out.append("")
        out.append(contentsOf: indexTable(a.indices, overall: a.overall, q: q, level: level, target: a.target))
        if let changes = a.change {
            out.append("")
            out.append("Change from the previous period (independent samples; \(level) % interval on t(\(changes.first?.df ?? 0)))")
            var rows: [[String]] = [["Index", "Previous %", "Now %", "Change (points)", "\(level) % CI", "Verdict"]]
            let now = Dictionary(a.indices.map { ($0.id, $0.value) }, uniquingKeysWith: { x, _ in x })
            for c in changes {
                func points(_ v: Double?) -> String { v.map { String(format: "%+.1f", $0 * 100) } ?? "—" }
                rows.append([
                    c.id, percent(c.previous), percent(now[c.id] ?? nil), points(c.value) + (c.small ? "*" : ""),
                    "[\(points(c.lower)), \(points(c.upper))]", c.verdict.label,
                ])
            }
            out.append(contentsOf: table(rows, rightAligned: [1, 2, 3, 4]))
        }
        if let r = a.decree766 {
            out.append("")
            out.append("Decree-766 style rate (N − dissatisfied)/N = (\(r.dossiers) − \(r.dissatisfied))/\(r.dossiers) = \(percent(r.value)) % (\(r.ratings) ratings; dossiers without a rating count as not dissatisfied; not a survey estimate, no interval)")
        }
        out.append("")
        out.append("Criteria (tiêu chí): share satisfied, \(level) % interval (\(a.criteria.first?.method ?? "wilson")), mean score")
        var rows: [[String]] = [["Item", "No.", "Satisfied %", "\(level) % CI", "n", "Missing", "Mean"]]
        for c in a.criteria {
            rows.append([
                c.id, c.number ?? "", percent(c.value) + (c.small ? "*" : ""), interval(c.lower, c.upper), String(c.n),
                String(c.missing), c.mean.map { String(format: "%.2f", $0) } ?? "—",
            ])
        }
        out.append(contentsOf: table(rows, rightAligned: [2, 3, 4, 5, 6]))
        if !a.negative.isEmpty {
            out.append("")
            out.append("Negative experiences (share of valid answers)")
            var rows: [[String]] = [["Item", "Share %", "\(level) % CI", "n", "Question"]]
            for s in a.negative { rows.append([s.id, percent(s.value), interval(s.lower, s.upper), String(s.n), s.text]) }
            out.append(contentsOf: table(rows, rightAligned: [1, 2, 3]))
        }
        if !a.priorities.isEmpty {
            out.append("")
            out.append("Priorities for improvement, ranked (share answering codes \(a.priorities[0].codes.map(String.init).joined(separator: ", ")))")
            var rows: [[String]] = [["#", "Item", "Share %", "n", "Question"]]
            for (i, s) in a.priorities.enumerated() { rows.append([String(i + 1), s.id, percent(s.value), String(s.n), s.text]) }
            out.append(contentsOf: table(rows, rightAligned: [0, 2, 3]))
        }
        var lastBy = ""
        for g in a.groups {
            if g.by != lastBy {
                out.append("")
                out.append("By \(g.by) (each group a domain of the whole design)")
                lastBy = g.by
                var rows: [[String]] = [["Group", "Index", "Value %", "\(level) % CI", "n"] + (a.target == nil ? [] : ["Verdict"])]
                for h in a.groups where h.by == g.by {
                    let name = h.label.map { "\(h.value) \($0)" } ?? h.value
                    for index in h.analysis.indices where index.id == a.overall || q.index(index.id)?.kind == "element" {
                        rows.append([name, index.id, percent(index.value) + (index.small ? "*" : ""), interval(index.lower, index.upper), String(index.n)] + (a.target == nil ? [] : [index.verdict?.label ?? "—"]))
                    }
                }
                out.append(contentsOf: table(rows, rightAligned: [2, 3, 4]))
            }
        }
        out.append("")
        out.append("* fewer than 30 answers: too small to conclude.")
        out.append("Method:")
        for rule in a.rules { out.append("  - \(rule)") }
        return out.joined(separator: "\n")
    }

    static func indexTable(_ indices: [IndexEstimate], overall: String, q: Questionnaire, level: String, target: Double?) -> [String] {
        var rows: [[String]] = [["Index", "Value %", "\(level) % CI", "n", "SE", "deff", "Method"] + (target == nil ? [] : ["Verdict"])]
        let byID = Dictionary(indices.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var printed = Set<String>()
        func add(_ id: String, depth: Int) {
            guard let e = byID[id], printed.insert(id).inserted else { return }
            let name = String(repeating: "  ", count: depth) + e.id + " — " + e.title
            rows.append([
                name, percent(e.value) + (e.small ? "*" : ""), interval(e.lower, e.upper), String(e.n),
                e.se.map { String(format: "%.4f", $0) } ?? "—", e.deff.map { String(format: "%.2f", $0) } ?? "—", e.method,
            ] + (target == nil ? [] : [e.verdict?.label ?? "—"]))
            if case .components(let c)? = q.index(id)?.members { for child in c { add(child, depth: depth + 1) } }
        }
        add(overall, depth: 0)
        for e in indices { add(e.id, depth: 0) }
        var lines = table(rows, rightAligned: [1, 2, 3, 4, 5])
        let omitted = indices.compactMap { e in e.omitted.map { "\(e.id): no valid answer to \($0.joined(separator: ", ")), left out" } }
        lines += omitted.map { "  note — \($0)" }
        return lines
    }

    static func table(_ rows: [[String]], rightAligned: Set<Int>) -> [String] {
        guard let header = rows.first else { return [] }
        var widths = [Int](repeating: 0, count: header.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.enumerated().flatMap { (r, row) -> [String] in
            let line = row.enumerated().map { i, cell in
                rightAligned.contains(i) ? padLeft(cell, widths[i]) : pad(cell, widths[i])
            }.joined(separator: "  ")
            let trimmed = String(line.reversed().drop { $0 == " " }.reversed())
            return r == 0 ? [trimmed, String(repeating: "─", count: widths.reduce(0, +) + 2 * (widths.count - 1))] : [trimmed]
        }
    }
}
