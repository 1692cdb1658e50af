import SIPASModel

/// Lays a questionnaire out on A4 portrait pages for an office laser printer and a scanner.
///
/// Every page has four corner fiducials (filled squares) and a QR code at the top right, so a
/// scan can be straightened and identified. Items that share a scale and follow one another form
/// a grid (a row per item, a column per answer, the answers' labels once on top); other choice
/// items list their answers as bubble, code and label; text items get a box. Each bubble's code
/// is printed beside it, so a clerk can still type a form by hand. Dossier items are left out:
/// a handwritten dossier code cannot be read back, and the form asks for nothing that identifies
/// a person. Blocks never split across pages; a grid continued on a new page repeats its labels.
public struct FormLayoutEngine {
    let measurer: any TextMeasuring

    public init(measurer: any TextMeasuring) {
        self.measurer = measurer
    }

    // Page geometry (mm).
    public static let pageWidth = 210.0
    public static let pageHeight = 297.0
    public static let fiducialSize = 6.0
    /// Fiducial centres' distance from the page's edges.
    public static let fiducialInset = 10.0
    public static let qrSize = 20.0
    public static let qrCentre = (x: 184.0, y: 25.0)
    public static let left = 16.0
    public static let right = 194.0
    /// Below the QR code and its serial: where full-width content may start.
    public static let belowQR = 40.0
    public static let bottom = 276.0
    public static let bubbleRadius = 2.0

    /// The instruction printed under the title.
    public static let instruction =
        "Cách trả lời: tô kín ô tròn (●) bên cạnh câu trả lời bằng bút bi hoặc bút mực màu xanh hay đen. Mỗi câu chỉ tô một ô, trừ câu ghi \"chọn nhiều\". Nếu tô nhầm, gạch chéo (✗) ô đã tô rồi tô ô khác. Phiếu không ghi họ tên, số điện thoại hay số giấy tờ của người trả lời."

    /// The form of `questionnaire` on `paper` (A4 by default).
    /// The instruction on a slip: the same rules, shorter.
    public static let slipInstruction =
        "Tô kín ô tròn (●) bên cạnh câu trả lời, mỗi câu một ô. Nếu tô nhầm, gạch chéo (✗) ô đã tô rồi tô ô khác. Phiếu không ghi họ tên, số điện thoại hay số giấy tờ."

    public func layout(_ questionnaire: Questionnaire, contentHash: String, paper: Paper = .a4) -> FormLayout {
        var builder = Builder(measurer: measurer, geometry: .of(paper))
        builder.header(title: questionnaire.title)
        for section in questionnaire.sections {
            let items = section.items.filter { $0.type != .dossier }
            guard !items.isEmpty else { continue }
            builder.sectionTitle(section.title)
            var index = 0
            while index < items.count {
                let item = items[index]
                if let scale = item.scaleID, item.type.isCoded, item.type != .multi {
                    var end = index + 1
                    while end < items.count, items[end].scaleID == scale, items[end].type == item.type, items[end].validCodes == item.validCodes {
                        end += 1
                    }
                    builder.grid(Array(items[index..<end]))
                    index = end
                } else {
                    switch item.type {
                    case .text: builder.textItem(item)
                    default: builder.choiceItem(item)
                    }
                    index += 1
                }
            }
        }
        return builder.finish(questionnaire: questionnaire, contentHash: contentHash)
    }
}

private struct Builder {
    typealias E = FormLayoutEngine
    let measurer: any TextMeasuring
    var pages: [FormLayout.Page] = []
    var page: FormLayout.Page
    var y: Double
    let numberWidth: Double
    let gap = 1.6
    let g: PaperGeometry

    init(measurer: any TextMeasuring, geometry: PaperGeometry) {
        self.measurer = measurer
        g = geometry
        numberWidth = geometry == .a4 ? 10 : 6
        page = Builder.blankPage(1, geometry: geometry)
        y = geometry.belowQR
    }

    static func blankPage(_ number: Int, geometry g: PaperGeometry) -> FormLayout.Page {
        let s = g.fiducialSize, i = g.fiducialInset
        let fiducials = [(i, i), (g.width - i, i), (i, g.height - i), (g.width - i, g.height - i)].map {
            FormLayout.Square(x: $0.0, y: $0.1, size: s)
        }
        var page = FormLayout.Page(
            number: number, fiducials: fiducials, qr: FormLayout.Square(x: g.qrCentre.x, y: g.qrCentre.y, size: g.qrSize), marks: [],
            textFields: [], elements: [])
        // The sheet's serial under its QR code.
        let serialTop = g.qrCentre.y + g.qrSize / 2 + 1
        page.elements.append(
            .sheetText(TextBlock(x: g.qrCentre.x - 15, y: serialTop, width: 30, style: .small, centred: true, text: "{serial}")))
        return page
    }

