import SIPASModel

/// The printed form (*phiếu giấy*) of a questionnaire: every page's fiducials, QR code, answer
/// bubbles and text boxes in millimetres from the page's top-left corner, and what else is drawn.
///
/// Use it to print forms (``FormLayoutEngine`` makes it, a PDF writer draws exactly its
/// elements) and, later, to read scanned ones: the bubbles a scanner looks at are ``marks``.
/// It depends on the questionnaire only, never on the unit or the sheet, so every printed sheet of
/// one questionnaire version has the same geometry.
public struct FormLayout: Sendable, Equatable {
    public var questionnaireID: String
    public var version: String
    /// SHA-256 (hex) of the questionnaire's YAML text.
    public var contentHash: String
    public var pageWidth: Double
    public var pageHeight: Double
    /// What the form is printed on: A4 pages, or slips four to an A4 sheet.
    public var paper: Paper = .a4
    public var pages: [Page]

    /// One side of a sheet.
    public struct Page: Sendable, Equatable {
        /// 1-based.
        public var number: Int
        public var fiducials: [Square]
        public var qr: Square
        public var marks: [Mark]
        public var textFields: [TextField]
        /// What is drawn besides fiducials and the QR code, in drawing order.
        public var elements: [Element]
    }

    /// A filled square (fiducial) or the QR code's square; `x`, `y` are its centre.
    public struct Square: Sendable, Equatable {
        public var x: Double
        public var y: Double
        public var size: Double
    }

    /// An answer bubble (*ô tròn*): choosing `code` for `item` means filling it.
    public struct Mark: Sendable, Equatable {
        public var item: String
        public var code: Int
        public var x: Double
        public var y: Double
        public var r: Double
    }

    /// A box for a free-text answer; `x`, `y` are its centre.
    public struct TextField: Sendable, Equatable {
        public var item: String
        public var x: Double
        public var y: Double
        public var w: Double
        public var h: Double
    }

    /// Everything else on a page.
    public enum Element: Sendable, Equatable {
        /// Text whose top-left corner is at (`x`, `y`), wrapped at `width` when given.
        case text(TextBlock)
        /// Text of one sheet: `{serial}`, `{unit}` and `{year}` are replaced when it is printed.
        case sheetText(TextBlock)
        /// An answer bubble's outline (its ``Mark`` says what it means).
        case bubble(x: Double, y: Double, r: Double)
        /// A rectangle's outline, top-left corner at (`x`, `y`).
        case box(x: Double, y: Double, w: Double, h: Double)
        /// A thin grey line.
        case rule(x1: Double, y1: Double, x2: Double, y2: Double)
    }

    public var markCount: Int { pages.reduce(0) { $0 + $1.marks.count } }

    /// What a page's QR code says: the form, its version, the questionnaire hash's first 16
    /// characters, the sheet serial and the page (`SIPAS1|sipas-2023|2023.1|ab12…|XA01-2026-0001|1/4`).
    /// A slip's code ends in `|A6`.
    public func qrPayload(serial: String, page: Int) -> String {
        "SIPAS1|\(questionnaireID)|\(version)|\(contentHash.prefix(16))|\(serial)|\(page)/\(pages.count)" + (paper == .slip ? "|A6" : "")
    }
}

/// What a form is printed on (*khổ phiếu*).
public enum Paper: String, Sendable, Equatable, CaseIterable {
    /// A4 portrait pages, printed on both sides.
    case a4
    /// A6 portrait slips (105 × 148.5 mm), four to an A4 sheet with cut lines between them: a short
    /// form for a box at the counter. Each slip has its own corner squares and QR code, so it is
    /// read alike cut or uncut.
    case slip

    /// Where slip `k` (0…3) of an A4 sheet lies: its top-left corner, mm from the sheet's.
    public static func slipOrigin(_ k: Int) -> (x: Double, y: Double) {
        (Double(k % 2) * 105, Double(k / 2) * 148.5)
    }
}

/// Where things go on one kind of paper (mm): the page, its corner squares, the QR code and the
/// frame the content is laid in.
public struct PaperGeometry: Sendable, Equatable {
    public var width, height: Double
    public var fiducialSize: Double
    /// Fiducial centres' distance from the page's edges.
    public var fiducialInset: Double
    public var qrSize: Double
    public var qrCentre: (x: Double, y: Double)
    public var left, right: Double
    /// Below the QR code and its serial: where content may start.
    public var belowQR: Double
    public var bottom: Double
    /// The top of the title.
    public var top: Double
    /// The widest a grid's answer columns may be in all.
    public var gridWidth: Double

    public static func == (a: Self, b: Self) -> Bool {
        a.width == b.width && a.height == b.height && a.fiducialSize == b.fiducialSize && a.fiducialInset == b.fiducialInset && a.qrSize == b.qrSize
            && a.qrCentre == b.qrCentre && a.left == b.left && a.right == b.right && a.belowQR == b.belowQR && a.bottom == b.bottom && a.top == b.top
            && a.gridWidth == b.gridWidth
    }

    public static let a4 = PaperGeometry(
        width: 210, height: 297, fiducialSize: 6, fiducialInset: 10, qrSize: 20, qrCentre: (184, 25), left: 16, right: 194, belowQR: 40, bottom: 276, top: 12,
        gridWidth: 100)
    public static let slip = PaperGeometry(
        width: 105, height: 148.5, fiducialSize: 5, fiducialInset: 7, qrSize: 20, qrCentre: (83, 21), left: 11, right: 97, belowQR: 36, bottom: 133, top: 6,
        gridWidth: 42)

    public static func of(_ paper: Paper) -> PaperGeometry { paper == .a4 ? .a4 : .slip }
}

/// A run of text in one style.
public struct TextBlock: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public var width: Double?
    public var style: TextStyle
    public var centred: Bool
    public var text: String

    public init(x: Double, y: Double, width: Double?, style: TextStyle, centred: Bool = false, text: String) {
        self.x = x
        self.y = y
        self.width = width
        self.style = style
        self.centred = centred
        self.text = text
    }
}

/// A font size (mm, absolute) and face; the family is the printer's (Noto Sans).
public struct TextStyle: Sendable, Equatable, Hashable {
    public var size: Double
    public var bold: Bool
    public var italic: Bool

    public init(size: Double, bold: Bool = false, italic: Bool = false) {
        self.size = size
        self.bold = bold
        self.italic = italic
    }

    static let pt = 25.4 / 72
    public static let title = TextStyle(size: 11 * pt, bold: true)
    public static let section = TextStyle(size: 9.5 * pt, bold: true)
    public static let body = TextStyle(size: 8.5 * pt)
    public static let number = TextStyle(size: 8.5 * pt, bold: true)
    public static let note = TextStyle(size: 8 * pt, italic: true)
    public static let small = TextStyle(size: 6.5 * pt)
    public static let code = TextStyle(size: 6.5 * pt, bold: true)
}

/// Measures text as the printer will draw it (Pango), so the layout can wrap and stack it.
public protocol TextMeasuring {
    /// The size in mm of `text` in `style`, wrapped at `width` mm when given.
    func measure(_ text: String, style: TextStyle, width: Double?) -> (width: Double, height: Double)
}
