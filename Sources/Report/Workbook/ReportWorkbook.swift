import Foundation
import SIPASAnalysis
import SIPASModel
import SIPASStatistics
import SIPASXlsx

/// The workbook a commune sends to the province (báo cáo kết quả khảo sát), in Vietnamese.
///
/// Sheets: Tổng hợp, Tiêu chí, Phân tổ, Ưu tiên, Góp ý, Dữ liệu, Phương pháp. Counts and shares of
/// criteria are Excel formulas over *Dữ liệu* with cached values (when the design is unweighted);
/// composite indices and all bounds are values.
public struct ReportWorkbook {
    public let data: ReportData
    public let profile: ReportProfile
    public let questionnaire: Questionnaire
    public let table: ResponseTable

    public init(data: ReportData, profile: ReportProfile, questionnaire: Questionnaire, table: ResponseTable) {
        self.data = data
        self.profile = profile
        self.questionnaire = questionnaire
        self.table = table
    }

    public static let sheetNames = ["Tổng hợp", "Tiêu chí", "Phân tổ", "Ưu tiên", "Góp ý", "Dữ liệu", "Phương pháp"]

    // Styles.
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

    public func write(to path: String) throws(XlsxWriteError) {
        let large = table.count > 50_000
        let book = try XlsxWriter(path: path, constantMemory: large, zip64: large)
        book.setProperties(
            title: "Báo cáo SIPAS \(data.periodLabel) — \(profile.unit.name)", subject: "\(questionnaire.id) \(questionnaire.version)",
            author: "sipas", company: profile.unit.name, comments: "Kỳ \(data.period); dữ liệu SHA-256 \(data.dataSHA256)")
        let sheets = try Self.sheetNames.map { (name: String) throws(XlsxWriteError) -> XlsxSheetWriter in try book.addSheet(name) }
        let header = "&L\(profile.unit.name)&C\(data.periodLabel)&RTrang &P/&N"
        let dataRanges = try writeData(sheets[5], header: header)
        try writeSummary(sheets[0], header: header)
        try writeCriteria(sheets[1], ranges: dataRanges, header: header)
        try writeGroups(sheets[2], header: header)
        try writePriorities(sheets[3], header: header)
        try writeComments(sheets[4], header: header)
        try writeMethod(sheets[6], header: header)
        sheets[0].activate()
        try book.close()
    }

    // MARK: Tổng hợp

