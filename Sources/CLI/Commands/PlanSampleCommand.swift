import ArgumentParser
import Foundation
import SIPASStatistics

struct PlanSampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan-sample",
        abstract: "How many forms to collect for a given margin of error.",
        discussion: """
            Cochran: n0 = z² p(1 − p)/e², with the finite-population correction n = n0/(1 + (n0 − 1)/N) \
            when --population (dossiers handled in the period) is given. Yamane: n = N/(1 + N e²), the \
            rule in BNV training material (needs --population).

            Example: sipas plan-sample --expected 0.9 --margin 0.05 --population 1200
            """)

    @Option(help: "Expected share satisfied (p), e.g. 0.9. Use 0.5 when unknown (the largest sample).")
    var expected: Double = 0.5

    @Option(help: "Margin of error (e), e.g. 0.05 for ±5 percentage points.")
    var margin: Double

    @Option(help: "Population: number of dossiers (or people served) in the period.")
    var population: Int?

    @Option(help: "cochran or yamane.")
    var method: Method = .cochran

    @Option(help: "Confidence level for Cochran.")
    var level: Double = 0.95

    @Flag(help: "Print JSON.")
    var json = false

    enum Method: String, ExpressibleByArgument, CaseIterable {
        case cochran, yamane
    }

    func validate() throws {
        guard expected > 0, expected < 1 else { throw ValidationError("--expected must lie strictly between 0 and 1, e.g. 0.9") }
        guard margin > 0, margin < 1 else { throw ValidationError("--margin must lie strictly between 0 and 1, e.g. 0.05") }
        guard level > 0, level < 1 else { throw ValidationError("--level must lie strictly between 0 and 1, e.g. 0.95") }
        if let population, population < 1 { throw ValidationError("--population must be a positive whole number") }
        if method == .yamane, population == nil { throw ValidationError("Yamane's formula needs --population N") }
    }

    func run() throws {
        let plan: SampleSizePlan
        switch method {
        case .cochran: plan = SampleSize.cochran(expected: expected, margin: margin, confidence: level, population: population)
        case .yamane: plan = SampleSize.yamane(population: population!, margin: margin)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            emit(String(decoding: try encoder.encode(plan), as: UTF8.self))
            return
        }
        var lines: [String] = []
        switch method {
        case .cochran:
            lines.append("Cochran, p = \(expected), e = ±\(margin), level \(level):")
            lines.append("  n0 = z² p(1 − p)/e² = \(String(format: "%.2f", plan.initial))")
            if let population {
                lines.append("  with N = \(population): n = n0/(1 + (n0 − 1)/N) = \(String(format: "%.2f", plan.exact))")
            }
        case .yamane:
            lines.append("Yamane, N = \(population!), e = ±\(margin): n = N/(1 + N e²) = \(String(format: "%.2f", plan.exact))")
        }
        lines.append("Collect at least \(plan.required) forms (phiếu).")
        if let population, plan.required > population {
            lines.append("Note: that is more than the population; survey everyone (\(population)).")
        }
        emit(lines.joined(separator: "\n"))
    }
}
