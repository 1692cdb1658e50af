import Foundation
import PostgresNIO
import SIPASModel
import SIPASStoring

/// Imports, corrections and submissions into PostgreSQL: the same steps, checks and messages as
/// the SQLite store's (Store.swift, Submissions.swift), in one server transaction.
extension PostgresStore {
    public func importStreamed(_ batches: [StreamedBatch], dryRun: Bool, progress: ((Int, Int) -> Void)?) throws -> [ImportResult] {
        do {
            do {
                return try importOnce(batches, dryRun: dryRun, bulkLoad: true, progress: progress)
            } catch is PostgresBulkLoad.Conflict {
                // A form the rebuilt unique indexes refuse: the import is rolled back and done
                // again form by form, which names every refused form as SQLite does.
                return try importOnce(batches, dryRun: dryRun, bulkLoad: false, progress: progress)
            }
        } catch let failure as PostgresFailure {
            throw StoreError("\(address): \(failure.message)")
        }
    }

    private func importOnce(_ batches: [StreamedBatch], dryRun: Bool, bulkLoad: Bool, progress: ((Int, Int) -> Void)?) throws -> [ImportResult] {
        return try session.transaction(rollback: dryRun) {
            // One import at a time (SQLite's write lock does the same): the checks of one see
            // the forms of the other.
            try session.execute("SELECT pg_advisory_xact_lock($1)", [Self.importLock])
            var bulk = bulkLoad ? try PostgresBulkLoad(session: session, minimum: bulkLoadMinimum) : nil
            var imported = 0
            var results: [ImportResult] = []
            var failures: [String] = []
            var remedy: Remedy?
            for (index, batch) in batches.enumerated() {
                if !failures.isEmpty {
                    // Nothing will be written now: the files after a failed one are only read,
                    // so that all their problems are listed too.
                    do { try batch.pieces { _ in } } catch { failures.append("\(error)") }
                    continue
                }
                var writer: PostgresBatchWriter
                var replaced: StoredSubmission?
                var submittedUnit: String?
                do {
                    if let submission = batch.submission { submittedUnit = try fileUnit(of: submission) }
                    writer = try PostgresBatchWriter(store: self, batch: batch)
                    if let submission = batch.submission { replaced = try admit(submission, fileName: batch.fileName) }
                } catch let error as StoreError {
                    failures.append(error.description)
                    remedy = remedy ?? error.remedy
                    do { try batch.pieces { _ in } } catch { failures.append("\(error)") }
                    continue
                }
                var unitProblem: String?
                let bulkBefore = bulk, importedBefore = imported
                func store(_ piece: ImportPiece) throws {
                    guard unitProblem == nil else { return }
                    if let row = (0..<piece.table.count).first(where: { piece.table.unit[$0] == nil }) {
                        unitProblem = "\(batch.fileName), row \(writer.line(of: row, in: piece)): every form needs a unit (đơn vị); add a 'unit' column"
                        return
                    }
                    try writer.insert(piece)
                    imported += piece.table.count
                    if bulk?.isDue(imported) == true {
                        try writer.endCopy()
                        try bulk?.imported(imported)
                    }
                    progress?(index, writer.rows)
                }
                try session.execute("SAVEPOINT file")
                do {
                    do {
                        try batch.pieces(store)
                        if unitProblem == nil { try writer.endCopy() }
                    } catch is PostgresBatchWriter.CopyRefused {
                        // The server refused a row: the file again from its start, form by form,
                        // which names every refused form (and stores the others, to check the rest).
                        try session.execute("ROLLBACK TO SAVEPOINT file")
                        writer.restartFormByForm()
                        (bulk, imported, unitProblem) = (bulkBefore, importedBefore, nil)
                        bulk?.decline()  // this file has a refusal: no point in dropping the indexes now
                        try batch.pieces(store)
                    }
                } catch let error as PostgresFailure {
                    throw error
                } catch let error as StoreError {
                    writer.abandonCopy()
                    failures.append(error.description)
                    continue
                } catch {
                    writer.abandonCopy()
                    if unitProblem != nil { remedy = .unitCode }
                    failures.append(StreamedImportError(file: error, store: unitProblem ?? writer.refusal).description)
                    continue
                }
                if unitProblem != nil { remedy = .unitCode }
                if let problem = unitProblem ?? writer.refusal {
                    writer.abandonCopy()
                    failures.append(problem)
                    continue
                }
                try session.execute("RELEASE SAVEPOINT file")
                var result = try writer.finish()
                for image in batch.pageImages {
                    try session.execute(
                        "INSERT INTO page_images (batch_id, form_id, page, jpeg) VALUES ($1, $2, $3, $4)",
                        [result.batchID, image.formID, Int64(image.page), PostgresBytes(image.jpeg)])
                }
                if let submission = batch.submission {
                    do {
                        try record(submission, batchID: result.batchID, forms: result.rows, replacing: replaced, fileName: batch.fileName)
                    } catch let error as StoreError {
                        failures.append(error.description)
                        continue
                    }
                    result.replaced = replaced
                    if let submittedUnit { result.newUnits.insert(submittedUnit, at: 0) }
                }
                results.append(result)
            }
            if !failures.isEmpty {
                // Without the unique indexes a refused form went unnoticed: do it again form by
                // form, so that every problem is listed as SQLite lists them.
                if bulk?.dropped.isEmpty == false { throw PostgresBulkLoad.Conflict() }
                throw StreamedImportError(file: nil, store: failures.joined(separator: "\n"), remedy: remedy)
            }
            try bulk?.finish()
            return results
        }
    }

