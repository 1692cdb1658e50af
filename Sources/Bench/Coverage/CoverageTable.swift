import Foundation

extension CoverageStudy {
    /// The study's results as Markdown: coverage per cell and method (cells under `flag` in bold),
    /// then how the misses split and the mean widths.
    public static func markdown(_ results: [CellResult], level: Double, flag: Double = 0.94) -> String {
        let methods = Method.allCases
        let header = "| design | n | p | " + methods.map { "\($0.rawValue)" }.joined(separator: " | ") + " |"
        let rule = "|---|---:|---:|" + String(repeating: "---:|", count: methods.count)
        func rows(_ value: (Tally) -> String) -> [String] {
            results.map { r in
                let cells = methods.map { m in r.tallies[m].map(value) ?? "" }
                return "| \(r.cell.design.rawValue) | \(r.cell.n) | \(percent(r.cell.p, 0)) | " + cells.joined(separator: " | ") + " |"
            }
        }
        var lines = ["Coverage of nominal \(percent(level, 0)) % intervals, % (under \(percent(flag, 0)) % in bold):", "", header, rule]
        lines += rows { t in
            let c = t.coverage
            let text = percent(c, 1)
            return c < flag ? "**\(text)**" : text
        }
        lines += ["", "Misses with the interval wholly below the truth (too low) / wholly above it (too high), %:", "", header, rule]
        lines += rows { t in
            let total = Double(t.total)
            return "\(percent(Double(t.truthAbove) / total, 1)) / \(percent(Double(t.truthBelow) / total, 1))"
        }
        lines += ["", "Mean width, percentage points:", "", header, rule]
        lines += rows { t in String(format: "%.1f", t.meanWidth * 100) }
        return lines.joined(separator: "\n") + "\n"
    }

    static func percent(_ x: Double, _ digits: Int) -> String {
        x.isNaN ? "–" : String(format: "%.\(digits)f", x * 100)
    }
}
