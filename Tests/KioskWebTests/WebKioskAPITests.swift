import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KioskTestSupport
import SIPASKiosk
import SIPASKioskWeb
import SIPASStoring
import Testing

/// The web kiosk's JSON API in process (Hummingbird's router test framework: no socket), over the
/// in-memory store. Bodies are compared byte for byte with what README documents.
/// A response as the tests compare it: status and body text.
struct Reply: Equatable, CustomStringConvertible {
    var status: HTTPResponse.Status
    var body: String
    init(_ status: HTTPResponse.Status, _ body: String) {
        self.status = status
        self.body = body
    }
    var description: String { "\(status.code) \(body)" }
}

@Suite struct WebKioskAPITests {
    static let token = "a-long-kiosk-token-123"

    /// A web kiosk on its own in-memory store; the recorder is closed after `body`.
    static func withKiosk(
        host: String = "127.0.0.1", store: InMemoryKioskStore = InMemoryKioskStore(), config: KioskConfig = settings { $0.minInterval = 0 },
        _ body: @Sendable (any TestClientProtocol, InMemoryKioskStore) async throws -> Void
    ) async throws {
        let (form, yaml) = try counterForm()
        let recorder = try KioskRecorder(store: store, config: config, form: form, questionnaireYAML: yaml)
        defer { recorder.close() }
        let kiosk = WebKiosk(recorder: recorder, host: host, port: 0, token: token)
        try await kiosk.application().test(.router) { client in try await body(client, store) }
    }

    /// Unit XA01's kiosk settings, changed by `change`.
    static func settings(_ change: (inout KioskConfig) -> Void) -> KioskConfig {
        var config = KioskConfig(unit: "XA01")
        change(&config)
        return config
    }

    static func headers(key: String? = nil, token: String? = nil) -> HTTPFields {
        var h = HTTPFields()
        if let key { h[HTTPField.Name("Idempotency-Key")!] = key }
        if let token { h[.authorization] = "Bearer \(token)" }
        return h
    }

