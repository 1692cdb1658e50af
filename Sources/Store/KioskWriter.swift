import Foundation
import SIPASModel
import SIPASStoring

/// What a store does for kiosk ratings inside one write transaction it has opened. The decisions
/// (replay or reuse of a key, a dossier rated already, what a synced batch may change) are
/// `KioskWriter`'s, made once for SQLite and PostgreSQL; a store only queries and inserts.
protocol KioskTransaction {
    /// The rating stored under this kiosk and key, if any; with `additions`, its follow-up answers too.
    func storedRating(kioskID: String, key: String, additions: Bool) throws -> StoredKioskRating?
    /// Whether a current rating holds this dossier hash.
    func dossierTaken(_ hash: String) throws -> Bool
    /// Inserts one rating and its follow-ups, all or nothing (a savepoint); a broken constraint
    /// is a `KioskStoreError` with nothing left behind.
    func insert(_ row: KioskRow) throws -> Int64
    /// Appends a follow-up answer to a stored rating.
    func insertAddition(responseID: Int64, item: String, code: UInt8, at: String) throws
    /// The ratings stored under this kiosk and these keys, with their follow-ups, by key: a whole
    /// synced batch looked up at once (a server's store answers in one round trip).
    func storedRatings(kioskID: String, keys: [String]) throws -> [String: StoredKioskRating]
    /// Which of these dossier hashes a current rating holds.
    func dossiersTaken(_ hashes: [String]) throws -> Set<String>
    /// Inserts the new ratings of a synced batch (not isolated: a failure fails the batch) and
    /// returns their ids in order.
    func insertAll(_ rows: [KioskRow]) throws -> [Int64]
    /// Appends follow-up answers to stored ratings.
    func insertAdditions(_ additions: [(responseID: Int64, item: String, code: UInt8)], at: String) throws
}

extension KioskTransaction {
    /// One lookup a key (an embedded store answers each at once).
    func storedRatings(kioskID: String, keys: [String]) throws -> [String: StoredKioskRating] {
        var found: [String: StoredKioskRating] = [:]
        for key in Set(keys) {
            if let stored = try storedRating(kioskID: kioskID, key: key, additions: true) { found[key] = stored }
        }
        return found
    }

    func dossiersTaken(_ hashes: [String]) throws -> Set<String> {
        try Set(Set(hashes).filter { try dossierTaken($0) })
    }

    func insertAll(_ rows: [KioskRow]) throws -> [Int64] { try rows.map { try insert($0) } }

    func insertAdditions(_ additions: [(responseID: Int64, item: String, code: UInt8)], at: String) throws {
        for a in additions { try insertAddition(responseID: a.responseID, item: a.item, code: a.code, at: at) }
    }
}

/// A kiosk rating as stored.
struct StoredKioskRating {
    var id: Int64
    var unit: String
    var field: String?
    var channel: String?
    var minute: String?
    var codes: [UInt8]
    var dossierHash: String?
    var additions: [String: UInt8]
}

/// A rating ready to insert.
struct KioskRow {
    var formID: String
    var rating: KioskRating
    var questionnaire: Questionnaire
    var codes: [UInt8]
    var day: String
    var minute: String
    /// Follow-ups to append, sorted by item, the rated item and blanks left out.
    var followUps: [(item: String, code: UInt8)]
    var createdAt: String
    /// Whether a failure must leave the transaction usable for the other ratings (a group
    /// commit); a synced batch fails whole, and a server's store may then skip the savepoint.
    var isolated = true
}

/// What a synced batch's rating comes to before the new ones are inserted together.
enum IngestDecision {
    case done(KioskOutcome)
    /// New: its index among the rows to insert.
    case new(Int)
    /// The same rating earlier in the batch: its index there.
    case repeatOf(Int)
}

