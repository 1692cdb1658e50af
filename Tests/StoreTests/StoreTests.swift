import Foundation
import GRDB
import SIPASModel
import SIPASStoring
import SIPASSynthetic
import TestSupport
import Testing

@testable import SIPASStore

let counterYAML = try! String(
    contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Questionnaires/counter-quick.yaml"), encoding: .utf8)
let counter = try! Questionnaire(yaml: counterYAML, file: "counter-quick.yaml")

/// The two stores: the suite runs on each, with the same tests and the same expectations.
enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres
    var description: String { rawValue }
}

func temporaryStore() throws -> ResponseStore {
    try ResponseStore(path: FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString).sqlite").path, create: true)
}

/// A new, empty store of `kind` (PostgreSQL: a database of its own on the test server).
func temporaryStore(_ kind: StoreKind) throws -> any SurveyStore {
    switch kind {
    case .sqlite: return try temporaryStore()
    case .postgres: return try PostgresStore(url: try PostgresTestServer.freshDatabase(), create: true)
    }
}

/// The same store opened again (a new connection or file handle).
func reopen(_ store: any SurveyStore, create: Bool = false) throws -> any SurveyStore {
    if let pg = store as? PostgresStore { return try PostgresStore(url: pg.address.description, create: create) }
    return try ResponseStore(path: store.location, create: create)
}

/// Runs SQL on the store's database through another client (GRDB for SQLite, psql for
/// PostgreSQL), as someone bypassing sipas would; throws when the database refuses it.
func bypass(_ store: any SurveyStore, _ sql: String) throws {
    if let pg = store as? PostgresStore {
        try PostgresTestServer.psql(pg.address.description, sql)
    } else {
        try DatabaseQueue(path: store.location).write { try $0.execute(sql: sql) }
    }
}

/// A whole table to import as one file through the store's one import engine.
struct TestBatch {
    var fileName: String
    var sha256: String?
    var source: ResponseSource
    var table: ResponseTable
    var questionnaireYAML: String
    var dossierHashes: [String?]?
}

func batch(_ table: ResponseTable, name: String = "a.csv", sha: String? = nil) -> TestBatch {
    TestBatch(fileName: name, sha256: sha ?? UUID().uuidString, source: .import, table: table, questionnaireYAML: counterYAML)
}

extension ResponseWriting {
    func importBatch(_ b: TestBatch) throws -> ImportResult {
        let piece = ImportPiece(b.table, dossierHashes: b.dossierHashes)
        return try importStreamed([StreamedBatch(
            fileName: b.fileName, sha256: b.sha256, source: b.source, questionnaire: b.table.questionnaire, questionnaireYAML: b.questionnaireYAML,
            importedBy: "test", firstDataRow: 2) { try $0(piece) }])[0]
    }
}

@Test(arguments: StoreKind.allCases) func storedResponsesReadBackExactlyAndFilter(kind: StoreKind) throws {
    let store = try temporaryStore(kind)
    let table = SyntheticResponses(count: 200, units: 2, seed: 9).generate(counter)
    let result = try store.importBatch(batch(table))
    #expect(result.rows == 200)
    #expect(Set(result.newUnits) == ["XA01", "XA02"])
    let (back, sources) = try store.responses(questionnaire: counter)
    #expect(back.count == 200 && sources.allSatisfy { $0 == .import })
    #expect(back.formID == table.formID && back.codes == table.codes && back.texts == table.texts && back.collectedOn == table.collectedOn)
    let xa01 = try store.responses(questionnaire: counter, filter: ResponseFilter(units: ["XA01"])).table
    #expect(xa01.count == (0..<200).filter { table.unit[$0] == "XA01" }.count)
    let dates = table.collectedOn.compactMap { $0 }.sorted()
    let cut = dates[dates.count / 2]
    let early = try store.responses(questionnaire: counter, filter: ResponseFilter(to: cut)).table
    #expect(early.count == table.collectedOn.filter { ($0 ?? "") <= cut && $0 != nil }.count)
    // Reopened, the store has everything (SQLite runs in WAL with synchronous=FULL).
    let reopened = try reopen(store)
    #expect(try reopened.responses(questionnaire: counter).table.count == 200)
    if kind == .sqlite {
        let queue = try DatabaseQueue(path: store.location)
        #expect(try queue.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
    }
}

