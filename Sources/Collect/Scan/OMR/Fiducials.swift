import Foundation
import SIPASFormLayout

/// Finds the printed form's four corner squares on a scanned page.
///
/// Each corner region (a quarter of the page's shorter side) is thresholded against the paper's
/// brightness and its dark regions labelled; a fiducial is a solid, nearly square region of
/// about the printed size (the page may be scaled ±5 % and turned a few degrees). Its centre is
/// the region's centroid, to a fraction of a pixel.
struct FiducialFinder {
    let image: GreyImage
    /// Millimetres → pixels, estimated from the image's size (the scan shows the whole A4 page).
    let pixelsPerMM: Double
    let threshold: UInt8
    let size: Double

    init(image: GreyImage, pageWidth: Double, pageHeight: Double, fiducialSize: Double) {
        let long = Double(max(image.width, image.height)), short = Double(min(image.width, image.height))
        self.init(image: image, pixelsPerMM: (long / max(pageWidth, pageHeight) + short / min(pageWidth, pageHeight)) / 2, fiducialSize: fiducialSize)
    }

    /// A finder for squares of `fiducialSize` mm at a known scale (a slip's, from its QR code).
    init(image: GreyImage, pixelsPerMM: Double, fiducialSize: Double) {
        self.image = image
        self.pixelsPerMM = pixelsPerMM
        let paper = image.quantile(0.9, x0: 0, y0: 0, x1: image.width - 1, y1: image.height - 1, step: 7)
        threshold = UInt8(max(1, paper / 2))
        size = fiducialSize
    }

    struct Region {
        var count = 0
        var sumX = 0.0, sumY = 0.0
        var minX = Int.max, minY = Int.max, maxX = Int.min, maxY = Int.min
    }

    /// The centres of the fiducials near the four image corners (top-left, top-right,
    /// bottom-left, bottom-right of the image), or the corners where none was found.
    func find() -> (found: [Point?], missing: [String]) {
        let reach = Int(Double(min(image.width, image.height)) * 0.22)
        let corners = [(0, 0, "top left"), (image.width - reach, 0, "top right"), (0, image.height - reach, "bottom left"), (image.width - reach, image.height - reach, "bottom right")]
        var found: [Point?] = []
        var missing: [String] = []
        for (x0, y0, name) in corners {
            let point = best(in: max(0, x0), max(0, y0), reach, corner: (x0 == 0 ? 0 : image.width, y0 == 0 ? 0 : image.height))
            found.append(point)
            if point == nil { missing.append(name) }
        }
        return (found, missing)
    }

    /// The most fiducial-like dark region in a square window, preferring the one nearest the corner.
    func best(in x0: Int, _ y0: Int, _ reach: Int, corner: (Int, Int)) -> Point? {
        squares(x0: x0, y0: y0, w: min(reach, image.width - x0), h: min(reach, image.height - y0)).min {
            hypot($0.x - Double(corner.0), $0.y - Double(corner.1)) < hypot($1.x - Double(corner.0), $1.y - Double(corner.1))
        }
    }

    /// The centres of every solid, nearly square dark region of about the fiducials' size in a window.
    func squares(x0: Int, y0: Int, w: Int, h: Int) -> [Point] {
        guard w > 4, h > 4, x0 >= 0, y0 >= 0, x0 + w <= image.width, y0 + h <= image.height else { return [] }
        var found: [Point] = []
        var labels = [Int32](repeating: 0, count: w * h)
        var stack: [Int] = []
        let side = size * pixelsPerMM
        let expectedArea = side * side
        var next: Int32 = 0
        for start in 0..<(w * h) where labels[start] == 0 {
            let sx = start % w, sy = start / w
            guard image.pixels[(y0 + sy) * image.width + x0 + sx] < threshold else { continue }
            next += 1
            var region = Region()
            labels[start] = next
            stack.append(start)
            while let index = stack.popLast() {
                let lx = index % w, ly = index / w
                region.count += 1
                region.sumX += Double(lx)
                region.sumY += Double(ly)
                region.minX = min(region.minX, lx)
                region.maxX = max(region.maxX, lx)
                region.minY = min(region.minY, ly)
                region.maxY = max(region.maxY, ly)
                for (nx, ny) in [(lx - 1, ly), (lx + 1, ly), (lx, ly - 1), (lx, ly + 1)] where nx >= 0 && ny >= 0 && nx < w && ny < h {
                    let n = ny * w + nx
                    if labels[n] == 0, image.pixels[(y0 + ny) * image.width + x0 + nx] < threshold {
                        labels[n] = next
                        stack.append(n)
                    }
                }
            }
            let bw = Double(region.maxX - region.minX + 1), bh = Double(region.maxY - region.minY + 1)
            let area = Double(region.count)
            guard area > 0.55 * expectedArea, area < 1.6 * expectedArea, bw > 0.7 * side, bw < 1.45 * side, bh > 0.7 * side, bh < 1.45 * side,
                area / (bw * bh) > 0.72, max(bw, bh) / min(bw, bh) < 1.3
            else { continue }
            found.append(Point(x: Double(x0) + region.sumX / area + 0.5, y: Double(y0) + region.sumY / area + 0.5))
        }
        return found
    }
}

