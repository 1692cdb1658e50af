import SIPASAnalysis
import SIPASXlsx

/// *Tổng hợp*: unit and period, the index table with its chart, the plan's targets, counter ratings.
struct SummarySheet: ReportSheetContent {
    let report: ReportContext

    func write(_ s: XlsxSheetWriter) throws(XlsxWriteError) {
        let a = data.analysis
        try s.setColumns(0, 0, width: 16)
        try s.setColumns(1, 1, width: 44)
        try s.setColumns(2, 5, width: 11)
        try s.setColumns(6, 6, width: 9)
        try s.setColumns(7, 7, width: 15)
        try s.setColumns(8, 8, width: 13)
        try s.setColumns(9, 12, width: 10)
        try s.setColumns(13, 13, width: 15)
        var row = 0
        try s.write(row, 0, "BÁO CÁO KẾT QUẢ ĐO LƯỜNG SỰ HÀI LÒNG CỦA NGƯỜI DÂN (SIPAS)", .title)
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
        try s.writeFormula(
            row, 1, "=COUNTA(\(report.dataLayout.formIDRange))", result: Double(n), CellStyle(bold: true, numberFormat: "#,##0", alignment: .left))
        row += 1
        let sourceNames = ["paper": "phiếu giấy", "kiosk": "kiosk tại quầy", "web": "trực tuyến", "import": "nhập từ tệp"]
        let sources = data.sources.sorted { $0.key < $1.key }.map { "\(sourceNames[$0.key] ?? $0.key): \($0.value)" }.joined(separator: "; ")
        try s.write(row, 0, "Theo nguồn: \(sources)")
        row += 2

        try s.write(row, 0, "1. Chỉ số hài lòng và khoảng tin cậy \(Int((a.level * 100).rounded())) %", .bold)
        row += 1
        let columns = ["Mã chỉ số", "Chỉ số", "Giá trị", "Cận dưới", "Cận trên", "Số phiếu (n)", "Mục tiêu", "Đánh giá", "Phương pháp", "Kỳ trước", "Thay đổi", "Thay đổi: cận dưới", "Thay đổi: cận trên", "Xu hướng"]
        for (c, name) in columns.enumerated() { try s.write(row, c, name, .header) }
        try s.setRow(row, height: 30)
        let tableHeaderRow = row
        row += 1
        let firstIndexRow = row
        let targetOf = Dictionary(profile.targets.filter { $0.fields.isEmpty && $0.channels.isEmpty }.map { ($0.index, $0.minimum) }, uniquingKeysWith: { a, _ in a })
        for ix in a.indices {
            try s.write(row, 0, ix.id, .plain)
            try s.write(row, 1, ix.title + (ix.small ? " *" : ""), .text)
            try s.number(row, 2, ix.value, .percent)
            try s.number(row, 3, ix.lower, .percent)
            try s.number(row, 4, ix.upper, .percent)
            try s.write(row, 5, Double(ix.n), .count)
            if let target = targetOf[ix.id] {
                try s.write(row, 6, target, .percent)
                try s.verdict(row, 7, Verdict(lower: ix.lower, upper: ix.upper, target: target))
            } else {
                try s.writeBlank(row, 6, .plain)
                try s.writeBlank(row, 7, .plain)
            }
            try s.write(row, 8, ix.method, .plain)
            let before = data.previous?.indices.first { $0.id == ix.id }?.value
            try s.number(row, 9, before, .percent)
            if let before, let now = ix.value {
                let change = XlsxSheetWriter.reference(row, 2) + "-" + XlsxSheetWriter.reference(row, 9)
                try s.writeFormula(row, 10, "=" + change, result: now - before, .change)
            } else {
                try s.writeBlank(row, 10, .plain)
            }
            // The change's interval (independent samples, t on the two periods' df) and its verdict.
            if let c = a.change?.first(where: { $0.id == ix.id }) {
                try s.number(row, 11, c.lower, .change)
                try s.number(row, 12, c.upper, .change)
                try s.changeVerdict(row, 13, c.verdict, small: c.small)
            } else if data.previous != nil {
                for column in 11...13 { try s.writeBlank(row, column, .plain) }
            }
            row += 1
        }
        let lastIndexRow = row - 1
        row += 1

        try s.write(row, 0, "2. Chỉ tiêu của kế hoạch cải cách hành chính", .bold)
        row += 1
        row = try s.headerRow(row, ["Chỉ số", "Chỉ tiêu (phạm vi)", "Mục tiêu", "Giá trị", "Cận dưới", "Cận trên", "Số phiếu (n)", "Đánh giá"])
        if data.targets.isEmpty {
            try s.write(row, 0, "(hồ sơ báo cáo không nêu chỉ tiêu)", .note)
            row += 1
        }
        for t in data.targets {
            let label = "\(t.title)\n(\(t.scope))"
            try s.write(row, 0, t.index, .plain)
            try s.write(row, 1, label, .text)
            try s.write(row, 2, t.minimum, .percent)
            try s.number(row, 3, t.value, .percent)
            try s.number(row, 4, t.lower, .percent)
            try s.number(row, 5, t.upper, .percent)
            try s.write(row, 6, Double(t.n), .count)
            try s.verdict(row, 7, t.verdict)
            try s.setRow(row, height: ReportLayout.height(label, width: 44))
            row += 1
        }
        if let c = data.counter {
            row += 1
            row = try writeCounter(s, c, row: row)
        }
        row += 1
        try s.note(row, 14, width: 190, "Đạt: cả khoảng tin cậy không thấp hơn mục tiêu. Chưa đạt: cả khoảng tin cậy thấp hơn mục tiêu. Chưa đủ căn cứ: khoảng tin cậy chứa mục tiêu (cần thêm phiếu). Xu hướng so với kỳ trước: Tăng (cả khoảng tin cậy của thay đổi trên 0), Giảm (dưới 0), Chưa đủ căn cứ (chứa 0); hai kỳ là hai mẫu độc lập. * dưới 30 phiếu: chưa đủ để kết luận.")
        row += 1
        s.pageBreaks(before: [row])
        row += 1
        let lowest = a.indices.compactMap(\.lower).min() ?? 0
        let headline = targetOf[a.overall].map { " — mục tiêu \(Int(($0 * 100).rounded())) %" } ?? ""
        let points = a.indices.compactMap { ix in
            ix.value.map { IntervalChart.Point(label: ix.title + (ix.small ? " *" : ""), lower: ix.lower, value: $0, upper: ix.upper, emphasised: ix.id == a.overall) }
        }
        try s.insert(
            IntervalChart(
                title: "Chỉ số hài lòng và khoảng tin cậy\(headline)", sheet: ReportSheet.summary.name, points: points,
                axisMinimum: max(0, (lowest * 10).rounded(.down) / 10 - 0.1), intervalName: "Khoảng tin cậy \(Int((a.level * 100).rounded())) %",
                valueName: "Chỉ số", dataColumn: 20),
            row: row, column: 0, width: 900, height: 380)
        s.freezePanes(rows: tableHeaderRow + 1, columns: 0)
        s.printSetup(landscape: true, repeatRows: nil, header: header)
    }

