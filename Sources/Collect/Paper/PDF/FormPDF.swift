import CPangoCairo
import CQREncode
import Foundation
import SIPASFormLayout

/// The font family forms are printed in (Debian `fonts-noto-core`; DejaVu Sans if it is missing).
let fontFamily = "Noto Sans, DejaVu Sans"
let pointsPerMM = 72 / 25.4

/// Lays text out with Pango on a PDF surface, as ``FormPDFWriter`` draws it.
///
/// Measuring and drawing both use a PDF surface scaled to millimetres, with the same fonts and
/// the same (unhinted) metrics, so text wraps on paper exactly where the layout expects it.
public final class PangoText: TextMeasuring {
    let surface: OpaquePointer
    let context: OpaquePointer
    let layout: OpaquePointer
    var fonts: [TextStyle: OpaquePointer] = [:]

    /// Text on `context` (one of a PDF surface scaled to mm), or on a surface of its own (measuring only).
    init(context: OpaquePointer? = nil) {
        if let context {
            self.context = cairo_reference(context)
            surface = cairo_surface_reference(cairo_get_target(context))
        } else {
            // A PDF surface with no file: metrics as when printing, nothing written.
            surface = cairo_pdf_surface_create(nil, FormLayoutEngine.pageWidth * pointsPerMM, FormLayoutEngine.pageHeight * pointsPerMM)
            self.context = cairo_create(surface)
            cairo_scale(self.context, pointsPerMM, pointsPerMM)
        }
        layout = pango_cairo_create_layout(self.context)
        // User space is millimetres: Pango's default rounding of glyph positions to whole units
        // would put letters up to half a millimetre off (overlapping "ch", a gap in "x ây").
        let pango = pango_layout_get_context(layout)
        pango_context_set_round_glyph_positions(pango, 0)
        let options = cairo_font_options_create()
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        pango_cairo_context_set_font_options(pango, options)
        cairo_font_options_destroy(options)
        pango_layout_context_changed(layout)
    }

    /// A measurer for ``FormLayoutEngine``.
    public convenience init() { self.init(context: nil) }

    deinit {
        for font in fonts.values { pango_font_description_free(font) }
        g_object_unref(UnsafeMutableRawPointer(layout))
        cairo_destroy(context)
        cairo_surface_destroy(surface)
    }

    func font(_ style: TextStyle) -> OpaquePointer {
        if let font = fonts[style] { return font }
        let font = pango_font_description_from_string(fontFamily)!
        pango_font_description_set_absolute_size(font, style.size * Double(PANGO_SCALE))
        pango_font_description_set_weight(font, style.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL)
        pango_font_description_set_style(font, style.italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL)
        fonts[style] = font
        return font
    }

    func prepare(_ text: String, style: TextStyle, width: Double?, centred: Bool) {
        pango_layout_set_font_description(layout, font(style))
        if let width {
            pango_layout_set_width(layout, Int32((width * Double(PANGO_SCALE)).rounded()))
            pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
        } else {
            pango_layout_set_width(layout, -1)
        }
        pango_layout_set_alignment(layout, centred ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT)
        pango_layout_set_text(layout, text, -1)
    }

    public func measure(_ text: String, style: TextStyle, width: Double?) -> (width: Double, height: Double) {
        prepare(text, style: style, width: width, centred: false)
        var logical = PangoRectangle()
        pango_layout_get_extents(layout, nil, &logical)
        return (Double(logical.width) / Double(PANGO_SCALE), Double(logical.height) / Double(PANGO_SCALE))
    }

    func draw(_ block: TextBlock, text: String) {
        prepare(text, style: block.style, width: block.width, centred: block.centred)
        cairo_move_to(context, block.x, block.y)
        pango_cairo_show_layout(context, layout)
    }
}

/// One printed sheet's identity: its serial (the form id a scan will carry), unit and year.
public struct PrintedSheet: Sendable, Equatable {
    public var serial: String
    public var unit: String
    public var year: Int

