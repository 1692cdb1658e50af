import Foundation
import SIPASModel
import SIPASStoring
import SIPASSynthetic
import TestSupport
import Testing

@testable import SIPASStore

// The PostgreSQL import's two fast paths against the SQLite store as the reference: rows go by
// COPY until one is refused (then the file goes again form by form, to name it), and a load at
// least as large as the store drops the responses' secondary indexes and builds them again before
// the commit (then a refused form sends the whole import back form by form). Each scenario runs on
// SQLite, on PostgreSQL as configured by default, and on PostgreSQL taking the bulk path from its
// first piece: the same forms stored, the same refusals word for word, nothing stored on refusal.

/// The three stores a scenario runs on.
enum ImportPath: String, CaseIterable, CustomStringConvertible {
    case sqlite, postgresCopy, postgresBulk
    var description: String { rawValue }

    func store() throws -> any SurveyStore {
        switch self {
        case .sqlite: return try temporaryStore()
        case .postgresCopy: return try PostgresStore(url: try PostgresTestServer.freshDatabase(), create: true)
        case .postgresBulk: return try PostgresStore(url: try PostgresTestServer.freshDatabase(), create: true, bulkLoadMinimum: 1)
        }
    }
}

/// A file of `table` read in pieces of `pieceSize` forms (as the CSV reader hands them over).
func piecewise(_ table: ResponseTable, name: String, pieceSize: Int, dossiers: [String?]? = nil) -> StreamedBatch {
    StreamedBatch(fileName: name, sha256: UUID().uuidString, source: .import, questionnaire: table.questionnaire, questionnaireYAML: counterYAML,
                  importedBy: "test", firstDataRow: 2) { consumer in
        var start = 0
        while start < table.count {
            let rows = Array(start..<min(table.count, start + pieceSize))
            try consumer(ImportPiece(table.select(rows), dossierHashes: dossiers.map { d in rows.map { d[$0] } }))
            start += pieceSize
        }
    }
}

/// What an import left: its refusal (nil when it was stored) and every stored form.
struct ImportOutcome: Equatable {
    var refusal: String?
    var formIDs: [String]
    var units: [String?]
    var codes: [String: [UInt8]]
    var texts: [String: [String?]]
}

func outcome(_ store: any SurveyStore, _ batches: [StreamedBatch], dryRun: Bool = false) throws -> ImportOutcome {
    var refusal: String?
    do {
        _ = try store.importStreamed(batches, dryRun: dryRun, progress: nil)
    } catch let error as StreamedImportError {
        refusal = error.description
    }
    let back = try store.responses(questionnaire: counter).table
    return ImportOutcome(refusal: refusal, formIDs: back.formID, units: (0..<back.count).map { back.unit[$0] }, codes: back.codes, texts: back.texts)
}