    func writeSummary(_ s: XlsxSheetWriter, header: String) throws(XlsxWriteError) {
        let a = data.analysis
        try s.setColumns(0, 0, width: 16)
        try s.setColumns(1, 1, width: 44)
        try s.setColumns(2, 5, width: 11)
        try s.setColumns(6, 6, width: 9)
        try s.setColumns(7, 7, width: 15)
        try s.setColumns(8, 8, width: 11)
        try s.setColumns(9, 10, width: 10)
        var row = 0
        try s.write(row, 0, "BÁO CÁO KẾT QUẢ ĐO LƯỜNG SỰ HÀI LÒNG CỦA NGƯỜI DÂN (SIPAS)", Self.title)
        row += 1
        let unitLine = [profile.unit.name, profile.unit.level, profile.unit.province].compactMap { $0 }.joined(separator: " — ")
        try s.write(row, 0, "Đơn vị: \(unitLine) (mã \(profile.unit.code))")
        row += 1
        try s.write(row, 0, "Kỳ báo cáo: \(data.periodLabel) (từ \(data.from) đến \(data.to))")
        row += 1
        let verified = questionnaire.source.verified ? "" : " — nội dung phiếu chưa đối chiếu đủ với văn bản gốc"
        try s.write(row, 0, "Phiếu khảo sát: \(questionnaire.title) (\(questionnaire.id), phiên bản \(questionnaire.version))\(verified)")
        row += 1
        try s.write(row, 0, "Số phiếu phân tích:")
        let n = table.count
        try s.writeFormula(row, 1, "=COUNTA('Dữ liệu'!$A$2:$A$\(n + 1))", result: Double(n), CellStyle(bold: true, numberFormat: "#,##0", alignment: .left))
        row += 1
        let sourceNames = ["paper": "phiếu giấy", "kiosk": "kiosk tại quầy", "web": "trực tuyến", "import": "nhập từ tệp"]
        let sources = data.sources.sorted { $0.key < $1.key }.map { "\(sourceNames[$0.key] ?? $0.key): \($0.value)" }.joined(separator: "; ")
        try s.write(row, 0, "Theo nguồn: \(sources)")
        row += 2

        try s.write(row, 0, "1. Chỉ số hài lòng và khoảng tin cậy \(Int((a.level * 100).rounded())) %", Self.bold)
        row += 1
        let columns = ["Mã chỉ số", "Chỉ số", "Giá trị", "Cận dưới", "Cận trên", "Số phiếu (n)", "Mục tiêu", "Đánh giá", "Phương pháp", "Kỳ trước", "Thay đổi"]
        for (c, name) in columns.enumerated() { try s.write(row, c, name, Self.header) }
        try s.setRow(row, height: 30)
        let tableHeaderRow = row
        row += 1
        let firstIndexRow = row
        let targetOf = Dictionary(profile.targets.filter { $0.fields.isEmpty && $0.channels.isEmpty }.map { ($0.index, $0.minimum) }, uniquingKeysWith: { a, _ in a })
        for ix in a.indices {
            try s.write(row, 0, ix.id, Self.plain)
            try s.write(row, 1, ix.title + (ix.small ? " *" : ""), Self.text)
            try number(s, row, 2, ix.value, Self.percent)
            try number(s, row, 3, ix.lower, Self.percent)
            try number(s, row, 4, ix.upper, Self.percent)
            try s.write(row, 5, Double(ix.n), Self.count)
            if let target = targetOf[ix.id] {
                try s.write(row, 6, target, Self.percent)
                try verdict(s, row, 7, Verdict(lower: ix.lower, upper: ix.upper, target: target))
            } else {
                try s.writeBlank(row, 6, Self.plain)
                try s.writeBlank(row, 7, Self.plain)
            }
            try s.write(row, 8, ix.method, Self.plain)
            let before = data.previous?.indices.first { $0.id == ix.id }?.value
            try number(s, row, 9, before, Self.percent)
            if let before, let now = ix.value {
                try s.writeFormula(row, 10, "=C\(row + 1)-J\(row + 1)", result: now - before, Self.change)
            } else {
                try s.writeBlank(row, 10, Self.plain)
            }
            row += 1
        }
        let lastIndexRow = row - 1
        row += 1

        try s.write(row, 0, "2. Chỉ tiêu của kế hoạch cải cách hành chính", Self.bold)
        row += 1
        row = try headerRow(s, row, ["Chỉ số", "Chỉ tiêu (phạm vi)", "Mục tiêu", "Giá trị", "Cận dưới", "Cận trên", "Số phiếu (n)", "Đánh giá"])
        if data.targets.isEmpty {
            try s.write(row, 0, "(hồ sơ báo cáo không nêu chỉ tiêu)", Self.note)
            row += 1
        }
        for t in data.targets {
            let label = "\(t.title)\n(\(t.scope))"
            try s.write(row, 0, t.index, Self.plain)
            try s.write(row, 1, label, Self.text)
            try s.write(row, 2, t.minimum, Self.percent)
            try number(s, row, 3, t.value, Self.percent)
            try number(s, row, 4, t.lower, Self.percent)
            try number(s, row, 5, t.upper, Self.percent)
            try s.write(row, 6, Double(t.n), Self.count)
            try verdict(s, row, 7, t.verdict)
            try s.setRow(row, height: Self.height(label, width: 44))
            row += 1
        }
        if let c = data.counter {
            row += 1
            row = try writeCounterSummary(s, c, row: row)
        }
        row += 1
        try note(s, row, 11, width: 150, "Đạt: cả khoảng tin cậy không thấp hơn mục tiêu. Chưa đạt: cả khoảng tin cậy thấp hơn mục tiêu. Chưa đủ căn cứ: khoảng tin cậy chứa mục tiêu (cần thêm phiếu). * dưới 30 phiếu: chưa đủ để kết luận.")
        row += 1
        s.pageBreaks(before: [row])
        row += 1
        let lowest = a.indices.compactMap(\.lower).min() ?? 0
        let headline = targetOf[a.overall].map { " — mục tiêu \(Int(($0 * 100).rounded())) %" } ?? ""
        try s.insert(
            IntervalChart(
                title: "Chỉ số hài lòng và khoảng tin cậy\(headline)", sheet: "Tổng hợp", firstRow: firstIndexRow, lastRow: lastIndexRow,
                categoryColumn: 0, lowerColumn: 3, valueColumn: 2, upperColumn: 4, axisMinimum: max(0, (lowest * 10).rounded(.down) / 10 - 0.1)),
            row: row, column: 0, width: 900, height: 380)
        s.freezePanes(rows: tableHeaderRow + 1, columns: 0)
        s.printSetup(landscape: true, repeatRows: nil, header: header)
    }