    public func correct(responseID: Int64, with table: ResponseTable, row: Int, questionnaireYAML: String, by: String?) throws -> Int64 {
        try write {
            guard let old = try session.rows("SELECT source, superseded_by FROM responses WHERE id = $1", [responseID]).first else {
                throw StoreError("no response \(responseID) in the store")
            }
            if let newer = old.int(1) {
                throw StoreError("response \(responseID) was already corrected by response \(newer); correct that one")
            }
            // Release the form id (a self-reference until the new version exists), then link both ways.
            try session.execute("UPDATE responses SET superseded_by = id WHERE id = $1", [responseID])
            let corrected = table.select([row])
            guard corrected.unit[0] != nil else { throw StoreError("the corrected form needs a unit (đơn vị)") }
            let batch = StreamedBatch(
                fileName: "correction of response \(responseID)", sha256: nil, source: old.text(0).flatMap(ResponseSource.init(rawValue:)) ?? .paper,
                questionnaire: table.questionnaire, questionnaireYAML: questionnaireYAML, importedBy: by, firstDataRow: 1) { _ in }
            var writer = try PostgresBatchWriter(store: self, batch: batch)
            writer.formByForm = true  // one form: its refusal named at once
            try writer.insert(ImportPiece(corrected))
            if let problem = writer.refusal { throw StoreError(problem) }
            _ = try writer.finish()
            guard let newID = try session.rows("SELECT max(id) FROM responses WHERE batch_id = $1", [writer.batchID]).first?.int(0) else {
                throw StoreError("the corrected form was not stored")
            }
            try session.execute("UPDATE responses SET supersedes = $1 WHERE id = $2", [responseID, newID])
            try session.execute("UPDATE responses SET superseded_by = $1 WHERE id = $2", [newID, responseID])
            return newID
        }
    }

    // MARK: Submissions (commune report workbooks imported by a province)

