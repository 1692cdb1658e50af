import Foundation

extension FormLayout {
    /// The geometry as JSON, for other tools to read the form (`sipas form layout --json`):
    /// every `x_mm`/`y_mm` is a centre, in millimetres from the page's top-left corner, and every
    /// `page` is 1-based. Values are rounded to 0.001 mm.
    public func json() throws -> String {
        func mm(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
        let document = Document(
            questionnaire: questionnaireID, version: version, content_hash: contentHash, paper: paper.rawValue,
            page: .init(width_mm: mm(pageWidth), height_mm: mm(pageHeight)), pages: pages.count,
            slips_on_a4: paper == .slip ? (0..<4).map { let o = Paper.slipOrigin($0); return .init(x_mm: mm(o.x), y_mm: mm(o.y)) } : nil,
            fiducials: pages.flatMap { page in page.fiducials.map { .init(page: page.number, x_mm: mm($0.x), y_mm: mm($0.y), size_mm: mm($0.size)) } },
            qr: pages.map { .init(page: $0.number, x_mm: mm($0.qr.x), y_mm: mm($0.qr.y), size_mm: mm($0.qr.size)) },
            marks: pages.flatMap { page in
                page.marks.map { .init(item: $0.item, code: $0.code, page: page.number, x_mm: mm($0.x), y_mm: mm($0.y), r_mm: mm($0.r)) }
            },
            text_fields: pages.flatMap { page in
                page.textFields.map { .init(item: $0.item, page: page.number, x_mm: mm($0.x), y_mm: mm($0.y), w_mm: mm($0.w), h_mm: mm($0.h)) }
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(document), as: UTF8.self)
    }
}

private struct Document: Encodable {
    struct Size: Encodable { var width_mm, height_mm: Double }
    struct Square: Encodable {
        var page: Int
        var x_mm, y_mm, size_mm: Double
    }
    struct Mark: Encodable {
        var item: String
        var code: Int
        var page: Int
        var x_mm, y_mm, r_mm: Double
    }
    struct Field: Encodable {
        var item: String
        var page: Int
        var x_mm, y_mm, w_mm, h_mm: Double
    }
    struct Origin: Encodable { var x_mm, y_mm: Double }
    var questionnaire, version, content_hash: String
    var paper: String
    var page: Size
    var pages: Int
    /// For slips: each slip's top-left corner on the A4 sheet it is printed on.
    var slips_on_a4: [Origin]?
    var fiducials: [Square]
    var qr: [Square]
    var marks: [Mark]
    var text_fields: [Field]
}