    /// Counter ratings: the share satisfied (rule overall-question) overall and by channel, and the Decree-766 rate.
    func writeCounterSummary(_ s: XlsxSheetWriter, _ c: Analysis, row start: Int) throws(XlsxWriteError) -> Int {
        var row = start
        try s.write(row, 0, "3. Đánh giá tại quầy (kiosk) — tỷ lệ hài lòng với câu hỏi chung, \(c.n) lượt", Self.bold)
        row += 1
        row = try headerRow(s, row, ["Chỉ số", "Phạm vi", "Mục tiêu", "Giá trị", "Cận dưới", "Cận trên", "Số lượt (n)", "Đánh giá"])
        var rows: [(String, IndexEstimate)] = []
        if let ix = c.indices.first(where: { $0.id == c.overall }) { rows.append(("Tất cả lượt đánh giá", ix)) }
        for g in c.groups where g.by == "channel" {
            if let ix = g.analysis.indices.first(where: { $0.id == c.overall }) { rows.append(("Kênh \(g.label ?? g.value)", ix)) }
        }
        for (scope, ix) in rows {
            try s.write(row, 0, ix.id, Self.plain)
            try s.write(row, 1, scope + (ix.small ? " *" : ""), Self.text)
            if let t = c.target { try s.write(row, 2, t, Self.percent) } else { try s.writeBlank(row, 2, Self.plain) }
            try number(s, row, 3, ix.value, Self.percent)
            try number(s, row, 4, ix.lower, Self.percent)
            try number(s, row, 5, ix.upper, Self.percent)
            try s.write(row, 6, Double(ix.n), Self.count)
            if let t = c.target { try verdict(s, row, 7, Verdict(lower: ix.lower, upper: ix.upper, target: t)) } else { try s.writeBlank(row, 7, Self.plain) }
            row += 1
        }
        if let d = c.decree766 {
            let label = "Tỷ lệ theo cách tính Quyết định 766: (N − số lượt không hài lòng)/N, N = \(d.dossiers) hồ sơ đã giải quyết, \(d.dissatisfied) lượt không hài lòng"
            try s.write(row, 0, "qd766", Self.plain)
            try s.write(row, 1, label, Self.text)
            if let t = c.target { try s.write(row, 2, t, Self.percent) } else { try s.writeBlank(row, 2, Self.plain) }
            try s.writeFormula(row, 3, "=(\(d.dossiers)-\(d.dissatisfied))/\(d.dossiers)", result: d.value, Self.percent)
            try s.writeBlank(row, 4, Self.plain)
            try s.writeBlank(row, 5, Self.plain)
            try s.write(row, 6, Double(d.dossiers), Self.count)
            try s.write(row, 7, "không phải ước lượng khảo sát", Self.text)
            try s.setRow(row, height: Self.height(label, width: 44))
            row += 1
        }
        return row
    }

    // MARK: Tiêu chí

