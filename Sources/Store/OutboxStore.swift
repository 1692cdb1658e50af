import Foundation
import GRDB
import SIPASModel
import SIPASStoring

/// The kiosk's outbox in its SQLite store: a rating or answer is unsent until a row of
/// `outbox_sent` / `outbox_additions_sent` says the server acknowledged it.
extension ResponseStore: KioskOutbox {
    public func outboxBatch(kioskID: String, maxRatings: Int, maxAdditions: Int) throws -> OutboxBatch {
        try queue.read { db in
            // One questionnaire version per batch: the oldest unsent rating's.
            let unsent = "r.source = 'kiosk' AND r.kiosk_id = ? AND NOT EXISTS (SELECT 1 FROM outbox_sent s WHERE s.response_id = r.id)"
            var version = try Row.fetchOne(
                db, sql: "SELECT questionnaire_id, questionnaire_version FROM responses r WHERE \(unsent) ORDER BY r.id LIMIT 1", arguments: [kioskID])
            if version == nil {
                version = try Row.fetchOne(db, sql: """
                    SELECT r.questionnaire_id, r.questionnaire_version FROM response_additions a JOIN responses r ON r.id = a.response_id
                    JOIN outbox_sent s ON s.response_id = r.id AND s.status != 'dossier-already-rated'
                    WHERE r.kiosk_id = ? AND NOT EXISTS (SELECT 1 FROM outbox_additions_sent o WHERE o.response_id = a.response_id AND o.item = a.item)
                    ORDER BY a.response_id LIMIT 1
                    """, arguments: [kioskID])
            }
            guard let version else { return OutboxBatch(questionnaireID: "", questionnaireVersion: "", ratings: [], additions: []) }
            let qid: String = version[0], qversion: String = version[1]
            let items = try codedItems(db, id: qid, version: qversion)
            var ratings: [OutboxBatch.Rating] = []
            for row in try Row.fetchAll(db, sql: """
                SELECT r.id, r.form_id, r.unit, r.collected_at, r.field, r.channel, r.codes, r.dossier_hash FROM responses r
                WHERE \(unsent) AND r.questionnaire_id = ? AND r.questionnaire_version = ? ORDER BY r.id LIMIT ?
                """, arguments: [kioskID, qid, qversion, maxRatings]) {
                let codes: Data = row[6]
                guard let k = codes.firstIndex(where: { $0 != 0 }).map({ $0 - codes.startIndex }), k < items.count else { continue }
                ratings.append(OutboxBatch.Rating(
                    responseID: row[0], id: row[1], unit: row[2], minute: row[3] ?? "", field: row[4], channel: row[5], item: items[k],
                    code: codes[codes.startIndex + k], dossierHash: row[7]))
            }
            let inBatch = ratings.map { String($0.responseID) }.joined(separator: ",")
            let additions = try Row.fetchAll(db, sql: """
                SELECT a.response_id, r.form_id, a.item, a.code FROM response_additions a JOIN responses r ON r.id = a.response_id
                WHERE r.kiosk_id = ? AND r.questionnaire_id = ? AND r.questionnaire_version = ?
                    AND NOT EXISTS (SELECT 1 FROM outbox_additions_sent o WHERE o.response_id = a.response_id AND o.item = a.item)
                    AND (a.response_id IN (\(inBatch.isEmpty ? "NULL" : inBatch))
                        OR EXISTS (SELECT 1 FROM outbox_sent s WHERE s.response_id = a.response_id AND s.status != 'dossier-already-rated'))
                ORDER BY a.response_id, a.item LIMIT ?
                """, arguments: [kioskID, qid, qversion, maxAdditions]).map {
                OutboxBatch.Addition(responseID: $0[0], rating: $0[1], item: $0[2], code: UInt8(clamping: $0[3] as Int))
            }
            return OutboxBatch(questionnaireID: qid, questionnaireVersion: qversion, ratings: ratings, additions: additions)
        }
    }

    public func markSent(_ batch: OutboxBatch, statuses: [String], at: String) throws {
        try write { db in
            for (rating, status) in zip(batch.ratings, statuses) {
                try db.execute(
                    sql: "INSERT INTO outbox_sent (response_id, status, sent_at) VALUES (?, ?, ?) ON CONFLICT(response_id) DO NOTHING",
                    arguments: [rating.responseID, status, at])
            }
            for a in batch.additions {
                try db.execute(
                    sql: "INSERT INTO outbox_additions_sent (response_id, item, sent_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    arguments: [a.responseID, a.item, at])
            }
            try db.execute(sql: "INSERT INTO settings (key, value) VALUES ('outbox_last_sync', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", arguments: [at])
        }
    }

    public func adoptDossierKey(_ keyHex: String, from server: String) throws {
        guard keyHex.utf8.count == 64, let bytes = Hex.decode(keyHex.lowercased()) else {
            throw KioskStoreError("the server's dossier key is not 64 hex digits")
        }
        let hex = Hex.encode(bytes)
        try write { db in
            let current = try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'dossier_key'")
            if current != hex {
                if current != nil, try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM responses WHERE dossier_hash IS NOT NULL)") == true {
                    throw KioskStoreError(
                        "\(path) holds dossier hashes under its own key, which the server's ratings could not be compared with: "
                            + "give this kiosk a new store to sync with dossier codes")
                }
                try db.execute(
                    sql: "INSERT INTO settings (key, value) VALUES ('dossier_key', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", arguments: [hex])
            }
            try db.execute(
                sql: "INSERT INTO settings (key, value) VALUES ('dossier_key_from', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", arguments: [server])
        }
    }

    public func adoptedDossierKeySource() throws -> String? {
        try queue.read { db in try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'dossier_key_from'") }
    }

    public func outboxState(kioskID: String) throws -> OutboxState {
        try queue.read { db in
            let ratings = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM responses r WHERE r.source = 'kiosk' AND r.kiosk_id = ?
                    AND NOT EXISTS (SELECT 1 FROM outbox_sent s WHERE s.response_id = r.id)
                """, arguments: [kioskID]) ?? 0
            let additions = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM response_additions a JOIN responses r ON r.id = a.response_id
                WHERE r.kiosk_id = ? AND NOT EXISTS (SELECT 1 FROM outbox_additions_sent o WHERE o.response_id = a.response_id AND o.item = a.item)
                    AND NOT EXISTS (SELECT 1 FROM outbox_sent s WHERE s.response_id = a.response_id AND s.status = 'dossier-already-rated')
                """, arguments: [kioskID]) ?? 0
            let last = try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'outbox_last_sync'")
            return OutboxState(queuedRatings: ratings, queuedAdditions: additions, lastSync: last)
        }
    }

    /// The coded items of a stored questionnaire version, in the order of the answer record.
    private func codedItems(_ db: Database, id: String, version: String) throws -> [String] {
        guard let yaml = try String.fetchOne(db, sql: "SELECT yaml FROM questionnaires WHERE id = ? AND version = ?", arguments: [id, version]) else {
            throw StoreError("\(path): questionnaire \(id) \(version) of the kiosk's ratings is missing from the store")
        }
        return AnswerLayout(questionnaire: try Questionnaire(yaml: yaml, file: "\(path) (stored \(id) \(version))")).codedItems
    }
}
