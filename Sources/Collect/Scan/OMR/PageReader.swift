import Foundation
import SIPASFormLayout
import SIPASModel

/// How dark one bubble is on the scan, and what that says.
public struct BubbleReading: Sendable, Equatable {
    public enum State: String, Sendable, Equatable {
        case marked, empty, doubtful
    }
    public var item: String
    public var code: Int
    /// Share of the bubble's inside darker than half the paper's brightness around it.
    public var fill: Double
    /// 1 − (mean brightness inside ÷ paper): light pencil shows here before it shows in `fill`.
    public var darkness: Double
    /// Ink (mm²) round the bubble and its printed code where the blank form prints nothing: a
    /// circled code, a tick or cross beside the bubble. A clean form reads about 0.
    public var strayInk: Double = 0
    public var state: State
}

/// An item's answer as read, or why a person must look at it.
/// Why a person must decide an item: the reason in English (JSON, logs) and in Vietnamese
/// (the review screens).
public enum Doubt: Sendable, Equatable, CustomStringConvertible {
    /// A bubble neither clearly marked nor clearly empty: a light, partial or erased mark.
    case lightMark
    /// More bubbles marked on a multi-choice item than it allows.
    case tooMany(marked: Int, allowed: Int)
    /// Several bubbles marked on a one-answer item: perhaps a correction.
    case severalMarked(Int)
    /// Ink round a bubble's code, not in the bubble: a circled code instead of a fill.
    case markBeside

    public var description: String {
        switch self {
        case .lightMark: "light or partial mark"
        case .tooMany(let marked, let allowed): "\(marked) answers marked, at most \(allowed) allowed"
        case .severalMarked(let marked): "\(marked) answers marked (a correction?)"
        case .markBeside: "a mark beside a bubble (a circled code?)"
        }
    }

    public var vietnamese: String {
        switch self {
        case .lightMark: "dấu mờ hoặc tô chưa kín ô"
        case .tooMany(let marked, let allowed): "tô \(marked) ô, quá \(allowed) lựa chọn cho phép"
        case .severalMarked(let marked): "tô \(marked) ô (có thể đã sửa)"
        case .markBeside: "có nét khoanh hay đánh dấu cạnh ô, ô không được tô"
        }
    }
}

public struct ItemReading: Sendable, Equatable {
    public enum Answer: Sendable, Equatable {
        case blank
        case code(Int)
        case codes([Int])
    }
    public var item: String
    public var page: Int
    public var answer: Answer
    /// Why the reading is doubtful (nil when it is clear).
    public var doubt: Doubt?
    /// The codes a reviewer chooses among (marked or doubtful bubbles).
    public var candidates: [Int]
    /// For a doubtful item: the scan around its bubbles, straightened and upright, for a person.
    public var crop: GreyImage?
}

/// One page read: its identity, where the page lies on the image, every bubble and every item.
public struct PageReading: Sendable, Equatable {
    public var identity: PageIdentity
    public var transform: PageTransform
    /// Largest distance (mm) between a fiducial found and where the fitted map puts it.
    public var residual: Double
    public var bubbles: [BubbleReading]
    public var items: [ItemReading]
    /// The page's answer area, straightened (when the reader keeps it: see `PageReader.keepsAnswerArea`).
    public var answerArea: GreyImage? = nil
}

/// Thresholds for the bubbles (shares of the inside, 0…1).
public struct MarkThresholds: Sendable, Equatable {
    /// A bubble at least this full is marked.
    public var marked = 0.75
    /// A bubble at most this full, and at most `lightDarkness` dark, is empty.
    public var empty = 0.12
    public var lightDarkness = 0.14
    /// An unmarked bubble with more stray ink round it than this (mm²) has a mark beside it: a
    /// ring of pen 0.3 mm wide round the code leaves 2–5 mm² outside the printed ink.
    public var strayInk = 0.6

    public init() {}
}

/// Reads one scanned page of a printed form: finds its corner squares, fits where the page lies
/// on the image (rotation, scale, shift, upside down), and measures every bubble of its layout
/// against the paper around it (*marked*, *empty*, *doubtful*); then decides each item.
public struct PageReader {
    public var questionnaire: Questionnaire
    public var layout: FormLayout
    public var thresholds = MarkThresholds()
    /// Whether doubtful items keep a crop of the scan (for a person to review; not needed to read).
    public var keepsCrops = true
    /// Whether the reading keeps the page's answer area as an image (to store with the batch, for audit).
    public var keepsAnswerArea = false

