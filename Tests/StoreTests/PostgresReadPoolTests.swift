import Foundation
import SIPASStoring
import TestSupport
import Testing

@testable import SIPASStore

// `sipas serve` opens its PostgreSQL store with connections for reads beside the one for writes:
// a read from another thread answers while a write is in progress, from what is committed; a read
// inside the store's own transaction sees that transaction's rows.

@Test func aReadAnswersWhileAWriteIsInProgressAndSeesWhatIsCommitted() throws {
    let store = try PostgresStore(url: try PostgresTestServer.freshDatabase(), create: true, readConnections: 2)
    let inside = DispatchSemaphore(value: 0), finish = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
    // A writer holds the store's connection in an open transaction until told to commit.
    Thread {
        try? store.session.transaction {
            try store.session.execute("INSERT INTO units (code, created_at) VALUES ('WRITING', '2026-12-06T00:00:00Z')")
            inside.signal()
            finish.wait()
        }
        done.signal()
    }.start()
    inside.wait()
    let read = DispatchSemaphore(value: 0)
    let seen = LockedUnits()
    DispatchQueue.global().async {
        seen.set(try? store.units().map(\.code))
        read.signal()
    }
    let answered = read.wait(timeout: .now() + 30) == .success
    finish.signal()
    done.wait()
    #expect(answered, "the read waited for the writer's transaction")
    if answered { #expect(seen.get().map { !$0.contains("WRITING") } == true) }
    #expect(try store.units().contains { $0.code == "WRITING" })
}

@Test func aReadInsideTheStoresOwnTransactionSeesItsRows() throws {
    let store = try PostgresStore(url: try PostgresTestServer.freshDatabase(), create: true, readConnections: 2)
    let inside = try store.session.transaction(rollback: true) {
        try store.session.execute("INSERT INTO units (code, created_at) VALUES ('UNCOMMITTED', '2026-12-06T00:00:00Z')")
        return try store.units().map(\.code)
    }
    #expect(inside.contains("UNCOMMITTED"))
    #expect(try !store.units().contains { $0.code == "UNCOMMITTED" })
}

final class LockedUnits: @unchecked Sendable {
    private let lock = NSLock()
    private var codes: [String]?
    func set(_ value: [String]?) { lock.withLock { codes = value } }
    func get() -> [String]? { lock.withLock { codes } }
}
