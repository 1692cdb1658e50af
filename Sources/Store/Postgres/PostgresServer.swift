import Crypto
import Foundation
import PostgresNIO
import SIPASModel
import SIPASStoring

/// `sipas serve` on PostgreSQL, as on SQLite (``ResponseStore``'s `KioskServerStore`).
extension PostgresStore: KioskServerStore {
    public func ingest(_ ratings: [KioskRating], additions: [KioskAddition], questionnaire q: Questionnaire) throws -> IngestOutcome {
        try write { try KioskWriter.ingest(ratings, additions: additions, questionnaire: q, in: PostgresKioskTransaction(session: session)) }
    }

    public func registerQuestionnaire(_ q: Questionnaire, yaml: String) throws {
        try write {
            try session.execute("SELECT pg_advisory_xact_lock($1)", [Self.importLock])
            try insertQuestionnaire(q, yaml: yaml)
        }
    }

    public func addKioskToken(_ token: KioskToken) throws {
        try write {
            if try !session.rows("SELECT 1 FROM kiosk_tokens WHERE kiosk = $1 AND revoked_at IS NULL", [token.kiosk]).isEmpty {
                throw KioskStoreError(KioskTokenText.activeExists(token.kiosk))
            }
            try session.execute("INSERT INTO units (code, created_at) VALUES ($1, $2) ON CONFLICT (code) DO NOTHING", [token.unit, token.createdAt])
            try session.execute(
                "INSERT INTO kiosk_tokens (token_hash, kiosk, unit, created_at) VALUES ($1, $2, $3, $4)",
                [token.tokenHash, token.kiosk, token.unit, token.createdAt])
        }
    }

    public func dossierKeyHex() throws -> String { try dossierKey().withUnsafeBytes { Hex.encode($0) } }

    public func kioskTokens() throws -> [KioskToken] {
        try read { session in
            try session.rows("SELECT kiosk, unit, token_hash, created_at, revoked_at FROM kiosk_tokens ORDER BY kiosk, created_at").map(Self.token)
        }
    }

    public func revokeKioskToken(kiosk: String, at: String) throws -> Bool {
        try write {
            try !session.rows("UPDATE kiosk_tokens SET revoked_at = $1 WHERE kiosk = $2 AND revoked_at IS NULL RETURNING 1", [at, kiosk]).isEmpty
        }
    }

    public func kioskToken(hash: String) throws -> KioskToken? {
        try read { session in
            try session.rows("SELECT kiosk, unit, token_hash, created_at, revoked_at FROM kiosk_tokens WHERE token_hash = $1", [hash]).first.map(Self.token)
        }
    }

    public func kioskActivity(day: String) throws -> [KioskActivity] {
        try read { session in
            try session.rows(KioskTokenText.activitySQL(placeholder: "$1"), [day]).map {
                KioskActivity(kiosk: $0.text(0) ?? "", unit: $0.text(1), today: Int($0.int(2) ?? 0), total: Int($0.int(3) ?? 0), lastReceived: $0.text(4))
            }
        }
    }

    static func token(_ row: PostgresRow) -> KioskToken {
        KioskToken(kiosk: row.text(0) ?? "", unit: row.text(1) ?? "", tokenHash: row.text(2) ?? "", createdAt: row.text(3) ?? "", revokedAt: row.text(4))
    }
}
