import ArgumentParser
import Foundation
import SIPASWorkflows

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import responses: filled data-entry templates (.xlsx), communes' report workbooks (.xlsx) or canonical CSV.",
        discussion: """
            Every row of every file is checked before anything is written; all problems are listed \
            together (file, sheet, row, column, value, what was expected) and then nothing is imported. \
            Valid files are imported in one transaction. A file imported before (same SHA-256), or a form \
            id that already exists for the unit in that year, is refused.

            A province (or district) imports each commune's report workbook (báo cáo, written by \
            sipas report) the same way: its hidden manifest names the unit, its parent, the period and \
            the questionnaire, and the rows of its Dữ liệu sheet must hash to the manifest's value (a \
            cell changed after export is refused). A second report of the same unit and period is refused \
            unless --replace says it supersedes the first (which is kept in the history).

            Examples:
              sipas import phieu-quy1.xlsx
              sipas import --questionnaire sipas-2023 --unit XA01 nhap-tay.csv --dry-run
              sipas import --verify phieu-nguoi-2.xlsx phieu-nguoi-1.xlsx    (double entry)
              sipas import --store tinh.sqlite nop/*.xlsx                    (communes' reports, all or none)
              sipas import --store tinh.sqlite --replace bao-cao-xa01-sua.xlsx
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

    @Flag(help: "A commune's report workbook supersedes the one already stored for the same unit and period (kept in the history).")
    var replace = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("give the files to import, e.g. sipas import phieu.xlsx") }
        if verify != nil, files.count != 1 { throw ValidationError("--verify compares two copies: give exactly one other file, e.g. sipas import --verify B.xlsx A.xlsx") }
    }

    func run() throws {
        let s = try store.open(create: true)
        var progress = Progress()
        let importer = ImportFiles(files: files, questionnaire: questionnaire, unit: unit, verify: verify, dryRun: dryRun, replace: replace)
        let outcome: ImportFiles.Outcome
        do {
            outcome = try importer.run(into: s) { file, done in progress.update("\(dryRun ? "Checking" : "Importing") \(file): \(done) forms") }
        } catch {
            progress.finish()
            throw error
        }
        progress.finish()
        if let agreed = outcome.verifiedForms { emitError("The two copies agree (\(agreed) forms).") }
        for f in outcome.files {
            var what = "\(f.forms) forms of \(f.questionnaireID) \(f.version)"
            if let s = f.submitted { what = "\(s.name) (\(s.unit)), \(s.period): " + what }
            if let replaced = f.replaced { what += ", replacing \(replaced)" }
            if let batch = f.batchID {
                emit("\(f.fileName): imported \(what) (batch \(batch))")
                if !f.newUnits.isEmpty, f.submitted == nil {
                    let shown = f.newUnits.prefix(20).joined(separator: ", ") + (f.newUnits.count > 20 ? " … and \(f.newUnits.count - 20) more" : "")
                    emit("  \(f.newUnits.count) new units recorded by code: \(shown) (name them with sipas init --unit CODE --name …)")
                }
            } else {
                emit("\(f.fileName): \(what), all valid")
            }
        }
        if dryRun { emit("Dry run: nothing was written (\(outcome.forms) forms would be imported into \(s.location)).") }
    }
}
