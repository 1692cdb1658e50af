import SIPASXlsx

/// *Dữ liệu*: every response used, anonymous, laid out as ``DataSheetLayout`` says (the other
/// sheets' formulas take their references from the same layout).
struct DataSheet: ReportSheetContent {
    let report: ReportContext

    func write(_ s: XlsxSheetWriter) throws(XlsxWriteError) {
        typealias L = DataSheetLayout
        let layout = report.dataLayout
        let items = questionnaire.items
        let idStyle = CellStyle(bold: true, fill: 0xDDEBF7)
        for (c, name) in layout.columns.enumerated() { try s.write(L.headerRow, c, name, idStyle) }
        try s.setColumns(L.formIDColumn, L.formIDColumn, width: 13)
        try s.setColumns(L.unitColumn, L.fieldColumn, width: 11)
        // Codes in the default format: a style on each of a hundred million cells adds 6 bytes of
        // XML to each, to compress and store.
        let none = s.resolve(nil)
        // Columns looked up once: a million rows of dictionary lookups per cell cost more than the writing.
        var codes: [(column: Int, values: [UInt8])] = []
        var picks: [(column: Int, values: [UInt64])] = []
        var texts: [(column: Int, values: [String?])] = []
        for (k, item) in items.enumerated() {
            let column = L.firstItemColumn + k
            if let v = table.codes[item.id] { codes.append((column, v)) }
            else if let v = table.picks[item.id] { picks.append((column, v)) }
            else if let v = table.texts[item.id] { texts.append((column, v)) }
        }
        let numbers = (0..<256).map(Double.init)
        for r in 0..<table.count {
            let row = L.row(ofResponse: r)
            try s.write(row, L.formIDColumn, table.formID[r], none)
            if let v = table.unit[r] { try s.write(row, L.unitColumn, v, none) }
            if let v = table.collectedOn[r] { try s.write(row, L.collectedOnColumn, v, none) }
            if let v = table.channel[r] { try s.write(row, L.channelColumn, v, none) }
            if let v = table.field[r] { try s.write(row, L.fieldColumn, v, none) }
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
        s.freezePanes(rows: L.firstRow, columns: 1)
        try s.autofilter(L.headerRow, 0, max(table.count, 1), layout.columns.count - 1)
        s.printSetup(landscape: true, repeatRows: L.headerRow...L.headerRow, header: header, fitToWidth: false)
    }
}