    func writeCriteria(_ s: XlsxSheetWriter, ranges: [String: String], header: String) throws(XlsxWriteError) {
        let criteria = data.analysis.criteria
        let codes = Set(criteria.flatMap { $0.distribution.keys.compactMap { Int($0) } } + questionnaire.scoredItems.flatMap { $0.options.map(\.code) }).sorted()
        let formulas = !data.analysis.design.weighted
        var columns = ["Câu", "Nội dung", "Số trả lời (n)", "Thiếu"]
        columns += codes.map { "Mã \($0)" }
        columns += ["Hài lòng (số)", "Tỷ lệ hài lòng", "Cận dưới", "Cận trên", "Điểm trung bình"]
        for (c, name) in columns.enumerated() { try s.write(0, c, name, Self.header) }
        try s.setRow(0, height: 30)
        try s.setColumns(0, 0, width: 7)
        try s.setColumns(1, 1, width: 60)
        try s.setColumns(2, columns.count - 1, width: 10)
        let firstCode = 4
        let satisfiedColumn = firstCode + codes.count
        for (i, c) in criteria.enumerated() {
            let row = i + 1
            let item = questionnaire.item(c.id)
            try s.write(row, 0, c.number ?? c.id, Self.plain)
            try s.write(row, 1, c.text + (c.small ? " *" : ""), Self.text)
            try s.setRow(row, height: Self.height(c.text, width: 60))
            let range = ranges[c.id]
            let valid = (item?.options.map(\.code) ?? []).map(String.init).joined(separator: ",")
            let satisfied = item.flatMap { questionnaire.satisfiedCodes(for: $0) }?.sorted().map(String.init).joined(separator: ",") ?? ""
            if formulas, let range, !valid.isEmpty {
                try s.writeFormula(row, 2, "=SUMPRODUCT(COUNTIF(\(range),{\(valid)}))", result: Double(c.n), Self.count)
            } else {
                try s.write(row, 2, Double(c.n), Self.count)
            }
            try s.write(row, 3, Double(c.missing), Self.count)
            for (k, code) in codes.enumerated() {
                let value = Double(c.distribution[String(code)] ?? 0)
                if formulas, let range {
                    try s.writeFormula(row, firstCode + k, "=COUNTIF(\(range),\(code))", result: value, Self.count)
                } else {
                    try s.write(row, firstCode + k, value, Self.count)
                }
            }
            if formulas, let range, !satisfied.isEmpty {
                try s.writeFormula(row, satisfiedColumn, "=SUMPRODUCT(COUNTIF(\(range),{\(satisfied)}))", result: Double(c.satisfied), Self.count)
                let nCell = XlsxSheetWriter.reference(row, 2), satCell = XlsxSheetWriter.reference(row, satisfiedColumn)
                if let value = c.value {
                    try s.writeFormula(row, satisfiedColumn + 1, "=IF(\(nCell)>0,\(satCell)/\(nCell),\"\")", result: value, Self.percent)
                } else {
                    try s.writeFormula(row, satisfiedColumn + 1, "=IF(\(nCell)>0,\(satCell)/\(nCell),\"\")", text: "", Self.percent)
                }
            } else {
                try s.write(row, satisfiedColumn, Double(c.satisfied), Self.count)
                try number(s, row, satisfiedColumn + 1, c.value, Self.percent)
            }
            try number(s, row, satisfiedColumn + 2, c.lower, Self.percent)
            try number(s, row, satisfiedColumn + 3, c.upper, Self.percent)
            try number(s, row, satisfiedColumn + 4, c.mean, Self.decimal)
        }
        let last = criteria.count + 2
        try note(s, last, columns.count, width: 60 + Double(columns.count - 2) * 10 + 7, "Tỷ lệ hài lòng = số trả lời ở các mức hài lòng / số trả lời hợp lệ; khoảng tin cậy \(data.analysis.criteria.first?.method ?? "wilson"). Các ô đếm là công thức trên trang Dữ liệu. * dưới 30 trả lời.")
        s.freezePanes(rows: 1, columns: 2)
        s.printSetup(landscape: true, repeatRows: 0...0, header: header)
    }

    // MARK: Phân tổ

    func writeGroups(_ s: XlsxSheetWriter, header: String) throws(XlsxWriteError) {
        for (c, name) in ["Phân tổ theo", "Nhóm", "Chỉ số", "Giá trị", "Cận dưới", "Cận trên", "Số phiếu (n)", "Ghi chú"].enumerated() {
            try s.write(0, c, name, Self.header)
        }
        try s.setColumns(0, 0, width: 14)
        try s.setColumns(1, 1, width: 26)
        try s.setColumns(2, 2, width: 40)
        try s.setColumns(3, 6, width: 11)
        try s.setColumns(7, 7, width: 16)
        let byNames = ["unit": "Đơn vị", "field": "Lĩnh vực", "channel": "Kênh"]
        var row = 1
        for g in data.analysis.groups {
            for ix in g.analysis.indices {
                try s.write(row, 0, byNames[g.by] ?? questionnaire.item(g.by)?.text ?? g.by, Self.text)
                try s.write(row, 1, g.label.map { "\(g.value) \($0)" } ?? g.value, Self.text)
                try s.write(row, 2, ix.title, Self.text)
                try number(s, row, 3, ix.value, Self.percent)
                try number(s, row, 4, ix.lower, Self.percent)
                try number(s, row, 5, ix.upper, Self.percent)
                try s.write(row, 6, Double(ix.n), Self.count)
                try s.write(row, 7, ix.small ? "dưới 30 phiếu" : "", Self.plain)
                row += 1
            }
        }
        if data.analysis.groups.isEmpty { try s.write(1, 0, "(hồ sơ báo cáo không yêu cầu phân tổ)", Self.note) }
        s.freezePanes(rows: 1, columns: 0)
        s.printSetup(landscape: true, repeatRows: 0...0, header: header)
    }

