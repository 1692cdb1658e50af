import Foundation
import SIPASModel
import SIPASSynthetic
import SIPASTemplate
import SIPASXlsxReader
import Testing
import ZIPFoundation

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func questionnaire(_ id: String) throws -> Questionnaire {
    try Questionnaire(yaml: String(contentsOf: repositoryRoot.appendingPathComponent("Questionnaires/\(id).yaml"), encoding: .utf8), file: "\(id).yaml")
}

@Test func templateWithResponsesReadsBackToTheSameTable() throws {
    let q = try questionnaire("sipas-2023")
    let table = SyntheticResponses(count: 60, units: 1, seed: 12).generate(q)
    let identity = TemplateIdentity(questionnaireID: q.id, version: q.version, contentHash: "abc123", unit: "XA01")
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("t-\(UUID().uuidString).xlsx").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try TemplateWriter(questionnaire: q, identity: identity).write(to: path, responses: table)
    let book = try XlsxWorkbook(contentsOf: URL(fileURLWithPath: path))
    #expect(book.sheets.map(\.name) == [TemplateLayout.dataSheet, TemplateLayout.legendSheet, TemplateLayout.metaSheet])
    #expect(book.sheets.map(\.hidden) == [false, false, true])
    #expect(try TemplateReader.identity(of: book) == identity)
    let back = try TemplateReader.read(book, questionnaire: q, unit: "XA01")
    #expect(back.count == 60)
    #expect(back.formID == table.formID)
    #expect(back.codes == table.codes)
    #expect(back.picks == table.picks)
    #expect(back.texts == table.texts)
    #expect(back.collectedOn == table.collectedOn)
    #expect((0..<60).allSatisfy { back.channel[$0] == table.channel[$0] && back.field[$0] == table.field[$0] })
}

@Test func templateDatesAreExcelSerialsOfThe1900System() throws {
    // 1900 system: serial 45292 is 2024-01-01; 60 is Excel's phantom 1900-02-29, 61 is 1900-03-01.
    #expect(TemplateWriter.excelSerial("2024-01-01") == 45292)
    #expect(TemplateWriter.excelSerial("1900-03-01") == 61)
    #expect(TemplateWriter.excelSerial("2026-03-31") == 46112)
}

@Test func columnLettersAndRefusalOfNonZipAndOLEFiles() throws {
    #expect([1, 26, 27, 52, 53, 702, 703, 16384].map(XlsxSheet.columnLetters) == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "XFD"])
    let notZip = Data("form_id,unit\n".utf8)
    #expect(throws: Problem.self) { try XlsxWorkbook(data: notZip, file: "x.xlsx") }
    let ole = Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
    do {
        _ = try XlsxWorkbook(data: ole, file: "old.xls")
        Issue.record("OLE file accepted")
    } catch {
        #expect(error.description.contains("password-protected") && error.description.contains("old.xls"))
    }
}

