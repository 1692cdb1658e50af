import Foundation
import SIPASModel

extension Problems {
    /// A data file that cannot be used: every problem found (up to a limit); nothing was read.
    public static func dataFile(_ list: [Problem], total: Int? = nil) -> Problems {
        Problems(list, total: total, conclusion: "Nothing was read from the file: fix these cells and run again.")
    }
}

/// Reads the canonical CSV: a header of item ids and metadata columns, cells holding option codes.
///
/// UTF-8 with or without BOM; LF or CRLF; comma or semicolon delimiter (detected from the
/// header, as Vietnamese Excel saves with semicolons); RFC 4180 quoting.
public struct CanonicalCSVReader: Sendable {
    public let questionnaire: Questionnaire
    /// Problems listed before the reader stops collecting (the count goes on).
    public var issueLimit = 50
    /// Files larger than this many bytes are parsed in two halves on two cores.
    public var parallelThreshold = 16 << 20

    public init(questionnaire: Questionnaire) {
        self.questionnaire = questionnaire
    }

    public func read(contentsOf url: URL) throws(Problems) -> ResponseTable {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw Problems.dataFile([Problem(file: url.path, message: "a readable file (\(error.localizedDescription))")])
        }
        return try read(data: data, file: url.path)
    }

    /// Reads the file in pieces of about `pieceBytes`, calling `body` with each piece's rows while no
    /// problem has been found; after a problem it reads on only to list them all, then throws them.
    /// Pages already read are released, so memory holds a piece, not the file.
    /// With each piece come the file rows of its forms (the header is row 1; blank lines count),
    /// so that later refusals (a form id stored before) name the right row.
    public func forEachPiece(contentsOf url: URL, pieceBytes: Int = 4 << 20, _ body: (_ piece: ResponseTable, _ rows: [Int]) throws -> Void) throws {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else {
            throw Problems.dataFile([Problem(file: url.path, message: "a readable file (\(String(cString: strerror(errno))))")])
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw Problems.dataFile([Problem(file: url.path, message: "a readable file (\(String(cString: strerror(errno))))")])
        }
        let size = Int(info.st_size)
        var base: UnsafeMutableRawPointer?
        if size > 0 {
            guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
                throw Problems.dataFile([Problem(file: url.path, message: "a readable file (\(String(cString: strerror(errno))))")])
            }
            base = mapped
            _ = madvise(mapped, size, MADV_SEQUENTIAL)
        }
        defer { if let base { munmap(base, size) } }
        let bytes = UnsafeBufferPointer(start: base?.assumingMemoryBound(to: UInt8.self), count: size)
        var parser = Parser(bytes: bytes, file: url.path, questionnaire: questionnaire, issueLimit: issueLimit)
        parser.recordRows = true
        let header: [String], kinds: [ColumnKind]
        switch parser.readHeader() {
        case .success(let h): (header, kinds) = h
        case .failure(let e): throw e
        }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        while parser.position < size {
            parser.limit = min(size, parser.position + pieceBytes)
            let result = parser.readRows(header: header, kinds: kinds)
            if case .success(let piece) = result { try body(piece, parser.recordedRows) }
            // Release the pages read (the parser never looks back).
            let done = parser.position / page * page
            if let base, done > 0 { _ = madvise(base, done, MADV_DONTNEED) }
        }
        if parser.issueCount > 0 { throw parser.error() }
    }


    public func read(data: Data, file: String) throws(Problems) -> ResponseTable {
        let result: Result<ResponseTable, Problems> = data.withUnsafeBytes { raw in
            var parser = Parser(bytes: raw.bindMemory(to: UInt8.self), file: file, questionnaire: questionnaire, issueLimit: issueLimit)
            parser.parallelThreshold = parallelThreshold
            return parser.run()
        }
        return try result.get()
    }
}

/// A metadata value seen before: its bytes, its text, and its level code (unit, channel, field).
private struct InternedValue {
    var bytes: [UInt8]
    var value: String?
    var code: UInt32
}

/// What a column holds.
private enum ColumnKind {
    case formID, unit, collectedOn, channel, field
    /// Index into the coded columns.
    case code(Int)
    case multi(Int)
    case text(Int)
}

