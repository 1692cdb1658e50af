import CXlsxWriter
import Foundation

/// An error from libxlsxwriter, with the file it was writing.
public struct XlsxWriteError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var message: String
    public var description: String { "\(path): cannot write the workbook: \(message)" }
}

/// The look of a cell. Equal specs share one libxlsxwriter format.
public struct CellStyle: Hashable, Sendable {
    public enum Alignment: Sendable { case left, center, right }
    public var bold = false
    public var italic = false
    public var fontSize: Double? = nil
    /// 0xRRGGBB.
    public var fontColor: UInt32? = nil
    public var fill: UInt32? = nil
    public var numberFormat: String? = nil
    public var border = false
    public var wrap = false
    public var alignment: Alignment? = nil
    public var verticalCenter = false
    /// Cells stay editable on a protected sheet.
    public var unlocked = false

    public init(
        bold: Bool = false, italic: Bool = false, fontSize: Double? = nil, fontColor: UInt32? = nil,
        fill: UInt32? = nil, numberFormat: String? = nil, border: Bool = false, wrap: Bool = false,
        alignment: Alignment? = nil, verticalCenter: Bool = false, unlocked: Bool = false
    ) {
        self.bold = bold
        self.italic = italic
        self.fontSize = fontSize
        self.fontColor = fontColor
        self.fill = fill
        self.numberFormat = numberFormat
        self.border = border
        self.wrap = wrap
        self.alignment = alignment
        self.verticalCenter = verticalCenter
        self.unlocked = unlocked
    }
}

/// A workbook being written through libxlsxwriter (ghi tệp Excel). Not thread-safe: use from one task.
///
/// Numbers are written in the C locale whatever the process locale, so 0.875 never becomes "0,875".
public final class XlsxWriter {
    public let path: String
    private var workbook: UnsafeMutablePointer<lxw_workbook>?
    var workbookPointer: UnsafeMutablePointer<lxw_workbook>? { workbook }
    private var formats: [CellStyle: UnsafeMutablePointer<lxw_format>] = [:]
    private var closed = false

    /// `constantMemory` streams rows to disk (rows must then be written in order); `zip64` lifts the 4 GB limit.
    public init(path: String, constantMemory: Bool = false, zip64: Bool = false) throws(XlsxWriteError) {
        self.path = path
        var options = lxw_workbook_options()
        options.use_zip64 = zip64 ? 1 : 0
        options.constant_memory = constantMemory ? 1 : 0
        guard let wb = path.withCString({ workbook_new_opt($0, &options) }) else {
            throw XlsxWriteError(path: path, message: "libxlsxwriter could not create it (is the folder writable?)")
        }
        workbook = wb
    }

    deinit {
        if !closed, let workbook {
            // Nothing useful can be reported from deinit; close to free memory and the temp files.
            _ = workbook_close(workbook)
        }
    }

    /// Adds a sheet; Excel limits names to 31 characters without `[]:*?/\`.
    public func addSheet(_ name: String) throws(XlsxWriteError) -> XlsxSheetWriter {
        let check = name.withCString { workbook_validate_sheet_name(workbook, $0) }
        guard check == LXW_NO_ERROR else {
            throw XlsxWriteError(path: path, message: "invalid sheet name '\(name)': \(Self.message(check))")
        }
        guard let sheet = name.withCString({ workbook_add_worksheet(workbook, $0) }) else {
            throw XlsxWriteError(path: path, message: "cannot add sheet '\(name)'")
        }
        return XlsxSheetWriter(sheet: sheet, owner: self)
    }

    /// Title, author and other document properties.
    public func setProperties(title: String? = nil, subject: String? = nil, author: String? = nil, company: String? = nil, comments: String? = nil) {
        var keep: [UnsafeMutablePointer<CChar>] = []
        func dup(_ s: String?) -> UnsafeMutablePointer<CChar>? {
            guard let s, let p = strdup(s) else { return nil }
            keep.append(p)
            return p
        }
        var props = lxw_doc_properties()
        props.title = dup(title)
        props.subject = dup(subject)
        props.author = dup(author)
        props.company = dup(company)
        props.comments = dup(comments)
        _ = workbook_set_properties(workbook, &props)
        keep.forEach { free($0) }
    }