/// Finds a slip's four corner squares round its QR code, wherever the slip lies on the image: one
/// slip scanned alone, a slip on a scanner bed larger than it, or an uncut A4 sheet of four.
///
/// The QR code's size gives the scale. Of all fiducial-like squares on the image, the slip's are
/// the four that frame a rectangle of the printed size and proportions (to 4 %), with the QR code
/// where the slip prints it (within 3 mm): a neighbouring slip's squares never frame it.
struct SlipLocator {
    let page: FormLayout.Page

    /// The slip's fiducials on the image, in the layout's order (top left, top right, bottom left,
    /// bottom right of the slip), or nil.
    func locate(_ image: GreyImage, qr: QRSymbol) -> [Point]? {
        let corners = qr.corners
        guard corners.count == 4 else { return nil }
        let side = (0..<4).map { hypot(corners[$0].x - corners[($0 + 1) % 4].x, corners[$0].y - corners[($0 + 1) % 4].y) }.reduce(0, +) / 4
        let estimate = side / page.qr.size
        guard estimate.isFinite, estimate > 1, estimate < 100 else { return nil }
        let f = page.fiducials  // 0 top left, 1 top right, 2 bottom left, 3 bottom right
        let finder = FiducialFinder(image: image, pixelsPerMM: estimate, fiducialSize: f[0].size)
        // The slip lies within its diagonal of its QR code.
        let reach = Int(hypot(page.fiducials[3].x, page.fiducials[3].y) * estimate * 1.2)
        let q = qr.centre
        let x0 = max(0, Int(q.x) - reach), y0 = max(0, Int(q.y) - reach)
        let squares = finder.squares(x0: x0, y0: y0, w: min(image.width, Int(q.x) + reach) - x0, h: min(image.height, Int(q.y) + reach) - y0)
        let width = f[1].x - f[0].x, height = f[3].y - f[1].y
        let qrToCorner = hypot(page.qr.x - f[1].x, page.qr.y - f[1].y)
        func distance(_ a: Point, _ b: Point) -> Double { hypot(a.x - b.x, a.y - b.y) }
        var best: (error: Double, points: [Point])?
        for t in squares where abs(distance(t, q) / estimate - qrToCorner) < 0.25 * qrToCorner + 2 {
            for a in squares {
                let scale = distance(a, t) / width
                guard abs(scale / estimate - 1) < 0.2 else { continue }
                for b in squares where abs(distance(b, t) / (height * scale) - 1) < 0.04 {
                    let u = (x: a.x - t.x, y: a.y - t.y), v = (x: b.x - t.x, y: b.y - t.y)
                    let cosine = (u.x * v.x + u.y * v.y) / (hypot(u.x, u.y) * hypot(v.x, v.y))
                    // A right angle, turning as on paper (from the top left round to the bottom right).
                    guard abs(cosine) < 0.07, u.x * v.y - u.y * v.x < 0 else { continue }
                    let predicted = Point(x: a.x + b.x - t.x, y: a.y + b.y - t.y)
                    guard let c = squares.min(by: { distance($0, predicted) < distance($1, predicted) }), distance(c, predicted) < 3 * scale else { continue }
                    // Where this frame puts the QR code's centre.
                    let sx = (page.qr.x - f[1].x) / -width, sy = (page.qr.y - f[1].y) / height
                    let qrAt = Point(x: t.x + sx * u.x + sy * v.x, y: t.y + sx * u.y + sy * v.y)
                    guard distance(qrAt, q) < 3 * scale else { continue }
                    let error = distance(c, predicted) / scale + distance(qrAt, q) / scale
                    if best == nil || error < best!.error { best = (error, [a, t, c, b]) }
                }
            }
        }
        return best?.points
    }
}
