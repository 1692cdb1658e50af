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

/// The province demo: ten communes' workbooks (one sends nothing for 2026) go through the
/// submission checks; the province workbook counts exactly the 2026 forms the communes reported,
/// and the same seed gives the same ranking.
@Test func theProvinceDemoConsolidatesTheCommunesWorkbooks() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    var demo = ProvinceDemo(folder: folder)
    demo.catalog = catalog
    var steps: [String] = []
    let result = try demo.run { steps.append($0) }
    // The demo's communes: 2025 150 + 120 + 90 + 200 + 110 + 100 + 140 + 80 + 160 + 60 = 1210 forms,
    // 2026 200 + 160 + 24 + 240 + 130 + 150 + 90 + 180 + 70 = 1244 (XA06 sends nothing).
    let forms2026 = 1244, all = 1210 + 1244
    #expect(steps.count == 3 && steps[1].hasPrefix("2. The province imported 19 workbooks (\(all) forms)"))
    let r = result.report.report
    #expect(r.analysis.n == forms2026 && r.unitsSubmitted == 9 && r.missing.map(\.unit) == ["XA06"])
    #expect(r.ranking.allSatisfy { $0.previousRank != nil && $0.rankLower <= $0.rank && $0.rank <= $0.rankUpper })
    #expect(r.ranking.first { $0.unit == "XA03" }?.small == true)
    let store = try ResponseStore(path: result.storePath, create: false)
    #expect(try store.submissions().count == 19)
    #expect(FileManager.default.fileExists(atPath: result.workbook))
    var again = ProvinceDemo(folder: try temporaryFolder())
    again.catalog = catalog
    #expect(try again.run().report.report.ranking == r.ranking)
}
