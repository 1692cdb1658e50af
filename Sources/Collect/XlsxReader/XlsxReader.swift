import Foundation
import SIPASModel
import ZIPFoundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// A cell value as stored in the workbook.
public enum XlsxValue: Sendable, Equatable {
    case text(String)
    /// A number with the text Excel stored, so 1 and 1.0 can be told apart from "1".
    case number(Double, raw: String)
    case bool(Bool)
    case date(year: Int, month: Int, day: Int)
    case error(String)
}

/// Limits against hostile or broken files.
public struct XlsxLimits: Sendable {
    public var maxUncompressedBytes: UInt64 = 512 << 20
    /// Largest uncompressed:compressed ratio of one entry (zip bombs reach thousands).
    public var maxEntryRatio: UInt64 = 200
    public var maxCells = 20_000_000
    public static let standard = XlsxLimits()
    public init() {}
}

/// One worksheet, cells by 1-based row and column.
public struct XlsxSheet: Sendable {
    public var name: String
    public var rows: [Int: [Int: XlsxValue]] = [:]

    public var maxRow: Int { rows.keys.max() ?? 0 }
    public var maxColumn: Int { rows.values.map { $0.keys.max() ?? 0 }.max() ?? 0 }

    public func value(row: Int, column: Int) -> XlsxValue? { rows[row]?[column] }

    /// "A" for 1, "AA" for 27.
    public static func columnLetters(_ column: Int) -> String {
        var n = column
        var letters: [Character] = []
        while n > 0 {
            let r = (n - 1) % 26
            letters.append(Character(UnicodeScalar(UInt8(65 + r))))
            n = (n - 1) / 26
        }
        return String(letters.reversed())
    }
}

/// A read-only .xlsx workbook: ZIP with streaming XML, no external entities, bounded expansion.
public struct XlsxWorkbook: Sendable {
    public struct SheetInfo: Sendable, Equatable {
        public var name: String
        public var hidden: Bool
        var path: String
    }

    public let file: String
    public let sheets: [SheetInfo]
    public let date1904: Bool
    let sharedStrings: [String]
    let dateStyles: Set<Int>
    /// The small parts, extracted; worksheets stay compressed until read, row by row.
    let entries: [String: Data]
    let archiveData: Data
    /// Declared uncompressed size of each worksheet part.
    let sheetSizes: [String: UInt64]
    /// Where each entry's data lies in `archiveData`, from the central directory.
    let layout: [String: ZipEntryData]

