import SIPASAnalysis
import SIPASXlsx

/// *Ưu tiên*: priorities by share chosen, negative experiences, counter dissatisfaction by field.
struct PrioritiesSheet: ReportSheetContent {
    let report: ReportContext

    func write(_ s: XlsxSheetWriter) throws(XlsxWriteError) {
        try s.setColumns(0, 0, width: 6)
        try s.setColumns(1, 1, width: 70)
        try s.setColumns(2, 5, width: 11)
        var row = 0
        try s.write(row, 0, "Ưu tiên cải thiện theo ý kiến người dân (xếp theo tỷ lệ chọn)", .bold)
        row += 1
        for (c, name) in ["TT", "Nội dung", "Tỷ lệ chọn", "Cận dưới", "Cận trên", "Số trả lời"].enumerated() { try s.write(row, c, name, .header) }
        row += 1
        /// One share with its bounds and count, after the first column (its rank or number).
        func shareRow(_ text: String, _ value: Double?, _ lower: Double?, _ upper: Double?, _ n: Int) throws(XlsxWriteError) {
            try s.write(row, 1, text, .text)
            try s.setRow(row, height: ReportLayout.height(text, width: 70))
            try s.number(row, 2, value, .percent)
            try s.number(row, 3, lower, .percent)
            try s.number(row, 4, upper, .percent)
            try s.write(row, 5, Double(n), .count)
            row += 1
        }
        for (k, p) in data.analysis.priorities.enumerated() {
            try s.write(row, 0, Double(k + 1), .count)
            try shareRow(p.text, p.value, p.lower, p.upper, p.n)
        }
        row += 1
        try s.write(row, 0, "Trải nghiệm tiêu cực (phiền hà, sách nhiễu, chi tiền ngoài quy định)", .bold)
        row += 1
        for (c, name) in ["Câu", "Nội dung", "Tỷ lệ", "Cận dưới", "Cận trên", "Số trả lời"].enumerated() { try s.write(row, c, name, .header) }
        row += 1
        for p in data.analysis.negative {
            try s.write(row, 0, questionnaire.item(p.id)?.number ?? p.id, .plain)
            try shareRow(p.text, p.value, p.lower, p.upper, p.n)
        }
        if let c = data.counter {
            row += 1
            try s.write(row, 0, "Không hài lòng tại quầy theo lĩnh vực (kiosk, câu hỏi chung), xếp từ cao xuống", .bold)
            row += 1
            row = try s.headerRow(row, ["TT", "Lĩnh vực", "Tỷ lệ không hài lòng", "Cận dưới", "Cận trên", "Số lượt"])
            let fields = c.groups.filter { $0.by == "field" }.compactMap { g -> (String, IndexEstimate)? in
                g.analysis.indices.first { $0.id == c.overall }.map { (GroupsSheet.groupName(g), $0) }
            }.sorted { (1 - ($0.1.value ?? 1)) > (1 - ($1.1.value ?? 1)) }
            for (k, (field, ix)) in fields.enumerated() {
                try s.write(row, 0, Double(k + 1), .count)
                try s.write(row, 1, field + (ix.small ? " *" : ""), .text)
                try s.number(row, 2, ix.value.map { 1 - $0 }, .percent)
                try s.number(row, 3, ix.upper.map { 1 - $0 }, .percent)
                try s.number(row, 4, ix.lower.map { 1 - $0 }, .percent)
                try s.write(row, 5, Double(ix.n), .count)
                row += 1
            }
        }
        s.printSetup(landscape: false, repeatRows: nil, header: header)
    }
}