    public init(serial: String, unit: String, year: Int) {
        self.serial = serial
        self.unit = unit
        self.year = year
    }
}

/// Writes printed forms as an A4 PDF, black on white: every sheet's pages, drawn exactly where
/// its ``FormLayout`` says, with the sheet's serial in its QR codes and in plain text.
public struct FormPDFWriter {
    public var layout: FormLayout
    public var title: String

    public init(layout: FormLayout, title: String) {
        self.layout = layout
        self.title = title
    }

    /// Writes `sheets` to `path` (through a temporary file beside it: a failed write leaves no
    /// PDF behind). `progress` is called after each sheet.
    public func write(_ sheets: [PrintedSheet], to path: String, progress: (Int) -> Void = { _ in }) throws {
        let target = URL(fileURLWithPath: path)
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        let sheetSize: (width: Double, height: Double) = layout.paper == .slip ? (PaperGeometry.a4.width, PaperGeometry.a4.height) : (layout.pageWidth, layout.pageHeight)
        let surface = cairo_pdf_surface_create(temporary.path, sheetSize.width * pointsPerMM, sheetSize.height * pointsPerMM)!
        defer { cairo_surface_destroy(surface) }
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
            throw FormPDFError("\(path): cannot write the PDF here (\(String(cString: cairo_status_to_string(cairo_surface_status(surface)))))")
        }
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "sipas")
        let context = cairo_create(surface)!
        defer { cairo_destroy(context) }
        cairo_scale(context, pointsPerMM, pointsPerMM)
        let text = PangoText(context: context)
        do {
            if layout.paper == .slip {
                // Four slips to an A4 page, left to right and top to bottom, grey dashed lines to cut along.
                for start in stride(from: 0, to: sheets.count, by: 4) {
                    for k in 0..<min(4, sheets.count - start) {
                        let origin = Paper.slipOrigin(k)
                        cairo_save(context)
                        cairo_translate(context, origin.x, origin.y)
                        for page in layout.pages { try draw(page, of: sheets[start + k], on: context, text: text) }
                        cairo_restore(context)
                        progress(start + k + 1)
                    }
                    drawCutLines(on: context)
                    cairo_show_page(context)
                }
            } else {
                for (n, sheet) in sheets.enumerated() {
                    for page in layout.pages {
                        try draw(page, of: sheet, on: context, text: text)
                        cairo_show_page(context)
                    }
                    progress(n + 1)
                }
            }
            cairo_surface_finish(surface)
            guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
                throw FormPDFError("\(path): the PDF could not be written (\(String(cString: cairo_status_to_string(cairo_surface_status(surface)))))")
            }
            if FileManager.default.fileExists(atPath: target.path) { try FileManager.default.removeItem(at: target) }
            try FileManager.default.moveItem(at: temporary, to: target)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    func draw(_ page: FormLayout.Page, of sheet: PrintedSheet, on context: OpaquePointer, text: PangoText) throws {
        cairo_set_source_rgb(context, 0, 0, 0)
        for fiducial in page.fiducials {
            cairo_rectangle(context, fiducial.x - fiducial.size / 2, fiducial.y - fiducial.size / 2, fiducial.size, fiducial.size)
        }
        cairo_fill(context)
        try drawQR(layout.qrPayload(serial: sheet.serial, page: page.number), in: page.qr, on: context)
        for element in page.elements {
            switch element {
            case .text(let block):
                text.draw(block, text: block.text)
            case .sheetText(let block):
                let filled = block.text.replacingOccurrences(of: "{serial}", with: sheet.serial)
                    .replacingOccurrences(of: "{unit}", with: sheet.unit).replacingOccurrences(of: "{year}", with: String(sheet.year))
                text.draw(block, text: filled)
            case .bubble(let x, let y, let r):
                cairo_new_sub_path(context)
                cairo_arc(context, x, y, r, 0, 2 * Double.pi)
                cairo_set_line_width(context, 0.3)
                cairo_stroke(context)
            case .box(let x, let y, let w, let h):
                cairo_rectangle(context, x, y, w, h)
                cairo_set_line_width(context, 0.25)
                cairo_stroke(context)
            case .rule(let x1, let y1, let x2, let y2):
                cairo_set_source_rgb(context, 0.6, 0.6, 0.6)
                cairo_move_to(context, x1, y1)
                cairo_line_to(context, x2, y2)
                cairo_set_line_width(context, 0.15)
                cairo_stroke(context)
                cairo_set_source_rgb(context, 0, 0, 0)
            }
        }
    }

    /// Where to cut an A4 sheet of slips: a light grey dashed line down the middle and one across.
    func drawCutLines(on context: OpaquePointer) {
        let a4 = PaperGeometry.a4
        cairo_save(context)
        cairo_set_source_rgb(context, 0.6, 0.6, 0.6)
        cairo_set_line_width(context, 0.2)
        var dashes: [Double] = [2, 2]
        cairo_set_dash(context, &dashes, 2, 0)
        cairo_move_to(context, a4.width / 2, 0)
        cairo_line_to(context, a4.width / 2, a4.height)
        cairo_move_to(context, 0, a4.height / 2)
        cairo_line_to(context, a4.width, a4.height / 2)
        cairo_stroke(context)
        cairo_restore(context)
    }

    /// The QR code (libqrencode, error correction M) filling `square`, one rectangle per run of
    /// dark modules in a row (no seams between modules in PDF viewers).
    func drawQR(_ payload: String, in square: FormLayout.Square, on context: OpaquePointer) throws {
        guard let code = QRcode_encodeString(payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1) else {
            throw FormPDFError("cannot make a QR code for \(payload)")
        }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        let data = code.pointee.data!
        let module = square.size / Double(width)
        let left = square.x - square.size / 2, top = square.y - square.size / 2
        for row in 0..<width {
            var column = 0
            while column < width {
                guard data[row * width + column] & 1 != 0 else {
                    column += 1
                    continue
                }
                let start = column
                while column < width, data[row * width + column] & 1 != 0 { column += 1 }
                cairo_rectangle(context, left + Double(start) * module, top + Double(row) * module, Double(column - start) * module, module)
            }
        }
        cairo_fill(context)
    }
}