    /// A workbook-wide name such as `Scale_satisfaction5` → `=Legend!$B$3:$B$7`.
    public func defineName(_ name: String, formula: String) throws(XlsxWriteError) {
        let rc = name.withCString { n in formula.withCString { f in workbook_define_name(workbook, n, f) } }
        guard rc == LXW_NO_ERROR else { throw XlsxWriteError(path: path, message: "cannot define name \(name): \(Self.message(rc))") }
    }

    func format(_ style: CellStyle?) -> UnsafeMutablePointer<lxw_format>? {
        guard let style else { return nil }
        if let f = formats[style] { return f }
        guard let f = workbook_add_format(workbook) else { return nil }
        if style.bold { format_set_bold(f) }
        if style.italic { format_set_italic(f) }
        if let size = style.fontSize { format_set_font_size(f, size) }
        if let color = style.fontColor { format_set_font_color(f, lxw_color_t(color)) }
        if let fill = style.fill {
            format_set_pattern(f, UInt8(LXW_PATTERN_SOLID.rawValue))
            format_set_bg_color(f, lxw_color_t(fill))
        }
        if let nf = style.numberFormat { nf.withCString { format_set_num_format(f, $0) } }
        if style.border { format_set_border(f, UInt8(LXW_BORDER_THIN.rawValue)) }
        if style.wrap { format_set_text_wrap(f) }
        switch style.alignment {
        case .left: format_set_align(f, UInt8(LXW_ALIGN_LEFT.rawValue))
        case .center: format_set_align(f, UInt8(LXW_ALIGN_CENTER.rawValue))
        case .right: format_set_align(f, UInt8(LXW_ALIGN_RIGHT.rawValue))
        case nil: break
        }
        if style.verticalCenter { format_set_align(f, UInt8(LXW_ALIGN_VERTICAL_CENTER.rawValue)) }
        if style.unlocked { format_set_unlocked(f) }
        formats[style] = f
        return f
    }

    /// Writes the file. Nothing is on disk before this returns without error.
    public func close() throws(XlsxWriteError) {
        guard !closed, let workbook else { return }
        closed = true
        // libxlsxwriter prints doubles with printf: pin LC_NUMERIC to "C" for this thread while it does.
        let cLocale = newlocale(LC_NUMERIC_MASK, "C", nil)
        let previous = cLocale.map { uselocale($0) }
        let rc = workbook_close(workbook)
        if let previous { uselocale(previous) }
        if let cLocale { freelocale(cLocale) }
        self.workbook = nil
        guard rc == LXW_NO_ERROR else { throw XlsxWriteError(path: path, message: Self.message(rc)) }
    }

    static func message(_ rc: lxw_error) -> String {
        String(cString: lxw_strerror(rc))
    }
}

/// One worksheet of an `XlsxWriter`. Rows and columns are 0-based, as in libxlsxwriter.
/// A cell format of one workbook, resolved from a ``CellStyle``.
public struct XlsxFormat {
    let pointer: UnsafeMutablePointer<lxw_format>?
}

public struct XlsxSheetWriter {
    let sheet: UnsafeMutablePointer<lxw_worksheet>
    unowned let owner: XlsxWriter

    private func check(_ rc: lxw_error, _ what: @autoclosure () -> String) throws(XlsxWriteError) {
        guard rc == LXW_NO_ERROR else {
            throw XlsxWriteError(path: owner.path, message: "\(what()): \(XlsxWriter.message(rc))")
        }
    }

    public func write(_ row: Int, _ column: Int, _ text: String, _ style: CellStyle? = nil) throws(XlsxWriteError) {
        let rc = text.withCString { worksheet_write_string(sheet, lxw_row_t(row), lxw_col_t(column), $0, owner.format(style)) }
        try check(rc, "cell \(Self.reference(row, column))")
    }

    /// A style resolved once, for loops that write many cells in it.
    public func resolve(_ style: CellStyle?) -> XlsxFormat { XlsxFormat(pointer: owner.format(style)) }

    public func write(_ row: Int, _ column: Int, _ number: Double, _ format: XlsxFormat) throws(XlsxWriteError) {
        let rc = worksheet_write_number(sheet, lxw_row_t(row), lxw_col_t(column), number, format.pointer)
        if rc != LXW_NO_ERROR { try check(rc, "cell \(Self.reference(row, column))") }
    }