/// A workbook of one sheet (named S), packed in memory; `parts` adds or replaces parts (path → bytes).
func workbook(sheet sheetData: String, named name: String = "S", parts: [String: [UInt8]] = [:]) throws -> Data {
    var all: [String: [UInt8]] = [
        "xl/workbook.xml": Array(#"<workbook xmlns:r="r"><sheets><sheet name="\#(name)" sheetId="1" r:id="rId1"/></sheets></workbook>"#.utf8),
        "xl/_rels/workbook.xml.rels": Array(#"<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>"#.utf8),
        "xl/worksheets/sheet1.xml": Array("<worksheet><sheetData>\(sheetData)</sheetData></worksheet>".utf8),
    ]
    all.merge(parts) { _, new in new }
    let archive = try Archive(data: Data(), accessMode: .create)
    for (path, bytes) in all.sorted(by: { $0.key < $1.key }) {
        try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(bytes.count)) { position, size in
            Data(bytes[Int(position)..<Int(position) + size])
        }
    }
    return try #require(archive.data)
}

func sheetProblem(_ sheetData: String) throws -> String? {
    let book = try XlsxWorkbook(data: workbook(sheet: sheetData), file: "f.xlsx")
    do {
        _ = try book.sheet(named: "S")
        return nil
    } catch {
        return error.description
    }
}

@Test func cellReferencesAndRowNumbersOutsideTheSheetAreRefused() throws {
    // Found by fuzzing: a long reference overflowed while its letters or digits were added up, and
    // a row numbered Int.max overflowed at the next row; both trapped.
    #expect(try sheetProblem(#"<row r="1"><c r="FFFFFFFFFFFFFFFFs1"><v>1</v></c></row>"#)
        == "f.xlsx: sheet 'S': cell reference 'FFFFFFFFFFFFFFFFs1' is not a cell of a worksheet (A1 to XFD1048576)")
    #expect(try sheetProblem(#"<row r="1"><c r="A99999999999999999999"><v>1</v></c></row>"#)?.contains("cell reference 'A99999999999999999999'") == true)
    #expect(try sheetProblem(#"<row r="1"><c r="XFE1"><v>1</v></c></row>"#)?.contains("cell reference 'XFE1'") == true)
    #expect(try sheetProblem(#"<row r="9223372036854775807"><c><v>1</v></c></row><row><c><v>2</v></c></row>"#)
        == "f.xlsx: sheet 'S': row number '9223372036854775807' is not a row of a worksheet (1 to 1048576)")
    #expect(try sheetProblem(#"<row r="0"><c><v>1</v></c></row>"#)?.contains("row number '0'") == true)
    // The last cell of a sheet is still a cell.
    let book = try XlsxWorkbook(data: workbook(sheet: #"<row r="1048576"><c r="XFD1048576"><v>7</v></c></row>"#), file: "f.xlsx")
    #expect(try book.sheet(named: "S").value(row: 1_048_576, column: 16_384) == .number(7, raw: "7"))
}

@Test func xmlPartsThatAreNotUTF8AreRefused() throws {
    // Found by fuzzing: FoundationXML traps on an element or attribute name that is not UTF-8
    // (libxml2 passes it on while recovering), here in the shared strings.
    let shared = Array("<sst><si".utf8) + [0xC3, 0xC3, 0x8B, 0xC1] + Array("<t>a</t></si></sst>".utf8)
    let data = try workbook(sheet: "", parts: ["xl/sharedStrings.xml": shared])
    do {
        _ = try XlsxWorkbook(data: data, file: "f.xlsx")
        Issue.record("a part that is not UTF-8 was read")
    } catch {
        #expect(error.description == "f.xlsx: the workbook is damaged (sharedStrings.xml is not UTF-8 text); save it again from Excel")
    }
}

@Test func zipOffsetsPastTheEndAreRefused() throws {
    // Found by fuzzing: ZIPFoundation's in-memory reader traps when the central directory or an
    // entry's local header lies past the end of the data.
    let good = try [UInt8](workbook(sheet: ""))
    func u32(_ b: [UInt8], _ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(b[at + $1]) << (8 * $1) } }
    func put32(_ b: inout [UInt8], _ at: Int, _ v: Int) { for k in 0..<4 { b[at + k] = UInt8(truncatingIfNeeded: v >> (8 * k)) } }
    let end = try #require((0...(good.count - 22)).last { u32(good, $0) == 0x0605_4B50 })
    var entryPastTheEnd = good
    put32(&entryPastTheEnd, u32(good, end + 16) + 42, 0x7FFF_FFFF)
    var directoryPastTheEnd = good
    put32(&directoryPastTheEnd, end + 16, 0x7FFF_FFFF)
    for (bytes, problem) in [(entryPastTheEnd, "an entry lies past the end of the file"), (directoryPastTheEnd, "the central directory lies past the end of the file")] {
        do {
            _ = try XlsxWorkbook(data: Data(bytes), file: "f.xlsx")
            Issue.record("accepted: \(problem)")
        } catch {
            #expect(error.description == "f.xlsx: the workbook is damaged (\(problem)); save it again from Excel")
        }
    }
    _ = try XlsxWorkbook(data: Data(good), file: "f.xlsx")
}

