import Foundation
import SIPASXlsx
import Testing
import ZIPFoundation

#if canImport(Glibc)
import Glibc
#endif

/// Reads one part of a written workbook back as text, independently of libxlsxwriter.
func part(_ name: String, of url: URL) throws -> String {
    let archive = try Archive(url: url, accessMode: .read)
    let entry = try #require(archive[name], "no \(name) in the workbook")
    var data = Data()
    _ = try archive.extract(entry) { data.append($0) }
    return String(decoding: data, as: UTF8.self)
}

func temporaryWorkbook() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("sipas-\(UUID().uuidString).xlsx")
}

@Test func writesAndReadsBackATinyWorkbook() throws {
    let url = temporaryWorkbook()
    defer { try? FileManager.default.removeItem(at: url) }
    let book = try XlsxWriter(path: url.path)
    book.setProperties(title: "Báo cáo SIPAS", author: "sipas")
    let sheet = try book.addSheet("Tổng hợp")
    try sheet.write(0, 0, "Chỉ số hài lòng", CellStyle(bold: true))
    try sheet.write(0, 1, 0.875, CellStyle(numberFormat: "0.00%"))
    try sheet.writeFormula(0, 2, "=B1*100", result: 87.5)
    try sheet.comment(0, 0, "Tỷ lệ người dân hài lòng")
    let legend = try book.addSheet("Legend")
    try legend.write(0, 0, "1 Rất không hài lòng")
    try legend.write(1, 0, "5 Rất hài lòng")
    try sheet.listValidation(rows: 2...10, columns: 3...3, source: "=Legend!$A$1:$A$2", inputMessage: "Chọn mức độ")
    legend.hide()
    try book.close()

    let strings = try part("xl/sharedStrings.xml", of: url)
    #expect(strings.contains("Chỉ số hài lòng"))
    #expect(strings.contains("5 Rất hài lòng"))
    let summary = try part("xl/worksheets/sheet1.xml", of: url)
    #expect(summary.contains("<v>0.875</v>"))
    #expect(summary.contains("<f>B1*100</f><v>87.5</v>"))
    #expect(summary.contains("type=\"list\""))
    #expect(summary.contains("<formula1>Legend!$A$1:$A$2</formula1>"))
    let workbook = try part("xl/workbook.xml", of: url)
    #expect(workbook.contains("name=\"Tổng hợp\""))
    #expect(workbook.contains("name=\"Legend\" sheetId=\"2\" state=\"hidden\""))
    #expect(try part("docProps/core.xml", of: url).contains("Báo cáo SIPAS"))
    #expect(try part("xl/comments1.xml", of: url).contains("Tỷ lệ người dân hài lòng"))
}

@Test func numbersStayLocaleIndependentUnderVietnameseLocale() throws {
    // vi_VN writes 0,875; the workbook must still say 0.875. Thread-local so other tests are unaffected.
    let vietnamese = try #require(newlocale(LC_NUMERIC_MASK, "vi_VN.UTF-8", nil), "vi_VN.UTF-8 locale missing: run scripts/install-deps.sh --test")
    let previous = uselocale(vietnamese)
    defer {
        uselocale(previous)
        freelocale(vietnamese)
    }
    #expect(String(cString: localeconv().pointee.decimal_point) == ",")
    let url = temporaryWorkbook()
    defer { try? FileManager.default.removeItem(at: url) }
    let book = try XlsxWriter(path: url.path)
    let sheet = try book.addSheet("Số liệu")
    try sheet.write(0, 0, 0.875)
    try sheet.write(1, 0, 1234.5)
    try sheet.setColumns(0, 0, width: 12.5)
    try book.close()
    let xml = try part("xl/worksheets/sheet1.xml", of: url)
    #expect(xml.contains("<v>0.875</v>"))
    #expect(xml.contains("<v>1234.5</v>"))
    #expect(xml.contains("width=\"13.28515625\"") || xml.contains("width=\"12.5"))
    #expect(!xml.contains("0,875"))
}

@Test func badSheetNamesAndUnwritablePathsAreReported() throws {
    let url = temporaryWorkbook()
    defer { try? FileManager.default.removeItem(at: url) }
    let book = try XlsxWriter(path: url.path)
    #expect(throws: XlsxWriteError.self) { try book.addSheet("Bảng [1]") }
    _ = try book.addSheet("Ok")
    try book.close()
    let unwritable = try XlsxWriter(path: "/nonexistent-folder/x.xlsx")
    _ = try unwritable.addSheet("A")
    let error = #expect(throws: XlsxWriteError.self) { try unwritable.close() }
    #expect(error?.description.contains("/nonexistent-folder/x.xlsx") == true)
}

@Test func columnNames() {
    #expect(XlsxSheetWriter.columnName(0) == "A")
    #expect(XlsxSheetWriter.columnName(25) == "Z")
    #expect(XlsxSheetWriter.columnName(26) == "AA")
    #expect(XlsxSheetWriter.columnName(701) == "ZZ")
    #expect(XlsxSheetWriter.columnName(702) == "AAA")
    #expect(XlsxSheetWriter.reference(6, 2) == "C7")
}
