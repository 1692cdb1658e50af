import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SIPASOMR
import SIPASScanReview
import Testing

/// The review server's API in process (no socket): the token on every route, answers checked
/// against each item's choices, and the sheets stored exactly once, only when all is decided.
@Suite struct WebReviewAPITests {
    static let token = "review-token-0123456789"

    /// Counts the calls of the store closure and gives back the decisions it was handed.
    final class Calls: @unchecked Sendable {
        private let lock = NSLock()
        private var calls: [[String: [String: ItemReading.Answer]]] = []
        func record(_ d: [String: [String: ItemReading.Answer]]) { lock.lock(); calls.append(d); lock.unlock() }
        var all: [[String: [String: ItemReading.Answer]]] { lock.lock(); defer { lock.unlock() }; return calls }
    }

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    static func items() -> [ReviewItem] {
        let five = (1...5).map { ReviewItem.Choice(code: $0, label: "Mức \($0)") }
        return [
            ReviewItem(serial: "XA01-2026-0001", page: 2, item: "q9_3", number: "9.3", text: "Người dân được tham gia góp ý kiến", choices: five, multi: false,
                       maxPicks: nil, candidates: [4, 5], reason: .severalMarked(2), png: pngSignature + [0, 0, 0, 0]),
            ReviewItem(serial: "XA01-2026-0001", page: 1, item: "q2", number: "2", text: "Kênh theo dõi thông tin", choices: five, multi: true, maxPicks: 3,
                       candidates: [1], reason: .lightMark, png: []),
            ReviewItem(serial: "XA01-2026-0002", page: 3, item: "q9_30", number: "9.30", text: "Bảo đảm công bằng", choices: five, multi: false,
                       maxPicks: nil, candidates: [2], reason: .lightMark, png: []),
        ]
    }

    static func send(_ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, token: String? = token) async throws -> (HTTPResponse.Status, String, [UInt8]) {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        let r = try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        let bytes = Array(r.body.readableBytesView)
        return (r.status, String(decoding: bytes, as: UTF8.self), bytes)
    }

    @Test func theTokenGuardsEveryRoute() async throws {
        let web = WebReview(book: ReviewBook(items: Self.items()), port: 0, token: Self.token) { _ in .success("stored") }
        try await web.application().test(.router) { client in
            for uri in ["/", "/api/items", "/api/items/1/crop.png"] {
                let (none, text, _) = try await Self.send(client, .get, uri, token: nil)
                #expect(none == .unauthorized && text.contains("review token"), "\(uri): \(none) \(text)")
                let (wrong, _, _) = try await Self.send(client, .get, uri, token: "review-token-0123456788")
                #expect(wrong == .unauthorized, "\(uri) with a wrong token: \(wrong)")
            }
            let (status, _, _) = try await Self.send(client, .post, "/api/finish", token: nil)
            #expect(status == .unauthorized)
            let (page, html, _) = try await Self.send(client, .get, "/?token=\(Self.token)", token: nil)
            #expect(page == .ok && html.contains("Xem lại dấu chưa rõ"))
            let (crop, _, bytes) = try await Self.send(client, .get, "/api/items/1/crop.png?token=\(Self.token)", token: nil)
            #expect(crop == .ok && Array(bytes.prefix(8)) == Self.pngSignature)
        }
    }

