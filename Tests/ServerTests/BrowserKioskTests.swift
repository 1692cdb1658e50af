import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SIPASKiosk
import SIPASModel
import SIPASServer
import SIPASStore
import SIPASStoring
import Testing

/// Tablets as kiosks with no store of their own: `/kiosk#token=…` on the server, the page's API
/// under the kiosk's token, ratings straight into the server's store, settings from kiosk files.
@Suite struct BrowserKioskTests {
    static func server(_ f: ServerFixture, settings: [KioskConfig]) throws -> KioskServer {
        let yaml = try String(contentsOf: ServerFixture.root.appendingPathComponent("Questionnaires/counter-quick.yaml"), encoding: .utf8)
        let kiosks = BrowserKiosks(store: f.store, forms: [(f.form, yaml)], settings: settings, labels: try f.store.effectiveLabels(), unitNames: ["XA01": "Xã Định Hóa"])
        return KioskServer(store: f.store, forms: [f.form], host: "127.0.0.1", port: 0, staffToken: ServerFixture.staff, unitNames: ["XA01": "Xã Định Hóa"], browserKiosks: kiosks)
    }

    static func call(_ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String?, key: String? = nil, body: String? = nil) async throws -> (HTTPResponse.Status, [String: Any]) {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        let r = try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        return (r.status, (try? JSONSerialization.jsonObject(with: Data(String(buffer: r.body).utf8))) as? [String: Any] ?? [:])
    }

    @Test("the token's kiosk rates into the server's store; retries, follow-ups, its kiosk file, refusals", arguments: StoreKind.allCases)
    func browserKiosk(kind: StoreKind) async throws {
        let f = try ServerFixture(kind)
        var quay2 = KioskConfig(unit: "XA02")
        quay2.kioskID = "quay-2"
        quay2.field = "ho-tich"
        quay2.requireDossier = true
        quay2.minInterval = 0
        var quay1 = KioskConfig(unit: "XA01")
        quay1.kioskID = "quay-1"
        quay1.minInterval = 0
        let server = try Self.server(f, settings: [quay1, quay2])
        let one = f.tokens["quay-1"]!, two = f.tokens["quay-2"]!
        try await server.application().test(.router) { client in
            let page = try await client.execute(uri: "/kiosk", method: .get)
            #expect(page.status == .ok)
            #expect(String(buffer: page.body).contains("/api/responses"))
            #expect(try await Self.call(client, .get, "/api/config", token: nil).0 == .unauthorized)
            #expect(try await Self.call(client, .get, "/api/config", token: "not-a-token-of-this-server").0 == .unauthorized)
            let config = try await Self.call(client, .get, "/api/config", token: one)
            #expect(config.0 == .ok)
            #expect(config.1["kiosk"] as? String == "quay-1")
            #expect(config.1["unit"] as? String == "XA01")
            #expect(config.1["unit_name"] as? String == "Xã Định Hóa")
            #expect(config.1["require_dossier"] as? Bool == false)
            let rated = try await Self.call(client, .post, "/api/responses", token: one, key: "tablet-0000001", body: #"{"answers": {"overall": 3}}"#)
            #expect(rated.0 == .created)
            let id = try #require(rated.1["id"] as? Int)
            let again = try await Self.call(client, .post, "/api/responses", token: one, key: "tablet-0000001", body: #"{"answers": {"overall": 3}}"#)
            #expect(again.0 == .ok)
            #expect(again.1["id"] as? Int == id)
            let follow = try await Self.call(client, .post, "/api/responses/\(id)/answers", token: one, key: "tablet-0000001", body: #"{"answers": {"staff": 2}}"#)
            #expect(follow.0 == .ok)
            // quay-2's kiosk file: its field, dossier codes required.
            let config2 = try await Self.call(client, .get, "/api/config", token: two)
            #expect(config2.1["field"] as? String == "ho-tich")
            #expect(config2.1["require_dossier"] as? Bool == true)
            let noDossier = try await Self.call(client, .post, "/api/responses", token: two, key: "tablet-0000002", body: #"{"answers": {"overall": 1}}"#)
            #expect(noDossier.0 == .unprocessableContent)
            #expect(noDossier.1["error"] as? String == #"this kiosk requires the dossier code: add "dossier""#)
            #expect(try await Self.call(client, .post, "/api/responses", token: two, key: "tablet-0000003", body: #"{"answers": {"overall": 1}, "dossier": "HS-2026/9"}"#).0 == .created)
            let repeatDossier = try await Self.call(client, .post, "/api/responses", token: two, key: "tablet-0000004", body: #"{"answers": {"overall": 2}, "dossier": "hs-2026/9"}"#)
            #expect(repeatDossier.0 == .conflict)
        }
        // Stored on the server under the token's kiosk and unit, the dossier as the server's keyed hash.
        #expect(try f.sql("SELECT kiosk_id, unit, idempotency_key, coalesce(field, ''), source FROM responses ORDER BY id") == """
            quay-1|XA01|tablet-0000001||kiosk
            quay-2|XA02|tablet-0000003|ho-tich|kiosk
            """)
        #expect(try f.sql("SELECT dossier_hash FROM responses WHERE kiosk_id = 'quay-2'") == (try f.store.dossierHash("HS-2026/9")))
        #expect(try f.sql("SELECT item, code FROM response_additions") == "staff|2")
        // A revoked token is refused at once.
        #expect(try f.store.revokeKioskToken(kiosk: "quay-1", at: "2026-12-06T10:00:00Z"))
        try await server.application().test(.router) { client in
            let refused = try await Self.call(client, .post, "/api/responses", token: one, key: "tablet-0000005", body: #"{"answers": {"overall": 3}}"#)
            #expect(refused.0 == .unauthorized)
            #expect((refused.1["error"] as? String)?.contains("was revoked") == true)
        }
        #expect(try f.storedRatings == 2)
        server.browserKiosks?.close()
    }

    @Test("a kiosk file for another unit than the token's is refused, naming both")
    func kioskFileOfAnotherUnit() async throws {
        let f = try ServerFixture(.sqlite)
        var wrong = KioskConfig(unit: "XA09")
        wrong.kioskID = "quay-1"
        let server = try Self.server(f, settings: [wrong])
        try await server.application().test(.router) { client in
            let r = try await Self.call(client, .get, "/api/config", token: f.tokens["quay-1"])
            #expect(r.0 == .forbidden)
            #expect(r.1["error"] as? String == "the kiosk file of 'quay-1' is for unit XA09, but its token writes ratings for unit XA01 only")
        }
        #expect(try f.storedRatings == 0)
    }
}
