import Foundation
import SIPASStoring

/// Where a PostgreSQL store is: `postgres://USER@HOST:PORT/DB` (`postgresql://` too), as libpq reads it.
///
/// The password comes, in libpq's order, from the URL (never write one in a script or an example),
/// else `PGPASSWORD`, else the password file (`PGPASSFILE`, or `~/.pgpass`: lines
/// `host:port:database:user:password`, `*` for any, `\:` and `\\` escaped, readable by its owner
/// only). `?sslmode=` takes `disable`, `prefer` (the default: TLS when the server offers it),
/// `require` (TLS, the certificate not checked, as libpq) or `verify-full` (TLS, the certificate
/// checked against the system's roots and the host name).
public struct PostgresAddress: Sendable, Equatable, CustomStringConvertible {
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, prefer, require
        case verifyFull = "verify-full"
    }

    public var user: String
    public var host: String
    public var port: Int
    public var database: String
    public var password: String?
    public var sslMode: SSLMode

    /// Whether `location` names a PostgreSQL store rather than an SQLite file.
    public static func isPostgres(_ location: String) -> Bool {
        let lower = location.lowercased()
        return lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://")
    }

    /// Reads `url`; the password from the URL, `PGPASSWORD` or the password file of `environment`.
    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard Self.isPostgres(url), let c = URLComponents(string: url) else {
            throw StoreError("'\(url)' is not a PostgreSQL address; expected postgres://USER@HOST:PORT/DATABASE")
        }
        guard let host = c.host, !host.isEmpty else {
            throw StoreError("'\(Self.redacted(url))' names no server; expected postgres://USER@HOST:PORT/DATABASE")
        }
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        port = c.port ?? 5432
        guard (1...65535).contains(port) else { throw StoreError("'\(Self.redacted(url))': port \(port) is not between 1 and 65535") }
        user = c.user.flatMap { $0.removingPercentEncoding }.flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["PGUSER"] ?? environment["USER"] ?? "postgres"
        let path = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        database = path.removingPercentEncoding.flatMap { $0.isEmpty ? nil : $0 } ?? user
        sslMode = .prefer
        for item in c.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(SSLMode.init(rawValue:)) else {
                    throw StoreError("'\(Self.redacted(url))': sslmode takes \(SSLMode.allCases.map(\.rawValue).joined(separator: ", ")); found '\(item.value ?? "")'")
                }
                sslMode = mode
            default:
                throw StoreError("'\(Self.redacted(url))': unknown parameter '\(item.name)' (sipas reads only sslmode)")
            }
        }
        if let p = c.password.flatMap({ $0.removingPercentEncoding }) {
            password = p
        } else if let p = environment["PGPASSWORD"], !p.isEmpty {
            password = p
        } else {
            let file = environment["PGPASSFILE"] ?? (environment["HOME"].map { $0 + "/.pgpass" } ?? "")
            password = Self.passwordFile(file).flatMap { Self.lookUp(in: $0, host: self.host, port: port, database: database, user: user) }
        }
    }

    /// The address without its password, for messages.
    public var description: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)@\(h):\(port)/\(database)"
    }

    /// `url` with any password replaced by `***`, for messages about an address that did not parse.
    static func redacted(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@"), let scheme = url.range(of: "://"), scheme.upperBound < at else { return url }
        let credentials = url[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }

    /// The password file's text, when it exists and only its owner may read it (as libpq requires).
    static func passwordFile(_ path: String) -> String? {
        guard !path.isEmpty, let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 == 0 else { return nil }
        return try? String(contentsOfFile: path, encoding: .utf8)
    }

    /// The first matching line's password (`host:port:database:user:password`, `*` matches anything).
    static func lookUp(in text: String, host: String, port: Int, database: String, user: String) -> String? {
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            var fields: [String] = [""]
            var escaped = false
            for ch in line {
                if escaped {
                    fields[fields.count - 1].append(ch)
                    escaped = false
                } else if ch == "\\" {
                    escaped = true
                } else if ch == ":" && fields.count < 5 {
                    fields.append("")
                } else {
                    fields[fields.count - 1].append(ch)
                }
            }
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }
}
