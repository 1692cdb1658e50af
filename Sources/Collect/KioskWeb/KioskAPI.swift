import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SIPASStoring

// The web kiosk's JSON: the bodies it answers with (keys sorted, as README shows them). The
// answer, the refusal every handler throws and the middlewares are SIPASHTTP's.

/// `POST /api/responses` → `{"id": 17, "status": "created"}` (201) or `"replayed"` (200).
struct RatingStored: Encodable {
    var id: Int64
    var status: String
}

/// `POST /api/responses/{id}/answers` → `{"id": 17, "added": ["time"]}`.
struct AnswersAdded: Encodable {
    var id: Int64
    var added: [String]
}

/// `POST /api/dossier-check` → `{"rated": false}`.
struct DossierChecked: Encodable {
    var rated: Bool
}

/// `GET /api/status` → today's and this quarter's counts, and today's refusals.
struct KioskStatusBody: Encodable {
    var kiosk: String
    var today: Int
    var period: Int
    var dissatisfiedToday: Int
    var rejectedToday: Int
    var rejectedByReason: [String: Int]
    /// On a kiosk that syncs to a server: the queue and the last sync.
    var upstream: UpstreamStatus?

    enum CodingKeys: String, CodingKey {
        case kiosk, today, period, upstream
        case dissatisfiedToday = "dissatisfied_today"
        case rejectedToday = "rejected_today"
        case rejectedByReason = "rejected_by_reason"
    }
}

/// `GET /api/config` → what the page needs: the kiosk's settings and its questions.
struct KioskConfigBody: Encodable {
    struct Question: Encodable {
        struct Choice: Encodable {
            var code: Int
            var label: String
        }
        var id: String
        var text: String
        var choices: [Choice]
    }
    var unit: String
    var unitName: String
    var field: String
    var channel: String
    /// The field's and channel's names, for the screen (the codes are what is stored).
    var fieldName: String
    var channelName: String
    var kiosk: String
    var requireDossier: Bool
    var resetAfter: Double
    var warnFor: Double
    var thanksFor: Double
    var open: Bool
    var hours: [String]
    var questions: [Question]

    enum CodingKeys: String, CodingKey {
        case unit, field, channel, kiosk, open, hours, questions
        case unitName = "unit_name"
        case fieldName = "field_name"
        case channelName = "channel_name"
        case requireDossier = "require_dossier"
        case resetAfter = "reset_after"
        case warnFor = "warn_for"
        case thanksFor = "thanks_for"
    }
}
