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

/// The floating columns of an interval chart, by hand: base up to the lower bound, the interval
/// below and above the estimate's band, the band centred on the estimate.
@Test func intervalChartStacksAddUpToTheBounds() {
    let s = IntervalChart.stack(IntervalChart.Point(label: "a", lower: 0.70, value: 0.80, upper: 0.86), band: 0.004)
    #expect(abs(s.base - 0.70) < 1e-15)
    #expect(abs(s.below - 0.098) < 1e-15)  // 0.798 − 0.70
    #expect(s.mark == 0.004)
    #expect(abs(s.above - 0.058) < 1e-15)  // 0.86 − 0.802
    // An estimate on its upper bound (100 %): the band reaches past it, nothing above it.
    let top = IntervalChart.stack(IntervalChart.Point(label: "b", lower: 0.9, value: 1, upper: 1), band: 0.004)
    #expect(abs(top.base - 0.9) < 1e-15 && abs(top.below - 0.098) < 1e-15 && top.above == 0)
    // No interval: the band alone.
    let bare = IntervalChart.stack(IntervalChart.Point(label: "c", lower: nil, value: 0.5, upper: nil), band: 0.01)
    #expect(bare.base == 0.495 && bare.below == 0 && bare.mark == 0.01 && bare.above == 0)
    // The band is 0.8 % of the axis shown.
    #expect(abs(IntervalChart(title: "", sheet: "S", points: [], axisMinimum: 0.5, dataColumn: 0).band - 0.004) < 1e-15)
}

/// The chart LibreOffice and Excel both draw: stacked columns over hidden columns it plots anyway,
/// the base series without fill, the emphasised column in its own colour.
@Test func intervalChartIsStackedColumnsOverHiddenFigures() throws {
    let url = temporaryWorkbook()
    defer { try? FileManager.default.removeItem(at: url) }
    let book = try XlsxWriter(path: url.path)
    let sheet = try book.addSheet("Xếp hạng")
    let points = [
        IntervalChart.Point(label: "Xã Một", lower: 0.8, value: 0.9, upper: 0.95),
        IntervalChart.Point(label: "Toàn tỉnh", lower: 0.82, value: 0.85, upper: 0.88, emphasised: true),
    ]
    try sheet.insert(IntervalChart(title: "Chỉ số", sheet: "Xếp hạng", points: points, axisMinimum: 0.5, dataColumn: 20), row: 3, column: 0)
    try book.close()
    let chart = try part("xl/charts/chart1.xml", of: url)
    #expect(chart.contains("<c:grouping val=\"stacked\"/>"))
    // Hidden cells plotted: libxlsxwriter then leaves out <c:plotVisOnly val="1"/>, whose absence means false.
    #expect(!chart.contains("plotVisOnly"))
    for column in ["U", "V", "W", "X", "Y"] { #expect(chart.contains("'Xếp hạng'!$\(column)$4:$\(column)$5")) }
    #expect(chart.contains("<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>"))
    #expect(chart.contains("<c:dPt><c:idx val=\"1\"/>"))
    #expect(chart.contains("F8CBAD") && chart.contains("C55A11"))
    #expect(chart.contains("<c:legendEntry><c:idx val=\"0\"/><c:delete val=\"1\"/></c:legendEntry>"))
    let xml = try part("xl/worksheets/sheet1.xml", of: url)
    #expect(xml.contains("<col min=\"21\" max=\"25\" width=\"8.7109375\" hidden=\"1\" customWidth=\"1\"/>"))
    // Row 5 (Toàn tỉnh): base 0.82, below 0.85 − 0.002 − 0.82, band 0.004, above 0.88 − 0.852.
    #expect(xml.contains("<c r=\"V5\"><v>0.82</v></c>"))
    #expect(xml.contains("<c r=\"X5\"><v>0.004</v></c>"))
}
