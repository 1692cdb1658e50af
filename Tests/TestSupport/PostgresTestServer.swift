import Foundation

/// The PostgreSQL server the tests run the store suite against: `SIPAS_TEST_POSTGRES` when set
/// (a URL whose user may create databases), else a throwaway cluster of the test process's own
/// (scripts/pg/cluster.sh: initdb in a temporary folder, loopback, stopped when the process ends).
/// Each test gets a database of its own, so tests run in parallel without seeing each other.
public enum PostgresTestServer {
    /// A new, empty database on the test server, as a `postgres://` URL.
    public static func freshDatabase() throws -> String {
        let base = try server.get()
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        _ = try tool("psql", ["-q", "-v", "ON_ERROR_STOP=1", base.replacingLastPathComponent("postgres"), "-c", "CREATE DATABASE \(name)"])
        return base.replacingLastPathComponent(String(name))
    }

    /// Runs SQL on the database at `url` through psql (an independent client); throws with the
    /// server's message when it is refused.
    @discardableResult
    public static func psql(_ url: String, _ sql: String) throws -> String {
        try tool("psql", ["-q", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", url, "-c", sql])
    }

    nonisolated(unsafe) static var clusterFolder: String?

    static let server: Result<String, any Error> = Result {
        if let url = ProcessInfo.processInfo.environment["SIPAS_TEST_POSTGRES"], !url.isEmpty { return url }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/pg/cluster.sh").path
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sipas-pg-\(UUID().uuidString.prefix(8))").path
        clusterFolder = folder
        atexit {
            guard let folder = PostgresTestServer.clusterFolder else { return }
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("scripts/pg/cluster.sh").path
            _ = try? tool(script, ["stop", folder])
        }
        return try tool(script, ["start", folder]).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension String {
    /// The URL with its path (the database) replaced.
    fileprivate func replacingLastPathComponent(_ database: String) -> String {
        guard let slash = range(of: "/", options: .backwards), let scheme = range(of: "://"), slash.lowerBound > scheme.upperBound else {
            return self + "/" + database
        }
        let query = self[slash.upperBound...].firstIndex(of: "?").map { String(self[$0...]) } ?? ""
        return String(self[..<slash.upperBound]) + database + query
    }
}