    /// The answer area kept for audit (mm from the page's top left): the printed content, without
    /// the header band (QR code, serial) or the margins, where nothing is asked or written.
    public static let answerArea = (left: 12.0, top: 36.0, right: 198.0, bottom: 284.0)
    /// A slip's: below its header band, inside its corner squares.
    public static let slipAnswerArea = (left: 4.0, top: 31.0, right: 101.0, bottom: 138.0)
    /// Its resolution: 100 dpi shows every mark (a bubble is 16 pixels across).
    public static let answerAreaDPI = 100

    /// Per page, per bubble (in the page's `marks` order): the points (mm) round the bubble and
    /// its code where the blank form prints nothing, every 0.2 mm.
    let straySamples: [[[Point]]]

    /// A reader of `layout`'s pages. `printedInk` is where each page of the blank form carries ink
    /// (in page order): ink on a scan near a bubble anywhere else is stray (a circled code); a page
    /// without it is read without looking for stray ink.
    public init(questionnaire: Questionnaire, layout: FormLayout, printedInk: [PrintedInk]) {
        self.questionnaire = questionnaire
        self.layout = layout
        straySamples = layout.pages.enumerated().map { index, page in
            guard printedInk.indices.contains(index) else { return page.marks.map { _ in [] } }
            return page.marks.map { Self.straySamples(round: $0, ink: printedInk[index]) }
        }
    }