private struct Parser {
    let bytes: UnsafeBufferPointer<UInt8>
    let file: String
    let questionnaire: Questionnaire
    let issueLimit: Int
    var parallelThreshold = 16 << 20
    var position = 0
    /// End of the byte range this parser reads (a record boundary).
    var limit = 0
    var delimiter: UInt8 = UInt8(ascii: ",")
    var issues: [Problem] = []
    var issueCount = 0
    var row = 1
    /// Whether ``readRows(header:kinds:)`` keeps the row of each record in ``recordedRows``.
    var recordRows = false
    var recordedRows: [Int] = []
    /// The last field read ended with a delimiter: another field follows, empty at the end of input.
    var afterDelimiter = false

    init(bytes: UnsafeBufferPointer<UInt8>, file: String, questionnaire: Questionnaire, issueLimit: Int) {
        self.bytes = bytes
        self.file = file
        self.questionnaire = questionnaire
        self.issueLimit = issueLimit
        self.limit = bytes.count
    }

    mutating func fail(_ row: Int?, _ column: String?, _ value: String?, _ expected: String) {
        issueCount += 1
        if issues.count < issueLimit {
            issues.append(Problem(file: file, row: row, column: column, value: value, message: expected))
        }
    }

    // MARK: Field scanning

    /// Range of the next field's raw bytes, whether it was quoted, and whether the record ended.
    struct Field {
        var start: Int
        var end: Int
        var quoted: Bool
        var hasEscapedQuote: Bool
    }

    /// Reads one field; returns nil at end of input. `endOfRecord` is set after the last field of a line.
    mutating func nextField(endOfRecord: inout Bool) -> Field? {
        let n = bytes.count
        if position >= n {
            endOfRecord = true
            // "a,b," at the very end of the file (no line end) still has an empty last field.
            guard afterDelimiter else { return nil }
            afterDelimiter = false
            return Field(start: n, end: n, quoted: false, hasEscapedQuote: false)
        }
        afterDelimiter = false
        var field = Field(start: position, end: position, quoted: false, hasEscapedQuote: false)
        if bytes[position] == UInt8(ascii: "\"") {
            field.quoted = true
            position += 1
            field.start = position
            while true {
                guard position < n else {
                    fail(row, nil, nil, "a closing quote (\") before the end of the file")
                    field.end = n
                    endOfRecord = true
                    return field
                }
                let b = bytes[position]
                if b == UInt8(ascii: "\"") {
                    if position + 1 < n, bytes[position + 1] == UInt8(ascii: "\"") {
                        field.hasEscapedQuote = true
                        position += 2
                        continue
                    }
                    field.end = position
                    position += 1
                    break
                }
                position += 1
            }
        } else {
            while position < n {
                let b = bytes[position]
                if b == delimiter || b == 10 || b == 13 { break }
                position += 1
            }
            field.end = position
        }
        // After the field: delimiter, line end or end of input.
        if position >= n {
            endOfRecord = true
        } else if bytes[position] == delimiter {
            position += 1
            endOfRecord = false
            afterDelimiter = true
        } else if bytes[position] == 13 || bytes[position] == 10 {
            if bytes[position] == 13 { position += 1 }
            if position < n, bytes[position] == 10 { position += 1 }
            endOfRecord = true
        } else {
            fail(row, nil, nil, "a delimiter or line end after a quoted field")
            while position < n, bytes[position] != 10 { position += 1 }
            endOfRecord = true
        }
        return field
    }

    func string(_ f: Field) -> String? {
        let slice = UnsafeBufferPointer(rebasing: bytes[f.start..<f.end])
        var ascii = true
        for b in slice where b >= 0x80 {
            ascii = false
            break
        }
        var s: String
        if ascii {
            s = String(decoding: slice, as: UTF8.self)
        } else {
            guard let valid = String(validating: slice, as: UTF8.self) else { return nil }
            s = valid.precomposedForm
        }
        if f.hasEscapedQuote { s = s.replacingOccurrences(of: "\"\"", with: "\"") }
        if slice.first == FormulaGuard.apostrophe { s = FormulaGuard.undo(s) }
        return s
    }