    // MARK: Ưu tiên

    func writePriorities(_ s: XlsxSheetWriter, header: String) throws(XlsxWriteError) {
        try s.setColumns(0, 0, width: 6)
        try s.setColumns(1, 1, width: 70)
        try s.setColumns(2, 5, width: 11)
        var row = 0
        try s.write(row, 0, "Ưu tiên cải thiện theo ý kiến người dân (xếp theo tỷ lệ chọn)", Self.bold)
        row += 1
        for (c, name) in ["TT", "Nội dung", "Tỷ lệ chọn", "Cận dưới", "Cận trên", "Số trả lời"].enumerated() { try s.write(row, c, name, Self.header) }
        row += 1
        for (k, p) in data.analysis.priorities.enumerated() {
            try s.write(row, 0, Double(k + 1), Self.count)
            try s.write(row, 1, p.text, Self.text)
            try s.setRow(row, height: Self.height(p.text, width: 70))
            try number(s, row, 2, p.value, Self.percent)
            try number(s, row, 3, p.lower, Self.percent)
            try number(s, row, 4, p.upper, Self.percent)
            try s.write(row, 5, Double(p.n), Self.count)
            row += 1
        }
        row += 1
        try s.write(row, 0, "Trải nghiệm tiêu cực (phiền hà, sách nhiễu, chi tiền ngoài quy định)", Self.bold)
        row += 1
        for (c, name) in ["Câu", "Nội dung", "Tỷ lệ", "Cận dưới", "Cận trên", "Số trả lời"].enumerated() { try s.write(row, c, name, Self.header) }
        row += 1
        for p in data.analysis.negative {
            try s.write(row, 0, questionnaire.item(p.id)?.number ?? p.id, Self.plain)
            try s.write(row, 1, p.text, Self.text)
            try s.setRow(row, height: Self.height(p.text, width: 70))
            try number(s, row, 2, p.value, Self.percent)
            try number(s, row, 3, p.lower, Self.percent)
            try number(s, row, 4, p.upper, Self.percent)
            try s.write(row, 5, Double(p.n), Self.count)
            row += 1
        }
        if let c = data.counter {
            row += 1
            try s.write(row, 0, "Không hài lòng tại quầy theo lĩnh vực (kiosk, câu hỏi chung), xếp từ cao xuống", Self.bold)
            row += 1
            row = try headerRow(s, row, ["TT", "Lĩnh vực", "Tỷ lệ không hài lòng", "Cận dưới", "Cận trên", "Số lượt"])
            let fields = c.groups.filter { $0.by == "field" }.compactMap { g -> (String, IndexEstimate)? in
                g.analysis.indices.first { $0.id == c.overall }.map { (g.label ?? g.value, $0) }
            }.sorted { (1 - ($0.1.value ?? 1)) > (1 - ($1.1.value ?? 1)) }
            for (k, (field, ix)) in fields.enumerated() {
                try s.write(row, 0, Double(k + 1), Self.count)
                try s.write(row, 1, field + (ix.small ? " *" : ""), Self.text)
                try number(s, row, 2, ix.value.map { 1 - $0 }, Self.percent)
                try number(s, row, 3, ix.upper.map { 1 - $0 }, Self.percent)
                try number(s, row, 4, ix.lower.map { 1 - $0 }, Self.percent)
                try s.write(row, 5, Double(ix.n), Self.count)
                row += 1
            }
        }
        s.printSetup(landscape: false, repeatRows: nil, header: header)
    }

    // MARK: Góp ý

