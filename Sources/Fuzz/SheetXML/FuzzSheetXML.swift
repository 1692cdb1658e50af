@testable import SIPASXlsxReader

// The byte-level worksheet scanner on arbitrary bytes: the whole input as one piece, then the input
// streamed as `XlsxWorkbook.forEachRow` streams a sheet (chunks, cut after the last `</row>`).

let shared = ["", "Tốt", "a", "1"]
let dateStyles: Set<Int> = [1, 3]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSheetXML(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = count > 0 && start != nil ? Array(UnsafeBufferPointer(start: start!, count: count)) : []
    let date1904 = (bytes.first ?? 0) & 1 == 1
    var cells = 0
    var whole = SheetScanner(shared: shared, dateStyles: dateStyles, date1904: date1904, maxCells: 100_000)
    _ = whole.run(bytes) { _, row in
        cells += row.count
        return true
    }
    // Streamed: chunks of 1…64 bytes, each scan ending after the last complete row.
    let chunk = 1 + Int(bytes.last ?? 0) % 64
    var streamed = SheetScanner(shared: shared, dateStyles: dateStyles, date1904: date1904, maxCells: 100_000)
    var pending: [UInt8] = []
    var searched = 0
    var lastRow = 0
    var failed = false
    let emit: (Int, [Int: XlsxValue]) -> Bool = { row, _ in
        if row <= lastRow { return false }
        lastRow = row
        return true
    }
    var i = 0
    while i < bytes.count, !failed {
        pending.append(contentsOf: bytes[i..<min(bytes.count, i + chunk)])
        i += chunk
        if let cut = SheetScanner.endOfLastRow(pending, from: searched - 3) {
            if streamed.run(Array(pending[0..<cut]), emit: emit) != nil { failed = true }
            pending.removeFirst(cut)
        }
        searched = pending.count
    }
    if !failed { _ = streamed.run(pending, emit: emit) }
    return 0
}