    /// Counter ratings: the share satisfied (rule overall-question) overall and by channel, and the Decree-766 rate.
    func writeCounter(_ s: XlsxSheetWriter, _ c: Analysis, row start: Int) throws(XlsxWriteError) -> Int {
        var row = start
        try s.write(row, 0, "3. Đánh giá tại quầy (kiosk) — tỷ lệ hài lòng với câu hỏi chung, \(c.n) lượt", .bold)
        row += 1
        row = try s.headerRow(row, ["Chỉ số", "Phạm vi", "Mục tiêu", "Giá trị", "Cận dưới", "Cận trên", "Số lượt (n)", "Đánh giá"])
        var rows: [(String, IndexEstimate)] = []
        if let ix = c.indices.first(where: { $0.id == c.overall }) { rows.append(("Tất cả lượt đánh giá", ix)) }
        for g in c.groups where g.by == "channel" {
            if let ix = g.analysis.indices.first(where: { $0.id == c.overall }) { rows.append(("Kênh \(GroupsSheet.groupName(g))", ix)) }
        }
        for (scope, ix) in rows {
            try s.write(row, 0, ix.id, .plain)
            try s.write(row, 1, scope + (ix.small ? " *" : ""), .text)
            if let t = c.target { try s.write(row, 2, t, .percent) } else { try s.writeBlank(row, 2, .plain) }
            try s.number(row, 3, ix.value, .percent)
            try s.number(row, 4, ix.lower, .percent)
            try s.number(row, 5, ix.upper, .percent)
            try s.write(row, 6, Double(ix.n), .count)
            if let t = c.target { try s.verdict(row, 7, Verdict(lower: ix.lower, upper: ix.upper, target: t)) } else { try s.writeBlank(row, 7, .plain) }
            row += 1
        }
        if let d = c.decree766 {
            let label = "Tỷ lệ theo cách tính Quyết định 766: (N − số lượt không hài lòng)/N, N = \(d.dossiers) hồ sơ đã giải quyết, \(d.dissatisfied) lượt không hài lòng"
            try s.write(row, 0, "qd766", .plain)
            try s.write(row, 1, label, .text)
            if let t = c.target { try s.write(row, 2, t, .percent) } else { try s.writeBlank(row, 2, .plain) }
            try s.writeFormula(row, 3, "=(\(d.dossiers)-\(d.dissatisfied))/\(d.dossiers)", result: d.value, .percent)
            try s.writeBlank(row, 4, .plain)
            try s.writeBlank(row, 5, .plain)
            try s.write(row, 6, Double(d.dossiers), .count)
            try s.write(row, 7, "không phải ước lượng khảo sát", .text)
            try s.setRow(row, height: ReportLayout.height(label, width: 44))
            row += 1
        }
        return row
    }
}
