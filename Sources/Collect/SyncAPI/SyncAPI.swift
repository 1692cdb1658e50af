import Foundation

/// The JSON of the sync API v1 between a kiosk (`sipas kiosk --upstream`) and its server
/// (`sipas serve`), written once for both sides: the server decodes what the kiosk encodes.
/// README's section on `sipas serve` shows each call.
public enum SyncAPI {
    /// The most ratings and follow-ups one batch may carry (a kiosk sends fewer).
    public static let maxRatings = 500
    public static let maxAdditions = 2000

    /// A questionnaire version, as `id` and `version`.
    public struct QuestionnaireRef: Codable, Sendable, Equatable {
        public var id: String
        public var version: String
        public init(id: String, version: String) {
            self.id = id
            self.version = version
        }
    }

    /// `POST /api/v1/ratings`: a batch from a kiosk's outbox.
    ///
    /// ```json
    /// {"questionnaire": {"id": "counter-quick", "version": "2025.1"},
    ///  "ratings": [{"id": "q1-000017", "unit": "XA01", "minute": "2026-12-06 09:41",
    ///               "field": "dat-dai", "channel": "truc-tiep", "answers": {"overall": 3}}],
    ///  "additions": [{"rating": "q1-000016", "item": "time", "code": 2}]}
    /// ```
    public struct Batch: Codable, Sendable, Equatable {
        /// One rating (*lượt đánh giá*) with its own id, the kiosk's local minute and its answers.
        public struct Rating: Codable, Sendable, Equatable {
            public var id: String
            public var unit: String
            public var minute: String
            public var field: String?
            public var channel: String?
            public var answers: [String: Int]
            public var dossierHash: String?

            enum CodingKeys: String, CodingKey {
                case id, unit, minute, field, channel, answers
                case dossierHash = "dossier_hash"
            }

            public init(id: String, unit: String, minute: String, field: String?, channel: String?, answers: [String: Int], dossierHash: String?) {
                self.id = id
                self.unit = unit
                self.minute = minute
                self.field = field
                self.channel = channel
                self.answers = answers
                self.dossierHash = dossierHash
            }
        }
        /// A follow-up answer given after its rating was sent.
        public struct Addition: Codable, Sendable, Equatable {
            public var rating: String
            public var item: String
            public var code: Int
            public init(rating: String, item: String, code: Int) {
                self.rating = rating
                self.item = item
                self.code = code
            }
        }
        public var questionnaire: QuestionnaireRef
        public var ratings: [Rating]
        public var additions: [Addition]?

        public init(questionnaire: QuestionnaireRef, ratings: [Rating], additions: [Addition]?) {
            self.questionnaire = questionnaire
            self.ratings = ratings
            self.additions = additions
        }
    }

    /// The answer to a committed batch: each rating's status, in the batch's order.
    public struct Reply: Codable, Sendable, Equatable {
        public struct RatingStatus: Codable, Sendable, Equatable {
            public var id: String
            /// `created`, `held` (received before: a retry) or `dossier-already-rated` (not stored).
            public var status: String
            public init(id: String, status: String) {
                self.id = id
                self.status = status
            }
        }
        public struct Additions: Codable, Sendable, Equatable {
            public var added: Int
            public var held: Int
            public init(added: Int, held: Int) {
                self.added = added
                self.held = held
            }
        }
        public var kiosk: String
        public var ratings: [RatingStatus]
        public var additions: Additions
        public init(kiosk: String, ratings: [RatingStatus], additions: Additions) {
            self.kiosk = kiosk
            self.ratings = ratings
            self.additions = additions
        }
    }

    /// `GET /api/v1/dossier-key`: the server's key for dossier hashes (64 hex digits), for a kiosk
    /// that asks for dossier codes; handed out over TLS (or to a server on loopback behind a proxy).
    public struct DossierKey: Codable, Sendable, Equatable {
        public var key: String
        public init(key: String) { self.key = key }
    }

    /// `GET /api/v1/kiosk`: whom the token belongs to, and what the server takes.
    public struct Identity: Codable, Sendable, Equatable {
        public var kiosk: String
        public var unit: String
        public var questionnaires: [QuestionnaireRef]
        public var maxRatings: Int

        enum CodingKeys: String, CodingKey {
            case kiosk, unit, questionnaires
            case maxRatings = "max_ratings"
        }

        public init(kiosk: String, unit: String, questionnaires: [QuestionnaireRef], maxRatings: Int) {
            self.kiosk = kiosk
            self.unit = unit
            self.questionnaires = questionnaires
            self.maxRatings = maxRatings
        }
    }
}
