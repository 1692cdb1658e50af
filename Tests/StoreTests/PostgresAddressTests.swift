import Foundation
import SIPASStore
import SIPASStoring
import Testing

/// A PostgreSQL address is read as libpq reads it: the password from the URL, else PGPASSWORD,
/// else the password file (only when its owner alone may read it), and never shown in messages.
@Test func aPostgreSQLAddressTakesItsPasswordAsLibpqDoes() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pgpass-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("pgpass").path
    try """
        # comment
        db.tinh.vn:5432:other:sipas:wrong
        db.tinh.vn:*:sipas:sipas:pa\\:ss\\\\word
        *:*:*:*:fallback
        """.write(toFile: file, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
    let a = try PostgresAddress(url: "postgres://sipas@db.tinh.vn/sipas", environment: ["PGPASSFILE": file])
    #expect(a.host == "db.tinh.vn" && a.port == 5432 && a.database == "sipas" && a.user == "sipas" && a.sslMode == .prefer)
    #expect(a.password == "pa:ss\\word")
    #expect(try PostgresAddress(url: "postgres://khac@db.tinh.vn:6543/x", environment: ["PGPASSFILE": file]).password == "fallback")
    #expect(try PostgresAddress(url: "postgres://sipas@db.tinh.vn/sipas", environment: ["PGPASSFILE": file, "PGPASSWORD": "env"]).password == "env")
    #expect(try PostgresAddress(url: "postgresql://sipas:url%40pw@[::1]:5433/sipas?sslmode=verify-full", environment: ["PGPASSWORD": "env"]).password == "url@pw")
    // A password file others may read is ignored, as libpq ignores it.
    try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
    #expect(try PostgresAddress(url: "postgres://sipas@db.tinh.vn/sipas", environment: ["PGPASSFILE": file]).password == nil)
    // Messages show the address without its password.
    let withPassword = try PostgresAddress(url: "postgres://sipas:bi-mat@127.0.0.1:5433/sipas", environment: [:])
    #expect(withPassword.description == "postgres://sipas@127.0.0.1:5433/sipas")
    let v6 = try PostgresAddress(url: "postgresql://u@[::1]:5433/d?sslmode=verify-full", environment: [:])
    #expect(v6.host == "::1" && v6.sslMode == .verifyFull && v6.description == "postgres://u@[::1]:5433/d")
    for bad in ["postgres://u:bi-mat@h/d?sslmode=maybe", "postgres://u:bi-mat@h/d?timeout=3", "postgres:///d", "mysql://u@h/d"] {
        let error = #expect(throws: StoreError.self, "\(bad)") { try PostgresAddress(url: bad, environment: [:]) }
        #expect(error.map { !$0.description.contains("bi-mat") } ?? false, "\(error.map(\.description) ?? "")")
    }
}