    public func write(_ row: Int, _ column: Int, _ text: String, _ format: XlsxFormat) throws(XlsxWriteError) {
        let rc = text.withCString { worksheet_write_string(sheet, lxw_row_t(row), lxw_col_t(column), $0, format.pointer) }
        if rc != LXW_NO_ERROR { try check(rc, "cell \(Self.reference(row, column))") }
    }

    public func write(_ row: Int, _ column: Int, _ number: Double, _ style: CellStyle? = nil) throws(XlsxWriteError) {
        try check(worksheet_write_number(sheet, lxw_row_t(row), lxw_col_t(column), number, owner.format(style)), "cell \(Self.reference(row, column))")
    }

    /// A formula with its cached result, so readers that do not recalculate still see the value.
    public func writeFormula(_ row: Int, _ column: Int, _ formula: String, result: Double, _ style: CellStyle? = nil) throws(XlsxWriteError) {
        let rc = formula.withCString { worksheet_write_formula_num(sheet, lxw_row_t(row), lxw_col_t(column), $0, owner.format(style), result) }
        try check(rc, "formula in \(Self.reference(row, column))")
    }

    public func writeFormula(_ row: Int, _ column: Int, _ formula: String, text result: String, _ style: CellStyle? = nil) throws(XlsxWriteError) {
        let rc = formula.withCString { f in result.withCString { r in
            worksheet_write_formula_str(sheet, lxw_row_t(row), lxw_col_t(column), f, owner.format(style), r)
        } }
        try check(rc, "formula in \(Self.reference(row, column))")
    }

    public func writeBlank(_ row: Int, _ column: Int, _ style: CellStyle) throws(XlsxWriteError) {
        try check(worksheet_write_blank(sheet, lxw_row_t(row), lxw_col_t(column), owner.format(style)), "cell \(Self.reference(row, column))")
    }

    public func merge(_ firstRow: Int, _ firstColumn: Int, _ lastRow: Int, _ lastColumn: Int, _ text: String, _ style: CellStyle? = nil) throws(XlsxWriteError) {
        let rc = text.withCString {
            worksheet_merge_range(sheet, lxw_row_t(firstRow), lxw_col_t(firstColumn), lxw_row_t(lastRow), lxw_col_t(lastColumn), $0, owner.format(style))
        }
        try check(rc, "merged range at \(Self.reference(firstRow, firstColumn))")
    }

    /// A note shown when the pointer rests on the cell (chú thích).
    public func comment(_ row: Int, _ column: Int, _ text: String, width: Int = 320, height: Int = 120) throws(XlsxWriteError) {
        var options = lxw_comment_options()
        options.width = UInt16(width)
        options.height = UInt16(height)
        let rc = text.withCString { worksheet_write_comment_opt(sheet, lxw_row_t(row), lxw_col_t(column), $0, &options) }
        try check(rc, "comment in \(Self.reference(row, column))")
    }

    public func setColumns(_ first: Int, _ last: Int, width: Double, _ style: CellStyle? = nil, hidden: Bool = false) throws(XlsxWriteError) {
        var options = lxw_row_col_options()
        options.hidden = hidden ? 1 : 0
        try check(worksheet_set_column_opt(sheet, lxw_col_t(first), lxw_col_t(last), width, owner.format(style), &options), "column width")
    }

    public func setRow(_ row: Int, height: Double, _ style: CellStyle? = nil) throws(XlsxWriteError) {
        try check(worksheet_set_row(sheet, lxw_row_t(row), height, owner.format(style)), "row height")
    }

    public func freezePanes(rows: Int, columns: Int) {
        worksheet_freeze_panes(sheet, lxw_row_t(rows), lxw_col_t(columns))
    }