    /// POSTs `json` (text, sent as is); checks the answer against `expect` (status and body) or `status`.
    @discardableResult
    static func post(
        _ client: any TestClientProtocol, _ uri: String, _ json: String, key: String? = nil, token: String? = nil,
        expect: Reply? = nil, status: HTTPResponse.Status? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> Reply {
        let r = try await client.execute(uri: uri, method: .post, headers: headers(key: key, token: token), body: ByteBuffer(string: json))
        return check(r, expect: expect, status: status, sourceLocation: sourceLocation)
    }

    /// GETs `uri`; checks the answer as `post` does.
    @discardableResult
    static func get(
        _ client: any TestClientProtocol, _ uri: String, token: String? = nil,
        expect: Reply? = nil, status: HTTPResponse.Status? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> Reply {
        let r = try await client.execute(uri: uri, method: .get, headers: headers(token: token))
        return check(r, expect: expect, status: status, sourceLocation: sourceLocation)
    }

    static func check(_ r: TestResponse, expect: Reply?, status: HTTPResponse.Status?, sourceLocation: SourceLocation) -> Reply {
        let reply = Reply(r.status, String(buffer: r.body))
        if let expect { #expect(reply == expect, sourceLocation: sourceLocation) }
        if let status { #expect(reply.status == status, "\(reply)", sourceLocation: sourceLocation) }
        if r.status != .notFound || reply.body.hasPrefix("{") {
            #expect(r.headers[.contentType] == "application/json; charset=utf-8", sourceLocation: sourceLocation)
            #expect(r.headers[.cacheControl] == "no-store", sourceLocation: sourceLocation)
        }
        return reply
    }

    // MARK: POST /api/responses

    @Test func aRatingIs201ItsRetry200AndTheKeyWithAnotherRating422() async throws {
        try await Self.withKiosk { client, store in
            let rating = #"{"answers": {"overall": 3, "staff": 2}}"#
            try await Self.post(client, "/api/responses", rating, key: "key-000000001", expect: Reply(.created, #"{"id":1,"status":"created"}"#))
            try await Self.post(client, "/api/responses", rating, key: "key-000000001", expect: Reply(.ok, #"{"id":1,"status":"replayed"}"#))
            try await Self.post(client, "/api/responses", #"{"answers": {"overall": 1}}"#, key: "key-000000001", expect: Reply(
                .unprocessableContent, #"{"error":"this Idempotency-Key was used for a different rating; use a new key for a new rating"}"#))
            #expect(store.ratings.count == 1)
            #expect(store.ratings.first?.rating.code == 3 && store.ratings.first?.answers == ["staff": 2])
        }
    }

    @Test func noKeyOrNotJSONIs400AndABodyOver4KiBIs413() async throws {
        try await Self.withKiosk { client, store in
            let missing = #"{"error":"an Idempotency-Key header of 8 to 128 letters, digits, - or _ is required"}"#
            try await Self.post(client, "/api/responses", #"{"answers": {"overall": 2}}"#, expect: Reply(.badRequest, missing))
            try await Self.post(client, "/api/responses", #"{"answers": {"overall": 2}}"#, key: "short", expect: Reply(.badRequest, missing))
            try await Self.post(client, "/api/responses", #"{"answers": {"overall": 2}}"#, key: "key with space", expect: Reply(.badRequest, missing))
            try await Self.post(client, "/api/responses", "{not json", key: "key-000000005", expect: Reply(.badRequest, #"{"error":"the body is not valid JSON"}"#))
            let big = #"{"answers": {"overall": 2}, "dossier": ""# + String(repeating: "9", count: 4100) + #""}"#
            try await Self.post(client, "/api/responses", big, key: "key-000000006", expect: Reply(
                HTTPResponse.Status(code: 413), #"{"error":"the request body is larger than 4096 bytes"}"#))
            #expect(store.ratings.isEmpty)
        }
    }

    @Test(arguments: [
        (#"{"answers": {"overall": 4}}"#, #"{"error":"'overall' must be one of 1, 2, 3, not 4"}"#),
        (#"{"answers": {"overal": 2}}"#, #"{"error":"unknown question 'overal' (known: overall, staff, time, result)"}"#),
        (#"{"answers": {"staff": 2}}"#, #"{"error":"the answer to 'overall' is required"}"#),
        (#"{"answers": {}}"#, #"{"error":"'answers' must be an object such as {\"overall\": 3}"}"#),
        (#"{"answers": {"overall": "3"}}"#, #"{"error":"the body must be {\"answers\": {\"overall\": CODE, …}} with whole-number codes, and \"dossier\" as text"}"#),
        (#"{"answers": {"overall": 3}, "dossier": "H"}"#, #"{"error":"'dossier' must be the code on the receipt: 3 to 40 letters, digits, - . \/ _"}"#),
    ])
    func aBadAnswerIs422AndStoresNothing(body: String, answer: String) async throws {
        try await Self.withKiosk { client, store in
            try await Self.post(client, "/api/responses", body, key: "key-000000002", expect: Reply(.unprocessableContent, answer))
            #expect(store.ratings.isEmpty)
        }
    }

    @Test func aDossierIsRequiredWhenAskedAndRatedOnce409() async throws {
        try await Self.withKiosk(config: Self.settings { $0.minInterval = 0; $0.requireDossier = true }) { client, store in
            try await Self.post(client, "/api/responses", #"{"answers": {"overall": 2}}"#, key: "key-000000001", expect: Reply(
                .unprocessableContent, #"{"error":"this kiosk requires the dossier code: add \"dossier\""}"#))
            try await Self.post(client, "/api/dossier-check", #"{"dossier": "HS-0001"}"#, expect: Reply(.ok, #"{"rated":false}"#))
            try await Self.post(client, "/api/responses", #"{"answers": {"overall": 2}, "dossier": "HS-0001"}"#, key: "key-000000002", expect: Reply(
                .created, #"{"id":1,"status":"created"}"#))
            try await Self.post(client, "/api/dossier-check", #"{"dossier": "hs-0001"}"#, expect: Reply(.ok, #"{"rated":true}"#))
            try await Self.post(client, "/api/responses", #"{"answers": {"overall": 3}, "dossier": " hs-0001 "}"#, key: "key-000000003", expect: Reply(
                .conflict, #"{"error":"this dossier has already been rated (hồ sơ đã được đánh giá)"}"#))
            try await Self.post(client, "/api/dossier-check", #"{"dossier": "x"}"#, expect: Reply(
                .unprocessableContent, #"{"error":"'dossier' must be the code on the receipt: 3 to 40 letters, digits, - . \/ _"}"#))
            #expect(store.ratings.count == 1)
            // The code itself is not what the store keeps.
            #expect(store.ratings.first?.rating.dossierHash == (try store.dossierHash("HS-0001")))
        }
    }

    @Test func aRatingSoonerThanTheIntervalIs429() async throws {
        try await Self.withKiosk(config: Self.settings { $0.minInterval = 3 }) { client, store in
            try await Self.post(client, "/api/responses", #"{"answers": {"overall": 2}}"#, key: "key-000000001", status: .created)
            try await Self.post(client, "/api/responses", #"{"answers": {"overall": 3}}"#, key: "key-000000002", expect: Reply(
                .tooManyRequests, #"{"error":"too soon after the previous rating; wait 3 s"}"#))
            // The retry of the stored rating is still answered with its id.
            try await Self.post(client, "/api/responses", #"{"answers": {"overall": 2}}"#, key: "key-000000001", expect: Reply(.ok, #"{"id":1,"status":"replayed"}"#))
            #expect(store.ratings.count == 1)
        }
    }

    @Test func outsideOpeningHoursARatingIs403() async throws {
        // One half-hour window an hour away from now: closed now.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let c = calendar.dateComponents([.hour, .minute], from: Date())
        let start = ((c.hour ?? 0) * 60 + (c.minute ?? 0) + 60) % 1380
        let window = OpeningHours(parse: String(format: "%02d:%02d-%02d:%02d", start / 60, start % 60, (start + 30) / 60, (start + 30) % 60))!
        try await Self.withKiosk(config: Self.settings { $0.hours = [window] }) { client, store in
            try await Self.post(client, "/api/responses", #"{"answers": {"overall": 2}}"#, key: "key-000000001", expect: Reply(
                .forbidden, #"{"error":"the kiosk is closed outside opening hours"}"#))
            let config = try await Self.get(client, "/api/config", status: .ok).body
            #expect(config.contains(#""open":false"#) && config.contains(#""hours":["\#(window.description)"]"#))
            #expect(store.ratings.isEmpty)
        }
    }

    @Test func aStoreFailureIs500AndNeverCreated() async throws {
        let store = InMemoryKioskStore()
        try await Self.withKiosk(store: store) { client, store in
            store.fail(with: KioskStoreError("disk I/O error"))
            try await Self.post(client, "/api/responses", #"{"answers": {"overall": 2}}"#, key: "key-000000001", expect: Reply(
                .internalServerError, #"{"error":"the rating could not be stored: disk I\/O error"}"#))
        }
    }

    @Test func aStoreFailureOnAFollowUpIs500NotARefusal() async throws {
        struct DiskFull: Error, CustomStringConvertible { var description: String { "disk full" } }
        try await Self.withKiosk { client, store in
            try await Self.post(client, "/api/responses", #"{"answers": {"overall": 3}}"#, key: "key-000000001", status: .created)
            store.fail(with: DiskFull())
            try await Self.post(client, "/api/responses/1/answers", #"{"answers": {"time": 1}}"#, key: "key-000000001", expect: Reply(
                .internalServerError, #"{"error":"disk full"}"#))
        }
    }

    // MARK: POST /api/responses/{id}/answers

    @Test func followUpsNeedTheRatingsKeyOtherwise404() async throws {
        try await Self.withKiosk { client, store in
            try await Self.post(client, "/api/responses", #"{"answers": {"overall": 3}}"#, key: "key-000000001", status: .created)
            try await Self.post(client, "/api/responses/1/answers", #"{"answers": {"time": 1}}"#, key: "key-000000009", expect: Reply(
                .notFound, #"{"error":"response 1 was not submitted with this key"}"#))
            try await Self.post(client, "/api/responses/7/answers", #"{"answers": {"time": 1}}"#, key: "key-000000001", expect: Reply(
                .notFound, #"{"error":"no response 7"}"#))
            try await Self.post(client, "/api/responses/1/answers", #"{"answers": {"time": 1}}"#, key: "key-000000001", expect: Reply(
                .ok, #"{"added":["time"],"id":1}"#))
            // Answered already: not changed, not listed.
            try await Self.post(client, "/api/responses/1/answers", #"{"answers": {"time": 3, "staff": 2}}"#, key: "key-000000001", expect: Reply(
                .ok, #"{"added":["staff"],"id":1}"#))
            try await Self.post(client, "/api/responses/x/answers", #"{"answers": {"time": 1}}"#, key: "key-000000001", expect: Reply(
                .badRequest, #"{"error":"the response id must be a number"}"#))
            #expect(store.ratings.first?.answers == ["time": 1, "staff": 2])
        }
    }

    // MARK: GET /api/status, GET /api/config and the token

    @Test func theStatusNeedsTheTokenEvenOnLoopback401() async throws {
        try await Self.withKiosk { client, _ in
            let refused = #"{"error":"a kiosk token is required (Authorization: Bearer TOKEN)"}"#
            try await Self.get(client, "/api/status", expect: Reply(.unauthorized, refused))
            try await Self.get(client, "/api/status/", expect: Reply(.unauthorized, refused))
            try await Self.get(client, "/api/status", token: "a-long-kiosk-token-12X", expect: Reply(.unauthorized, refused))
            try await Self.post(client, "/api/responses", #"{"answers": {"overall": 1}}"#, key: "key-000000001", status: .created)
            try await Self.post(client, "/api/responses", #"{"answers": {"overall": 1}}"#, key: "key-000000002", status: .created)
            try await Self.post(client, "/api/dossier-check", #"{"dossier": "HS-1"}"#, status: .ok)
            try await Self.get(client, "/api/status", token: Self.token, expect: Reply(.ok,
                #"{"dissatisfied_today":2,"kiosk":"kiosk-1","period":2,"rejected_by_reason":{},"rejected_today":0,"today":2}"#))
        }
    }

    @Test func theConfigListsTheQuestionsAndSettings() async throws {
        let config = Self.settings {
            $0.minInterval = 0
            $0.field = "dat-dai"
            $0.unitName = "Xã Định Hóa"
        }
        try await Self.withKiosk(config: config) { client, _ in
            try await Self.get(client, "/api/config", expect: Reply(.ok, Self.expectedConfig))
        }
    }

    /// counter-quick's questions (Questionnaires/counter-quick.yaml) and the settings, keys sorted;
    /// the field's and channel's names are the shipped catalogue's (Đất đai, Trực tiếp).
    static let expectedConfig = #"{"channel":"truc-tiep","channel_name":"Trực tiếp","field":"dat-dai","field_name":"Đất đai","hours":[],"kiosk":"kiosk-1","open":true,"questions":["#
        + question("overall", #"Ông\/Bà đánh giá thế nào về việc giải quyết thủ tục hành chính?"#) + ","
        + question("staff", #"Ông\/Bà đánh giá thế nào về thái độ phục vụ của công chức?"#) + ","
        + question("time", #"Ông\/Bà đánh giá thế nào về thời gian giải quyết hồ sơ?"#) + ","
        + question("result", #"Ông\/Bà đánh giá thế nào về kết quả giải quyết hồ sơ?"#)
        + #"],"require_dossier":false,"reset_after":20,"thanks_for":4,"unit":"XA01","unit_name":"Xã Định Hóa","warn_for":5}"#

    static func question(_ id: String, _ text: String) -> String {
        let choices = #"[{"code":1,"label":"Không hài lòng"},{"code":2,"label":"Hài lòng"},{"code":3,"label":"Rất hài lòng"}]"#
        return #"{"choices":"# + choices + #","id":""# + id + #"","text":""# + text + #""}"#
    }

    @Test func beyondLoopbackEveryCallNeedsTheTokenButThePageDoesNot() async throws {
        try await Self.withKiosk(host: "0.0.0.0") { client, store in
            let refused = Reply(.unauthorized, #"{"error":"a kiosk token is required (Authorization: Bearer TOKEN)"}"#)
            try await Self.post(client, "/api/responses", #"{"answers": {"overall": 2}}"#, key: "key-000000010", expect: refused)
            try await Self.post(client, "/api/responses/1/answers", #"{"answers": {"time": 2}}"#, key: "key-000000010", expect: refused)
            try await Self.post(client, "/api/dossier-check", #"{"dossier": "HS-1"}"#, expect: refused)
            try await Self.get(client, "/api/config", expect: refused)
            try await Self.get(client, "/api/config", token: "wrong-token-of-22-chars", expect: refused)
            #expect(store.ratings.isEmpty)
            try await Self.post(client, "/api/responses", #"{"answers": {"overall": 2}}"#, key: "key-000000010", token: Self.token, expect: Reply(
                .created, #"{"id":1,"status":"created"}"#))
            try await Self.get(client, "/api/config", token: Self.token, status: .ok)
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.status == .ok && page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(String(buffer: page.body).contains("Đánh giá sự hài lòng"))
            try await Self.get(client, "/api/nothing-here", token: Self.token, status: .notFound)
        }
    }

    // MARK: Listening

    @Test func theListenAddressIsHostColonPort() {
        #expect(WebKiosk.listenAddress("127.0.0.1:8080").map { "\($0.host) \($0.port)" } == "127.0.0.1 8080")
        #expect(WebKiosk.listenAddress("[::1]:0").map { "\($0.host) \($0.port)" } == "::1 0")
        #expect(WebKiosk.listenAddress("0.0.0.0:65535").map { "\($0.host) \($0.port)" } == "0.0.0.0 65535")
        #expect(WebKiosk.listenAddress("nowhere") == nil && WebKiosk.listenAddress("h:65536") == nil && WebKiosk.listenAddress("h:x") == nil)
        #expect(WebKiosk.isLoopback("::1") && WebKiosk.isLoopback("localhost") && !WebKiosk.isLoopback("0.0.0.0"))
        let token = WebKiosk.newToken()
        #expect(token.count == 24 && token.count >= WebKiosk.minimumTokenLength && token != WebKiosk.newToken())
        #expect(token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
    }
}