    public init(contentsOf url: URL, limits: XlsxLimits = .standard) throws(Problem) {
        let name = url.lastPathComponent
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw Problem(file: name, message: "cannot read the file (\(error.localizedDescription))")
        }
        try self.init(data: data, file: name, limits: limits)
    }

    public init(data: Data, file: String, limits: XlsxLimits = .standard) throws(Problem) {
        self.file = file
        if data.count >= 4, data.prefix(4) == Data([0xD0, 0xCF, 0x11, 0xE0]) {
            throw Problem(file: file, message: "this is an old .xls workbook or a password-protected one; open it in Excel and save it as \"Excel Workbook (*.xlsx)\" without a password")
        }
        guard data.count >= 4, data.prefix(2) == Data([0x50, 0x4B]) else {
            throw Problem(file: file, message: "not an Excel workbook (.xlsx): the file is not a ZIP archive. Save it from Excel as \"Excel Workbook (*.xlsx)\"")
        }
        let walked = Self.zipLayout(data)
        if let problem = walked.problem {
            throw Problem(file: file, message: "the workbook is damaged (\(problem)); save it again from Excel")
        }
        layout = walked.entries
        let archive: Archive
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            throw Problem(file: file, message: "the workbook is damaged (not a readable ZIP archive: \(error)); save it again from Excel")
        }
        // Bounded extraction of the parts sipas reads.
        var parts: [String: Data] = [:]
        var sizes: [String: UInt64] = [:]
        var total: UInt64 = 0
        for entry in archive where entry.type == .file {
            let path = entry.path
            guard path.hasPrefix("xl/") || path == "[Content_Types].xml" else { continue }
            guard path.hasSuffix(".xml") || path.hasSuffix(".rels") else { continue }
            let declared = UInt64(entry.uncompressedSize)
            let compressed = max(UInt64(entry.compressedSize), 1)
            if declared / compressed > limits.maxEntryRatio && declared > 1 << 20 {
                throw Problem(file: file, message: "refused: \(path) expands \(declared / compressed)× (a ZIP bomb?)")
            }
            total += declared
            if total > limits.maxUncompressedBytes {
                throw Problem(file: file, message: "refused: the workbook expands past \(limits.maxUncompressedBytes >> 20) MB")
            }
            // Any part may hold a sheet (the workbook's relationships say which); worksheets are
            // the usual place and are streamed later rather than extracted now.
            sizes[path] = declared
            if path.hasPrefix("xl/worksheets/"), path.hasSuffix(".xml") { continue }
            var content = Data()
            do {
                try Self.extract(path, from: data, layout: walked.entries) { chunk in
                    if UInt64(content.count + chunk.count) > declared + 1024 { throw ZipEntryData.Overflow() }
                    content.append(chunk)
                }
            } catch is ZipEntryData.Overflow {
                throw Problem(file: file, message: "refused: \(path) holds more data than it declares")
            } catch {
                throw Problem(file: file, message: "the workbook is damaged (\(path): \(error)); save it again from Excel")
            }
            parts[path] = content
        }
        entries = parts
        sheetSizes = sizes
        archiveData = data

        guard let workbookXML = parts["xl/workbook.xml"] else {
            throw Problem(file: file, message: "not an Excel workbook: xl/workbook.xml is missing")
        }
        let book = try Self.parse(workbookXML, file: file, part: "xl/workbook.xml", WorkbookHandler())
        var rels: RelationshipsHandler?
        if let xml = parts["xl/_rels/workbook.xml.rels"] { rels = try Self.parse(xml, file: file, part: "workbook.xml.rels", RelationshipsHandler()) }
        var infos: [SheetInfo] = []
        for sheet in book.sheets {
            guard var target = rels?.targets[sheet.relationship] else { continue }
            if target.hasPrefix("/") { target.removeFirst() } else { target = "xl/" + target }
            infos.append(SheetInfo(name: sheet.name, hidden: sheet.state != "visible", path: target))
        }
        sheets = infos
        date1904 = book.date1904
        var strings: [String] = []
        if let xml = parts["xl/sharedStrings.xml"] { strings = try Self.parse(xml, file: file, part: "sharedStrings.xml", SharedStringsHandler()).strings }
        sharedStrings = strings
        var styles: Set<Int> = []
        if let xml = parts["xl/styles.xml"] { styles = try Self.parse(xml, file: file, part: "styles.xml", StylesHandler()).dateStyles }
        dateStyles = styles
    }

    /// Reads a whole sheet by name (for small sheets; ``forEachRow(inSheet:limits:_:)`` streams).
    public func sheet(named name: String, limits: XlsxLimits = .standard) throws(Problem) -> XlsxSheet {
        var sheet = XlsxSheet(name: name)
        try forEachRow(inSheet: name, limits: limits, allowRepeatedRows: true) { row, cells in
            sheet.rows[row, default: [:]].merge(cells) { _, new in new }
        }
        return sheet
    }

    /// Calls `body` with each row that has cells, in sheet order, decompressing and scanning the
    /// sheet piece by piece: memory stays bounded by the largest row, not the sheet.
    public func forEachRow(inSheet name: String, limits: XlsxLimits = .standard, _ body: (Int, [Int: XlsxValue]) -> Void) throws(Problem) {
        try forEachRow(inSheet: name, limits: limits, allowRepeatedRows: false, body)
    }

    private struct Stop: Error { var message: String }

    func forEachRow(inSheet name: String, limits: XlsxLimits, allowRepeatedRows: Bool, _ body: (Int, [Int: XlsxValue]) -> Void) throws(Problem) {
        guard let info = sheets.first(where: { $0.name == name }) else {
            throw Problem(file: file, message: "no sheet named '\(name)' (sheets: \(sheets.map(\.name).joined(separator: ", ")))")
        }
        guard let declared = sheetSizes[info.path], layout[info.path] != nil else {
            throw Problem(file: file, message: "sheet '\(name)' is missing from the archive")
        }
        var scanner = SheetScanner(shared: sharedStrings, dateStyles: dateStyles, date1904: date1904, maxCells: limits.maxCells)
        var pending: [UInt8] = []
        var searched = 0  // pending[..<searched] holds no row end
        var produced: UInt64 = 0
        var lastRow = 0
        func emit(_ row: Int, _ cells: [Int: XlsxValue]) -> Bool {
            if !allowRepeatedRows, row <= lastRow { return false }
            lastRow = max(lastRow, row)
            body(row, cells)
            return true
        }
        func scan(_ count: Int, final: Bool) throws(Problem) {
            if let problem = scanner.run(Array(pending[0..<count]), emit: emit) {
                throw Problem(file: file, message: "sheet '\(name)': \(problem)")
            }
            pending.removeFirst(count)
        }
        do {
            try Self.extract(info.path, from: archiveData, layout: layout) { chunk in
                produced += UInt64(chunk.count)
                if produced > declared + 1024 { throw Stop(message: "refused: \(info.path) holds more data than it declares") }
                pending.append(contentsOf: chunk)
                // Only the new bytes can end a row: searching all of a long row again for each chunk
                // was quadratic (seen while fuzzing).
                if let cut = SheetScanner.endOfLastRow(pending, from: searched - 3) {
                    do { try scan(cut, final: false) } catch let error as Problem { throw Stop(message: error.message) }
                }
                searched = pending.count
            }
        } catch let stop as Stop {
            throw Problem(file: file, message: stop.message)
        } catch {
            throw Problem(file: file, message: "the workbook is damaged (\(info.path): \(error)); save it again from Excel")
        }
        try scan(pending.count, final: true)
    }

    /// The central directory walked as ZIPFoundation walks it: why it must not read `data` (or
    /// nil), and where each entry's data lies, for ``extract(_:from:layout:_:)``. Its in-memory
    /// reader traps when an offset in the archive points past the end (found by fuzzing), so the
    /// offsets it will follow are checked first. ZIP64 is refused: a workbook under the size limit
    /// never needs it, and its 64-bit offsets would need the same care.
    static func zipLayout(_ data: Data) -> (problem: String?, entries: [String: ZipEntryData]) {
        let b = [UInt8](data)
        let n = b.count
        var entries: [String: ZipEntryData] = [:]
        func u16(_ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
        func u32(_ i: Int) -> Int { u16(i) | u16(i + 2) << 16 }
        func zip64Field(_ start: Int, _ length: Int) -> Bool {
            var i = start
            while i + 4 <= start + length {
                if u16(i) == 1 { return true }
                i += 4 + u16(i + 2)
            }
            return false
        }
        // The end record: the last signature, as ZIPFoundation finds it (none: it refuses the file).
        var end = n - 22
        while end >= 0, u32(end) != 0x0605_4B50 { end -= 1 }
        guard end >= 0 else { return (nil, entries) }
        if end >= 20, u32(end - 20) == 0x0706_4B50 { return ("ZIP64 archive", entries) }
        var entry = u32(end + 16)
        for _ in 0..<u16(end + 10) {
            guard entry <= n else { return ("the central directory lies past the end of the file", entries) }
            guard entry + 46 <= n, u32(entry) == 0x0201_4B50 else { break }  // where ZIPFoundation stops
            let nameLength = u16(entry + 28), extraLength = u16(entry + 30)
            let extra = entry + 46 + nameLength
            if b[entry + 6] >= 45 || (extra < n && zip64Field(extra, min(extraLength, n - extra))) { return ("ZIP64 entry", entries) }
            let local = u32(entry + 42)
            guard local <= n else { return ("an entry lies past the end of the file", entries) }
            guard local + 30 <= n, u32(local) == 0x0403_4B50 else { break }
            let start = local + 30 + u16(local + 26) + u16(local + 28)
            guard start <= n else { return ("an entry's data lies past the end of the file", entries) }
            if u16(entry + 8) & 8 != 0, start + u32(entry + (u16(entry + 10) != 0 ? 20 : 24)) > n {
                return ("an entry's data descriptor lies past the end of the file", entries)
            }
            let compressed = u32(entry + 20)
            if extra <= n {
                let name = String(decoding: b[(entry + 46)..<extra], as: UTF8.self)
                entries[name] = ZipEntryData(
                    start: start, compressedSize: compressed, method: u16(entry + 10), crc32: UInt32(truncatingIfNeeded: u32(entry + 16)))
            }
            entry += 46 + nameLength + extraLength + u16(entry + 32)
        }
        return (nil, entries)
    }

    /// Passes the decompressed bytes of entry `path` to `consumer` in chunks and checks its CRC.
    /// ZIPFoundation's own extraction reads on past the entry and, at the end of the file, loops
    /// for ever on a deflate stream that has not ended (found by fuzzing): here the stream is
    /// given the entry's bytes and no more, and one that needs more is damaged.
    static func extract(_ path: String, from data: Data, layout: [String: ZipEntryData], _ consumer: (Data) throws -> Void) throws {
        guard let entry = layout[path] else { throw ZipEntryData.Damaged(reason: "not in the central directory") }
        let end = entry.start + entry.compressedSize
        guard end <= data.count else { throw ZipEntryData.Damaged(reason: "its data lies past the end of the file") }
        let base = data.startIndex
        let crc: CRC32
        switch entry.method {
        case 0:
            let bytes = data.subdata(in: (base + entry.start)..<(base + end))
            try consumer(bytes)
            crc = bytes.crc32(checksum: 0)
        case 8:
            crc = try Data.decompress(
                size: Int64(entry.compressedSize), bufferSize: 64 << 10, skipCRC32: false,
                provider: { position, size in
                    // Always `size` bytes: ZIPFoundation hands zlib a whole buffer whatever the chunk
                    // holds, so a short last chunk is padded with zeros (which no stream can take
                    // for its own: they end or break it), and nothing is given past the entry.
                    let from = entry.start + Int(position)
                    let to = min(end, from + size)
                    guard from < to else { throw ZipEntryData.Damaged(reason: "its compressed data ends before its deflate stream does") }
                    var chunk = data.subdata(in: (base + from)..<(base + to))
                    if chunk.count < size { chunk.append(Data(count: size - chunk.count)) }
                    return chunk
                }, consumer: consumer)
        default:
            throw ZipEntryData.Damaged(reason: "compression method \(entry.method), not deflate")
        }
        guard crc == entry.crc32 else { throw ZipEntryData.Damaged(reason: "checksum mismatch") }
    }

    static func parse<H: XlsxHandler>(_ data: Data, file: String, part: String, _ handler: H) throws(Problem) -> H {
        // No DTDs at all: that rules out entity expansion and external entities.
        if data.range(of: Data("<!DOCTYPE".utf8)) != nil || data.range(of: Data("<!ENTITY".utf8)) != nil {
            throw Problem(file: file, message: "refused: \(part) declares a DTD or entities, which workbooks never need")
        }
        // FoundationXML traps on names and text that are not UTF-8, which libxml2 passes on while it
        // recovers from errors (found by fuzzing); workbooks are written in UTF-8.
        guard String(validating: data, as: UTF8.self) != nil else {
            throw Problem(file: file, message: "the workbook is damaged (\(part) is not UTF-8 text); save it again from Excel")
        }
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.delegate = handler
        guard parser.parse() else {
            let reason = handler.problem ?? parser.parserError.map { "\($0.localizedDescription)" } ?? "unknown XML error"
            throw Problem(file: file, message: "the workbook is damaged (\(part): \(reason)); save it again from Excel")
        }
        return handler
    }
}

