import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import SIPASStoring

/// One connection to a PostgreSQL server, used synchronously: the store's calls are synchronous,
/// so the connection runs on an event loop of its own and each call waits for its answer.
/// One call (or transaction) at a time; a store serialises its users.
final class PostgresSession: @unchecked Sendable {
    let address: PostgresAddress
    private let group: MultiThreadedEventLoopGroup
    private let connection: PostgresConnection
    private let logger: Logger
    private let lock = NSRecursiveLock()
    private let owner = NIOLockedValueBox<ObjectIdentifier?>(nil)

    init(_ address: PostgresAddress) throws {
        self.address = address
        var logger = Logger(label: "sipas.postgres")
        logger.logLevel = .critical
        self.logger = logger
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch address.sslMode {
            case .disable: tls = .disable
            case .prefer, .require:
                var config = TLSConfiguration.makeClientConfiguration()
                config.certificateVerification = .none
                let context = try NIOSSLContext(configuration: config)
                tls = address.sslMode == .prefer ? .prefer(context) : .require(context)
            case .verifyFull:
                tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        } catch {
            try? group.syncShutdownGracefully()
            throw StoreError("\(address): cannot set up TLS: \(error)")
        }
        var configuration = PostgresConnection.Configuration(
            host: address.host, port: address.port, username: address.user, password: address.password, database: address.database, tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        do {
            connection = try PostgresConnection.connect(on: group.next(), configuration: configuration, id: 1, logger: logger).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw StoreError("\(address): cannot connect: \(Self.describe(error))", remedy: nil)
        }
    }

    deinit {
        _ = try? connection.close().wait()
        try? group.syncShutdownGracefully()
    }

    /// Runs `body` alone on the connection (no other caller's statements in between).
    func exclusive<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        let outer = owner.withLockedValue { $0 }
        owner.withLockedValue { $0 = ObjectIdentifier(Thread.current) }
        defer {
            owner.withLockedValue { $0 = outer }
            lock.unlock()
        }
        return try body()
    }

    /// Whether this thread is inside ``exclusive(_:)`` (a transaction of its own, say): its reads
    /// then go to this connection, which sees what the transaction wrote.
    var isHeldByCurrentThread: Bool {
        owner.withLockedValue { $0 == ObjectIdentifier(Thread.current) }
    }

