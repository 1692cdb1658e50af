import ArgumentParser
import Foundation
import SIPASAnalysis
import SIPASCSV
import SIPASModel

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
            """)

    @Option(help: "Questionnaire id (see `sipas questionnaire list`) or YAML file; optional with --store when it holds one questionnaire.")
    var questionnaire: String?

    @Option(name: .shortAndLong, parsing: .upToNextOption, help: "Response files (canonical CSV).")
    var input: [String] = []

    @Option(name: .customLong("store"), help: "Analyse the responses in this sipas store instead of files (see --from, --to, --unit, --source).")
    var storePath: String?

    @OptionGroup(title: "Filters on stored responses") var filters: StoreFilterOptions

    @Option(help: "Also analyse each group as its own sample: unit, field, channel or a single-choice item id (repeatable).")
    var by: [String] = []

    @Option(help: "Target share, e.g. 0.95: each index gets Đạt (lower bound ≥ target), Chưa đạt (upper bound < target) or Chưa đủ căn cứ.")
    var target: Double?

    @Option(help: "Confidence level.")
    var level: Double = 0.95

    @Option(help: "Interval for composite indices: logit (linearised, default), beta (Korn–Graubard) or bootstrap.")
    var ci: CompositeMethod = .logit

    @Option(name: .customLong("criterion-ci"), help: "Interval for single criteria: wilson (default) or exact (Clopper–Pearson).")
    var criterionCI: CriterionInterval = .wilson

    @Option(help: "Bootstrap replicates (with --ci bootstrap).")
    var replicates: Int = 1000

    @Option(help: "Bootstrap seed (with --ci bootstrap).")
    var seed: UInt64 = 20231211

    @Option(help: "Number of dossiers a unit handled in the period, as UNIT=N (repeatable; give every unit).")
    var population: [String] = []

    @Option(help: "Counter ratings: the number of dossiers handled in the period, for the Decree-766 style rate (N − dissatisfied)/N.")
    var dossiers: Int?

    @Flag(help: "Print the documented JSON object instead of tables.")
    var json = false

    enum CompositeMethod: String, ExpressibleByArgument, CaseIterable {
        case logit, beta, bootstrap
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
        if !population.isEmpty, let other = by.first(where: { $0 != "unit" }) {
            throw ValidationError("--population gives dossiers per unit, so it cannot weight groups by '\(other)'; run the grouped analysis without --population, or group by unit")
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
        if let storePath {
            let store = try StoreOptions(path: storePath).open()
            let q = try StoredQuestionnaire.resolve(questionnaire, in: store)
            let (table, _) = try wrap { try store.responses(questionnaire: q, filter: filters.filter) }
            guard table.count > 0 else { throw CLIError("\(storePath): no stored responses of \(q.id) \(q.version) match the filters") }
            try analyze(table, q, source: storePath)
            return
        }
        let q = try QuestionnaireCatalog().load(questionnaire!)
        try ResponseFiles.read(input, questionnaire: q) { table in try analyze(table, q, source: nil) }
    }

    func analyze(_ table: ResponseTable, _ q: Questionnaire, source: String?) throws {
        var composite: CompositeInterval
        switch ci {
        case .logit: composite = .logit
        case .beta: composite = .beta
        case .bootstrap: composite = .bootstrap(replicates: replicates, seed: seed)
        }
        let options = AnalysisOptions(
            level: level, composite: composite, criterion: criterionCI, target: target, populations: try populations())
        var analysis: Analysis
        do {
            analysis = try Analyzer(options: options).analyze(table, by: by)
            if let dossiers { analysis.decree766 = try CounterRate.compute(table, dossiers: dossiers) }
        } catch {
            throw CLIError(error.description)
        }
        if json {
            emit(try AnalysisJSON.encode(analysis))
        } else {
            emit(AnalysisText.render(analysis, questionnaire: q, files: source.map { [$0] } ?? input))
        }
    }
}

extension CriterionInterval: ExpressibleByArgument {}

/// Reads and concatenates response files, refusing a form id that appears twice in a unit.
enum ResponseFiles {
    static func read(_ paths: [String], questionnaire q: Questionnaire) throws -> ResponseTable {
        var table = ResponseTable(questionnaire: q)
        var parts: [ResponseTable] = []
        for path in paths {
            do {
                parts.append(try CanonicalCSVReader(questionnaire: q).read(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw CLIError(error.description)
            }
            if paths.count == 1 { table = parts[0] } else { table.append(contentsOf: parts[parts.count - 1]) }
        }
        if let message = duplicates(parts, paths: paths) { throw CLIError(message) }
        return table
    }

    /// Reads the files, and checks form ids on a second core while `body` works on the table.
    static func read<T>(_ paths: [String], questionnaire q: Questionnaire, whileChecking body: (ResponseTable) throws -> T) throws -> T {
        var table = ResponseTable(questionnaire: q)
        var parts: [ResponseTable] = []
        for path in paths {
            do {
                parts.append(try CanonicalCSVReader(questionnaire: q).read(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw CLIError(error.description)
            }
            if paths.count == 1 { table = parts[0] } else { table.append(contentsOf: parts[parts.count - 1]) }
        }
        nonisolated(unsafe) var message: String?
        let frozen = parts
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { message = duplicates(frozen, paths: paths) }
        let result = try body(table)
        group.wait()
        if let message { throw CLIError(message) }
        return result
    }

    /// A form must be counted once: the same form id twice in a unit is refused.
    ///
    /// An open-addressing table of 64-bit FNV-1a hashes of (unit, form id): a million forms take a
    /// few milliseconds where a `Set` of string pairs (SipHash) took a tenth of the analysis.
    /// Keys are compared in full when hashes meet.
    static func duplicates(_ parts: [ResponseTable], paths: [String]) -> String? {
        let total = parts.reduce(0) { $0 + $1.count }
        var capacity = 16
        while capacity < 2 * total { capacity <<= 1 }
        let mask = capacity - 1
        var slotEntry = [Int32](repeating: -1, count: capacity)
        var slotHash = [UInt64](repeating: 0, count: capacity)
        // First occurrence of each key: part, row, and the unit's number across all parts.
        var entries: [(part: Int32, row: Int32, unit: UInt32)] = []
        entries.reserveCapacity(total)
        var unitNumbers: [String: UInt32] = [:]
        var lines: [String] = []
        var count = 0
        for (p, part) in parts.enumerated() {
            // Unit level codes of this part → numbers shared by all parts (0 = no unit).
            let unitMap: [UInt32] = [0] + part.unit.levels.map { level in
                if let u = unitNumbers[level] { return u }
                let u = UInt32(unitNumbers.count + 1)
                unitNumbers[level] = u
                return u
            }
            for i in 0..<part.count {
                let unit = unitMap[Int(part.unit.codes[i])]
                var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ (UInt64(unit) &* 0x9E37_79B9_7F4A_7C15)
                var id = part.formID[i]
                id.withUTF8 { bytes in
                    for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
                }
                h ^= h >> 33
                h &*= 0xff51_afd7_ed55_8ccd
                h ^= h >> 33
                var slot = Int(truncatingIfNeeded: h) & mask
                while true {
                    let e = slotEntry[slot]
                    if e < 0 {
                        slotEntry[slot] = Int32(entries.count)
                        slotHash[slot] = h
                        entries.append((Int32(p), Int32(i), unit))
                        break
                    }
                    let first = entries[Int(e)]
                    if slotHash[slot] == h, first.unit == unit, parts[Int(first.part)].formID[Int(first.row)] == id {
                        count += 1
                        if lines.count < 20 {
                            lines.append("\(paths[p]), row \(i + 2): form id '\(id)' of unit '\(part.unit[i] ?? "")' already appears at \(paths[Int(first.part)]), row \(first.row + 2)")
                        }
                        break
                    }
                    slot = (slot + 1) & mask
                }
            }
        }
        guard count > 0 else { return nil }
        if count > lines.count { lines.append("… and \(count - lines.count) more duplicates") }
        return (lines + ["A form must be counted once: remove the duplicate rows and run again."]).joined(separator: "\n")
    }
}

enum AnalysisJSON {
    static func encode(_ analysis: Analysis) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(analysis), as: UTF8.self)
    }
}