/// Each handler conforms itself: on Linux, methods of a subclass would not be seen through a base class's conformance.
protocol XlsxHandler: XMLParserDelegate {
    var problem: String? { get }
}

final class WorkbookHandler: NSObject, XlsxHandler {
    var problem: String?
    var sheets: [(name: String, relationship: String, state: String)] = []
    var date1904 = false
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        switch local(name) {
        case "sheet":
            let rel = attributes.first { $0.key == "r:id" || $0.key.hasSuffix(":id") || $0.key == "id" }?.value ?? ""
            sheets.append(((attributes["name"] ?? "").precomposedStringWithCanonicalMapping, rel, attributes["state"] ?? "visible"))
        case "workbookPr":
            date1904 = attributes["date1904"] == "1" || attributes["date1904"] == "true"
        default: break
        }
    }
}

final class RelationshipsHandler: NSObject, XlsxHandler {
    var problem: String?
    var targets: [String: String] = [:]
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        if local(name) == "Relationship", let id = attributes["Id"], let target = attributes["Target"] { targets[id] = target }
    }
}

final class SharedStringsHandler: NSObject, XlsxHandler {
    var problem: String?
    var strings: [String] = []
    private var current = ""
    private var inText = false
    private var inPhonetic = false
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        switch local(name) {
        case "si": current = ""
        case "t": inText = !inPhonetic
        case "rPh": inPhonetic = true
        default: break
        }
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { if inText { current += string } }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch local(name) {
        case "si": strings.append(current.precomposedStringWithCanonicalMapping)
        case "t": inText = false
        case "rPh": inPhonetic = false
        default: break
        }
    }
}

