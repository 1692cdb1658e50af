import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SIPASHTTP
import SIPASOMR
import ServiceLifecycle

/// The review of doubtful marks in a browser (`sipas scan --review web`): one self-contained
/// page on loopback, guarded by a token, and a small JSON API over a `ReviewBook`.
///
/// Every route needs the token, as `?token=T` (the address printed) or `Authorization: Bearer T`.
/// - `GET /`: the page (keyboard: digit = choose, 0 = blank, Enter = next, ← → = move).
/// - `GET /api/items`: every doubtful item with its question, choices, reason and answer so far.
/// - `GET /api/items/{n}/crop.png`: the scan around item n's bubbles.
/// - `PUT /api/items/{n}` `{"answer": 3}`, `{"answer": [1, 4]}` or `{"answer": null}` (blank).
/// - `POST /api/finish`: stores the sheets once every item is decided: 200 with what was stored,
///   409 with items undecided or after a finish, 422 when the import refused (nothing stored).
/// After a finish the server stops.
public struct WebReview: Sendable {
    public let book: ReviewBook
    public let port: Int
    public let token: String
    /// Stores the sheets with the decisions; the message for the page, or the refusal.
    public let store: @Sendable ([String: [String: ItemReading.Answer]]) -> Result<String, UserFacingError>
    public static let host = "127.0.0.1"
    static let maxBody = 2048

    public init(book: ReviewBook, port: Int, token: String, store: @escaping @Sendable ([String: [String: ItemReading.Answer]]) -> Result<String, UserFacingError>) {
        self.book = book
        self.port = port
        self.token = token
        self.store = store
    }

    /// A new random token: 18 bytes, URL-safe base64.
    public static func newToken() -> String { Tokens.new() }

    static let tokenRefusal = "the review token is missing or wrong: open the address that `sipas scan --review web` printed (with ?token=…)"

    /// Serves until the review finishes (or the process is interrupted), blocking the calling
    /// thread; `onRunning` gets the bound port. Returns the book's final state.
    public func serveBlocking(onRunning: @escaping @Sendable (Int) -> Void) throws -> ReviewBook.State {
        let group = LockedBox<ServiceGroup?>(nil)
        var logger = Logger(label: "sipas-review")
        logger.logLevel = .warning
        let app = application(onRunning: onRunning) {
            // Let the finish answer reach the page, then stop gracefully.
            Task {
                try? await Task.sleep(for: .milliseconds(400))
                await group.value?.triggerGracefulShutdown()
            }
        }
        group.value = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try waitFor { try await group.value?.run() }
        return book.snapshot.state
    }