    /// Records the submission's unit with its name and level under its parent. Returns the unit's
    /// code when the store did not know it.
    func fileUnit(of submission: Submission) throws -> String? {
        let m = submission.manifest
        let now = ResponseStore.now()
        if let parent = m.parentUnit {
            try session.execute("INSERT INTO units (code, created_at) VALUES ($1, $2) ON CONFLICT (code) DO NOTHING", [parent, now])
        }
        let known = try !session.rows("SELECT 1 FROM units WHERE code = $1", [m.unitCode]).isEmpty
        try session.execute(
            """
            INSERT INTO units (code, name, level, parent, province, created_at) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (code) DO UPDATE SET name = coalesce(excluded.name, units.name), level = coalesce(excluded.level, units.level),
            parent = coalesce(excluded.parent, units.parent), province = coalesce(excluded.province, units.province)
            """, [m.unitCode, m.unitName, m.unitLevel, m.parentUnit, m.province, now])
        return known ? nil : m.unitCode
    }

    /// The checks before a submission's forms are stored (see ``ResponseStore``'s): one
    /// questionnaire version per store, no second submission of a unit and period unless it
    /// replaces the first, no overlapping period.
    func admit(_ submission: Submission, fileName: String) throws -> StoredSubmission? {
        let m = submission.manifest
        if let other = try session.rows(
            """
            SELECT q.version, q.content_hash FROM questionnaires q
            WHERE q.id = $1 AND q.version <> $2 AND EXISTS (
                SELECT 1 FROM responses r WHERE r.questionnaire_id = q.id AND r.questionnaire_version = q.version AND r.superseded_by IS NULL)
            ORDER BY q.created_at LIMIT 1
            """, [m.questionnaireID, m.version]).first {
            throw ResponseStore.otherVersion(m, fileName: fileName, version: other.text(0) ?? "", hash: other.text(1) ?? "")
        }
        let overlapping = try session.rows(
            Self.submissionQuery + """
                 WHERE s.unit = $1 AND s.questionnaire_id = $2 AND s.superseded_by IS NULL AND s.period_from <= $3 AND s.period_to >= $4
                 ORDER BY s.id
                """, [m.unitCode, m.questionnaireID, m.to, m.from]
        ).map(Self.submission)
        guard let earlier = try ResponseStore.admission(of: submission, fileName: fileName, overlapping: overlapping) else { return nil }
        // Withdraw the earlier forms and the corrections made to them since: each current version
        // is marked as superseded by itself (no successor form); every version stays.
        try session.execute(
            """
            WITH RECURSIVE chain(id) AS (
                SELECT id FROM responses WHERE batch_id = (SELECT batch_id FROM submissions WHERE id = $1)
                UNION SELECT r.id FROM responses r JOIN chain c ON r.supersedes = c.id)
            UPDATE responses SET superseded_by = id WHERE superseded_by IS NULL AND id IN (SELECT id FROM chain)
            """, [earlier.id])
        return earlier
    }

    /// Stores the submission once its forms are in, and links the one it replaces to it.
    func record(_ submission: Submission, batchID: Int64, forms: Int, replacing earlier: StoredSubmission?, fileName: String) throws {
        let m = submission.manifest
        guard forms == m.forms else {
            throw StoreError("\(fileName): its manifest says \(m.forms) forms but its \(SubmissionManifest.dataSheet) sheet holds \(forms); nothing was imported")
        }
        if let earlier { try session.execute("UPDATE submissions SET superseded_by = id WHERE id = $1", [earlier.id]) }
        let id = try session.rows(
            """
            INSERT INTO submissions (unit, questionnaire_id, questionnaire_version, period, period_label, period_from, period_to,
                forms, data_sha256, software, batch_id, submitted_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id
            """,
            [m.unitCode, m.questionnaireID, m.version, m.period, m.periodLabel, m.from, m.to, Int64(forms), m.dataSHA256, m.software, batchID,
             ResponseStore.now()])[0].int(0)
        if let earlier, let id { try session.execute("UPDATE submissions SET superseded_by = $1 WHERE id = $2", [id, earlier.id]) }
    }
}

