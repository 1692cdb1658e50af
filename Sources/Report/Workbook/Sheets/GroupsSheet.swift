import SIPASAnalysis
import SIPASModel
import SIPASXlsx

/// *Phân tổ*: every index of every group of the profile's breakdowns, as values.
struct GroupsSheet: ReportSheetContent {
    let report: ReportContext

    func write(_ s: XlsxSheetWriter) throws(XlsxWriteError) {
        for (c, name) in ["Phân tổ theo", "Nhóm", "Chỉ số", "Giá trị", "Cận dưới", "Cận trên", "Số phiếu (n)", "Ghi chú"].enumerated() {
            try s.write(0, c, name, .header)
        }
        try s.setColumns(0, 0, width: 14)
        try s.setColumns(1, 1, width: 26)
        try s.setColumns(2, 2, width: 40)
        try s.setColumns(3, 6, width: 11)
        try s.setColumns(7, 7, width: 16)
        var row = 1
        for g in data.analysis.groups {
            for ix in g.analysis.indices {
                try s.write(row, 0, Self.byName(g.by, questionnaire), .text)
                try s.write(row, 1, Self.groupName(g), .text)
                try s.write(row, 2, ix.title, .text)
                try s.number(row, 3, ix.value, .percent)
                try s.number(row, 4, ix.lower, .percent)
                try s.number(row, 5, ix.upper, .percent)
                try s.write(row, 6, Double(ix.n), .count)
                try s.write(row, 7, ix.small ? "dưới 30 phiếu" : "", .plain)
                row += 1
            }
        }
        if data.analysis.groups.isEmpty { try s.write(1, 0, "(hồ sơ báo cáo không yêu cầu phân tổ)", .note) }
        s.freezePanes(rows: 1, columns: 0)
        s.printSetup(landscape: true, repeatRows: 0...0, header: header)
    }

    /// What a breakdown is by, in words: "Lĩnh vực", or the item's question.
    static func byName(_ by: String, _ q: Questionnaire) -> String {
        Labels.kind(ofGrouping: by)?.title ?? q.item(by)?.text ?? by
    }

    /// A group as a person reads it: a field's or channel's name ("Đất đai"), a unit's name, an
    /// answer's code and label ("1 Nam"); the code itself when it has no name.
    static func groupName(_ g: GroupAnalysis) -> String {
        guard let label = g.label else { return g.value }
        return Labels.kind(ofGrouping: g.by) == nil ? "\(g.value) \(label)" : label
    }
}
