import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL
import SIPASStoring
import SIPASSyncAPI

/// The kiosk's side of the server's API v1 (`sipas serve`): who the token is, and sending a batch
/// of the outbox. Use one per kiosk; `shutdown()` when done.
public final class UpstreamClient: Sendable {
    public let base: String
    let token: String
    let client: HTTPClient

    /// `base` is `http(s)://HOST:PORT`; `caFile` a PEM file of the certificate (or its issuer) to
    /// trust for a server whose certificate no public authority signed.
    public init(base: String, token: String, caFile: String? = nil) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            } catch {
                throw UpstreamError.setup("\(caFile): not a PEM certificate file: \(error)")
            }
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls, timeout: .init(connect: .seconds(5), read: .seconds(30)))
        configuration.redirectConfiguration = .disallow
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.token = token
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func shutdown() async { try? await client.shutdown() }

    /// The token's kiosk and unit, and the questionnaires the server takes.
    public func identity() async throws(UpstreamError) -> SyncAPI.Identity {
        let (status, body) = try await call("GET", "/api/v1/kiosk", body: nil)
        guard status == 200 else { throw Self.refusal(status, body) }
        do {
            return try JSONDecoder().decode(SyncAPI.Identity.self, from: body)
        } catch {
            throw .protocolError("the server's answer to GET /api/v1/kiosk is not what sipas expects")
        }
    }

    /// The server's key for dossier hashes (64 hex digits); `timeout` bounds the wait, connecting included.
    public func dossierKey(timeout: TimeAmount = .seconds(60)) async throws(UpstreamError) -> String {
        let (status, body) = try await call("GET", "/api/v1/dossier-key", body: nil, timeout: timeout)
        guard status == 200 else { throw Self.refusal(status, body) }
        guard let reply = try? JSONDecoder().decode(SyncAPI.DossierKey.self, from: body) else {
            throw .protocolError("the server's answer to GET /api/v1/dossier-key is not what sipas expects")
        }
        return reply.key
    }

    /// Sends a batch; returns each rating's status (`created`, `held`, `dossier-already-rated`)
    /// once the server has committed it.
    public func send(_ batch: OutboxBatch) async throws(UpstreamError) -> [String] {
        let wire = SyncAPI.Batch(batch)
        let data: Data
        do { data = try JSONEncoder().encode(wire) } catch { throw .protocolError("cannot encode the batch: \(error)") }
        let (status, body) = try await call("POST", "/api/v1/ratings", body: data)
        guard status == 200 else { throw Self.refusal(status, body) }
        guard let reply = try? JSONDecoder().decode(SyncAPI.Reply.self, from: body), reply.ratings.map(\.id) == batch.ratings.map(\.id) else {
            throw .protocolError("the server's answer does not list the batch's ratings")
        }
        return reply.ratings.map(\.status)
    }

    func call(_ method: String, _ path: String, body: Data?, timeout: TimeAmount = .seconds(60)) async throws(UpstreamError) -> (Int, Data) {
        var request = HTTPClientRequest(url: base + path)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body))
        }
        do {
            let response = try await client.execute(request, timeout: timeout)
            let bytes = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), Data(bytes.readableBytesView))
        } catch {
            throw .unreachable("\(error)")
        }
    }

    static func refusal(_ status: Int, _ body: Data) -> UpstreamError {
        let message = (try? JSONDecoder().decode([String: String].self, from: body))?["error"] ?? String(decoding: body.prefix(200), as: UTF8.self)
        return .refused(status: status, message: message)
    }
}

/// Why a call to the server did not succeed.
public enum UpstreamError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No answer: the network or the server is down (try again later).
    case unreachable(String)
    /// The server answered with a refusal (4xx/5xx) and its message.
    case refused(status: Int, message: String)
    /// The server's answer is not API v1.
    case protocolError(String)
    /// The client could not be set up (a bad CA file).
    case setup(String)

    public var description: String {
        switch self {
        case .unreachable(let s): "the server cannot be reached: \(s)"
        case .refused(let status, let message): "the server refused (\(status)): \(message)"
        case .protocolError(let s), .setup(let s): s
        }
    }

    /// Whether retrying the same batch later may succeed by itself (the network, the server
    /// restarting, a busy server); a refusal of the batch or the token needs a person.
    public var isTransient: Bool {
        switch self {
        case .unreachable: true
        case .refused(let status, _): status >= 500 || status == 408 || status == 429
        case .protocolError, .setup: false
        }
    }
}

extension SyncAPI.Batch {
    /// The batch as API v1 carries it: each rating with its overall answer only, follow-ups apart
    /// (so that a batch sent again is the same batch).
    init(_ batch: OutboxBatch) {
        self.init(
            questionnaire: .init(id: batch.questionnaireID, version: batch.questionnaireVersion),
            ratings: batch.ratings.map {
                Rating(id: $0.id, unit: $0.unit, minute: $0.minute, field: $0.field, channel: $0.channel, answers: [$0.item: Int($0.code)], dossierHash: $0.dossierHash)
            },
            additions: batch.additions.map { Addition(rating: $0.rating, item: $0.item, code: Int($0.code)) })
    }
}
