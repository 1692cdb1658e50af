import Foundation

/// A grey page image, one byte a pixel (0 black, 255 white), rows top to bottom.
///
/// Scan readers (Leptonica, poppler) turn whatever a scanner wrote (colour, grey, 1-bit; PDF,
/// TIFF, PNG, JPEG) into this, so the mark reader never sees a file format.
public struct GreyImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height, "pixels must hold width × height bytes")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    @inline(__always) public func at(_ x: Int, _ y: Int) -> UInt8 { pixels[y * width + x] }

    /// The pixel at (`x`, `y`), or white outside the image.
    @inline(__always) func clamped(_ x: Int, _ y: Int) -> UInt8 {
        x >= 0 && y >= 0 && x < width && y < height ? pixels[y * width + x] : 255
    }

    /// The `fraction` quantile of pixel values in a rectangle (clipped to the image), by histogram.
    func quantile(_ fraction: Double, x0: Int, y0: Int, x1: Int, y1: Int, step: Int = 1) -> Int {
        var histogram = [Int](repeating: 0, count: 256)
        var total = 0
        let xa = max(0, x0), ya = max(0, y0), xb = min(width - 1, x1), yb = min(height - 1, y1)
        guard xa <= xb, ya <= yb else { return 255 }
        var y = ya
        while y <= yb {
            var x = xa
            let row = y * width
            while x <= xb {
                histogram[Int(pixels[row + x])] += 1
                total += 1
                x += step
            }
            y += step
        }
        let wanted = Int(Double(total) * fraction)
        var seen = 0
        for value in 0..<256 {
            seen += histogram[value]
            if seen > wanted { return value }
        }
        return 255
    }
}

/// A point in image pixels or page millimetres.
public struct Point: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// An affine map from page millimetres to image pixels, fitted to the fiducials.
public struct PageTransform: Sendable, Equatable {
    // x' = a x + b y + c ; y' = d x + e y + f
    public var a, b, c, d, e, f: Double

    public init(a: Double, b: Double, c: Double, d: Double, e: Double, f: Double) {
        self.a = a
        self.b = b
        self.c = c
        self.d = d
        self.e = e
        self.f = f
    }

    public func apply(_ p: Point) -> Point { Point(x: a * p.x + b * p.y + c, y: d * p.x + e * p.y + f) }
    /// Pixels per millimetre (the square root of the map's area scale).
    public var scale: Double { abs(a * e - b * d).squareRoot() }
    /// The page's rotation in the image, in degrees.
    public var rotationDegrees: Double { atan2(d, a) * 180 / Double.pi }

    /// The least-squares affine map taking `from` (page) to `to` (image); nil if degenerate.
    public static func fit(from: [Point], to: [Point]) -> PageTransform? {
        guard from.count == to.count, from.count >= 3 else { return nil }
        // Normal equations for [x y 1] · [a b c]ᵀ = x', the same matrix for y'.
        var m = [[Double]](repeating: [0, 0, 0], count: 3)
        var vx = [0.0, 0, 0], vy = [0.0, 0, 0]
        for (p, q) in zip(from, to) {
            let row = [p.x, p.y, 1]
            for i in 0..<3 {
                for j in 0..<3 { m[i][j] += row[i] * row[j] }
                vx[i] += row[i] * q.x
                vy[i] += row[i] * q.y
            }
        }
        guard let sx = solve3(m, vx), let sy = solve3(m, vy) else { return nil }
        return PageTransform(a: sx[0], b: sx[1], c: sx[2], d: sy[0], e: sy[1], f: sy[2])
    }
}

/// Solves a 3 × 3 linear system by Cramer's rule; nil when singular.
func solve3(_ m: [[Double]], _ v: [Double]) -> [Double]? {
    func det(_ m: [[Double]]) -> Double {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    }
    let d = det(m)
    guard abs(d) > 1e-12 else { return nil }
    return (0..<3).map { column in
        var copy = m
        for row in 0..<3 { copy[row][column] = v[row] }
        return det(copy) / d
    }
}
