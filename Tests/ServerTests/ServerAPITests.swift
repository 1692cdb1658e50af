import Crypto
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SIPASKiosk
import SIPASModel
import SIPASServer
import SIPASStore
import SIPASStoring
import TestSupport
import Testing

enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres
    var description: String { rawValue }
}

/// A server's store with counter-quick recorded and two kiosks' tokens: quay-1 of XA01, quay-2 of XA02.
struct ServerFixture: @unchecked Sendable {
    var store: any SurveyStore
    var form: KioskForm
    var server: KioskServer
    var tokens: [String: String]

    static let staff = "staff-token-0123456789"
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    init(_ kind: StoreKind) throws {
        switch kind {
        case .sqlite:
            store = try ResponseStore(path: FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString).sqlite").path, create: true)
        case .postgres:
            // As `sipas serve` opens it: reads on connections of their own beside the writer's.
            store = try PostgresStore(url: try PostgresTestServer.freshDatabase(), create: true, readConnections: 4)
        }
        let url = Self.root.appendingPathComponent("Questionnaires/counter-quick.yaml")
        let yaml = try String(contentsOf: url, encoding: .utf8)
        form = try KioskForm(questionnaire: try Questionnaire(yaml: yaml, file: url.path))
        try store.registerQuestionnaire(form.questionnaire, yaml: yaml)
        tokens = [:]
        for (kiosk, unit) in [("quay-1", "XA01"), ("quay-2", "XA02")] {
            let token = "token-of-\(kiosk)-" + UUID().uuidString
            try store.addKioskToken(KioskToken(kiosk: kiosk, unit: unit, tokenHash: KioskToken.hash(of: token), createdAt: "2026-12-01T08:00:00Z"))
            tokens[kiosk] = token
        }
        server = KioskServer(store: store, forms: [form], host: "127.0.0.1", port: 0, staffToken: Self.staff, unitNames: ["XA01": "Xã Định Hóa"])
    }

    /// One SQL answer read through another client (psql, or GRDB on the file), as text.
    func sql(_ query: String) throws -> String {
        if let pg = store as? PostgresStore { return try PostgresTestServer.psql(pg.address.description, query).trimmingCharacters(in: .whitespacesAndNewlines) }
        return try DatabaseQueue(path: store.location).read { db in
            try Row.fetchAll(db, sql: query).map { row in row.databaseValues.map { $0.isNull ? "" : "\($0.storage.value!)" }.joined(separator: "|") }
                .joined(separator: "\n")
        }
    }

    func bypass(_ statement: String) throws {
        if let pg = store as? PostgresStore {
            _ = try PostgresTestServer.psql(pg.address.description, statement)
        } else {
            try DatabaseQueue(path: store.location).write { try $0.execute(sql: statement) }
        }
    }

    var storedRatings: Int { get throws { Int(try sql("SELECT count(*) FROM responses")) ?? -1 } }
}