/// A PDF that could not be written, with the file and why.
public struct FormPDFError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension FormPDFWriter {
    /// Where page `number` of the blank form carries ink, rendered as it prints at `pixelsPerMM`:
    /// one byte a pixel, row by row from the top left, 0 where nothing is printed and up to 255
    /// where ink covers the pixel. A scan reader compares a page with it: ink on the scan where
    /// the form prints nothing is the respondent's (a circled code, a tick beside a bubble).
    public func ink(page number: Int, pixelsPerMM: Double) -> (width: Int, height: Int, ink: [UInt8]) {
        let width = Int((layout.pageWidth * pixelsPerMM).rounded(.up)), height = Int((layout.pageHeight * pixelsPerMM).rounded(.up))
        guard layout.pages.indices.contains(number - 1), width > 0, height > 0,
            let surface = cairo_image_surface_create(CAIRO_FORMAT_A8, Int32(width), Int32(height))
        else { return (0, 0, []) }
        defer { cairo_surface_destroy(surface) }
        let context = cairo_create(surface)!
        cairo_scale(context, pixelsPerMM, pixelsPerMM)
        let text = PangoText(context: context)
        // The sheet's own text (serial, unit) lies in the header, far from every bubble.
        try? draw(layout.pages[number - 1], of: PrintedSheet(serial: "XA00-0000-0000", unit: "XA00", year: 2000), on: context, text: text)
        cairo_destroy(context)
        cairo_surface_flush(surface)
        let stride = Int(cairo_image_surface_get_stride(surface))
        guard let data = cairo_image_surface_get_data(surface) else { return (0, 0, []) }
        var ink = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width { ink[y * width + x] = data[y * stride + x] }
        }
        return (width, height, ink)
    }
}
