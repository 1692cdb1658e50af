import Foundation
import SIPASKiosk
import SIPASModel
import SIPASStoring

// The server's JSON (API v1), as README shows it: what a kiosk sends and what it gets back.

/// `POST /api/v1/ratings`: a batch from a kiosk's outbox.
///
/// ```json
/// {"questionnaire": {"id": "counter-quick", "version": "2025.1"},
///  "ratings": [{"id": "q1-000017", "unit": "XA01", "minute": "2026-12-06 09:41",
///               "field": "dat-dai", "channel": "truc-tiep", "answers": {"overall": 3, "staff": 2}}],
///  "additions": [{"rating": "q1-000016", "item": "time", "code": 2}]}
/// ```
struct IngestBody: Decodable {
    struct QuestionnaireRef: Decodable {
        var id: String
        var version: String
    }
    struct Rating: Decodable {
        var id: String
        var unit: String
        var minute: String
        var field: String?
        var channel: String?
        var answers: [String: Int]
        var dossierHash: String?

        enum CodingKeys: String, CodingKey {
            case id, unit, minute, field, channel, answers
            case dossierHash = "dossier_hash"
        }
    }
    struct Addition: Decodable {
        var rating: String
        var item: String
        var code: Int
    }
    var questionnaire: QuestionnaireRef
    var ratings: [Rating]
    var additions: [Addition]?
}

/// The answer to a stored batch: each rating's status, in order, and the additions.
struct IngestReply: Encodable {
    struct RatingStatus: Encodable {
        var id: String
        /// `created`, `held` (received before: a retry) or `dossier-already-rated` (not stored).
        var status: String
    }
    struct Additions: Encodable {
        var added: Int
        var held: Int
    }
    var kiosk: String
    var ratings: [RatingStatus]
    var additions: Additions
}

/// `GET /api/v1/kiosk`: who the token belongs to, and what the server takes.
struct KioskIdentity: Encodable {
    struct QuestionnaireRef: Encodable {
        var id: String
        var version: String
    }
    var kiosk: String
    var unit: String
    var questionnaires: [QuestionnaireRef]
    var maxRatings: Int

    enum CodingKeys: String, CodingKey {
        case kiosk, unit, questionnaires
        case maxRatings = "max_ratings"
    }
}

/// `GET /api/v1/status`: every kiosk's traffic.
struct ServerStatus: Encodable {
    struct Kiosk: Encodable {
        var kiosk: String
        var unit: String?
        var unitName: String?
        var today: Int
        var total: Int
        var lastReceived: String?
        var token: String

        enum CodingKeys: String, CodingKey {
            case kiosk, unit, today, total, token
            case unitName = "unit_name"
            case lastReceived = "last_received"
        }
    }
    var day: String
    var kiosks: [Kiosk]
}

/// The checks on a batch's content that need no store: codes, times, ids, the token's unit.
struct IngestValidator {
    var form: KioskForm
    var kiosk: KioskToken
    /// Ratings dated more than this after the server's clock are refused (a kiosk's clock is wrong).
    var now: Date

    static let maxRatings = 500
    static let maxAdditions = 2000