final class StylesHandler: NSObject, XlsxHandler {
    var problem: String?
    var dateStyles: Set<Int> = []
    private var customDateFormats: Set<Int> = []
    private var inCellXfs = false
    private var xfIndex = 0
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        switch local(name) {
        case "numFmt":
            if let id = attributes["numFmtId"].flatMap(Int.init), let code = attributes["formatCode"], Self.isDateFormat(code) {
                customDateFormats.insert(id)
            }
        case "cellXfs": inCellXfs = true
        case "xf" where inCellXfs:
            let id = attributes["numFmtId"].flatMap(Int.init) ?? 0
            if (14...22).contains(id) || (45...47).contains(id) || customDateFormats.contains(id) { dateStyles.insert(xfIndex) }
            xfIndex += 1
        default: break
        }
    }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if local(name) == "cellXfs" { inCellXfs = false }
    }

    /// A format code with day, month or year outside quotes and brackets.
    static func isDateFormat(_ code: String) -> Bool {
        var inQuote = false, inBracket = false
        var sawDate = false
        for c in code.lowercased() {
            if c == "\"" { inQuote.toggle(); continue }
            if inQuote { continue }
            if c == "[" { inBracket = true; continue }
            if c == "]" { inBracket = false; continue }
            if inBracket { continue }
            if c == "d" || c == "y" { sawDate = true }
        }
        return sawDate
    }
}