/// Inserts the forms of one file into the open import transaction: each piece (up to 10,000
/// forms a statement) as arrays unnested into rows by the server, one round trip for many forms.
/// A piece the unique indexes refuse is rolled back to its savepoint and checked form by form in
/// one query, so that every refused form is named, as SQLite names them, and the rest are stored.
struct PostgresBatchWriter {
    let store: PostgresStore
    var session: PostgresSession { store.session }
    let fileName: String
    let firstDataRow: Int
    let batchID: Int64
    let layout: AnswerLayout
    let questionnaire: Questionnaire
    let source: ResponseSource
    let stamp: String
    var known: Set<String>
    private let knownBefore: Set<String>
    var newUnits: [String] = []
    private(set) var rows = 0
    private(set) var refusals: [String] = []
    private(set) var refusedCount = 0
    /// The COPY under way, while no form was refused (``insert(_:)``).
    private var copy: PostgresCopyIn?
    /// Set when a COPY was refused (the file goes again form by form, which names the refused
    /// forms), or from the start for a single form.
    var formByForm = false

    static let chunk = 10_000

    /// The server refused a row of a COPY (a form id or dossier stored before, or anything else the
    /// store checks): the caller rolls the file back and calls ``restartFormByForm()``.
    struct CopyRefused: Error {}

    init(store: PostgresStore, batch: StreamedBatch) throws {
        self.store = store
        fileName = batch.fileName
        firstDataRow = batch.firstDataRow
        questionnaire = batch.questionnaire
        source = batch.source
        layout = AnswerLayout(questionnaire: batch.questionnaire)
        let session = store.session
        if let sha = batch.sha256, let previous = try session.rows("SELECT file_name, imported_at FROM batches WHERE sha256 = $1", [sha]).first {
            throw StoreError("\(batch.fileName): this file was already imported (same SHA-256 as \(previous.text(0) ?? "?"), imported \(previous.text(1) ?? "?")); nothing was imported again")
        }
        try store.insertQuestionnaire(batch.questionnaire, yaml: batch.questionnaireYAML)
        known = Set(try session.rows("SELECT code FROM units").compactMap { $0.text(0) })
        knownBefore = known
        stamp = ResponseStore.now()
        batchID = try session.rows(
            "INSERT INTO batches (file_name, sha256, source, rows, imported_by, imported_at) VALUES ($1, $2, $3, 0, $4, $5) RETURNING id",
            [batch.fileName, batch.sha256, batch.source.rawValue, batch.importedBy, stamp])[0].int(0) ?? 0
    }

    func line(of row: Int, in piece: ImportPiece) -> Int {
        piece.rows.map { $0[row] } ?? rows + row + firstDataRow
    }

    var refusal: String? {
        guard refusedCount > 0 else { return nil }
        let more = refusedCount > refusals.count ? ["… and \(refusedCount - refusals.count) more forms refused"] : []
        return (refusals + more).joined(separator: "\n")
    }

    mutating func refuse(_ message: String) {
        refusedCount += 1
        if refusals.count < 20 { refusals.append(message) }
    }

    /// The columns a stored form fills, in the order both paths send them (COPY's rows, the insert's select).
    static let columns = [
        "form_id", "unit", "questionnaire_id", "questionnaire_version", "collected_on", "channel", "field", "source", "batch_id",
        "dossier_hash", "codes", "picks", "texts", "created_at",
    ]

    static let insertSQL = """
        INSERT INTO responses (\(columns.joined(separator: ", ")))
        SELECT t.form_id, t.unit, $10, $11, t.collected_on, t.channel, t.field, $12, $13, t.dossier_hash, t.codes, t.picks, t.texts, $14
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[], $8::bytea[], $9::text[]) WITH ORDINALITY
            AS t(form_id, unit, collected_on, channel, field, dossier_hash, codes, picks, texts, ord)
        WHERE NOT (t.ord = ANY($15::int8[]))
        ORDER BY t.ord
        """

