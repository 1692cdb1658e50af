import Foundation
import SIPASAnalysis
import SIPASModel

/// The scoring rules and interval methods in Vietnamese, for the *Phương pháp* sheet: the same
/// rules as ``Analysis/rules`` (which stay in English for the command line and JSON), said with
/// the questionnaire's titles and question numbers instead of ids.
enum MethodRules {
    /// One line per rule: scales, the index tree (headline first), intervals, design, groups, targets.
    static func lines(
        questionnaire q: Questionnaire, analysis a: Analysis, composite: CompositeInterval, criterion: CriterionInterval,
        smallSample: Int = AnalysisOptions().smallSample
    ) -> [String] {
        var lines: [String] = []
        for scale in q.scales {
            guard let sat = q.scoring.satisfied[scale.id], let first = scale.options.first, let last = scale.options.last else { continue }
            let satisfied = scale.options.filter { sat.contains($0.code) }.map { "\($0.code) «\($0.label)»" }.joined(separator: ", ")
            var line = "Thang \(scale.options.count) mức (\(first.code) «\(first.label)» … \(last.code) «\(last.label)»): "
                + "người trả lời được tính là hài lòng khi chọn \(satisfied)."
            let missing = scale.missing.map { "\($0.code) «\($0.label)»" }
            line += missing.isEmpty
                ? " Câu bỏ trống không tính vào mẫu số."
                : " Câu bỏ trống và câu chọn \(missing.joined(separator: ", ")) không tính vào mẫu số."
            lines.append(line)
        }
        let byID = Dictionary(q.scoring.indices.map { ($0.id, $0) }, uniquingKeysWith: { x, _ in x })
        var ordered: [IndexDefinition] = []
        var seen = Set<String>()
        func visit(_ id: String) {
            guard let index = byID[id], seen.insert(id).inserted else { return }
            ordered.append(index)
            if case .components(let children) = index.members { children.forEach(visit) }
        }
        visit(q.scoring.overall)
        q.scoring.indices.forEach { visit($0.id) }
        for index in ordered { lines.append(rule(index, q, byID)) }
        lines.append("Khoảng tin cậy của chỉ số tổng hợp: \(compositeText(composite)). "
            + "Khi chỉ số bằng 0 % hoặc 100 % hoặc không có phương sai: khoảng Clopper–Pearson trên số câu trả lời hợp lệ ít nhất trong các tiêu chí.")
        lines.append("Khoảng tin cậy của từng tiêu chí: \(criterionText(criterion)).")
        lines.append("Thiết kế mẫu: mỗi đơn vị là một tầng; khi biết số hồ sơ đã giải quyết của đơn vị thì có trọng số N/n và hiệu chỉnh tổng thể hữu hạn; "
            + "đơn vị chỉ có một phiếu được tính theo quy ước 'adjust' của gói survey (R).")
        lines.append("Phân tổ (lĩnh vực, kênh, câu hỏi) và chỉ tiêu của một lĩnh vực hay kênh là miền con của cả mẫu: giữ nguyên tầng, trọng số và hiệu chỉnh của cả mẫu; "
            + "bậc tự do bằng số phiếu trong nhóm trừ số đơn vị có mặt trong nhóm (như svyby/subset của R).")
        lines.append("Mức tin cậy \(percent(a.level)); nhóm dưới \(smallSample) người trả lời được đánh dấu là chưa đủ để kết luận.")
        lines.append("Đánh giá chỉ tiêu theo khoảng tin cậy, không theo giá trị điểm: Đạt khi cận dưới không thấp hơn chỉ tiêu; Chưa đạt khi cận trên thấp hơn chỉ tiêu; "
            + "còn lại là Chưa đủ căn cứ (cần thêm phiếu).")
        if !q.source.verified {
            lines.append("Phiếu \(q.id) \(q.version): nội dung câu hỏi chưa được đối chiếu đủ với văn bản gốc (\(q.source.decision)).")
        }
        return lines
    }

    /// "Chỉ số X = trung bình cộng của 5 tiêu chí (câu 1.1, 1.2, …)".
    static func rule(_ index: IndexDefinition, _ q: Questionnaire, _ byID: [String: IndexDefinition]) -> String {
        let members: String
        switch index.members {
        case .criteria(let items):
            let numbers = items.map { q.item($0)?.number ?? $0 }
            members = "\(items.count) tiêu chí (câu \(numbers.joined(separator: ", ")))"
        case .components(let ids):
            members = ids.map { "«\(byID[$0]?.title ?? $0)»" }.joined(separator: "; ")
        case .question(let item):
            let number = q.item(item)?.number.map { "câu \($0)" } ?? "câu «\(q.item(item)?.text ?? item)»"
            return "«\(index.title)» = tỷ lệ người trả lời hài lòng ở \(number)."
        }
        switch index.aggregate {
        case .mean:
            return "«\(index.title)» = trung bình cộng (không trọng số) của \(members)."
        case .pooled:
            return "«\(index.title)» = tổng số câu trả lời hài lòng chia cho tổng số câu trả lời hợp lệ của \(members)."
        case .weights(let w):
            let parts = w.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
                .map { "«\(byID[$0.key]?.title ?? $0.key)» \(percent($0.value))" }
            return "«\(index.title)» = bình quân gia quyền: \(parts.joined(separator: "; "))."
        case .overallQuestion:
            return "«\(index.title)» = tỷ lệ hài lòng ở câu hỏi chung."
        }
    }

    static func compositeText(_ c: CompositeInterval) -> String {
        switch c {
        case .betaCapped:
            "Korn–Graubard: khoảng Clopper–Pearson trên cỡ mẫu hiệu dụng p(1 − p)/Var (phương sai theo tuyến tính hóa Taylor), điều chỉnh bậc tự do như gói survey của R, "
                + "cỡ mẫu hiệu dụng không vượt quá số người trả lời (giữ độ phủ 95 % khi chỉ số gần 100 %, xem STATISTICS.md)"
        case .beta: "Korn–Graubard như svyciprop(method = \"beta\") của R, cỡ mẫu hiệu dụng không giới hạn"
        case .logit: "khoảng trên thang logit với phân vị t(số phiếu − số đơn vị), như svyciprop(method = \"logit\") của R"
        case .bootstrap(let b, let seed): "bootstrap phân vị, chọn lại người trả lời trong từng đơn vị, \(b) lần lặp, hạt giống \(seed)"
        }
    }

    static func criterionText(_ c: CriterionInterval) -> String {
        switch c {
        case .wilson: "khoảng Wilson trên số câu trả lời hợp lệ (khi có trọng số: trên cỡ mẫu hiệu dụng, không vượt quá số câu trả lời hợp lệ)"
        case .exact: "khoảng Clopper–Pearson (chính xác) trên số câu trả lời hợp lệ (khi có trọng số: trên cỡ mẫu hiệu dụng)"
        case .logit: "khoảng logit trên miền các câu trả lời hợp lệ, như svyciprop(method = \"logit\") của R"
        case .beta: "Korn–Graubard trên miền các câu trả lời hợp lệ, như svyciprop(method = \"beta\") của R"
        }
    }

    /// 0.95 → "95 %", 0.6 → "60 %", 0.125 → "12,5 %".
    static func percent(_ v: Double) -> String {
        let p = v * 100
        if abs(p - p.rounded()) < 1e-9 { return "\(Int(p.rounded())) %" }
        return String(format: "%.1f", p).replacingOccurrences(of: ".", with: ",") + " %"
    }
}
