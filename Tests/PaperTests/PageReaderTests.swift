import Foundation
import SIPASFormLayout
import SIPASModel
import SIPASOMR
import SIPASStatistics
import Testing

/// Draws a filled square (centre, side in pixels) on a grey image.
func square(_ image: inout GreyImage, _ x: Double, _ y: Double, _ side: Double, value: UInt8 = 0) {
    let x0 = max(0, Int(x - side / 2)), x1 = min(image.width - 1, Int(x + side / 2)), y0 = max(0, Int(y - side / 2)), y1 = min(image.height - 1, Int(y + side / 2))
    guard x0 <= x1, y0 <= y1 else { return }
    for row in y0...y1 { for column in x0...x1 { image.pixels[row * image.width + column] = value } }
}

@Test func qrPayloadsAreParsedStrictly() {
    let good = PageIdentity(payload: "SIPAS1|sipas-2023|2023.1|0123456789abcdef|XA01-2026-0001|2/4")
    #expect(good == PageIdentity(questionnaire: "sipas-2023", version: "2023.1", hashPrefix: "0123456789abcdef", serial: "XA01-2026-0001", page: 2, pages: 4))
    for bad in ["", "SIPAS1", "SIPAS2|a|b|0123456789abcdef|s|1/1", "SIPAS1|a|b|0123|s|1/1", "SIPAS1|a|b|0123456789abcdef|s|5/4", "SIPAS1|a|b|0123456789abcdef|s|0/4",
        "SIPAS1|a|b|0123456789abcdef|s|1/x", "SIPAS1||b|0123456789abcdef|s|1/1", "SIPAS1|a|b|0123456789abcdef||1/1", "SIPAS1|a|b|0123456789abcdef|s|1/1|extra"]
    {
        #expect(PageIdentity(payload: bad) == nil, "\(bad)")
    }
}

@Test func anAffineMapIsRecoveredFromFourPoints() throws {
    // 3° turn, 7.9 px/mm, shifted: the fit must give it back exactly (four exact points).
    let angle = 3 * Double.pi / 180, s = 7.9
    let truth = PageTransform(a: s * cos(angle), b: -s * sin(angle), c: 41, d: s * sin(angle), e: s * cos(angle), f: -17)
    let page = [Point(x: 10, y: 10), Point(x: 200, y: 10), Point(x: 200, y: 287), Point(x: 10, y: 287)]
    let fitted = try #require(PageTransform.fit(from: page, to: page.map(truth.apply)))
    let pairs: [(Double, Double)] = [(fitted.a, truth.a), (fitted.b, truth.b), (fitted.c, truth.c), (fitted.d, truth.d), (fitted.e, truth.e), (fitted.f, truth.f)]
    for (p, q) in pairs { #expect(abs(p - q) < 1e-9) }
    #expect(abs(fitted.scale - s) < 1e-9)
    #expect(abs(fitted.rotationDegrees - 3) < 1e-9)
    // Four points on one spot give no map.
    #expect(PageTransform.fit(from: page, to: Array(repeating: Point(x: 1, y: 1), count: 4)).map { $0.scale < 1e-9 } ?? true)
}

/// Random pages (noise, blocks, squares in the corners, a QR code said to be anywhere): the
/// reader refuses or reads them, and never traps.
@Test func randomPagesNeverCrashTheReader() throws {
    let (catalogQ, form) = try layout("counter-quick")
    let reader = PageReader(questionnaire: catalogQ, layout: form)
    let identity = PageIdentity(questionnaire: catalogQ.id, version: catalogQ.version, hashPrefix: String(form.contentHash.prefix(16)), serial: "X", page: 1, pages: 1)
    var random = SeededGenerator(seed: 2026)
    var outcomes = [0, 0]
    for _ in 0..<60 {
        let width = Int.random(in: 300...900, using: &random), height = Int.random(in: 300...1300, using: &random)
        var image = GreyImage(width: width, height: height, pixels: [UInt8](repeating: UInt8.random(in: 140...255, using: &random), count: width * height))
        for _ in 0..<3000 { image.pixels[Int.random(in: 0..<(width * height), using: &random)] = UInt8.random(in: 0...255, using: &random) }
        for _ in 0..<Int.random(in: 0...30, using: &random) {
            square(&image, Double.random(in: 0...Double(width), using: &random), Double.random(in: 0...Double(height), using: &random), Double.random(in: 1...80, using: &random),
                   value: UInt8.random(in: 0...120, using: &random))
        }
        // Squares of about the fiducials' size near the corners, placed anyhow.
        let ppm = Double(max(width, height)) / 297
        for (cx, cy) in [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)] where Bool.random(using: &random) {
            square(&image, cx * Double(width) + (cx == 0 ? 1 : -1) * Double.random(in: 0...80, using: &random), cy * Double(height) + (cy == 0 ? 1 : -1) * Double.random(in: 0...80, using: &random), 6 * ppm * Double.random(in: 0.8...1.2, using: &random))
        }
        let qr = QRSymbol(payload: "", corners: [Point(x: Double.random(in: -100...1000, using: &random), y: Double.random(in: -100...1400, using: &random))])
        do {
            _ = try reader.read(image, identity: identity, qr: qr)
            outcomes[0] += 1
        } catch {
            outcomes[1] += 1
        }
    }
    #expect(outcomes[0] + outcomes[1] == 60)
}
