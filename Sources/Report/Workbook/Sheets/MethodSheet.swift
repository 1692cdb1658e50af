import Foundation
import SIPASStatistics
import SIPASXlsx

/// *Phương pháp*: the rules and methods used, the margin achieved, software and data hash.
struct MethodSheet: ReportSheetContent {
    let report: ReportContext

    func write(_ s: XlsxSheetWriter) throws(XlsxWriteError) {
        let a = data.analysis
        // 90 characters of Calibri 11 fit A4 portrait within the default margins at 100 %: the
        // method text prints at full size instead of shrunk to fit.
        let width = 90.0
        try s.setColumns(0, 0, width: width, CellStyle(wrap: true))
        var row = 0
        func line(_ text: String, _ style: CellStyle? = nil) throws(XlsxWriteError) {
            try s.write(row, 0, text, style ?? CellStyle(wrap: true, verticalCenter: true))
            if style == nil { try s.setRow(row, height: ReportLayout.height(text, width: width)) }
            row += 1
        }
        try line("Phương pháp tính", .title)
        let rules = MethodRules.lines(questionnaire: questionnaire, analysis: a, composite: profile.compositeInterval, criterion: profile.criterionInterval)
        for rule in rules { try line("• " + rule) }
        row += 1
        let fallback = a.indices.filter { $0.method == "clopper-pearson" }.map { "«\($0.title)»" }
        try line("Trong báo cáo này: \(a.n) phiếu của \(a.design.strata) đơn vị, \(a.design.df) bậc tự do."
            + (fallback.isEmpty ? "" : " Chỉ số dùng khoảng Clopper–Pearson (0 %, 100 % hoặc không có phương sai): \(fallback.joined(separator: ", "))."))
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

    /// A composite interval method in words, for the reader of the workbook.
    static func describe(_ method: String) -> String {
        switch method {
        case "beta-capped": "Korn–Graubard: Clopper–Pearson trên cỡ mẫu hiệu dụng, không vượt quá số người trả lời"
        case "beta": "Korn–Graubard như svyciprop của R, cỡ mẫu hiệu dụng không giới hạn"
        case "logit": "khoảng trên thang logit với phân vị t"
        case "bootstrap": "bootstrap phân vị, chọn lại người trả lời trong từng đơn vị"
        case "clopper-pearson": "Clopper–Pearson khi chỉ số bằng 0 % hoặc 100 % hoặc không có phương sai"
        default: method
        }
    }
}
