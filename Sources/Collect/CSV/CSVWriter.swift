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
        var buffer = [UInt8]()
        buffer.reserveCapacity(1 << 20)
        if byteOrderMark { buffer += [0xEF, 0xBB, 0xBF] }
        let items = table.questionnaire.items
        appendRow(header(for: table.questionnaire), to: &buffer)
        var cells = [String](repeating: "", count: 5 + items.count)
        for row in 0..<table.count {
            cells[0] = table.formID[row]
            cells[1] = table.unit[row] ?? ""
            cells[2] = table.collectedOn[row] ?? ""
            cells[3] = table.channel[row] ?? ""
            cells[4] = table.field[row] ?? ""
            for (i, item) in items.enumerated() {
                cells[5 + i] = Self.cell(table, item, row)
            }
            appendRow(cells, to: &buffer)
            if buffer.count > (1 << 20) - 4096 {
                try handle.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: buffer)
    }

    static func cell(_ table: ResponseTable, _ item: Item, _ row: Int) -> String {
        switch item.type {
        case .single, .scale, .yesNo:
            let c = table.codes[item.id]![row]
            return c == 0 ? "" : String(c)
        case .multi:
            let set = table.picks[item.id]![row]
            return (1..<64).filter { set & (1 << UInt64($0)) != 0 }.map(String.init).joined(separator: "|")
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

    /// Quotes when needed; text that a spreadsheet would run as a formula gets a leading apostrophe.
    func appendCell(_ cell: String, to buffer: inout [UInt8]) {
        var utf8 = Array(cell.utf8)
        if let first = utf8.first, [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@")].contains(first),
            !cell.allSatisfy({ $0.isNumber || $0 == "-" })
        {
            utf8.insert(UInt8(ascii: "'"), at: 0)
        }
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
