import Crypto
import Foundation
import GRDB
import GRDBSQLite
import SIPASModel

/// Where a response came from (nguồn).
public enum ResponseSource: String, Sendable, Codable, CaseIterable {
    case paper, kiosk, web, `import`
}

/// A commune, ward or district whose service is rated (đơn vị).
public struct UnitRecord: Sendable, Equatable, Codable {
    public var code: String
    public var name: String?
    /// xã, phường, thị trấn, huyện, …
    public var level: String?
    public var parent: String?
    public var province: String?

    public init(code: String, name: String? = nil, level: String? = nil, parent: String? = nil, province: String? = nil) {
        self.code = code
        self.name = name
        self.level = level
        self.parent = parent
        self.province = province
    }
}

/// An error of the store, phrased for the person at the keyboard.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A batch to import in one transaction: every row of one file (or one kiosk session).
public struct ImportBatch: Sendable {
    public var fileName: String
    public var sha256: String?
    public var source: ResponseSource
    public var table: ResponseTable
    /// Who ran the import (an operator account, never a respondent).
    public var importedBy: String?
    /// Questionnaire text as loaded, stored so the answers can always be decoded.
    public var questionnaireYAML: String
    /// Keyed hashes of dossier codes, one per row (nil where no dossier was given).
    public var dossierHashes: [String?]?
    /// Spreadsheet row of the first data row, for messages (2 after a CSV header, 3 in a template).
    public var firstDataRow = 2

    public init(fileName: String, sha256: String?, source: ResponseSource, table: ResponseTable, importedBy: String?, questionnaireYAML: String, dossierHashes: [String?]? = nil) {
        self.fileName = fileName
        self.sha256 = sha256
        self.source = source
        self.table = table
        self.importedBy = importedBy
        self.questionnaireYAML = questionnaireYAML
        self.dossierHashes = dossierHashes
    }
}

/// Filters for reading stored responses.
public struct ResponseFilter: Sendable {
    public var from: String?
    public var to: String?
    public var units: [String] = []
    public var sources: [ResponseSource] = []
    public init(from: String? = nil, to: String? = nil, units: [String] = [], sources: [ResponseSource] = []) {
        self.from = from
        self.to = to
        self.units = units
        self.sources = sources
    }
}

/// The embedded SQLite store (kho dữ liệu): WAL, synchronous=FULL, foreign keys, append-only responses.
///
/// Answers are kept with their response as a compact record in the questionnaire version's item
/// order: `codes` holds one byte per coded item (0 = blank), `picks` one little-endian UInt64
/// bit set per multi-choice item, `texts` a JSON object of free-text answers. The questionnaire's
/// YAML is stored beside them, so stored answers never depend on a file that may change.
public final class ResponseStore: Sendable {
    public let path: String
    let queue: DatabaseQueue

    public static let defaultPath = "sipas.sqlite"

