import ArgumentParser
import Foundation
import SIPASWorkflows
import SIPASCSV
import SIPASSynthetic

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write realistic synthetic responses as canonical CSV (for demos, tests, benchmarks).",
        discussion: """
            Units differ in satisfaction, answers correlate within a respondent, some answers are blank. \
            The same seed always gives the same file.

            Example: sipas generate --questionnaire sipas-2023 --count 1000 --units 5 --seed 7 --out mau.csv
            """)

    @Option(help: "Questionnaire id or YAML file.")
    var questionnaire: String

    @Option(help: "Number of responses (forms).")
    var count: Int

    @Option(help: "Number of units (communes), coded XA01, XA02, …")
    var units: Int = 1

    @Option(help: "Expected share satisfied.")
    var satisfaction: Double = 0.85

    @Option(help: "Share of answers left blank.")
    var missing: Double = 0.03

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @Option(help: "Year of the collection dates.")
    var year: Int = 2026

    @Option(help: "Output CSV file.")
    var out: String

    func validate() throws {
        guard count >= 0 else { throw ValidationError("--count must be 0 or more") }
        guard units >= 1, units <= 99_999 else { throw ValidationError("--units must lie between 1 and 99999 (Việt Nam has about 10,000 communes)") }
        guard satisfaction > 0, satisfaction < 1 else { throw ValidationError("--satisfaction must lie strictly between 0 and 1") }
        guard missing >= 0, missing < 1 else { throw ValidationError("--missing must lie in [0, 1)") }
    }

    func run() throws {
        let q = try QuestionnaireCatalog().load(questionnaire)
        let table = SyntheticResponses(count: count, units: units, satisfaction: satisfaction, missing: missing, seed: seed, year: year)
            .generate(q)
        do {
            try CanonicalCSVWriter().write(table, to: URL(fileURLWithPath: out))
        } catch {
            throw CLIError("\(out): cannot write the file (\(error.localizedDescription))")
        }
        emitError("wrote \(count) responses of \(q.id) \(q.version) to \(out)")
    }
}
