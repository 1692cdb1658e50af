import Foundation
import SIPASModel
import SIPASXlsxReader

extension Problems {
    /// A filled template with bad cells, in Vietnamese with the English beside it; nothing was imported.
    public static func template(_ list: [Problem], total: Int? = nil) -> Problems {
        Problems(list, total: total, conclusion: "Không nhập gì: sửa các ô trên rồi nhập lại. (Nothing was imported: fix these cells and import again.)")
    }
}

/// Where a sheet of forms keeps them: the sheet, the row naming the columns by id, the first form's
/// row (1-based, as a spreadsheet numbers them) and the metadata columns it may have.
public struct FormSheet: Sendable, Equatable {
    public var name: String
    public var idRow: Int
    public var firstDataRow: Int
    public var metadataColumns: [String]

    /// The data-entry template's *Phiếu*: ids in row 2, forms from row 3, the unit on the identity sheet.
    public static let template = FormSheet(
        name: TemplateLayout.dataSheet, idRow: TemplateLayout.idRow, firstDataRow: TemplateLayout.firstDataRow,
        metadataColumns: TemplateLayout.metadataColumns)
    /// A report's *Dữ liệu*: ids in row 1, forms from row 2, a unit column on every row.
    public static let reportData = FormSheet(
        name: SubmissionManifest.dataSheet, idRow: 1, firstDataRow: 2, metadataColumns: ResponseTable.metadataColumns)
}

/// Reads a filled data-entry template (or a report's data sheet) back into responses.
public enum TemplateReader {
    /// The key–value rows of a workbook's hidden `sipas_meta` sheet, in order (nil when it has none):
    /// a template's identity, or a report's ``SubmissionManifest``.
    public static func metaPairs(of book: XlsxWorkbook) throws(Problem) -> [(key: String, value: String)]? {
        guard book.sheets.contains(where: { $0.name == TemplateLayout.metaSheet }) else { return nil }
        let meta = try book.sheet(named: TemplateLayout.metaSheet)
        var pairs: [(key: String, value: String)] = []
        for r in 1...max(1, meta.maxRow) {
            if case .text(let key)? = meta.value(row: r, column: 1) {
                switch meta.value(row: r, column: 2) {
                case .text(let v)?: pairs.append((key, v))
                case .number(_, let raw)?: pairs.append((key, raw))
                default: pairs.append((key, ""))
                }
            }
        }
        return pairs
    }

    /// The identity written on the template's meta sheet.
    public static func identity(of book: XlsxWorkbook) throws(Problem) -> TemplateIdentity {
        guard let pairs = try metaPairs(of: book) else {
            throw Problem(file: book.file, message: "this workbook is not a sipas data-entry template (no \(TemplateLayout.metaSheet) sheet); make one with: sipas template --questionnaire ID --unit CODE --out phieu.xlsx")
        }
        var values: [String: String] = [:]
        for (key, value) in pairs where values[key] == nil { values[key] = value }
        guard let id = values["questionnaire_id"], let version = values["version"], let hash = values["content_hash"] else {
            throw Problem(file: book.file, message: "the template's \(TemplateLayout.metaSheet) sheet was altered (questionnaire id, version or hash missing); export a new template")
        }
        let unit = values["unit"].flatMap { $0.isEmpty ? nil : $0 }
        return TemplateIdentity(questionnaireID: id, version: version, contentHash: hash, unit: unit)
    }

    /// Every row from row 3 that has any value; all problems are collected before failing. The sheet
    /// is read row by row, so memory holds the compact table, not the workbook's cells.
    public static func read(_ book: XlsxWorkbook, questionnaire q: Questionnaire, unit: String?, issueLimit: Int = 50) throws -> ResponseTable {
        try readNumbered(book, questionnaire: q, unit: unit, issueLimit: issueLimit).table
    }

