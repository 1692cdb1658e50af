import SIPASXlsx

/// *Tiêu chí*: one row per criterion. When the design is unweighted, counts and the share are
/// formulas over the item's column on *Dữ liệu* (from ``DataSheetLayout``), with cached values.
struct CriteriaSheet: ReportSheetContent {
    let report: ReportContext

    func write(_ s: XlsxSheetWriter) throws(XlsxWriteError) {
        let criteria = data.analysis.criteria
        let codes = Set(criteria.flatMap { $0.distribution.keys.compactMap { Int($0) } } + questionnaire.scoredItems.flatMap { $0.options.map(\.code) }).sorted()
        let formulas = !data.analysis.design.weighted
        var columns = ["Câu", "Nội dung", "Số trả lời (n)", "Thiếu"]
        columns += codes.map { "Mã \($0)" }
        columns += ["Hài lòng (số)", "Tỷ lệ hài lòng", "Cận dưới", "Cận trên", "Điểm trung bình"]
        for (c, name) in columns.enumerated() { try s.write(0, c, name, .header) }
        try s.setRow(0, height: 30)
        try s.setColumns(0, 0, width: 7)
        try s.setColumns(1, 1, width: 60)
        try s.setColumns(2, columns.count - 1, width: 10)
        let firstCode = 4
        let satisfiedColumn = firstCode + codes.count
        for (i, c) in criteria.enumerated() {
            let row = i + 1
            let item = questionnaire.item(c.id)
            try s.write(row, 0, c.number ?? c.id, .plain)
            try s.write(row, 1, c.text + (c.small ? " *" : ""), .text)
            try s.setRow(row, height: ReportLayout.height(c.text, width: 60))
            let range = report.dataLayout.range(ofCodedItem: c.id)
            let valid = (item?.options.map(\.code) ?? []).map(String.init).joined(separator: ",")
            let satisfied = item.flatMap { questionnaire.satisfiedCodes(for: $0) }?.sorted().map(String.init).joined(separator: ",") ?? ""
            if formulas, let range, !valid.isEmpty {
                try s.writeFormula(row, 2, "=SUMPRODUCT(COUNTIF(\(range),{\(valid)}))", result: Double(c.n), .count)
            } else {
                try s.write(row, 2, Double(c.n), .count)
            }
            try s.write(row, 3, Double(c.missing), .count)
            for (k, code) in codes.enumerated() {
                let value = Double(c.distribution[String(code)] ?? 0)
                if formulas, let range {
                    try s.writeFormula(row, firstCode + k, "=COUNTIF(\(range),\(code))", result: value, .count)
                } else {
                    try s.write(row, firstCode + k, value, .count)
                }
            }
            if formulas, let range, !satisfied.isEmpty {
                try s.writeFormula(row, satisfiedColumn, "=SUMPRODUCT(COUNTIF(\(range),{\(satisfied)}))", result: Double(c.satisfied), .count)
                let nCell = XlsxSheetWriter.reference(row, 2), satCell = XlsxSheetWriter.reference(row, satisfiedColumn)
                if let value = c.value {
                    try s.writeFormula(row, satisfiedColumn + 1, "=IF(\(nCell)>0,\(satCell)/\(nCell),\"\")", result: value, .percent)
                } else {
                    try s.writeFormula(row, satisfiedColumn + 1, "=IF(\(nCell)>0,\(satCell)/\(nCell),\"\")", text: "", .percent)
                }
            } else {
                try s.write(row, satisfiedColumn, Double(c.satisfied), .count)
                try s.number(row, satisfiedColumn + 1, c.value, .percent)
            }
            try s.number(row, satisfiedColumn + 2, c.lower, .percent)
            try s.number(row, satisfiedColumn + 3, c.upper, .percent)
            try s.number(row, satisfiedColumn + 4, c.mean, .decimal)
        }
        let last = criteria.count + 2
        try s.note(last, columns.count, width: 60 + Double(columns.count - 2) * 10 + 7, "Tỷ lệ hài lòng = số trả lời ở các mức hài lòng / số trả lời hợp lệ; khoảng tin cậy \(data.analysis.criteria.first?.method ?? "wilson"). Các ô đếm là công thức trên trang \(ReportSheet.data.name). * dưới 30 trả lời.")
        s.freezePanes(rows: 1, columns: 2)
        s.printSetup(landscape: true, repeatRows: 0...0, header: header)
    }
}
