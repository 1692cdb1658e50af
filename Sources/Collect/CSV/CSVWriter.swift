import Foundation
import SIPASModel

/// Writes responses in the canonical CSV layout (the inverse of ``CanonicalCSVReader``).
public struct CanonicalCSVWriter: Sendable {
    /// Start with a UTF-8 byte-order mark so Excel shows Vietnamese correctly.
    public var byteOrderMark = true

    public init(byteOrderMark: Bool = true) {
        self.byteOrderMark = byteOrderMark
    }

    /// The header: metadata columns, then every item of the questionnaire in form order.
    public func header(for questionnaire: Questionnaire) -> [String] {
        ResponseTable.metadataColumns + questionnaire.items.map(\.id)
    }

    /// Writes the table to `url`, streaming in blocks.
    public func write(_ table: ResponseTable, to url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: url.path])
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try write(table) { try handle.write(contentsOf: $0) }
    }

    /// The file's bytes in blocks of about 1 MiB, in order (for a file, a hash or a pipe).
    public func write(_ table: ResponseTable, blocks: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        var buffer = [UInt8]()
        buffer.reserveCapacity(1 << 20)
        if byteOrderMark { buffer += [0xEF, 0xBB, 0xBF] }
        appendRow(header(for: table.questionnaire), to: &buffer)
        // Columns looked up once, not per cell, and kept by type (a cell read is then an index,
        // with no enum payload to retain per cell).
        var codeColumns: [[UInt8]] = [], pickColumns: [[UInt64]] = [], textColumns: [[String?]] = []
        let plan: [(kind: ColumnKind, index: Int)] = table.questionnaire.items.map { item in
            switch item.type {
            case .single, .scale, .yesNo:
                guard let c = table.codes[item.id] else { return (.blank, 0) }
                codeColumns.append(c)
                return (.code, codeColumns.count - 1)
            case .multi:
                guard let c = table.picks[item.id] else { return (.blank, 0) }
                pickColumns.append(c)
                return (.picks, pickColumns.count - 1)
            case .text, .dossier:
                guard let c = table.texts[item.id] else { return (.blank, 0) }
                textColumns.append(c)
                return (.text, textColumns.count - 1)
            }
        }
        for row in 0..<table.count {
            appendCell(table.formID[row], to: &buffer)
            appendOptional(table.unit[row], to: &buffer)
            appendOptional(table.collectedOn[row], to: &buffer)
            appendOptional(table.channel[row], to: &buffer)
            appendOptional(table.field[row], to: &buffer)
            for (kind, k) in plan {
                buffer.append(UInt8(ascii: ","))
                switch kind {
                case .code:
                    let c = codeColumns[k][row]
                    if c >= 100 { buffer.append(48 + c / 100) }
                    if c >= 10 { buffer.append(48 + (c / 10) % 10) }
                    if c > 0 { buffer.append(48 + c % 10) }
                case .picks:
                    let set = pickColumns[k][row]
                    if set != 0 { buffer += Array(Self.picks(set).utf8) }
                case .text:
                    if let t = textColumns[k][row] { appendCell(t, to: &buffer) }
                case .blank:
                    break
                }
            }
            buffer.append(10)
            if buffer.count > (1 << 20) - 4096 {
                try buffer.withUnsafeBufferPointer { try blocks($0) }
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try buffer.withUnsafeBufferPointer { try blocks($0) }
    }

    private enum ColumnKind { case code, picks, text, blank }

    /// A comma, then the cell when there is one.
    private func appendOptional(_ value: String?, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: ","))
        if let value { appendCell(value, to: &buffer) }
    }

    /// Codes of a multi-choice answer, "1|3".
    static func picks(_ set: UInt64) -> String {
        (1..<64).filter { set & (1 << UInt64($0)) != 0 }.map(String.init).joined(separator: "|")
    }

    static func cell(_ table: ResponseTable, _ item: Item, _ row: Int) -> String {
        switch item.type {
        case .single, .scale, .yesNo:
            let c = table.codes[item.id]![row]
            return c == 0 ? "" : String(c)
        case .multi:
            return picks(table.picks[item.id]![row])
        case .text, .dossier:
            return table.texts[item.id]![row] ?? ""
        }
    }

    func appendRow(_ cells: [String], to buffer: inout [UInt8]) {
        for (i, cell) in cells.enumerated() {
            if i > 0 { buffer.append(UInt8(ascii: ",")) }
            appendCell(cell, to: &buffer)
        }
        buffer.append(10)
    }

    /// Quotes when needed; text that a spreadsheet would run as a formula gets a leading apostrophe
    /// (``FormulaGuard``, undone by the reader).
    func appendCell(_ cell: String, to buffer: inout [UInt8]) {
        var copy = cell
        let plain = copy.withUTF8 { u -> Bool in
            if FormulaGuard.needed(u) { return false }
            if u.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 || $0 == UInt8(ascii: ";") }) { return false }
            buffer.append(contentsOf: u)
            return true
        }
        if plain { return }
        var utf8 = Array(cell.utf8)
        if FormulaGuard.needed(utf8) { utf8.insert(FormulaGuard.apostrophe, at: 0) }
        let needsQuotes = utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 || $0 == UInt8(ascii: ";") }
        if needsQuotes {
            buffer.append(UInt8(ascii: "\""))
            for b in utf8 {
                if b == UInt8(ascii: "\"") { buffer.append(b) }
                buffer.append(b)
            }
            buffer.append(UInt8(ascii: "\""))
        } else {
            buffer += utf8
        }
    }
}