    /// Opens (and migrates) the store at `path`; with `create: false` a missing file is an error.
    public init(path: String, create: Bool) throws {
        self.path = path
        if !create, !FileManager.default.fileExists(atPath: path) {
            throw StoreError("\(path): no sipas store here. Create one with: sipas init --unit CODE --name \"Xã …\" (or pass --store PATH / set SIPAS_STORE)")
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
        return m
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
    public func dossierKey() throws -> SymmetricKey {
        try write { db in
            if let hex = try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'dossier_key'"),
               let data = Data(hexString: hex) {
                return SymmetricKey(data: data)
            }
            let key = SymmetricKey(size: .bits256)
            let hex = key.withUnsafeBytes { Data($0).hexString }
            try db.execute(sql: "INSERT INTO settings (key, value) VALUES ('dossier_key', ?)", arguments: [hex])
            return key
        }
    }

    /// HMAC-SHA-256 of a dossier code (mã hồ sơ) under the store's key: stops double voting, reveals nothing.
    public func dossierHash(_ code: String) throws -> String {
        let key = try dossierKey()
        let normalized = code.trimmingCharacters(in: .whitespaces).uppercased()
        return Data(HMAC<SHA256>.authenticationCode(for: Data(normalized.utf8), using: key)).hexString
    }

    // MARK: Import

    public struct ImportResult: Sendable, Equatable {
        public var batchID: Int64
        public var rows: Int
        public var newUnits: [String]
    }

    /// Writes a batch in one transaction, or nothing: duplicate files, form ids and dossiers are refused.
    public func importBatch(_ batch: ImportBatch, progress: ((Int, Int) -> Void)? = nil) throws -> ImportResult {
        try importBatches([batch]) { _, done, total in progress?(done, total) }[0]
    }

    /// Several files in one transaction: all of them or none.
    public func importBatches(_ batches: [ImportBatch], progress: ((Int, Int, Int) -> Void)? = nil) throws -> [ImportResult] {
        try write { db in
            try batches.enumerated().map { index, batch in
                try Self.insert(batch, db: db, progress: progress.map { p in { p(index, $0, $1) } })
            }
        }
    }

    /// The questionnaire text stored with the responses: the given version, or the newest.
    public func questionnaireYAML(id: String, version: String? = nil) throws -> String? {
        try queue.read { db in
            if let version {
                return try String.fetchOne(db, sql: "SELECT yaml FROM questionnaires WHERE id = ? AND version = ?", arguments: [id, version])
            }
            return try String.fetchOne(db, sql: "SELECT yaml FROM questionnaires WHERE id = ? ORDER BY created_at DESC, version DESC LIMIT 1", arguments: [id])
        }
    }

    static func insert(_ batch: ImportBatch, db: Database, progress: ((Int, Int) -> Void)?) throws -> ImportResult {
        let table = batch.table
        let q = table.questionnaire
        let layout = AnswerLayout(questionnaire: q)
        if let sha = batch.sha256,
           let previous = try Row.fetchOne(db, sql: "SELECT file_name, imported_at FROM batches WHERE sha256 = ?", arguments: [sha]) {
            let name: String = previous["file_name"], at: String = previous["imported_at"]
            throw StoreError("\(batch.fileName): this file was already imported (same SHA-256 as \(name), imported \(at)); nothing was imported again")
        }
        try registerQuestionnaire(q, yaml: batch.questionnaireYAML, db: db)
        if let row = (0..<table.count).first(where: { table.unit[$0] == nil }) {
            throw StoreError("\(batch.fileName), row \(row + 2): every form needs a unit (đơn vị); add a 'unit' column or pass --unit CODE")
        }
        // Units seen for the first time are registered by code.
        let known = Set(try String.fetchAll(db, sql: "SELECT code FROM units"))
        let stamp = now()
        var newUnits: [String] = []
        for level in table.unit.levels where !known.contains(level) {
            newUnits.append(level)
            try db.execute(sql: "INSERT INTO units (code, created_at) VALUES (?, ?)", arguments: [level, stamp])
        }
        try db.execute(
            sql: "INSERT INTO batches (file_name, sha256, source, rows, imported_by, imported_at) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [batch.fileName, batch.sha256, batch.source.rawValue, table.count, batch.importedBy, stamp])
        let batchID = db.lastInsertedRowID
        let insert = try db.makeStatement(sql: """
            INSERT INTO responses (form_id, unit, questionnaire_id, questionnaire_version, collected_on, channel, field,
                source, batch_id, dossier_hash, codes, picks, texts, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        // Bound straight through the SQLite C API: a million rows of GRDB argument arrays cost more
        // than SQLite itself. Constant parameters are bound once; reset keeps bindings.
        let statement = insert.sqliteStatement
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        func bind(_ index: Int32, _ text: String?) {
            guard var text else {
                sqlite3_bind_null(statement, index)
                return
            }
            text.withUTF8 { sqlite3_bind_text(statement, index, UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), Int32($0.count), transient) }
        }
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
        bind(3, q.id)
        bind(4, q.version)
        bind(8, batch.source.rawValue)
        sqlite3_bind_int64(statement, 9, batchID)
        bind(14, stamp)
        let codeColumns = layout.codedItems.map { table.codes[$0] }
        let pickColumns = layout.multiItems.map { table.picks[$0] }
        let textColumns = layout.textItems.map { (id: $0, column: table.texts[$0]) }
        var codeBuffer = [UInt8](repeating: 0, count: max(1, layout.codedItems.count))
        let codeCount = Int32(layout.codedItems.count)
        for row in 0..<table.count {
            for (k, column) in codeColumns.enumerated() { codeBuffer[k] = column?[row] ?? 0 }
            bind(1, table.formID[row])
            bind(2, table.unit[row])
            bind(5, table.collectedOn[row])
            bind(6, table.channel[row])
            bind(7, table.field[row])
            bind(10, batch.dossierHashes?[row])
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
            bind(13, texts.isEmpty ? nil : Self.json(texts))
            let rc = sqlite3_step(statement)
            sqlite3_reset(statement)
            if rc != SQLITE_DONE {
                let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(statement)))
                let line = row + batch.firstDataRow
                if rc & 0xFF == SQLITE_CONSTRAINT, message.contains("dossier_hash") {
                    throw StoreError("\(batch.fileName), row \(line): this dossier (mã hồ sơ) has already been rated; nothing was imported")
                }
                if rc & 0xFF == SQLITE_CONSTRAINT, message.contains("UNIQUE") {
                    throw StoreError("\(batch.fileName), row \(line): form id '\(table.formID[row])' already exists for unit \(table.unit[row] ?? "?") in \(table.collectedOn[row].map { String($0.prefix(4)) } ?? "the same period"); nothing was imported (a stored form is never overwritten or counted twice)")
                }
                throw StoreError("\(batch.fileName), row \(line): cannot store the form: \(message)")
            }
            if let progress, row % 10_000 == 9_999 { progress(row + 1, table.count) }
        }
        progress?(table.count, table.count)
        return ImportResult(batchID: batchID, rows: table.count, newUnits: newUnits)
    }

    /// Stores a questionnaire version with its YAML once; the same version with other content is refused.
    static func registerQuestionnaire(_ q: Questionnaire, yaml: String, db: Database) throws {
        let hash = Data(SHA256.hash(data: Data(yaml.utf8))).hexString
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
            var batch = ImportBatch(
                fileName: "correction of response \(responseID)", sha256: nil, source: ResponseSource(rawValue: old["source"]) ?? .paper,
                table: table.select([row]), importedBy: by, questionnaireYAML: questionnaireYAML)
            batch.firstDataRow = 1
            // Release the form id (a self-reference until the new version exists), then link both ways.
            try db.execute(sql: "UPDATE responses SET superseded_by = id WHERE id = ?", arguments: [responseID])
            _ = try Self.insert(batch, db: db, progress: nil)
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
    public func questionnaires() throws -> [(id: String, version: String, responses: Int)] {
        try queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT q.id, q.version, (SELECT count(*) FROM responses r WHERE r.questionnaire_id = q.id AND r.questionnaire_version = q.version AND r.superseded_by IS NULL) AS n
                FROM questionnaires q ORDER BY q.id, q.version
                """).map { ($0["id"], $0["version"], $0["n"]) }
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
            var sql = "SELECT form_id, unit, collected_on, channel, field, source, codes, picks, texts, id FROM responses WHERE questionnaire_id = ? AND questionnaire_version = ? AND superseded_by IS NULL"
            var args: [(any DatabaseValueConvertible)?] = [q.id, q.version]
            if let from = filter.from { sql += " AND collected_on >= ?"; args.append(from) }
            if let to = filter.to { sql += " AND collected_on <= ?"; args.append(to) }
            if !filter.units.isEmpty { sql += " AND unit IN (\(filter.units.map { _ in "?" }.joined(separator: ",")))"; args += filter.units.map { $0 } }
            if !filter.sources.isEmpty { sql += " AND source IN (\(filter.sources.map { _ in "?" }.joined(separator: ",")))"; args += filter.sources.map { $0.rawValue } }
            sql += " ORDER BY id"
            var formIDs: [String] = [], units: [String?] = [], dates: [String?] = [], channels: [String?] = [], fields: [String?] = []
            var sources: [ResponseSource] = []
            var codeColumns = [[UInt8]](repeating: [], count: layout.codedItems.count)
            var pickColumns = [[UInt64]](repeating: [], count: layout.multiItems.count)
            var textColumns = [[String?]](repeating: [], count: layout.textItems.count)
            // Follow-up answers added to kiosk ratings after they were committed.
            var additions: [Int64: [(item: String, code: UInt8)]] = [:]
            let codedIndex = Dictionary(uniqueKeysWithValues: layout.codedItems.enumerated().map { ($1, $0) })
            for row in try Row.fetchAll(db, sql: """
                SELECT a.response_id, a.item, a.code FROM response_additions a JOIN responses r ON r.id = a.response_id
                WHERE r.questionnaire_id = ? AND r.questionnaire_version = ? AND r.superseded_by IS NULL
                """, arguments: [q.id, q.version]) {
                let code: Int = row[2]
                additions[row[0], default: []].append((row[1], UInt8(clamping: code)))
            }
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(args))
            while let row = try cursor.next() {
                formIDs.append(row[0])
                units.append(row[1])
                dates.append(row[2])
                channels.append(row[3])
                fields.append(row[4])
                sources.append(ResponseSource(rawValue: row[5]) ?? .import)
                let codes: Data = row[6]
                codes.withUnsafeBytes { raw in
                    for k in codeColumns.indices { codeColumns[k].append(k < raw.count ? raw[k] : 0) }
                }
                if !additions.isEmpty, let added = additions[row[9]] {
                    let last = codeColumns.isEmpty ? 0 : codeColumns[0].count - 1
                    for a in added { if let k = codedIndex[a.item] { codeColumns[k][last] = a.code } }
                }
                let picks: Data? = row[7]
                for k in pickColumns.indices {
                    var v: UInt64 = 0
                    if let picks, picks.count >= 8 * (k + 1) {
                        v = picks.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self)) }
                    }
                    pickColumns[k].append(v)
                }
                let textJSON: String? = row[8]
                var texts: [String: String] = [:]
                if let textJSON, let object = try? JSONSerialization.jsonObject(with: Data(textJSON.utf8)) as? [String: String] { texts = object }
                for (k, id) in layout.textItems.enumerated() { textColumns[k].append(texts[id]) }
            }
            var table = ResponseTable(questionnaire: q)
            table.append(
                rows: formIDs.count, formID: formIDs, unit: units, collectedOn: dates, channel: channels, field: fields,
                codes: Dictionary(uniqueKeysWithValues: zip(layout.codedItems, codeColumns)),
                picks: Dictionary(uniqueKeysWithValues: zip(layout.multiItems, pickColumns)),
                texts: Dictionary(uniqueKeysWithValues: zip(layout.textItems, textColumns)))
            return (table, sources)
        }
    }

    /// Field (lĩnh vực) and channel (kênh) codes that occur in the stored responses of a questionnaire.
    public func codesInUse(questionnaireID: String) throws -> (fields: Set<String>, channels: Set<String>) {
        try queue.read { db in
            let fields = try String.fetchAll(db, sql: "SELECT DISTINCT field FROM responses WHERE questionnaire_id = ? AND field IS NOT NULL", arguments: [questionnaireID])
            let channels = try String.fetchAll(db, sql: "SELECT DISTINCT channel FROM responses WHERE questionnaire_id = ? AND channel IS NOT NULL", arguments: [questionnaireID])
            return (Set(fields), Set(channels))
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

extension Data {
    var hexString: String { map { String(format: "%02x", $0) }.joined() }

    init?(hexString: String) {
        var bytes: [UInt8] = []
        var chars = hexString.makeIterator()
        while let a = chars.next() {
            guard let b = chars.next(), let v = UInt8(String([a, b]), radix: 16) else { return nil }
            bytes.append(v)
        }
        self.init(bytes)
    }
}
