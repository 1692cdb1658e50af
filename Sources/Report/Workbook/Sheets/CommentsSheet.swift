import SIPASXlsx

/// *Góp ý*: every answer to a text item, one row each, written as text (never as a formula).
struct CommentsSheet: ReportSheetContent {
    let report: ReportContext

    func write(_ s: XlsxSheetWriter) throws(XlsxWriteError) {
        for (c, name) in ["Số phiếu", "Đơn vị", "Lĩnh vực", "Ngày", "Câu", "Ý kiến"].enumerated() { try s.write(0, c, name, .header) }
        try s.setColumns(0, 1, width: 13)
        try s.setColumns(2, 2, width: 18)
        try s.setColumns(3, 3, width: 11)
        try s.setColumns(4, 4, width: 8)
        try s.setColumns(5, 5, width: 80)
        var row = 1
        let textItems = questionnaire.items.filter { $0.type == .text }
        for r in 0..<table.count {
            for item in textItems {
                guard let comment = table.texts[item.id]?[r] else { continue }
                try s.write(row, 0, table.formID[r], .plain)
                try s.write(row, 1, table.unit[r] ?? "", .plain)
                try s.write(row, 2, table.field[r].map { labels.name(of: $0, in: .field) } ?? "", .plain)
                try s.write(row, 3, table.collectedOn[r] ?? "", .plain)
                try s.write(row, 4, item.number ?? item.id, .plain)
                // write_string never makes a formula, whatever the text starts with.
                try s.write(row, 5, comment, .text)
                try s.setRow(row, height: ReportLayout.height(comment, width: 80))
                row += 1
            }
        }
        if row == 1 { try s.write(1, 0, "(không có ý kiến)", .note) }
        s.freezePanes(rows: 1, columns: 0)
        s.printSetup(landscape: true, repeatRows: 0...0, header: header)
    }
}
