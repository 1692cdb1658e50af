import Foundation
import SIPASFormLayout
import SIPASFormPDF
import SIPASModel
import SIPASOMR
import SIPASStatistics
import SIPASWorkflows
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
    #expect(good?.slip == false)
    let slip = PageIdentity(payload: "SIPAS1|counter-quick|2026.1|0123456789abcdef|XA01-2026-0009|1/1|A6")
    #expect(slip == PageIdentity(questionnaire: "counter-quick", version: "2026.1", hashPrefix: "0123456789abcdef", serial: "XA01-2026-0009", page: 1, pages: 1, slip: true))
    for bad in ["", "SIPAS1", "SIPAS2|a|b|0123456789abcdef|s|1/1", "SIPAS1|a|b|0123|s|1/1", "SIPAS1|a|b|0123456789abcdef|s|5/4", "SIPAS1|a|b|0123456789abcdef|s|0/4",
        "SIPAS1|a|b|0123456789abcdef|s|1/x", "SIPAS1||b|0123456789abcdef|s|1/1", "SIPAS1|a|b|0123456789abcdef||1/1", "SIPAS1|a|b|0123456789abcdef|s|1/1|extra", "SIPAS1|a|b|0123456789abcdef|s|1/1|A5", "SIPAS1|a|b|0123456789abcdef|s|1/1|A6|A6"]
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
    let reader = PageReader(questionnaire: catalogQ, layout: form, printedInk: [])
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

/// The same for slips, whose squares are looked for round the QR code: random pages with many
/// squares of a slip's fiducial size, and a QR code of any size said to be anywhere.
@Test func randomImagesNeverCrashTheSlipReader() throws {
    let (q, form) = try FormLayoutQuery.run(
        questionnaire: "counter-quick", paper: .slip, catalog: QuestionnaireCatalog(directories: [QuestionnaireCatalog.sourceTreeDirectory]))
    let reader = PageReader(questionnaire: q, layout: form, printedInk: [])
    let identity = PageIdentity(questionnaire: q.id, version: q.version, hashPrefix: String(form.contentHash.prefix(16)), serial: "X", page: 1, pages: 1, slip: true)
    var random = SeededGenerator(seed: 2027)
    var read = 0, refused = 0
    for _ in 0..<60 {
        let width = Int.random(in: 300...1000, using: &random), height = Int.random(in: 300...1400, using: &random)
        var image = GreyImage(width: width, height: height, pixels: [UInt8](repeating: UInt8.random(in: 140...255, using: &random), count: width * height))
        let ppm = Double.random(in: 2...12, using: &random)
        for _ in 0..<Int.random(in: 0...40, using: &random) {
            square(&image, Double.random(in: 0...Double(width), using: &random), Double.random(in: 0...Double(height), using: &random), 5 * ppm * Double.random(in: 0.8...1.2, using: &random),
                   value: UInt8.random(in: 0...80, using: &random))
        }
        let cx = Double.random(in: -200...1200, using: &random), cy = Double.random(in: -200...1600, using: &random), half = Double.random(in: 0...120, using: &random)
        let corners = Bool.random(using: &random)
            ? [Point(x: cx - half, y: cy - half), Point(x: cx + half, y: cy - half), Point(x: cx + half, y: cy + half), Point(x: cx - half, y: cy + half)]
            : [Point(x: cx, y: cy)]
        do {
            _ = try reader.read(image, identity: identity, qr: QRSymbol(payload: "", corners: corners))
            read += 1
            #expect(corners.count == 4, "a QR code without its four corners gives no scale: the slip cannot be found")
        } catch {
            refused += 1
        }
    }
    #expect(read + refused == 60)
}

