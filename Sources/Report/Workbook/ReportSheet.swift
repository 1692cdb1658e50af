import SIPASXlsx

/// The sheets of the commune's report workbook, in tab order; the raw value is the sheet's Vietnamese
/// name as it appears on its tab. Use it to name or find a sheet instead of an index or a literal.
public enum ReportSheet: String, CaseIterable, Sendable {
    /// *Tổng hợp*: unit and period, the index and its elements with bounds, n, target, verdict and
    /// change from the previous period; the plan's targets; counter ratings; a chart of the intervals.
    case summary = "Tổng hợp"
    /// *Tiêu chí*: every criterion — answers, missing, distribution by code, share satisfied with
    /// bounds, mean score. Counts are formulas over *Dữ liệu* when the design is unweighted.
    case criteria = "Tiêu chí"
    /// *Ma trận phân tổ*: the breakdowns on one page, group × index, coloured by each cell's
    /// verdict on the profile's target for that index.
    case groupMatrix = "Ma trận phân tổ"
    /// *Phân tổ*: every index in every group of the profile's breakdowns; groups under 30 flagged.
    case groups = "Phân tổ"
    /// *Ưu tiên*: the priorities people chose, the negative experiences, and counter
    /// dissatisfaction by field.
    case priorities = "Ưu tiên"
    /// *Góp ý*: every free-text comment with its form, unit, field and date, written as text.
    case comments = "Góp ý"
    /// *Dữ liệu*: every response used, anonymous, one row per form (layout: ``DataSheetLayout``).
    case data = "Dữ liệu"
    /// *Phương pháp*: rules, interval methods, margin achieved, software version and data hash.
    case method = "Phương pháp"
    /// The hidden, protected manifest (``SubmissionManifest``): what the province checks before it
    /// imports the workbook's responses.
    case manifest = "sipas_meta"

    /// The sheet's name on its tab.
    public var name: String { rawValue }

    /// The quoted prefix that makes a formula refer to this sheet, e.g. `'Dữ liệu'!`.
    var reference: String { "'" + rawValue.replacingOccurrences(of: "'", with: "''") + "'!" }

    /// Fills `sheet` with this sheet's content. Each sheet reads only `report`: none needs another
    /// to have been written first.
    func write(_ sheet: XlsxSheetWriter, _ report: ReportContext) throws(XlsxWriteError) {
        switch self {
        case .summary: try SummarySheet(report: report).write(sheet)
        case .criteria: try CriteriaSheet(report: report).write(sheet)
        case .groupMatrix: try GroupMatrixSheet(report: report).write(sheet)
        case .groups: try GroupsSheet(report: report).write(sheet)
        case .priorities: try PrioritiesSheet(report: report).write(sheet)
        case .comments: try CommentsSheet(report: report).write(sheet)
        case .data: try DataSheet(report: report).write(sheet)
        case .method: try MethodSheet(report: report).write(sheet)
        case .manifest: try ManifestSheet(report: report).write(sheet)
        }
    }
}