@Test func aHugeNumberInAMultiChoiceCellIsACellProblem() throws {
    // Seen while fuzzing the readers: a whole number too large for Int (1e300) in a multi-choice cell trapped.
    let q = try questionnaire("sipas-2023")
    func cell(_ r: String, _ text: String) -> String { #"<c r="\#(r)" t="inlineStr"><is><t>\#(text)</t></is></c>"# }
    let rows = #"<row r="2">\#(cell("A2", "form_id"))\#(cell("B2", "q2"))</row><row r="3">\#(cell("A3", "F1"))<c r="B3"><v>1e300</v></c></row>"#
    let book = try XlsxWorkbook(data: workbook(sheet: rows, named: TemplateLayout.dataSheet), file: "f.xlsx")
    do {
        _ = try TemplateReader.read(book, questionnaire: q, unit: "XA01")
        Issue.record("1e300 was read as codes")
    } catch let error as Problems {
        #expect(error.list.map(\.row) == [3])
        #expect(error.list.first?.column == "B (q2)" && error.list.first?.value == "1e300")
    }
}

@Test func longCellsAndManyAmpersandsAreReadInLinearTime() throws {
    // Seen while fuzzing: a cell of 30,000 "&" took 17 s (each "&" looked for its ";" up to the end
    // of the cell), and a row longer than a chunk of the sheet was searched again for every chunk.
    let amps = String(repeating: "&", count: 200_000)
    let long = String(repeating: "ab", count: 4_000_000)
    let rows = #"<row r="1"><c r="A1" t="str"><v>\#(amps)&amp;&#x1EA1;</v></c><c r="B1" t="inlineStr"><is><t>\#(long)</t></is></c></row>"#
    let start = ContinuousClock.now
    let sheet = try XlsxWorkbook(data: workbook(sheet: rows), file: "f.xlsx").sheet(named: "S")
    #expect(sheet.value(row: 1, column: 1) == .text(amps + "&ạ"))
    #expect(sheet.value(row: 1, column: 2) == .text(long))
    #expect(ContinuousClock.now - start < .seconds(30))  // minutes before, quadratic in both
}

@Test(.timeLimit(.minutes(1))) func aDeflateStreamThatDoesNotEndInItsEntryIsRefusedNotReadForEver() throws {
    // Found by fuzzing (a template with two damaged parts): ZIPFoundation's extraction reads on past
    // the entry and, at the end of the file, loops for ever on a deflate stream that has not ended.
    // Here a stored deflate block that announces 65,535 bytes, in an entry of 12 (declaring
    // 1,000,000 bytes uncompressed, so that the stream's own end is what is missing).
    let name = Array("xl/workbook.xml".utf8)
    let body: [UInt8] = [0x00, 0xFF, 0xFF, 0x00, 0x00] + Array("<workbook".utf8.prefix(7))
    func le(_ v: Int, _ bytes: Int) -> [UInt8] { (0..<bytes).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    let common = le(20, 2) + le(0, 2) + le(8, 2) + le(0, 2) + le(0x21, 2) + le(0x1234_5678, 4) + le(body.count, 4) + le(1_000_000, 4)
        + le(name.count, 2) + le(0, 2)
    let local = le(0x0403_4B50, 4) + common + name + body
    let central = le(0x0201_4B50, 4) + le(20, 2) + common + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(0, 4) + name
    let end = le(0x0605_4B50, 4) + le(0, 2) + le(0, 2) + le(1, 2) + le(1, 2) + le(central.count, 4) + le(local.count, 4) + le(0, 2)
    do {
        _ = try XlsxWorkbook(data: Data(local + central + end), file: "f.xlsx")
        Issue.record("a workbook with an unfinished deflate stream was read")
    } catch {
        #expect(error.description == "f.xlsx: the workbook is damaged (xl/workbook.xml: its compressed data ends before its deflate stream does); save it again from Excel")
    }
}

@Test func aControlCharacterInATemplatesIdOrCodeIsACellProblem() throws {
    // A tab in a form id and a line break in a field (XML character references): refused, named by cell.
    let q = try questionnaire("sipas-2023")
    func cell(_ r: String, _ text: String) -> String { #"<c r="\#(r)" t="inlineStr"><is><t>\#(text)</t></is></c>"# }
    let rows = #"<row r="2">\#(cell("A2", "form_id"))\#(cell("B2", "field"))\#(cell("C2", "q2"))</row>"#
        + #"<row r="3">\#(cell("A3", "F&#9;1"))\#(cell("B3", "dat-dai"))<c r="C3"><v>3</v></c></row>"#
        + #"<row r="4">\#(cell("A4", "F2"))\#(cell("B4", "dat&#10;dai"))<c r="C4"><v>3</v></c></row>"#
    let book = try XlsxWorkbook(data: workbook(sheet: rows, named: TemplateLayout.dataSheet), file: "f.xlsx")
    do {
        _ = try TemplateReader.read(book, questionnaire: q, unit: "XA01")
        Issue.record("a form id with a tab was read")
    } catch let error as Problems {
        #expect(error.list.map(\.row) == [3, 4])
        #expect(error.list.map(\.column) == ["A (form_id)", "B (field)"])
        #expect(error.list.map(\.value) == [#"F\u{9}1"#, #"dat\u{a}dai"#])
        #expect(error.list.allSatisfy { $0.message.contains(CodeText.expected) })
    }
}