    /// A drop-down list whose choices come from a range or defined name (`=Legend!$B$3:$B$7`).
    /// Literal lists are avoided on purpose: libxlsxwriter 1.1.4 overflows on non-ASCII literal lists.
    public func listValidation(
        rows: ClosedRange<Int>, columns: ClosedRange<Int>, source formula: String,
        inputTitle: String? = nil, inputMessage: String? = nil, errorTitle: String? = nil, errorMessage: String? = nil
    ) throws(XlsxWriteError) {
        var keep: [UnsafeMutablePointer<CChar>] = []
        defer { keep.forEach { free($0) } }
        func dup(_ s: String?) -> UnsafeMutablePointer<CChar>? {
            guard let s, let p = strdup(s) else { return nil }
            keep.append(p)
            return p
        }
        var v = lxw_data_validation()
        v.validate = UInt8(LXW_VALIDATION_TYPE_LIST_FORMULA.rawValue)
        v.value_formula = dup(formula)
        v.ignore_blank = UInt8(LXW_VALIDATION_ON.rawValue)
        v.show_input = UInt8(inputMessage == nil ? LXW_VALIDATION_OFF.rawValue : LXW_VALIDATION_ON.rawValue)
        v.show_error = UInt8(LXW_VALIDATION_ON.rawValue)
        v.error_type = UInt8(LXW_VALIDATION_ERROR_TYPE_STOP.rawValue)
        // Excel caps these: title 32, message 255 characters.
        v.input_title = dup(inputTitle.map { String($0.prefix(32)) })
        v.input_message = dup(inputMessage.map { String($0.prefix(255)) })
        v.error_title = dup(errorTitle.map { String($0.prefix(32)) })
        v.error_message = dup(errorMessage.map { String($0.prefix(255)) })
        let rc = worksheet_data_validation_range(
            sheet, lxw_row_t(rows.lowerBound), lxw_col_t(columns.lowerBound), lxw_row_t(rows.upperBound), lxw_col_t(columns.upperBound), &v)
        try check(rc, "data validation at \(Self.reference(rows.lowerBound, columns.lowerBound))")
    }

    /// A whole-number or date range check.
    public func rangeValidation(rows: ClosedRange<Int>, columns: ClosedRange<Int>, minimum: Double, maximum: Double, date: Bool, errorMessage: String) throws(XlsxWriteError) {
        let message = strdup(String(errorMessage.prefix(255)))
        defer { free(message) }
        var v = lxw_data_validation()
        v.validate = UInt8((date ? LXW_VALIDATION_TYPE_DATE_NUMBER : LXW_VALIDATION_TYPE_INTEGER).rawValue)
        v.criteria = UInt8(LXW_VALIDATION_CRITERIA_BETWEEN.rawValue)
        v.minimum_number = minimum
        v.maximum_number = maximum
        v.ignore_blank = UInt8(LXW_VALIDATION_ON.rawValue)
        v.show_error = UInt8(LXW_VALIDATION_ON.rawValue)
        v.error_message = message
        let rc = worksheet_data_validation_range(
            sheet, lxw_row_t(rows.lowerBound), lxw_col_t(columns.lowerBound), lxw_row_t(rows.upperBound), lxw_col_t(columns.upperBound), &v)
        try check(rc, "data validation at \(Self.reference(rows.lowerBound, columns.lowerBound))")
    }

    public func hide() { worksheet_hide(sheet) }
    public func activate() { worksheet_activate(sheet) }
    public func setLandscape() { worksheet_set_landscape(sheet) }
    public func fitToPages(width: Int, height: Int) { worksheet_fit_to_pages(sheet, UInt16(width), UInt16(height)) }
    public func setTabColor(_ rgb: UInt32) { worksheet_set_tab_color(sheet, lxw_color_t(rgb)) }

    public func autofilter(_ firstRow: Int, _ firstColumn: Int, _ lastRow: Int, _ lastColumn: Int) throws(XlsxWriteError) {
        try check(worksheet_autofilter(sheet, lxw_row_t(firstRow), lxw_col_t(firstColumn), lxw_row_t(lastRow), lxw_col_t(lastColumn)), "autofilter")
    }

    /// Protects the sheet; cells with `CellStyle.unlocked` stay editable.
    public func protect(password: String? = nil) {
        var options = lxw_protection()
        options.format_columns = 1
        if let password {
            password.withCString { worksheet_protect(sheet, $0, &options) }
        } else {
            worksheet_protect(sheet, nil, &options)
        }
    }

    /// "C7" for row 6, column 2 (0-based).
    public static func reference(_ row: Int, _ column: Int) -> String {
        columnName(column) + String(row + 1)
    }