@Test(arguments: StoreKind.allCases) func duplicatesAreRefusedAndLeaveTheStoreUnchanged(kind: StoreKind) throws {
    let store = try temporaryStore(kind)
    let table = SyntheticResponses(count: 50, units: 1, seed: 2).generate(counter)
    _ = try store.importBatch(batch(table, sha: "same"))
    #expect(throws: StreamedImportError.self) { try store.importBatch(batch(table, name: "b.csv", sha: "same")) }
    // Different file, overlapping forms: refused as a whole, nothing added.
    var mixed = ResponseTable(questionnaire: counter)
    for i in 1...10 { mixed.append(ResponseTable.Metadata(formID: "NEW-\(i)", unit: "XA01", collectedOn: table.collectedOn[7]), codes: ["overall": 2]) }
    mixed.append(contentsOf: table.select([7]))
    let error = #expect(throws: StreamedImportError.self) { try store.importBatch(batch(mixed, name: "c.csv")) }
    #expect(error?.description.contains("c.csv, row 12") == true)
    #expect(try store.responses(questionnaire: counter).table.count == 50)
}

@Test(arguments: StoreKind.allCases) func correctionsSupersedeAndKeepHistory(kind: StoreKind) throws {
    let store = try temporaryStore(kind)
    let table = SyntheticResponses(count: 5, units: 1, seed: 4).generate(counter)
    _ = try store.importBatch(batch(table))
    var fixed = ResponseTable(questionnaire: counter)
    fixed.append(
        ResponseTable.Metadata(formID: table.formID[2], unit: table.unit[2], collectedOn: table.collectedOn[2]),
        codes: ["overall": 1])
    let newID = try store.correct(responseID: 3, with: fixed, row: 0, questionnaireYAML: counterYAML, by: "test")
    let history = try store.history(unit: table.unit[2]!, formID: table.formID[2])
    #expect(history.count == 2)
    #expect(history[0].supersededBy == newID && history[1].supersededBy == nil)
    let current = try store.responses(questionnaire: counter).table
    #expect(current.count == 5)
    let row = current.formID.firstIndex(of: table.formID[2])!
    #expect(current.codes["overall"]![row] == 1)
    #expect(throws: StoreError.self) { try store.correct(responseID: 3, with: fixed, row: 0, questionnaireYAML: counterYAML, by: nil) }
}

@Test(arguments: StoreKind.allCases) func responsesAreAppendOnlyAtTheDatabaseLevel(kind: StoreKind) throws {
    let store = try temporaryStore(kind)
    _ = try store.importBatch(batch(SyntheticResponses(count: 3, units: 1, seed: 5).generate(counter)))
    for sql in ["UPDATE responses SET codes = codes WHERE id = 1", "UPDATE responses SET unit = unit", "DELETE FROM responses WHERE id = 1"] {
        let error = #expect(throws: (any Error).self, "\(sql)") { try bypass(store, sql) }
        #expect("\(error.map { "\($0)" } ?? "")".contains(sql.hasPrefix("DELETE") ? "responses are never deleted" : "append-only"))
    }
    // Marking a version superseded stays possible (that is how a correction is recorded).
    try bypass(store, "UPDATE responses SET superseded_by = NULL WHERE id = 1")
}

