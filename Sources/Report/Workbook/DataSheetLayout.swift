import SIPASModel
import SIPASXlsx

/// Where things are on *Dữ liệu*: a header row of column names (row 1), then one row per response
/// from row 2; the metadata columns of ``ResponseTable/metadataColumns`` first (A = form id), then
/// one column per item in questionnaire order. The data sheet is written from it and the formulas
/// of the other sheets refer to it, so they agree whatever order the sheets are written in.
struct DataSheetLayout {
    /// Column names of the header row: metadata columns, then item ids.
    let columns: [String]
    /// Number of response rows under the header.
    let rows: Int
    private let itemColumn: [String: Int]
    private let coded: Set<String>

    /// 0-based row of the column names.
    static let headerRow = 0
    /// 0-based row of the first response.
    static let firstRow = 1
    /// 0-based columns of the metadata, in ``ResponseTable/metadataColumns`` order.
    static let formIDColumn = 0, unitColumn = 1, collectedOnColumn = 2, channelColumn = 3, fieldColumn = 4
    /// 0-based column of the questionnaire's first item; item `k` (0-based, questionnaire order) is in `firstItemColumn + k`.
    static let firstItemColumn = ResponseTable.metadataColumns.count

    init(questionnaire: Questionnaire, rows: Int) {
        let items = questionnaire.items
        columns = ResponseTable.metadataColumns + items.map(\.id)
        coded = Set(items.filter(\.type.isCoded).map(\.id))
        self.rows = rows
        itemColumn = Dictionary(items.enumerated().map { ($0.element.id, Self.firstItemColumn + $0.offset) }, uniquingKeysWith: { _, b in b })
    }

    /// 0-based row of response `r` (0-based in the table).
    static func row(ofResponse r: Int) -> Int { firstRow + r }

    /// 0-based column of an item.
    func column(of item: String) -> Int? { itemColumn[item] }

    /// The response cells of a column as an absolute reference, e.g. `'Dữ liệu'!$F$2:$F$301`.
    /// Without responses this is `$F$2:$F$1`, which Excel reads as `$F$1:$F$2` (header included);
    /// `sipas report` refuses a period without responses.
    func range(column: Int) -> String {
        let col = XlsxSheetWriter.columnName(column)
        return "\(ReportSheet.data.reference)$\(col)$\(Self.firstRow + 1):$\(col)$\(Self.firstRow + rows)"
    }

    /// The response cells of a coded item (one that holds option codes); nil for text items and
    /// items not in the questionnaire.
    func range(ofCodedItem id: String) -> String? {
        guard coded.contains(id), let column = column(of: id) else { return nil }
        return range(column: column)
    }

    /// The form ids of every response: one non-empty cell per response.
    var formIDRange: String { range(column: Self.formIDColumn) }
}
