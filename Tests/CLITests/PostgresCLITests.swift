import Foundation
import TestSupport
import Testing

/// The same commands on the same data give the same bytes from either store: `--store` names an
/// SQLite file or a PostgreSQL server, and nothing else changes.
@Test func analyzeJSONIsByteIdenticalFromSQLiteAndPostgreSQL() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sipas-pg-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let csv = folder.appendingPathComponent("mau.csv").path
    let sqlite = folder.appendingPathComponent("s.sqlite").path
    let postgres = try PostgresTestServer.freshDatabase()
    #expect(try sipas("generate", "--questionnaire", "sipas-2023", "--count", "3000", "--units", "4", "--seed", "31", "--out", csv).status == 0)
    for store in [sqlite, postgres] {
        let initRun = try sipas("init", "--store", store, "--unit", "XA01", "--name", "Xã Định Hóa", "--level", "xã")
        #expect(initRun.status == 0, "\(initRun.stderr)")
        let imported = try sipas("import", "--store", store, "--questionnaire", "sipas-2023", csv)
        #expect(imported.status == 0, "\(imported.stderr)")
    }
    var outputs: [String] = []
    for store in [sqlite, postgres] {
        for filter in [[], ["--unit", "XA02", "--from", "2026-03-01", "--to", "2026-09-30"]] {
            let run = try sipas(arguments: ["analyze", "--store", store, "--questionnaire", "sipas-2023", "--json"] + filter)
            #expect(run.status == 0, "\(run.stderr)")
            outputs.append(run.stdout)
        }
    }
    #expect(outputs[0].count > 10_000 && outputs[1].count > 1_000 && outputs[0] != outputs[1])
    #expect(outputs[0] == outputs[2], "analyze --json differs between SQLite and PostgreSQL")
    #expect(outputs[1] == outputs[3], "analyze --json of one unit and period differs between SQLite and PostgreSQL")

    // A file whose forms overlap stored ones: the same refusal, word for word, from both stores,
    // and nothing stored by either.
    let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
    let overlap = folder.appendingPathComponent("lai.csv").path
    try (lines[0...3].joined(separator: "\n") + "\n").write(toFile: overlap, atomically: true, encoding: .utf8)
    let refusals = try [sqlite, postgres].map { try sipas("import", "--store", $0, "--questionnaire", "sipas-2023", overlap) }
    #expect(refusals.allSatisfy { $0.status != 0 })
    #expect(refusals[0].stderr == refusals[1].stderr && refusals[0].stderr.contains("lai.csv, row 2: form id"), "\(refusals[1].stderr)")
    #expect(try PostgresTestServer.psql(postgres, "SELECT count(*) FROM responses").trimmingCharacters(in: .whitespacesAndNewlines) == "3000")
}

/// A database without sipas's tables is not a store until `sipas init` makes it one; a server
/// that does not answer is named, without the password.
@Test func aPostgreSQLAddressWithoutAStoreOrServerIsRefusedClearly() throws {
    let empty = try PostgresTestServer.freshDatabase()
    let run = try sipas("analyze", "--store", empty, "--questionnaire", "sipas-2023", "--json")
    #expect(run.status != 0)
    #expect(run.stderr.contains("no sipas store here") && run.stderr.contains("sipas init"), "\(run.stderr)")
    #expect(try PostgresTestServer.psql(empty, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    // Port 1 on loopback: nothing listens there.
    let nowhere = try sipas("analyze", "--store", "postgres://sipas:secret@127.0.0.1:1/sipas", "--questionnaire", "sipas-2023")
    #expect(nowhere.status != 0)
    #expect(nowhere.stderr.contains("postgres://sipas@127.0.0.1:1/sipas: cannot connect") && !nowhere.stderr.contains("secret"), "\(nowhere.stderr)")
}