/// Worksheet cell arithmetic shared by the streaming scanner: references, limits, date serials.
enum SheetCells {
    /// Calendar date of an Excel serial (1900 system with its phantom 29 Feb 1900, or 1904 system).
    static func date(serial: Double, date1904: Bool) -> XlsxValue? {
        guard serial >= 0, serial < 2_958_466 else { return nil }
        var days = Int(serial.rounded(.down))
        if date1904 {
            days += 1462
        } else if days < 61 {
            days += 1  // Serials before the fake leap day count from 1899-12-31.
        }
        // Days from 1899-12-30 to a civil date (Howard Hinnant's algorithm on days since 1970-01-01).
        let z = days - 25569 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return .date(year: y, month: m, day: d)
    }

    /// "C7" → (row 7, column 3); nil unless a cell of a worksheet (A1 to XFD1048576).
    static func reference(_ r: String) -> (row: Int, column: Int)? {
        var column = 0
        var rowDigits = 0
        var row = 0
        for u in r.utf8 {
            if u >= 65 && u <= 90, rowDigits == 0 {
                column = column * 26 + Int(u - 64)
            } else if u >= 48 && u <= 57 {
                row = row * 10 + Int(u - 48)
                rowDigits += 1
            } else {
                return nil
            }
            // Checked as it grows, so a long reference cannot overflow.
            if column > maxColumn || row > maxRow { return nil }
        }
        return column > 0 && row > 0 ? (row, column) : nil
    }