enum KioskWriter {
    /// A kiosk's group commit (``KioskRatingStore/recordRatings(_:questionnaire:replayOnly:)``):
    /// one outcome per rating; a refused rating leaves the others stored.
    static func record(
        _ ratings: [KioskRating], questionnaire q: Questionnaire, replayOnly: [Bool]?, in tx: some KioskTransaction
    ) throws -> [Result<KioskOutcome, KioskStoreError>] {
        let layout = AnswerLayout(questionnaire: q)
        var outcomes: [Result<KioskOutcome, KioskStoreError>] = []
        outcomes.reserveCapacity(ratings.count)
        for (n, rating) in ratings.enumerated() {
            guard let k = layout.codedItems.firstIndex(of: rating.item) else {
                outcomes.append(.failure(KioskStoreError("item '\(rating.item)' is not a coded item of \(q.id)")))
                continue
            }
            if let item = rating.followUps.keys.sorted().first(where: { !layout.codedItems.contains($0) }) {
                outcomes.append(.failure(KioskStoreError("item '\(item)' is not a coded item of \(q.id)")))
                continue
            }
            if let key = rating.idempotencyKey, let stored = try tx.storedRating(kioskID: rating.kioskID, key: key, additions: false) {
                let same = k < stored.codes.count && stored.codes[k] == rating.code && stored.dossierHash == rating.dossierHash
                outcomes.append(.success(same ? .replayed(stored.id) : .keyReused(stored.id)))
                continue
            }
            if replayOnly?[n] == true {
                outcomes.append(.success(.notStored))
                continue
            }
            if let hash = rating.dossierHash, try tx.dossierTaken(hash) {
                outcomes.append(.success(.dossierAlreadyRated))
                continue
            }
            do {
                outcomes.append(.success(.created(try tx.insert(row(rating, k: k, layout: layout, questionnaire: q)))))
            } catch let error as KioskStoreError {
                outcomes.append(.failure(error))
            }
        }
        return outcomes
    }

    /// A batch synced from a kiosk's outbox (``KioskServerStore/ingest(_:additions:questionnaire:)``):
    /// throws `IngestRefusal` for a changed replay or an unknown rating, and the caller rolls back.
    static func ingest(
        _ ratings: [KioskRating], additions: [KioskAddition], questionnaire q: Questionnaire, in tx: some KioskTransaction
    ) throws -> IngestOutcome {
        let layout = AnswerLayout(questionnaire: q)
        // What the store holds of this batch, looked up once and kept current as the batch is stored.
        var held: [String: [String: StoredKioskRating]] = [:]
        for kiosk in Set(ratings.map(\.kioskID) + additions.map(\.kioskID)) {
            let keys = ratings.filter { $0.kioskID == kiosk }.compactMap(\.idempotencyKey) + additions.filter { $0.kioskID == kiosk }.map(\.ratingKey)
            held[kiosk] = try tx.storedRatings(kioskID: kiosk, keys: keys)
        }
        var dossiers = try tx.dossiersTaken(ratings.compactMap(\.dossierHash))

        // 1. Each rating: held already, a repeat within the batch, its dossier rated, or new.
        var decisions: [IngestDecision] = []
        decisions.reserveCapacity(ratings.count)
        var rows: [KioskRow] = []
        var first: [String: Int] = [:]
        // Ratings of this batch not stored because their dossier was rated: their answers are dropped with them.
        var dropped = Set<String>()
        for (n, rating) in ratings.enumerated() {
            guard let key = rating.idempotencyKey else { throw IngestRefusal("every rating needs its id") }
            guard let k = layout.codedItems.firstIndex(of: rating.item) else {
                throw IngestRefusal("rating \(key): item '\(rating.item)' is not a coded item of \(q.id)")
            }
            for item in rating.followUps.keys where !layout.codedItems.contains(item) {
                throw IngestRefusal("rating \(key): item '\(item)' is not a coded item of \(q.id)")
            }
            if let earlier = first[key] {
                guard ratings[earlier] == rating else { throw IngestRefusal("rating \(key) comes twice in this batch with different content") }
                decisions.append(.repeatOf(earlier))
                continue
            }
            first[key] = n
            var new = row(rating, k: k, layout: layout, questionnaire: q)
            new.isolated = false
            if let stored = held[rating.kioskID]?[key] {
                if let difference = difference(stored, new) {
                    throw IngestRefusal("rating \(key) was received before with other content (\(difference)); a rating's id is never reused")
                }
                decisions.append(.done(.replayed(stored.id)))
                continue
            }
            if let hash = rating.dossierHash, dossiers.contains(hash) {
                decisions.append(.done(.dossierAlreadyRated))
                dropped.insert(key)
                continue
            }
            if let hash = rating.dossierHash { dossiers.insert(hash) }
            decisions.append(.new(rows.count))
            rows.append(new)
        }

        // 2. The new ratings, at once.
        let ids: [Int64]
        do {
            ids = try tx.insertAll(rows)
        } catch let error as KioskStoreError {
            throw IngestRefusal(error.description)
        }
        for (row, id) in zip(rows, ids) {
            let r = row.rating
            held[r.kioskID, default: [:]][r.idempotencyKey ?? ""] = StoredKioskRating(
                id: id, unit: r.unit, field: r.field, channel: r.channel, minute: row.minute, codes: row.codes, dossierHash: r.dossierHash,
                additions: Dictionary(row.followUps.map { ($0.item, $0.code) }, uniquingKeysWith: { a, _ in a }))
        }
        var outcomes: [KioskOutcome] = []
        outcomes.reserveCapacity(ratings.count)
        for decision in decisions {
            switch decision {
            case .done(let outcome): outcomes.append(outcome)
            case .new(let i): outcomes.append(.created(ids[i]))
            case .repeatOf(let n):
                if case .created(let id) = outcomes[n] { outcomes.append(.replayed(id)) } else { outcomes.append(outcomes[n]) }
            }
        }

        // 3. Follow-ups given after their rating was sent.
        var added = 0, replayed = 0
        var newAdditions: [(responseID: Int64, item: String, code: UInt8)] = []
        for addition in additions where !dropped.contains(addition.ratingKey) {
            guard layout.codedItems.contains(addition.item) else {
                throw IngestRefusal("answer to rating \(addition.ratingKey): item '\(addition.item)' is not a coded item of \(q.id)")
            }
            guard let stored = held[addition.kioskID]?[addition.ratingKey] else {
                throw IngestRefusal("answer to rating \(addition.ratingKey): no rating with this id was received from kiosk \(addition.kioskID)")
            }
            let k = layout.codedItems.firstIndex(of: addition.item)!
            let before = stored.additions[addition.item] ?? (k < stored.codes.count && stored.codes[k] != 0 ? stored.codes[k] : nil)
            if let before {
                guard before == addition.code else {
                    throw IngestRefusal("answer to rating \(addition.ratingKey): '\(addition.item)' was received before as \(before), now \(addition.code)")
                }
                replayed += 1
                continue
            }
            newAdditions.append((stored.id, addition.item, addition.code))
            held[addition.kioskID]?[addition.ratingKey]?.additions[addition.item] = addition.code
            added += 1
        }
        try tx.insertAdditions(newAdditions, at: ResponseStore.now())
        return IngestOutcome(ratings: outcomes, additionsAdded: added, additionsReplayed: replayed)
    }

