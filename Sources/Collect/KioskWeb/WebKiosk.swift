import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SIPASHTTP
import SIPASKiosk
import SIPASStoring

/// The touch-screen kiosk: one self-contained page (no external fonts or scripts) and a small
/// JSON API over the same recorder as the terminal kiosk.
///
/// API (JSON, UTF-8; see README):
/// - `GET /api/config`: questions, labels, timings, whether a dossier code is required.
/// - `POST /api/responses` with `Idempotency-Key`: `{"answers": {"overall": 3, …}, "dossier": "…"}`
///   → 201 `{"id": …}` when stored, 200 with the same id when the key was seen, 400/422 when invalid,
///   409 when the dossier was rated, 429 when too soon after the previous rating, 403 outside hours.
/// - `POST /api/responses/{id}/answers` with the same `Idempotency-Key`: `{"answers": {"staff": 2}}`.
/// - `POST /api/dossier-check`: `{"dossier": "…"}` → `{"rated": true|false}`.
/// - `GET /api/status` (token always): counts today and this quarter, refusals.
///
/// The token is checked by one middleware (`TokenMiddleware`) on the API routes, refusals
/// become `{"error": "…"}` in another (`RefusalMiddleware`), and every body is a `Codable`
/// type encoded with sorted keys (`KioskAPI.swift`, `JSONReply`).
public struct WebKiosk: Sendable {
    public let recorder: KioskRecorder
    public let host: String
    public let port: Int
    /// Required on every API call when listening beyond loopback, and always for the status.
    public let token: String
    public static let maxBody = 4096

    public init(recorder: KioskRecorder, host: String, port: Int, token: String) {
        self.recorder = recorder
        self.host = host
        self.port = port
        self.token = token
    }

    var loopbackOnly: Bool { Self.isLoopback(host) }

    /// Whether a listening host is reachable from this machine only.
    public static func isLoopback(_ host: String) -> Bool { ["127.0.0.1", "::1", "localhost"].contains(host) }

    /// The shortest token accepted.
    public static let minimumTokenLength = 16

