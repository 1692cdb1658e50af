/// Where a blank page of the form carries ink, widened by a margin: the places a scan reader
/// must not count as the respondent's marks.
///
/// Make it from the form as printed (``FormPDFWriter.ink(page:pixelsPerMM:)`` renders it) and
/// give it to ``PageReader/printedInk``; ink on a scan anywhere else near a bubble was put
/// there by hand.
public struct PrintedInk: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var pixelsPerMM: Double
    /// true where printed ink lies within `margin` mm.
    var near: [Bool]

    /// `ink` is `width × height` bytes (0 nothing printed … 255 fully inked); any pixel inked
    /// more than a quarter counts, widened by a square of `margin` mm each side (what scanner
    /// blur and a small misfit of the page map can shift).
    public init(width: Int, height: Int, ink: [UInt8], pixelsPerMM: Double, margin: Double = 0.5) {
        precondition(ink.count == width * height, "ink must hold width × height bytes")
        self.width = width
        self.height = height
        self.pixelsPerMM = pixelsPerMM
        let reach = max(0, Int((margin * pixelsPerMM).rounded()))
        // Dilation by a square, separably: along rows, then along columns.
        var rows = [Bool](repeating: false, count: width * height)
        for y in 0..<height {
            var last = Int.min / 2  // the last inked x seen
            var next = [Int](repeating: Int.max / 2, count: width)
            var upcoming = Int.max / 2
            for x in stride(from: width - 1, through: 0, by: -1) {
                if ink[y * width + x] > 64 { upcoming = x }
                next[x] = upcoming
            }
            for x in 0..<width {
                if ink[y * width + x] > 64 { last = x }
                rows[y * width + x] = x - last <= reach || next[x] - x <= reach
            }
        }
        var near = [Bool](repeating: false, count: width * height)
        for x in 0..<width {
            var last = Int.min / 2
            var next = [Int](repeating: Int.max / 2, count: height)
            var upcoming = Int.max / 2
            for y in stride(from: height - 1, through: 0, by: -1) {
                if rows[y * width + x] { upcoming = y }
                next[y] = upcoming
            }
            for y in 0..<height {
                if rows[y * width + x] { last = y }
                near[y * width + x] = y - last <= reach || next[y] - y <= reach
            }
        }
        self.near = near
    }

    /// Whether printed ink lies near (`x`, `y`) mm; outside the page counts as printed.
    public func isPrinted(x: Double, y: Double) -> Bool {
        let px = Int((x * pixelsPerMM).rounded(.down)), py = Int((y * pixelsPerMM).rounded(.down))
        guard px >= 0, py >= 0, px < width, py < height else { return true }
        return near[py * width + px]
    }
}
