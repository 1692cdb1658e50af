import CPoppler
import Foundation
import SIPASOMR

/// Renders the pages of a scanned PDF with poppler at a fixed resolution, one at a time.
enum PDFFiles {
    static func forEachPage(_ path: String, dpi: Double, _ body: (Int, Result<GreyImage, ScanInputError>) throws -> Void) throws {
        var error: UnsafeMutablePointer<GError>?
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        guard let uri = g_filename_to_uri(absolute, nil, &error) else {
            defer { if error != nil { g_error_free(error) } }
            throw ScanInputError("the file's name cannot be given to the PDF reader")
        }
        defer { g_free(uri) }
        guard let document = poppler_document_new_from_file(uri, nil, &error) else {
            let message = error.map { String(cString: $0.pointee.message) } ?? "unknown error"
            if error != nil { g_error_free(error) }
            throw ScanInputError("the PDF cannot be opened (\(message)): the file is damaged, cut short or password-protected")
        }
        defer { g_object_unref(UnsafeMutableRawPointer(document)) }
        let count = poppler_document_get_n_pages(document)
        guard count > 0 else { throw ScanInputError("the PDF has no pages") }
        for index in 0..<count {
            guard let page = poppler_document_get_page(document, index) else {
                try body(Int(index) + 1, .failure(ScanInputError("the page cannot be read from the PDF")))
                continue
            }
            defer { g_object_unref(UnsafeMutableRawPointer(page)) }
            try body(Int(index) + 1, render(page, dpi: dpi))
        }
    }

    static func render(_ page: OpaquePointer, dpi: Double) -> Result<GreyImage, ScanInputError> {
        var w = 0.0, h = 0.0
        poppler_page_get_size(page, &w, &h)
        let scale = dpi / 72
        let width = Int((w * scale).rounded()), height = Int((h * scale).rounded())
        guard w.isFinite, h.isFinite, min(width, height) >= smallestSide, max(width, height) <= largestSide else {
            return .failure(ScanInputError(String(format: "the page is %.0f × %.0f mm: not an A4 form", w * 25.4 / 72, h * 25.4 / 72)))
        }
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(width), Int32(height)) else {
            return .failure(ScanInputError("no memory to render the page"))
        }
        defer { cairo_surface_destroy(surface) }
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else { return .failure(ScanInputError("no memory to render the page")) }
        let context = cairo_create(surface)
        cairo_set_source_rgb(context, 1, 1, 1)
        cairo_paint(context)
        cairo_scale(context, scale, scale)
        poppler_page_render(page, context)
        cairo_destroy(context)
        cairo_surface_flush(surface)
        guard let data = cairo_image_surface_get_data(surface) else { return .failure(ScanInputError("the page could not be rendered")) }
        let stride = Int(cairo_image_surface_get_stride(surface))
        var pixels = [UInt8](repeating: 255, count: width * height)
        pixels.withUnsafeMutableBufferPointer { out in
            for y in 0..<height {
                let row = data + y * stride
                for x in 0..<width {
                    // RGB24 is a native-endian 32-bit word: bytes B, G, R, unused on little-endian.
                    let b = Int(row[4 * x]), g = Int(row[4 * x + 1]), r = Int(row[4 * x + 2])
                    out[y * width + x] = UInt8((299 * r + 587 * g + 114 * b) / 1000)
                }
            }
        }
        return .success(GreyImage(width: width, height: height, pixels: pixels))
    }
}
