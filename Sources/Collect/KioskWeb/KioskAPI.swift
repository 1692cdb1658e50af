import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

// The web kiosk's JSON: the bodies it answers with (keys sorted, as README shows them), the
// refusal every handler throws, and the two middlewares around the API routes.

/// `{"error": "…"}`: every refusal.
struct ErrorBody: Encodable {
    var error: String
}

/// `POST /api/responses` → `{"id": 17, "status": "created"}` (201) or `"replayed"` (200).
struct RatingStored: Encodable {
    var id: Int64
    var status: String
}

/// `POST /api/responses/{id}/answers` → `{"id": 17, "added": ["time"]}`.
struct AnswersAdded: Encodable {
    var id: Int64
    var added: [String]
}

/// `POST /api/dossier-check` → `{"rated": false}`.
struct DossierChecked: Encodable {
    var rated: Bool
}

/// `GET /api/status` → today's and this quarter's counts, and today's refusals.
struct KioskStatusBody: Encodable {
    var kiosk: String
    var today: Int
    var period: Int
    var dissatisfiedToday: Int
    var rejectedToday: Int
    var rejectedByReason: [String: Int]

    enum CodingKeys: String, CodingKey {
        case kiosk, today, period
        case dissatisfiedToday = "dissatisfied_today"
        case rejectedToday = "rejected_today"
        case rejectedByReason = "rejected_by_reason"
    }
}

/// `GET /api/config` → what the page needs: the kiosk's settings and its questions.
struct KioskConfigBody: Encodable {
    struct Question: Encodable {
        struct Choice: Encodable {
            var code: Int
            var label: String
        }
        var id: String
        var text: String
        var choices: [Choice]
    }
    var unit: String
    var unitName: String
    var field: String
    var channel: String
    /// The field's and channel's names, for the screen (the codes are what is stored).
    var fieldName: String
    var channelName: String
    var kiosk: String
    var requireDossier: Bool
    var resetAfter: Double
    var warnFor: Double
    var thanksFor: Double
    var open: Bool
    var hours: [String]
    var questions: [Question]

    enum CodingKeys: String, CodingKey {
        case unit, field, channel, kiosk, open, hours, questions
        case unitName = "unit_name"
        case fieldName = "field_name"
        case channelName = "channel_name"
        case requireDossier = "require_dossier"
        case resetAfter = "reset_after"
        case warnFor = "warn_for"
        case thanksFor = "thanks_for"
    }
}

/// A JSON answer: UTF-8, keys sorted, never cached.
struct KioskJSON<Body: Encodable>: ResponseGenerator {
    var status: HTTPResponse.Status
    var body: Body

    init(_ status: HTTPResponse.Status, _ body: Body) {
        self.status = status
        self.body = body
    }

    func response(from request: Request, context: some RequestContext) throws -> Response { response() }

    func response() -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(body)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// A refusal with its HTTP status and a message for the caller; handlers throw it.
struct KioskHTTPError: Error {
    var status: HTTPResponse.Status
    var message: String
    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    static let contentTooLarge = HTTPResponse.Status(code: 413, reasonPhrase: "Content Too Large")
}

/// Turns whatever a handler throws into `{"error": "…"}`: a `KioskHTTPError` with its status,
/// anything else (the store failing) as 500.
struct KioskErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as KioskHTTPError {
            return KioskJSON(e.status, ErrorBody(error: e.message)).response()
        } catch {
            return KioskJSON(.internalServerError, ErrorBody(error: "\(error)")).response()
        }
    }
}

/// The kiosk token (`Authorization: Bearer TOKEN`), checked in one place for the routes it guards:
/// when `required`, a call without the token (compared in constant time) is refused with 401.
struct KioskTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String
    let required: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if required {
            let given = request.headers[.authorization].map { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : $0 }
            guard let given, Self.constantTimeEqual(given, token) else {
                throw KioskHTTPError(.unauthorized, "a kiosk token is required (Authorization: Bearer TOKEN)")
            }
        }
        return try await next(request, context)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
