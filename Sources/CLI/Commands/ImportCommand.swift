import ArgumentParser
import Foundation
import SIPASWorkflows

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
        var progress = Progress()
        let importer = ImportFiles(files: files, questionnaire: questionnaire, unit: unit, verify: verify, dryRun: dryRun)
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
            let what = "\(f.forms) forms of \(f.questionnaireID) \(f.version)"
            if let batch = f.batchID {
                emit("\(f.fileName): imported \(what) (batch \(batch))")
                if !f.newUnits.isEmpty { emit("  new units recorded by code: \(f.newUnits.joined(separator: ", ")) (name them with sipas init --unit CODE --name …)") }
            } else {
                emit("\(f.fileName): \(what), all valid")
            }
        }
        if dryRun { emit("Dry run: nothing was written (\(outcome.forms) forms would be imported into \(s.location)).") }
    }
}