    func height(_ text: String, _ style: TextStyle, width: Double?) -> Double {
        measurer.measure(text, style: style, width: width).height
    }

    mutating func header(title: String) {
        let width = g.qrCentre.x - g.qrSize / 2 - 5 - g.left  // 5 mm of quiet zone left of the QR code
        var top = g.top
        page.elements.append(.text(TextBlock(x: g.left, y: top, width: width, style: .title, text: title)))
        top += height(title, .title, width: width) + 1.5
        let identity = "Mã đơn vị: {unit}     Năm: {year}     Số phiếu: {serial}"
        page.elements.append(.sheetText(TextBlock(x: g.left, y: top, width: width, style: .body, text: identity)))
        top += height("Mã đơn vị: XA01     Năm: 2026     Số phiếu: XA01-2026-0001", .body, width: width) + 1.5
        let instruction = g == .a4 ? E.instruction : E.slipInstruction
        page.elements.append(.text(TextBlock(x: g.left, y: top, width: width, style: .note, text: instruction)))
        top += height(instruction, .note, width: width) + 2.5
        y = max(top, g.belowQR)
    }

    mutating func newPage() {
        pages.append(page)
        page = Builder.blankPage(pages.count + 1, geometry: g)
        y = g.belowQR
    }

    /// Starts a new page unless `needed` mm fit below `y`.
    mutating func ensure(_ needed: Double) {
        if y + needed > g.bottom, y > g.belowQR { newPage() }
    }

    mutating func sectionTitle(_ title: String) {
        let width = g.right - g.left
        let h = height(title, .section, width: width)
        // A title is never left alone at the foot of a page.
        ensure(h + 3 + 14)
        y += 1.5
        page.elements.append(.text(TextBlock(x: g.left, y: y, width: width, style: .section, text: title)))
        y += h + 1.5
    }

    static func questionText(_ item: Item) -> String {
        switch item.type {
        case .multi:
            if let most = item.maxPicks { return item.text + " (chọn nhiều, tối đa \(most))" }
            return item.text + " (chọn nhiều)"
        default: return item.text
        }
    }

    mutating func bubble(item: String, code: Int, x: Double, y cy: Double) {
        let r = E.bubbleRadius
        page.marks.append(FormLayout.Mark(item: item, code: code, x: x, y: cy, r: r))
        page.elements.append(.bubble(x: x, y: cy, r: r))
        let codeText = String(code)
        let size = measurer.measure(codeText, style: .code, width: nil)
        page.elements.append(.text(TextBlock(x: x + r + 0.6, y: cy - size.height / 2, width: nil, style: .code, text: codeText)))
    }

    /// Items on one scale: labels once on top, a row per item.
    mutating func grid(_ items: [Item]) {
        let options = items[0].options + items[0].missing
        let columns = Double(options.count)
        let columnWidth = min(15, g.gridWidth / columns)
        let textRight = g.right - columns * columnWidth - 1.5
        let textLeft = g.left + numberWidth
        let textWidth = textRight - textLeft
        let headerHeight = options.map { height($0.label, .small, width: columnWidth - 1) }.max() ?? 0

        var headerPending = true
        for item in items {
            let textHeight = height(item.text, .body, width: textWidth)
            let rowHeight = max(textHeight + 2, 6.6)
            if headerPending || y + rowHeight > g.bottom {
                ensure(headerHeight + 1.5 + rowHeight)
                for (k, option) in options.enumerated() {
                    let x = textRight + 1.5 + Double(k) * columnWidth
                    page.elements.append(
                        .text(TextBlock(x: x + 0.5, y: y + headerHeight - height(option.label, .small, width: columnWidth - 1), width: columnWidth - 1, style: .small, centred: true, text: option.label)))
                }
                y += headerHeight + 0.8
                page.elements.append(.rule(x1: g.left, y1: y, x2: g.right, y2: y))
                y += 0.4
                headerPending = false
            }
            let top = y
            if let number = item.number {
                page.elements.append(.text(TextBlock(x: g.left, y: top + (rowHeight - textHeight) / 2, width: nil, style: .number, text: number)))
            }
            page.elements.append(.text(TextBlock(x: textLeft, y: top + (rowHeight - textHeight) / 2, width: textWidth, style: .body, text: item.text)))
            let cy = top + rowHeight / 2
            for (k, option) in options.enumerated() {
                let centre = textRight + 1.5 + (Double(k) + 0.5) * columnWidth
                bubble(item: item.id, code: option.code, x: centre - 1.4, y: cy)
            }
            y += rowHeight
            page.elements.append(.rule(x1: g.left, y1: y, x2: g.right, y2: y))
        }
        y += gap
    }