@Test(arguments: StoreKind.allCases) func responsesReferenceTheirUnitQuestionnaireAndBatchAtTheDatabaseLevel(kind: StoreKind) throws {
    // PostgreSQL checks them once a statement (migration v3), SQLite by its foreign keys: the same refusals.
    let store = try temporaryStore(kind)
    let table = SyntheticResponses(count: 3, units: 1, seed: 5).generate(counter)
    _ = try store.importBatch(batch(table))
    let unit = table.unit[0]!
    let codes = kind == .postgres ? #"'\x01'::bytea"# : "x'01'"
    func insert(unit: String, version: String, batch: String) -> String {
        """
        INSERT INTO responses (form_id, unit, questionnaire_id, questionnaire_version, source, batch_id, codes, created_at)
        VALUES ('X-1', '\(unit)', 'counter-quick', '\(version)', 'paper', \(batch), \(codes), '2026-12-06T00:00:00Z')
        """
    }
    let refusals: [(sql: String, postgres: String)] = [
        (insert(unit: "ZZ99", version: counter.version, batch: "NULL"), "response X-1 names unit ZZ99, which the store does not hold"),
        (insert(unit: unit, version: "1999.1", batch: "NULL"), "response X-1 names questionnaire counter-quick 1999.1, which the store does not hold"),
        (insert(unit: unit, version: counter.version, batch: "999"), "response X-1 names batch 999, which the store does not hold"),
        ("DELETE FROM units WHERE code = '\(unit)'", "unit \(unit) is referenced by stored responses"),
        ("UPDATE units SET code = 'XA77' WHERE code = '\(unit)'", "unit \(unit) is referenced by stored responses"),
        ("DELETE FROM questionnaires", "questionnaire counter-quick \(counter.version) is referenced by stored responses"),
        ("DELETE FROM batches", "batch 1 is referenced by stored responses"),
    ]
    for (sql, message) in refusals {
        let error = #expect(throws: (any Error).self, "\(sql)") { try bypass(store, sql) }
        let text = "\(error.map { "\($0)" } ?? "")"
        #expect(text.contains(kind == .postgres ? message : "FOREIGN KEY constraint failed"), "\(sql): \(text)")
    }
    #expect(try store.responses(questionnaire: counter).table.count == 3)
    // A response naming what the store holds is taken.
    try bypass(store, insert(unit: unit, version: counter.version, batch: "1"))
}

@Test(arguments: StoreKind.allCases) func dossierCodesAreStoredOnlyAsKeyedHashes(kind: StoreKind) throws {
    let store = try temporaryStore(kind)
    let h1 = try store.dossierHash("HS-2026-000123")
    #expect(h1 == (try store.dossierHash(" hs-2026-000123 ")))
    #expect(h1.count == 64 && !h1.contains("000123"))
    // Another store has another key: the same code hashes differently.
    #expect(h1 != (try temporaryStore(kind).dossierHash("HS-2026-000123")))
    let table = SyntheticResponses(count: 2, units: 1, seed: 6).generate(counter)
    var b = batch(table)
    b.dossierHashes = [h1, h1]
    let error = #expect(throws: StreamedImportError.self) { try store.importBatch(b) }
    #expect(error?.description.contains("already been rated") == true)
}

@Test(arguments: StoreKind.allCases) func aQuestionnaireChangedUnderTheSameVersionIsRefused(kind: StoreKind) throws {
    let store = try temporaryStore(kind)
    _ = try store.importBatch(batch(SyntheticResponses(count: 3, units: 1, seed: 7).generate(counter)))
    var b = batch(SyntheticResponses(count: 3, units: 1, seed: 8).generate(counter), name: "d.csv")
    b.questionnaireYAML = counterYAML + "\n# edited\n"
    let error = #expect(throws: StreamedImportError.self) { try store.importBatch(b) }
    #expect(error?.description.contains("new version") == true)
}