    /// Which forms of a piece the unique indexes refuse, and why: a form id stored before (or
    /// earlier in the piece) for its unit, questionnaire and year; a dossier rated before.
    static let checkSQL = """
        WITH s AS (
            SELECT t.*, coalesce(substr(t.collected_on, 1, 4), '') AS y
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS t(form_id, unit, collected_on, dossier_hash, ord)),
        f AS (
            SELECT s.ord, s.form_id, s.unit, s.collected_on, s.dossier_hash,
                row_number() OVER (PARTITION BY s.unit, s.form_id, s.y ORDER BY s.ord) AS n,
                (SELECT r.id FROM responses r WHERE r.unit = s.unit AND r.form_id = s.form_id AND r.questionnaire_id = $5
                    AND coalesce(substr(r.collected_on, 1, 4), '') = s.y AND r.superseded_by IS NULL LIMIT 1) AS earlier,
                CASE WHEN s.dossier_hash IS NULL THEN 1 ELSE row_number() OVER (PARTITION BY s.dossier_hash ORDER BY s.ord) END AS dn,
                s.dossier_hash IS NOT NULL AND EXISTS (
                    SELECT 1 FROM responses r WHERE r.dossier_hash = s.dossier_hash AND r.superseded_by IS NULL) AS rated
            FROM s)
        SELECT f.ord, f.form_id, f.unit, f.collected_on, f.earlier IS NOT NULL OR f.n > 1, f.earlier IS NOT NULL, r.batch_id, b.file_name
        FROM f LEFT JOIN responses r ON r.id = f.earlier LEFT JOIN batches b ON b.id = r.batch_id
        WHERE f.earlier IS NOT NULL OR f.n > 1 OR f.rated OR f.dn > 1
        ORDER BY f.ord
        """

    /// Stores a piece of the file: by COPY, sent while the next piece is read, as long as no
    /// form is refused; form by form (in pieces of ``chunk``) after a refusal.
    mutating func insert(_ piece: ImportPiece) throws {
        let table = piece.table
        let fresh = table.unit.levels.filter { !known.contains($0) }
        if !fresh.isEmpty {
            // A unit is stored before the rows that name it are checked (at the COPY's end).
            try endCopy()
            for level in fresh {
                known.insert(level)
                newUnits.append(level)
                try session.execute("INSERT INTO units (code, created_at) VALUES ($1, $2)", [level, stamp])
            }
        }
        guard formByForm else {
            try copy(piece)
            rows += table.count
            return
        }
        var start = 0
        while start < table.count {
            let range = start..<min(table.count, start + Self.chunk)
            try insert(range, of: piece)
            rows += range.count
            start = range.upperBound
        }
    }

    /// The line of the piece's form `row` (rows of earlier pieces already counted in ``rows``).
    private func line(_ row: Int, chunkStart: Int, in piece: ImportPiece) -> Int {
        piece.rows.map { $0[row] } ?? rows - chunkStart + row + firstDataRow
    }