    /// A choice item on its own: the question, then its answers as bubble, code and label.
    mutating func choiceItem(_ item: Item) {
        let textLeft = g.left + numberWidth
        let width = g.right - textLeft
        let question = Builder.questionText(item)
        let questionHeight = height(question, .body, width: width)
        let r = E.bubbleRadius
        // Cells: bubble, its code, its label; wrapped into lines.
        let options = item.options + item.missing
        let maxLabel = width - 2 * r - 6
        var lines: [[(option: AnswerOption, x: Double, labelWidth: Double, labelHeight: Double)]] = [[]]
        var x = textLeft
        for option in options {
            let natural = measurer.measure(option.label, style: .body, width: nil)
            let labelWidth = min(natural.width, maxLabel)
            let labelHeight = natural.width > maxLabel ? height(option.label, .body, width: maxLabel) : natural.height
            let cell = 2 * r + 4.2 + labelWidth
            if x + cell > g.right, !(lines.last?.isEmpty ?? true) {
                lines.append([])
                x = textLeft
            }
            lines[lines.count - 1].append((option, x, labelWidth, labelHeight))
            x += cell + 4.5
        }
        let lineHeights = lines.map { line in max(line.map(\.labelHeight).max() ?? 0, 2 * r + 0.8) + 1.2 }
        let total = questionHeight + 1 + lineHeights.reduce(0, +)
        ensure(total + gap)
        if let number = item.number {
            page.elements.append(.text(TextBlock(x: g.left, y: y, width: nil, style: .number, text: number)))
        }
        page.elements.append(.text(TextBlock(x: textLeft, y: y, width: width, style: .body, text: question)))
        y += questionHeight + 1
        for (line, lineHeight) in zip(lines, lineHeights) {
            let cy = y + lineHeight / 2
            for cell in line {
                bubble(item: item.id, code: cell.option.code, x: cell.x + r, y: cy)
                page.elements.append(
                    .text(TextBlock(x: cell.x + 2 * r + 4.2, y: cy - cell.labelHeight / 2, width: cell.labelWidth < maxLabel ? nil : maxLabel, style: .body, text: cell.option.label)))
            }
            y += lineHeight
        }
        y += gap
    }

    /// A free-text item: the question and a box to write in.
    mutating func textItem(_ item: Item) {
        let textLeft = g.left + numberWidth
        let width = g.right - textLeft
        let questionHeight = height(item.text, .body, width: width)
        let boxHeight = 14.0
        ensure(questionHeight + 1 + boxHeight + gap)
        if let number = item.number {
            page.elements.append(.text(TextBlock(x: g.left, y: y, width: nil, style: .number, text: number)))
        }
        page.elements.append(.text(TextBlock(x: textLeft, y: y, width: width, style: .body, text: item.text)))
        y += questionHeight + 1
        page.elements.append(.box(x: textLeft, y: y, w: width, h: boxHeight))
        page.textFields.append(FormLayout.TextField(item: item.id, x: textLeft + width / 2, y: y + boxHeight / 2, w: width, h: boxHeight))
        y += boxHeight + gap
    }

    mutating func finish(questionnaire: Questionnaire, contentHash: String) -> FormLayout {
        pages.append(page)
        let total = pages.count
        for k in pages.indices {
            let footer = "Số phiếu {serial} · Trang \(k + 1)/\(total)"
            pages[k].elements.append(
                .sheetText(TextBlock(x: g.left, y: g.bottom + 3, width: g.right - g.left, style: .small, centred: true, text: footer)))
        }
        return FormLayout(
            questionnaireID: questionnaire.id, version: questionnaire.version, contentHash: contentHash, pageWidth: g.width,
            pageHeight: g.height, paper: g == .a4 ? .a4 : .slip, pages: pages)
    }
}
