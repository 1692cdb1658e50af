import Foundation
import PostgresNIO
import SIPASModel
import SIPASStoring

/// Kiosk ratings in PostgreSQL, as in SQLite: each rating a row of `responses` (source `kiosk`),
/// follow-up answers rows of `response_additions`, refusals rows of `kiosk_rejections`.
extension PostgresStore: KioskRatingStore {
    public func prepareKiosk(questionnaire q: Questionnaire, yaml: String, unit: String, unitName: String?) throws {
        try write {
            try session.execute("SELECT pg_advisory_xact_lock($1)", [Self.importLock])
            try insertQuestionnaire(q, yaml: yaml)
            try session.execute(
                "INSERT INTO units (code, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING", [unit, unitName, ResponseStore.now()])
        }
    }

    /// Stores ratings in one transaction (group commit), each in its own savepoint so that one
    /// refused rating does not undo the others.
    public func recordRatings(_ ratings: [KioskRating], questionnaire q: Questionnaire, replayOnly: [Bool]?) throws -> [Result<KioskOutcome, KioskStoreError>] {
        try write { try KioskWriter.record(ratings, questionnaire: q, replayOnly: replayOnly, in: PostgresKioskTransaction(session: session)) }
    }

    public func addAnswer(responseID: Int64, item: String, code: UInt8, questionnaire q: Questionnaire, idempotencyKey: String?) throws -> Bool {
        let layout = AnswerLayout(questionnaire: q)
        guard layout.codedItems.contains(item) else { throw KioskStoreError("item '\(item)' is not a coded item of \(q.id)") }
        return try write {
            guard let row = try session.rows(
                "SELECT codes, idempotency_key, source, questionnaire_id FROM responses WHERE id = $1", [responseID]).first else {
                throw KioskStoreError("no response \(responseID)")
            }
            guard row.text(2) == ResponseSource.kiosk.rawValue, row.text(3) == q.id else {
                throw KioskStoreError("response \(responseID) is not a kiosk rating of \(q.id)")
            }
            if let idempotencyKey, row.text(1) != idempotencyKey {
                throw KioskStoreError("response \(responseID) was not submitted with this key")
            }
            let codes = row.bytes(0) ?? []
            if let k = layout.codedItems.firstIndex(of: item), k < codes.count, codes[k] != 0 { return false }
            let inserted = try session.rows(
                """
                INSERT INTO response_additions (response_id, item, code, added_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (response_id, item) DO NOTHING RETURNING 1
                """, [responseID, item, Int64(code), ResponseStore.now()])
            return !inserted.isEmpty
        }
    }

    public func dossierRated(_ hash: String) throws -> Bool {
        try read { session in try !session.rows("SELECT 1 FROM responses WHERE dossier_hash = $1 AND superseded_by IS NULL", [hash]).isEmpty }
    }

    public func recordRejection(kioskID: String, reason: String, at: Date) throws {
        let (day, _) = KioskClock.dayAndMinute(at)
        try write {
            try session.execute("INSERT INTO kiosk_rejections (kiosk_id, day, reason, at) VALUES ($1, $2, $3, $4)", [kioskID, day, reason, ResponseStore.now()])
        }
    }

    public func kioskCounts(kioskID: String, item: String, questionnaire q: Questionnaire, dissatisfied: Set<UInt8>, periodStart: String, now: Date) throws -> KioskCounts {
        let layout = AnswerLayout(questionnaire: q)
        let k = layout.codedItems.firstIndex(of: item) ?? 0
        let (day, _) = KioskClock.dayAndMinute(now)
        return try read { session in
            let today = Int(try session.rows("SELECT count(*) FROM responses WHERE kiosk_id = $1 AND collected_on = $2", [kioskID, day])[0].int(0) ?? 0)
            let period = Int(try session.rows(
                "SELECT count(*) FROM responses WHERE kiosk_id = $1 AND collected_on >= $2 AND collected_on <= $3", [kioskID, periodStart, day])[0].int(0) ?? 0)
            // The item's code is byte k + 1 of the answer record (get_byte counts from 0).
            var unhappy = 0
            if !dissatisfied.isEmpty {
                unhappy = Int(try session.rows(
                    """
                    SELECT count(*) FROM responses WHERE kiosk_id = $1 AND collected_on = $2 AND length(codes) > $3
                        AND get_byte(codes, $3::int) = ANY($4::int8[])
                    """, [kioskID, day, Int64(k), PostgresArray(int64: dissatisfied.sorted().map { Int64($0) })])[0].int(0) ?? 0)
            }
            var reasons: [String: Int] = [:]
            for row in try session.rows("SELECT reason, count(*) FROM kiosk_rejections WHERE kiosk_id = $1 AND day = $2 GROUP BY reason", [kioskID, day]) {
                if let reason = row.text(0) { reasons[reason] = Int(row.int(1) ?? 0) }
            }
            return KioskCounts(today: today, period: period, dissatisfiedToday: unhappy, rejectedToday: reasons.values.reduce(0, +), rejectedByReason: reasons)
        }
    }

