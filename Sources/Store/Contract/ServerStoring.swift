import Crypto
import Foundation
import SIPASModel

/// What `sipas serve` (the district or province server) needs from a store beyond a kiosk's:
/// kiosks' tokens, and the batches of ratings that kiosks push from their outboxes.
///
/// Both stores conform (PostgreSQL is the one meant for a server; SQLite serves a small office).
public protocol KioskServerStore: KioskRatingStore {
    /// Use when a kiosk's outbox reaches the server: stores the batch in one transaction, all or
    /// nothing. Every rating carries its own id (`idempotencyKey`) under its kiosk (`kioskID`):
    /// a rating already held is answered `.replayed` and not stored again; a rating whose dossier
    /// was rated by another rating is answered `.dossierAlreadyRated` and not stored. Additions
    /// (follow-up answers given after their rating was sent) name their rating by its id.
    ///
    /// Throws `IngestRefusal`, storing nothing, when an id already held arrives with other
    /// content (a replay with changed content), or an addition names a rating the server does
    /// not hold.
    func ingest(_ ratings: [KioskRating], additions: [KioskAddition], questionnaire: Questionnaire) throws -> IngestOutcome

    /// Use when the server starts: records a questionnaire version it takes ratings of (with its
    /// YAML, so that stored answers can always be decoded). Changes nothing when already recorded.
    func registerQuestionnaire(_ questionnaire: Questionnaire, yaml: String) throws

    /// Use for `sipas token add`: keeps the token's hash (never the token) for a kiosk name and unit.
    /// Throws `KioskStoreError` when the kiosk already has a token that is not revoked.
    func addKioskToken(_ token: KioskToken) throws

    /// Every token ever issued (revoked ones too), by kiosk name and date.
    func kioskTokens() throws -> [KioskToken]

    /// Revokes the kiosk's active token at `at` (ISO 8601); false when it has none.
    func revokeKioskToken(kiosk: String, at: String) throws -> Bool

    /// The token with this hash, revoked or not; nil when no token has it.
    func kioskToken(hash: String) throws -> KioskToken?

    /// Use to hand the store's dossier key (hex) to an authenticated kiosk that asks for dossier
    /// codes (`GET /api/v1/dossier-key`), so that all kiosks hash a dossier code alike.
    func dossierKeyHex() throws -> String

    /// Use for the server's status page: what each kiosk has sent, today (the local day `day`,
    /// yyyy-MM-dd) and in all, and when its last rating arrived.
    func kioskActivity(day: String) throws -> [KioskActivity]
}

/// A kiosk's token as the server keeps it: the SHA-256 of the token, never the token.
public struct KioskToken: Sendable, Equatable, Codable {
    /// The kiosk's name (stored with each of its ratings as `kiosk_id`).
    public var kiosk: String
    /// The unit (đơn vị) the kiosk may write ratings for, and no other.
    public var unit: String
    public var tokenHash: String
    public var createdAt: String
    public var revokedAt: String?

    /// What is kept of a token: its SHA-256, in hex. A token is 18 random bytes, so a fast hash
    /// is enough (nothing to guess from a stolen hash).
    public static func hash(of token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    public init(kiosk: String, unit: String, tokenHash: String, createdAt: String, revokedAt: String? = nil) {
        self.kiosk = kiosk
        self.unit = unit
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// A follow-up answer (câu hỏi thêm) given after its rating left the kiosk.
public struct KioskAddition: Sendable, Equatable {
    public var kioskID: String
    /// The rating's own id (its idempotency key).
    public var ratingKey: String
    public var item: String
    public var code: UInt8

    public init(kioskID: String, ratingKey: String, item: String, code: UInt8) {
        self.kioskID = kioskID
        self.ratingKey = ratingKey
        self.item = item
        self.code = code
    }
}

/// What a stored batch did: one outcome per rating, in order, and the additions stored now or held already.
public struct IngestOutcome: Sendable, Equatable {
    public var ratings: [KioskOutcome]
    public var additionsAdded: Int
    public var additionsReplayed: Int

    public init(ratings: [KioskOutcome], additionsAdded: Int, additionsReplayed: Int) {
        self.ratings = ratings
        self.additionsAdded = additionsAdded
        self.additionsReplayed = additionsReplayed
    }
}

/// A batch refused whole, nothing stored: `message` names the rating (or addition) at fault and why.
public struct IngestRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One kiosk's traffic, for the server's status page.
public struct KioskActivity: Sendable, Equatable, Codable {
    public var kiosk: String
    public var unit: String?
    public var today: Int
    public var total: Int
    /// When its newest rating was stored on the server (ISO 8601).
    public var lastReceived: String?

    public init(kiosk: String, unit: String?, today: Int, total: Int, lastReceived: String?) {
        self.kiosk = kiosk
        self.unit = unit
        self.today = today
        self.total = total
        self.lastReceived = lastReceived
    }
}