    private mutating func insert(_ range: Range<Int>, of piece: ImportPiece) throws {
        let table = piece.table, hashes = piece.dossierHashes
        let answers = PieceAnswers(layout: layout, table: table)
        let formIDs = PostgresArray(text: range.lazy.map { Optional(table.formID[$0]) })
        let units = PostgresArray(text: range.lazy.map { table.unit[$0] })
        let dates = PostgresArray(text: range.lazy.map { table.collectedOn[$0] })
        let dossiers = PostgresArray(text: range.lazy.map { hashes?[$0] })
        let values: [(any PostgresThrowingDynamicTypeEncodable)?] = [
            formIDs, units, dates,
            PostgresArray(text: range.lazy.map { table.channel[$0] }),
            PostgresArray(text: range.lazy.map { table.field[$0] }),
            dossiers,
            PostgresArray(bytes: range.lazy.map { Optional(answers.codes($0)) }),
            PostgresArray(bytes: range.lazy.map(answers.picks)),
            PostgresArray(text: range.lazy.map(answers.texts)),
            questionnaire.id, questionnaire.version, source.rawValue, batchID, stamp,
        ]
        try session.execute("SAVEPOINT piece")
        do {
            try session.execute(Self.insertSQL, values + [PostgresArray(int64: [])])
            try session.execute("RELEASE SAVEPOINT piece")
            return
        } catch let failure as PostgresFailure where failure.isUniqueViolation {
            try session.execute("ROLLBACK TO SAVEPOINT piece")
        } catch let failure as PostgresFailure {
            try? session.execute("ROLLBACK TO SAVEPOINT piece")
            throw StoreError("\(fileName), rows \(line(range.lowerBound, chunkStart: range.lowerBound, in: piece))–\(line(range.upperBound - 1, chunkStart: range.lowerBound, in: piece)): cannot store the forms: \(failure.message)")
        }
        // Name every refused form, then store the others (later forms are checked against them).
        var refused: [Int64] = []
        for row in try session.rows(Self.checkSQL, [formIDs, units, dates, dossiers, questionnaire.id]) {
            guard let ord = row.int(0) else { continue }
            refused.append(ord)
            let index = range.lowerBound + Int(ord) - 1
            let at = "\(fileName), row \(line(index, chunkStart: range.lowerBound, in: piece))"
            if row.bool(4) == true {
                let form = row.text(1) ?? "", unit = row.text(2) ?? "?"
                let year = row.text(3).map { String($0.prefix(4)) }
                // Where the form stored first came from: this file, another file, or a kiosk.
                let place: String
                if row.bool(5) != true || row.int(6) == batchID {
                    place = "earlier in this file"
                } else if let earlierFile = row.text(7) {
                    place = "from \(earlierFile)"
                } else {
                    place = "stored before"
                }
                refuse("\(at): form id '\(form)' already exists for unit \(unit) in \(year ?? "the same period") (\(place)); nothing was imported (a stored form is never overwritten or counted twice)")
            } else {
                refuse("\(at): this dossier (mã hồ sơ) has already been rated; nothing was imported")
            }
        }
        try session.execute(Self.insertSQL, values + [PostgresArray(int64: refused)])
    }

    /// The piece's rows in COPY's text format, prepared while the piece before is being stored,
    /// then sent as a COPY of their own once that one has ended.
    private mutating func copy(_ piece: ImportPiece) throws {
        let table = piece.table, hashes = piece.dossierHashes
        let answers = PieceAnswers(layout: layout, table: table)
        // The columns every row of the file shares: questionnaire, version, then source and batch.
        var middle = CopyText(capacity: 256), tail = CopyText(capacity: 256)
        middle.field(questionnaire.id)
        middle.field(questionnaire.version)
        tail.field(source.rawValue)
        tail.field(String(batchID))
        var out = CopyText(capacity: 256 * table.count)
        for row in 0..<table.count {
            out.field(table.formID[row])
            out.field(table.unit[row])
            out.append(middle)
            out.field(table.collectedOn[row])
            out.field(table.channel[row])
            out.field(table.field[row])
            out.append(tail)
            out.field(hashes?[row])
            out.bytes(answers.codes(row))
            out.bytes(answers.picks(row))
            out.field(answers.texts(row))
            out.field(stamp, last: true)
        }
        try endCopy()
        copy = session.copyIn(table: "responses", columns: Self.columns, rows: out.buffer)
    }

    /// Waits for the COPY under way, if any, to end: the server checks its rows. A refused row
    /// (a data or integrity error: SQLSTATE classes 22 and 23) is ``CopyRefused``; anything else
    /// (a full disk, a lost connection) fails the import with the server's message.
    mutating func endCopy() throws {
        guard let open = copy else { return }
        copy = nil
        do {
            try open.wait()
        } catch let failure as PostgresFailure where failure.isDataOrConstraint {
            throw CopyRefused()
        }
    }

    /// Lets the COPY under way, if any, end whatever its outcome (the file failed; the caller
    /// rolls it back).
    mutating func abandonCopy() {
        try? copy?.wait()
        copy = nil
    }

