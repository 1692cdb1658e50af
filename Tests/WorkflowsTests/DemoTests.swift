import Foundation
import SIPASModel
import SIPASStore
import SIPASStoring
import SIPASWorkflows
import Testing

/// The demo in-process: its paper forms go through the one import engine (batches recorded with
/// their files), and the report counts exactly the forms it typed for 2026.
@Test func theDemoImportsThroughTheImportEngineAndReportsItsYear() throws {
    let folder = try temporaryFolder()
    var demo = Demo(folder: folder)
    demo.catalog = catalog
    var steps: [String] = []
    let result = try demo.run { steps.append($0) }
    #expect(steps.count == 5 && steps[2] == "3. Imported 350 forms through the template import")
    #expect(result.report.report.analysis.n == 200 && result.report.report.period == "2026")
    #expect(result.report.report.previous?.n == 150)
    #expect(FileManager.default.fileExists(atPath: result.workbook))
    let store = try ResponseStore(path: result.storePath, create: false)
    let q = try StoredQuestionnaire.resolve("sipas-2023", in: store, catalog: catalog)
    #expect(try store.counts(questionnaire: q) == [.paper: 350])
    // Imported again, the same templates are refused whole: they are the same files.
    let again = message { _ = try ImportFiles(files: [folder.appendingPathComponent("phieu-2026.xlsx").path], importedBy: "test").run(into: store) }
    #expect(again.contains("phieu-2026.xlsx: this file was already imported"))
    // The data hash is SHA-256 of the canonical CSV of the period's forms, computed a second way.
    let csv = folder.appendingPathComponent("check.csv")
    var export = ExportResponses(questionnaire: "sipas-2023", filter: ResponseFilter(from: "2026-01-01", to: "2026-12-31"))
    export.catalog = catalog
    _ = try export.run(store: store, out: csv.path)
    var bytes = try Data(contentsOf: csv)
    bytes.removeFirst(3)  // the export's byte-order mark; the hash is taken without it
    #expect(Hex.sha256(bytes) == result.report.report.dataSHA256)
}