    /// Runs `body` in one transaction: committed when it returns (or rolled back with `rollback`),
    /// rolled back when it throws.
    func transaction<T>(rollback: Bool = false, _ body: () throws -> T) throws -> T {
        try exclusive {
            try execute("BEGIN")
            do {
                let value = try body()
                try execute(rollback ? "ROLLBACK" : "COMMIT")
                return value
            } catch {
                _ = try? execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Every row of one SQL statement with its parameters ($1, $2, …).
    @discardableResult
    func rows(_ sql: String, _ values: [(any PostgresThrowingDynamicTypeEncodable)?] = []) throws -> [PostgresRow] {
        let query = try Self.query(sql, values)
        do {
            return try exclusive { try connection.query(query, logger: logger).wait().rows }
        } catch {
            throw PostgresFailure(error)
        }
    }

    /// Runs one SQL statement; its rows are dropped.
    func execute(_ sql: String, _ values: [(any PostgresThrowingDynamicTypeEncodable)?] = []) throws {
        try rows(sql, values)
    }

    /// Hands every row of one statement to `onRow` as it arrives (on the connection's thread),
    /// without holding them all: for reads of a million forms.
    func stream(_ sql: String, _ values: [(any PostgresThrowingDynamicTypeEncodable)?], onRow: @escaping @Sendable (PostgresRow) throws -> Void) throws {
        let query = try Self.query(sql, values)
        do {
            _ = try exclusive { try connection.query(query, logger: logger, onRow).wait() }
        } catch {
            throw PostgresFailure(error)
        }
    }

    /// Starts `COPY table (columns) FROM STDIN` (text format) of `rows` and returns at once: the
    /// connection's thread sends them while the caller prepares the next ones. Nothing else may use
    /// the connection until ``PostgresCopyIn/wait()`` returned: call it inside ``exclusive(_:)``
    /// or a transaction.
    func copyIn(table: String, columns: [String], rows: ByteBuffer) -> PostgresCopyIn {
        PostgresCopyIn(connection: connection, table: table, columns: columns, rows: rows, logger: logger)
    }

    static func query(_ sql: String, _ values: [(any PostgresThrowingDynamicTypeEncodable)?]) throws -> PostgresQuery {
        var binds = PostgresBindings(capacity: values.count)
        for value in values {
            if let value { try binds.append(value) } else { binds.appendNull() }
        }
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    /// The server's message, or what went wrong with the connection (PSQLError's own description hides both).
    static func describe(_ error: any Error) -> String {
        if let error = error as? PostgresFailure { return error.message }
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] {
            let detail = error.serverInfo?[.detail].map { " (\($0))" } ?? ""
            return message + detail
        }
        if let underlying = error.underlying { return "\(underlying)" }
        switch error.code {
        case .serverClosedConnection, .uncleanShutdown: return "the server closed the connection"
        case .connectionError: return "the connection failed"
        default: return String(reflecting: error)
        }
    }
}

/// A statement the server refused, or a lost connection: the message and SQLSTATE.
struct PostgresFailure: Error, CustomStringConvertible {
    var message: String
    var sqlState: String?
    var constraint: String?

    init(_ error: any Error) {
        message = PostgresSession.describe(error)
        let info = (error as? PSQLError)?.serverInfo
        sqlState = info?[.sqlState]
        constraint = info?[.constraintName]
    }

    var description: String { message }
    /// 23505: a unique index refused the row.
    var isUniqueViolation: Bool { sqlState == "23505" }
    /// Class 23: any integrity constraint.
    var isConstraint: Bool { sqlState?.hasPrefix("23") == true }
    /// Class 22 or 23: the server refused a value or a row (not the connection, the disk or a lock).
    var isDataOrConstraint: Bool { isConstraint || sqlState?.hasPrefix("22") == true }
}

/// A one-dimensional array parameter in PostgreSQL's binary format, NULL elements allowed
/// (`unnest($1::text[], $2::bytea[], …)` turns a piece of a file into rows in one statement).
struct PostgresArray: PostgresThrowingDynamicTypeEncodable {
    let psqlType: PostgresDataType
    var psqlFormat: PostgresFormat { .binary }
    private let elementType: PostgresDataType
    private var body: ByteBuffer
    private var count: Int32 = 0
    private var hasNull = false

    private init(elementType: PostgresDataType, arrayType: PostgresDataType, capacity: Int) {
        self.elementType = elementType
        psqlType = arrayType
        body = ByteBufferAllocator().buffer(capacity: capacity)
    }

    init<S: Sequence>(text: S) where S.Element == String? {
        self.init(elementType: .text, arrayType: .textArray, capacity: 1024)
        for value in text {
            if var value {
                value.withUTF8 { append($0) }
            } else {
                appendNull()
            }
        }
    }

    init<S: Sequence>(bytes: S) where S.Element == [UInt8]? {
        self.init(elementType: .bytea, arrayType: .byteaArray, capacity: 1024)
        for value in bytes {
            if let value { value.withUnsafeBufferPointer { append($0) } } else { appendNull() }
        }
    }

    init<S: Sequence>(int64: S) where S.Element == Int64 {
        self.init(elementType: .int8, arrayType: .int8Array, capacity: 1024)
        for value in int64 {
            body.writeInteger(Int32(8))
            body.writeInteger(value)
            count += 1
        }
    }

    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        body.writeInteger(Int32(bytes.count))
        body.writeBytes(UnsafeRawBufferPointer(bytes))
        count += 1
    }

    private mutating func appendNull() {
        body.writeInteger(Int32(-1))
        hasNull = true
        count += 1
    }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) throws {
        buffer.writeInteger(Int32(count == 0 ? 0 : 1))
        buffer.writeInteger(Int32(hasNull ? 1 : 0))
        buffer.writeInteger(Int32(bitPattern: elementType.rawValue))
        guard count > 0 else { return }
        buffer.writeInteger(count)
        buffer.writeInteger(Int32(1))
        buffer.writeImmutableBuffer(body)
    }
}

/// A `bytea` parameter from bytes (an array of UInt8 would go as PostgreSQL's "char"[]).
struct PostgresBytes: PostgresThrowingDynamicTypeEncodable {
    var bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var psqlType: PostgresDataType { .bytea }
    var psqlFormat: PostgresFormat { .binary }
    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) throws {
        buffer.writeBytes(bytes)
    }
}