    /// After ``CopyRefused`` and a rollback of the file: stores it again from its first piece,
    /// form by form.
    mutating func restartFormByForm() {
        copy = nil
        formByForm = true
        known = knownBefore
        newUnits = []
        rows = 0
    }

    func finish() throws -> ImportResult {
        try session.execute("UPDATE batches SET rows = $1 WHERE id = $2", [Int64(rows), batchID])
        return ImportResult(batchID: batchID, rows: rows, newUnits: newUnits)
    }
}

/// A piece's answers as the store keeps them: one byte a coded item (0 = no answer), eight bytes
/// (little-endian) a multiple-choice item when any is picked, free texts as one JSON object.
struct PieceAnswers {
    let codeColumns: [[UInt8]?]
    let pickColumns: [[UInt64]?]
    let textColumns: [(id: String, column: [String?]?)]

    init(layout: AnswerLayout, table: ResponseTable) {
        codeColumns = layout.codedItems.map { table.codes[$0] }
        pickColumns = layout.multiItems.map { table.picks[$0] }
        textColumns = layout.textItems.map { (id: $0, column: table.texts[$0]) }
    }

    func codes(_ row: Int) -> [UInt8] {
        var codes = [UInt8](repeating: 0, count: max(1, codeColumns.count))
        for (k, column) in codeColumns.enumerated() { codes[k] = column?[row] ?? 0 }
        return codes
    }

    func picks(_ row: Int) -> [UInt8]? {
        guard pickColumns.contains(where: { ($0?[row] ?? 0) != 0 }) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 * pickColumns.count)
        for column in pickColumns { withUnsafeBytes(of: (column?[row] ?? 0).littleEndian) { bytes.append(contentsOf: $0) } }
        return bytes
    }

    func texts(_ row: Int) -> String? {
        var texts: [String: String] = [:]
        for entry in textColumns { if let t = entry.column?[row] { texts[entry.id] = t } }
        return texts.isEmpty ? nil : ResponseStore.json(texts)
    }
}

/// Rows in the text format of PostgreSQL's COPY: fields split by tabs, rows ended by a line
/// feed, NULL as `\N`, a backslash, tab, line feed or carriage return in a value escaped with a
/// backslash, bytes as `\\x` and hexadecimal digits (bytea's `\x`, its backslash escaped).
struct CopyText {
    var buffer: ByteBuffer

    init(capacity: Int) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    mutating func field(_ value: String?, last: Bool = false) {
        if var value {
            value.withUTF8 { utf8 in
                var start = 0
                for (i, byte) in utf8.enumerated() {
                    let escape: UInt8
                    switch byte {
                    case UInt8(ascii: "\\"): escape = UInt8(ascii: "\\")
                    case UInt8(ascii: "\t"): escape = UInt8(ascii: "t")
                    case UInt8(ascii: "\n"): escape = UInt8(ascii: "n")
                    case UInt8(ascii: "\r"): escape = UInt8(ascii: "r")
                    default: continue
                    }
                    buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[start..<i]))
                    buffer.writeInteger(UInt8(ascii: "\\"))
                    buffer.writeInteger(escape)
                    start = i + 1
                }
                buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[start...]))
            }
        } else {
            buffer.writeStaticString("\\N")
        }
        buffer.writeInteger(last ? UInt8(ascii: "\n") : UInt8(ascii: "\t"))
    }

    mutating func bytes(_ value: [UInt8]?) {
        guard let value else {
            buffer.writeStaticString("\\N\t")
            return
        }
        buffer.writeStaticString("\\\\x")
        let digits: StaticString = "0123456789abcdef"
        for byte in value {
            buffer.writeInteger(digits.utf8Start[Int(byte >> 4)])
            buffer.writeInteger(digits.utf8Start[Int(byte & 0x0F)])
        }
        buffer.writeInteger(UInt8(ascii: "\t"))
    }

    /// Fields prepared once (each already ended by a tab).
    mutating func append(_ other: CopyText) {
        buffer.writeImmutableBuffer(other.buffer)
    }
}
