import Foundation
import GRDB
import SIPASModel
import SIPASStoring

/// Commune report workbooks imported into a province (or district) store: each is recorded as a
/// submission beside its batch of forms, inside the import's one transaction.
extension ResponseStore {
    /// Every submission, current and replaced, in the order they were stored.
    public func submissions() throws -> [StoredSubmission] {
        try queue.read { db in
            try Row.fetchAll(db, sql: Self.submissionQuery + " ORDER BY s.id").map(Self.submission)
        }
    }

    static let submissionQuery = """
        SELECT s.id, s.unit, s.questionnaire_id, s.questionnaire_version, s.period, s.period_label, s.period_from, s.period_to,
            s.forms, s.data_sha256, s.software, b.file_name, s.submitted_at, s.superseded_by
        FROM submissions s JOIN batches b ON b.id = s.batch_id
        """

    static func submission(_ row: Row) -> StoredSubmission {
        StoredSubmission(
            id: row["id"], unit: row["unit"], questionnaireID: row["questionnaire_id"], version: row["questionnaire_version"],
            period: row["period"], periodLabel: row["period_label"], from: row["period_from"], to: row["period_to"], forms: row["forms"],
            dataSHA256: row["data_sha256"], software: row["software"], fileName: row["file_name"], submittedAt: row["submitted_at"],
            supersededBy: row["superseded_by"])
    }

    /// Records the submission's unit with its name and level under its parent (the parent by code
    /// if the store does not know it yet). Returns the unit's code when the store did not know it.
    static func fileUnit(of submission: Submission, db: Database) throws -> String? {
        let m = submission.manifest
        let now = Self.now()
        if let parent = m.parentUnit {
            try db.execute(sql: "INSERT INTO units (code, created_at) VALUES (?, ?) ON CONFLICT(code) DO NOTHING", arguments: [parent, now])
        }
        let known = try Bool.fetchOne(db, sql: "SELECT 1 FROM units WHERE code = ?", arguments: [m.unitCode]) == true
        try db.execute(
            sql: """
                INSERT INTO units (code, name, level, parent, province, created_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(code) DO UPDATE SET name = coalesce(excluded.name, name), level = coalesce(excluded.level, level),
                parent = coalesce(excluded.parent, parent), province = coalesce(excluded.province, province)
                """,
            arguments: [m.unitCode, m.unitName, m.unitLevel, m.parentUnit, m.province, now])
        return known ? nil : m.unitCode
    }

    /// The checks before a submission's forms are stored: one questionnaire version per store, no
    /// second submission of a unit and period (with `replace`, the stored one's forms are
    /// withdrawn and it is returned), no period overlapping a stored one.
    static func admit(_ submission: Submission, fileName: String, db: Database) throws -> StoredSubmission? {
        let m = submission.manifest
        if let other = try Row.fetchOne(
            db,
            sql: """
                SELECT q.version, q.content_hash FROM questionnaires q
                WHERE q.id = ? AND q.version <> ? AND EXISTS (
                    SELECT 1 FROM responses r WHERE r.questionnaire_id = q.id AND r.questionnaire_version = q.version AND r.superseded_by IS NULL)
                ORDER BY q.created_at LIMIT 1
                """, arguments: [m.questionnaireID, m.version]) {
            throw otherVersion(m, fileName: fileName, version: other["version"], hash: other["content_hash"])
        }
        let overlapping = try Row.fetchAll(
            db,
            sql: Self.submissionQuery + """
                 WHERE s.unit = ? AND s.questionnaire_id = ? AND s.superseded_by IS NULL AND s.period_from <= ? AND s.period_to >= ?
                 ORDER BY s.id
                """, arguments: [m.unitCode, m.questionnaireID, m.to, m.from]
        ).map(Self.submission)
        guard let earlier = try admission(of: submission, fileName: fileName, overlapping: overlapping) else { return nil }
        // Withdraw the earlier forms, and the corrections made to them since (each a response of
        // its own batch that supersedes one of them): the current version of each is marked as
        // superseded by itself (no successor form), as a correction releases a form id; every
        // version stays in the store.
        let batchID = try Int64.fetchOne(db, sql: "SELECT batch_id FROM submissions WHERE id = ?", arguments: [earlier.id])
        try db.execute(
            sql: """
                WITH RECURSIVE chain(id) AS (
                    SELECT id FROM responses WHERE batch_id = ?
                    UNION SELECT r.id FROM responses r JOIN chain c ON r.supersedes = c.id)
                UPDATE responses SET superseded_by = id WHERE superseded_by IS NULL AND id IN chain
                """, arguments: [batchID])
        return earlier
    }

    /// The refusal of a report on another questionnaire version than the store's forms (`version`, `hash`).
    static func otherVersion(_ m: SubmissionManifest, fileName: String, version: String, hash: String) -> StoreError {
        StoreError(
            "\(fileName): this report was made with questionnaire \(m.questionnaireID) \(m.version) (hash \(m.contentHash.prefix(12))…), but the forms in this store are \(m.questionnaireID) \(version) (hash \(hash.prefix(12))…); a consolidation holds one version: ask \(m.unitName) (\(m.unitCode)) for a report on \(version), or consolidate \(m.version) in a store of its own; nothing was imported")
    }

    /// Given the stored submissions of the unit whose periods overlap this one's (oldest first):
    /// nil when there are none; the one to replace when it has the same period and the
    /// submission says it replaces it; otherwise the refusal. Every store decides through this.
    static func admission(of submission: Submission, fileName: String, overlapping: [StoredSubmission]) throws -> StoredSubmission? {
        let m = submission.manifest
        guard let earlier = overlapping.first else { return nil }
        let described = "\(earlier.periodLabel) (\(earlier.from) – \(earlier.to)) from \(earlier.fileName), imported \(earlier.submittedAt)"
        guard earlier.from == m.from, earlier.to == m.to, overlapping.count == 1 else {
            throw StoreError(
                "\(fileName): \(m.unitName) (\(m.unitCode)) already submitted \(described), which overlaps \(m.periodLabel) (\(m.from) – \(m.to)): the same forms would be counted twice; nothing was imported")
        }
        guard submission.replace else {
            throw StoreError(
                "\(fileName): \(m.unitName) (\(m.unitCode)) already submitted \(described); a resubmission must say that it replaces it (the earlier one is kept in the history); nothing was imported",
                remedy: .replaceSubmission)
        }
        return earlier
    }

    /// Stores the submission once its forms are in, and links the one it replaces to it.
    static func record(_ submission: Submission, batchID: Int64, forms: Int, replacing earlier: StoredSubmission?, fileName: String, db: Database) throws {
        let m = submission.manifest
        guard forms == m.forms else {
            throw StoreError("\(fileName): its manifest says \(m.forms) forms but its \(SubmissionManifest.dataSheet) sheet holds \(forms); nothing was imported")
        }
        // The earlier one leaves the current index first (a self-reference), then points at its successor.
        if let earlier { try db.execute(sql: "UPDATE submissions SET superseded_by = id WHERE id = ?", arguments: [earlier.id]) }
        try db.execute(
            sql: """
                INSERT INTO submissions (unit, questionnaire_id, questionnaire_version, period, period_label, period_from, period_to,
                    forms, data_sha256, software, batch_id, submitted_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                m.unitCode, m.questionnaireID, m.version, m.period, m.periodLabel, m.from, m.to, forms, m.dataSHA256, m.software, batchID,
                Self.now(),
            ])
        if let earlier {
            try db.execute(sql: "UPDATE submissions SET superseded_by = ? WHERE id = ?", arguments: [db.lastInsertedRowID, earlier.id])
        }
    }
}
