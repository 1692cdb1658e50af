import Foundation
import SIPASModel
import SIPASSynthetic
import SIPASTemplate
import SIPASXlsxReader
import Testing

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