    /// The field without leading and trailing spaces and tabs.
    func trimmed(_ f: Field) -> Field {
        var t = f
        while t.start < t.end, bytes[t.start] == 32 || bytes[t.start] == 9 { t.start += 1 }
        while t.end > t.start, bytes[t.end - 1] == 32 || bytes[t.end - 1] == 9 { t.end -= 1 }
        return t
    }

    /// Raw text for a message (invalid UTF-8 shown with replacement characters).
    func display(_ f: Field) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[f.start..<f.end]), as: UTF8.self)
    }

    func isBlank(_ f: Field) -> Bool {
        var i = f.start
        while i < f.end {
            if bytes[i] != 32 && bytes[i] != 9 { return false }
            i += 1
        }
        return true
    }

    /// A whole number in the field (spaces around allowed), or nil.
    func integer(_ f: Field) -> Int? {
        var i = f.start
        var end = f.end
        while i < end, bytes[i] == 32 { i += 1 }
        while end > i, bytes[end - 1] == 32 { end -= 1 }
        guard i < end, end - i <= 9 else { return nil }
        var v = 0
        while i < end {
            let d = Int(bytes[i]) - 48
            guard d >= 0, d <= 9 else { return nil }
            v = v * 10 + d
            i += 1
        }
        return v
    }

    // MARK: Run

    /// Reads the header: the column names and what each holds.
    mutating func readHeader() -> Result<(names: [String], kinds: [ColumnKind]), Problems> {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
        if bytes.count >= 2, (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF) {
            return .failure(Problems.dataFile([Problem(file: file, message: "UTF-8 text; this file is UTF-16. In Excel choose Save As → \"CSV UTF-8 (Comma delimited)\"")]))
        }
        guard position < bytes.count else {
            return .failure(Problems.dataFile([Problem(file: file, message: "a header row of column names; the file is empty")]))
        }
        detectDelimiter()
        var header: [String] = []
        var end = false
        while !end, let f = nextField(endOfRecord: &end) {
            header.append((string(f) ?? display(f)).trimmingCharacters(in: .whitespaces))
        }
        guard let kinds = columnKinds(header) else { return .failure(error()) }
        return .success((header, kinds))
    }

    mutating func run() -> Result<ResponseTable, Problems> {
        let header: [String], kinds: [ColumnKind]
        switch readHeader() {
        case .success(let h): (header, kinds) = h
        case .failure(let e): return .failure(e)
        }
        guard bytes.count - position > parallelThreshold, let split = splitPoint() else {
            return readRows(header: header, kinds: kinds)
        }
        // Large file: two halves on two cores, split at a record boundary.
        var first = self, second = self
        first.limit = split
        second.position = split
        second.row = 1
        var results: [Result<ResponseTable, Problems>?] = [nil, nil]
        var parsers = [first, second]
        let names = header
        // Each half writes its own slot through a pointer: two threads assigning into one array
        // could lose a half's result (found by fuzzing).
        results.withUnsafeMutableBufferPointer { out in
            parsers.withUnsafeMutableBufferPointer { halves in
                nonisolated(unsafe) let slots = out, halfParsers = halves
                DispatchQueue.concurrentPerform(iterations: 2) { i in
                    slots[i] = halfParsers[i].readRows(header: names, kinds: kinds)
                }
            }
        }
        let offset = parsers[0].row - 1
        switch (results[0]!, results[1]!) {
        case (.success(var a), .success(let b)):
            a.append(contentsOf: b)
            return .success(a)
        default:
            var issues: [Problem] = []
            var total = 0
            for (i, r) in results.enumerated() {
                guard case .failure(let e) = r! else { continue }
                total += e.total
                for var issue in e.list {
                    if i == 1, let r = issue.row { issue.row = r + offset }
                    if issues.count < issueLimit { issues.append(issue) }
                }
            }
            return .failure(Problems.dataFile(issues, total: total))
        }
    }

    /// A line start near the middle that lies outside any quoted field, or nil.
    func splitPoint() -> Int? {
        var candidate = position + (bytes.count - position) / 2
        while candidate < bytes.count, bytes[candidate - 1] != 10 { candidate += 1 }
        guard candidate < bytes.count else { return nil }
        // Quotes before the candidate must balance, or the newline is inside a quoted field.
        // Counted without a branch so the loop vectorises: it runs before the two halves start.
        var quotes = 0
        for b in UnsafeBufferPointer(rebasing: bytes[position..<candidate]) { quotes &+= b == 34 ? 1 : 0 }
        while quotes % 2 == 1 {
            while candidate < bytes.count, bytes[candidate] != 10 {
                if bytes[candidate] == 34 { quotes += 1 }
                candidate += 1
            }
            candidate += 1
            guard candidate < bytes.count else { return nil }
        }
        return candidate
    }

    mutating func detectDelimiter() {
        var commas = 0
        var semicolons = 0
        var i = position
        var inQuotes = false
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { inQuotes.toggle() }
            if !inQuotes {
                if b == 10 || b == 13 { break }
                if b == UInt8(ascii: ",") { commas += 1 }
                if b == UInt8(ascii: ";") { semicolons += 1 }
            }
            i += 1
        }
        delimiter = semicolons > commas ? UInt8(ascii: ";") : UInt8(ascii: ",")
    }

    var codedItems: [Item] = []
    var multiItems: [Item] = []
    var textItems: [Item] = []

    mutating func columnKinds(_ header: [String]) -> [ColumnKind]? {
        var kinds: [ColumnKind] = []
        var seen = Set<String>()
        let items = Dictionary(questionnaire.items.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for (i, name) in header.enumerated() {
            let column = "\(i + 1) (\(name.isEmpty ? "no name" : name))"
            if !seen.insert(name).inserted {
                fail(1, column, name, "each column once; '\(name)' appears twice")
                continue
            }
            switch name {
            case "form_id": kinds.append(.formID)
            case "unit": kinds.append(.unit)
            case "collected_on": kinds.append(.collectedOn)
            case "channel": kinds.append(.channel)
            case "field": kinds.append(.field)
            default:
                guard let item = items[name] else {
                    fail(1, column, name, "a metadata column (\(ResponseTable.metadataColumns.joined(separator: ", "))) or an item id of questionnaire \(questionnaire.id) \(questionnaire.version)")
                    continue
                }
                switch item.type {
                case .single, .scale, .yesNo:
                    kinds.append(.code(codedItems.count))
                    codedItems.append(item)
                case .multi:
                    kinds.append(.multi(multiItems.count))
                    multiItems.append(item)
                case .text, .dossier:
                    kinds.append(.text(textItems.count))
                    textItems.append(item)
                }
            }
        }
        if !header.contains("form_id") {
            fail(1, nil, nil, "a 'form_id' column (the number written on each paper form or the kiosk's id)")
        }
        return issues.isEmpty ? kinds : nil
    }

    func error() -> Problems { Problems.dataFile(issues, total: issueCount) }

    func allowed(_ item: Item) -> String {
        let list = (item.options + item.missing).map { "\($0.code) \($0.label)" }.joined(separator: ", ")
        return "a code of item \(item.id): \(list), or blank"
    }

    mutating func readRows(header: [String], kinds: [ColumnKind]) -> Result<ResponseTable, Problems> {
        // Lookup table per coded item: valid[code] for code 0…255.
        let validTables: [[Bool]] = codedItems.map { item in
            var t = [Bool](repeating: false, count: 256)
            for c in item.validCodes where c > 0 && c < 256 { t[c] = true }
            return t
        }
        let multiValid: [UInt64] = multiItems.map { item in
            item.validCodes.reduce(UInt64(0)) { $0 | (($1 > 0 && $1 < 64) ? (1 << UInt64($1)) : 0) }
        }
        let estimate = max(16, (limit - position) / max(1, 2 * header.count))
        // Codes row-major in one flat buffer (one write per cell), split into columns at the end.
        let width = codedItems.count
        var codeMatrix = [UInt8](repeating: 0, count: max(1, estimate * width))
        var multiColumns = [[UInt64]](repeating: [], count: multiItems.count)
        var textColumns = [[String?]](repeating: [], count: textItems.count)
        var formIDs: [String] = []
        formIDs.reserveCapacity(estimate)
        var units = Categorical(), channels = Categorical(), fields = Categorical()
        var dates: [String?] = []
        units.reserveCapacity(estimate)
        channels.reserveCapacity(estimate)
        fields.reserveCapacity(estimate)
        dates.reserveCapacity(estimate)
        // Unit, date, channel and field take few distinct values: each is made, checked and
        // normalised once and then found by a hash of its bytes (compared in full), not remade per row.
        var interned: [UInt64: InternedValue] = [:]
        let kindCount = kinds.count
        let codeIndex: [Int] = kinds.map { if case .code(let k) = $0 { k } else { -1 } }
        var valid = [Bool](repeating: false, count: 256 * max(1, width))
        for (k, table) in validTables.enumerated() { for c in 0..<256 where table[c] { valid[k * 256 + c] = true } }
        let n = bytes.count
        var rows = 0
        recordedRows.removeAll(keepingCapacity: true)
        var columnNames = header.enumerated().map { "\($0.offset + 1) (\($0.element))" }
        columnNames.append("(extra)")

        while position < limit {
            row += 1
            var end = false
            var col = 0
            // Skip completely empty lines.
            if bytes[position] == 10 || bytes[position] == 13 {
                if bytes[position] == 13 { position += 1 }
                if position < bytes.count, bytes[position] == 10 { position += 1 }
                continue
            }
            if (rows + 1) * width > codeMatrix.count {
                codeMatrix += [UInt8](repeating: 0, count: max(codeMatrix.count, width))
            }
            var formID: String?
            var unit: UInt32 = 0
            var date: String?
            var channel: UInt32 = 0
            var fieldValue: UInt32 = 0
            while !end {
                // Fast path: an unquoted code cell, parsed and checked in one pass over its bytes.
                if col < kindCount, codeIndex[col] >= 0, position < n, bytes[position] != 34 {
                    let start = position
                    var p = position
                    var v = 0, digits = 0
                    var bad = false, trailing = false
                    while p < n {
                        let b = bytes[p]
                        if b == delimiter || b == 10 || b == 13 { break }
                        if b &- 48 < 10 {
                            if trailing { bad = true }
                            v = v &* 10 &+ Int(b &- 48)
                            digits += 1
                        } else if b == 32 || b == 9 {
                            if digits > 0 { trailing = true }
                        } else {
                            bad = true
                        }
                        p += 1
                    }
                    if p >= n {
                        position = p
                        end = true
                    } else if bytes[p] == delimiter {
                        position = p + 1
                    } else {
                        position = p
                        if bytes[position] == 13 { position += 1 }
                        if position < n, bytes[position] == 10 { position += 1 }
                        end = true
                    }
                    let k = codeIndex[col]
                    if digits == 0 && !bad {
                        // Blank: the buffer already holds 0.
                    } else if !bad, digits <= 3, v < 256, valid[k &* 256 &+ v] {
                        codeMatrix[rows &* width &+ k] = UInt8(truncatingIfNeeded: v)
                    } else {
                        fail(row, columnNames[col], display(Field(start: start, end: p, quoted: false, hasEscapedQuote: false)), allowed(codedItems[k]))
                    }
                    col += 1
                    continue
                }
                guard let f = nextField(endOfRecord: &end) else { break }
                defer { col += 1 }
                guard col < kinds.count else {
                    if col == kinds.count {
                        fail(row, nil, nil, "\(kinds.count) cells as in the header; this row has more")
                    }
                    continue
                }
                // Metadata cells that may be remembered by their bytes (see `interned`); longer ones and
                // ones with escaped quotes go the general way, which also enforces the 255-byte limit.
                let internable = !f.hasEscapedQuote && f.end - f.start <= 255
                switch kinds[col] {
                case .code(let k):
                    if f.start == f.end || isBlank(f) {
                        // Blank: the buffer already holds 0.
                    } else if let v = integer(f), v < 256, validTables[k][v] {
                        codeMatrix[rows * width + k] = UInt8(v)
                    } else {
                        fail(row, columnNames[col], display(f), allowed(codedItems[k]))
                    }
                case .multi(let k):
                    var set: UInt64 = 0
                    // Fast path for plain digits and separators ("5|7"): no strings made. Anything
                    // else, or an invalid code, goes the general way below, which reports it.
                    var fast = !f.quoted
                    if fast {
                        var v = 0, digits = 0
                        let allowed = multiValid[k]
                        for i in f.start...f.end {
                            let b: UInt8 = i < f.end ? bytes[i] : 124
                            if b &- 48 < 10 {
                                v = v &* 10 &+ Int(b &- 48)
                                digits += 1
                            } else if b == 124 || b == 32 || b == 44 || b == 59 {
                                if digits > 0 {
                                    guard digits <= 2, v > 0, v < 64, allowed & (1 << UInt64(v)) != 0 else { fast = false; break }
                                    set |= 1 << UInt64(v)
                                }
                                v = 0
                                digits = 0
                            } else {
                                fast = false
                                break
                            }
                        }
                        if let max = multiItems[k].maxPicks, set.nonzeroBitCount > max { fast = false }
                        if set == 0 { fast = false }  // blank, or separators only: decided below
                        if !fast { set = 0 }
                    }
                    if !fast, !isBlank(f) {
                        let text = display(f)
                        let parts = text.split(whereSeparator: { $0 == "|" || $0 == " " || $0 == "," || $0 == ";" })
                        var ok = !parts.isEmpty
                        for p in parts {
                            if let v = Int(p), v > 0, v < 64, multiValid[k] & (1 << UInt64(v)) != 0 {
                                set |= 1 << UInt64(v)
                            } else {
                                ok = false
                            }
                        }
                        if !ok {
                            fail(row, columnNames[col], text, allowed(multiItems[k]) + ", several separated by '|'")
                        } else if let max = multiItems[k].maxPicks, set.nonzeroBitCount > max {
                            fail(row, columnNames[col], text, "at most \(max) picks for item \(multiItems[k].id)")
                        }
                    }
                    multiColumns[k].append(set)
                case .text(let k):
                    if isBlank(f) {
                        textColumns[k].append(nil)
                    } else if f.end - f.start > Parser.maxCellBytes {
                        textColumns[k].append(nil)
                        fail(row, columnNames[col], "\(display(Field(start: f.start, end: f.start + 40, quoted: false, hasEscapedQuote: false)))… (\(f.end - f.start) bytes)",
                             "text of at most 32,767 characters (Excel's cell limit); is a quote missing, so that the rest of the file ran into this cell?")
                    } else if let s = string(f) {
                        textColumns[k].append(s)
                    } else {
                        textColumns[k].append(nil)
                        fail(row, columnNames[col], display(f), Parser.utf8Advice)
                    }
                case .unit where internable, .collectedOn where internable, .channel where internable, .field where internable:
                    let t = trimmed(f)
                    var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(col)
                    for i in t.start..<t.end { h = (h ^ UInt64(bytes[i])) &* 0x0000_0100_0000_01B3 }
                    var found = interned[h]
                    if let e = found, !e.bytes.elementsEqual(UnsafeBufferPointer(rebasing: bytes[t.start..<t.end])) { found = nil }
                    if found == nil {
                        // First sight: made and checked the general way; only a valid value is kept.
                        var value: String?
                        var ok = true
                        if t.start == t.end {
                            value = nil
                        } else if let s = string(t) {
                            value = s
                            if CodeText.hasControlCharacter(s) {
                                fail(row, columnNames[col], CodeText.shown(s), CodeText.expected)
                                ok = false
                            } else if case .collectedOn = kinds[col], !ISODate.isValid(s) {
                                fail(row, columnNames[col], s, Parser.dateExpected)
                                ok = false
                            }
                        } else {
                            fail(row, columnNames[col], display(f), Parser.utf8Advice)
                            ok = false
                        }
                        if ok {
                            var code: UInt32 = 0
                            switch kinds[col] {
                            case .unit: code = units.code(of: value)
                            case .channel: code = channels.code(of: value)
                            case .field: code = fields.code(of: value)
                            default: break
                            }
                            found = InternedValue(bytes: Array(UnsafeBufferPointer(rebasing: bytes[t.start..<t.end])), value: value, code: code)
                            if interned.count < 100_000 { interned[h] = found }
                        }
                    }
                    if let e = found {
                        switch kinds[col] {
                        case .unit: unit = e.code
                        case .channel: channel = e.code
                        case .field: fieldValue = e.code
                        default: date = e.value
                        }
                    }
                case .formID, .unit, .collectedOn, .channel, .field:
                    let value: String?
                    if isBlank(f) {
                        value = nil
                    } else if f.end - f.start > 255 {
                        fail(row, columnNames[col], "\(display(Field(start: f.start, end: f.start + 40, quoted: false, hasEscapedQuote: false)))… (\(f.end - f.start) bytes)", "at most 255 characters")
                        value = nil
                    } else if let s = string(trimmed(f)) {
                        // Refused, but kept in the row so that it is not also reported missing.
                        if CodeText.hasControlCharacter(s) { fail(row, columnNames[col], CodeText.shown(s), CodeText.expected) }
                        value = s
                    } else {
                        fail(row, columnNames[col], display(f), Parser.utf8Advice)
                        value = nil
                    }
                    switch kinds[col] {
                    case .formID: formID = value
                    case .unit: unit = units.code(of: value)
                    case .collectedOn:
                        if let value, !ISODate.isValid(value) {
                            fail(row, columnNames[col], value, Parser.dateExpected)
                        }
                        date = value
                    case .channel: channel = channels.code(of: value)
                    default: fieldValue = fields.code(of: value)
                    }
                }
            }
            if col < kinds.count {
                fail(row, nil, nil, "\(kinds.count) cells as in the header; this row has \(col)")
                // Pad so columns stay aligned while errors are collected.
                for c in col..<kinds.count {
                    switch kinds[c] {
                    case .code: break
                    case .multi(let k): multiColumns[k].append(0)
                    case .text(let k): textColumns[k].append(nil)
                    default: break
                    }
                }
            }
            if formID == nil, kinds.contains(where: { if case .formID = $0 { true } else { false } }) {
                fail(row, "form_id", nil, "a form id in every row")
            }
            formIDs.append(formID ?? "")
            units.append(code: unit)
            dates.append(date)
            channels.append(code: channel)
            fields.append(code: fieldValue)
            if recordRows { recordedRows.append(row) }
            rows += 1
        }
        if issueCount > 0 { return .failure(error()) }
        var codes: [String: [UInt8]] = [:]
        for (k, item) in codedItems.enumerated() {
            var column = [UInt8](repeating: 0, count: rows)
            codeMatrix.withUnsafeBufferPointer { m in
                column.withUnsafeMutableBufferPointer { c in
                    for r in 0..<rows { c[r] = m[r * width + k] }
                }
            }
            codes[item.id] = column
        }
        var picks: [String: [UInt64]] = [:]
        for (k, item) in multiItems.enumerated() { picks[item.id] = multiColumns[k] }
        var texts: [String: [String?]] = [:]
        for (k, item) in textItems.enumerated() { texts[item.id] = textColumns[k] }
        codeMatrix = []
        return .success(ResponseTable(
            questionnaire: questionnaire, formID: formIDs, unit: units, collectedOn: dates,
            channel: channels, field: fields, codes: codes, picks: picks, texts: texts))
    }

    /// 32,767 characters of up to 4 UTF-8 bytes each.
    static let maxCellBytes = 32_767 * 4

    static let dateExpected = "a date as YYYY-MM-DD (e.g. 2026-03-31), or blank"

    static let utf8Advice =
        "UTF-8 text; this cell is not valid UTF-8 (legacy Vietnamese encodings such as TCVN3, VNI or CP1258 are not accepted: convert the file to Unicode, e.g. Excel → Save As → \"CSV UTF-8\")"
}
