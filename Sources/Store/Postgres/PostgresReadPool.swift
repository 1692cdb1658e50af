import Foundation

/// Connections for reads beside the store's one connection for writes, for `sipas serve`: a
/// kiosk's token is checked, a browser kiosk's counts and the status page are read while a synced
/// batch or an import is being written, instead of after it. Reads see what is committed. Opened
/// on first need, up to `limit`; a connection the server dropped is closed, not reused.
final class PostgresReadPool: @unchecked Sendable {
    private let address: PostgresAddress
    private let limit: Int
    private let condition = NSCondition()
    private var idle: [PostgresSession] = []
    private var open = 0

    init(address: PostgresAddress, limit: Int) {
        self.address = address
        self.limit = max(1, limit)
    }

    /// Runs `body` on an idle connection, opening one when none is idle and fewer than `limit`
    /// are open, else waiting for one.
    func withSession<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        condition.lock()
        while idle.isEmpty && open >= limit { condition.wait() }
        let reused = idle.popLast()
        if reused == nil { open += 1 }
        condition.unlock()
        let session: PostgresSession
        do {
            if let reused {
                session = reused
            } else {
                session = try PostgresSession(address)
                // A read that waits for a lock (a bulk load holds `responses` until its commit)
                // gives up after 10 s instead of holding the connection.
                try session.execute("SET lock_timeout = '10s'")
            }
        } catch {
            release(nil)
            throw error
        }
        do {
            let value = try body(session)
            release(session)
            return value
        } catch let failure as PostgresFailure where failure.sqlState.map({ $0.hasPrefix("08") || $0.hasPrefix("57P") }) ?? true {
            release(nil)  // the connection is lost or the server ended it: open a new one next time
            throw failure
        } catch {
            release(session)
            throw error
        }
    }

    private func release(_ session: PostgresSession?) {
        condition.lock()
        if let session { idle.append(session) } else { open -= 1 }
        condition.signal()
        condition.unlock()
    }
}