    @Test func answersAreCheckedAndTheSheetsStoredOnce() async throws {
        let calls = Calls()
        let book = ReviewBook(items: Self.items())
        let web = WebReview(book: book, port: 0, token: Self.token) { decisions in
            calls.record(decisions)
            return .success("Stored 2 forms.")
        }
        try await web.application().test(.router) { client in
            let (listed, json, _) = try await Self.send(client, .get, "/api/items")
            #expect(listed == .ok)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            #expect(body["total"] as? Int == 3 && body["decided"] as? Int == 0 && body["sheets"] as? Int == 2 && body["state"] as? String == "open")
            let first = try #require((body["items"] as? [[String: Any]])?.first)
            #expect(first["reason"] as? String == "tô 2 ô (có thể đã sửa)" && first["reason_en"] as? String == "2 answers marked (a correction?)")
            let marked = (first["choices"] as? [[String: Any]] ?? []).filter { $0["marked"] as? Bool == true }.compactMap { $0["code"] as? Int }
            #expect(marked == [4, 5])
            #expect(first["answer"] is NSNull && first["decided"] as? Bool == false)

            // Refused: a code off the scale, two codes on a one-answer item, more than allowed, not JSON, no such item.
            for (uri, text, expected) in [
                ("/api/items/1", #"{"answer": 7}"#, HTTPResponse.Status.unprocessableContent),
                ("/api/items/1", #"{"answer": [4, 5]}"#, .unprocessableContent),
                ("/api/items/2", #"{"answer": [1, 2, 3, 4]}"#, .unprocessableContent),
                ("/api/items/2", #"{"answer": [2, 2]}"#, .unprocessableContent),
                ("/api/items/1", "{answer", .badRequest),
                ("/api/items/1", #"{"code": 4}"#, .badRequest),
                ("/api/items/4", #"{"answer": 1}"#, .notFound),
                ("/api/items/0", #"{"answer": 1}"#, .notFound),
            ] {
                let (status, message, _) = try await Self.send(client, .put, uri, text)
                #expect(status == expected, "\(uri) \(text): \(status) \(message)")
            }
            let (big, _, _) = try await Self.send(client, .put, "/api/items/1", String(repeating: " ", count: 5000) + #"{"answer": 4}"#)
            #expect(big.code == 413)

            #expect(try await Self.send(client, .put, "/api/items/1", #"{"answer": 4}"#).0 == .ok)
            let (early, earlyText, _) = try await Self.send(client, .post, "/api/finish")
            #expect(early == .conflict && earlyText.contains("2 doubtful marks are not decided"), "\(earlyText)")
            #expect(calls.all.isEmpty, "nothing is stored while marks are undecided")
            // Changed mind: item 1 becomes 5; the multi-choice item takes two codes; item 3 is left blank.
            #expect(try await Self.send(client, .put, "/api/items/1", #"{"answer": 5}"#).0 == .ok)
            #expect(try await Self.send(client, .put, "/api/items/2", #"{"answer": [3, 1]}"#).0 == .ok)
            let (last, lastText, _) = try await Self.send(client, .put, "/api/items/3", #"{"answer": null}"#)
            #expect(last == .ok && lastText == #"{"decided":3,"index":3,"total":3}"#, "\(lastText)")

            let (done, doneText, _) = try await Self.send(client, .post, "/api/finish")
            #expect(done == .ok && doneText == #"{"stored":"Stored 2 forms."}"#, "\(doneText)")
            let (again, againText, _) = try await Self.send(client, .post, "/api/finish")
            #expect(again == .conflict && againText.contains("stored once"), "\(againText)")
            let (late, _, _) = try await Self.send(client, .put, "/api/items/1", #"{"answer": 1}"#)
            #expect(late == .conflict)
        }
        #expect(calls.all.count == 1, "the sheets are stored exactly once")
        #expect(calls.all.first == ["XA01-2026-0001": ["q9_3": .code(5), "q2": .codes([1, 3])], "XA01-2026-0002": ["q9_30": .blank]])
        #expect(book.snapshot.state == .stored("Stored 2 forms."))
    }

    @Test func aRefusedImportEndsTheReviewWithNothingStored() async throws {
        let items = Array(Self.items().prefix(1))
        let web = WebReview(book: ReviewBook(items: items), port: 0, token: Self.token) { _ in .failure(UserFacingError("XA01-2026-0001 is already stored; nothing was imported")) }
        try await web.application().test(.router) { client in
            #expect(try await Self.send(client, .put, "/api/items/1", #"{"answer": 4}"#).0 == .ok)
            let (status, text, _) = try await Self.send(client, .post, "/api/finish")
            #expect(status == .unprocessableContent && text.contains("already stored"), "\(text)")
            let (again, _, _) = try await Self.send(client, .post, "/api/finish")
            #expect(again == .conflict)
        }
    }
}
