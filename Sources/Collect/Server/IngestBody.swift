import Foundation
import SIPASKiosk
import SIPASModel
import SIPASStoring
import SIPASSyncAPI

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

    func ratings(_ body: SyncAPI.Batch) throws(IngestProblem) -> (ratings: [KioskRating], additions: [KioskAddition]) {
        guard body.ratings.count <= SyncAPI.maxRatings else {
            throw .tooLarge("a batch holds at most \(SyncAPI.maxRatings) ratings; this one has \(body.ratings.count): send it in parts")
        }
        guard (body.additions?.count ?? 0) <= SyncAPI.maxAdditions else {
            throw .tooLarge("a batch holds at most \(SyncAPI.maxAdditions) additions; this one has \(body.additions?.count ?? 0)")
        }
        let latest = KioskClock.dayAndMinute(now.addingTimeInterval(86_400)).minute
        var out: [KioskRating] = []
        for (n, r) in body.ratings.enumerated() {
            let at = "ratings[\(n)]"
            guard KioskIdentifier.isRatingKey(r.id) else { throw .invalid("\(at): 'id' must be 8 to 128 letters, digits, - or _") }
            let named = "\(at) (id \(r.id))"
            guard r.unit == kiosk.unit else {
                throw .forbidden("\(named) is for unit \(r.unit), but the token of kiosk '\(kiosk.kiosk)' writes ratings for unit \(kiosk.unit) only")
            }
            guard Self.validMinute(r.minute) else { throw .invalid("\(named): 'minute' must be the local time as yyyy-MM-dd HH:mm, not '\(r.minute)'") }
            guard r.minute <= latest else {
                throw .invalid("\(named): 'minute' \(r.minute) is more than a day after the server's clock; check the kiosk's clock")
            }
            for (name, code) in [("field", r.field), ("channel", r.channel)] {
                if let code, !KioskIdentifier.isCode(code) { throw .invalid("\(named): '\(name)' must be a code of 1 to 64 letters, digits, - _ or ., not '\(code)'") }
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
            guard KioskIdentifier.isRatingKey(a.rating) else { throw .invalid("\(at): 'rating' must be a rating's id (8 to 128 letters, digits, - or _)") }
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

}

/// Why a batch is refused before it reaches the store.
enum IngestProblem: Error {
    case invalid(String)
    case forbidden(String)
    case tooLarge(String)
}