    /// Excel's sheet size.
    static let maxRow = 1_048_576
    static let maxColumn = 16_384
}

/// A byte-level scanner for worksheet XML: `<row>`, `<c r s t>`, `<v>`, `<is><t>`; no DOM, no
/// per-element objects. Worksheets are the large parts, and they use only this small vocabulary.
struct SheetScanner {
    var bytes: [UInt8] = []
    let shared: [String]
    let dateStyles: Set<Int>
    let date1904: Bool
    let maxCells: Int
    var p = 0
    // Carried from one piece of the sheet to the next.
    var row = 0, column = 0, cells = 0

    init(shared: [String], dateStyles: Set<Int>, date1904: Bool, maxCells: Int) {
        self.shared = shared
        self.dateStyles = dateStyles
        self.date1904 = date1904
        self.maxCells = maxCells
    }

    /// Just past the last `</row>` (any namespace prefix) in `bytes` whose "row>" starts at `start`
    /// or later, or nil.
    static func endOfLastRow(_ bytes: [UInt8], from start: Int = 0) -> Int? {
        var i = bytes.count - 4
        while i > 0, i >= start {
            if bytes[i] == 114, bytes[i + 1] == 111, bytes[i + 2] == 119, bytes[i + 3] == 62 {  // "row>"
                var lt = i - 1
                while lt >= 0, bytes[lt] != 60, bytes[lt] != 62 { lt -= 1 }
                if lt >= 0, bytes[lt] == 60, lt + 1 < i, bytes[lt + 1] == 47, lt + 2 == i || bytes[i - 1] == 58 { return i + 4 }
            }
            i -= 1
        }
        return nil
    }