extension PostgresRow {
    /// Column `i` as text (NULL as nil).
    func text(_ i: Int) -> String? {
        cell(i).bytes.map { String(buffer: $0) }
    }

    /// Column `i` as an integer of any width (int2, int4, int8, in binary), or nil.
    func int(_ i: Int) -> Int64? {
        guard var b = cell(i).bytes else { return nil }
        switch b.readableBytes {
        case 8: return b.readInteger(as: Int64.self)
        case 4: return b.readInteger(as: Int32.self).map(Int64.init)
        case 2: return b.readInteger(as: Int16.self).map(Int64.init)
        default: return Int64(String(buffer: b))
        }
    }

    /// Column `i` as bytes (bytea), or nil.
    func bytes(_ i: Int) -> [UInt8]? {
        cell(i).bytes.map { Array($0.readableBytesView) }
    }

    /// Column `i` as a boolean, or nil.
    func bool(_ i: Int) -> Bool? {
        cell(i).bytes.flatMap { $0.getInteger(at: $0.readerIndex, as: UInt8.self) }.map { $0 != 0 }
    }

    func cell(_ i: Int) -> PostgresCell {
        PostgresRandomAccessRow(self)[i]
    }
}

/// One `COPY … FROM STDIN` under way (``PostgresSession/copyIn(table:columns:rows:)``): its rows
/// go in one write, then the copy ends. One write a copy on purpose: postgres-nio 1.33 loses the
/// wait of a write held back for the connection's buffer to drain when the server refuses a row
/// meanwhile (the copy would never end). The first write of a copy finds the buffer empty: the
/// copy before it ended only once the server had read all its rows.
final class PostgresCopyIn: @unchecked Sendable {
    private let ended = DispatchSemaphore(value: 0)
    private let state = NSLock()
    private var failure: (any Error)?
    private var waited = false

    fileprivate init(connection: PostgresConnection, table: String, columns: [String], rows: ByteBuffer, logger: Logger) {
        // On a thread of its own, not the shared pool: the caller blocks a thread while it waits,
        // and may itself be running on that pool (all of whose threads could be waiting).
        Task(executorPreference: CopyExecutor.shared) { [self] in
            do {
                try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                    try await writer.write(rows)
                }
            } catch {
                state.withLock { failure = error }
            }
            ended.signal()
        }
    }

    /// Waits for the copy to end: the server stored the rows and ran the statement's checks.
    /// Throws what it refused, as a ``PostgresFailure``. Waiting twice is waiting once.
    func wait() throws {
        let first = state.withLock { () -> Bool in
            defer { waited = true }
            return !waited
        }
        if first { ended.wait() }
        if let error = state.withLock({ failure }) { throw PostgresFailure(error) }
    }
}

/// Runs the COPY tasks on a dispatch queue of their own (see ``PostgresCopyIn``).
final class CopyExecutor: TaskExecutor {
    static let shared = CopyExecutor()
    private let queue = DispatchQueue(label: "sipas.postgres.copy", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
