import ArgumentParser
import Foundation
import SIPASCSV
import SIPASModel
import SIPASStore

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import paper responses: filled data-entry templates (.xlsx) or canonical CSV.",
        discussion: """
            Every row of every file is checked before anything is written; all problems are listed \
            together (file, sheet, row, column, value, what was expected) and then nothing is imported. \
            Valid files are imported in one transaction. A file imported before (same SHA-256), or a form \
            id that already exists for the unit in that year, is refused.

            Examples:
              sipas import phieu-quy1.xlsx
              sipas import --questionnaire sipas-2023 --unit XA01 nhap-tay.csv --dry-run
              sipas import --verify phieu-nguoi-2.xlsx phieu-nguoi-1.xlsx    (double entry)
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: "Files to import (.xlsx templates or .csv).")
    var files: [String] = []

    @Option(help: "Questionnaire of CSV files (templates carry their own).")
    var questionnaire: String?

    @Option(help: "Unit code for rows that have none.")
    var unit: String?

    @Option(help: "Second clerk's copy of the same forms: compare with the file given and import only when they agree.")
    var verify: String?

    @Flag(help: "Check everything and report, but write nothing.")
    var dryRun = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("give the files to import, e.g. sipas import phieu.xlsx") }
        if verify != nil, files.count != 1 { throw ValidationError("--verify compares two copies: give exactly one other file, e.g. sipas import --verify B.xlsx A.xlsx") }
    }

    func run() throws {
        let s = try store.open(create: true)
        var batches: [ResponseStore.StreamedBatch] = []
        if let verify {
            batches = [try verifiedBatch(second: verify)]
        } else {
            var problems: [String] = []
            for path in files {
                do {
                    batches.append(try Self.streamed(path, questionnaire: questionnaire, unit: unit))
                } catch {
                    problems.append("\(error)")
                }
            }
            if !problems.isEmpty { throw Self.nothingImported(problems.joined(separator: "\n")) }
        }
        var progress = Progress()
        let results: [ResponseStore.ImportResult]
        do {
            results = try s.importStreamed(batches, dryRun: dryRun) { index, done in
                progress.update("\(dryRun ? "Checking" : "Importing") \(batches[index].fileName): \(done) forms")
            }
        } catch {
            progress.finish()
            throw Self.nothingImported("\(error)")
        }
        progress.finish()
        for (b, r) in zip(batches, results) {
            let what = "\(r.rows) forms of \(b.questionnaire.id) \(b.questionnaire.version)"
            if dryRun {
                emit("\(b.fileName): \(what), all valid")
            } else {
                emit("\(b.fileName): imported \(what) (batch \(r.batchID))")
                if !r.newUnits.isEmpty { emit("  new units recorded by code: \(r.newUnits.joined(separator: ", ")) (name them with sipas init --unit CODE --name …)") }
            }
        }
        if dryRun {
            emit("Dry run: nothing was written (\(results.reduce(0) { $0 + $1.rows }) forms would be imported into \(s.path)).")
        }
    }

    static func nothingImported(_ text: String) -> CLIError {
        CLIError(text.contains("Nothing was imported") || text.contains("nothing was imported") ? text : text + "\nNothing was imported.")
    }

    /// A file to import while it is read: CSV piece by piece; a template (a few hundred forms typed
    /// by hand) read whole, row by row.
    static func streamed(_ path: String, questionnaire reference: String?, unit: String?) throws -> ResponseStore.StreamedBatch {
        let url = URL(fileURLWithPath: path)
        guard FileManager.default.fileExists(atPath: path) else { throw CLIError("\(path): no such file") }
        let name = url.lastPathComponent
        switch url.pathExtension.lowercased() {
        case "xlsx", "xlsm", "xls":
            return batch(try LoadedFile.read(path, questionnaire: reference, unit: unit))
        default:
            guard let reference else {
                throw CLIError("\(path): a CSV file does not say which questionnaire it answers: add --questionnaire ID (see sipas questionnaire list)")
            }
            let (q, yaml) = try QuestionnaireCatalog().loadWithText(reference)
            let sha = try sha256(fileAt: url)
            return ResponseStore.StreamedBatch(
                fileName: name, sha256: sha, source: .import, questionnaire: q, questionnaireYAML: yaml, importedBy: importedBy, firstDataRow: 2
            ) { consumer in
                try CanonicalCSVReader(questionnaire: q).forEachPiece(contentsOf: url) { piece in
                    try consumer(unit.map { piece.fillingUnit($0) } ?? piece)
                }
            }
        }
    }

    /// Who ran the import, as the system names them.
    static var importedBy: String? { ProcessInfo.processInfo.environment["USER"] }

    /// A file read whole (a template of a few hundred forms typed by hand) as one piece.
    static func batch(_ file: LoadedFile) -> ResponseStore.StreamedBatch {
        ResponseStore.StreamedBatch(
            fileName: URL(fileURLWithPath: file.path).lastPathComponent, sha256: file.sha256, source: file.source,
            questionnaire: file.questionnaire, questionnaireYAML: file.yaml, importedBy: importedBy,
            firstDataRow: file.firstDataRow) { consumer in try consumer(file.table) }
    }

    /// `--verify`: both copies read whole and compared cell by cell; the first copy, when they agree.
    func verifiedBatch(second verify: String) throws -> ResponseStore.StreamedBatch {
        let first = try LoadedFile.read(files[0], questionnaire: questionnaire, unit: unit)
        let second = try LoadedFile.read(verify, questionnaire: questionnaire, unit: unit)
        let differences = DoubleEntry.compare(first, second)
        if !differences.isEmpty {
            var lines = ["\(differences.count) cell(s) differ between \(first.path) and \(second.path):"]
            lines += differences.prefix(200).map { "  \($0)" }
            if differences.count > 200 { lines.append("  … and \(differences.count - 200) more") }
            lines.append("Check the paper forms, correct the wrong copy and run again. Nothing was imported.")
            throw CLIError(lines.joined(separator: "\n"))
        }
        emitError("The two copies agree (\(second.table.count) forms).")
        return Self.batch(first)
    }
}

/// A response file read and validated, ready to import.
struct LoadedFile {
    var path: String
    var questionnaire: Questionnaire
    var yaml: String
    var table: ResponseTable
    var sha256: String
    var source: ResponseSource
    var firstDataRow: Int

    static func read(_ path: String, questionnaire reference: String?, unit: String?) throws -> LoadedFile {
        let url = URL(fileURLWithPath: path)
        guard FileManager.default.fileExists(atPath: path) else { throw CLIError("\(path): no such file") }
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw CLIError("\(path): cannot read (\(error.localizedDescription))")
        }
        let sha = SIPASCommands.sha256(data: data)  // the module function, not the property
        switch url.pathExtension.lowercased() {
        case "xlsx", "xlsm", "xls":
            let filled = try TemplateImport.read(url, data: data, questionnaire: reference)
            var table = filled.table
            if let unit { table = table.fillingUnit(unit) }
            return LoadedFile(path: path, questionnaire: filled.questionnaire, yaml: filled.yaml, table: table, sha256: sha, source: .paper, firstDataRow: 3)
        default:
            guard let reference else {
                throw CLIError("\(path): a CSV file does not say which questionnaire it answers: add --questionnaire ID (see sipas questionnaire list)")
            }
            let (q, yaml) = try QuestionnaireCatalog().loadWithText(reference)
            var table: ResponseTable
            do {
                table = try CanonicalCSVReader(questionnaire: q).read(data: data, file: path)
            } catch {
                throw CLIError(error.description)
            }
            if let unit { table = table.fillingUnit(unit) }
            return LoadedFile(path: path, questionnaire: q, yaml: yaml, table: table, sha256: sha, source: .import, firstDataRow: 2)
        }
    }
}

extension ResponseTable {
    /// The same rows with `unit` where a row has none.
    func fillingUnit(_ code: String) -> ResponseTable {
        guard (0..<count).contains(where: { unit[$0] == nil }) else { return self }
        var out = ResponseTable(questionnaire: questionnaire)
        out.append(
            rows: count, formID: formID, unit: (0..<count).map { unit[$0] ?? code }, collectedOn: collectedOn,
            channel: (0..<count).map { channel[$0] }, field: (0..<count).map { field[$0] }, codes: codes, picks: picks, texts: texts)
        return out
    }
}

/// Double entry (nhập liệu hai lần): two clerks' copies compared cell by cell.
enum DoubleEntry {
    static func compare(_ a: LoadedFile, _ b: LoadedFile) -> [String] {
        guard a.questionnaire.id == b.questionnaire.id, a.questionnaire.version == b.questionnaire.version else {
            return ["the copies use different questionnaires: \(a.questionnaire.id) \(a.questionnaire.version) vs \(b.questionnaire.id) \(b.questionnaire.version)"]
        }
        let q = a.questionnaire
        var out: [String] = []
        func key(_ t: ResponseTable, _ i: Int) -> String { "\(t.unit[i] ?? "")/\(t.formID[i])" }
        let indexB = Dictionary(uniqueKeysWithValues: (0..<b.table.count).map { (key(b.table, $0), $0) })
        let keysA = Set((0..<a.table.count).map { key(a.table, $0) })
        for i in 0..<a.table.count {
            let form = a.table.formID[i]
            guard let j = indexB[key(a.table, i)] else {
                out.append("form \(form): only in \(a.path)")
                continue
            }
            func cmp(_ name: String, _ x: String?, _ y: String?) {
                if x != y { out.append("form \(form), \(name): '\(x ?? "")' vs '\(y ?? "")'") }
            }
            cmp("collected_on", a.table.collectedOn[i], b.table.collectedOn[j])
            cmp("channel", a.table.channel[i], b.table.channel[j])
            cmp("field", a.table.field[i], b.table.field[j])
            for item in q.items {
                if let x = a.table.codes[item.id]?[i], let y = b.table.codes[item.id]?[j], x != y {
                    cmp(item.id, x == 0 ? nil : String(x), y == 0 ? nil : String(y))
                } else if let x = a.table.picks[item.id]?[i], let y = b.table.picks[item.id]?[j], x != y {
                    cmp(item.id, String(x), String(y))
                } else if let x = a.table.texts[item.id]?[i], let y = b.table.texts[item.id]?[j], x != y {
                    cmp(item.id, x, y)
                }
            }
        }
        for j in 0..<b.table.count where !keysA.contains(key(b.table, j)) {
            out.append("form \(b.table.formID[j]): only in \(b.path)")
        }
        return out
    }
}