    /// "A" for 0, "AA" for 26.
    public static func columnName(_ column: Int) -> String {
        var n = column + 1
        var letters: [Character] = []
        while n > 0 {
            let r = (n - 1) % 26
            letters.append(Character(UnicodeScalar(UInt8(65 + r))))
            n = (n - 1) / 26
        }
        return String(letters.reversed())
    }
}

/// A chart of estimates with their (asymmetric) intervals, drawn as floating columns: each
/// interval a light bar from its lower to its upper bound, the estimate a dark band across it.
/// Excel and LibreOffice both draw stacked columns the same way (LibreOffice draws no high–low
/// lines outside stock charts, and libxlsxwriter 1.1.4 has no error bars of custom values).
///
/// The chart's figures go in hidden columns of the sheet, from `dataColumn` on, in the rows
/// beside the chart: the label, the invisible base up to the lower bound, the interval below the
/// estimate, the estimate's band, the interval above it.
public struct IntervalChart: Sendable {
    /// One column of the chart: an estimate with its bounds (none when not computed).
    public struct Point: Sendable, Equatable {
        public var label: String
        public var lower: Double?
        public var value: Double
        public var upper: Double?
        /// Drawn in another colour (the province among its units).
        public var emphasised: Bool

        public init(label: String, lower: Double?, value: Double, upper: Double?, emphasised: Bool = false) {
            self.label = label
            self.lower = lower
            self.value = value
            self.upper = upper
            self.emphasised = emphasised
        }
    }

    public var title: String
    public var sheet: String
    public var points: [Point]
    /// The value axis starts here (it ends at 100 %).
    public var axisMinimum: Double
    /// The legend's names of the interval and the estimate.
    public var intervalName: String
    public var valueName: String
    /// 0-based first of the five hidden columns that hold the chart's figures.
    public var dataColumn: Int

    public init(
        title: String, sheet: String, points: [Point], axisMinimum: Double, intervalName: String = "Khoảng tin cậy 95 %",
        valueName: String = "Ước lượng", dataColumn: Int
    ) {
        self.title = title
        self.sheet = sheet
        self.points = points
        self.axisMinimum = axisMinimum
        self.intervalName = intervalName
        self.valueName = valueName
        self.dataColumn = dataColumn
    }

    /// The four stacked heights of a point: base (up to the interval or the band, not drawn),
    /// interval below the band, the estimate's band (`band` wide, centred on the estimate),
    /// interval above the band. They add up to the upper bound, or to the band's top when the
    /// band reaches past it.
    public static func stack(_ p: Point, band: Double) -> (base: Double, below: Double, mark: Double, above: Double) {
        let markLow = p.value - band / 2, markHigh = p.value + band / 2
        let lower = min(p.lower ?? markLow, markLow)
        let upper = max(p.upper ?? markHigh, markHigh)
        return (lower, markLow - lower, band, upper - markHigh)
    }

    /// The estimate's band: 0.8 % of the value axis.
    public var band: Double { (1 - axisMinimum) * 0.008 }
}

