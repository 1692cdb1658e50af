import Foundation
import SIPASModel

/// What a kiosk at the counter (kiosk tại quầy) needs from a store (kho dữ liệu), and nothing more.
///
/// The kiosk's recorder, terminal and web drivers depend on this protocol only; the embedded
/// SQLite store (`ResponseStore` in SIPASStore) conforms, and any other store (PostgreSQL, an
/// in-memory fake in tests) can plug in without touching kiosk code. Every call may throw for
/// the store's own failures (disk, connection); refusals that concern one rating or answer are
/// `KioskStoreError`s.
public protocol KioskRatingStore: Sendable {
    /// Use once when a kiosk starts, before the first rating: records the questionnaire version
    /// (with its YAML, so that stored answers can always be decoded) and the unit (đơn vị) when
    /// they are new. Calling it again with the same questionnaire and unit changes nothing.
    func prepareKiosk(questionnaire: Questionnaire, yaml: String, unit: String, unitName: String?) throws

    /// Use to store the ratings waiting at a kiosk durably, all in one transaction (group
    /// commit: one fsync for many citizens); return only once that transaction is durable.
    /// One refused rating must not undo the others: the result has one outcome per rating, in order.
    ///
    /// The idempotency lookup happens here, inside the same transaction: a rating whose
    /// `(kioskID, idempotencyKey)` was stored before is not stored again but answered
    /// `.replayed(id)` (same rating and dossier) or `.keyReused(id)` (anything else). Where
    /// `replayOnly[i]` is true, rating `i` may only be such a replay: a new key gives `.notStored`.
    /// A dossier hash already rated gives `.dossierAlreadyRated` (one rating per dossier, hồ sơ).
    func recordRatings(_ ratings: [KioskRating], questionnaire: Questionnaire, replayOnly: [Bool]?) throws -> [Result<KioskOutcome, KioskStoreError>]

    /// Use when a citizen answers a follow-up question (câu hỏi thêm) after the rating was
    /// stored: appends the answer to rating `responseID`. Returns false, changing nothing, when
    /// that item was already answered (the rating itself is never rewritten). With an
    /// `idempotencyKey`, only the client that submitted the rating with that key may add to it.
    /// Throws `KioskStoreError` when there is no such kiosk rating of this questionnaire, the key
    /// differs, or the item is not a coded item of the questionnaire.
    func addAnswer(responseID: Int64, item: String, code: UInt8, questionnaire: Questionnaire, idempotencyKey: String?) throws -> Bool

    /// Use before storing or checking a dossier code (mã hồ sơ): the keyed hash (HMAC under the
    /// store's own secret) that is stored in its place, so that the code itself is never kept.
    /// Codes are compared without surrounding spaces and without case.
    func dossierHash(_ code: String) throws -> String

    /// Use when a dossier code is entered, before the citizen rates: whether a rating with this
    /// dossier hash is stored already.
    func dossierRated(_ hash: String) throws -> Bool

    /// Use when a kiosk refuses an attempt (`too-soon`, `closed`, `dossier-repeat`, …): counts it
    /// for the staff screen under `reason`, on the local day of `at`.
    func recordRejection(kioskID: String, reason: String, at: Date) throws

    /// Use for the staff screen and the status call: ratings of this kiosk today and from
    /// `periodStart` (yyyy-MM-dd) to today, today's ratings whose `item` code is in
    /// `dissatisfied`, and today's refusals by reason. "Today" is the local day of `now`.
    func kioskCounts(kioskID: String, item: String, questionnaire: Questionnaire, dissatisfied: Set<UInt8>, periodStart: String, now: Date) throws -> KioskCounts
}

