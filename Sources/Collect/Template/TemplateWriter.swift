import Foundation
import SIPASModel
import SIPASXlsx

/// Identity of a template, kept on its hidden meta sheet so import can refuse a template of another version.
public struct TemplateIdentity: Sendable, Equatable {
    public var questionnaireID: String
    public var version: String
    /// SHA-256 of the questionnaire's YAML text.
    public var contentHash: String
    public var unit: String?

    public init(questionnaireID: String, version: String, contentHash: String, unit: String?) {
        self.questionnaireID = questionnaireID
        self.version = version
        self.contentHash = contentHash
        self.unit = unit
    }
}

/// Layout shared by the template writer and the importer.
public enum TemplateLayout {
    public static let dataSheet = "Phiếu"
    public static let legendSheet = "Chú giải"
    public static let metaSheet = "sipas_meta"
    /// Columns before the items (row 2 holds these names).
    public static let metadataColumns = ["form_id", "collected_on", "channel", "field"]
    /// 1-based spreadsheet rows.
    public static let headerRow = 1
    public static let idRow = 2
    public static let firstDataRow = 3
    /// Rows prepared with drop-downs in an empty template.
    public static let preparedRows = 1000
    public static let metaKeys = ["questionnaire_id", "version", "content_hash", "unit", "template_format"]
    public static let formatVersion = "1"

    public static let metadataHeaders = [
        "form_id": "Số phiếu",
        "collected_on": "Ngày khảo sát",
        "channel": "Kênh (truc-tiep, truc-tuyen, buu-chinh)",
        "field": "Lĩnh vực",
    ]
}

/// Writes the data-entry workbook (mẫu nhập phiếu) a clerk types paper forms into; with a table, an export.
public struct TemplateWriter {
    public let questionnaire: Questionnaire
    public let identity: TemplateIdentity

    public init(questionnaire: Questionnaire, identity: TemplateIdentity) {
        self.questionnaire = questionnaire
        self.identity = identity
    }

    /// Items that get a column, in form order.
    public var items: [Item] { questionnaire.items }