    func ratings(_ body: IngestBody) throws(IngestProblem) -> (ratings: [KioskRating], additions: [KioskAddition]) {
        guard body.ratings.count <= Self.maxRatings else {
            throw .tooLarge("a batch holds at most \(Self.maxRatings) ratings; this one has \(body.ratings.count): send it in parts")
        }
        guard (body.additions?.count ?? 0) <= Self.maxAdditions else {
            throw .tooLarge("a batch holds at most \(Self.maxAdditions) additions; this one has \(body.additions?.count ?? 0)")
        }
        let latest = KioskClock.dayAndMinute(now.addingTimeInterval(86_400)).minute
        var out: [KioskRating] = []
        for (n, r) in body.ratings.enumerated() {
            let at = "ratings[\(n)]"
            guard Self.validID(r.id) else { throw .invalid("\(at): 'id' must be 8 to 128 letters, digits, - or _") }
            let named = "\(at) (id \(r.id))"
            guard r.unit == kiosk.unit else {
                throw .forbidden("\(named) is for unit \(r.unit), but the token of kiosk '\(kiosk.kiosk)' writes ratings for unit \(kiosk.unit) only")
            }
            guard Self.validMinute(r.minute) else { throw .invalid("\(named): 'minute' must be the local time as yyyy-MM-dd HH:mm, not '\(r.minute)'") }
            guard r.minute <= latest else {
                throw .invalid("\(named): 'minute' \(r.minute) is more than a day after the server's clock; check the kiosk's clock")
            }
            for (name, code) in [("field", r.field), ("channel", r.channel)] {
                if let code, !Self.validCode(code) { throw .invalid("\(named): '\(name)' must be a code of 1 to 64 letters, digits, - _ or ., not '\(code)'") }
            }
            if let hash = r.dossierHash, !Self.validHash(hash) { throw .invalid("\(named): 'dossier_hash' must be 64 lowercase hex digits") }
            var overall: UInt8?
            var followUps: [String: UInt8] = [:]
            for (item, code) in r.answers.sorted(by: { $0.key < $1.key }) {
                let c = try self.code(item, code, at: named)
                if item == form.overallItem { overall = c } else { followUps[item] = c }
            }
            guard let overall else { throw .invalid("\(named): the answer to '\(form.overallItem)' is required") }
            out.append(KioskRating(
                kioskID: kiosk.kiosk, unit: r.unit, field: r.field, channel: r.channel, item: form.overallItem, code: overall,
                dossierHash: r.dossierHash, idempotencyKey: r.id, at: now, localMinute: r.minute, followUps: followUps))
        }
        var additions: [KioskAddition] = []
        for (n, a) in (body.additions ?? []).enumerated() {
            let at = "additions[\(n)]"
            guard Self.validID(a.rating) else { throw .invalid("\(at): 'rating' must be a rating's id (8 to 128 letters, digits, - or _)") }
            guard a.item != form.overallItem else { throw .invalid("\(at): '\(a.item)' is the rating itself, not a follow-up") }
            additions.append(KioskAddition(kioskID: kiosk.kiosk, ratingKey: a.rating, item: a.item, code: try code(a.item, a.code, at: at)))
        }
        return (out, additions)
    }

    func code(_ item: String, _ code: Int, at: String) throws(IngestProblem) -> UInt8 {
        guard let question = form.questions.first(where: { $0.id == item }) else {
            throw .invalid("\(at): unknown question '\(item)' (known: \(form.questions.map(\.id).joined(separator: ", ")))")
        }
        guard let choice = question.choices.first(where: { Int($0.code) == code }) else {
            throw .invalid("\(at): '\(item)' must be one of \(question.choices.map { String($0.code) }.joined(separator: ", ")), not \(code)")
        }
        return choice.code
    }

    static func validID(_ s: String) -> Bool {
        (8...128).contains(s.utf8.count) && s.utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    static func validCode(_ s: String) -> Bool {
        (1...64).contains(s.utf8.count) && s.utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    static func validHash(_ s: String) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// `yyyy-MM-dd HH:mm`, a real date and time.
    static func validMinute(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count == 16, u[10] == 0x20, u[13] == 0x3A, ISODate.isValid(s.prefix(10)) else { return false }
        func two(_ i: Int) -> Int? { (0x30...0x39).contains(u[i]) && (0x30...0x39).contains(u[i + 1]) ? Int(u[i] - 0x30) * 10 + Int(u[i + 1] - 0x30) : nil }
        guard let h = two(11), let m = two(14) else { return false }
        return h < 24 && m < 60
    }

    static func isAlnum(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) }
}

/// Why a batch is refused before it reaches the store.
enum IngestProblem: Error {
    case invalid(String)
    case forbidden(String)
    case tooLarge(String)
}
