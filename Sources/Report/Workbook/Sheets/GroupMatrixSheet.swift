import SIPASAnalysis
import SIPASModel
import SIPASXlsx

/// *Ma trận phân tổ*: the breakdowns on one page, a group per row and an index per column (the
/// headline first, then the index tree), each cell the group's value coloured by its verdict on
/// the profile's target for that index. The long table with bounds is *Phân tổ*.
struct GroupMatrixSheet: ReportSheetContent {
    let report: ReportContext

    /// The indices as columns: the headline, then the tree depth-first (as on *Tổng hợp*).
    var columns: [IndexEstimate] {
        let a = data.analysis
        let byID = Dictionary(a.indices.map { ($0.id, $0) }, uniquingKeysWith: { x, _ in x })
        var ordered: [IndexEstimate] = []
        var seen = Set<String>()
        func visit(_ id: String) {
            guard let e = byID[id], seen.insert(id).inserted else { return }
            ordered.append(e)
            if case .components(let children)? = questionnaire.index(id)?.members { children.forEach(visit) }
        }
        visit(a.overall)
        a.indices.forEach { visit($0.id) }
        return ordered
    }

    func write(_ s: XlsxSheetWriter) throws(XlsxWriteError) {
        let a = data.analysis
        let indices = columns
        let targetOf = Dictionary(
            profile.targets.filter { $0.fields.isEmpty && $0.channels.isEmpty }.map { ($0.index, $0.minimum) }, uniquingKeysWith: { x, _ in x })
        let first = 3
        try s.setColumns(0, 0, width: 14)
        try s.setColumns(1, 1, width: 28)
        try s.setColumns(2, 2, width: 8)
        if !indices.isEmpty { try s.setColumns(first, first + indices.count - 1, width: 10.5) }
        var row = 0
        try s.write(row, 0, "Chỉ số theo nhóm — \(data.periodLabel) (tỷ lệ hài lòng; màu: đánh giá so với mục tiêu của hồ sơ báo cáo)", .title)
        row += 2
        try s.write(row, 0, "Phân tổ theo", .header)
        try s.write(row, 1, "Nhóm", .header)
        try s.write(row, 2, "Số phiếu", .header)
        for (c, ix) in indices.enumerated() { try s.write(row, first + c, ix.title, .header) }
        let longest = indices.map(\.title.count).max() ?? 10
        try s.setRow(row, height: min(150, ReportLayout.height(String(repeating: "x", count: longest), width: 10.5) + 4))
        let headerRow = row
        row += 1
        try s.write(row, 0, "", .plain)
        try s.write(row, 1, "Mục tiêu", .bold)
        try s.writeBlank(row, 2, .plain)
        for (c, ix) in indices.enumerated() {
            if let t = targetOf[ix.id] { try s.write(row, first + c, t, .targetCell) } else { try s.write(row, first + c, "—", .centered) }
        }
        row += 1
        func line(_ by: String, _ name: String, n: Int, small: Bool, _ estimates: [IndexEstimate]) throws(XlsxWriteError) {
            try s.write(row, 0, by, .text)
            let shown = name + (small ? " *" : "")
            try s.write(row, 1, shown, .text)
            try s.setRow(row, height: max(ReportLayout.height(shown, width: 28), ReportLayout.height(by, width: 14)))
            try s.write(row, 2, Double(n), .count)
            let byID = Dictionary(estimates.map { ($0.id, $0) }, uniquingKeysWith: { x, _ in x })
            for (c, column) in indices.enumerated() {
                guard let e = byID[column.id], let value = e.value else {
                    try s.write(row, first + c, "—", .centered)
                    continue
                }
                let verdict = targetOf[column.id].flatMap { Verdict(lower: e.lower, upper: e.upper, target: $0) }
                try s.write(row, first + c, value, CellStyle.matrix(verdict, small: e.small))
            }
            row += 1
        }
        try line("Toàn đơn vị", profile.unit.name, n: a.n, small: false, a.indices)
        for g in a.groups {
            try line(GroupsSheet.byName(g.by, questionnaire), GroupsSheet.groupName(g), n: g.analysis.n, small: g.analysis.n < AnalysisOptions().smallSample, g.analysis.indices)
        }
        if a.groups.isEmpty {
            try s.write(row, 0, "(hồ sơ báo cáo không yêu cầu phân tổ)", .note)
            row += 1
        }
        row += 1
        let legend = targetOf.isEmpty
            ? "Hồ sơ báo cáo không đặt mục tiêu cho chỉ số nào: các ô không tô màu. * dưới 30 phiếu: chưa đủ để kết luận. Khoảng tin cậy của từng ô: trang Phân tổ."
            : "Xanh: Đạt (cả khoảng tin cậy không thấp hơn mục tiêu). Đỏ: Chưa đạt (cả khoảng tin cậy thấp hơn mục tiêu). Vàng: Chưa đủ căn cứ (khoảng tin cậy chứa mục tiêu). "
                + "Không màu: chỉ số không có mục tiêu. Chữ nghiêng, xám: dưới 30 người trả lời, chưa đủ để kết luận (*). Khoảng tin cậy của từng ô: trang Phân tổ."
        let totalWidth = 50 + 10.5 * Double(indices.count)
        try s.note(row, first + max(indices.count, 1), width: totalWidth, legend)
        s.freezePanes(rows: headerRow + 2, columns: 2)
        s.printSetup(landscape: true, repeatRows: headerRow...(headerRow + 1), header: header)
    }
}

extension CellStyle {
    static let targetCell = CellStyle(bold: true, numberFormat: "0%", border: true, alignment: .center, verticalCenter: true)
    static let centered = CellStyle(border: true, alignment: .center, verticalCenter: true)

    /// A value in the matrix: coloured by its verdict; grey italic when the group is too small to conclude.
    static func matrix(_ verdict: Verdict?, small: Bool) -> CellStyle {
        var style = CellStyle(numberFormat: "0.0%", border: true, alignment: .center, verticalCenter: true)
        switch verdict {
        case .met?: (style.fontColor, style.fill) = (0x006100, 0xC6EFCE)
        case .notMet?: (style.fontColor, style.fill) = (0x9C0006, 0xFFC7CE)
        case .inconclusive?: (style.fontColor, style.fill) = (0x9C5700, 0xFFEB9C)
        case nil: break
        }
        if small {
            style.italic = true
            style.fontColor = 0x7F7F7F
        }
        return style
    }
}
