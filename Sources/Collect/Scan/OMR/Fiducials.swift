import Foundation

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
        self.image = image
        let long = Double(max(image.width, image.height)), short = Double(min(image.width, image.height))
        pixelsPerMM = (long / max(pageWidth, pageHeight) + short / min(pageWidth, pageHeight)) / 2
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
        let w = min(reach, image.width - x0), h = min(reach, image.height - y0)
        guard w > 4, h > 4 else { return nil }
        var labels = [Int32](repeating: 0, count: w * h)
        var stack: [Int] = []
        let side = size * pixelsPerMM
        let expectedArea = side * side
        var bestPoint: Point?
        var bestDistance = Double.infinity
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
            let centre = Point(x: Double(x0) + region.sumX / area + 0.5, y: Double(y0) + region.sumY / area + 0.5)
            let distance = hypot(centre.x - Double(corner.0), centre.y - Double(corner.1))
            if distance < bestDistance {
                bestDistance = distance
                bestPoint = centre
            }
        }
        return bestPoint
    }
}