    /// `HOST:PORT` (an IPv6 host may be in brackets) as host and port; nil when it is not that.
    public static func listenAddress(_ text: String) -> (host: String, port: Int)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 2, let port = Int(parts.last!), (0...65535).contains(port) else { return nil }
        return (parts.dropLast().joined(separator: ":").trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port)
    }

    /// A new random token: 18 bytes, URL-safe base64 (24 characters).
    public static func newToken() -> String { Tokens.new() }

    static let tokenRefusal = "a kiosk token is required (Authorization: Bearer TOKEN)"

    /// Serves until the process is stopped, blocking the calling (synchronous) thread.
    public func serveBlocking(onRunning: @escaping @Sendable (Int) -> Void) throws {
        try waitFor { try await run(onRunning: onRunning) }
    }

    /// Serves until the process is stopped; `onRunning` gets the bound port.
    public func run(onRunning: @escaping @Sendable (Int) -> Void) async throws {
        try await application(onRunning: onRunning).runService()
    }

    /// The page and the API as a Hummingbird application, to run or to test without a socket.
    public func application(onRunning: @escaping @Sendable (Int) -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router()
        let kiosk = self
        router.get("/") { _, _ in kiosk.page() }
        // Beyond loopback every API call needs the token; the status always does.
        let api = router.group("api").add(middleware: RefusalMiddleware()).add(middleware: TokenMiddleware(token: token, required: !loopbackOnly, refusal: Self.tokenRefusal))
        Self.addRoutes(to: api) { _ in kiosk }
        let status = router.group("api/status").add(middleware: RefusalMiddleware()).add(middleware: TokenMiddleware(token: token, refusal: Self.tokenRefusal))
        status.get { _, _ in
            let c = try kiosk.recorder.counts()
            return JSONReply(.ok, KioskStatusBody(
                kiosk: kiosk.recorder.config.kioskID, today: c.today, period: c.period, dissatisfiedToday: c.dissatisfiedToday,
                rejectedToday: c.rejectedToday, rejectedByReason: c.rejectedByReason, upstream: c.upstream))
        }
        var logger = Logger(label: "sipas-kiosk")
        logger.logLevel = .warning
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "sipas"),
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? kiosk.port) },
            logger: logger)
    }

    /// The page's API (`config`, `responses`, `responses/{id}/answers`, `dossier-check`) on
    /// `group`, each call served by the kiosk that `resolve` gives for the request: this kiosk on
    /// a counter PC, the token's own kiosk on `sipas serve`. Authentication is the caller's.
    public static func addRoutes<Context: RequestContext>(to group: RouterGroup<Context>, resolve: @escaping @Sendable (Request) async throws -> WebKiosk) {
        group.get("config") { request, _ in JSONReply(.ok, try await resolve(request).configBody()) }
        group.post("responses") { request, _ in try await resolve(request).postResponse(request) }
        group.post("responses/:id/answers") { request, context in
            guard let id = context.parameters.get("id", as: Int64.self) else { throw HTTPRefusal(.badRequest, "the response id must be a number") }
            return try await resolve(request).postAnswers(request, id: id)
        }
        group.post("dossier-check") { request, _ in
            let kiosk = try await resolve(request)
            let body = try await kiosk.decode(request)
            guard let dossier = body.dossier, Self.validDossier(dossier) else { throw HTTPRefusal(.unprocessableContent, Self.badDossier) }
            return JSONReply(.ok, DossierChecked(rated: try kiosk.recorder.dossierRated(dossier)))
        }
    }

    /// The touch page itself (it reads its token from `#token=` and calls `/api/…`).
    public static func pageResponse() -> Response { HTMLPage.response(KioskPage.html) }

    static let badDossier = "'dossier' must be the code on the receipt: 3 to 40 letters, digits, - . / _"

    static func validDossier(_ s: String) -> Bool { DossierCode.isValid(s) }

    /// The request body: `{"answers": {item: code, …}, "dossier": "…"}`, at most `maxBody` bytes.
    struct Body: Decodable {
        var answers: [String: Int]?
        var dossier: String?
    }

    func decode(_ request: Request) async throws -> Body {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.maxBody)
        } catch {
            throw HTTPRefusal(HTTPRefusal.contentTooLarge, "the request body is larger than \(Self.maxBody) bytes")
        }
        do {
            return try JSONDecoder().decode(Body.self, from: Data(buffer.readableBytesView))
        } catch DecodingError.dataCorrupted {
            throw HTTPRefusal(.badRequest, "the body is not valid JSON")
        } catch {
            throw HTTPRefusal(.unprocessableContent, "the body must be {\"answers\": {\"\(recorder.form.overallItem)\": CODE, …}} with whole-number codes, and \"dossier\" as text")
        }
    }

    func idempotencyKey(_ request: Request) throws -> String {
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!], KioskIdentifier.isRatingKey(key) else {
            throw HTTPRefusal(.badRequest, "an Idempotency-Key header of 8 to 128 letters, digits, - or _ is required")
        }
        return key
    }

    /// Checks answers against the questions.
    func answers(_ map: [String: Int]?, requireOverall: Bool) throws -> [(String, UInt8)] {
        guard let map, !map.isEmpty else {
            throw HTTPRefusal(.unprocessableContent, "'answers' must be an object such as {\"\(recorder.form.overallItem)\": 3}")
        }
        var out: [(String, UInt8)] = []
        for (item, code) in map.sorted(by: { $0.key < $1.key }) {
            guard let question = recorder.form.questions.first(where: { $0.id == item }) else {
                let known = recorder.form.questions.map(\.id).joined(separator: ", ")
                throw HTTPRefusal(.unprocessableContent, "unknown question '\(item)' (known: \(known))")
            }
            guard let choice = question.choices.first(where: { Int($0.code) == code }) else {
                let codes = question.choices.map { String($0.code) }.joined(separator: ", ")
                throw HTTPRefusal(.unprocessableContent, "'\(item)' must be one of \(codes), not \(code)")
            }
            out.append((item, choice.code))
        }
        if requireOverall, !out.contains(where: { $0.0 == recorder.form.overallItem }) {
            throw HTTPRefusal(.unprocessableContent, "the answer to '\(recorder.form.overallItem)' is required")
        }
        return out
    }

    func postResponse(_ request: Request) async throws -> JSONReply<RatingStored> {
        let key = try idempotencyKey(request)
        let body = try await decode(request)
        let parsed = try answers(body.answers, requireOverall: true)
        var hash: String?
        if let code = body.dossier {
            guard Self.validDossier(code) else { throw HTTPRefusal(.unprocessableContent, Self.badDossier) }
            hash = try recorder.dossierHash(code)
        } else if recorder.config.requireDossier {
            throw HTTPRefusal(.unprocessableContent, "this kiosk requires the dossier code: add \"dossier\"")
        }
        let overall = parsed.first { $0.0 == recorder.form.overallItem }!.1
        let outcome = await recorder.submit(code: overall, dossierHash: hash, idempotencyKey: key)
        switch outcome {
        case .created(let id), .replayed(let id):
            for (item, code) in parsed where item != recorder.form.overallItem {
                _ = try recorder.addAnswer(responseID: id, item: item, code: code, idempotencyKey: key)
            }
            if case .created = outcome { return JSONReply(.created, RatingStored(id: id, status: "created")) }
            return JSONReply(.ok, RatingStored(id: id, status: "replayed"))
        case .keyReused:
            throw HTTPRefusal(.unprocessableContent, "this Idempotency-Key was used for a different rating; use a new key for a new rating")
        case .dossierAlreadyRated: throw HTTPRefusal(.conflict, "this dossier has already been rated (hồ sơ đã được đánh giá)")
        case .tooSoon: throw HTTPRefusal(.tooManyRequests, "too soon after the previous rating; wait \(Int(recorder.config.minInterval.rounded(.up))) s")
        case .closed: throw HTTPRefusal(.forbidden, "the kiosk is closed outside opening hours")
        case .failed(let message): throw HTTPRefusal(.internalServerError, "the rating could not be stored: \(message)")
        }
    }

    func postAnswers(_ request: Request, id: Int64) async throws -> JSONReply<AnswersAdded> {
        let key = try idempotencyKey(request)
        let body = try await decode(request)
        let parsed = try answers(body.answers, requireOverall: false)
        var added: [String] = []
        do {
            for (item, code) in parsed where item != recorder.form.overallItem {
                if try recorder.addAnswer(responseID: id, item: item, code: code, idempotencyKey: key) { added.append(item) }
            }
        } catch let e as KioskStoreError {
            throw HTTPRefusal(.notFound, e.description)
        }
        return JSONReply(.ok, AnswersAdded(id: id, added: added))
    }

    func configBody() -> KioskConfigBody {
        let c = recorder.config
        return KioskConfigBody(
            unit: c.unit, unitName: c.unitName ?? "", field: c.field ?? "", channel: c.channel ?? "",
            fieldName: c.field.map { c.labels.name(of: $0, in: .field) } ?? "", channelName: c.channel.map { c.labels.name(of: $0, in: .channel) } ?? "",
            kiosk: c.kioskID,
            requireDossier: c.requireDossier, resetAfter: c.resetAfter, warnFor: c.warnFor, thanksFor: c.thanksFor,
            open: c.isOpen(at: Date()), hours: c.hours.map(\.description),
            questions: recorder.form.questions.map { q in
                KioskConfigBody.Question(id: q.id, text: q.text, choices: q.choices.map { .init(code: Int($0.code), label: $0.label) })
            })
    }

    func page() -> Response { Self.pageResponse() }
}
