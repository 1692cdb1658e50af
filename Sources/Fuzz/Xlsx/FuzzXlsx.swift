import Foundation
import SIPASFuzzSupport
import SIPASModel
import SIPASTemplate
import SIPASXlsxReader
import ZIPFoundation

// A whole workbook read from bytes, then every sheet read and the template import run on it, and
// the report-workbook import's readers: the manifest, its questionnaire text, the Dữ liệu rows.
//
// An input that starts with "PK" is taken as the .xlsx file itself (this reaches the ZIP reading
// and the checks on it; a changed byte inside a compressed part mostly fails the CRC). Any other
// input is a list of parts, each introduced by a line "@@ path" and running up to the next such
// line, and is packed into a ZIP (stored, no compression) first: this reaches the XML of every
// part, which a mutated ZIP rarely does.

let partMarker = Array("@@ ".utf8)

/// The parts of a "@@ path" list: (path, content), in order.
func parts(_ bytes: [UInt8]) -> [(String, Data)] {
    var result: [(String, Data)] = []
    var i = 0
    let n = bytes.count
    // Start of each part: the marker at the start of the input or of a line.
    func isMarker(_ at: Int) -> Bool {
        at + partMarker.count <= n && (at == 0 || bytes[at - 1] == 10) && Array(bytes[at..<(at + partMarker.count)]) == partMarker
    }
    while i < n, !isMarker(i) { i += 1 }
    while i < n {
        var lineEnd = i + partMarker.count
        while lineEnd < n, bytes[lineEnd] != 10 { lineEnd += 1 }
        let path = String(decoding: bytes[(i + partMarker.count)..<lineEnd], as: UTF8.self)
        var end = min(n, lineEnd + 1)
        let contentStart = end
        while end < n, !isMarker(end) { end += 1 }
        // The newline before the next marker belongs to the marker.
        let contentEnd = end < n && end > contentStart ? end - 1 : end
        result.append((path, Data(bytes[contentStart..<max(contentStart, contentEnd)])))
        i = end
    }
    return result
}

func zip(_ parts: [(String, Data)]) -> Data? {
    guard let archive = try? Archive(data: Data(), accessMode: .create) else { return nil }
    for (path, content) in parts where !path.isEmpty {
        do {
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(content.count), modificationDate: Date(timeIntervalSince1970: 0)) { position, size in
                content.subdata(in: Int(position)..<(Int(position) + size))
            }
        } catch {
            continue  // A path ZIPFoundation will not write: leave that part out.
        }
    }
    return archive.data
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzXlsx(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = count > 0 && start != nil ? Array(UnsafeBufferPointer(start: start!, count: count)) : []
    let data: Data
    if bytes.starts(with: [0x50, 0x4B]) {
        data = Data(bytes)
    } else {
        guard let packed = zip(parts(bytes)) else { return 0 }
        data = packed
    }
    guard let book = try? XlsxWorkbook(data: data, file: "f.xlsx") else { return 0 }
    // Each sheet whole (rows may repeat); the template import streams the data sheet (they may not).
    for sheet in book.sheets { _ = try? book.sheet(named: sheet.name) }
    let identity = try? TemplateReader.identity(of: book)
    let q = identity?.questionnaireID == FuzzSupport.counterQuick.id ? FuzzSupport.counterQuick : FuzzSupport.sipas2023
    _ = try? TemplateReader.read(book, questionnaire: q, unit: identity?.unit ?? "XA01")
    if let pairs = try? TemplateReader.metaPairs(of: book), SubmissionManifest.isReport(pairs),
       let manifest = try? SubmissionManifest(pairs: pairs, file: "f.xlsx") {
        _ = try? Questionnaire(yaml: manifest.questionnaireYAML, file: "f.xlsx (manifest)")
    }
    _ = try? TemplateReader.readNumbered(book, questionnaire: q, unit: nil, layout: .reportData)
    return 0
}
