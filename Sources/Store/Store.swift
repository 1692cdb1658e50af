import Crypto
import Foundation
import GRDB
import GRDBSQLite
import SIPASModel
import SIPASStoring

/// The embedded SQLite store (kho dữ liệu): WAL, synchronous=FULL, foreign keys, append-only responses.
///
/// Answers are kept with their response as a compact record in the questionnaire version's item
/// order: `codes` holds one byte per coded item (0 = blank), `picks` one little-endian UInt64
/// bit set per multi-choice item, `texts` a JSON object of free-text answers. The questionnaire's
/// YAML is stored beside them, so stored answers never depend on a file that may change.
public final class ResponseStore: ResponseWriting, ResponseReading, ResponseHistory {
    public let path: String

    /// The file path (``ResponseReading/location``).
    public var location: String { path }
    let queue: DatabaseQueue

    public static let defaultPath = "sipas.sqlite"

    /// Opens (and migrates) the store at `path`; with `create: false` a missing file is an error.
    public init(path: String, create: Bool) throws {
        self.path = path
        if !create, !FileManager.default.fileExists(atPath: path) {
            throw StoreError("\(path): no sipas store here", remedy: .createStore)
        }
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
            try Self.migrator.migrate(queue)
        } catch let error as DatabaseError {
            throw StoreError("\(path): cannot open the store: \(error.message ?? error.description)")
        }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE units (
                    code TEXT PRIMARY KEY, name TEXT, level TEXT, parent TEXT REFERENCES units(code), province TEXT,
                    created_at TEXT NOT NULL);
                CREATE TABLE questionnaires (
                    id TEXT NOT NULL, version TEXT NOT NULL, content_hash TEXT NOT NULL, yaml TEXT NOT NULL,
                    item_order TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (id, version));
                CREATE TABLE batches (
                    id INTEGER PRIMARY KEY, file_name TEXT NOT NULL, sha256 TEXT UNIQUE, source TEXT NOT NULL,
                    rows INTEGER NOT NULL, imported_by TEXT, imported_at TEXT NOT NULL);
                CREATE TABLE responses (
                    id INTEGER PRIMARY KEY,
                    form_id TEXT NOT NULL,
                    unit TEXT NOT NULL REFERENCES units(code),
                    questionnaire_id TEXT NOT NULL,
                    questionnaire_version TEXT NOT NULL,
                    collected_on TEXT CHECK (collected_on IS NULL OR collected_on GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
                    channel TEXT, field TEXT,
                    source TEXT NOT NULL CHECK (source IN ('paper', 'kiosk', 'web', 'import')),
                    batch_id INTEGER REFERENCES batches(id),
                    supersedes INTEGER REFERENCES responses(id),
                    superseded_by INTEGER REFERENCES responses(id),
                    dossier_hash TEXT,
                    codes BLOB NOT NULL, picks BLOB, texts TEXT,
                    created_at TEXT NOT NULL,
                    FOREIGN KEY (questionnaire_id, questionnaire_version) REFERENCES questionnaires(id, version));
                CREATE UNIQUE INDEX responses_current_form ON responses
                    (unit, form_id, questionnaire_id, coalesce(substr(collected_on, 1, 4), '')) WHERE superseded_by IS NULL;
                CREATE INDEX responses_period ON responses (questionnaire_id, collected_on);
                CREATE UNIQUE INDEX responses_dossier ON responses (dossier_hash) WHERE dossier_hash IS NOT NULL AND superseded_by IS NULL;
                CREATE TRIGGER responses_append_only BEFORE UPDATE OF form_id, unit, questionnaire_id, questionnaire_version,
                    collected_on, channel, field, source, codes, picks, texts ON responses
                    BEGIN SELECT RAISE(ABORT, 'responses are append-only: record a correction instead'); END;
                CREATE TRIGGER responses_no_delete BEFORE DELETE ON responses
                    BEGIN SELECT RAISE(ABORT, 'responses are never deleted'); END;
                """)
        }
        // Kiosk ratings: time to the minute, kiosk id, idempotency key; follow-up answers are added
        // to a committed rating as rows of their own, so the rating itself is never rewritten.
        m.registerMigration("v2-kiosk") { db in
            try db.execute(sql: """
                ALTER TABLE responses ADD COLUMN collected_at TEXT;
                ALTER TABLE responses ADD COLUMN kiosk_id TEXT;
                ALTER TABLE responses ADD COLUMN idempotency_key TEXT;
                CREATE UNIQUE INDEX responses_idempotency ON responses (kiosk_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
                CREATE INDEX responses_kiosk_day ON responses (kiosk_id, collected_on) WHERE kiosk_id IS NOT NULL;
                CREATE TABLE response_additions (
                    response_id INTEGER NOT NULL REFERENCES responses(id),
                    item TEXT NOT NULL,
                    code INTEGER NOT NULL CHECK (code BETWEEN 1 AND 255),
                    added_at TEXT NOT NULL,
                    PRIMARY KEY (response_id, item));
                CREATE TRIGGER response_additions_append_only BEFORE UPDATE ON response_additions
                    BEGIN SELECT RAISE(ABORT, 'answers are append-only'); END;
                CREATE TRIGGER response_additions_no_delete BEFORE DELETE ON response_additions
                    BEGIN SELECT RAISE(ABORT, 'answers are never deleted'); END;
                CREATE TABLE kiosk_rejections (
                    id INTEGER PRIMARY KEY, kiosk_id TEXT NOT NULL, day TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL);
                CREATE INDEX kiosk_rejections_day ON kiosk_rejections (kiosk_id, day);
                """)
        }
        m.registerMigration("v3-questionnaire-index") { db in
            // Counting the current forms of a questionnaire version from the index alone (without it,
            // a million random table reads: over a second for a million-form store).
            try db.execute(sql: """
                CREATE INDEX responses_questionnaire ON responses (questionnaire_id, questionnaire_version) WHERE superseded_by IS NULL;
                """)
        }
        // Commune report workbooks imported by a province: one current submission per unit,
        // questionnaire and period; a replaced one stays, linked to its successor.
        m.registerMigration("v4-submissions") { db in
            try db.execute(sql: """
                CREATE TABLE submissions (
                    id INTEGER PRIMARY KEY,
                    unit TEXT NOT NULL REFERENCES units(code),
                    questionnaire_id TEXT NOT NULL, questionnaire_version TEXT NOT NULL,
                    period TEXT NOT NULL, period_label TEXT NOT NULL,
                    period_from TEXT NOT NULL, period_to TEXT NOT NULL,
                    forms INTEGER NOT NULL, data_sha256 TEXT NOT NULL, software TEXT NOT NULL,
                    batch_id INTEGER NOT NULL REFERENCES batches(id),
                    superseded_by INTEGER REFERENCES submissions(id),
                    submitted_at TEXT NOT NULL);
                CREATE UNIQUE INDEX submissions_current ON submissions (unit, questionnaire_id, period_from, period_to)
                    WHERE superseded_by IS NULL;
                CREATE TRIGGER submissions_no_delete BEFORE DELETE ON submissions
                    BEGIN SELECT RAISE(ABORT, 'submissions are never deleted'); END;
                """)
        }
        // The store's own names of field and channel codes, over the shipped catalogue.
        m.registerMigration("v5-labels") { db in
            try db.execute(sql: """
                CREATE TABLE labels (
                    kind TEXT NOT NULL CHECK (kind IN ('field', 'channel')), code TEXT NOT NULL, label TEXT NOT NULL,
                    updated_at TEXT NOT NULL, PRIMARY KEY (kind, code));
                """)
        }
        // Scanned pages' answer areas (JPEG), kept with their batch for audit; never changed.
        m.registerMigration("v6-page-images") { db in
            try db.execute(sql: """
                CREATE TABLE page_images (
                    batch_id INTEGER NOT NULL REFERENCES batches(id),
                    form_id TEXT NOT NULL,
                    page INTEGER NOT NULL CHECK (page >= 1),
                    jpeg BLOB NOT NULL,
                    PRIMARY KEY (batch_id, form_id, page));
                CREATE INDEX page_images_form ON page_images (form_id);
                CREATE TRIGGER page_images_append_only BEFORE UPDATE ON page_images
                    BEGIN SELECT RAISE(ABORT, 'page images are never changed'); END;
                CREATE TRIGGER page_images_no_delete BEFORE DELETE ON page_images
                    BEGIN SELECT RAISE(ABORT, 'page images are never deleted'); END;
                """)
        }
        // Kiosks' tokens for `sipas serve`: the hash only; a token is revoked, never deleted or revived.
        m.registerMigration("v7-kiosk-tokens") { db in
            try db.execute(sql: """
                CREATE TABLE kiosk_tokens (
                    token_hash TEXT PRIMARY KEY, kiosk TEXT NOT NULL, unit TEXT NOT NULL REFERENCES units(code),
                    created_at TEXT NOT NULL, revoked_at TEXT);
                CREATE UNIQUE INDEX kiosk_tokens_active ON kiosk_tokens (kiosk) WHERE revoked_at IS NULL;
                CREATE TRIGGER kiosk_tokens_revoke_only BEFORE UPDATE OF token_hash, kiosk, unit, created_at ON kiosk_tokens
                    BEGIN SELECT RAISE(ABORT, 'a kiosk token is only ever revoked'); END;
                CREATE TRIGGER kiosk_tokens_stay_revoked BEFORE UPDATE OF revoked_at ON kiosk_tokens WHEN OLD.revoked_at IS NOT NULL
                    BEGIN SELECT RAISE(ABORT, 'a revoked kiosk token stays revoked'); END;
                CREATE TRIGGER kiosk_tokens_no_delete BEFORE DELETE ON kiosk_tokens
                    BEGIN SELECT RAISE(ABORT, 'kiosk tokens are never deleted'); END;
                """)
        }
        // A kiosk's outbox: which local ratings and answers the server has acknowledged (sipas kiosk --upstream).
        m.registerMigration("v8-outbox") { db in
            try db.execute(sql: """
                CREATE TABLE outbox_sent (
                    response_id INTEGER PRIMARY KEY REFERENCES responses(id), status TEXT NOT NULL, sent_at TEXT NOT NULL);
                CREATE TABLE outbox_additions_sent (
                    response_id INTEGER NOT NULL, item TEXT NOT NULL, sent_at TEXT NOT NULL, PRIMARY KEY (response_id, item),
                    FOREIGN KEY (response_id, item) REFERENCES response_additions(response_id, item));
                """)
        }
        return m
    }

    // MARK: Page images

    public func pageImages(formID: String?) throws -> [StoredPageImage] {
        try queue.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT p.batch_id, b.file_name, p.form_id, p.page, p.jpeg FROM page_images p JOIN batches b ON b.id = p.batch_id
                    WHERE ?1 IS NULL OR p.form_id = ?1 ORDER BY p.form_id, p.page, p.batch_id
                    """, arguments: [formID])
            return rows.map { row in
                let data: Data = row["jpeg"]
                return StoredPageImage(batchID: row["batch_id"], fileName: row["file_name"], image: PageImage(formID: row["form_id"], page: row["page"], jpeg: [UInt8](data)))
            }
        }
    }

    // MARK: Labels

    /// The store's names: its own field and channel labels, and each named unit's name.
    public func labels() throws -> Labels {
        try queue.read { db in
            var labels = Labels()
            for row in try Row.fetchAll(db, sql: "SELECT kind, code, label FROM labels") {
                if let kind = Labels.Kind(rawValue: row["kind"]) { labels[kind][row["code"]] = row["label"] }
            }
            for row in try Row.fetchAll(db, sql: "SELECT code, name FROM units WHERE name IS NOT NULL AND name <> ''") {
                labels.units[row["code"]] = row["name"]
            }
            return labels
        }
    }

    /// Names `code` of `kind` (field or channel) in this store, or with nil forgets the store's name.
    public func setLabel(_ kind: Labels.Kind, code: String, label: String?) throws {
        guard kind != .unit else { throw StoreError("a unit's name is set with 'sipas init --unit CODE --name NAME'") }
        try write { db in
            if let label {
                try db.execute(
                    sql: "INSERT INTO labels (kind, code, label, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (kind, code) DO UPDATE SET label = excluded.label, updated_at = excluded.updated_at",
                    arguments: [kind.rawValue, code, label, Self.now()])
            } else {
                try db.execute(sql: "DELETE FROM labels WHERE kind = ? AND code = ?", arguments: [kind.rawValue, code])
            }
        }
    }

    // MARK: Units and settings

    public func register(_ unit: UnitRecord) throws {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO units (code, name, level, parent, province, created_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(code) DO UPDATE SET name = coalesce(excluded.name, name), level = coalesce(excluded.level, level),
                    parent = coalesce(excluded.parent, parent), province = coalesce(excluded.province, province)
                    """,
                arguments: [unit.code, unit.name, unit.level, unit.parent, unit.province, Self.now()])
        }
    }

    public func units() throws -> [UnitRecord] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT code, name, level, parent, province FROM units ORDER BY code").map {
                UnitRecord(code: $0["code"], name: $0["name"], level: $0["level"], parent: $0["parent"], province: $0["province"])
            }
        }
    }

    /// The store's secret for keyed dossier hashes, created on first use; it never leaves the store.
    func dossierKey() throws -> SymmetricKey {
        try write { db in
            if let hex = try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'dossier_key'"),
               let data = Hex.decode(hex).map({ Data($0) }) {
                return SymmetricKey(data: data)
            }
            let key = SymmetricKey(size: .bits256)
            let hex = key.withUnsafeBytes { Hex.encode($0) }
            try db.execute(sql: "INSERT INTO settings (key, value) VALUES ('dossier_key', ?)", arguments: [hex])
            return key
        }
    }

    /// HMAC-SHA-256 of a dossier code (mã hồ sơ) under the store's key: stops double voting, reveals nothing.
    public func dossierHash(_ code: String) throws -> String {
        let key = try dossierKey()
        let normalized = code.trimmingCharacters(in: .whitespaces).uppercased()
        return Hex.encode(HMAC<SHA256>.authenticationCode(for: Data(normalized.utf8), using: key))
    }

    // MARK: Import

    /// The questionnaire text stored with the responses: the given version, or the newest.
    public func questionnaireYAML(id: String, version: String? = nil) throws -> String? {
        try queue.read { db in
            if let version {
                return try String.fetchOne(db, sql: "SELECT yaml FROM questionnaires WHERE id = ? AND version = ?", arguments: [id, version])
            }
            return try String.fetchOne(db, sql: "SELECT yaml FROM questionnaires WHERE id = ? ORDER BY created_at DESC, version DESC LIMIT 1", arguments: [id])
        }
    }

    /// Imports files in one transaction while they are read, so memory holds one piece at a time,
    /// not the file. All of them or none: any problem in any file rolls everything back. With
    /// `dryRun` everything is checked, the store's constraints included, and rolled back.
    /// `progress` gets the file's index and the forms stored so far.
    public func importStreamed(_ batches: [StreamedBatch], dryRun: Bool = false, progress: ((Int, Int) -> Void)? = nil) throws -> [ImportResult] {
        var results: [ImportResult] = []
        do {
            // A large import is one transaction: with SQLite's 2 MiB default cache its dirty pages
            // spill to the WAL and are read back for every index insert. The cache grows only as
            // used, and goes back to the default afterwards (reads scan, they gain nothing from it).
            try queue.inDatabase { try $0.execute(sql: "PRAGMA cache_size = -131072") }
            defer { try? queue.inDatabase { try $0.execute(sql: "PRAGMA cache_size = -2000") } }
            try queue.inTransaction(.immediate) { db in
                var failures: [String] = []
                var remedy: Remedy?
                for (index, batch) in batches.enumerated() {
                    if !failures.isEmpty {
                        // Nothing will be written now: the files after a failed one are only read,
                        // so that all their problems are listed too.
                        do { try batch.pieces { _ in } } catch { failures.append("\(error)") }
                        continue
                    }
                    var writer: BatchWriter
                    var replaced: StoredSubmission?
                    var submittedUnit: String?
                    do {
                        // A submission's unit is filed under its parent before the forms arrive.
                        if let submission = batch.submission { submittedUnit = try Self.fileUnit(of: submission, db: db) }
                        writer = try BatchWriter(
                            db: db, fileName: batch.fileName, sha256: batch.sha256, source: batch.source, questionnaire: batch.questionnaire,
                            yaml: batch.questionnaireYAML, importedBy: batch.importedBy, firstDataRow: batch.firstDataRow)
                        if let submission = batch.submission {
                            replaced = try Self.admit(submission, fileName: batch.fileName, db: db)
                        }
                    } catch let error as StoreError {
                        failures.append(error.description)
                        remedy = remedy ?? error.remedy
                        do { try batch.pieces { _ in } } catch { failures.append("\(error)") }
                        continue
                    }
                    var unitProblem: String?
                    do {
                        try batch.pieces { piece in
                            guard unitProblem == nil else { return }
                            if let row = (0..<piece.table.count).first(where: { piece.table.unit[$0] == nil }) {
                                unitProblem = "\(batch.fileName), row \(writer.line(of: row, in: piece)): every form needs a unit (đơn vị); add a 'unit' column"
                                return
                            }
                            try writer.insert(piece, progress: nil)
                            progress?(index, writer.rows)
                        }
                    } catch let error as DatabaseError {
                        throw error
                    } catch let error as StoreError {
                        failures.append(error.description)
                        continue
                    } catch {
                        if unitProblem != nil { remedy = .unitCode }
                        failures.append(StreamedImportError(file: error, store: unitProblem ?? writer.refusal).description)
                        continue
                    }
                    if unitProblem != nil { remedy = .unitCode }
                    if let problem = unitProblem ?? writer.refusal {
                        failures.append(problem)
                        continue
                    }
                    var result = try writer.finish()
                    for image in batch.pageImages {
                        try db.execute(
                            sql: "INSERT INTO page_images (batch_id, form_id, page, jpeg) VALUES (?, ?, ?, ?)",
                            arguments: [result.batchID, image.formID, image.page, Data(image.jpeg)])
                    }
                    if let submission = batch.submission {
                        do {
                            try Self.record(submission, batchID: result.batchID, forms: result.rows, replacing: replaced, fileName: batch.fileName, db: db)
                        } catch let error as StoreError {
                            failures.append(error.description)
                            continue
                        }
                        result.replaced = replaced
                        if let submittedUnit { result.newUnits.insert(submittedUnit, at: 0) }
                    }
                    results.append(result)
                }
                if !failures.isEmpty { throw StreamedImportError(file: nil, store: failures.joined(separator: "\n"), remedy: remedy) }
                return dryRun ? .rollback : .commit
            }
        } catch let error as DatabaseError {
            throw StoreError("\(path): \(error.message ?? error.description)")
        }
        return results
    }

    /// Inserts the forms of one file into an open transaction.
    struct BatchWriter {
        let db: Database
        let fileName: String
        let firstDataRow: Int
        let batchID: Int64
        /// Keeps the prepared statement alive (GRDB finalizes it on release).
        let prepared: Statement
        var statement: OpaquePointer { prepared.sqliteStatement }
        let layout: AnswerLayout
        let questionnaireID: String
        var known: Set<String>
        var newUnits: [String] = []
        private(set) var rows = 0
        /// Forms the store refused (a form id or dossier stored before): the first 20, and how many.
        private(set) var refusals: [String] = []
        private(set) var refusedCount = 0
        let stamp: String
        let sha256: String?

        init(db: Database, fileName: String, sha256: String?, source: ResponseSource, questionnaire q: Questionnaire, yaml: String,
             importedBy: String?, firstDataRow: Int) throws {
            self.db = db
            self.fileName = fileName
            self.firstDataRow = firstDataRow
            self.sha256 = sha256
            layout = AnswerLayout(questionnaire: q)
            questionnaireID = q.id
            if let sha = sha256,
               let previous = try Row.fetchOne(db, sql: "SELECT file_name, imported_at FROM batches WHERE sha256 = ?", arguments: [sha]) {
                let name: String = previous["file_name"], at: String = previous["imported_at"]
                throw StoreError("\(fileName): this file was already imported (same SHA-256 as \(name), imported \(at)); nothing was imported again")
            }
            try ResponseStore.registerQuestionnaire(q, yaml: yaml, db: db)
            known = Set(try String.fetchAll(db, sql: "SELECT code FROM units"))
            stamp = ResponseStore.now()
            // The row count is set when the file is done.
            try db.execute(
                sql: "INSERT INTO batches (file_name, sha256, source, rows, imported_by, imported_at) VALUES (?, ?, ?, 0, ?, ?)",
                arguments: [fileName, sha256, source.rawValue, importedBy, stamp])
            batchID = db.lastInsertedRowID
            let insert = try db.makeStatement(sql: """
                INSERT INTO responses (form_id, unit, questionnaire_id, questionnaire_version, collected_on, channel, field,
                    source, batch_id, dossier_hash, codes, picks, texts, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            // Bound straight through the SQLite C API: a million rows of GRDB argument arrays cost more
            // than SQLite itself. Constant parameters are bound once; reset keeps bindings.
            prepared = insert
            let statement = insert.sqliteStatement
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
            Self.bind(statement, 3, q.id)
            Self.bind(statement, 4, q.version)
            Self.bind(statement, 8, source.rawValue)
            sqlite3_bind_int64(statement, 9, batchID)
            Self.bind(statement, 14, stamp)
        }

        static func bind(_ statement: OpaquePointer, _ index: Int32, _ text: String?) {
            guard var text else {
                sqlite3_bind_null(statement, index)
                return
            }
            let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
            text.withUTF8 { utf8 in
                guard let base = utf8.baseAddress else { return _ = sqlite3_bind_text(statement, index, "", 0, transient) }
                _ = sqlite3_bind_text(statement, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(utf8.count), transient)
            }
        }

        /// Every refusal, or nil when the store took every form so far.
        var refusal: String? {
            guard refusedCount > 0 else { return nil }
            let more = refusedCount > refusals.count ? ["… and \(refusedCount - refusals.count) more forms refused"] : []
            return (refusals + more).joined(separator: "\n")
        }

        mutating func refuse(_ message: String) {
            refusedCount += 1
            if refusals.count < 20 { refusals.append(message) }
        }

        /// Inserts the table's forms; a form the store refuses is listed in ``refusals`` and the
        /// rest are still tried, so that every refusal is reported (the caller rolls back).
        /// The file's row of the piece's form `row`, for messages.
        func line(of row: Int, in piece: ImportPiece) -> Int {
            piece.rows.map { $0[row] } ?? rows + row + firstDataRow
        }

        mutating func insert(_ piece: ImportPiece, progress: ((Int, Int) -> Void)?) throws {
            let table = piece.table, dossierHashes = piece.dossierHashes
            // Units seen for the first time are registered by code.
            for level in table.unit.levels where !known.contains(level) {
                known.insert(level)
                newUnits.append(level)
                try db.execute(sql: "INSERT INTO units (code, created_at) VALUES (?, ?)", arguments: [level, stamp])
            }
            let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
            let codeColumns = layout.codedItems.map { table.codes[$0] }
            let pickColumns = layout.multiItems.map { table.picks[$0] }
            let textColumns = layout.textItems.map { (id: $0, column: table.texts[$0]) }
            var codeBuffer = [UInt8](repeating: 0, count: max(1, layout.codedItems.count))
            let codeCount = Int32(layout.codedItems.count)
            for row in 0..<table.count {
                for (k, column) in codeColumns.enumerated() { codeBuffer[k] = column?[row] ?? 0 }
                Self.bind(statement, 1, table.formID[row])
                Self.bind(statement, 2, table.unit[row])
                Self.bind(statement, 5, table.collectedOn[row])
                Self.bind(statement, 6, table.channel[row])
                Self.bind(statement, 7, table.field[row])
                Self.bind(statement, 10, dossierHashes?[row])
                codeBuffer.withUnsafeBytes { _ = sqlite3_bind_blob(statement, 11, $0.baseAddress, codeCount, transient) }
                if pickColumns.contains(where: { ($0?[row] ?? 0) != 0 }) {
                    var d = Data(capacity: 8 * pickColumns.count)
                    for column in pickColumns { withUnsafeBytes(of: (column?[row] ?? 0).littleEndian) { d.append(contentsOf: $0) } }
                    d.withUnsafeBytes { _ = sqlite3_bind_blob(statement, 12, $0.baseAddress, Int32($0.count), transient) }
                } else {
                    sqlite3_bind_null(statement, 12)
                }
                var texts: [String: String] = [:]
                for entry in textColumns { if let t = entry.column?[row] { texts[entry.id] = t } }
                Self.bind(statement, 13, texts.isEmpty ? nil : ResponseStore.json(texts))
                let rc = sqlite3_step(statement)
                sqlite3_reset(statement)
                if rc != SQLITE_DONE {
                    let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(statement)))
                    let line = line(of: row, in: piece)
                    if rc & 0xFF == SQLITE_CONSTRAINT, message.contains("dossier_hash") {
                        refuse("\(fileName), row \(line): this dossier (mã hồ sơ) has already been rated; nothing was imported")
                        continue
                    }
                    if rc & 0xFF == SQLITE_CONSTRAINT, message.contains("UNIQUE") {
                        let form = table.formID[row], unit = table.unit[row] ?? "?"
                        let year = table.collectedOn[row].map { String($0.prefix(4)) }
                        let earlier = try Row.fetchOne(db, sql: """
                            SELECT r.batch_id, r.source, b.file_name FROM responses r LEFT JOIN batches b ON b.id = r.batch_id
                            WHERE r.unit = ? AND r.form_id = ? AND r.questionnaire_id = ? AND coalesce(substr(r.collected_on, 1, 4), '') = ?
                                AND r.superseded_by IS NULL
                            """, arguments: [unit, form, questionnaireID, year ?? ""])
                        let earlierBatch: Int64? = earlier?["batch_id"]
                        let earlierFile: String? = earlier?["file_name"]
                        let place = earlierBatch == batchID ? "earlier in this file" : earlierFile.map { "from \($0)" } ?? "stored before"
                        refuse("\(fileName), row \(line): form id '\(form)' already exists for unit \(unit) in \(year ?? "the same period") (\(place)); nothing was imported (a stored form is never overwritten or counted twice)")
                        continue
                    }
                    throw StoreError("\(fileName), row \(line): cannot store the form: \(message)")
                }
                if let progress, row % 10_000 == 9_999 { progress(row + 1, table.count) }
            }
            rows += table.count
            progress?(table.count, table.count)
        }

        func finish() throws -> ImportResult {
            try db.execute(sql: "UPDATE batches SET rows = ? WHERE id = ?", arguments: [rows, batchID])
            return ImportResult(batchID: batchID, rows: rows, newUnits: newUnits)
        }
    }

    /// Stores a questionnaire version with its YAML once; the same version with other content is refused.
    static func registerQuestionnaire(_ q: Questionnaire, yaml: String, db: Database) throws {
        let hash = Hex.sha256(yaml)
        if let stored = try String.fetchOne(db, sql: "SELECT content_hash FROM questionnaires WHERE id = ? AND version = ?", arguments: [q.id, q.version]) {
            if stored != hash {
                throw StoreError("questionnaire \(q.id) \(q.version) differs from the copy already in the store (content hash \(stored.prefix(12))… vs \(hash.prefix(12))…): give the changed questionnaire a new version")
            }
        } else {
            try db.execute(
                sql: "INSERT INTO questionnaires (id, version, content_hash, yaml, item_order, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [q.id, q.version, hash, yaml, AnswerLayout(questionnaire: q).signature, now()])
        }
    }

    /// Records a corrected version of a stored response (row `row` of `table`); the old one stays, marked as superseded.
    public func correct(responseID: Int64, with table: ResponseTable, row: Int, questionnaireYAML: String, by: String?) throws -> Int64 {
        try write { db in
            guard let old = try Row.fetchOne(db, sql: "SELECT source, superseded_by FROM responses WHERE id = ?", arguments: [responseID]) else {
                throw StoreError("no response \(responseID) in the store")
            }
            if let newer: Int64 = old["superseded_by"] {
                throw StoreError("response \(responseID) was already corrected by response \(newer); correct that one")
            }
            // Release the form id (a self-reference until the new version exists), then link both ways.
            try db.execute(sql: "UPDATE responses SET superseded_by = id WHERE id = ?", arguments: [responseID])
            let corrected = table.select([row])
            guard corrected.unit[0] != nil else { throw StoreError("the corrected form needs a unit (đơn vị)") }
            var writer = try BatchWriter(
                db: db, fileName: "correction of response \(responseID)", sha256: nil, source: ResponseSource(rawValue: old["source"]) ?? .paper,
                questionnaire: table.questionnaire, yaml: questionnaireYAML, importedBy: by, firstDataRow: 1)
            try writer.insert(ImportPiece(corrected), progress: nil)
            if let problem = writer.refusal { throw StoreError(problem) }
            _ = try writer.finish()
            let newID = db.lastInsertedRowID
            try db.execute(sql: "UPDATE responses SET supersedes = ? WHERE id = ?", arguments: [responseID, newID])
            try db.execute(sql: "UPDATE responses SET superseded_by = ? WHERE id = ?", arguments: [newID, responseID])
            return newID
        }
    }

    /// Every version of a form, oldest first: (response id, superseded by).
    public func history(unit: String, formID: String) throws -> [(id: Int64, supersededBy: Int64?)] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT id, superseded_by FROM responses WHERE unit = ? AND form_id = ? ORDER BY id", arguments: [unit, formID])
                .map { ($0["id"], $0["superseded_by"]) }
        }
    }

    // MARK: Reading

    /// Stored questionnaire versions with their response counts.
    public func questionnaires() throws -> [StoredVersion] {
        try queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT q.id, q.version, (SELECT count(*) FROM responses r WHERE r.questionnaire_id = q.id AND r.questionnaire_version = q.version AND r.superseded_by IS NULL) AS n
                FROM questionnaires q ORDER BY q.id, q.version
                """).map { StoredVersion(id: $0["id"], version: $0["version"], responses: $0["n"]) }
        }
    }

    /// The current (not superseded) responses of a questionnaire version that pass the filter.
    public func responses(questionnaire q: Questionnaire, filter: ResponseFilter = ResponseFilter()) throws -> (table: ResponseTable, sources: [ResponseSource]) {
        let layout = AnswerLayout(questionnaire: q)
        return try queue.read { db in
            if let stored = try String.fetchOne(db, sql: "SELECT item_order FROM questionnaires WHERE id = ? AND version = ?", arguments: [q.id, q.version]),
               stored != layout.signature {
                throw StoreError("questionnaire \(q.id) \(q.version) in the store lists its items differently from the file given; use the same file that was used to import")
            }
            // Through the period index when the period is a small part of the store; otherwise one
            // sequential scan in id order (the index would visit the rows in date order and then sort
            // them all back by id: 3.4 s instead of 0.4 s for a million forms).
            var period = ""
            var periodArgs: [String] = [q.id]
            if let from = filter.from { period += " AND collected_on >= ?"; periodArgs.append(from) }
            if let to = filter.to { period += " AND collected_on <= ?"; periodArgs.append(to) }
            var source = "responses NOT INDEXED"
            // An upper bound of the rows to come, from the indexes (columns are allocated once).
            // (Within a period, the forms in it are the bound: one count, not two.)
            var expected: Int
            if !period.isEmpty {
                let all = try Int.fetchOne(db, sql: "SELECT count(*) FROM responses") ?? 0
                expected = try Int.fetchOne(db, sql: "SELECT count(*) FROM responses WHERE questionnaire_id = ?" + period, arguments: StatementArguments(periodArgs)) ?? 0
                if expected * 10 < all { source = "responses" }
            } else {
                expected = try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM responses WHERE questionnaire_id = ? AND questionnaire_version = ? AND superseded_by IS NULL",
                    arguments: [q.id, q.version]) ?? 0
            }
            var sql = "SELECT form_id, unit, collected_on, channel, field, source, codes, picks, texts, id FROM \(source) WHERE questionnaire_id = ? AND questionnaire_version = ? AND superseded_by IS NULL" + period
            var args: [String] = [q.id, q.version] + periodArgs.dropFirst()
            if !filter.units.isEmpty { sql += " AND unit IN (\(filter.units.map { _ in "?" }.joined(separator: ",")))"; args += filter.units.map { $0 } }
            if !filter.sources.isEmpty { sql += " AND source IN (\(filter.sources.map { _ in "?" }.joined(separator: ",")))"; args += filter.sources.map { $0.rawValue } }
            sql += " ORDER BY id"
            // Follow-up answers added to kiosk ratings after they were committed.
            var additions: [Int64: [(item: String, code: UInt8)]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT a.response_id, a.item, a.code FROM response_additions a JOIN responses r ON r.id = a.response_id
                WHERE r.questionnaire_id = ? AND r.questionnaire_version = ? AND r.superseded_by IS NULL
                """, arguments: [q.id, q.version]) {
                let code: Int = row[2]
                additions[row[0], default: []].append((row[1], UInt8(clamping: code)))
            }
            // Stepped through the SQLite C API into preallocated columns: GRDB rows and per-row Data
            // cost more than SQLite itself for a million forms.
            let statement = try db.makeStatement(sql: sql)
            let stmt = statement.sqliteStatement
            sqlite3_reset(stmt)
            sqlite3_clear_bindings(stmt)
            let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
            for (i, arg) in args.enumerated() {
                _ = arg.withCString { sqlite3_bind_text(stmt, Int32(i + 1), $0, -1, transient) }
            }
            // `statement` owns `stmt` (GRDB finalizes it on release): kept alive to the last step.
            let result = withExtendedLifetime(statement) {
                ResponseReader(layout: layout, additions: additions, expected: expected).read(stmt, questionnaire: q)
            }
            withExtendedLifetime(statement) { _ = sqlite3_reset(stmt) }
            switch result {
            case .failure(let failure): throw StoreError("\(path): cannot read the responses: \(failure.message)")
            case .success(let (table, sources)): return (table, sources)
            }
        }
    }

    /// Field (lĩnh vực) and channel (kênh) codes that occur in the stored responses of a questionnaire.
    public func codesInUse(questionnaireID: String) throws -> (fields: Set<String>, channels: Set<String>) {
        try queue.read { db in
            // One scan for both.
            var fields = Set<String>(), channels = Set<String>()
            for row in try Row.fetchAll(db, sql: "SELECT DISTINCT field, channel FROM responses WHERE questionnaire_id = ?", arguments: [questionnaireID]) {
                if let f: String = row[0] { fields.insert(f) }
                if let c: String = row[1] { channels.insert(c) }
            }
            return (fields, channels)
        }
    }

    /// Number of current responses by source, under the same filter.
    public func counts(questionnaire q: Questionnaire, filter: ResponseFilter = ResponseFilter()) throws -> [ResponseSource: Int] {
        let (_, sources) = try responses(questionnaire: q, filter: filter)
        return sources.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    // MARK: Helpers

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.write(body)
        } catch let error as DatabaseError {
            throw StoreError("\(path): \(error.message ?? error.description)")
        }
    }

    /// A JSON object of strings with sorted keys (JSONSerialization is slow for a million small objects).
    static func json(_ object: [String: String]) -> String {
        var out = "{"
        for (i, key) in object.keys.sorted().enumerated() {
            if i > 0 { out += "," }
            out += quoted(key) + ":" + quoted(object[key]!)
        }
        return out + "}"
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func now() -> String {
        ISO8601DateFormatter().string(from: Date())
    }
}

/// Item order of the compact answer record for one questionnaire version.
struct AnswerLayout {
    var codedItems: [String] = []
    var multiItems: [String] = []
    var textItems: [String] = []

    init(questionnaire: Questionnaire) {
        for item in questionnaire.items {
            switch item.type {
            case .single, .scale, .yesNo: codedItems.append(item.id)
            case .multi: multiItems.append(item.id)
            case .text, .dossier: textItems.append(item.id)
            }
        }
    }

    /// "codes:a,b;picks:c;texts:d", stored to detect a questionnaire file that changed under the same version.
    var signature: String {
        "codes:\(codedItems.joined(separator: ","));picks:\(multiItems.joined(separator: ","));texts:\(textItems.joined(separator: ","))"
    }
}