    func writeComments(_ s: XlsxSheetWriter, header: String) throws(XlsxWriteError) {
        for (c, name) in ["Số phiếu", "Đơn vị", "Lĩnh vực", "Ngày", "Câu", "Ý kiến"].enumerated() { try s.write(0, c, name, Self.header) }
        try s.setColumns(0, 3, width: 13)
        try s.setColumns(4, 4, width: 8)
        try s.setColumns(5, 5, width: 80)
        var row = 1
        let textItems = questionnaire.items.filter { $0.type == .text }
        for r in 0..<table.count {
            for item in textItems {
                guard let comment = table.texts[item.id]?[r] else { continue }
                try s.write(row, 0, table.formID[r], Self.plain)
                try s.write(row, 1, table.unit[r] ?? "", Self.plain)
                try s.write(row, 2, table.field[r] ?? "", Self.plain)
                try s.write(row, 3, table.collectedOn[r] ?? "", Self.plain)
                try s.write(row, 4, item.number ?? item.id, Self.plain)
                // write_string never makes a formula, whatever the text starts with.
                try s.write(row, 5, comment, Self.text)
                try s.setRow(row, height: Self.height(comment, width: 80))
                row += 1
            }
        }
        if row == 1 { try s.write(1, 0, "(không có ý kiến)", Self.note) }
        s.freezePanes(rows: 1, columns: 0)
        s.printSetup(landscape: true, repeatRows: 0...0, header: header)
    }

    // MARK: Dữ liệu

    /// Writes every response; returns the data range of each coded item, e.g. 'Dữ liệu'!$F$2:$F$301.
    func writeData(_ s: XlsxSheetWriter, header: String) throws(XlsxWriteError) -> [String: String] {
        let items = questionnaire.items
        let names = ResponseTable.metadataColumns + items.map(\.id)
        let idStyle = CellStyle(bold: true, fill: 0xDDEBF7)
        for (c, name) in names.enumerated() { try s.write(0, c, name, idStyle) }
        try s.setColumns(0, 0, width: 13)
        try s.setColumns(1, 4, width: 11)
        var ranges: [String: String] = [:]
        let last = table.count + 1
        for (k, item) in items.enumerated() where item.type.isCoded {
            let col = XlsxSheetWriter.columnName(ResponseTable.metadataColumns.count + k)
            ranges[item.id] = "'Dữ liệu'!$\(col)$2:$\(col)$\(last)"
        }
        // Codes in the default format: a style on each of a hundred million cells adds 6 bytes of
        // XML to each, to compress and store.
        let none = s.resolve(nil)
        let first = ResponseTable.metadataColumns.count
        // Columns looked up once: a million rows of dictionary lookups per cell cost more than the writing.
        var codes: [(column: Int, values: [UInt8])] = []
        var picks: [(column: Int, values: [UInt64])] = []
        var texts: [(column: Int, values: [String?])] = []
        for (k, item) in items.enumerated() {
            if let v = table.codes[item.id] { codes.append((first + k, v)) }
            else if let v = table.picks[item.id] { picks.append((first + k, v)) }
            else if let v = table.texts[item.id] { texts.append((first + k, v)) }
        }
        let numbers = (0..<256).map(Double.init)
        for r in 0..<table.count {
            let row = r + 1
            try s.write(row, 0, table.formID[r], none)
            if let v = table.unit[r] { try s.write(row, 1, v, none) }
            if let v = table.collectedOn[r] { try s.write(row, 2, v, none) }
            if let v = table.channel[r] { try s.write(row, 3, v, none) }
            if let v = table.field[r] { try s.write(row, 4, v, none) }
            for c in codes {
                let v = c.values[r]
                if v != 0 { try s.write(row, c.column, numbers[Int(v)], none) }
            }
            for c in picks where c.values[r] != 0 {
                try s.write(row, c.column, (1..<64).filter { c.values[r] & (1 << UInt64($0)) != 0 }.map(String.init).joined(separator: "|"), none)
            }
            for c in texts {
                if let t = c.values[r] { try s.write(row, c.column, t, none) }
            }
        }
        s.freezePanes(rows: 1, columns: 1)
        try s.autofilter(0, 0, max(table.count, 1), names.count - 1)
        s.printSetup(landscape: true, repeatRows: 0...0, header: header, fitToWidth: false)
        return ranges
    }

    // MARK: Phương pháp

