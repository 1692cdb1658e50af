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
        try write { db in try KioskWriter.record(ratings, questionnaire: q, replayOnly: replayOnly, in: SQLiteKioskTransaction(db: db)) }
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

/// ``KioskTransaction`` in an SQLite write transaction.
struct SQLiteKioskTransaction: KioskTransaction {
    let db: Database

    func storedRating(kioskID: String, key: String, additions: Bool) throws -> StoredKioskRating? {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT id, unit, field, channel, collected_at, codes, dossier_hash FROM responses WHERE kiosk_id = ? AND idempotency_key = ?",
            arguments: [kioskID, key]) else { return nil }
        let id: Int64 = row["id"]
        var added: [String: UInt8] = [:]
        if additions {
            for a in try Row.fetchAll(db, sql: "SELECT item, code FROM response_additions WHERE response_id = ?", arguments: [id]) {
                added[a[0]] = UInt8(clamping: a[1] as Int)
            }
        }
        let codes: Data = row["codes"]
        return StoredKioskRating(
            id: id, unit: row["unit"], field: row["field"], channel: row["channel"], minute: row["collected_at"], codes: [UInt8](codes),
            dossierHash: row["dossier_hash"], additions: added)
    }

    func dossierTaken(_ hash: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM responses WHERE dossier_hash = ? AND superseded_by IS NULL", arguments: [hash]) == true
    }

    func insert(_ row: KioskRow) throws -> Int64 {
        let r = row.rating
        var id: Int64 = 0
        do {
            try db.inSavepoint {
                try db.cachedStatement(sql: """
                    INSERT INTO responses (form_id, unit, questionnaire_id, questionnaire_version, collected_on, collected_at,
                        channel, field, source, dossier_hash, codes, created_at, kiosk_id, idempotency_key)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'kiosk', ?, ?, ?, ?, ?)
                    """).execute(arguments: [
                        row.formID, r.unit, row.questionnaire.id, row.questionnaire.version, row.day, row.minute, r.channel, r.field, r.dossierHash,
                        Data(row.codes), row.createdAt, r.kioskID, r.idempotencyKey,
                    ])
                id = db.lastInsertedRowID
                for (item, code) in row.followUps { try insertAddition(responseID: id, item: item, code: code, at: row.createdAt) }
                return .commit
            }
            return id
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw KioskStoreError("cannot store the rating: \(error.message ?? "constraint")")
        }
    }

    func insertAddition(responseID: Int64, item: String, code: UInt8, at: String) throws {
        try db.execute(
            sql: "INSERT INTO response_additions (response_id, item, code, added_at) VALUES (?, ?, ?, ?)", arguments: [responseID, item, Int(code), at])
    }
}