@Test func printedInkIsWidenedByItsMargin() {
    // One inked pixel at (10, 10) of a 40 × 30 grid at 10 px/mm, widened by 0.5 mm = 5 pixels.
    var ink = [UInt8](repeating: 0, count: 40 * 30)
    ink[10 * 40 + 10] = 255
    ink[20 * 40 + 30] = 40  // too faint to count
    let printed = PrintedInk(width: 40, height: 30, ink: ink, pixelsPerMM: 10, margin: 0.5)
    #expect(printed.isPrinted(x: 1.05, y: 1.05))
    #expect(printed.isPrinted(x: 0.55, y: 1.55))  // pixel (5, 15): 5 away on both axes
    #expect(!printed.isPrinted(x: 0.45, y: 1.05))  // pixel (4, 10): 6 away
    #expect(!printed.isPrinted(x: 1.05, y: 1.65))  // pixel (10, 16)
    #expect(!printed.isPrinted(x: 3.05, y: 2.05))
    #expect(printed.isPrinted(x: -0.1, y: 1) && printed.isPrinted(x: 1, y: 3.0))  // off the grid
}

/// A page drawn from the blank form's own ink (8 px/mm, upright), with pen rings drawn by hand:
/// round one item's printed code, and round another's bubble and code together. Those two items
/// go to review as marks beside a bubble; every other item reads blank, and no bubble of the
/// clean page shows stray ink.
@Test func ringsWhereNothingIsPrintedAreMarksBesideABubble() throws {
    let (q, form) = try layout("sipas-2023")
    let writer = FormPDFWriter(layout: form, title: q.title)
    let reader = PageReader(questionnaire: q, layout: form, printedInk: writer.printedInk())
    let ppm = 8.0
    let (width, height, ink) = writer.ink(page: 2, pixelsPerMM: ppm)
    var image = GreyImage(width: width, height: height, pixels: ink.map { 255 - $0 })
    let page = form.pages[1]
    let qr = QRSymbol(payload: "", corners: [Point(x: page.qr.x * ppm, y: page.qr.y * ppm)])
    let identity = PageIdentity(questionnaire: q.id, version: q.version, hashPrefix: String(form.contentHash.prefix(16)), serial: "XA01-2026-0001", page: 2, pages: form.pages.count)
    let clean = try reader.read(image, identity: identity, qr: qr)
    #expect(clean.bubbles.allSatisfy { $0.strayInk < 0.1 && $0.state == .empty }, "\(clean.bubbles.filter { $0.strayInk >= 0.1 || $0.state != .empty })")
    #expect(clean.items.allSatisfy { $0.doubt == nil && $0.answer == .blank })

    /// An ellipse of pen 0.4 mm wide, centred at (x, y) mm with half axes rx, ry mm.
    func ring(_ x: Double, _ y: Double, _ rx: Double, _ ry: Double) {
        for py in Int((y - ry - 1) * ppm)...Int((y + ry + 1) * ppm) {
            for px in Int((x - rx - 1) * ppm)...Int((x + rx + 1) * ppm) {
                let u = (Double(px) + 0.5) / ppm - x, v = (Double(py) + 0.5) / ppm - y
                let angle = atan2(v / ry, u / rx)
                let distance = hypot(u - rx * cos(angle), v - ry * sin(angle))
                if distance <= 0.2 { image.pixels[py * width + px] = 30 }
            }
        }
    }
    let items = Array(Set(page.marks.filter { $0.code == 3 }.map(\.item))).sorted()
    let first = try #require(page.marks.first { $0.item == items[0] && $0.code == 2 })
    let second = try #require(page.marks.first { $0.item == items[items.count / 2] && $0.code == 3 })
    ring(first.x + first.r + 1.4, first.y, 2.0, 1.8)
    ring(second.x + 1.6, second.y, 3.9, 3.4)
    let marked = try reader.read(image, identity: identity, qr: qr)
    for item in marked.items {
        if item.item == first.item || item.item == second.item {
            #expect(item.doubt == .markBeside, "\(item.item)")
            #expect(item.candidates.contains(item.item == first.item ? 2 : 3), "\(item.item): \(item.candidates)")
        } else {
            #expect(item.doubt == nil && item.answer == .blank, "\(item.item): \(String(describing: item.doubt))")
        }
    }
}