    func writeMethod(_ s: XlsxSheetWriter, header: String) throws(XlsxWriteError) {
        let a = data.analysis
        try s.setColumns(0, 0, width: 120, CellStyle(wrap: true))
        var row = 0
        func line(_ text: String, _ style: CellStyle? = nil) throws(XlsxWriteError) {
            try s.write(row, 0, text, style ?? CellStyle(wrap: true, verticalCenter: true))
            if style == nil { try s.setRow(row, height: Self.height(text, width: 120)) }
            row += 1
        }
        try line("Phương pháp tính", Self.title)
        for rule in a.rules { try line("• " + rule) }
        row += 1
        let methods = Set(a.indices.map(\.method)).sorted().joined(separator: ", ")
        try line("Khoảng tin cậy \(Int((a.level * 100).rounded())) % cho chỉ số tổng hợp: \(methods) (tuyến tính hóa Taylor, phân vị t với \(a.design.df) bậc tự do; mỗi đơn vị là một tầng). Tiêu chí: \(a.criteria.first?.method ?? "wilson").")
        if a.design.weighted { try line("Trọng số N/n theo số hồ sơ của từng đơn vị, có hiệu chỉnh tổng thể hữu hạn.") }
        if !a.design.lonelyStrata.isEmpty { try line("Đơn vị chỉ có một phiếu: \(a.design.lonelyStrata.joined(separator: ", ")) (phương sai theo quy ước 'adjust' của gói survey).") }
        if let overall = a.indices.first(where: { $0.id == a.overall }), let value = overall.value, a.n > 1 {
            let margin = SampleSize.achievedMargin(sampleSize: a.n, expected: min(max(value, 0.01), 0.99), confidence: 0.95)
            let plan = SampleSize.cochran(expected: min(max(value, 0.5), 0.99), margin: 0.05, confidence: 0.95)
            try line(String(format: "Cỡ mẫu: %d phiếu; sai số tối đa ở mức tin cậy 95 %% khoảng ±%.1f điểm phần trăm (mẫu ngẫu nhiên đơn giản, p = %.1f %%). Để đạt ±5 điểm cần khoảng %d phiếu.", a.n, margin * 100, value * 100, plan.required))
        }
        row += 1
        try line("Phần mềm: sipas \(data.software)")
        try line("Dữ liệu (SHA-256 của các phiếu dùng trong báo cáo): \(data.dataSHA256)")
        try line("Phiếu: \(questionnaire.id) \(questionnaire.version) — \(questionnaire.source.decision)\(questionnaire.source.verified ? "" : " (nội dung chưa đối chiếu đủ với văn bản gốc)")")
        s.printSetup(landscape: false, repeatRows: nil, header: header)
    }

    // MARK: Helpers

    /// A table's header cells on `row`, two lines high; returns the next row.
    func headerRow(_ s: XlsxSheetWriter, _ row: Int, _ names: [String]) throws(XlsxWriteError) -> Int {
        for (c, name) in names.enumerated() { try s.write(row, c, name, Self.header) }
        try s.setRow(row, height: 30)
        return row + 1
    }

    /// Row height that shows `text` wrapped in a column `width` characters wide (libxlsxwriter does not autofit).
    static func height(_ text: String, width: Double, line: Double = 15) -> Double {
        let perLine = max(1, width * 1.15)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { max(1, Int((Double($0.count) / perLine).rounded(.up))) }.reduce(0, +)
        return Double(max(1, lines)) * line
    }

    /// A note across `columns` columns of total `width`, tall enough for its text.
    func note(_ s: XlsxSheetWriter, _ row: Int, _ columns: Int, width: Double, _ text: String) throws(XlsxWriteError) {
        try s.merge(row, 0, row, columns - 1, text, Self.note)
        try s.setRow(row, height: Self.height(text, width: width))
    }

    func number(_ s: XlsxSheetWriter, _ row: Int, _ column: Int, _ value: Double?, _ style: CellStyle) throws(XlsxWriteError) {
        if let value { try s.write(row, column, value, style) } else { try s.writeBlank(row, column, style) }
    }

    func verdict(_ s: XlsxSheetWriter, _ row: Int, _ column: Int, _ v: Verdict?) throws(XlsxWriteError) {
        switch v {
        case .met?: try s.write(row, column, v!.label, Self.met)
        case .notMet?: try s.write(row, column, v!.label, Self.notMet)
        case .inconclusive?: try s.write(row, column, v!.label, Self.open)
        case nil: try s.write(row, column, "—", Self.plain)
        }
    }
}
