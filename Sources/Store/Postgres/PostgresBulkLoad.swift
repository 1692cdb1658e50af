import PostgresNIO

/// A large import into a store that holds fewer forms than the import brings (the first load of a
/// province's history, a new server): once the import has stored as many forms as the store held
/// before, the responses' secondary indexes are dropped, and they are built again, sorted, before
/// the commit. This is PostgreSQL's own advice for populating a database ("Populating a
/// Database": indexes built after the load are cheaper than kept row by row). At a million forms
/// PostgreSQL's work falls by about half (BENCHMARKS.md).
///
/// The promises stay: the rebuilt unique indexes check every form at once, and a form they
/// refuse sends the whole import back (``Conflict``) to the form-by-form path, which names every
/// refused form as SQLite does. The primary key and the batch index stay (they grow at their end,
/// and submissions look forms up by batch), and so do the kiosks' indexes (only rows with a kiosk
/// enter them, and an import brings none). Dropping an index locks `responses` until the commit:
/// kiosks syncing to the server wait (their ratings stay in their outboxes), so the switch is made
/// only when the lock comes within 2 s, and never for an import smaller than ``minimum``.
struct PostgresBulkLoad {
    /// The rebuilt unique indexes refused a form; nothing was stored.
    struct Conflict: Error {}

    let session: PostgresSession
    /// Forms in the store when the import began (the planner's estimate once the table was analysed).
    let stored: Int
    /// The fewest forms an import brings before its indexes are dropped.
    let minimum: Int
    private(set) var dropped: [String] = []
    private var decided = false

    /// The indexes the switch leaves in place.
    static let kept: Set<String> = ["responses_pkey", "responses_batch", "responses_idempotency", "responses_kiosk_day"]

    init(session: PostgresSession, minimum: Int) throws {
        self.session = session
        self.minimum = minimum
        // reltuples is -1 until the table is first vacuumed or analysed: then count (a new store is small).
        let estimate = try session.rows("SELECT reltuples::int8 FROM pg_class WHERE oid = 'responses'::regclass").first?.int(0) ?? -1
        stored = estimate >= 0 ? Int(estimate) : Int(try session.rows("SELECT count(*) FROM responses")[0].int(0) ?? 0)
    }

    /// Whether ``imported(_:)`` would drop the indexes now (no COPY may be under way then).
    func isDue(_ forms: Int) -> Bool {
        !decided && forms >= max(minimum, stored)
    }

    /// Called as the import goes, with the forms it has stored so far.
    mutating func imported(_ forms: Int) throws {
        guard isDue(forms) else { return }
        decided = true
        let indexes = try session.rows(
            """
            SELECT indexname, indexdef FROM pg_indexes
            WHERE schemaname = current_schema() AND tablename = 'responses' AND NOT (indexname = ANY($1::text[]))
            ORDER BY indexname
            """, [PostgresArray(text: Self.kept.sorted().map(Optional.some))])
        guard !indexes.isEmpty else { return }
        try session.execute("SAVEPOINT bulk_load")
        do {
            try session.execute("SET LOCAL lock_timeout = '2s'")
            for index in indexes { try session.execute("DROP INDEX \(Self.quoted(index.text(0) ?? ""))") }
            try session.execute("SET LOCAL lock_timeout TO DEFAULT")
            try session.execute("RELEASE SAVEPOINT bulk_load")
            dropped = indexes.compactMap { $0.text(1) }
        } catch let failure as PostgresFailure where failure.sqlState == "55P03" || failure.sqlState == "40P01" {
            // Readers hold the table (or wait on this import): go on form by form rather than make them wait.
            try session.execute("ROLLBACK TO SAVEPOINT bulk_load")
            try session.execute("RELEASE SAVEPOINT bulk_load")
        }
    }

    /// Keeps the indexes for the rest of the import (a file is being stored again form by form).
    mutating func decline() {
        decided = true
    }

    /// Builds the dropped indexes again (before the commit); throws ``Conflict`` when a unique one
    /// refuses a form.
    func finish() throws {
        guard !dropped.isEmpty else { return }
        try session.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for definition in dropped {
            do {
                try session.execute(definition)
            } catch let failure as PostgresFailure where failure.isUniqueViolation {
                throw Conflict()
            }
        }
    }

    static func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
