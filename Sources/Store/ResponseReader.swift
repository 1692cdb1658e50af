import Foundation
import GRDBSQLite
import SIPASModel
import SIPASStoring

/// Reads the rows of a prepared `SELECT form_id, unit, collected_on, channel, field, source, codes,
/// picks, texts, id` into the columns of a ``ResponseTable``, on two threads: the caller's steps
/// SQLite and copies each batch of rows' bytes, a second turns the bytes into the columns (strings,
/// level codes, the transposed answer bytes) while the first steps on. Both halves cost about the
/// same for a million forms, so the read takes about half as long as on one thread, from the same
/// statement, in the same read transaction, in the same order.
struct ResponseReader {
    let layout: AnswerLayout
    /// Follow-up answers added to kiosk ratings after they were committed, by response id.
    let additions: [Int64: [(item: String, code: UInt8)]]
    /// An upper bound of the rows to come (columns are allocated once).
    let expected: Int
    /// Each coded item's place in the answer record, for the follow-up answers.
    let codedIndex: [String: Int]

    init(layout: AnswerLayout, additions: [Int64: [(item: String, code: UInt8)]], expected: Int) {
        self.layout = layout
        self.additions = additions
        self.expected = expected
        codedIndex = additions.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: layout.codedItems.enumerated().map { ($1, $0) })
    }

    /// The rows of a batch as bytes: per row, 9 cells (start, length; length −1 for NULL or empty)
    /// and the id, in buffers of its own (appending to arrays cell by cell costs more than SQLite).
    final class Batch: @unchecked Sendable {
        static let rows = 4096
        private(set) var bytes: UnsafeMutablePointer<UInt8>
        private var capacity: Int
        private(set) var used = 0
        let cells = UnsafeMutablePointer<(start: Int, length: Int)>.allocate(capacity: rows * 9)
        let ids = UnsafeMutablePointer<Int64>.allocate(capacity: rows)
        var count = 0

        init() {
            capacity = Self.rows * 256
            bytes = .allocate(capacity: capacity)
        }

        deinit {
            bytes.deallocate()
            cells.deallocate()
            ids.deallocate()
        }

        func reset() {
            used = 0
            count = 0
        }

        /// Appends one cell of the current row (`count`).
        @inline(__always) func cell(_ column: Int, _ pointer: UnsafeRawPointer?, _ length: Int) {
            guard let pointer, length > 0 else {
                cells[count &* 9 &+ column] = (used, -1)
                return
            }
            if used + length > capacity {
                capacity = max(capacity * 2, used + length)
                let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
                grown.update(from: bytes, count: used)
                bytes.deallocate()
                bytes = grown
            }
            UnsafeMutableRawPointer(bytes + used).copyMemory(from: pointer, byteCount: length)
            cells[count &* 9 &+ column] = (used, length)
            used += length
        }
    }

    /// Full batches from the stepping thread to the decoding one, and emptied ones back (a few in
    /// flight, so memory stays a few batches whatever the number of rows).
    final class Handoff: @unchecked Sendable {
        private let condition = NSCondition()
        private var full: [Batch] = []
        private var empty: [Batch] = []
        private var made = 0
        private var closed = false

        func put(_ b: Batch) {
            condition.lock()
            full.append(b)
            condition.signal()
            condition.unlock()
        }

        /// The next full batch, or nil once closed and drained.
        func take() -> Batch? {
            condition.lock()
            defer { condition.unlock() }
            while full.isEmpty && !closed { condition.wait() }
            return full.isEmpty ? nil : full.removeFirst()
        }

        func recycle(_ b: Batch) {
            condition.lock()
            empty.append(b)
            condition.broadcast()
            condition.unlock()
        }

        /// An empty batch: a recycled one, a new one while fewer than four exist, else waits.
        func emptyBatch() -> Batch {
            condition.lock()
            defer { condition.unlock() }
            while empty.isEmpty && made >= 4 { condition.wait() }
            if let b = empty.popLast() {
                b.reset()
                return b
            }
            made += 1
            return Batch()
        }

        func close() {
            condition.lock()
            closed = true
            condition.broadcast()
            condition.unlock()
        }
    }

    /// The columns being filled by the decoding thread.
    struct Columns {
        var formIDs: [String] = [], dates: [String?] = []
        var units = Categorical(), channels = Categorical(), fields = Categorical()
        var sources: [ResponseSource] = []
        var codeColumns: [[UInt8]]
        var pickColumns: [[UInt64]]
        var textColumns: [[String?]]
        var rows = 0
        var block: [UInt8]
        var blockStart = 0
    }

    static let blockRows = 4096

    /// Steps `stmt` to its end; returns the table's columns and each row's source, or the SQLite
    /// error message.
    func read(_ stmt: OpaquePointer, questionnaire q: Questionnaire) -> Result<(ResponseTable, [ResponseSource]), ReadFailure> {
        read(questionnaire: q) { sink in
            var rc = sqlite3_step(stmt)
            while rc == SQLITE_ROW {
                for column in 0..<9 {
                    // The pointer first, then its length (SQLite's order); NULL and empty alike.
                    let p = sqlite3_column_blob(stmt, Int32(column))
                    sink.cell(column, p, p == nil ? 0 : Int(sqlite3_column_bytes(stmt, Int32(column))))
                }
                sink.endRow(id: sqlite3_column_int64(stmt, 9))
                rc = sqlite3_step(stmt)
            }
            return rc == SQLITE_DONE ? nil : String(cString: sqlite3_errmsg(sqlite3_db_handle(stmt)))
        }
    }

    /// Where a row source (SQLite's stepping, PostgreSQL's row callback) puts each row's 9 cells and
    /// id; full batches go to the decoding thread. Used from one thread at a time.
    final class Sink: @unchecked Sendable {
        let handoff: Handoff
        var batch: Batch

        init(_ handoff: Handoff) {
            self.handoff = handoff
            batch = handoff.emptyBatch()
        }

        /// Cell `column` (0–8) of the current row: its bytes (nil or empty for NULL).
        @inline(__always) func cell(_ column: Int, _ pointer: UnsafeRawPointer?, _ length: Int) {
            batch.cell(column, pointer, length)
        }

        @inline(__always) func endRow(id: Int64) {
            batch.ids[batch.count] = id
            batch.count += 1
            if batch.count == Batch.rows {
                handoff.put(batch)
                batch = handoff.emptyBatch()
            }
        }

        func finish() {
            if batch.count > 0 { handoff.put(batch) }
            handoff.close()
        }
    }

    /// Runs `produce` (which fills the sink with every row, in order, and returns an error message
    /// or nil) on this thread while a second thread decodes; returns the table's columns and each
    /// row's source.
    func read(questionnaire q: Questionnaire, produce: (Sink) -> String?) -> Result<(ResponseTable, [ResponseSource]), ReadFailure> {
        let width = layout.codedItems.count
        nonisolated(unsafe) var c = Columns(
            codeColumns: [[UInt8]](repeating: [UInt8](repeating: 0, count: expected), count: width),
            pickColumns: [[UInt64]](repeating: [], count: layout.multiItems.count),
            textColumns: [[String?]](repeating: [], count: layout.textItems.count),
            block: [UInt8](repeating: 0, count: max(1, Self.blockRows * width)))
        for k in c.pickColumns.indices { c.pickColumns[k].reserveCapacity(expected) }
        for k in c.textColumns.indices { c.textColumns[k].reserveCapacity(expected) }
        c.formIDs.reserveCapacity(expected)
        c.units.reserveCapacity(expected)
        c.dates.reserveCapacity(expected)
        c.channels.reserveCapacity(expected)
        c.fields.reserveCapacity(expected)
        c.sources.reserveCapacity(expected)

        let handoff = Handoff()
        let decoding = DispatchGroup()
        let reader = self
        DispatchQueue.global().async(group: decoding) {
            while let batch = handoff.take() {
                reader.decode(batch, into: &c)
                handoff.recycle(batch)
            }
        }
        // Stepping and copying, on this thread (the connection's).
        let sink = Sink(handoff)
        let failure = produce(sink)
        sink.finish()
        decoding.wait()
        if let failure { return .failure(ReadFailure(message: failure)) }

        if c.rows > c.blockStart { Self.transpose(c.block, rows: c.rows - c.blockStart, width: width, into: &c.codeColumns, at: c.blockStart) }
        for k in 0..<width where c.codeColumns[k].count > c.rows { c.codeColumns[k].removeLast(c.codeColumns[k].count - c.rows) }
        c.block = []
        let table = ResponseTable(
            questionnaire: q, formID: c.formIDs, unit: c.units, collectedOn: c.dates, channel: c.channels, field: c.fields,
            codes: Dictionary(uniqueKeysWithValues: zip(layout.codedItems, c.codeColumns)),
            picks: Dictionary(uniqueKeysWithValues: zip(layout.multiItems, c.pickColumns)),
            texts: Dictionary(uniqueKeysWithValues: zip(layout.textItems, c.textColumns)))
        return .success((table, c.sources))
    }

    struct ReadFailure: Error {
        var message: String
    }

    /// One batch's bytes into the columns.
    func decode(_ batch: Batch, into c: inout Columns) {
        let width = layout.codedItems.count
        let bytes = batch.bytes, cells = batch.cells
        func cell(_ r: Int, _ k: Int) -> UnsafeBufferPointer<UInt8>? {
            let (start, length) = cells[r &* 9 &+ k]
            guard length >= 0 else { return nil }
            return UnsafeBufferPointer(start: bytes + start, count: length)
        }
        func text(_ r: Int, _ k: Int) -> String? { cell(r, k).map { String(decoding: $0, as: UTF8.self) } }
        for r in 0..<batch.count {
            if c.rows - c.blockStart == Self.blockRows {
                Self.transpose(c.block, rows: Self.blockRows, width: width, into: &c.codeColumns, at: c.blockStart)
                c.blockStart += Self.blockRows
            }
            let offset = (c.rows - c.blockStart) * width
            c.formIDs.append(text(r, 0) ?? "")
            c.units.append(text(r, 1))
            c.dates.append(text(r, 2))
            c.channels.append(text(r, 3))
            c.fields.append(text(r, 4))
            c.sources.append(text(r, 5).flatMap(ResponseSource.init(rawValue:)) ?? .import)
            c.block.withUnsafeMutableBufferPointer { m in
                var n = 0
                if let blob = cell(r, 6), let base = blob.baseAddress {
                    n = min(blob.count, width)
                    (m.baseAddress! + offset).update(from: base, count: n)
                }
                if n < width { (m.baseAddress! + offset + n).update(repeating: 0, count: width - n) }
            }
            if !additions.isEmpty, let added = additions[batch.ids[r]] {
                for a in added { if let k = codedIndex[a.item] { c.block[offset + k] = a.code } }
            }
            let picks = cell(r, 7)
            for k in c.pickColumns.indices {
                var v: UInt64 = 0
                if let picks, picks.count >= 8 * (k + 1) {
                    v = UInt64(littleEndian: UnsafeRawBufferPointer(picks).loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self))
                }
                c.pickColumns[k].append(v)
            }
            if !layout.textItems.isEmpty {
                let texts = cell(r, 8).map(Self.texts) ?? [:]
                for (k, id) in layout.textItems.enumerated() { c.textColumns[k].append(texts[id]) }
            }
            c.rows += 1
        }
    }

    /// A stored JSON object of strings (as ``ResponseStore/json(_:)`` writes it): read directly when
    /// it holds only strings with the usual escapes, through JSONSerialization otherwise.
    static func texts(_ json: UnsafeBufferPointer<UInt8>) -> [String: String] {
        if let object = flatStringObject(json) { return object }
        return (try? JSONSerialization.jsonObject(with: Data(buffer: json))) as? [String: String] ?? [:]
    }

    /// `{"key":"value",…}` with \" \\ \/ \n \r \t \b \f and \uXXXX (surrogate pairs too); nil for
    /// anything else (other whitespace, numbers, nesting), which the general parser then reads.
    static func flatStringObject(_ b: UnsafeBufferPointer<UInt8>) -> [String: String]? {
        var i = 0
        let n = b.count
        func string() -> String? {
            guard i < n, b[i] == UInt8(ascii: "\"") else { return nil }
            i += 1
            let start = i
            while i < n, b[i] != UInt8(ascii: "\""), b[i] != UInt8(ascii: "\\") { i += 1 }
            guard i < n else { return nil }
            if b[i] == UInt8(ascii: "\"") {
                defer { i += 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
            }
            var out = Array(b[start..<i])
            var pendingHigh: UInt32?
            while i < n {
                let byte = b[i]
                if byte == UInt8(ascii: "\"") {
                    i += 1
                    guard pendingHigh == nil else { return nil }
                    return String(decoding: out, as: UTF8.self)
                }
                if byte != UInt8(ascii: "\\") {
                    guard pendingHigh == nil else { return nil }
                    out.append(byte)
                    i += 1
                    continue
                }
                guard i + 1 < n else { return nil }
                let escaped = b[i + 1]
                i += 2
                if escaped == UInt8(ascii: "u") {
                    guard i + 4 <= n else { return nil }
                    var value: UInt32 = 0
                    for byte in b[i..<i + 4] {
                        guard let digit = hexDigit(byte) else { return nil }
                        value = value << 4 | digit
                    }
                    i += 4
                    var scalarValue = value
                    if let high = pendingHigh {
                        guard (0xDC00...0xDFFF).contains(value) else { return nil }
                        scalarValue = 0x10000 + ((high - 0xD800) << 10) + (value - 0xDC00)
                        pendingHigh = nil
                    } else if (0xD800...0xDBFF).contains(value) {
                        pendingHigh = value
                        continue
                    }
                    guard let scalar = Unicode.Scalar(scalarValue) else { return nil }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    continue
                }
                guard pendingHigh == nil else { return nil }
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                default: return nil
                }
            }
            return nil
        }
        func hexDigit(_ c: UInt8) -> UInt32? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(c - UInt8(ascii: "A") + 10)
            default: nil
            }
        }
        guard n >= 2, b[0] == UInt8(ascii: "{") else { return nil }
        i = 1
        var object: [String: String] = [:]
        if b[i] == UInt8(ascii: "}") { return i + 1 == n ? object : nil }
        while true {
            guard let key = string(), i < n, b[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            guard let value = string(), i < n else { return nil }
            guard object.updateValue(value, forKey: key) == nil else { return nil }
            if b[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard b[i] == UInt8(ascii: "}"), i + 1 == n else { return nil }
            return object
        }
    }

    /// Answer records of a block of `rows` rows (`width` bytes each) into the code columns from row
    /// `start` (a function, not a closure over the loop's variables: those would be checked for
    /// exclusive access at run time on every row).
    static func transpose(_ block: [UInt8], rows: Int, width: Int, into columns: inout [[UInt8]], at start: Int) {
        if start + rows > columns.first?.count ?? 0 {
            for k in 0..<width { columns[k] += [UInt8](repeating: 0, count: start + rows - columns[k].count) }
        }
        block.withUnsafeBufferPointer { b in
            for k in 0..<width {
                columns[k].withUnsafeMutableBufferPointer { c in
                    for r in 0..<rows { c[start &+ r] = b[r &* width &+ k] }
                }
            }
        }
    }
}
