import Foundation
import SIPASAnalysis
import SIPASModel
import SIPASXlsx

/// The sheets of the province's workbook, in tab order; the raw value is the tab's name.
public enum ProvinceSheet: String, CaseIterable, Sendable {
    /// *Tổng hợp tỉnh*: the province estimate of every index with bounds, units submitted of
    /// expected, forms, and the province's targets.
    case summary = "Tổng hợp tỉnh"
    /// *Xếp hạng*: every unit's index with bounds, n, rank, rank interval, previous rank and the
    /// verdict on a better rank, the index's change; and the chart of the units' intervals.
    case ranking = "Xếp hạng"
    /// *Chỉ tiêu*: units × the targets every unit must meet, verdicts in colour.
    case targets = "Chỉ tiêu"
    /// *Chưa nộp*: expected units without forms for the period.
    case missing = "Chưa nộp"
    /// *Phương pháp*: how the province estimate, the ranks and their intervals were computed.
    case method = "Phương pháp"
}

/// The workbook of a province's (or district's) consolidation, in Vietnamese, printable on A4.
/// Per-form data is not repeated: each commune's workbook holds its own.
///
/// Use it to write ``ProvinceReportData`` built by the province use case.
public struct ProvinceWorkbook {
    public let data: ProvinceReportData
    /// The questionnaire and the interval methods, for the scoring rules on *Phương pháp*.
    public let questionnaire: Questionnaire
    public let composite: CompositeInterval
    public let criterion: CriterionInterval

    public init(data: ProvinceReportData, questionnaire: Questionnaire, composite: CompositeInterval, criterion: CriterionInterval) {
        self.data = data
        self.questionnaire = questionnaire
        self.composite = composite
        self.criterion = criterion
    }

    /// Charts of more units than this are unreadable; the sheet says so and the table holds all.
    static let chartLimit = 120

    public func write(to path: String) throws(XlsxWriteError) {
        let book = try XlsxWriter(path: path, constantMemory: false, zip64: data.ranking.count > 100_000)
        book.setProperties(
            title: "Báo cáo SIPAS \(data.periodLabel) — \(data.provinceName)", subject: "\(data.analysis.questionnaire.id) \(data.analysis.questionnaire.version)",
            author: "sipas", company: data.provinceName, comments: "Kỳ \(data.period); dữ liệu SHA-256 \(data.dataSHA256)")
        var sheets: [ProvinceSheet: XlsxSheetWriter] = [:]
        for sheet in ProvinceSheet.allCases { sheets[sheet] = try book.addSheet(sheet.rawValue) }
        let header = "&L\(data.provinceName)&C\(data.periodLabel)&RTrang &P/&N"
        try summary(sheets[.summary]!, header)
        try ranking(sheets[.ranking]!, header)
        try targets(sheets[.targets]!, header)
        try missing(sheets[.missing]!, header)
        try method(sheets[.method]!, header)
        sheets[.summary]!.activate()
        try book.close()
    }

    func pct(_ v: Double?) -> String { v.map { String(format: "%.1f %%", $0 * 100) } ?? "—" }

