import Foundation
import SIPASAnalysis
import SIPASModel
import Yams

/// The parts of a profile that commune and province profiles share, read the same way.
extension YAMLReader {
    /// `period: 2026-Q1` (2026-H1, 2026) or `{from: …, to: …}`, calendar-checked.
    mutating func period(_ node: Node?, root: Node) -> ReportPeriod {
        var period = ReportPeriod(kind: .year, year: 2000, part: 0)
        switch node {
        case .scalar(let s)?:
            if let p = ReportPeriod(parse: s.string) { period = p } else {
                self.issue(node, "period", "'\(s.string)' is not a period: write 2026-Q1, 2026-H1, 2026, or from:/to: dates")
            }
        case .mapping?:
            if let m = self.mapping(node, "period", allowed: ["from", "to"], what: "'period'") {
                func date(_ key: String) -> ISODate? {
                    guard let text = self.string(m, key, "period", required: true, at: node) else { return nil }
                    guard let date = ISODate(text) else {
                        self.issue(m[key], "period", "'\(key)' must be a date of the calendar as YYYY-MM-DD, e.g. 2026-03-31; found '\(text)'")
                        return nil
                    }
                    return date
                }
                let from = date("from"), to = date("to")
                if let from, let to {
                    if from > to {
                        self.issue(node, "period", "the period is empty: 'from' (\(from)) is after 'to' (\(to))")
                    } else {
                        period = ReportPeriod(from: from, to: to)
                    }
                }
            }
        case nil:
            self.issue(root, nil, "missing 'period' (e.g. period: 2026-Q1)")
        default:
            self.issue(node, "period", "write the period as 2026-Q1, 2026-H1, 2026 or from:/to: dates")
        }
        return period
    }

    /// A confidence level between 0.5 and 1 (default 0.95).
    mutating func confidence(_ node: Node?, key: String) -> Double {
        guard let node else { return 0.95 }
        if let v = node.float, v > 0.5, v < 1 { return v }
        issue(node, key, "\(key) must lie between 0.5 and 1, e.g. 0.95")
        return 0.95
    }

    /// `ci` and `criterion_ci`.
    mutating func intervals(_ map: [String: Node], root: Node) -> (CompositeInterval, CriterionInterval) {
        var ci = CompositeInterval.betaCapped
        switch string(map, "ci", nil, required: false, at: root) {
        case nil, "beta-capped": break
        case "logit": ci = .logit
        case "beta": ci = .beta
        case "bootstrap": ci = .bootstrap(replicates: 1000, seed: 20231211)
        default: issue(map["ci"], "ci", "ci must be beta-capped (the default), beta, logit or bootstrap")
        }
        var criterionCI = CriterionInterval.wilson
        if let text = string(map, "criterion_ci", nil, required: false, at: root) {
            if let value = CriterionInterval(rawValue: text) { criterionCI = value } else {
                issue(map["criterion_ci"], "criterion_ci", "criterion_ci must be wilson, exact, logit or beta")
            }
        }
        return (ci, criterionCI)
    }

    /// One target: title, index, min, optional field(s) and channel(s).
    mutating func target(_ node: Node) -> ReportProfile.Target? {
        guard let t = self.mapping(node, "target", allowed: ["title", "index", "min", "field", "channel"], what: "a target") else { return nil }
        let title = self.string(t, "title", "target", required: true, at: node)?.precomposedForm ?? ""
        let index = self.string(t, "index", title, required: true, at: node) ?? ""
        var minimum = 0.0
        if let m = t["min"] {
            if let v = m.float, v > 0, v <= 1 { minimum = v } else {
                self.issue(m, title, "'min' is a share between 0 and 1 (0.95 means 95 %); found '\(m.string ?? "")'")
            }
        } else {
            self.issue(node, title, "missing 'min' (the target share, e.g. 0.95)")
        }
        func list(_ key: String) -> [String] {
            guard let n = t[key] else { return [] }
            if let s = n.string { return [s] }
            if case .sequence(let seq) = n { return seq.compactMap(\.string) }
            self.issue(n, title, "'\(key)' must be a code or a list of codes")
            return []
        }
        return ReportProfile.Target(title: title, index: index, minimum: minimum, fields: list("field"), channels: list("channel"), line: node.mark?.line)
    }
}

extension YAMLReader {
    /// `labels: {fields: {dat-dai: "Đất đai"}, channels: {truc-tuyen: "Trực tuyến"}}`: names of
    /// codes for this report, over the store's and the shipped catalogue's.
    mutating func labels(_ node: Node?) -> Labels {
        var result = Labels()
        guard let node, let map = mapping(node, "labels", allowed: ["fields", "channels"], what: "'labels'") else { return result }
        for (key, kind) in [("fields", Labels.Kind.field), ("channels", .channel)] {
            guard let n = map[key] else { continue }
            guard case .mapping(let entries) = n else {
                issue(n, "labels", "'\(key)' maps each code to its name, e.g. dat-dai: \"Đất đai\"")
                continue
            }
            for (k, v) in entries {
                guard let code = k.string, !code.isEmpty, let name = v.string?.precomposedForm.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
                    issue(v, "labels", "each entry of '\(key)' is a code and its name, e.g. dat-dai: \"Đất đai\"")
                    continue
                }
                result[kind][code] = name
            }
        }
        return result
    }
}