    /// Where stray ink is looked for round a bubble: from 2.2 mm left of it to 2.5 mm past its
    /// printed code, up to 1.3 mm above and below it (half the closest rows' spacing), outside the
    /// bubble, wherever the blank form prints nothing.
    static func straySamples(round mark: FormLayout.Mark, ink: PrintedInk) -> [Point] {
        let r = mark.r, step = 0.2
        var points: [Point] = []
        var dy = -(r + 1.3)
        while dy <= r + 1.3 + 1e-9 {
            var dx = -(r + 2.2)
            while dx <= r + 4.6 + 1e-9 {
                let p = Point(x: mark.x + dx, y: mark.y + dy)
                if hypot(dx, dy) > r, !ink.isPrinted(x: p.x, y: p.y) { points.append(p) }
                dx += step
            }
            dy += step
        }
        return points
    }

    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case fiducialsMissing([String])
        case misfit(Double)
        case slipNotFound(String)
        public var description: String {
            switch self {
            case .slipNotFound(let serial):
                "the corner squares of slip \(serial) were not found round its QR code: is the whole slip on the scan, not folded or cut into?"
            case .fiducialsMissing(let corners):
                "the corner squares were not found (\(corners.joined(separator: ", "))): is the whole page on the scan, and is it a printed sipas form?"
            case .misfit(let mm) where !mm.isFinite:
                "the four corner squares do not frame an A4 page: the page is folded, cut or not a sipas form"
            case .misfit(let mm):
                "the four corner squares do not lie as printed (off by \(String(format: "%.1f", mm)) mm): the page is folded, cut or not a sipas form of this version"
            }
        }
    }

    public func read(_ image: GreyImage, identity: PageIdentity, qr: QRSymbol) throws -> PageReading {
        let page = layout.pages[identity.page - 1]
        var from: [Point] = [], to: [Point] = []
        let pixelsPerMM: Double
        if layout.paper == .slip {
            // A slip: its squares are found round its own QR code, wherever it lies on the image.
            guard let points = SlipLocator(page: page).locate(image, qr: qr) else { throw Refusal.slipNotFound(identity.serial) }
            from = page.fiducials.map { Point(x: $0.x, y: $0.y) }
            to = points
            pixelsPerMM = hypot(points[1].x - points[0].x, points[1].y - points[0].y) / (page.fiducials[1].x - page.fiducials[0].x)
        } else {
            let finder = FiducialFinder(image: image, pageWidth: layout.pageWidth, pageHeight: layout.pageHeight, fiducialSize: page.fiducials[0].size)
            let (found, missing) = finder.find()
            guard missing.isEmpty else { throw Refusal.fiducialsMissing(missing) }
            let imagePoints = found.compactMap { $0 }
            // The page corner whose fiducial is nearest the QR code is the page's top right
            // (where the code is printed); the others follow round the page.
            let qrCentre = qr.centre
            let nearest = imagePoints.indices.min { hypot(imagePoints[$0].x - qrCentre.x, imagePoints[$0].y - qrCentre.y) < hypot(imagePoints[$1].x - qrCentre.x, imagePoints[$1].y - qrCentre.y) }!
            // Image corners in clockwise order: top-left 0, top-right 1, bottom-right 3, bottom-left 2.
            let clockwise = [0, 1, 3, 2]
            let turn = (clockwise.firstIndex(of: nearest)! - 1 + 4) % 4  // quarter turns clockwise from upright
            // Page fiducials in clockwise order from the page's top left.
            let pageClockwise = [page.fiducials[0], page.fiducials[1], page.fiducials[3], page.fiducials[2]].map { Point(x: $0.x, y: $0.y) }
            for k in 0..<4 {
                from.append(pageClockwise[k])
                to.append(imagePoints[clockwise[(k + turn) % 4]])
            }
            pixelsPerMM = finder.pixelsPerMM
        }
        guard let transform = PageTransform.fit(from: from, to: to), [transform.a, transform.b, transform.c, transform.d, transform.e, transform.f].allSatisfy(\.isFinite),
            transform.scale > 0.7 * pixelsPerMM, transform.scale < 1.4 * pixelsPerMM
        else { throw Refusal.misfit(.infinity) }
        let residual = zip(from, to).map { p, q in let r = transform.apply(p); return hypot(r.x - q.x, r.y - q.y) }.max()! / transform.scale
        guard residual < 1.5 else { throw Refusal.misfit(residual) }

        let samples = straySamples[identity.page - 1]
        let bubbles = page.marks.indices.map { measure(page.marks[$0], image: image, transform: transform, straySamples: samples[$0]) }
        var items = decide(bubbles, page: identity.page)
        for k in items.indices where keepsCrops && items[k].doubt != nil {
            let marks = page.marks.filter { $0.item == items[k].item }
            items[k].crop = crop(image, transform: transform, top: (marks.map(\.y).min() ?? 0) - 5, bottom: (marks.map(\.y).max() ?? 0) + 5, pageWidth: layout.pageWidth)
        }
        let area = keepsAnswerArea ? answerArea(image, transform: transform) : nil
        return PageReading(identity: identity, transform: transform, residual: residual, bubbles: bubbles, items: items, answerArea: area)
    }

    /// The answer area, straight and upright, at `answerAreaDPI`: each pixel the mean of 3 × 3
    /// samples of the scan through the fitted map (so noise and 1-bit dither average out).
    func answerArea(_ image: GreyImage, transform: PageTransform) -> GreyImage {
        let box = layout.paper == .slip ? Self.slipAnswerArea : Self.answerArea
        let scale = Double(Self.answerAreaDPI) / 25.4
        let width = Int(((box.right - box.left) * scale).rounded()), height = Int(((box.bottom - box.top) * scale).rounded())
        var pixels = [UInt8](repeating: 255, count: width * height)
        let origin = transform.apply(Point(x: box.left, y: box.top))
        let du = transform.apply(Point(x: box.left + 1 / scale, y: box.top)), dv = transform.apply(Point(x: box.left, y: box.top + 1 / scale))
        let ux = du.x - origin.x, uy = du.y - origin.y, vx = dv.x - origin.x, vy = dv.y - origin.y
        guard [origin.x, origin.y, ux, uy, vx, vy].allSatisfy({ $0.isFinite && abs($0) < 1e7 }) else { return GreyImage(width: width, height: height, pixels: pixels) }
        let offsets: [Double] = [1.0 / 6, 0.5, 5.0 / 6]
        for v in 0..<height {
            for u in 0..<width {
                var sum = 0
                for a in offsets {
                    for b in offsets {
                        let x = origin.x + (Double(u) + a) * ux + (Double(v) + b) * vx
                        let y = origin.y + (Double(u) + a) * uy + (Double(v) + b) * vy
                        sum += Int(image.clamped(Int(x.rounded(.down)), Int(y.rounded(.down))))
                    }
                }
                pixels[v * width + u] = UInt8(sum / 9)
            }
        }
        return GreyImage(width: width, height: height, pixels: pixels)
    }

    /// The band of the page from `top` to `bottom` (mm), the whole printed width, sampled through
    /// the fitted map at the scan's own resolution: straight and upright however the page lay.
    func crop(_ image: GreyImage, transform: PageTransform, top: Double, bottom: Double, pageWidth: Double) -> GreyImage {
        let scale = min(transform.scale, 12)  // at most 300 dpi: enough to see a mark
        let margin = layout.paper == .slip ? 4.0 : 12.0
        let left = margin, right = pageWidth - margin
        let width = max(1, Int((right - left) * scale)), height = max(1, Int((bottom - top) * scale))
        var pixels = [UInt8](repeating: 255, count: width * height)
        for v in 0..<height {
            for u in 0..<width {
                let p = transform.apply(Point(x: left + (Double(u) + 0.5) / scale, y: top + (Double(v) + 0.5) / scale))
                guard p.x.isFinite, p.y.isFinite, abs(p.x) < 1e7, abs(p.y) < 1e7 else { continue }
                pixels[v * width + u] = image.clamped(Int(p.x.rounded(.down)), Int(p.y.rounded(.down)))
            }
        }
        return GreyImage(width: width, height: height, pixels: pixels)
    }

    func measure(_ mark: FormLayout.Mark, image: GreyImage, transform: PageTransform, straySamples: [Point]) -> BubbleReading {
        let centre = transform.apply(Point(x: mark.x, y: mark.y))
        let s = transform.scale
        // The paper around the bubble: the brightest tenth of a square twice its size.
        let half = Int((2 * mark.r * s).rounded(.up))
        let cx = Int(centre.x), cy = Int(centre.y)
        let paper = max(1, image.quantile(0.85, x0: cx - half, y0: cy - half, x1: cx + half, y1: cy + half))
        let limit = UInt8(paper / 2)
        // The inside, clear of the printed outline (0.3 mm) and of small misplacement.
        let inner = 0.62 * mark.r * s
        let reach = Int(inner.rounded(.up))
        var count = 0, dark = 0, sum = 0
        for dy in -reach...reach {
            for dx in -reach...reach {
                let px = Double(cx + dx) + 0.5 - centre.x, py = Double(cy + dy) + 0.5 - centre.y
                guard px * px + py * py <= inner * inner else { continue }
                let value = image.clamped(cx + dx, cy + dy)
                count += 1
                sum += Int(value)
                if value < limit { dark += 1 }
            }
        }
        let fill = count == 0 ? 0 : Double(dark) / Double(count)
        let darkness = count == 0 ? 0 : max(0, 1 - Double(sum) / Double(count) / Double(paper))
        let state: BubbleReading.State =
            fill >= thresholds.marked ? .marked : (fill <= thresholds.empty && darkness <= thresholds.lightDarkness ? .empty : .doubtful)
        let stray = state == .marked ? 0 : strayInk(straySamples, image: image, transform: transform, limit: limit)
        return BubbleReading(item: mark.item, code: mark.code, fill: fill, darkness: darkness, strayInk: stray, state: state)
    }

    /// The dark area (mm²) of the scan at `samples` (page mm, each standing for 0.2 × 0.2 mm).
    func strayInk(_ samples: [Point], image: GreyImage, transform: PageTransform, limit: UInt8) -> Double {
        var dark = 0
        for p in samples {
            let q = transform.apply(p)
            if image.clamped(Int(q.x.rounded(.down)), Int(q.y.rounded(.down))) < limit { dark += 1 }
        }
        return Double(dark) * 0.04
    }

    func decide(_ bubbles: [BubbleReading], page: Int) -> [ItemReading] {
        var order: [String] = []
        var byItem: [String: [BubbleReading]] = [:]
        for bubble in bubbles {
            if byItem[bubble.item] == nil { order.append(bubble.item) }
            byItem[bubble.item, default: []].append(bubble)
        }
        return order.map { id in
            let marks = byItem[id]!
            let marked = marks.filter { $0.state == .marked }.map(\.code)
            let doubtful = marks.filter { $0.state == .doubtful }.map(\.code)
            let besides = marks.filter { $0.state != .marked && $0.strayInk > thresholds.strayInk }.map(\.code)
            let candidates = marks.filter { $0.state != .empty || besides.contains($0.code) }.map(\.code)
            let item = questionnaire.item(id)
            let answer: ItemReading.Answer = item?.type == .multi ? (marked.isEmpty ? .blank : .codes(marked)) : (marked.first.map { .code($0) } ?? .blank)
            if !besides.isEmpty, doubtful.isEmpty, item?.type == .multi || marked.count <= 1 {
                return ItemReading(item: id, page: page, answer: answer, doubt: .markBeside, candidates: candidates, crop: nil)
            }
            if item?.type == .multi {
                let answer: ItemReading.Answer = marked.isEmpty ? .blank : .codes(marked)
                var doubt: Doubt? = doubtful.isEmpty ? nil : .lightMark
                if doubt == nil, let most = item?.maxPicks, marked.count > most { doubt = .tooMany(marked: marked.count, allowed: most) }
                return ItemReading(item: id, page: page, answer: answer, doubt: doubt, candidates: candidates, crop: nil)
            }
            if marked.count > 1 {
                return ItemReading(item: id, page: page, answer: .blank, doubt: .severalMarked(marked.count), candidates: candidates, crop: nil)
            }
            if !doubtful.isEmpty {
                return ItemReading(item: id, page: page, answer: marked.first.map { .code($0) } ?? .blank, doubt: .lightMark, candidates: candidates, crop: nil)
            }
            return ItemReading(item: id, page: page, answer: marked.first.map { .code($0) } ?? .blank, doubt: nil, candidates: candidates, crop: nil)
        }
    }
}
