import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

// What sipas's two small local web servers share (the web kiosk and the scan review): JSON
// answers, refusals with a status and a message, the token check, and the hand-over of a value
// between the serving task and the thread that waits for it.

/// A JSON answer: UTF-8, keys sorted, never cached.
public struct JSONReply<Body: Encodable>: ResponseGenerator {
    public var status: HTTPResponse.Status
    public var body: Body

    public init(_ status: HTTPResponse.Status, _ body: Body) {
        self.status = status
        self.body = body
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response { response() }

    public func response() -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(body)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// `{"error": "…"}`: every refusal.
public struct ErrorBody: Encodable {
    public var error: String
    public init(error: String) { self.error = error }
}

/// A refusal with its HTTP status and a message for the caller; handlers throw it.
public struct HTTPRefusal: Error {
    public var status: HTTPResponse.Status
    public var message: String
    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public static let contentTooLarge = HTTPResponse.Status(code: 413, reasonPhrase: "Content Too Large")
}

/// Turns whatever a handler throws into `{"error": "…"}`: an `HTTPRefusal` with its status,
/// anything else (a store failing) as 500.
public struct RefusalMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as HTTPRefusal {
            return JSONReply(e.status, ErrorBody(error: e.message)).response()
        } catch {
            return JSONReply(.internalServerError, ErrorBody(error: "\(error)")).response()
        }
    }
}

/// A token checked in one place for the routes it guards: `Authorization: Bearer TOKEN`, or
/// `?token=TOKEN` when `query` allows it (a page opened from a printed address), compared in
/// constant time; without it, 401 with `refusal`. When not `required`, everything passes.
public struct TokenMiddleware<Context: RequestContext>: RouterMiddleware {
    public let token: String
    public let required: Bool
    public let query: Bool
    public let refusal: String

    public init(token: String, required: Bool = true, query: Bool = false, refusal: String) {
        self.token = token
        self.required = required
        self.query = query
        self.refusal = refusal
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if required {
            let header = request.headers[.authorization].map { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : $0 }
            let given = header ?? (query ? request.uri.queryParameters.get("token") : nil)
            guard let given, Tokens.equal(given, token) else { throw HTTPRefusal(.unauthorized, refusal) }
        }
        return try await next(request, context)
    }
}

public enum Tokens {
    /// A new random token: 18 bytes, URL-safe base64 (24 characters).
    public static func new() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<18).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    /// Whether two tokens are equal, in time that does not depend on where they differ.
    public static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

/// Runs async work from synchronous code (a command, a blocking `serve`) and waits for it on
/// this thread: its value, or its error rethrown.
public func waitFor<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    let result = LockedBox<Result<T, any Error>?>(nil)
    Task {
        do { result.value = .success(try await body()) } catch { result.value = .failure(error) }
        done.signal()
    }
    done.wait()
    return try result.value!.get()
}

/// A value handed between a serving task and the thread waiting for it.
public final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    public init(_ value: Value) { stored = value }
    public var value: Value {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}

/// A page of sipas's own (the kiosk, the status page): HTML that is never cached, whose scripts
/// and styles are its own inline ones, fetching from its own origin only.
public enum HTMLPage {
    public static func response(_ html: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                HTTPField.Name("Content-Security-Policy")!: "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
            ],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