/// One rating given at a kiosk (đánh giá tại quầy): the first answer of a counter form.
public struct KioskRating: Sendable, Equatable {
    public var kioskID: String
    public var unit: String
    public var field: String?
    public var channel: String?
    /// The item rated first (the overall question) and its code.
    public var item: String
    public var code: UInt8
    /// Keyed hash of the dossier code, when the kiosk asks for one.
    public var dossierHash: String?
    /// A key chosen by the client so that a retried submission is stored once.
    public var idempotencyKey: String?
    public var at: Date
    /// The local minute of the rating at the kiosk (yyyy-MM-dd HH:mm), when it comes from a kiosk
    /// elsewhere (a synced outbox): stored as given. Otherwise `at` is taken in this machine's zone.
    public var localMinute: String?
    /// Follow-up answers already known when the rating is stored (item → code), appended in the same transaction.
    public var followUps: [String: UInt8] = [:]

    public init(
        kioskID: String, unit: String, field: String?, channel: String?, item: String, code: UInt8,
        dossierHash: String? = nil, idempotencyKey: String? = nil, at: Date = Date(), localMinute: String? = nil, followUps: [String: UInt8] = [:]
    ) {
        self.localMinute = localMinute
        self.followUps = followUps
        self.kioskID = kioskID
        self.unit = unit
        self.field = field
        self.channel = channel
        self.item = item
        self.code = code
        self.dossierHash = dossierHash
        self.idempotencyKey = idempotencyKey
        self.at = at
    }
}

/// What happened to a submitted rating.
public enum KioskOutcome: Sendable, Equatable {
    /// Stored now, with this response id.
    case created(Int64)
    /// The same idempotency key was stored before: this is its response id.
    case replayed(Int64)
    /// The key was stored before with another rating or dossier: nothing was stored (a client
    /// reusing keys, not a retry).
    case keyReused(Int64)
    /// The dossier was rated before; nothing was stored.
    case dossierAlreadyRated
    /// Only a replay was acceptable, and the key is new: nothing was stored.
    case notStored
}

/// Counts for the staff screen.
public struct KioskCounts: Sendable, Equatable, Codable {
    public var today: Int
    public var period: Int
    public var dissatisfiedToday: Int
    public var rejectedToday: Int
    public var rejectedByReason: [String: Int]
    /// The link to the server, on a kiosk that syncs to one (the recorder fills it, not the store).
    public var upstream: UpstreamStatus?

    public init(today: Int, period: Int, dissatisfiedToday: Int, rejectedToday: Int, rejectedByReason: [String: Int], upstream: UpstreamStatus? = nil) {
        self.upstream = upstream
        self.today = today
        self.period = period
        self.dissatisfiedToday = dissatisfiedToday
        self.rejectedToday = rejectedToday
        self.rejectedByReason = rejectedByReason
    }
}

/// A store's refusal of one rating or answer, phrased for the person at the keyboard: no such
/// rating, another client's key, an item the questionnaire does not code, a constraint.
public struct KioskStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Local calendar day and minute (yyyy-MM-dd, yyyy-MM-dd HH:mm): a rating's time is kept to the minute.
public enum KioskClock {
    public static func dayAndMinute(_ date: Date, timeZone: TimeZone = .current) -> (day: String, minute: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let day = String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
        return (day, day + String(format: " %02d:%02d", c.hour ?? 0, c.minute ?? 0))
    }

    /// The day and minute a rating is stored under: its kiosk's local minute when given, else `at` here.
    public static func dayAndMinute(of rating: KioskRating) -> (day: String, minute: String) {
        if let minute = rating.localMinute { return (String(minute.prefix(10)), minute) }
        return dayAndMinute(rating.at)
    }
}

/// The spelling of the identifiers kiosks and servers exchange, checked the same everywhere.
public enum KioskIdentifier {
    /// A rating's own id (the web kiosk's `Idempotency-Key`, a synced rating's `id`): 8 to 128
    /// ASCII letters, digits, `-` or `_`.
    public static func isRatingKey(_ s: String) -> Bool {
        (8...128).contains(s.utf8.count) && s.utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    /// A kiosk name, a unit, field or channel code: 1 to 64 ASCII letters, digits, `-`, `_` or `.`.
    public static func isCode(_ s: String) -> Bool {
        (1...64).contains(s.utf8.count)
            && s.utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    static func isAlnum(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) }
}
