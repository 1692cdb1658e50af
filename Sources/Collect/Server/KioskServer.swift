import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import SIPASHTTP
import SIPASKiosk
import SIPASKioskWeb
import SIPASModel
import SIPASStoring
import SIPASSyncAPI

/// The district or province server (`sipas serve`): kiosks push their outboxes here, staff
/// watch the status page.
///
/// API v1 (JSON, UTF-8; see README):
/// - `POST /api/v1/ratings` (kiosk token): a batch of ratings, each with its own id, and
///   follow-up answers given later. Stored in one transaction, all or nothing; a rating id held
///   already is answered `held` and not stored again; the same id with other content is 422.
/// - `GET /api/v1/kiosk` (kiosk token): the token's kiosk and unit, and the questionnaires taken.
/// - `GET /api/v1/status` (staff token): every kiosk's ratings today and in all, last arrival.
/// - `GET /`: the status page for staff (the staff token in the address: `/#token=…`).
///
/// A kiosk token (`sipas token add`) is looked up by its hash on every call, so a revoked token
/// is refused from the next call on; it writes ratings for its own unit only.
public struct KioskServer: Sendable {
    public let store: any KioskServerStore
    /// The questionnaire versions taken, with the kiosk questions of each.
    public let forms: [KioskForm]
    public let host: String
    public let port: Int
    public let staffToken: String
    public let tls: TLSConfiguration?
    /// Unit names for the status page (code → name).
    public let unitNames: [String: String]
    /// The kiosks that are thin browsers (`/kiosk#token=…`); nil when the server has none.
    public let browserKiosks: BrowserKiosks?

    /// The largest request body accepted (a full batch of 500 ratings with follow-ups is about 80 KB).
    public static let maxBody = 256 * 1024

    public init(
        store: any KioskServerStore, forms: [KioskForm], host: String, port: Int, staffToken: String, tls: TLSConfiguration? = nil,
        unitNames: [String: String] = [:], browserKiosks: BrowserKiosks? = nil
    ) {
        self.browserKiosks = browserKiosks
        self.store = store
        self.forms = forms
        self.host = host
        self.port = port
        self.staffToken = staffToken
        self.tls = tls
        self.unitNames = unitNames
    }

    static let kioskTokenRequired = "a kiosk token is required (Authorization: Bearer TOKEN; sipas token add issues one)"
    static let dossierKeyNeedsTLS =
        "the dossier key is handed out over TLS only: start sipas serve with --tls-cert and --tls-key, or on 127.0.0.1 behind a TLS proxy"

    static let staffTokenRequired = "the staff token is required (Authorization: Bearer TOKEN, as printed when the server started)"

    /// Serves until the process is stopped, blocking the calling (synchronous) thread.
    public func serveBlocking(onRunning: @escaping @Sendable (Int) -> Void) throws {
        try waitFor { try await application(onRunning: onRunning).runService() }
    }

