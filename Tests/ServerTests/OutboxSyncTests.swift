import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import SIPASKiosk
import SIPASModel
import SIPASServer
import SIPASStore
import SIPASStoring
import SIPASSync
import Testing

/// A kiosk's outbox pushed to a live server (a real socket): every rating arrives once, a batch
/// whose answer was lost is answered `held`, follow-ups given later follow.
@Suite struct OutboxSyncTests {
    @Test("the outbox reaches the server once, through a lost answer and later follow-ups", arguments: StoreKind.allCases)
    func outboxReachesTheServerOnce(kind: StoreKind) async throws {
        let f = try ServerFixture(kind)
        let local = try ResponseStore(path: FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-\(UUID().uuidString).sqlite").path, create: true)
        let yaml = try String(contentsOf: ServerFixture.root.appendingPathComponent("Questionnaires/counter-quick.yaml"), encoding: .utf8)
        var config = KioskConfig(unit: "XA01")
        config.kioskID = "quay-1"
        config.minInterval = 0
        config.field = "dat-dai"
        let recorder = try KioskRecorder(store: local, config: config, form: f.form, questionnaireYAML: yaml)
        defer { recorder.close() }
        var ids: [Int64] = []
        for n in 0..<250 {
            guard case .created(let id) = recorder.submitAndWait(code: UInt8(n % 3 + 1), dossierHash: nil) else { Issue.record("not stored"); return }
            ids.append(id)
            if n % 10 == 0 { _ = try recorder.addAnswer(responseID: id, item: "staff", code: 2) }
        }
        let token = f.tokens["quay-1"]!
        let second = ids[1]
        try await f.server.application().test(.live) { client in
            let upstream = try UpstreamClient(base: "http://127.0.0.1:\(client.port!)", token: token)
            let sync = OutboxSync(outbox: local, client: upstream, kioskID: "quay-1", unit: "XA01")
            sync.maxRatings = 100
            // A batch the server commits but whose answer never reaches the kiosk: it stays queued.
            let lost = try local.outboxBatch(kioskID: "quay-1", maxRatings: 100, maxAdditions: 1000)
            #expect(try await upstream.send(lost).allSatisfy { $0 == "created" })
            #expect(try local.outboxState(kioskID: "quay-1").queuedRatings == 250)
            var batches = 0
            while try await sync.sendOnce() { batches += 1 }
            #expect(batches == 3)
            // A follow-up given after its rating left.
            _ = try recorder.addAnswer(responseID: second, item: "time", code: 1)
            #expect(try local.outboxState(kioskID: "quay-1") == OutboxState(queuedRatings: 0, queuedAdditions: 1, lastSync: try local.outboxState(kioskID: "quay-1").lastSync))
            #expect(try await sync.sendOnce())
            #expect(try await !sync.sendOnce())
            #expect(try local.outboxState(kioskID: "quay-1").queuedAdditions == 0)
            await upstream.shutdown()
        }
        // The server holds each rating once, under the kiosk's own ids and minutes, with its answers.
        #expect(try f.storedRatings == 250)
        let here = try ResponseStoreSQL.rows(local.path, "SELECT form_id, collected_at, hex(codes) FROM responses ORDER BY form_id")
        let there = kind == .postgres
            ? try f.sql("SELECT idempotency_key, collected_at, upper(encode(codes, 'hex')) FROM responses ORDER BY idempotency_key COLLATE \"C\"")
            : try f.sql("SELECT idempotency_key, collected_at, hex(codes) FROM responses ORDER BY idempotency_key")
        #expect(here == there)
        #expect(try f.sql("SELECT count(*) FROM response_additions WHERE item = 'staff'") == "25")
        #expect(try f.sql("SELECT count(*) FROM response_additions WHERE item = 'time'") == "1")
    }
}

/// Rows of the kiosk's own SQLite file, read by another connection.
enum ResponseStoreSQL {
    static func rows(_ path: String, _ query: String) throws -> String {
        try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: query).map { row in row.databaseValues.map { $0.isNull ? "" : "\($0.storage.value!)" }.joined(separator: "|") }
                .joined(separator: "\n")
        }
    }
}