    public func write(to path: String, responses: ResponseTable? = nil) throws(XlsxWriteError) {
        let book = try XlsxWriter(path: path, constantMemory: false)
        book.setProperties(
            title: "Mẫu nhập phiếu — \(questionnaire.title)", subject: "\(questionnaire.id) \(questionnaire.version)",
            author: "sipas", comments: "Nhập mỗi phiếu một dòng từ dòng 3. Dòng 2 là mã câu hỏi: không sửa.")
        let sheet = try book.addSheet(TemplateLayout.dataSheet)
        let legend = try book.addSheet(TemplateLayout.legendSheet)
        let meta = try book.addSheet(TemplateLayout.metaSheet)

        let header = CellStyle(bold: true, fill: 0xDDEBF7, border: true, wrap: true, alignment: .center, verticalCenter: true)
        let idStyle = CellStyle(fontSize: 8, fontColor: 0x808080, alignment: .center)
        let text = CellStyle(numberFormat: "@", unlocked: true)
        let date = CellStyle(numberFormat: "yyyy-mm-dd", alignment: .center, unlocked: true)
        let code = CellStyle(alignment: .center, unlocked: true)
        let lastRow = max(TemplateLayout.preparedRows, (responses?.count ?? 0) + 10) + TemplateLayout.firstDataRow - 2

        // Legend: one block of (code, label) per distinct option list; drop-downs point at the codes.
        var legendRange: [String: String] = [:]
        var legendColumn = 0
        try legend.write(0, 0, "Chú giải mã trả lời (codes printed on the paper form)", CellStyle(bold: true, fontSize: 12))
        try legend.setRow(0, height: 20)
        for item in items where item.type != .text && item.type != .dossier {
            let key = item.scaleID.map { "scale:\($0)" } ?? "item:\(item.id)"
            if legendRange[key] != nil { continue }
            let options = item.options + item.missing
            let title = item.scaleID.map { "Thang \($0)" } ?? "\(item.number.map { "Câu \($0). " } ?? "")\(item.text)"
            try legend.merge(2, legendColumn, 2, legendColumn + 1, title, CellStyle(bold: true, wrap: true, verticalCenter: true))
            try legend.write(3, legendColumn, "Mã", header)
            try legend.write(3, legendColumn + 1, "Ý nghĩa", header)
            for (k, option) in options.enumerated() {
                try legend.write(4 + k, legendColumn, Double(option.code), CellStyle(alignment: .center))
                try legend.write(4 + k, legendColumn + 1, option.label)
            }
            let col = XlsxSheetWriter.columnName(legendColumn)
            legendRange[key] = "='\(TemplateLayout.legendSheet)'!$\(col)$5:$\(col)$\(4 + options.count)"
            try legend.setColumns(legendColumn, legendColumn, width: 6)
            try legend.setColumns(legendColumn + 1, legendColumn + 1, width: 30)
            try legend.setRow(2, height: 45)
            legendColumn += 3
        }
        legend.freezePanes(rows: 4, columns: 0)

        // Header rows.
        var column = 0
        for name in TemplateLayout.metadataColumns {
            try sheet.write(0, column, TemplateLayout.metadataHeaders[name] ?? name, header)
            try sheet.write(1, column, name, idStyle)
            switch name {
            case "collected_on":
                try sheet.setColumns(column, column, width: 12, date)
                try sheet.rangeValidation(
                    rows: 2...lastRow, columns: column...column, minimum: 36526, maximum: 73051, date: true,
                    errorMessage: "Nhập ngày dạng 2026-03-31 (năm-tháng-ngày).")
            case "form_id":
                try sheet.setColumns(column, column, width: 11, text)
            default:
                try sheet.setColumns(column, column, width: 13, text)
            }
            column += 1
        }
        for item in items {
            let number = item.number.map { "Câu \($0). " } ?? ""
            let short = item.text.count > 60 ? String(item.text.prefix(57)) + "…" : item.text
            try sheet.write(0, column, number + short, header)
            try sheet.write(1, column, item.id, idStyle)
            let full = number + item.text
            switch item.type {
            case .single, .scale, .yesNo:
                try sheet.setColumns(column, column, width: 9, code)
                let key = item.scaleID.map { "scale:\($0)" } ?? "item:\(item.id)"
                let codes = (item.options + item.missing).map { "\($0.code) \($0.label)" }.joined(separator: "; ")
                try sheet.listValidation(
                    rows: 2...lastRow, columns: column...column, source: legendRange[key]!,
                    inputTitle: item.number.map { "Câu \($0)" } ?? item.id, inputMessage: codes,
                    errorTitle: "Mã không hợp lệ", errorMessage: "Chọn một mã trong danh sách: \(codes)")
            case .multi:
                try sheet.setColumns(column, column, width: 10, text)
                let codes = item.options.map { "\($0.code) \($0.label)" }.joined(separator: "; ")
                try sheet.comment(0, column, "\(full)\nNhiều lựa chọn: ghi các mã cách nhau bởi dấu | (ví dụ 1|3)\(item.maxPicks.map { ", tối đa \($0)" } ?? ""). \(codes)", width: 420, height: 160)
            case .text, .dossier:
                try sheet.setColumns(column, column, width: item.type == .text ? 40 : 14, text)
            }
            if item.type != .multi, full.count > short.count + number.count || item.type == .text || item.type == .dossier {
                try sheet.comment(0, column, full, width: 360, height: 120)
            }
            column += 1
        }
        try sheet.setRow(0, height: 60)
        try sheet.setRow(1, height: 12)
        sheet.freezePanes(rows: 2, columns: 1)
        sheet.activate()

        if let responses { try fill(sheet, responses, text: text, date: date, code: code) }

        // Identity, hidden and protected.
        let values = [identity.questionnaireID, identity.version, identity.contentHash, identity.unit ?? "", TemplateLayout.formatVersion]
        for (k, key) in TemplateLayout.metaKeys.enumerated() {
            try meta.write(k, 0, key)
            try meta.write(k, 1, values[k])
        }
        meta.protect()
        meta.hide()
        try book.close()
    }

    private func fill(_ sheet: XlsxSheetWriter, _ t: ResponseTable, text: CellStyle, date: CellStyle, code: CellStyle) throws(XlsxWriteError) {
        for r in 0..<t.count {
            let row = r + TemplateLayout.firstDataRow - 1
            try sheet.write(row, 0, t.formID[r], text)
            if let d = t.collectedOn[r], let serial = Self.excelSerial(d) { try sheet.write(row, 1, serial, date) }
            if let c = t.channel[r] { try sheet.write(row, 2, c, text) }
            if let f = t.field[r] { try sheet.write(row, 3, f, text) }
            var column = TemplateLayout.metadataColumns.count
            for item in items {
                if let v = t.codes[item.id]?[r], v != 0 {
                    try sheet.write(row, column, Double(v), code)
                } else if let set = t.picks[item.id]?[r], set != 0 {
                    try sheet.write(row, column, (1..<64).filter { set & (1 << UInt64($0)) != 0 }.map(String.init).joined(separator: "|"), text)
                } else if let s = t.texts[item.id]?[r] {
                    try sheet.write(row, column, s, text)
                }
                column += 1
            }
        }
    }

    /// Days since 1899-12-30 (Excel's 1900 system) for YYYY-MM-DD.
    public static func excelSerial(_ iso: String) -> Double? {
        let parts = iso.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let day = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
              let origin = calendar.date(from: DateComponents(year: 1899, month: 12, day: 30)) else { return nil }
        return (day.timeIntervalSince(origin) / 86400).rounded()
    }
}
