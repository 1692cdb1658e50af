import Crypto
import Foundation
import GRDB
import SIPASModel
import SIPASStoring

/// `sipas serve` on SQLite: tokens in `kiosk_tokens`, synced batches through the shared kiosk writer.
extension ResponseStore: KioskServerStore {
    public func ingest(_ ratings: [KioskRating], additions: [KioskAddition], questionnaire q: Questionnaire) throws -> IngestOutcome {
        try write { db in try KioskWriter.ingest(ratings, additions: additions, questionnaire: q, in: SQLiteKioskTransaction(db: db)) }
    }

    public func registerQuestionnaire(_ q: Questionnaire, yaml: String) throws {
        try write { db in try Self.registerQuestionnaire(q, yaml: yaml, db: db) }
    }

    public func addKioskToken(_ token: KioskToken) throws {
        try write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM kiosk_tokens WHERE kiosk = ? AND revoked_at IS NULL", arguments: [token.kiosk]) == true {
                throw KioskStoreError(KioskTokenText.activeExists(token.kiosk))
            }
            try db.execute(
                sql: "INSERT INTO units (code, created_at) VALUES (?, ?) ON CONFLICT(code) DO NOTHING", arguments: [token.unit, token.createdAt])
            try db.execute(
                sql: "INSERT INTO kiosk_tokens (token_hash, kiosk, unit, created_at) VALUES (?, ?, ?, ?)",
                arguments: [token.tokenHash, token.kiosk, token.unit, token.createdAt])
        }
    }

    public func dossierKeyHex() throws -> String { try dossierKey().withUnsafeBytes { Hex.encode($0) } }

    public func kioskTokens() throws -> [KioskToken] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT kiosk, unit, token_hash, created_at, revoked_at FROM kiosk_tokens ORDER BY kiosk, created_at").map {
                KioskToken(kiosk: $0[0], unit: $0[1], tokenHash: $0[2], createdAt: $0[3], revokedAt: $0[4])
            }
        }
    }

    public func revokeKioskToken(kiosk: String, at: String) throws -> Bool {
        try write { db in
            try db.execute(sql: "UPDATE kiosk_tokens SET revoked_at = ? WHERE kiosk = ? AND revoked_at IS NULL", arguments: [at, kiosk])
            return db.changesCount > 0
        }
    }

    public func kioskToken(hash: String) throws -> KioskToken? {
        try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT kiosk, unit, token_hash, created_at, revoked_at FROM kiosk_tokens WHERE token_hash = ?", arguments: [hash]).map {
                KioskToken(kiosk: $0[0], unit: $0[1], tokenHash: $0[2], createdAt: $0[3], revokedAt: $0[4])
            }
        }
    }

    public func kioskActivity(day: String) throws -> [KioskActivity] {
        try queue.read { db in
            try Row.fetchAll(db, sql: KioskTokenText.activitySQL(placeholder: "?"), arguments: [day]).map {
                KioskActivity(kiosk: $0[0], unit: $0[1], today: $0[2], total: $0[3], lastReceived: $0[4])
            }
        }
    }
}

/// Text both stores use for tokens and activity.
enum KioskTokenText {
    static func activeExists(_ kiosk: String) -> String {
        "kiosk '\(kiosk)' already has a token; revoke it first (sipas token revoke \(kiosk)) to issue a new one"
    }

    /// Every kiosk that has a token or has sent ratings: its unit (from its newest token), its
    /// ratings on the day and in all, and when the newest arrived.
    static func activitySQL(placeholder p: String) -> String {
        """
        WITH sent AS (
            SELECT kiosk_id, sum(CASE WHEN collected_on = \(p) THEN 1 ELSE 0 END) AS today, count(*) AS total, max(created_at) AS last
            FROM responses WHERE kiosk_id IS NOT NULL AND source = 'kiosk' GROUP BY kiosk_id),
        kiosks AS (SELECT kiosk_id AS kiosk FROM sent UNION SELECT kiosk FROM kiosk_tokens)
        SELECT k.kiosk, (SELECT unit FROM kiosk_tokens t WHERE t.kiosk = k.kiosk ORDER BY t.created_at DESC LIMIT 1),
            coalesce(s.today, 0), coalesce(s.total, 0), s.last
        FROM kiosks k LEFT JOIN sent s ON s.kiosk_id = k.kiosk ORDER BY k.kiosk
        """
    }
}