    /// Kiosk ratings stored, for integrity checks (as ``ResponseStore/kioskResponseIDs(kioskID:)``).
    public func kioskResponseIDs(kioskID: String) throws -> [(id: Int64, key: String?)] {
        try read { session in
            try session.rows("SELECT id, idempotency_key FROM responses WHERE kiosk_id = $1 ORDER BY id", [kioskID]).map { ($0.int(0) ?? 0, $0.text(1)) }
        }
    }
}

/// ``KioskTransaction`` in a PostgreSQL transaction.
struct PostgresKioskTransaction: KioskTransaction {
    let session: PostgresSession

    func storedRating(kioskID: String, key: String, additions: Bool) throws -> StoredKioskRating? {
        guard let row = try session.rows(
            "SELECT id, unit, field, channel, collected_at, codes, dossier_hash FROM responses WHERE kiosk_id = $1 AND idempotency_key = $2",
            [kioskID, key]).first else { return nil }
        let id = row.int(0) ?? 0
        var added: [String: UInt8] = [:]
        if additions {
            for a in try session.rows("SELECT item, code FROM response_additions WHERE response_id = $1", [id]) {
                if let item = a.text(0) { added[item] = UInt8(clamping: a.int(1) ?? 0) }
            }
        }
        return StoredKioskRating(
            id: id, unit: row.text(1) ?? "", field: row.text(2), channel: row.text(3), minute: row.text(4), codes: row.bytes(5) ?? [],
            dossierHash: row.text(6), additions: added)
    }

    func dossierTaken(_ hash: String) throws -> Bool {
        try !session.rows("SELECT 1 FROM responses WHERE dossier_hash = $1 AND superseded_by IS NULL", [hash]).isEmpty
    }

    func storedRatings(kioskID: String, keys: [String]) throws -> [String: StoredKioskRating] {
        guard !keys.isEmpty else { return [:] }
        var found: [String: StoredKioskRating] = [:]
        var byID: [Int64: String] = [:]
        for row in try session.rows(
            """
            SELECT id, idempotency_key, unit, field, channel, collected_at, codes, dossier_hash FROM responses
            WHERE kiosk_id = $1 AND idempotency_key = ANY($2::text[])
            """, [kioskID, PostgresArray(text: Set(keys).map { Optional($0) })]) {
            let id = row.int(0) ?? 0, key = row.text(1) ?? ""
            byID[id] = key
            found[key] = StoredKioskRating(
                id: id, unit: row.text(2) ?? "", field: row.text(3), channel: row.text(4), minute: row.text(5), codes: row.bytes(6) ?? [],
                dossierHash: row.text(7), additions: [:])
        }
        if !byID.isEmpty {
            for a in try session.rows(
                "SELECT response_id, item, code FROM response_additions WHERE response_id = ANY($1::int8[])", [PostgresArray(int64: Array(byID.keys))]) {
                if let key = byID[a.int(0) ?? 0], let item = a.text(1) { found[key]?.additions[item] = UInt8(clamping: a.int(2) ?? 0) }
            }
        }
        return found
    }

    func dossiersTaken(_ hashes: [String]) throws -> Set<String> {
        guard !hashes.isEmpty else { return [] }
        return Set(try session.rows(
            "SELECT dossier_hash FROM responses WHERE dossier_hash = ANY($1::text[]) AND superseded_by IS NULL", [PostgresArray(text: Set(hashes).map { Optional($0) })])
            .compactMap { $0.text(0) })
    }