    /// The page and the API as a Hummingbird application; `onFinished` runs after a finish.
    public func application(onRunning: @escaping @Sendable (Int) -> Void = { _ in }, onFinished: @escaping @Sendable () -> Void = {}) -> some ApplicationProtocol {
        let router = Router()
        let review = self
        let guarded = router.group().add(middleware: RefusalMiddleware()).add(middleware: TokenMiddleware(token: token, query: true, refusal: Self.tokenRefusal))
        guarded.get("/") { _, _ in
            Response(
                status: .ok,
                headers: [
                    .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                    HTTPField.Name("Content-Security-Policy")!: "default-src 'self'; img-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
                ],
                body: .init(byteBuffer: ByteBuffer(string: ReviewPage.html)))
        }
        guarded.get("api/items") { _, _ in JSONReply(.ok, review.itemsBody()) }
        guarded.get("api/items/:n/crop.png") { _, context in
            let index = try review.index(context)
            let png = review.book.items[index].png
            guard !png.isEmpty else { throw HTTPRefusal(.notFound, "item \(index + 1) has no cropped scan") }
            return Response(status: .ok, headers: [.contentType: "image/png", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(bytes: png)))
        }
        guarded.put("api/items/:n") { request, context in
            let index = try review.index(context)
            let item = review.book.items[index]
            let answer = try await review.decodeAnswer(request, for: item)
            guard review.book.decide(index, answer) else { throw HTTPRefusal(.conflict, "the review has finished; nothing more can be changed") }
            let answers = review.book.snapshot.answers
            return JSONReply(.ok, Decided(index: index + 1, decided: answers.filter { $0 != nil }.count, total: answers.count))
        }
        guarded.post("api/finish") { _, _ in
            let outcome = review.book.finish(review.store)
            if outcome.ran { onFinished() }
            switch (outcome.ran, outcome.state) {
            case (_, .open):
                throw HTTPRefusal(
                    .conflict, "\(outcome.undecided) doubtful mark\(outcome.undecided == 1 ? " is" : "s are") not decided yet; nothing was stored")
            case (true, .stored(let message)): return JSONReply(.ok, Finished(stored: message))
            case (true, .refused(let message)): throw HTTPRefusal(.unprocessableContent, message)
            case (false, .stored(let message)): throw HTTPRefusal(.conflict, "the review has finished and its sheets were stored once: \(message)")
            case (false, .refused(let message)): throw HTTPRefusal(.conflict, "the review has finished; the import refused and nothing was stored: \(message)")
            }
        }
        var logger = Logger(label: "sipas-review")
        logger.logLevel = .warning
        return Application(
            router: router,
            configuration: .init(address: .hostname(Self.host, port: port), serverName: "sipas"),
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? review.port) },
            logger: logger)
    }

    func index(_ context: some RequestContext) throws -> Int {
        guard let n = context.parameters.get("n", as: Int.self), (1...book.items.count).contains(n) else {
            throw HTTPRefusal(.notFound, "no such item: items are numbered 1 to \(book.items.count)")
        }
        return n - 1
    }

    func decodeAnswer(_ request: Request, for item: ReviewItem) async throws -> ItemReading.Answer {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.maxBody)
        } catch {
            throw HTTPRefusal(HTTPRefusal.contentTooLarge, "the request body is larger than \(Self.maxBody) bytes")
        }
        let body: AnswerBody
        do {
            body = try JSONDecoder().decode(AnswerBody.self, from: Data(buffer.readableBytesView))
        } catch {
            throw HTTPRefusal(.badRequest, "the body must be {\"answer\": CODE}, {\"answer\": [CODES]} or {\"answer\": null} (blank)")
        }
        let answer: ItemReading.Answer
        switch body.answer {
        case .none: answer = .blank
        case .one(let code): answer = item.answer(for: [code])
        case .many(let codes): answer = item.answer(for: codes)
        }
        guard item.accepts(answer) else {
            let codes = item.choices.map { String($0.code) }.joined(separator: ", ")
            throw HTTPRefusal(
                .unprocessableContent,
                item.multi
                    ? "item \(item.item) takes one or more of \(codes)\(item.maxPicks.map { " (at most \($0))" } ?? ""), or null for blank"
                    : "item \(item.item) takes one of \(codes), or null for blank")
        }
        return answer
    }

    func itemsBody() -> ItemsBody {
        let (answers, state) = book.snapshot
        let (stateName, message): (String, String?) =
            switch state {
            case .open: ("open", nil)
            case .stored(let m): ("stored", m)
            case .refused(let m): ("refused", m)
            }
        return ItemsBody(
            total: answers.count, decided: answers.filter { $0 != nil }.count, state: stateName, message: message,
            sheets: Set(book.items.map(\.serial)).count,
            items: zip(book.items, answers).enumerated().map { index, pair in
                let (item, answer) = pair
                let encoded: AnswerValue? =
                    switch answer {
                    case nil: nil
                    case .blank?: AnswerValue.none
                    case .code(let c)?: .one(c)
                    case .codes(let cs)?: .many(cs)
                    }
                return ItemsBody.Item(
                    index: index + 1, serial: item.serial, page: item.page, item: item.item, number: item.number, text: item.text,
                    reason: item.reason.vietnamese, reasonEN: item.reason.description, multi: item.multi, maxPicks: item.maxPicks,
                    choices: item.choices.map { .init(code: $0.code, label: $0.label, marked: item.candidates.contains($0.code)) },
                    hasCrop: !item.png.isEmpty, decided: answer != nil, answer: encoded)
            })
    }
}

/// `{"answer": …}` as sent: a code, a list of codes, or null for blank.
enum AnswerValue: Codable, Equatable {
    case none
    case one(Int)
    case many([Int])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .none
        } else if let code = try? c.decode(Int.self) {
            self = .one(code)
        } else {
            self = .many(try c.decode([Int].self))
        }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .none: try c.encodeNil()
        case .one(let code): try c.encode(code)
        case .many(let codes): try c.encode(codes)
        }
    }
}

struct AnswerBody: Decodable {
    var answer: AnswerValue

    enum CodingKeys: String, CodingKey { case answer }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard c.contains(.answer) else { throw DecodingError.keyNotFound(CodingKeys.answer, .init(codingPath: [], debugDescription: "answer")) }
        answer = try c.decode(AnswerValue.self, forKey: .answer)
    }
}

struct ItemsBody: Encodable {
    struct Item: Encodable {
        struct Choice: Encodable {
            var code: Int
            var label: String
            var marked: Bool
        }
        var index: Int
        var serial: String
        var page: Int
        var item: String
        var number: String?
        var text: String
        var reason: String
        var reasonEN: String
        var multi: Bool
        var maxPicks: Int?
        var choices: [Choice]
        var hasCrop: Bool
        var decided: Bool
        var answer: AnswerValue?

        enum CodingKeys: String, CodingKey {
            case index, serial, page, item, number, text, reason, multi, choices, decided, answer
            case reasonEN = "reason_en"
            case maxPicks = "max_picks"
            case hasCrop = "has_crop"
        }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(serial, forKey: .serial)
            try c.encode(page, forKey: .page)
            try c.encode(item, forKey: .item)
            try c.encode(number, forKey: .number)
            try c.encode(text, forKey: .text)
            try c.encode(reason, forKey: .reason)
            try c.encode(reasonEN, forKey: .reasonEN)
            try c.encode(multi, forKey: .multi)
            try c.encode(maxPicks, forKey: .maxPicks)
            try c.encode(choices, forKey: .choices)
            try c.encode(hasCrop, forKey: .hasCrop)
            try c.encode(decided, forKey: .decided)
            if let answer { try c.encode(answer, forKey: .answer) } else { try c.encodeNil(forKey: .answer) }
        }
    }
    var total: Int
    var decided: Int
    var state: String
    var message: String?
    var sheets: Int
    var items: [Item]
}

struct Decided: Encodable {
    var index: Int
    var decided: Int
    var total: Int
}

struct Finished: Encodable {
    var stored: String
}
