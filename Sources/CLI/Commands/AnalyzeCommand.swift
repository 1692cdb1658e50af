import ArgumentParser
import Foundation
import SIPASAnalysis
import SIPASModel
import SIPASWorkflows

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Score responses: criteria, elements and the overall index, with confidence intervals.",
        discussion: """
            Reads canonical CSV files (UTF-8, comma or semicolon, a header of item ids and the metadata \
            columns form_id, unit, collected_on, channel, field). Every cell is checked first: one bad \
            cell stops the run with its file, row and column, and nothing is analysed.

            When the data hold several units, each unit is a stratum. With --population UNIT=N (the \
            number of dossiers the unit handled) respondents are weighted N/n and the variance gets the \
            finite-population correction.

            Examples:
              sipas analyze --questionnaire sipas-2023 --input mau.csv
              sipas analyze --questionnaire counter-quick --input q1.csv q2.csv --by field --target 0.95
              sipas analyze --questionnaire sipas-2023 --input mau.csv --ci beta --json > ket-qua.json
              sipas analyze --questionnaire sipas-2023 --input 2026.csv --compare-to 2025.csv
              sipas analyze --store sipas.sqlite --from 2026-01-01 --to 2026-12-31 \\
                --previous-from 2025-01-01 --previous-to 2025-12-31
            """)

    @Option(help: "Questionnaire id (see `sipas questionnaire list`) or YAML file; optional with --store when it holds one questionnaire.")
    var questionnaire: String?

    @Option(name: .shortAndLong, parsing: .upToNextOption, help: "Response files (canonical CSV).")
    var input: [String] = []

    @Option(name: .customLong("store"), help: "Analyse the responses in this sipas store instead of files: an SQLite file or postgres://USER@HOST:PORT/DB (see --from, --to, --unit, --source).")
    var storePath: String?

    @OptionGroup(title: "Filters on stored responses") var filters: StoreFilterOptions

    @Option(help: "Also analyse each group as a domain of the whole design (R svyby): unit, field, channel or a single-choice item id (repeatable).")
    var by: [String] = []

    @Option(help: "Target share, e.g. 0.95: each index gets Đạt (lower bound ≥ target), Chưa đạt (upper bound < target) or Chưa đủ căn cứ.")
    var target: Double?

    @Option(help: "Confidence level.")
    var level: Double = 0.95

    @Option(help: "Interval for composite indices: beta-capped (default: Korn–Graubard, effective size capped at the respondents; holds 95 % coverage near 100 %, see STATISTICS.md), beta (R svyciprop's Korn–Graubard, not capped), logit (R svyciprop's logit) or bootstrap.")
    var ci: CompositeMethod = .betaCapped

    @Option(name: .customLong("criterion-ci"), help: "Interval for single criteria: wilson (default; with --population on the effective size), exact (Clopper–Pearson), or R svyciprop's logit or beta on the criterion's valid answers.")
    var criterionCI: CriterionInterval = .wilson

    @Option(help: "Bootstrap replicates (with --ci bootstrap).")
    var replicates: Int = 1000

    @Option(help: "Bootstrap seed (with --ci bootstrap).")
    var seed: UInt64 = 20231211

    @Option(help: "Number of dossiers a unit handled in the period, as UNIT=N (repeatable; give every unit).")
    var population: [String] = []

    @Option(name: .customLong("compare-to"), parsing: .upToNextOption, help: "The previous period's response files (same questionnaire): each index gets its change with an interval and Tăng, Giảm or Chưa đủ căn cứ.")
    var compareTo: [String] = []

    @Option(name: .customLong("previous-from"), help: "With --store: first date of the previous period to compare with (YYYY-MM-DD; the other filters apply too).")
    var previousFrom: String?

    @Option(name: .customLong("previous-to"), help: "With --store: last date of the previous period (YYYY-MM-DD).")
    var previousTo: String?

    @Option(help: "Counter ratings: the number of dossiers handled in the period, for the Decree-766 style rate (N − dissatisfied)/N.")
    var dossiers: Int?

    @Flag(help: "Print the documented JSON object instead of tables.")
    var json = false

    enum CompositeMethod: String, ExpressibleByArgument, CaseIterable {
        case betaCapped = "beta-capped", beta, logit, bootstrap
    }

    func validate() throws {
        if input.isEmpty == (storePath == nil) {
            throw ValidationError("analyse either files (--input FILE.csv …) or a store (--store sipas.sqlite), one of the two")
        }
        if storePath == nil, questionnaire == nil { throw ValidationError("--questionnaire ID is needed with --input files") }
        if storePath == nil, filters.from != nil || filters.to != nil || !filters.unit.isEmpty || !filters.source.isEmpty {
            throw ValidationError("--from, --to, --unit and --source filter stored responses: use them with --store")
        }
        guard level > 0, level < 1 else { throw ValidationError("--level must lie strictly between 0 and 1, e.g. 0.95") }
        if let target, !(target > 0 && target <= 1) {
            throw ValidationError("--target is a share between 0 and 1: 0.95 means 95 %")
        }
        guard replicates >= 50 else { throw ValidationError("--replicates must be at least 50") }
        if !compareTo.isEmpty, storePath != nil {
            throw ValidationError("--compare-to takes the previous period's files; with --store give the previous period as --previous-from DATE --previous-to DATE")
        }
        if storePath == nil, previousFrom != nil || previousTo != nil {
            throw ValidationError("--previous-from and --previous-to choose a previous period in a store: use them with --store (or --compare-to FILE… with files)")
        }
        if storePath != nil, (previousFrom == nil) != (previousTo == nil) {
            throw ValidationError("give the previous period with both --previous-from and --previous-to")
        }
        for (name, value) in [("--previous-from", previousFrom), ("--previous-to", previousTo)] {
            if let value, !ISODate.isValid(value) { throw ValidationError("\(name) takes a date as YYYY-MM-DD, e.g. 2025-12-31; found '\(value)'") }
        }
        _ = try populations()
    }

    func populations() throws -> [String: Double] {
        var result: [String: Double] = [:]
        for entry in population {
            let parts = entry.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, let n = Double(parts[1]), n >= 1, n == n.rounded() else {
                throw ValidationError("--population takes UNIT=N with N a whole number of dossiers, e.g. --population XA01=1250; found '\(entry)'")
            }
            result[parts[0]] = n
        }
        return result
    }

    func run() throws {
        var composite: CompositeInterval
        switch ci {
        case .logit: composite = .logit
        case .beta: composite = .beta
        case .betaCapped: composite = .betaCapped
        case .bootstrap: composite = .bootstrap(replicates: replicates, seed: seed)
        }
        let options = AnalysisOptions(level: level, composite: composite, criterion: criterionCI, target: target, populations: try populations())
        let source: AnalyzeResponses.Source
        var previous: AnalyzeResponses.Source?
        if let storePath {
            let store = try StoreOptions(path: storePath).open()
            source = .store(store, questionnaire: questionnaire, filter: filters.filter)
            if let previousFrom, let previousTo {
                var filter = filters.filter
                (filter.from, filter.to) = (previousFrom, previousTo)
                previous = .store(store, questionnaire: questionnaire, filter: filter)
            }
        } else {
            source = .files(input, questionnaire: questionnaire ?? "")
            if !compareTo.isEmpty { previous = .files(compareTo, questionnaire: questionnaire ?? "") }
        }
        let result = try AnalyzeResponses(source: source, options: options, groups: by, dossiers: dossiers, previous: previous).run()
        if json {
            emit(try AnalyzeResponses.json(result.analysis))
        } else {
            emit(AnalysisText.render(result.analysis, questionnaire: result.questionnaire, files: result.inputs))
        }
    }
}

extension CriterionInterval: ExpressibleByArgument {}