    /// Scans one piece of the sheet (whole rows); `emit` gets each row with cells and returns false
    /// when the row number was seen before. Returns a problem description, or nil.
    mutating func run(_ piece: [UInt8], emit: (Int, [Int: XlsxValue]) -> Bool) -> String? {
        bytes = piece
        p = 0
        let n = bytes.count
        var currentRow: [Int: XlsxValue] = [:]
        var rowOpen = false
        var repeated: Int?
        func flush() {
            if rowOpen, !currentRow.isEmpty, !emit(row, currentRow) { repeated = repeated ?? row }
            currentRow = [:]
        }
        while p < n {
            guard let lt = index(of: 60, from: p) else { break }
            p = lt + 1
            guard p < n else { break }
            if bytes[p] == 63 || bytes[p] == 33 {  // <? … ?> and <!-- … -->
                if bytes[p] == 33, Self.startsWith(bytes, at: p + 1, "DOCTYPE") || Self.startsWith(bytes, at: p + 1, "ENTITY") {
                    return "refused: the sheet declares a DTD or entities, which workbooks never need"
                }
                guard let gt = index(of: 62, from: p) else { return "unterminated markup" }
                p = gt + 1
                continue
            }
            let closing = bytes[p] == 47
            if closing { p += 1 }
            let name = readName()
            let (attributes, selfClosing) = readAttributes()
            if closing {
                if name == "row" { flush(); rowOpen = false }
                continue
            }
            switch name {
            case "row":
                flush()
                if let r = attributes.r {
                    guard let number = Int(r), number >= 1, number <= SheetCells.maxRow else {
                        return "row number '\(r.prefix(30))' is not a row of a worksheet (1 to \(SheetCells.maxRow))"
                    }
                    row = number
                } else {
                    row += 1
                }
                column = 0
                rowOpen = true
            case "c":
                if let r = attributes.r {
                    guard let parsed = SheetCells.reference(r) else {
                        return "cell reference '\(r.prefix(30))' is not a cell of a worksheet (A1 to XFD\(SheetCells.maxRow))"
                    }
                    if parsed.row != row { flush(); row = parsed.row; rowOpen = true }
                    column = parsed.column
                } else {
                    column += 1
                }
                cells += 1
                if cells > maxCells { return "more than \(maxCells) cells" }
                if selfClosing { continue }
                let type = attributes.t ?? "n"
                let style = attributes.s.flatMap(Int.init) ?? 0
                guard let (v, inline) = readCellContent() else { return "unterminated cell at row \(row)" }
                if let value = SheetScanner.value(type: type, style: style, v: v, inline: inline, shared: shared, dateStyles: dateStyles, date1904: date1904) {
                    currentRow[column] = value
                }
            default:
                break
            }
            if let repeated { return "row \(repeated) appears twice or out of order in the sheet's XML; save the workbook again from Excel" }
        }
        flush()
        if let repeated { return "row \(repeated) appears twice or out of order in the sheet's XML; save the workbook again from Excel" }
        return nil
    }

    static func startsWith(_ bytes: [UInt8], at i: Int, _ word: String) -> Bool {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count else { return false }
        return Array(bytes[i..<(i + w.count)]) == w
    }

    func index(of byte: UInt8, from start: Int) -> Int? {
        var i = start
        while i < bytes.count {
            if bytes[i] == byte { return i }
            i += 1
        }
        return nil
    }

    /// Element name without its namespace prefix.
    mutating func readName() -> String {
        let start = p
        while p < bytes.count, !isSpace(bytes[p]), bytes[p] != 62, bytes[p] != 47 { p += 1 }
        var from = start
        for i in start..<p where bytes[i] == 58 { from = i + 1 }
        return String(decoding: bytes[from..<p], as: UTF8.self)
    }

    /// The attributes a worksheet's `<row>` and `<c>` carry that the scanner reads.
    struct CellAttributes {
        var r: String?
        var t: String?
        var s: String?
    }

    /// Attributes up to the end of the tag (only `r`, `t` and `s` are kept, compared as bytes
    /// without making a dictionary per cell); whether the tag closes itself.
    mutating func readAttributes() -> (CellAttributes, Bool) {
        var attributes = CellAttributes()
        while p < bytes.count {
            while p < bytes.count, isSpace(bytes[p]) { p += 1 }
            guard p < bytes.count else { break }
            if bytes[p] == 62 { p += 1; return (attributes, false) }
            if bytes[p] == 47 { p += 2; return (attributes, true) }
            var nameStart = p
            while p < bytes.count, bytes[p] != 61, bytes[p] != 62, !isSpace(bytes[p]) {
                if bytes[p] == 58 { nameStart = p + 1 }  // namespace prefix
                p += 1
            }
            let key: UInt8 = p - nameStart == 1 ? bytes[nameStart] : 0
            while p < bytes.count, bytes[p] != 34, bytes[p] != 39, bytes[p] != 62 { p += 1 }
            guard p < bytes.count, bytes[p] != 62 else { continue }
            let quote = bytes[p]
            p += 1
            let valueStart = p
            while p < bytes.count, bytes[p] != quote { p += 1 }
            switch key {
            case 114: attributes.r = unescape(valueStart, p)  // r
            case 116: attributes.t = unescape(valueStart, p)  // t
            case 115: attributes.s = unescape(valueStart, p)  // s
            default: break
            }
            p += 1
        }
        return (attributes, false)
    }