    /// The forms and the sheet row of each (blank rows between forms are skipped but counted), for
    /// an import whose later refusals must name the right row. `layout` says which sheet holds the
    /// forms and where: the template's *Phiếu* (unit from its identity) or a report's *Dữ liệu*
    /// (a unit column on every row).
    public static func readNumbered(_ book: XlsxWorkbook, questionnaire q: Questionnaire, unit: String?, layout: FormSheet = .template, issueLimit: Int = 50)
        throws -> (table: ResponseTable, rows: [Int])
    {
        var rowNumbers: [Int] = []
        let sheetName = layout.name
        var issues: [Problem] = []
        var total = 0
        func fail(_ row: Int?, _ column: Int?, _ id: String?, _ value: String?, _ expected: String) {
            total += 1
            guard issues.count < issueLimit else { return }
            let col = column.map { XlsxSheet.columnLetters($0) + (id.map { " (\($0))" } ?? "") }
            issues.append(Problem(file: book.file, sheet: sheetName, row: row, column: col, value: value, message: expected))
        }
        let items = Dictionary(q.items.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        // Row 2 names the columns; match by id, never by position.
        var columnOf: [String: Int] = [:]
        var header = false
        func readHeader(_ cells: [Int: XlsxValue]) {
            header = true
            for c in cells.keys.sorted() {
                guard case .text(let raw)? = cells[c] else { continue }
                let id = raw.trimmingCharacters(in: .whitespaces)
                if layout.metadataColumns.contains(id) || items[id] != nil {
                    if columnOf[id] != nil {
                        fail(layout.idRow, c, id, id, "mỗi mã câu hỏi một cột (each item id once)")
                    }
                    columnOf[id] = c
                } else if !id.isEmpty {
                    fail(layout.idRow, c, nil, id, "mã câu hỏi của phiếu \(q.id) (an item id of \(q.id) \(q.version)); row \(layout.idRow) must not be edited")
                }
            }
            if columnOf["form_id"] == nil {
                fail(layout.idRow, nil, nil, nil, "cột form_id ở dòng \(layout.idRow) (the form_id column; row \(layout.idRow) must not be edited)")
            }
        }
        var table = ResponseTable(questionnaire: q)
        var seenForms: [String: Int] = [:]
        func readRow(_ r: Int, _ cells: [Int: XlsxValue]) {
            func text(_ id: String) -> String? {
                guard let c = columnOf[id], let v = cells[c] else { return nil }
                switch v {
                case .text(let s):
                    let t = s.trimmingCharacters(in: .whitespaces)
                    // Refused, but returned so that it is not also reported missing.
                    if CodeText.hasControlCharacter(t) { fail(r, c, id, CodeText.shown(t), "mã không có ký tự điều khiển (\(CodeText.expected))") }
                    return t.isEmpty ? nil : t
                case .number(let x, let raw): return x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : raw
                case .bool(let b): return b ? "TRUE" : "FALSE"
                case .date(let y, let m, let d): return String(format: "%04d-%02d-%02d", y, m, d)
                case .error(let e): fail(r, c, id, e, "một giá trị, không phải lỗi công thức (a value, not a formula error)"); return nil
                }
            }
            let formID = text("form_id")
            if formID == nil { fail(r, columnOf["form_id"], "form_id", nil, "số phiếu ở mỗi dòng (a form id in every row)") }
            if let formID {
                if let first = seenForms[formID] {
                    fail(r, columnOf["form_id"], "form_id", formID, "số phiếu không trùng; đã có ở dòng \(first) (form id already used in row \(first))")
                } else {
                    seenForms[formID] = r
                }
            }
            var date: String?
            if let c = columnOf["collected_on"], let v = cells[c] {
                switch v {
                case .date(let y, let m, let d): date = String(format: "%04d-%02d-%02d", y, m, d)
                case .text(let s) where ISODate.isValid(s.trimmingCharacters(in: .whitespaces)): date = s.trimmingCharacters(in: .whitespaces)
                case .text(let s) where s.trimmingCharacters(in: .whitespaces).isEmpty: date = nil
                default: fail(r, c, "collected_on", display(v), "ngày dạng 2026-03-31 (a date, YYYY-MM-DD)")
                }
            }
            var codes: [String: UInt8] = [:]
            var picks: [String: UInt64] = [:]
            var texts: [String: String] = [:]
            for item in q.items {
                guard let c = columnOf[item.id], let v = cells[c], !isBlank(v) else { continue }
                switch item.type {
                case .single, .scale, .yesNo:
                    let code: Int?
                    switch v {
                    case .number(let x, _) where x == x.rounded() && x >= 0 && x < 256: code = Int(x)
                    case .text(let s): code = Int(s.trimmingCharacters(in: .whitespaces))
                    default: code = nil
                    }
                    if let code, item.validCodes.contains(code) {
                        codes[item.id] = UInt8(code)
                    } else {
                        let allowed = (item.options + item.missing).map { "\($0.code) \($0.label)" }.joined(separator: ", ")
                        fail(r, c, item.id, display(v), "một mã của câu \(item.number ?? item.id): \(allowed), hoặc để trống (a code of item \(item.id), or blank)")
                    }
                case .multi:
                    let s: String
                    switch v {
                    // Bounded like text(_:): Int(x) traps on 1e300 or infinity.
                    case .number(let x, _) where x == x.rounded() && abs(x) < 1e15: s = String(Int64(x))
                    case .text(let t): s = t
                    default: s = display(v)
                    }
                    var set: UInt64 = 0
                    let parts = s.split(whereSeparator: { "|,; ".contains($0) })
                    var ok = !parts.isEmpty
                    for p in parts {
                        if let k = Int(p), k > 0, k < 64, item.validCodes.contains(k) { set |= 1 << UInt64(k) } else { ok = false }
                    }
                    if !ok {
                        fail(r, c, item.id, s, "các mã \(item.options.map { String($0.code) }.joined(separator: ", ")) cách nhau bởi | (codes separated by |, e.g. 1|3)")
                    } else if let max = item.maxPicks, set.nonzeroBitCount > max {
                        fail(r, c, item.id, s, "tối đa \(max) lựa chọn (at most \(max) picks)")
                    } else {
                        picks[item.id] = set
                    }
                case .text, .dossier:
                    texts[item.id] = display(v)
                }
            }
            rowNumbers.append(r)
            table.append(
                ResponseTable.Metadata(formID: formID ?? "", unit: text("unit") ?? unit, collectedOn: date, channel: text("channel"), field: text("field")),
                codes: codes, picks: picks, texts: texts)
        }
        try book.forEachRow(inSheet: sheetName) { r, cells in
            if r == layout.idRow {
                readHeader(cells)
            } else if r >= layout.firstDataRow, cells.values.contains(where: { !isBlank($0) }) {
                if !header {
                    readHeader([:])
                }
                readRow(r, cells)
            }
        }
        if !header { readHeader([:]) }
        if total > 0 { throw Problems.template(issues, total: total) }
        return (table, rowNumbers)
    }

    static func isBlank(_ v: XlsxValue) -> Bool {
        if case .text(let s) = v { return s.trimmingCharacters(in: .whitespaces).isEmpty }
        return false
    }

    static func display(_ v: XlsxValue) -> String {
        switch v {
        case .text(let s): return s
        case .number(_, let raw): return raw
        case .bool(let b): return b ? "TRUE" : "FALSE"
        case .date(let y, let m, let d): return String(format: "%04d-%02d-%02d", y, m, d)
        case .error(let e): return e
        }
    }
}