    func summary(_ s: XlsxSheetWriter, _ header: String) throws(XlsxWriteError) {
        let a = data.analysis
        try s.setColumns(0, 0, width: 52)
        try s.setColumns(1, 6, width: 12)
        try s.setColumns(7, 7, width: 16)
        var row = 0
        try s.write(row, 0, "BÁO CÁO TỔNG HỢP CHỈ SỐ HÀI LÒNG (SIPAS) — \(data.level.uppercased()) \(data.provinceName.uppercased())", .title)
        row += 1
        try s.write(row, 0, "Kỳ báo cáo: \(data.periodLabel) (từ \(data.from) đến \(data.to))")
        row += 1
        try s.write(row, 0, "Phiếu khảo sát: \(a.questionnaire.title) (\(a.questionnaire.id), phiên bản \(a.questionnaire.version))")
        row += 1
        try s.write(row, 0, "Đơn vị đã nộp: \(data.unitsSubmitted)/\(data.unitsExpected); tổng số phiếu: \(a.n)")
        row += 1
        if !data.unlisted.isEmpty {
            let others = data.unlisted.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value) phiếu)" }.joined(separator: ", ")
            try s.write(row, 0, "Không tính: phiếu của đơn vị không có trong danh sách: \(others)", .note)
            row += 1
        }
        row += 1
        try s.write(row, 0, "1. Chỉ số hài lòng của \(data.level) và khoảng tin cậy \(Int((a.level * 100).rounded())) %", .bold)
        row += 1
        row = try s.headerRow(row, ["Chỉ số", "Giá trị", "Cận dưới", "Cận trên", "Sai số chuẩn", "Số phiếu (n)", "Hệ số thiết kế", "Phương pháp"])
        for ix in a.indices {
            try s.write(row, 0, ix.title, .text)
            try s.number(row, 1, ix.value, .percent)
            try s.number(row, 2, ix.lower, .percent)
            try s.number(row, 3, ix.upper, .percent)
            try s.number(row, 4, ix.se, CellStyle(numberFormat: "0.0000", border: true, alignment: .right, verticalCenter: true))
            try s.write(row, 5, Double(ix.n), .count)
            try s.number(row, 6, ix.deff, .decimal)
            try s.write(row, 7, ix.method, .plain)
            row += 1
        }
        row += 1
        try s.write(row, 0, "2. Chỉ tiêu của \(data.level)", .bold)
        row += 1
        row = try s.headerRow(row, ["Chỉ tiêu", "Mục tiêu", "Giá trị", "Cận dưới", "Cận trên", "Số phiếu (n)", "Đánh giá"])
        if data.targets.isEmpty {
            try s.write(row, 0, "(hồ sơ không nêu chỉ tiêu của \(data.level))", .note)
            row += 1
        }
        for t in data.targets {
            try s.write(row, 0, t.title, .text)
            try s.write(row, 1, t.minimum, .percent)
            try s.number(row, 2, t.value, .percent)
            try s.number(row, 3, t.lower, .percent)
            try s.number(row, 4, t.upper, .percent)
            try s.write(row, 5, Double(t.n), .count)
            try s.verdict(row, 6, t.verdict)
            row += 1
        }
        row += 1
        try s.note(row, 8, width: 160, "Ước lượng của \(data.level): mọi phiếu của các đơn vị đã nộp, mỗi đơn vị là một tầng\(a.design.weighted ? ", trọng số theo số hồ sơ của từng đơn vị và hiệu chỉnh tổng thể hữu hạn" : " (không có số hồ sơ: mỗi phiếu có trọng số như nhau)"). Đạt: cả khoảng tin cậy không thấp hơn mục tiêu; Chưa đạt: cả khoảng thấp hơn mục tiêu; Chưa đủ căn cứ: khoảng chứa mục tiêu.")
        s.printSetup(landscape: false, repeatRows: nil, header: header)
    }

    func ranking(_ s: XlsxSheetWriter, _ header: String) throws(XlsxWriteError) {
        let rows = data.ranking
        let widths: [Double] = [7, 11, 12, 30, 20, 10, 10, 10, 9, 11, 11, 16, 10, 10, 10, 16]
        for (c, w) in widths.enumerated() { try s.setColumns(c, c, width: w) }
        var row = 0
        try s.write(row, 0, "Xếp hạng các đơn vị theo \(data.rankTitle) — \(data.periodLabel)", .title)
        row += 1
        let previous = data.previousLabel.map { "so với \($0)" } ?? "không có kỳ trước để so sánh"
        try s.write(row, 0, "Khoảng hạng \(Int((data.analysis.level * 100).rounded())) %: \(data.replicates) lần mô phỏng đồng thời mọi đơn vị (hạt giống \(data.seed)); xếp hạng \(previous).")
        row += 1
        let headerRow = row
        row = try s.headerRow(row, [
            "Hạng", "Khoảng hạng", "Mã đơn vị", "Đơn vị", "Huyện", "Chỉ số", "Cận dưới", "Cận trên", "Số phiếu (n)", "Hạng kỳ trước (cùng nhóm)",
            "Hạng kỳ này (cùng nhóm)", "Hạng tốt hơn kỳ trước", "Thay đổi", "Thay đổi: cận dưới", "Thay đổi: cận trên", "Xu hướng",
        ])
        try s.setRow(headerRow, height: 45)
        let first = row
        for r in rows {
            try s.write(row, 0, Double(r.rank), .count)
            try s.write(row, 1, r.rankLower == r.rankUpper ? "\(r.rankLower)" : "\(r.rankLower)–\(r.rankUpper)", .plain)
            try s.write(row, 2, r.unit, .plain)
            try s.write(row, 3, r.name + (r.small ? " *" : ""), .text)
            try s.write(row, 4, r.district ?? "", .text)
            try s.write(row, 5, r.value, .percent)
            try s.number(row, 6, r.lower, .percent)
            try s.number(row, 7, r.upper, .percent)
            try s.write(row, 8, Double(r.n), .count)
            if let p = r.previousRank, let c = r.commonRank {
                try s.write(row, 9, Double(p), .count)
                try s.write(row, 10, Double(c), .count)
                try s.verdict(row, 11, r.rankVerdict)
            } else {
                try s.writeBlank(row, 9, .plain)
                try s.writeBlank(row, 10, .plain)
                try s.write(row, 11, "không có kỳ trước", .plain)
            }
            if let c = r.change {
                try s.write(row, 12, c.value, .change)
                try s.number(row, 13, c.lower, .change)
                try s.number(row, 14, c.upper, .change)
                try s.changeVerdict(row, 15, c.verdict, small: c.small)
            } else {
                for column in 12...15 { try s.writeBlank(row, column, .plain) }
            }
            row += 1
        }
        let last = row - 1
        row += 1
        try s.note(row, 16, width: 200, "Hạng 1 là chỉ số cao nhất. Khoảng hạng: hạng của đơn vị nằm trong khoảng này ở \(Int((data.analysis.level * 100).rounded())) % số lần mô phỏng (mô phỏng tham số trên thang logit với sai số chuẩn của từng đơn vị, theo Goldstein và Spiegelhalter); hai đơn vị có khoảng hạng chồng nhau chưa chắc khác nhau thật. So với kỳ trước, hạng được tính lại trong nhóm các đơn vị có ở cả hai kỳ (đơn vị mới nộp hoặc không nộp không làm thay đổi hạng của đơn vị khác). Hạng tốt hơn kỳ trước: Đạt khi hạng tốt hơn ở ít nhất 97,5 % số lần mô phỏng hai kỳ, Chưa đạt khi ở không quá 2,5 %, còn lại Chưa đủ căn cứ. * dưới 30 phiếu: chưa đủ để kết luận.")
        row += 2
        if !rows.isEmpty, rows.count <= Self.chartLimit {
            let province = data.analysis.indices.first { $0.id == data.rankOn }
            let lowest = (rows.compactMap(\.lower) + [province?.lower].compactMap { $0 }).min() ?? 0
            // The units in rank order, the province's own estimate among them where its value falls.
            var points = rows.map { IntervalChart.Point(label: $0.name + ($0.small ? " *" : ""), lower: $0.lower, value: $0.value, upper: $0.upper) }
            if let province, let value = province.value {
                let at = points.firstIndex { $0.value < value } ?? points.count
                points.insert(IntervalChart.Point(label: "Toàn \(data.level)", lower: province.lower, value: value, upper: province.upper, emphasised: true), at: at)
            }
            try s.insert(
                IntervalChart(
                    title: "\(data.rankTitle): các đơn vị theo thứ hạng\(province?.value.map { " — toàn \(data.level) \(pct($0))" } ?? "")",
                    sheet: ProvinceSheet.ranking.rawValue, points: points, axisMinimum: max(0, (lowest * 10).rounded(.down) / 10 - 0.1),
                    intervalName: "Khoảng tin cậy \(Int((data.analysis.level * 100).rounded())) %", valueName: "Chỉ số", dataColumn: 20),
                row: row, column: 0, width: max(900, min(2400, points.count * 24)), height: 420)
        } else if rows.count > Self.chartLimit {
            try s.write(row, 0, "Biểu đồ chỉ vẽ khi không quá \(Self.chartLimit) đơn vị (ở đây \(rows.count)); bảng trên có đủ mọi đơn vị.", .note)
        }
        s.freezePanes(rows: headerRow + 1, columns: 4)
        if !rows.isEmpty { try s.autofilter(headerRow, 0, last, 15) }
        s.printSetup(landscape: true, repeatRows: headerRow...headerRow, header: header)
    }

    func targets(_ s: XlsxSheetWriter, _ header: String) throws(XlsxWriteError) {
        try s.setColumns(0, 0, width: 11)
        try s.setColumns(1, 1, width: 30)
        let names = data.unitTargets.first?.results ?? []
        for k in 0..<names.count {
            try s.setColumns(2 + 2 * k, 2 + 2 * k, width: 16)
            try s.setColumns(3 + 2 * k, 3 + 2 * k, width: 15)
        }
        var row = 0
        try s.write(row, 0, "Chỉ tiêu mọi đơn vị phải đạt — \(data.periodLabel)", .title)
        row += 1
        if names.isEmpty {
            try s.write(row, 0, "(hồ sơ không nêu chỉ tiêu cho các đơn vị: unit_targets)", .note)
            s.printSetup(landscape: true, repeatRows: nil, header: header)
            return
        }
        var titles = ["Mã đơn vị", "Đơn vị"]
        for t in names { titles += ["\(t.title) ≥ \(pct(t.minimum))", "Đánh giá"] }
        let headerRow = row
        row = try s.headerRow(row, titles)
        try s.setRow(headerRow, height: 60)
        for u in data.unitTargets {
            try s.write(row, 0, u.unit, .plain)
            try s.write(row, 1, u.name, .text)
            for (k, t) in u.results.enumerated() {
                try s.number(row, 2 + 2 * k, t.value, .percent)
                try s.verdict(row, 3 + 2 * k, t.verdict)
            }
            row += 1
        }
        row += 1
        try s.note(row, titles.count, width: 120, "Giá trị là ước lượng điểm của đơn vị; đánh giá theo cả khoảng tin cậy: Đạt (cả khoảng không thấp hơn mục tiêu), Chưa đạt (cả khoảng thấp hơn), Chưa đủ căn cứ (khoảng chứa mục tiêu).")
        s.freezePanes(rows: headerRow + 1, columns: 2)
        s.printSetup(landscape: true, repeatRows: headerRow...headerRow, header: header)
    }

    func missing(_ s: XlsxSheetWriter, _ header: String) throws(XlsxWriteError) {
        try s.setColumns(0, 0, width: 12)
        try s.setColumns(1, 2, width: 34)
        var row = 0
        try s.write(row, 0, "Đơn vị chưa nộp báo cáo — \(data.periodLabel)", .title)
        row += 1
        if data.missing.isEmpty {
            try s.write(row, 0, "Mọi đơn vị trong danh sách (\(data.unitsExpected)) đã có phiếu của kỳ này.")
        } else {
            row = try s.headerRow(row, ["Mã đơn vị", "Đơn vị", "Huyện"])
            for m in data.missing {
                try s.write(row, 0, m.unit, .plain)
                try s.write(row, 1, m.name, .text)
                try s.write(row, 2, m.district ?? "", .text)
                row += 1
            }
        }
        s.printSetup(landscape: false, repeatRows: nil, header: header)
    }

    func method(_ s: XlsxSheetWriter, _ header: String) throws(XlsxWriteError) {
        let width = 90.0
        try s.setColumns(0, 0, width: width, CellStyle(wrap: true))
        var row = 0
        func line(_ text: String, _ style: CellStyle? = nil) throws(XlsxWriteError) {
            try s.write(row, 0, text, style ?? CellStyle(wrap: true, verticalCenter: true))
            if style == nil { try s.setRow(row, height: ReportLayout.height(text, width: width)) }
            row += 1
        }
        let a = data.analysis
        try line("Phương pháp tính", .title)
        try line("• Ước lượng của \(data.level): mọi phiếu của các đơn vị đã nộp là một mẫu phân tầng, mỗi đơn vị là một tầng (gói survey của R: svydesign(ids = ~1, strata = ~unit\(a.design.weighted ? ", fpc = số hồ sơ" : ""))). \(a.design.weighted ? "Trọng số N/n theo số hồ sơ của từng đơn vị, có hiệu chỉnh tổng thể hữu hạn." : "Hồ sơ không cho số hồ sơ: mọi phiếu có trọng số như nhau, không hiệu chỉnh tổng thể hữu hạn.")")
        try line("• Chỉ số của từng đơn vị: tính trên riêng các phiếu của đơn vị, như báo cáo của chính đơn vị đó (cùng quy tắc, cùng khoảng tin cậy).")
        try line("• Khoảng tin cậy của chỉ số tổng hợp: \(Set(a.indices.map(\.method)).sorted().map { "\($0) (\(MethodSheet.describe($0)))" }.joined(separator: "; ")).")
        try line("• Hạng: 1 là chỉ số \(data.rankTitle) cao nhất; bằng nhau thì cùng hạng tốt nhất. Khoảng hạng \(Int((a.level * 100).rounded())) %: \(data.replicates) lần mô phỏng đồng thời chỉ số của mọi đơn vị trên thang logit, mỗi đơn vị theo phân phối chuẩn với sai số chuẩn của nó (phương pháp delta; với khoảng tin cậy beta-capped, sai số chuẩn không nhỏ hơn √(p(1 − p)/n), như giới hạn cỡ mẫu hiệu dụng của khoảng), xếp hạng mỗi lần; cận là phân vị \(String(format: "%.1f", (1 - a.level) / 2 * 100)) % và \(String(format: "%.1f", (1 + a.level) / 2 * 100)) % của các hạng (Goldstein & Spiegelhalter, 1996). Đơn vị 0 % hoặc 100 % giữ nguyên giá trị. Hạt giống \(data.seed): chạy lại cho cùng kết quả.")
        if let previous = data.previousLabel {
            try line("• So với \(previous): hạng của hai kỳ được tính trong nhóm các đơn vị có ở cả hai kỳ; hai kỳ là hai mẫu độc lập, mô phỏng độc lập; \"hạng tốt hơn kỳ trước\" là Đạt khi hạng của kỳ này tốt hơn ở ít nhất \(String(format: "%.1f", (1 + a.level) / 2 * 100)) % số lần mô phỏng, Chưa đạt khi ở không quá \(String(format: "%.1f", (1 - a.level) / 2 * 100)) %, còn lại Chưa đủ căn cứ. Thay đổi chỉ số: hiệu hai kỳ, sai số chuẩn √(se₁² + se₂²).")
        }
        row += 1
        try line("Quy tắc tính (như trong báo cáo của xã):")
        for rule in MethodRules.lines(questionnaire: questionnaire, analysis: a, composite: composite, criterion: criterion) { try line("• " + rule) }
        row += 1
        try line("Phần mềm: sipas \(data.software)")
        try line("Dữ liệu (SHA-256 của các phiếu dùng trong báo cáo): \(data.dataSHA256)")
        s.printSetup(landscape: false, repeatRows: nil, header: header)
    }
}
