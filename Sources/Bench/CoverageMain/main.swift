import ArgumentParser
import Foundation
import SIPASCoverage
import SIPASModel

/// `sipas-coverage`: the coverage study of the interval methods (scripts/bench/coverage.sh).
struct CoverageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sipas-coverage",
        abstract: "Measure how often each interval method covers the truth, over many simulated surveys.",
        discussion: """
            Simulates SIMULATIONS surveys per cell (design stratified or weighted, n = 30, 100, 400 forms, \
            p = 80 %, 95 %, 99 % satisfied) from known populations, analyses each with every criterion method \
            (wilson, exact, logit, beta) and composite method (logit, beta, bootstrap, and sipas's default \
            beta-capped: Korn–Graubard capped at the respondents), and prints the share \
            of intervals that contain the true value, as Markdown. Seeded: the same options give the same table.
            """)

    @Option(help: "The questionnaire (YAML path) whose scored items and overall index are simulated.")
    var questionnaire = "Questionnaires/sipas-2017.yaml"

    @Option(help: "Surveys per cell.")
    var simulations = 2000

    @Option(help: "Bootstrap replicates per survey (composite bootstrap).")
    var replicates = 1000

    @Option(help: "Seed of the whole study.")
    var seed: UInt64 = 2026

    @Option(help: "Confidence level.")
    var level = 0.95

    @Option(help: "Forms per survey (comma-separated).")
    var n = "30,100,400"

    @Option(help: "Shares satisfied (comma-separated).")
    var p = "0.80,0.95,0.99"

    @Option(help: "Designs (comma-separated): stratified, weighted.")
    var designs = "stratified,weighted"

    @Option(help: "Share of respondents who rate every item alike (the correlation between two criteria of a form).")
    var consistency = 0.5

    @Option(help: "Threads.")
    var workers = 2

    func validate() throws {
        guard simulations >= 1 else { throw ValidationError("--simulations must be at least 1") }
        guard replicates >= 50 else { throw ValidationError("--replicates must be at least 50") }
        guard level > 0, level < 1 else { throw ValidationError("--level must lie strictly between 0 and 1") }
        guard consistency >= 0, consistency <= 1 else { throw ValidationError("--consistency must lie between 0 and 1") }
    }

    func run() throws {
        guard let text = try? String(contentsOfFile: questionnaire, encoding: .utf8) else {
            throw ValidationError("--questionnaire: cannot read '\(questionnaire)' as UTF-8 text (run from the repository root, or give the YAML file's path)")
        }
        let q = try Questionnaire(yaml: text, file: questionnaire)
        let study = CoverageStudy(questionnaire: q, simulations: simulations, replicates: replicates, seed: seed, level: level, consistency: consistency, workers: workers)
        let sizes = try list(n, "--n") { Int($0).flatMap { $0 >= 6 ? $0 : nil } }
        let shares = try list(p, "--p") { Double($0).flatMap { $0 > 0 && $0 < 1 ? $0 : nil } }
        let kinds = try list(designs, "--designs") { CoverageStudy.Design(rawValue: $0) }
        var results: [CoverageStudy.CellResult] = []
        let cells = kinds.flatMap { d in sizes.flatMap { n in shares.map { CoverageStudy.Cell(design: d, n: n, p: $0) } } }
        for (i, cell) in cells.enumerated() {
            let start = Date()
            let r = try study.run(cell)
            results.append(r)
            let cov = r.tallies.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \(String(format: "%.1f", $0.value.coverage * 100))" }
            try? FileHandle.standardError.write(contentsOf: Data("[\(i + 1)/\(cells.count)] \(cell.design.rawValue) n=\(cell.n) p=\(cell.p): \(String(format: "%.1f", Date().timeIntervalSince(start))) s; \(cov.joined(separator: ", "))\n".utf8))
        }
        print("Coverage study: \(q.id) \(q.version), \(simulations) surveys per cell, \(replicates) bootstrap replicates, consistency \(consistency), seed \(seed).\n")
        print(CoverageStudy.markdown(results, level: level), terminator: "")
    }

    func list<T>(_ text: String, _ option: String, _ parse: (String) -> T?) throws -> [T] {
        try text.split(separator: ",").map { part in
            let s = part.trimmingCharacters(in: .whitespaces)
            guard let v = parse(s) else { throw ValidationError("\(option): '\(s)' is not a valid value") }
            return v
        }
    }
}

CoverageCommand.main()