extension XlsxSheetWriter {
    /// Inserts an `IntervalChart` with its top-left corner at (row, column); its figures are
    /// written in hidden columns on the rows from `row` on.
    public func insert(_ spec: IntervalChart, row: Int, column: Int, width: Int = 720, height: Int = 360) throws(XlsxWriteError) {
        guard !spec.points.isEmpty else { return }
        guard let workbook = owner.workbookPointer, let chart = workbook_add_chart(workbook, UInt8(LXW_CHART_COLUMN_STACKED.rawValue)) else {
            throw XlsxWriteError(path: owner.path, message: "cannot add a chart")
        }
        let c0 = spec.dataColumn
        for (k, p) in spec.points.enumerated() {
            let s = IntervalChart.stack(p, band: spec.band)
            try write(row + k, c0, p.label)
            for (j, v) in [s.base, s.below, s.mark, s.above].enumerated() { try write(row + k, c0 + 1 + j, v) }
        }
        try setColumns(c0, c0 + 4, width: 8, hidden: true)
        func range(_ col: Int) -> String {
            let c = XlsxSheetWriter.columnName(col)
            return "='\(spec.sheet)'!$\(c)$\(row + 1):$\(c)$\(row + spec.points.count)"
        }
        let categories = range(c0)
        let emphasised = spec.points.indices.filter { spec.points[$0].emphasised }
        func add(_ name: String, _ col: Int, color: UInt32?, emphasis: UInt32?) {
            let series = categories.withCString { c in range(col).withCString { v in chart_add_series(chart, c, v) } }
            name.withCString { chart_series_set_name(series, $0) }
            var fill = lxw_chart_fill()
            var line = lxw_chart_line()
            if let color {
                fill.color = lxw_color_t(color)
                line.color = lxw_color_t(color)
            } else {
                fill.none = 1
                line.none = 1
            }
            chart_series_set_fill(series, &fill)
            chart_series_set_line(series, &line)
            guard let emphasis, !emphasised.isEmpty else { return }
            // One point format per column; nil leaves a column as the series draws it.
            var strong = lxw_chart_fill()
            strong.color = lxw_color_t(emphasis)
            var strongLine = lxw_chart_line()
            strongLine.color = lxw_color_t(emphasis)
            withUnsafeMutablePointer(to: &strong) { f in
                withUnsafeMutablePointer(to: &strongLine) { l in
                    var point = lxw_chart_point(line: l, fill: f, pattern: nil)
                    var plain = lxw_chart_point(line: nil, fill: nil, pattern: nil)
                    withUnsafeMutablePointer(to: &point) { pp in
                        withUnsafeMutablePointer(to: &plain) { np in
                            var list: [UnsafeMutablePointer<lxw_chart_point>?] = spec.points.indices.map { emphasised.contains($0) ? pp : np }
                            list.append(nil)
                            _ = chart_series_set_points(series, &list)
                        }
                    }
                }
            }
        }
        add("", c0 + 1, color: nil, emphasis: nil)
        add(spec.intervalName, c0 + 2, color: 0xB4C7E7, emphasis: 0xF8CBAD)
        add(spec.valueName, c0 + 3, color: 0x1F3864, emphasis: 0xC55A11)
        add(spec.intervalName, c0 + 4, color: 0xB4C7E7, emphasis: 0xF8CBAD)
        var hidden: [Int16] = [0, 3, -1]
        _ = chart_legend_delete_series(chart, &hidden)
        chart_set_series_gap(chart, 180)
        chart_show_hidden_data(chart)
        chart_axis_set_min(chart.pointee.y_axis, spec.axisMinimum)
        chart_axis_set_max(chart.pointee.y_axis, 1)
        spec.title.withCString { chart_title_set_name(chart, $0) }
        chart_axis_set_num_format(chart.pointee.y_axis, "0%")
        chart_legend_set_position(chart, UInt8(LXW_CHART_LEGEND_BOTTOM.rawValue))
        var options = lxw_chart_options()
        options.x_scale = Double(width) / 480
        options.y_scale = Double(height) / 288
        let rc = worksheet_insert_chart_opt(sheet, lxw_row_t(row), lxw_col_t(column), chart, &options)
        guard rc == LXW_NO_ERROR else { throw XlsxWriteError(path: owner.path, message: "chart: \(XlsxWriter.message(rc))") }
    }

    /// Manual page breaks before the given 0-based rows.
    public func pageBreaks(before rows: [Int]) {
        var breaks = rows.map { lxw_row_t($0) } + [0]
        _ = worksheet_set_h_pagebreaks(sheet, &breaks)
    }

    /// Page set-up for printing: A4, landscape or portrait, rows repeated on each page, a header.
    public func printSetup(landscape: Bool, repeatRows: ClosedRange<Int>?, header: String?, fitToWidth: Bool = true) {
        if landscape { worksheet_set_landscape(sheet) } else { worksheet_set_portrait(sheet) }
        worksheet_set_paper(sheet, 9)
        if fitToWidth { worksheet_fit_to_pages(sheet, 1, 0) }
        if let repeatRows { _ = worksheet_repeat_rows(sheet, lxw_row_t(repeatRows.lowerBound), lxw_row_t(repeatRows.upperBound)) }
        if let header { _ = header.withCString { worksheet_set_header(sheet, $0) } }
    }
}