/// Forms with a backslash, tab and line break where COPY's text format escapes them, and a unit
/// that first appears in the last piece (the COPY ends so that the unit is stored before it).
func trickyTable(count: Int) -> ResponseTable {
    var table = SyntheticResponses(count: count, units: 2, seed: 31).generate(counter)
    table.append(ResponseTable.Metadata(formID: #"BS\1"#, unit: "XA01", collectedOn: table.collectedOn[0]), codes: ["overall": 1])
    table.append(ResponseTable.Metadata(formID: "LATE-1", unit: #"XA\09"#, collectedOn: table.collectedOn[0]), codes: ["overall": 2])
    return table
}

@Test(arguments: ImportPath.allCases) func copyAndBulkPathsStoreWhatSQLiteStores(path: ImportPath) throws {
    let table = trickyTable(count: 250)
    let reference = try outcome(try temporaryStore(), [piecewise(table, name: "a.csv", pieceSize: 100)])
    #expect(reference.refusal == nil && reference.formIDs.count == 252)
    let store = try path.store()
    let got = try outcome(store, [piecewise(table, name: "a.csv", pieceSize: 100)])
    #expect(got == reference)
    if let pg = store as? PostgresStore {
        // The bulk path built every index again: the same ones, defined alike, as a new store's.
        let fresh = try PostgresStore(url: try PostgresTestServer.freshDatabase(), create: true)
        let indexes = "SELECT string_agg(indexdef, E'\\n' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'responses'"
        #expect(try PostgresTestServer.psql(pg.address.description, indexes) == PostgresTestServer.psql(fresh.address.description, indexes))
        #expect(try PostgresTestServer.psql(pg.address.description, indexes).contains("responses_current_form"))
    }
}

@Test(arguments: ImportPath.allCases) func aFormRefusedInALaterPieceIsNamedAsSQLiteNamesIt(path: ImportPath) throws {
    // Stored before: file a. Then file b: new forms over three pieces, a form of a in its second
    // piece and a form repeated within b in its third; b is refused whole, every refusal named.
    let a = SyntheticResponses(count: 40, units: 2, seed: 4).generate(counter)
    var fresh = ResponseTable(questionnaire: counter)
    for i in 0..<250 {
        fresh.append(ResponseTable.Metadata(formID: "B-\(i)", unit: i % 3 == 0 ? "XA01" : "XA02", collectedOn: a.collectedOn[i % 40]), codes: ["overall": 2])
    }
    let b = fresh.select(Array(0..<120)).appending(a.select([3])).appending(fresh.select(Array(120..<250))).appending(fresh.select([10]))
    func run(_ store: any SurveyStore) throws -> (ImportOutcome, ImportOutcome) {
        (try outcome(store, [piecewise(a, name: "a.csv", pieceSize: 100)]), try outcome(store, [piecewise(b, name: "b.csv", pieceSize: 100)]))
    }
    let (referenceA, referenceB) = try run(try temporaryStore())
    #expect(referenceA.refusal == nil)
    #expect(referenceB.refusal?.contains("b.csv, row 122: form id '\(a.formID[3])' already exists") == true)
    #expect(referenceB.refusal?.contains("b.csv, row 253: form id 'B-10'") == true)
    #expect(referenceB.refusal?.components(separatedBy: "\n").count == 2)
    #expect(referenceB.formIDs == referenceA.formIDs)
    let (gotA, gotB) = try run(try path.store())
    #expect(gotA == referenceA)
    #expect(gotB == referenceB)
}

@Test(arguments: ImportPath.allCases) func aDossierRatedTwiceInOneFileIsNamedOnEveryPath(path: ImportPath) throws {
    let table = SyntheticResponses(count: 230, units: 1, seed: 8).generate(counter)
    var dossiers = [String?](repeating: nil, count: table.count)
    dossiers[5] = String(repeating: "a", count: 64)
    dossiers[205] = dossiers[5]
    let reference = try outcome(try temporaryStore(), [piecewise(table, name: "d.csv", pieceSize: 100, dossiers: dossiers)])
    #expect(reference.refusal?.contains("d.csv, row 207: this dossier (mã hồ sơ) has already been rated") == true)
    #expect(reference.formIDs.isEmpty)
    #expect(try outcome(try path.store(), [piecewise(table, name: "d.csv", pieceSize: 100, dossiers: dossiers)]) == reference)
}

@Test func aBulkDryRunAndABulkRefusalLeaveTheStoreAsItWas() throws {
    let store = try ImportPath.postgresBulk.store() as! PostgresStore
    let indexes = "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'responses'"
    let before = try PostgresTestServer.psql(store.address.description, indexes)
    let table = SyntheticResponses(count: 300, units: 2, seed: 12).generate(counter)
    let dry = try outcome(store, [piecewise(table, name: "a.csv", pieceSize: 100)], dryRun: true)
    #expect(dry.refusal == nil && dry.formIDs.isEmpty)
    #expect(try PostgresTestServer.psql(store.address.description, indexes) == before)
    let refused = try outcome(store, [piecewise(table.appending(table.select([0])), name: "a.csv", pieceSize: 100)])
    #expect(refused.refusal?.contains("a.csv, row 302: form id '\(table.formID[0])' already exists for unit") == true)
    #expect(refused.formIDs.isEmpty)
    #expect(try PostgresTestServer.psql(store.address.description, indexes) == before)
    // The same file without the repeat then goes in, and the store holds it once.
    #expect(try outcome(store, [piecewise(table, name: "a.csv", pieceSize: 100)]).formIDs == table.formID)
    #expect(try PostgresTestServer.psql(store.address.description, indexes) == before)
}

extension ResponseTable {
    func appending(_ other: ResponseTable) -> ResponseTable {
        var copy = self
        copy.append(contentsOf: other)
        return copy
    }
}

@Test func aResponseRecordIsReadFieldByFieldAndACutOneIsAnError() throws {
    // record_send's layout, built by hand: 3 fields — text "ab", NULL, int8 7.
    var bytes: [UInt8] = [0, 0, 0, 3]
    bytes += [0, 0, 0, 25, 0, 0, 0, 2] + Array("ab".utf8)
    bytes += [0, 0, 0, 25, 0xFF, 0xFF, 0xFF, 0xFF]
    bytes += [0, 0, 0, 20, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 7]
    var seen: [String?] = []
    let id = try bytes.withUnsafeBytes { raw in
        try PostgresStore.readRecord(raw, fields: 3) { _, field in seen.append(field.map { String(decoding: $0, as: UTF8.self) }) }
    }
    #expect(id == 7)
    #expect(seen.count == 3 && seen[0] == "ab" && seen[1] == nil)
    for cut in [0, 3, 9, 13, bytes.count - 1] {
        #expect(throws: StoreError.self, "cut at \(cut)") {
            try Array(bytes.prefix(cut)).withUnsafeBytes { raw in _ = try PostgresStore.readRecord(raw, fields: 3) { _, _ in } }
        }
    }
    #expect(throws: StoreError.self) { try bytes.withUnsafeBytes { raw in _ = try PostgresStore.readRecord(raw, fields: 4) { _, _ in } } }
}

@Test(arguments: ImportPath.allCases) func aFormRefusedLateInALargeFileIsNamedAndNothingStays(path: ImportPath) throws {
    // Pieces of megabytes (a COPY's rows go in one write, more than the connection's buffer
    // holds): a form stored before, in the middle of the second piece, ends the import with its
    // name, on every path, and the store keeps only what it held.
    let big = SyntheticResponses(count: 40_000, units: 3, seed: 17).generate(counter)
    let before = big.select([30_000])
    func run(_ store: any SurveyStore) throws -> ImportOutcome {
        _ = try outcome(store, [piecewise(before, name: "one.csv", pieceSize: 10)])
        return try outcome(store, [piecewise(big, name: "big.csv", pieceSize: 20_000)])
    }
    let reference = try run(try temporaryStore())
    #expect(reference.refusal?.contains("big.csv, row 30002: form id '\(big.formID[30_000])' already exists") == true)
    #expect(reference.formIDs == [big.formID[30_000]])
    #expect(try run(try path.store()) == reference)
}
