import Foundation
import SIPASModel
import SIPASStore
import SIPASStoring
import SIPASWorkflows
import Testing

@Test func importStoresEveryFormOnceAndRefusesTheSameFileAgain() throws {
    let (store, folder) = try temporaryStore()
    let csv = try write("form_id,unit,collected_on,overall\nK1,XA01,2026-03-02,3\nK2,XA01,2026-03-02,1\nK3,XA02,2026-03-03,2\n", "a.csv", in: folder)
    let outcome = try importer([csv], questionnaire: "counter-quick").run(into: store)
    #expect(outcome.forms == 3)
    #expect(outcome.files.map(\.newUnits) == [["XA01", "XA02"]])
    let q = try StoredQuestionnaire.resolve(nil, in: store, catalog: catalog)
    let (table, sources) = try store.responses(questionnaire: q)
    #expect(table.count == 3 && sources == [.import, .import, .import])
    #expect((0..<3).map { table.codes["overall"]![$0] } == [3, 1, 2])
    let again = message { _ = try importer([csv], questionnaire: "counter-quick").run(into: store) }
    #expect(again.contains("a.csv: this file was already imported"))
    #expect(again.contains("nothing was imported again"))
}

@Test func aDryRunChecksTheStoreButWritesNothing() throws {
    let (store, folder) = try temporaryStore()
    let csv = try write("form_id,unit,collected_on,overall\nK1,XA01,2026-03-02,3\n", "a.csv", in: folder)
    let outcome = try importer([csv], questionnaire: "counter-quick", dryRun: true).run(into: store)
    #expect(outcome.forms == 1 && outcome.files[0].batchID == nil)
    #expect(try store.questionnaires().isEmpty)
}

/// Defect: the store's refusals counted stored rows from the first one, so after blank lines in a
/// CSV they named a row the blank lines above it too high up.
@Test func refusalsNameTheFileRowAfterBlankLines() throws {
    let (store, folder) = try temporaryStore()
    let first = try write("form_id,unit,collected_on,overall\nK7,XA01,2026-03-02,3\n", "first.csv", in: folder)
    _ = try importer([first], questionnaire: "counter-quick").run(into: store)
    // Row 1 header, 2 K1, 3 and 4 blank, 5 K2, 6 blank, 7 K7 (stored before).
    let second = try write("form_id,unit,collected_on,overall\nK1,XA01,2026-03-02,3\n\n\nK2,XA01,2026-03-02,2\n\nK7,XA01,2026-05-02,1\n", "second.csv", in: folder)
    let text = message { _ = try importer([second], questionnaire: "counter-quick").run(into: store) }
    #expect(text.contains("second.csv, row 7: form id 'K7' already exists for unit XA01 in 2026 (from first.csv)"), "\(text)")
    // All or nothing: K1 and K2 were not kept.
    let q = try StoredQuestionnaire.resolve(nil, in: store, catalog: catalog)
    #expect(try store.responses(questionnaire: q).table.count == 1)
}

@Test func theSameFormIDInAnotherYearIsAnotherForm() throws {
    let (store, folder) = try temporaryStore()
    let csv = try write("form_id,unit,collected_on,overall\nK1,XA01,2025-12-30,3\nK1,XA01,2026-01-02,2\n", "a.csv", in: folder)
    #expect(try importer([csv], questionnaire: "counter-quick").run(into: store).forms == 2)
    let same = try write("form_id,unit,collected_on,overall\nK9,XA01,2026-01-02,3\nK9,XA01,2026-07-02,2\n", "b.csv", in: folder)
    let text = message { _ = try importer([same], questionnaire: "counter-quick").run(into: store) }
    #expect(text.contains("b.csv, row 3: form id 'K9' already exists for unit XA01 in 2026 (earlier in this file)"), "\(text)")
}

@Test func aCSVFileWithoutQuestionnaireOrUnitSaysWhatToGive() throws {
    let (store, folder) = try temporaryStore()
    let csv = try write("form_id,collected_on,overall\nK1,2026-03-02,3\n", "a.csv", in: folder)
    do {
        _ = try importer([csv]).run(into: store)
        Issue.record("imported without a questionnaire")
    } catch let error as ImportFiles.Refused {
        #expect(error.remedy == .questionnaire)
        #expect(error.description.contains("a.csv: a CSV file does not say which questionnaire it answers"))
        #expect(!error.description.contains("--"), "a library error names no flag: \(error)")
    }
    do {
        _ = try importer([csv], questionnaire: "counter-quick").run(into: store)
        Issue.record("imported rows without a unit")
    } catch let error as ImportFiles.Refused {
        #expect(error.remedy == .unitCode)
        #expect(error.description.contains("a.csv, row 2: every form needs a unit"))
    }
    #expect(try importer([csv], questionnaire: "counter-quick", unit: "XA09").run(into: store).files[0].newUnits == ["XA09"])
}