    static func row(_ rating: KioskRating, k: Int, layout: AnswerLayout, questionnaire q: Questionnaire) -> KioskRow {
        var codes = [UInt8](repeating: 0, count: max(1, layout.codedItems.count))
        codes[k] = rating.code
        let (day, minute) = KioskClock.dayAndMinute(of: rating)
        let followUps = rating.followUps.sorted { $0.key < $1.key }.filter { $0.key != rating.item && $0.value != 0 }.map { (item: $0.key, code: $0.value) }
        return KioskRow(
            formID: "K-" + UUID().uuidString.prefix(13).lowercased(), rating: rating, questionnaire: q, codes: codes, day: day, minute: minute,
            followUps: followUps, createdAt: ResponseStore.now())
    }

    /// What differs between a stored rating and the same id sent again; nil when nothing does.
    static func difference(_ stored: StoredKioskRating, _ new: KioskRow) -> String? {
        let r = new.rating
        if stored.unit != r.unit { return "unit \(stored.unit), now \(r.unit)" }
        if stored.codes != new.codes { return "answer to '\(r.item)' differs" }
        if stored.minute != new.minute { return "time \(stored.minute ?? "none"), now \(new.minute)" }
        if stored.field != r.field { return "field \(stored.field ?? "none"), now \(r.field ?? "none")" }
        if stored.channel != r.channel { return "channel \(stored.channel ?? "none"), now \(r.channel ?? "none")" }
        if stored.dossierHash != r.dossierHash { return "the dossier differs" }
        for (item, code) in new.followUps where stored.additions[item] != code {
            return "answer to '\(item)' was \(stored.additions[item].map(String.init) ?? "none"), now \(code)"
        }
        return nil
    }
}