    func insert(_ row: KioskRow) throws -> Int64 {
        let r = row.rating
        // A synced batch is all or nothing: a failure rolls the whole transaction back, so no savepoint.
        if row.isolated { try session.execute("SAVEPOINT rating") }
        do {
            let id = try session.rows(
                """
                INSERT INTO responses (form_id, unit, questionnaire_id, questionnaire_version, collected_on, collected_at,
                    channel, field, source, dossier_hash, codes, created_at, kiosk_id, idempotency_key)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'kiosk', $9, $10, $11, $12, $13) RETURNING id
                """,
                [row.formID, r.unit, row.questionnaire.id, row.questionnaire.version, row.day, row.minute, r.channel, r.field, r.dossierHash,
                 PostgresBytes(row.codes), row.createdAt, r.kioskID, r.idempotencyKey])[0].int(0) ?? 0
            for (item, code) in row.followUps { try insertAddition(responseID: id, item: item, code: code, at: row.createdAt) }
            if row.isolated { try session.execute("RELEASE SAVEPOINT rating") }
            return id
        } catch let failure as PostgresFailure where failure.isConstraint {
            if row.isolated { try session.execute("ROLLBACK TO SAVEPOINT rating") }
            throw KioskStoreError("cannot store the rating: \(failure.message)")
        }
    }

    func insertAddition(responseID: Int64, item: String, code: UInt8, at: String) throws {
        try session.execute("INSERT INTO response_additions (response_id, item, code, added_at) VALUES ($1, $2, $3, $4)", [responseID, item, Int64(code), at])
    }

    /// A synced batch's new ratings in one statement (arrays unnested by the server), their
    /// follow-ups in a second: two round trips for the batch instead of some for each rating.
    func insertAll(_ rows: [KioskRow]) throws -> [Int64] {
        guard !rows.isEmpty else { return [] }
        let returned: [PostgresRow]
        do {
            returned = try session.rows(
                """
                INSERT INTO responses (form_id, unit, questionnaire_id, questionnaire_version, collected_on, collected_at,
                    channel, field, source, dossier_hash, codes, created_at, kiosk_id, idempotency_key)
                SELECT t.form_id, t.unit, t.qid, t.qversion, t.day, t.minute, t.channel, t.field, 'kiosk', t.dossier_hash, t.codes, t.created_at, t.kiosk_id, t.key
                FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bytea[],
                    $11::text[], $12::text[], $13::text[]) WITH ORDINALITY
                    AS t(form_id, unit, qid, qversion, day, minute, channel, field, dossier_hash, codes, created_at, kiosk_id, key, ord)
                ORDER BY t.ord
                RETURNING id, form_id
                """,
                [
                    PostgresArray(text: rows.map { Optional($0.formID) }), PostgresArray(text: rows.map { Optional($0.rating.unit) }),
                    PostgresArray(text: rows.map { Optional($0.questionnaire.id) }), PostgresArray(text: rows.map { Optional($0.questionnaire.version) }),
                    PostgresArray(text: rows.map { Optional($0.day) }), PostgresArray(text: rows.map { Optional($0.minute) }),
                    PostgresArray(text: rows.map(\.rating.channel)), PostgresArray(text: rows.map(\.rating.field)),
                    PostgresArray(text: rows.map(\.rating.dossierHash)), PostgresArray(bytes: rows.map { Optional($0.codes) }),
                    PostgresArray(text: rows.map { Optional($0.createdAt) }), PostgresArray(text: rows.map { Optional($0.rating.kioskID) }),
                    PostgresArray(text: rows.map(\.rating.idempotencyKey)),
                ])
        } catch let failure as PostgresFailure where failure.isConstraint {
            throw KioskStoreError("cannot store the batch: \(failure.message)")
        }
        var byForm: [String: Int64] = [:]
        for row in returned { byForm[row.text(1) ?? ""] = row.int(0) ?? 0 }
        let ids = rows.map { byForm[$0.formID] ?? 0 }
        try insertAdditions(zip(rows, ids).flatMap { row, id in row.followUps.map { (responseID: id, item: $0.item, code: $0.code) } }, at: rows[0].createdAt)
        return ids
    }

    func insertAdditions(_ additions: [(responseID: Int64, item: String, code: UInt8)], at: String) throws {
        guard !additions.isEmpty else { return }
        try session.execute(
            """
            INSERT INTO response_additions (response_id, item, code, added_at)
            SELECT t.id, t.item, t.code, $4 FROM unnest($1::int8[], $2::text[], $3::int8[]) AS t(id, item, code)
            """,
            [PostgresArray(int64: additions.map(\.responseID)), PostgresArray(text: additions.map { Optional($0.item) }),
             PostgresArray(int64: additions.map { Int64($0.code) }), at])
    }
}