@Test(arguments: StoreKind.allCases) func freeTextWithQuotesLineBreaksAndVietnameseSurvivesTheStore(kind: StoreKind) throws {
    let store = try temporaryStore(kind)
    let q = try Questionnaire(yaml: try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Questionnaires/sipas-2023.yaml"), encoding: .utf8), file: "sipas-2023.yaml")
    let yaml = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Questionnaires/sipas-2023.yaml"), encoding: .utf8)
    var table = ResponseTable(questionnaire: q)
    let tricky = "Cán bộ \"rất\" nhiệt tình,\nnhưng chờ lâu\t\\ =1+1 \u{1}"
    table.append(ResponseTable.Metadata(formID: "T1", unit: "XA01"), texts: ["comment": tricky])
    _ = try store.importBatch(TestBatch(fileName: "t.csv", sha256: "t", source: .paper, table: table, questionnaireYAML: yaml))
    let back = try store.responses(questionnaire: q).table
    #expect(back.texts["comment"]?[0] == tricky)
}

@Test(arguments: StoreKind.allCases) func aLargeReadCrossesTheTransposeBlocksIntact(kind: StoreKind) throws {
    // Answers are read 4,096 rows at a time, handed from the thread stepping SQLite to the one
    // building columns (at most four batches in flight), and transposed into columns: 20,000 rows
    // are four full batches and a partial one, so the stepping thread waits for an emptied batch;
    // the period filter takes both the index path and the scan path.
    let rows = 20_000
    let store = try temporaryStore(kind)
    let table = SyntheticResponses(count: rows, units: 3, seed: 11).generate(counter)
    _ = try store.importBatch(batch(table))
    let back = try store.responses(questionnaire: counter).table
    #expect(back.count == rows)
    #expect(back.formID == table.formID && back.codes == table.codes && back.picks == table.picks && back.collectedOn == table.collectedOn)
    #expect((0..<rows).allSatisfy { back.unit[$0] == table.unit[$0] && back.channel[$0] == table.channel[$0] && back.field[$0] == table.field[$0] })
    let dates = table.collectedOn.compactMap { $0 }.sorted()
    for cut in [dates[dates.count / 50], dates[dates.count / 2]] {
        let kept = (0..<rows).filter { (table.collectedOn[$0] ?? "9") <= cut }
        let early = try store.responses(questionnaire: counter, filter: ResponseFilter(to: cut)).table
        #expect(early.formID == kept.map { table.formID[$0] })
        #expect(early.codes == table.codes.mapValues { column in kept.map { column[$0] } })
    }
}

/// Scanned pages' images go in with their batch, in its transaction: kept when it commits, gone
/// with it when it is a dry run or refused, and never changed or deleted afterwards.
@Test(arguments: StoreKind.allCases) func pageImagesAreStoredWithTheirBatchOnly(kind: StoreKind) throws {
    let store = try temporaryStore(kind)
    let table = SyntheticResponses(count: 2, units: 1, seed: 6).generate(counter)
    func scanned(_ name: String, _ table: ResponseTable, images: [PageImage]) -> StreamedBatch {
        var b = StreamedBatch(fileName: name, sha256: UUID().uuidString, source: .paper, questionnaire: counter, questionnaireYAML: counterYAML,
                              importedBy: nil, firstDataRow: 1) { try $0(ImportPiece(table)) }
        b.pageImages = images
        return b
    }
    let first = [PageImage(formID: table.formID[0], page: 1, jpeg: [0xFF, 0xD8, 1]), PageImage(formID: table.formID[1], page: 1, jpeg: [0xFF, 0xD8, 2])]
    _ = try store.importStreamed([scanned("a.pdf", table, images: first)], dryRun: true, progress: nil)
    #expect(try store.pageImages(formID: nil).isEmpty, "a dry run keeps no image")
    let result = try store.importStreamed([scanned("a.pdf", table, images: first)])
    let stored = try store.pageImages(formID: nil)
    #expect(stored.map(\.image) == first && stored.allSatisfy { $0.batchID == result[0].batchID && $0.fileName == "a.pdf" })
    #expect(try store.pageImages(formID: table.formID[1]).map(\.image) == [first[1]])
    // A batch refused (its forms stored before): its images are not kept either.
    let again = [PageImage(formID: table.formID[0], page: 2, jpeg: [0xFF, 0xD8, 3])]
    #expect(throws: StreamedImportError.self) { try store.importStreamed([scanned("b.pdf", table, images: again)]) }
    #expect(try store.pageImages(formID: nil).count == 2)
    #expect(throws: (any Error).self) { try bypass(store, "UPDATE page_images SET jpeg = jpeg") }
    #expect(throws: (any Error).self) { try bypass(store, "DELETE FROM page_images") }
    #expect(try store.pageImages(formID: nil).count == 2)
}