    /// The routes as a Hummingbird application, to run or to test without a socket.
    public func application(onRunning: @escaping @Sendable (Int) -> Void = { _ in }) throws -> some ApplicationProtocol {
        let router = Router()
        let server = self
        router.get("/") { _, _ in server.page() }
        // The touch page for a browser on the network, and its API (the page calls /api/…), under the kiosk's token.
        router.get("kiosk") { _, _ in WebKiosk.pageResponse() }
        WebKiosk.addRoutes(to: router.group("api").add(middleware: RefusalMiddleware())) { request in try await server.browserKiosk(request) }
        let api = router.group("api/v1").add(middleware: RefusalMiddleware())
        api.post("ratings") { request, _ in try await server.postRatings(request) }
        api.get("kiosk") { request, _ in
            let token = try await server.kiosk(request)
            return JSONReply(.ok, SyncAPI.Identity(
                kiosk: token.kiosk, unit: token.unit, questionnaires: server.forms.map { .init(id: $0.questionnaire.id, version: $0.questionnaire.version) },
                maxRatings: SyncAPI.maxRatings))
        }
        api.get("dossier-key") { request, _ in
            _ = try await server.kiosk(request)
            guard server.tls != nil || WebKiosk.isLoopback(server.host) else {
                throw HTTPRefusal(.forbidden, Self.dossierKeyNeedsTLS)
            }
            return JSONReply(.ok, SyncAPI.DossierKey(key: try await server.offload { try server.store.dossierKeyHex() }))
        }
        api.group("status").add(middleware: TokenMiddleware(token: staffToken, refusal: Self.staffTokenRequired)).get { _, _ in
            JSONReply(.ok, try await server.status())
        }
        var logger = Logger(label: "sipas-serve")
        logger.logLevel = .warning
        return Application(
            router: router,
            server: try tls.map { try .tls(.http1(), tlsConfiguration: $0) } ?? .http1(),
            configuration: .init(address: .hostname(host, port: port), serverName: "sipas"),
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? server.port) },
            logger: logger)
    }

    /// The token's kiosk: 401 without a token, with an unknown one, or with a revoked one.
    func kiosk(_ request: Request) async throws -> KioskToken {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "), header.count > 7 else {
            throw HTTPRefusal(.unauthorized, Self.kioskTokenRequired)
        }
        let hash = KioskToken.hash(of: String(header.dropFirst(7)))
        guard let token = try await offload({ try store.kioskToken(hash: hash) }) else {
            throw HTTPRefusal(.unauthorized, "this kiosk token is not known to the server (sipas token list shows the kiosks)")
        }
        if let revoked = token.revokedAt {
            throw HTTPRefusal(.unauthorized, "the token of kiosk '\(token.kiosk)' was revoked at \(revoked); ask for a new one (sipas token add)")
        }
        return token
    }

    /// The token's browser kiosk.
    func browserKiosk(_ request: Request) async throws -> WebKiosk {
        let token = try await kiosk(request)
        guard let browserKiosks else { throw HTTPRefusal(.notFound, "this server serves no browser kiosks") }
        return try await offload { try browserKiosks.kiosk(for: token) }
    }

    func postRatings(_ request: Request) async throws -> JSONReply<SyncAPI.Reply> {
        let token = try await kiosk(request)
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.maxBody)
        } catch {
            throw HTTPRefusal(HTTPRefusal.contentTooLarge, "the request body is larger than \(Self.maxBody) bytes: send the outbox in smaller batches")
        }
        let body: SyncAPI.Batch
        do {
            body = try JSONDecoder().decode(SyncAPI.Batch.self, from: Data(buffer.readableBytesView))
        } catch DecodingError.dataCorrupted {
            throw HTTPRefusal(.badRequest, "the body is not valid JSON")
        } catch let DecodingError.keyNotFound(key, context) {
            throw HTTPRefusal(.unprocessableContent, "the body lacks '\(Self.path(context.codingPath + [key]))' (see README: sync API)")
        } catch let DecodingError.typeMismatch(_, context) {
            throw HTTPRefusal(.unprocessableContent, "'\(Self.path(context.codingPath))' has the wrong type (see README: sync API)")
        } catch let DecodingError.valueNotFound(_, context) {
            throw HTTPRefusal(.unprocessableContent, "'\(Self.path(context.codingPath))' must not be null")
        } catch {
            throw HTTPRefusal(.unprocessableContent, "the body is not a batch of ratings (see README: sync API)")
        }
        guard let form = forms.first(where: { $0.questionnaire.id == body.questionnaire.id && $0.questionnaire.version == body.questionnaire.version }) else {
            let taken = forms.map { "\($0.questionnaire.id) \($0.questionnaire.version)" }.joined(separator: ", ")
            throw HTTPRefusal(.unprocessableContent, "this server takes ratings of \(taken), not \(body.questionnaire.id) \(body.questionnaire.version)")
        }
        let batch: (ratings: [KioskRating], additions: [KioskAddition])
        do {
            batch = try IngestValidator(form: form, kiosk: token, now: Date()).ratings(body)
        } catch {
            switch error {
            case .invalid(let message): throw HTTPRefusal(.unprocessableContent, message)
            case .forbidden(let message): throw HTTPRefusal(.forbidden, message)
            case .tooLarge(let message): throw HTTPRefusal(HTTPRefusal.contentTooLarge, message)
            }
        }
        let outcome: IngestOutcome
        do {
            outcome = try await offload { try store.ingest(batch.ratings, additions: batch.additions, questionnaire: form.questionnaire) }
        } catch let refusal as IngestRefusal {
            throw HTTPRefusal(.unprocessableContent, refusal.message + "; nothing of this batch was stored")
        }
        let statuses = zip(batch.ratings, outcome.ratings).map { rating, result in
            SyncAPI.Reply.RatingStatus(id: rating.idempotencyKey ?? "", status: Self.status(result))
        }
        return JSONReply(.ok, SyncAPI.Reply(
            kiosk: token.kiosk, ratings: statuses, additions: .init(added: outcome.additionsAdded, held: outcome.additionsReplayed)))
    }

    static func status(_ outcome: KioskOutcome) -> String {
        switch outcome {
        case .created: "created"
        case .replayed: "held"
        case .dossierAlreadyRated: "dossier-already-rated"
        case .keyReused, .notStored: "refused"
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
            .replacingOccurrences(of: ".[", with: "[")
    }

    func status(now: Date = Date()) async throws -> ServerStatus {
        let day = KioskClock.dayAndMinute(now).day
        let (activity, tokens) = try await offload { (try store.kioskActivity(day: day), try store.kioskTokens()) }
        return ServerStatus(day: day, kiosks: activity.map { a in
            let latest = tokens.last { $0.kiosk == a.kiosk }
            let state = latest == nil ? "none" : latest?.revokedAt == nil ? "active" : "revoked"
            return .init(
                kiosk: a.kiosk, unit: a.unit, unitName: a.unit.flatMap { unitNames[$0] }, today: a.today, total: a.total, lastReceived: a.lastReceived,
                token: state)
        })
    }

    /// Runs a store call off the server's threads (a store call blocks on its disk or connection).
    func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Self.storeQueue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    static let storeQueue = DispatchQueue(label: "sipas-serve-store", attributes: .concurrent)

    func page() -> Response { HTMLPage.response(StatusPage.html) }
}