    /// The text of `<v>` and of the `<t>` elements of `<is>` (phonetic runs skipped), up to `</c>`.
    mutating func readCellContent() -> (v: String?, inline: String?)? {
        var v: String?
        var inline: String?
        var phonetic = false
        while p < bytes.count {
            guard let lt = index(of: 60, from: p) else { return nil }
            let textStart = p
            p = lt + 1
            let closing = p < bytes.count && bytes[p] == 47
            if closing { p += 1 }
            let name = readName()
            let (_, selfClosing) = readAttributes()
            if closing {
                if name == "c" { return (v, inline) }
                if name == "rPh" { phonetic = false }
                continue
            }
            _ = textStart
            if selfClosing { continue }
            switch name {
            case "v":
                guard let end = index(of: 60, from: p) else { return nil }
                v = unescape(p, end)
                p = end
            case "t" where !phonetic:
                guard let end = index(of: 60, from: p) else { return nil }
                inline = (inline ?? "") + unescape(p, end)
                p = end
            case "rPh":
                phonetic = true
            default:
                if name == "f" {
                    // Skip the formula text; the cached value follows in <v>.
                    guard let end = index(of: 60, from: p) else { return nil }
                    p = end
                }
            }
        }
        return nil
    }

    func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 10 || b == 13 }

    /// Decodes the five XML entities and numeric character references.
    func unescape(_ start: Int, _ end: Int) -> String {
        var hasAmp = false
        for i in start..<end where bytes[i] == 38 { hasAmp = true; break }
        if !hasAmp { return String(decoding: bytes[start..<end], as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(end - start)
        var i = start
        while i < end {
            // An entity ends within a few bytes (&#x10FFFF;): looking further for each "&" was
            // quadratic in a cell of many (seen while fuzzing).
            if bytes[i] == 38, let semi = bytes[i..<min(end, i + 12)].firstIndex(of: 59) {
                let entity = String(decoding: bytes[(i + 1)..<semi], as: UTF8.self)
                var scalar: Unicode.Scalar?
                switch entity {
                case "amp": scalar = "&"
                case "lt": scalar = "<"
                case "gt": scalar = ">"
                case "quot": scalar = "\""
                case "apos": scalar = "'"
                default:
                    if entity.hasPrefix("#x") { scalar = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init) }
                    else if entity.hasPrefix("#") { scalar = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init) }
                }
                if let scalar {
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    i = semi + 1
                    continue
                }
            }
            out.append(bytes[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func value(type: String, style: Int, v: String?, inline: String?, shared: [String], dateStyles: Set<Int>, date1904: Bool) -> XlsxValue? {
        switch type {
        case "s":
            guard let v, let i = Int(v), i >= 0, i < shared.count else { return v.map { .error("bad shared string \($0)") } }
            return .text(shared[i])
        case "inlineStr":
            return inline.map { .text($0.precomposedStringWithCanonicalMapping) }
        case "str":
            return v.map { .text($0.precomposedStringWithCanonicalMapping) }
        case "b":
            return v.map { .bool($0 == "1" || $0 == "true") }
        case "e":
            return v.map { .error($0) }
        default:
            guard let v, !v.isEmpty else { return nil }
            guard let number = Double(v) else { return .text(v) }
            if dateStyles.contains(style), let date = SheetCells.date(serial: number, date1904: date1904) { return date }
            return .number(number, raw: v)
        }
    }
}

private func local(_ name: String) -> Substring {
    if let colon = name.lastIndex(of: ":") { return name[name.index(after: colon)...] }
    return Substring(name)
}

/// Where one entry's data lies in the archive, from its central-directory record.
struct ZipEntryData: Sendable, Equatable {
    /// Offset of the (compressed) data: after the local header, name and extra field.
    var start: Int
    var compressedSize: Int
    /// 0 stored, 8 deflate.
    var method: Int
    var crc32: UInt32

    struct Damaged: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    struct Overflow: Error {}
}