/// A rating as a kiosk's outbox sends it (JSON text).
func rating(_ id: String, unit: String = "XA01", minute: String = "2026-12-06 09:41", answers: String = #"{"overall": 3}"#, dossier: String? = nil) -> String {
    #"{"id": "\#(id)", "unit": "\#(unit)", "minute": "\#(minute)", "field": "dat-dai", "channel": "truc-tiep", "answers": \#(answers)"#
        + (dossier.map { #", "dossier_hash": "\#($0)""# } ?? "") + "}"
}

func batch(_ ratings: [String], additions: [String] = [], version: String = "2026.1") -> String {
    #"{"questionnaire": {"id": "counter-quick", "version": "\#(version)"}, "ratings": [\#(ratings.joined(separator: ", "))]"#
        + (additions.isEmpty ? "" : #", "additions": [\#(additions.joined(separator: ", "))]"#) + "}"
}

/// The server's API in process (Hummingbird's router tests: no socket), over SQLite and PostgreSQL.
@Suite struct ServerAPITests {
    static func post(_ client: any TestClientProtocol, _ body: String, token: String?, uri: String = "/api/v1/ratings") async throws -> (HTTPResponse.Status, String) {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        let r = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
        #expect(r.headers[.contentType] == "application/json; charset=utf-8")
        return (r.status, String(buffer: r.body))
    }

    static func get(_ client: any TestClientProtocol, _ uri: String, token: String?) async throws -> (HTTPResponse.Status, String) {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        let r = try await client.execute(uri: uri, method: .get, headers: headers)
        return (r.status, String(buffer: r.body))
    }

    @Test("a batch is stored once: its retry is answered held and stores nothing", arguments: StoreKind.allCases)
    func batchIsStoredOnce(kind: StoreKind) async throws {
        let f = try ServerFixture(kind)
        let token = f.tokens["quay-1"]!
        let body = batch([rating("q1-0000001"), rating("q1-0000002", minute: "2026-12-05 16:59", answers: #"{"overall": 1, "staff": 2, "time": 1}"#)])
        try await f.server.application().test(.router) { client in
            let first = try await Self.post(client, body, token: token)
            #expect(first.0 == .ok)
            #expect(first.1 == #"{"additions":{"added":0,"held":0},"kiosk":"quay-1","ratings":[{"id":"q1-0000001","status":"created"},{"id":"q1-0000002","status":"created"}]}"#)
            let again = try await Self.post(client, body, token: token)
            #expect(again.0 == .ok)
            #expect(again.1 == #"{"additions":{"added":0,"held":0},"kiosk":"quay-1","ratings":[{"id":"q1-0000001","status":"held"},{"id":"q1-0000002","status":"held"}]}"#)
            // A batch mixing a held rating and a new one stores the new one only.
            let mixed = try await Self.post(client, batch([rating("q1-0000002", minute: "2026-12-05 16:59", answers: #"{"overall": 1, "staff": 2, "time": 1}"#), rating("q1-0000003")]), token: token)
            #expect(mixed.1.contains(#"{"id":"q1-0000002","status":"held"},{"id":"q1-0000003","status":"created"}"#), "\(mixed)")
        }
        // What is stored, read by another client: the kiosk's own minute and day, the token's kiosk, the answers.
        #expect(try f.storedRatings == 3)
        #expect(try f.sql("SELECT idempotency_key, kiosk_id, unit, collected_on, collected_at, field, channel, source FROM responses ORDER BY idempotency_key") == """
            q1-0000001|quay-1|XA01|2026-12-06|2026-12-06 09:41|dat-dai|truc-tiep|kiosk
            q1-0000002|quay-1|XA01|2026-12-05|2026-12-05 16:59|dat-dai|truc-tiep|kiosk
            q1-0000003|quay-1|XA01|2026-12-06|2026-12-06 09:41|dat-dai|truc-tiep|kiosk
            """)
        // counter-quick codes overall, staff, time, result in this order: one byte each.
        let codes = kind == .postgres
            ? try f.sql("SELECT encode(codes, 'hex') FROM responses WHERE idempotency_key = 'q1-0000002'")
            : try f.sql("SELECT hex(codes) FROM responses WHERE idempotency_key = 'q1-0000002'").lowercased()
        #expect(codes == "01000000")
        #expect(try f.sql("SELECT item, code FROM response_additions ORDER BY item") == "staff|2\ntime|1")
    }

    @Test("follow-up answers sent after their rating: added once, held on retry, a changed one refused", arguments: StoreKind.allCases)
    func additions(kind: StoreKind) async throws {
        let f = try ServerFixture(kind)
        let token = f.tokens["quay-1"]!
        try await f.server.application().test(.router) { client in
            _ = try await Self.post(client, batch([rating("q1-0000001", answers: #"{"overall": 2, "staff": 3}"#)]), token: token)
            let add = batch([], additions: [#"{"rating": "q1-0000001", "item": "time", "code": 2}"#, #"{"rating": "q1-0000001", "item": "staff", "code": 3}"#])
            let first = try await Self.post(client, add, token: token)
            #expect(first.1 == #"{"additions":{"added":1,"held":1},"kiosk":"quay-1","ratings":[]}"#)
            let again = try await Self.post(client, add, token: token)
            #expect(again.1 == #"{"additions":{"added":0,"held":2},"kiosk":"quay-1","ratings":[]}"#)
            let changed = try await Self.post(client, batch([], additions: [#"{"rating": "q1-0000001", "item": "time", "code": 3}"#]), token: token)
            #expect(changed.0 == .unprocessableContent)
            #expect(changed.1 == #"{"error":"answer to rating q1-0000001: 'time' was received before as 2, now 3; nothing of this batch was stored"}"#)
            // Another kiosk cannot add to quay-1's rating: it does not exist under quay-2.
            let foreign = try await Self.post(client, batch([], additions: [#"{"rating": "q1-0000001", "item": "result", "code": 1}"#]), token: f.tokens["quay-2"]!)
            #expect(foreign.0 == .unprocessableContent)
            #expect(foreign.1 == #"{"error":"answer to rating q1-0000001: no rating with this id was received from kiosk quay-2; nothing of this batch was stored"}"#)
        }
        #expect(try f.sql("SELECT item, code FROM response_additions ORDER BY item") == "staff|3\ntime|2")
    }

    @Test("a dossier rated at another kiosk is answered, not stored, and the rest of the batch is", arguments: StoreKind.allCases)
    func dossierRatedElsewhere(kind: StoreKind) async throws {
        let f = try ServerFixture(kind)
        let hash = String(repeating: "ab", count: 32)
        try await f.server.application().test(.router) { client in
            _ = try await Self.post(client, batch([rating("q2-0000001", unit: "XA02", dossier: hash)]), token: f.tokens["quay-2"]!)
            let r = try await Self.post(client, batch([rating("q1-0000001", dossier: hash), rating("q1-0000002")]), token: f.tokens["quay-1"]!)
            #expect(r.0 == .ok)
            #expect(r.1.contains(#"[{"id":"q1-0000001","status":"dossier-already-rated"},{"id":"q1-0000002","status":"created"}]"#), "\(r)")
        }
        #expect(try f.sql("SELECT idempotency_key FROM responses ORDER BY idempotency_key") == "q1-0000002\nq2-0000001")
    }

    @Test("refusals: no token, a wrong, revoked or other unit's token, oversized, malformed, a changed replay; nothing stored", arguments: StoreKind.allCases)
    func refusals(kind: StoreKind) async throws {
        let f = try ServerFixture(kind)
        let token = f.tokens["quay-1"]!
        let stored = rating("q1-0000001")
        try await f.server.application().test(.router) { client in
            #expect(try await Self.post(client, batch([stored]), token: token).0 == .ok)
            let fresh = batch([rating("q1-0000099")])
            func refused(_ body: String, token: String?, _ status: HTTPResponse.Status, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
                let r = try await Self.post(client, body, token: token)
                #expect(r.0 == status, sourceLocation: sourceLocation)
                #expect(r.1 == #"{"error":"\#(message)"}"#, sourceLocation: sourceLocation)
            }
            try await refused(fresh, token: nil, .unauthorized, "a kiosk token is required (Authorization: Bearer TOKEN; sipas token add issues one)")
            try await refused(fresh, token: "not-a-token-of-this-server", .unauthorized, "this kiosk token is not known to the server (sipas token list shows the kiosks)")
            try await refused(
                batch([rating("q1-0000099", unit: "XA02")]), token: token, .forbidden,
                "ratings[0] (id q1-0000099) is for unit XA02, but the token of kiosk 'quay-1' writes ratings for unit XA01 only")
            try await refused("{\"questionnaire\": {", token: token, .badRequest, "the body is not valid JSON")
            try await refused(#"{"ratings": []}"#, token: token, .unprocessableContent, "the body lacks 'questionnaire' (see README: sync API)")
            try await refused(
                batch([#"{"id": "q1-0000099", "unit": "XA01", "minute": "2026-12-06 09:41", "answers": {"overall": "3"}}"#]), token: token,
                .unprocessableContent, "'ratings[0].answers.overall' has the wrong type (see README: sync API)")
            try await refused(
                batch([rating("q1-0000099")], version: "2020.1"), token: token, .unprocessableContent,
                "this server takes ratings of counter-quick 2026.1, not counter-quick 2020.1")
            try await refused(
                batch([rating("q1-0000099", minute: "2026-02-30 09:41")]), token: token, .unprocessableContent,
                "ratings[0] (id q1-0000099): 'minute' must be the local time as yyyy-MM-dd HH:mm, not '2026-02-30 09:41'")
            try await refused(
                batch([rating("q1-0000099", answers: #"{"overall": 4}"#)]), token: token, .unprocessableContent,
                "ratings[0] (id q1-0000099): 'overall' must be one of 1, 2, 3, not 4")
            try await refused(
                batch([rating("q1-0000099", answers: #"{"staff": 2}"#)]), token: token, .unprocessableContent,
                "ratings[0] (id q1-0000099): the answer to 'overall' is required")
            try await refused(batch([rating("short")]), token: token, .unprocessableContent, "ratings[0]: 'id' must be 8 to 128 letters, digits, - or _")
            // Too many ratings, and too many bytes.
            let many = (0...500).map { rating(String(format: "q1-m%07d", $0)) }
            try await refused(batch(many), token: token, HTTPResponse.Status(code: 413), "a batch holds at most 500 ratings; this one has 501: send it in parts")
            let huge = batch([rating("q1-0000099")]) + String(repeating: " ", count: KioskServer.maxBody)
            try await refused(huge, token: token, HTTPResponse.Status(code: 413), "the request body is larger than 262144 bytes: send the outbox in smaller batches")
            // A replay with changed content, after a new rating in the same batch: the whole batch is refused.
            try await refused(
                batch([rating("q1-0000099"), rating("q1-0000001", answers: #"{"overall": 1}"#)]), token: token, .unprocessableContent,
                "rating q1-0000001 was received before with other content (answer to 'overall' differs); a rating's id is never reused; nothing of this batch was stored")
            try await refused(
                batch([rating("q1-0000001", minute: "2026-12-06 09:42")]), token: token, .unprocessableContent,
                "rating q1-0000001 was received before with other content (time 2026-12-06 09:41, now 2026-12-06 09:42); a rating's id is never reused; nothing of this batch was stored")
            // Revoked: refused from the next call on.
            #expect(try f.store.revokeKioskToken(kiosk: "quay-1", at: "2026-12-06T10:00:00Z"))
            try await refused(fresh, token: token, .unauthorized, "the token of kiosk 'quay-1' was revoked at 2026-12-06T10:00:00Z; ask for a new one (sipas token add)")
            let who = try await Self.get(client, "/api/v1/kiosk", token: token)
            #expect(who.0 == .unauthorized)
        }
        #expect(try f.sql("SELECT idempotency_key FROM responses") == "q1-0000001")
    }

    @Test("the status needs the staff token and counts each kiosk's ratings", arguments: StoreKind.allCases)
    func status(kind: StoreKind) async throws {
        let f = try ServerFixture(kind)
        let today = KioskClock.dayAndMinute(Date()).day
        try await f.server.application().test(.router) { client in
            _ = try await Self.post(client, batch([rating("q1-0000001", minute: today + " 08:00"), rating("q1-0000002", minute: "2026-01-05 08:00")]), token: f.tokens["quay-1"]!)
            #expect(try await Self.get(client, "/api/v1/status", token: nil).0 == .unauthorized)
            #expect(try await Self.get(client, "/api/v1/status", token: f.tokens["quay-1"]!).0 == .unauthorized)
            let r = try await Self.get(client, "/api/v1/status", token: ServerFixture.staff)
            #expect(r.0 == .ok)
            let json = try JSONSerialization.jsonObject(with: Data(r.1.utf8)) as! [String: Any]
            let kiosks = json["kiosks"] as! [[String: Any]]
            #expect(json["day"] as? String == today)
            #expect(kiosks.map { $0["kiosk"] as! String } == ["quay-1", "quay-2"])
            #expect(kiosks.map { $0["today"] as! Int } == [1, 0])
            #expect(kiosks.map { $0["total"] as! Int } == [2, 0])
            #expect(kiosks[0]["unit_name"] as? String == "Xã Định Hóa")
            #expect(kiosks[1]["last_received"] == nil)
            let page = try await Self.get(client, "/", token: nil)
            #expect(page.0 == .ok && page.1.contains("Máy chủ kiosk đánh giá sự hài lòng"))
        }
    }

    @Test("a token is kept as its SHA-256 only, and a revoked token stays revoked", arguments: StoreKind.allCases)
    func tokensAreHashes(kind: StoreKind) throws {
        let f = try ServerFixture(kind)
        let token = f.tokens["quay-1"]!
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)")
        try Data(token.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let expected = String(try tool("sha256sum", [file.path]).prefix(64))
        #expect(try f.sql("SELECT token_hash FROM kiosk_tokens WHERE kiosk = 'quay-1'") == expected)
        let everything = try f.sql("SELECT * FROM kiosk_tokens")
        #expect(!everything.contains(token))
        #expect(throws: (any Error).self) { try f.store.addKioskToken(KioskToken(kiosk: "quay-1", unit: "XA01", tokenHash: "x", createdAt: "2026-12-06T00:00:00Z")) }
        #expect(try f.store.revokeKioskToken(kiosk: "quay-1", at: "2026-12-06T10:00:00Z"))
        #expect(try !f.store.revokeKioskToken(kiosk: "quay-1", at: "2026-12-06T11:00:00Z"))
        #expect(throws: (any Error).self) { try f.bypass("UPDATE kiosk_tokens SET revoked_at = NULL") }
        #expect(throws: (any Error).self) { try f.bypass("DELETE FROM kiosk_tokens") }
        #expect(try f.store.kioskToken(hash: expected)?.revokedAt == "2026-12-06T10:00:00Z")
        // A new token for the same kiosk after the old one was revoked.
        try f.store.addKioskToken(KioskToken(kiosk: "quay-1", unit: "XA01", tokenHash: KioskToken.hash(of: "new"), createdAt: "2026-12-06T12:00:00Z"))
        #expect(try f.store.kioskTokens().filter { $0.kiosk == "quay-1" }.map { $0.revokedAt == nil } == [false, true])
    }

    @Test("the dossier key: for a kiosk's token, over TLS or on loopback only; it is the key the server hashes with", arguments: StoreKind.allCases)
    func dossierKey(kind: StoreKind) async throws {
        let f = try ServerFixture(kind)
        let key = try await f.server.application().test(.router) { client in
            let none = try await Self.get(client, "/api/v1/dossier-key", token: nil)
            #expect(none.0 == .unauthorized)
            let r = try await Self.get(client, "/api/v1/dossier-key", token: f.tokens["quay-1"])
            #expect(r.0 == .ok)
            return (try JSONSerialization.jsonObject(with: Data(r.1.utf8)) as? [String: String])?["key"] ?? ""
        }
        // HMAC-SHA-256 under that key, computed here, is the hash the server stores for a dossier code.
        let bytes = try #require(Hex.decode(key))
        #expect(bytes.count == 32)
        let expected = Hex.encode(HMAC<SHA256>.authenticationCode(for: Data("HS-2026/0042".utf8), using: SymmetricKey(data: Data(bytes))))
        #expect(try f.store.dossierHash(" hs-2026/0042 ") == expected)
        // Reachable beyond this machine without TLS: not handed out.
        let open = KioskServer(store: f.store, forms: [f.form], host: "0.0.0.0", port: 0, staffToken: ServerFixture.staff)
        try await open.application().test(.router) { client in
            let r = try await Self.get(client, "/api/v1/dossier-key", token: f.tokens["quay-1"])
            #expect(r.0 == .forbidden)
            #expect(r.1 == #"{"error":"the dossier key is handed out over TLS only: start sipas serve with --tls-cert and --tls-key, or on 127.0.0.1 behind a TLS proxy"}"#)
        }
    }
}
