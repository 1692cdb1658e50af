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

/// Kiosks that ask for dossier codes and sync: they take the server's key, so that a dossier
/// rated at one kiosk is known when it is rated again at another.
@Suite struct DossierKeySyncTests {
    static func kiosk(_ f: ServerFixture, _ name: String, unit: String) throws -> (ResponseStore, KioskRecorder) {
        let local = try ResponseStore(path: FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-\(UUID().uuidString).sqlite").path, create: true)
        let yaml = try String(contentsOf: ServerFixture.root.appendingPathComponent("Questionnaires/counter-quick.yaml"), encoding: .utf8)
        var config = KioskConfig(unit: unit)
        config.kioskID = name
        config.minInterval = 0
        config.requireDossier = true
        return (local, try KioskRecorder(store: local, config: config, form: f.form, questionnaireYAML: yaml))
    }

    @Test("two kiosks hash one dossier alike: the second rating of it is refused by the server", arguments: StoreKind.allCases)
    func oneDossierTwoKiosks(kind: StoreKind) async throws {
        let f = try ServerFixture(kind)
        let (storeA, a) = try Self.kiosk(f, "quay-1", unit: "XA01")
        let (storeB, b) = try Self.kiosk(f, "quay-2", unit: "XA02")
        defer { a.close(); b.close() }
        try await f.server.application().test(.live) { client in
            let base = "http://127.0.0.1:\(client.port!)"
            let syncA = OutboxSync(outbox: storeA, client: try UpstreamClient(base: base, token: f.tokens["quay-1"]!), kioskID: "quay-1", unit: "XA01")
            let syncB = OutboxSync(outbox: storeB, client: try UpstreamClient(base: base, token: f.tokens["quay-2"]!), kioskID: "quay-2", unit: "XA02")
            #expect(try await syncA.adoptDossierKey())
            #expect(try await syncB.adoptDossierKey())
            // Both kiosks now hash as the server does (each store computes it; the server's own hash is the reference).
            #expect(try a.dossierHash("hs-2026/0042 ") == (try f.store.dossierHash("HS-2026/0042")))
            #expect(try b.dossierHash("HS-2026/0042") == (try f.store.dossierHash("HS-2026/0042")))
            guard case .created = a.submitAndWait(code: 3, dossierHash: try a.dossierHash("HS-2026/0042")),
                  case .created = b.submitAndWait(code: 1, dossierHash: try b.dossierHash("hs-2026/0042")),
                  case .created = b.submitAndWait(code: 2, dossierHash: try b.dossierHash("HS-2026/0043")) else {
                Issue.record("a kiosk did not store its rating")
                return
            }
            #expect(try await syncA.sendOnce())
            #expect(try await syncB.sendOnce())
            #expect(try ResponseStoreSQL.rows(storeB.path, "SELECT status FROM outbox_sent ORDER BY response_id") == "dossier-already-rated\ncreated")
            await syncA.client.shutdown()
            await syncB.client.shutdown()
        }
        #expect(try f.sql("SELECT kiosk_id FROM responses ORDER BY kiosk_id") == "quay-1\nquay-2")
    }

    @Test("a kiosk takes the key once: offline afterwards it goes on, never having had it it stops; hashes under its own key refuse it")
    func adoptionRules() async throws {
        let f = try ServerFixture(.sqlite)
        let (fresh, freshRecorder) = try Self.kiosk(f, "quay-1", unit: "XA01")
        let (old, oldRecorder) = try Self.kiosk(f, "quay-2", unit: "XA02")
        defer { freshRecorder.close(); oldRecorder.close() }
        // A store that rated dossiers under its own key already.
        guard case .created = oldRecorder.submitAndWait(code: 3, dossierHash: try oldRecorder.dossierHash("HS-1")) else { Issue.record("not stored"); return }
        let base = try await f.server.application().test(.live) { client in
            let base = "http://127.0.0.1:\(client.port!)"
            let sync = OutboxSync(outbox: fresh, client: try UpstreamClient(base: base, token: f.tokens["quay-1"]!), kioskID: "quay-1", unit: "XA01")
            #expect(try await sync.adoptDossierKey())
            await sync.client.shutdown()
            let refused = OutboxSync(outbox: old, client: try UpstreamClient(base: base, token: f.tokens["quay-2"]!), kioskID: "quay-2", unit: "XA02")
            await #expect(throws: KioskStoreError.self) { try await refused.adoptDossierKey() }
            await refused.client.shutdown()
            return base
        }
        #expect(try fresh.adoptedDossierKeySource() == base)
        #expect(try old.adoptedDossierKeySource() == nil)
        // The server is gone now: the kiosk that took its key goes on; one that never did cannot start.
        let offline = OutboxSync(outbox: fresh, client: try UpstreamClient(base: base, token: f.tokens["quay-1"]!), kioskID: "quay-1", unit: "XA01")
        #expect(try await !offline.adoptDossierKey())
        await offline.client.shutdown()
        let (never, neverRecorder) = try Self.kiosk(f, "quay-3", unit: "XA03")
        defer { neverRecorder.close() }
        let stuck = OutboxSync(outbox: never, client: try UpstreamClient(base: base, token: "unknown-token-000000"), kioskID: "quay-3", unit: "XA03")
        do {
            _ = try await stuck.adoptDossierKey()
            Issue.record("a kiosk without the key started offline")
        } catch {
            #expect("\(error)".contains("needs its server's dossier key once"), "\(error)")
        }
        await stuck.client.shutdown()
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
