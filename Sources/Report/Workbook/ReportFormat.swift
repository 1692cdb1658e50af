import SIPASAnalysis
import SIPASModel
import SIPASXlsx

/// What every sheet of the workbook reads: the report's figures, the profile, the questionnaire,
/// the responses, the page header and where things are on *Dữ liệu*.
struct ReportContext {
    let data: ReportData
    let profile: ReportProfile
    let questionnaire: Questionnaire
    let table: ResponseTable
    /// Printed at the top of every page: unit, period, page number.
    let pageHeader: String
    let dataLayout: DataSheetLayout
    let manifest: SubmissionManifest
    /// Names of field, channel and unit codes, wherever a sheet shows one.
    let labels: Labels

    init(data: ReportData, profile: ReportProfile, questionnaire: Questionnaire, table: ResponseTable, manifest: SubmissionManifest, labels: Labels) {
        self.labels = labels
        self.data = data
        self.profile = profile
        self.questionnaire = questionnaire
        self.table = table
        self.manifest = manifest
        pageHeader = "&L\(profile.unit.name)&C\(data.periodLabel)&RTrang &P/&N"
        dataLayout = DataSheetLayout(questionnaire: questionnaire, rows: table.count)
    }
}

/// One sheet's writer: reads ``ReportContext`` only.
protocol ReportSheetContent {
    var report: ReportContext { get }
    func write(_ s: XlsxSheetWriter) throws(XlsxWriteError)
}

extension ReportSheetContent {
    var data: ReportData { report.data }
    var profile: ReportProfile { report.profile }
    var questionnaire: Questionnaire { report.questionnaire }
    var labels: Labels { report.labels }
    var table: ResponseTable { report.table }
    var header: String { report.pageHeader }
}

// MARK: Styles

/// The report's cell styles, shared by every sheet.
extension CellStyle {
    static let title = CellStyle(bold: true, fontSize: 14)
    static let bold = CellStyle(bold: true)
    static let header = CellStyle(bold: true, fill: 0xDDEBF7, border: true, wrap: true, alignment: .center, verticalCenter: true)
    static let text = CellStyle(border: true, wrap: true, verticalCenter: true)
    static let plain = CellStyle(border: true, verticalCenter: true)
    static let percent = CellStyle(numberFormat: "0.0%", border: true, alignment: .right, verticalCenter: true)
    static let change = CellStyle(numberFormat: "+0.0%;-0.0%;0.0%", border: true, alignment: .right, verticalCenter: true)
    static let count = CellStyle(numberFormat: "#,##0", border: true, alignment: .right, verticalCenter: true)
    static let decimal = CellStyle(numberFormat: "0.00", border: true, alignment: .right, verticalCenter: true)
    static let met = CellStyle(bold: true, fontColor: 0x006100, fill: 0xC6EFCE, border: true, alignment: .center, verticalCenter: true)
    static let notMet = CellStyle(bold: true, fontColor: 0x9C0006, fill: 0xFFC7CE, border: true, alignment: .center, verticalCenter: true)
    static let open = CellStyle(bold: true, fontColor: 0x9C5700, fill: 0xFFEB9C, border: true, alignment: .center, verticalCenter: true)
    static let note = CellStyle(italic: true, fontColor: 0x595959, wrap: true)
}

// MARK: Layout helpers

enum ReportLayout {
    /// Row height that shows `text` wrapped in a column `width` characters wide (libxlsxwriter does not autofit).
    static func height(_ text: String, width: Double, line: Double = 15) -> Double {
        let perLine = max(1, width * 1.15)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { max(1, Int((Double($0.count) / perLine).rounded(.up))) }.reduce(0, +)
        return Double(max(1, lines)) * line
    }
}

extension XlsxSheetWriter {
    /// A table's header cells on `row`, two lines high; returns the next row.
    func headerRow(_ row: Int, _ names: [String]) throws(XlsxWriteError) -> Int {
        for (c, name) in names.enumerated() { try write(row, c, name, .header) }
        try setRow(row, height: 30)
        return row + 1
    }

    /// A note across `columns` columns of total `width`, tall enough for its text.
    func note(_ row: Int, _ columns: Int, width: Double, _ text: String) throws(XlsxWriteError) {
        try merge(row, 0, row, columns - 1, text, .note)
        try setRow(row, height: ReportLayout.height(text, width: width))
    }

    /// A number, or a blank cell in the same style when there is none.
    func number(_ row: Int, _ column: Int, _ value: Double?, _ style: CellStyle) throws(XlsxWriteError) {
        if let value { try write(row, column, value, style) } else { try writeBlank(row, column, style) }
    }

    /// A change's verdict in colour: Tăng green, Giảm red, Chưa đủ căn cứ amber; " *" when a
    /// period has too few forms to conclude.
    func changeVerdict(_ row: Int, _ column: Int, _ v: ChangeVerdict, small: Bool) throws(XlsxWriteError) {
        let text = v.label + (small ? " *" : "")
        switch v {
        case .increase: try write(row, column, text, .met)
        case .decrease: try write(row, column, text, .notMet)
        case .inconclusive: try write(row, column, text, .open)
        }
    }

    /// A verdict in its colour (Đạt green, Chưa đạt red, Chưa đủ căn cứ amber), or "—".
    func verdict(_ row: Int, _ column: Int, _ v: Verdict?) throws(XlsxWriteError) {
        switch v {
        case .met?: try write(row, column, v!.label, .met)
        case .notMet?: try write(row, column, v!.label, .notMet)
        case .inconclusive?: try write(row, column, v!.label, .open)
        case nil: try write(row, column, "—", .plain)
        }
    }
}
