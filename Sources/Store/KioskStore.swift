import Crypto
import Foundation
import GRDB
import SIPASModel
import SIPASStoring

/// Kiosk ratings in SQLite: each rating is a row of `responses` (source `kiosk`), follow-up answers
/// rows of `response_additions`, refusals rows of `kiosk_rejections`.
extension ResponseStore: KioskRatingStore {
    /// Records the questionnaire (once per version) and the unit, before a kiosk starts taking ratings.
    public func prepareKiosk(questionnaire q: Questionnaire, yaml: String, unit: String, unitName: String?) throws {
        try write { db in
            try Self.registerQuestionnaire(q, yaml: yaml, db: db)
            try db.execute(
                sql: "INSERT INTO units (code, name, level, parent, province, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(code) DO NOTHING",
                arguments: [unit, unitName, nil, nil, nil, Self.now()])
        }
    }

    /// Stores ratings in one transaction (group commit), each in its own savepoint so that one
    /// refused rating does not undo the others. Returns one outcome (or error) per rating, in order.
    public func recordRatings(_ ratings: [KioskRating], questionnaire q: Questionnaire, replayOnly: [Bool]? = nil) throws -> [Result<KioskOutcome, KioskStoreError>] {
        let layout = AnswerLayout(questionnaire: q)
        return try write { db in
            let insert = try db.cachedStatement(sql: """
                INSERT INTO responses (form_id, unit, questionnaire_id, questionnaire_version, collected_on, collected_at,
                    channel, field, source, dossier_hash, codes, created_at, kiosk_id, idempotency_key)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'kiosk', ?, ?, ?, ?, ?)
                """)
            var outcomes: [Result<KioskOutcome, KioskStoreError>] = []
            outcomes.reserveCapacity(ratings.count)
            for (n, rating) in ratings.enumerated() {
                guard let k = layout.codedItems.firstIndex(of: rating.item) else {
                    outcomes.append(.failure(KioskStoreError("item '\(rating.item)' is not a coded item of \(q.id)")))
                    continue
                }
                if let key = rating.idempotencyKey,
                   let stored = try Row.fetchOne(db, sql: "SELECT id, codes, dossier_hash FROM responses WHERE kiosk_id = ? AND idempotency_key = ?", arguments: [rating.kioskID, key]) {
                    let id: Int64 = stored["id"]
                    let codes: Data = stored["codes"]
                    let hash: String? = stored["dossier_hash"]
                    let same = k < codes.count && codes[codes.startIndex + k] == rating.code && hash == rating.dossierHash
                    outcomes.append(.success(same ? .replayed(id) : .keyReused(id)))
                    continue
                }
                if replayOnly?[n] == true {
                    outcomes.append(.success(.notStored))
                    continue
                }
                if let hash = rating.dossierHash,
                   try Bool.fetchOne(db, sql: "SELECT 1 FROM responses WHERE dossier_hash = ? AND superseded_by IS NULL", arguments: [hash]) == true {
                    outcomes.append(.success(.dossierAlreadyRated))
                    continue
                }
                var codes = [UInt8](repeating: 0, count: max(1, layout.codedItems.count))
                codes[k] = rating.code
                let (day, minute) = KioskClock.dayAndMinute(rating.at)
                let formID = "K-" + UUID().uuidString.prefix(13).lowercased()
                do {
                    try insert.execute(arguments: [
                        formID, rating.unit, q.id, q.version, day, minute, rating.channel, rating.field, rating.dossierHash,
                        Data(codes), Self.now(), rating.kioskID, rating.idempotencyKey,
                    ])
                    let id = db.lastInsertedRowID
                    for (item, code) in rating.followUps.sorted(by: { $0.key < $1.key }) where item != rating.item && code != 0 {
                        guard layout.codedItems.contains(item) else { throw KioskStoreError("item '\(item)' is not a coded item of \(q.id)") }
                        try db.execute(
                            sql: "INSERT INTO response_additions (response_id, item, code, added_at) VALUES (?, ?, ?, ?)",
                            arguments: [id, item, Int(code), Self.now()])
                    }
                    outcomes.append(.success(.created(id)))
                } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                    outcomes.append(.failure(KioskStoreError("cannot store the rating: \(error.message ?? "constraint")")))
                }
            }
            return outcomes
        }
    }

    /// Adds a follow-up answer to a stored kiosk rating; false when that item was already answered.
    @discardableResult
    public func addAnswer(responseID: Int64, item: String, code: UInt8, questionnaire q: Questionnaire, idempotencyKey: String? = nil) throws -> Bool {
        let layout = AnswerLayout(questionnaire: q)
        guard layout.codedItems.contains(item) else { throw KioskStoreError("item '\(item)' is not a coded item of \(q.id)") }
        return try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT codes, idempotency_key, source, questionnaire_id FROM responses WHERE id = ?", arguments: [responseID]) else {
                throw KioskStoreError("no response \(responseID)")
            }
            let source: String = row["source"], qid: String = row["questionnaire_id"]
            guard source == ResponseSource.kiosk.rawValue, qid == q.id else { throw KioskStoreError("response \(responseID) is not a kiosk rating of \(q.id)") }
            if let idempotencyKey, (row["idempotency_key"] as String?) != idempotencyKey {
                throw KioskStoreError("response \(responseID) was not submitted with this key")
            }
            let codes: Data = row["codes"]
            if let k = layout.codedItems.firstIndex(of: item), k < codes.count, codes[k] != 0 { return false }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM response_additions WHERE response_id = ? AND item = ?", arguments: [responseID, item]) == true {
                return false
            }
            try db.execute(
                sql: "INSERT INTO response_additions (response_id, item, code, added_at) VALUES (?, ?, ?, ?)",
                arguments: [responseID, item, Int(code), Self.now()])
            return true
        }
    }

    /// Whether a dossier (by its keyed hash) has a rating already.
    public func dossierRated(_ hash: String) throws -> Bool {
        try queue.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM responses WHERE dossier_hash = ? AND superseded_by IS NULL", arguments: [hash]) == true
        }
    }

    /// Records a refused attempt (too soon after the previous one, outside opening hours, …).
    public func recordRejection(kioskID: String, reason: String, at: Date = Date()) throws {
        let (day, _) = KioskClock.dayAndMinute(at)
        try write { db in
            try db.execute(
                sql: "INSERT INTO kiosk_rejections (kiosk_id, day, reason, at) VALUES (?, ?, ?, ?)",
                arguments: [kioskID, day, reason, Self.now()])
        }
    }

    /// Ratings of a kiosk today and since `periodStart` (yyyy-MM-dd), with today's rejections.
    public func kioskCounts(kioskID: String, item: String, questionnaire q: Questionnaire, dissatisfied: Set<UInt8>, periodStart: String, now: Date = Date()) throws -> KioskCounts {
        let layout = AnswerLayout(questionnaire: q)
        let k = layout.codedItems.firstIndex(of: item) ?? 0
        let (day, _) = KioskClock.dayAndMinute(now)
        return try queue.read { db in
            let today = try Int.fetchOne(db, sql: "SELECT count(*) FROM responses WHERE kiosk_id = ? AND collected_on = ?", arguments: [kioskID, day]) ?? 0
            let period = try Int.fetchOne(db, sql: "SELECT count(*) FROM responses WHERE kiosk_id = ? AND collected_on >= ? AND collected_on <= ?", arguments: [kioskID, periodStart, day]) ?? 0
            var unhappy = 0
            for codes in try Data.fetchAll(db, sql: "SELECT codes FROM responses WHERE kiosk_id = ? AND collected_on = ?", arguments: [kioskID, day])
            where k < codes.count && dissatisfied.contains(codes[codes.startIndex + k]) {
                unhappy += 1
            }
            var reasons: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT reason, count(*) FROM kiosk_rejections WHERE kiosk_id = ? AND day = ? GROUP BY reason", arguments: [kioskID, day]) {
                reasons[row[0]] = row[1]
            }
            return KioskCounts(today: today, period: period, dissatisfiedToday: unhappy, rejectedToday: reasons.values.reduce(0, +), rejectedByReason: reasons)
        }
    }

    /// Kiosk ratings stored (current versions), for integrity checks.
    public func kioskResponseIDs(kioskID: String) throws -> [(id: Int64, key: String?)] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT id, idempotency_key FROM responses WHERE kiosk_id = ? ORDER BY id", arguments: [kioskID]).map { ($0[0], $0[1]) }
        }
    }
}
