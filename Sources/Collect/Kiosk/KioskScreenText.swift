import Foundation
import SIPASStoring

/// One line of a kiosk screen; `strong` lines are drawn bold (no colours are ever needed).
public struct KioskLine: Sendable, Equatable {
    public var text: String
    public var strong: Bool
    public init(_ text: String, strong: Bool = false) {
        self.text = text
        self.strong = strong
    }
}

/// The words on each screen, laid out for a terminal of a given size: centred, wrapped, with
/// the answers one per line and spaced out so they can be read from a step back.
public enum KioskScreenText {
    /// An ISO 8601 time as the staff read it: local HH:mm dd/MM/yyyy.
    static func localTime(_ iso: String) -> String {
        guard let date = ISO8601DateFormatter().date(from: iso) else { return iso }
        let f = DateFormatter()
        f.dateFormat = "HH:mm dd/MM/yyyy"
        return f.string(from: date)
    }

    public static func lines(flow: KioskFlow, now: Date, width: Int, height: Int, counts: KioskCounts?) -> [KioskLine] {
        let w = max(20, width)
        var body: [KioskLine] = []
        let header = flow.config.unitName ?? "Đơn vị \(flow.config.unit)"
        func blank() { body.append(KioskLine("")) }
        func para(_ text: String, strong: Bool = false) {
            for line in wrap(text, width: w - 4) { body.append(KioskLine(line, strong: strong)) }
        }
        switch flow.screen {
        case .closed:
            para("NGOÀI GIỜ TIẾP NHẬN ĐÁNH GIÁ", strong: true)
            blank()
            let hours = flow.config.hours.map(\.description).joined(separator: ", ")
            para("Kiosk nhận đánh giá trong giờ làm việc: \(hours).")
        case .dossier(let entered, let notice):
            para("ĐÁNH GIÁ SỰ HÀI LÒNG", strong: true)
            blank()
            para("Vui lòng quét hoặc nhập mã hồ sơ (in trên giấy tiếp nhận và hẹn trả kết quả), rồi nhấn Enter.")
            blank()
            body.append(KioskLine("Mã hồ sơ: [ " + entered + "_" + " ]", strong: true))
            if let notice {
                blank()
                para(notice, strong: true)
            }
        case .question(let index, let notice, let saving):
            let q = flow.form.questions[index]
            if index > 0 {
                para("Đã ghi nhận đánh giá của Ông/Bà. Câu hỏi thêm \(index)/\(flow.form.questions.count - 1) (có thể bỏ qua):")
                blank()
            }
            para(q.text.uppercased(with: Locale(identifier: "vi_VN")), strong: true)
            blank()
            // Answers as one left-aligned block, best first, so the keys line up.
            var block = q.choices.reversed().map { "[ \($0.key) ]  \($0.label)" }
            if index > 0 { block.append("[ 0 ]  Bỏ qua (hoặc Enter)") }
            let widest = block.map(\.count).max() ?? 0
            for (n, line) in block.enumerated() {
                body.append(KioskLine(line.padding(toLength: widest, withPad: " ", startingAt: 0), strong: n < q.choices.count))
                blank()
            }
            if index > 0 { body.removeLast() }
            else { para("Nhấn phím số tương ứng để chọn.") }
            if saving {
                blank()
                para("Đang ghi nhận…")
            }
            if let notice {
                blank()
                para(notice, strong: true)
            }
        case .thanks:
            para("CẢM ƠN ÔNG/BÀ!", strong: true)
            blank()
            para("Đánh giá của Ông/Bà đã được ghi nhận.")
        case .staff:
            para("DÀNH CHO CÁN BỘ", strong: true)
            blank()
            if let c = counts {
                para("Hôm nay: \(c.today) lượt đánh giá, trong đó \(c.dissatisfiedToday) không hài lòng.")
                para("Từ đầu quý: \(c.period) lượt.")
                let reasons = c.rejectedByReason.sorted { $0.key < $1.key }.map { "\(reasonLabel($0.key)): \($0.value)" }.joined(separator: "; ")
                para("Lượt bị từ chối hôm nay: \(c.rejectedToday)" + (reasons.isEmpty ? "" : " (\(reasons))") + ".")
                if let u = c.upstream {
                    blank()
                    para("Gửi lên máy chủ: \(u.queuedRatings) lượt đánh giá và \(u.queuedAdditions) câu trả lời thêm đang chờ gửi.")
                    para("Lần gửi được gần nhất: " + (u.lastSync.map(localTime) ?? "chưa có") + ".")
                    if let error = u.lastError { para("Lỗi gần nhất: \(error)") }
                }
            } else {
                para("Không đọc được số liệu.")
            }
            blank()
            para("Enter: tắt kiosk · phím khác: quay lại")
        }
        if flow.warning(now: now), let left = flow.secondsUntilReset(now: now) {
            blank()
            para("Màn hình sẽ trở về ban đầu sau \(Int(left.rounded(.up))) giây. Nhấn phím bất kỳ để tiếp tục.", strong: true)
        }
        var out: [KioskLine] = [KioskLine(center(header, w)), KioskLine(String(repeating: "─", count: w))]
        let room = max(0, height - out.count - 1)
        let top = max(0, (room - body.count) / 2)
        out += Array(repeating: KioskLine(""), count: top)
        out += body.prefix(room).map { KioskLine(center($0.text, w), strong: $0.strong) }
        while out.count < height - 1 { out.append(KioskLine("")) }
        out.append(KioskLine(center(footer(flow.config), w)))
        return Array(out.prefix(max(1, height)))
    }

    /// The bottom line of every screen: kiosk, field and channel by name.
    public static func footer(_ c: KioskConfig) -> String {
        ["Kiosk \(c.kioskID)", c.field.map { "Lĩnh vực: \(c.labels.name(of: $0, in: .field))" }, c.channel.map { "Kênh: \(c.labels.name(of: $0, in: .channel))" }].compactMap { $0 }.joined(separator: " · ")
    }

    static func reasonLabel(_ reason: String) -> String {
        switch reason {
        case "too-soon": "chọn quá nhanh"
        case "closed": "ngoài giờ"
        case "dossier-repeat": "hồ sơ đã đánh giá"
        default: reason
        }
    }

    /// Greedy word wrap by characters (precomposed Vietnamese is one column per character).
    public static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            if current.isEmpty { current = String(word) }
            else if current.count + 1 + word.count <= width { current += " " + word }
            else { lines.append(current); current = String(word) }
            while current.count > width {
                lines.append(String(current.prefix(width)))
                current = String(current.dropFirst(width))
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines.isEmpty ? [""] : lines
    }

    static func center(_ text: String, _ width: Int) -> String {
        let t = text.count > width ? String(text.prefix(width)) : text
        return String(repeating: " ", count: (width - t.count) / 2) + t
    }
}
