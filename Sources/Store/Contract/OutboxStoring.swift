import Foundation
import SIPASModel

/// A kiosk's outbox (hộp thư đi): the ratings and follow-up answers it stored locally that the
/// server has not yet acknowledged. Use it on a kiosk that syncs to `sipas serve`
/// (`sipas kiosk --upstream`): the rating is committed locally first, as always, and marked sent
/// only once the server has acknowledged the batch that carried it.
public protocol KioskOutbox: Sendable {
    /// The oldest unsent ratings of `kioskID` (at most `maxRatings`), and the unsent follow-up
    /// answers whose rating is sent already or in this batch (at most `maxAdditions`).
    func outboxBatch(kioskID: String, maxRatings: Int, maxAdditions: Int) throws -> OutboxBatch

    /// Marks a batch sent, in one transaction, with each rating's status as the server answered
    /// it (`created`, `held`, `dossier-already-rated`), and records `at` as the last sync.
    func markSent(_ batch: OutboxBatch, statuses: [String], at: String) throws

    /// Ratings and answers still waiting, and when the server last acknowledged a batch.
    func outboxState(kioskID: String) throws -> OutboxState

    /// Use when a kiosk that asks for dossier codes syncs to a server: from now on dossier codes
    /// are hashed under the server's key (`keyHex`, 64 hex digits), so that the server sees one
    /// hash for one dossier whichever kiosk rated it; `server` is recorded as where it came from.
    /// Changes nothing when the key is already the store's. Throws `KioskStoreError` when the
    /// store holds dossier hashes under another key (they could no longer be compared).
    func adoptDossierKey(_ keyHex: String, from server: String) throws

    /// The server whose dossier key this store uses, when it adopted one.
    func adoptedDossierKeySource() throws -> String?
}

/// What one sync sends: ratings with their overall answer only, and follow-up answers apart, so
/// that the same rating always goes out with the same content however often it is retried.
public struct OutboxBatch: Sendable, Equatable {
    public struct Rating: Sendable, Equatable {
        /// The local row (to mark it sent).
        public var responseID: Int64
        /// The rating's own id on the server: its form id here, unique to this kiosk.
        public var id: String
        public var unit: String
        public var minute: String
        public var field: String?
        public var channel: String?
        public var item: String
        public var code: UInt8
        public var dossierHash: String?

        public init(
            responseID: Int64, id: String, unit: String, minute: String, field: String?, channel: String?, item: String, code: UInt8, dossierHash: String?
        ) {
            self.responseID = responseID
            self.id = id
            self.unit = unit
            self.minute = minute
            self.field = field
            self.channel = channel
            self.item = item
            self.code = code
            self.dossierHash = dossierHash
        }
    }
    public struct Addition: Sendable, Equatable {
        public var responseID: Int64
        /// The id of its rating.
        public var rating: String
        public var item: String
        public var code: UInt8

        public init(responseID: Int64, rating: String, item: String, code: UInt8) {
            self.responseID = responseID
            self.rating = rating
            self.item = item
            self.code = code
        }
    }
    public var questionnaireID: String
    public var questionnaireVersion: String
    public var ratings: [Rating]
    public var additions: [Addition]

    public init(questionnaireID: String, questionnaireVersion: String, ratings: [Rating], additions: [Addition]) {
        self.questionnaireID = questionnaireID
        self.questionnaireVersion = questionnaireVersion
        self.ratings = ratings
        self.additions = additions
    }

    public var isEmpty: Bool { ratings.isEmpty && additions.isEmpty }
}

/// The outbox for the staff screen.
public struct OutboxState: Sendable, Equatable, Codable {
    /// Ratings stored here and not yet acknowledged by the server.
    public var queuedRatings: Int
    /// Follow-up answers not yet acknowledged.
    public var queuedAdditions: Int
    /// When the server last acknowledged a batch (ISO 8601), if ever.
    public var lastSync: String?

    public init(queuedRatings: Int, queuedAdditions: Int, lastSync: String?) {
        self.queuedRatings = queuedRatings
        self.queuedAdditions = queuedAdditions
        self.lastSync = lastSync
    }
}

/// A syncing kiosk's link to its server, for the staff screen and the status call.
public struct UpstreamStatus: Sendable, Equatable, Codable {
    /// The server (`https://HOST:PORT`).
    public var server: String
    /// Ratings and follow-up answers stored here and not yet acknowledged.
    public var queuedRatings: Int
    public var queuedAdditions: Int
    /// When the server last acknowledged a batch (ISO 8601), if ever.
    public var lastSync: String?
    /// Why the last attempt failed, when it did (cleared by the next success).
    public var lastError: String?

    public init(server: String, queuedRatings: Int, queuedAdditions: Int, lastSync: String?, lastError: String?) {
        self.server = server
        self.queuedRatings = queuedRatings
        self.queuedAdditions = queuedAdditions
        self.lastSync = lastSync
        self.lastError = lastError
    }

    enum CodingKeys: String, CodingKey {
        case server
        case queuedRatings = "queued_ratings"
        case queuedAdditions = "queued_additions"
        case lastSync = "last_sync"
        case lastError = "last_error"
    }
}
