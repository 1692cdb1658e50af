import CZBar
import SIPASOMR

/// Finds QR codes on a page with zbar: first near the four corners (where a form's code is,
/// whichever way up the page was scanned: top right first), then on the whole page. A sheet of
/// slips has a code on each slip: when a slip's code is found, the whole image is searched for all.
public enum QRReader {
    public static func symbols(in image: GreyImage) -> [QRSymbol] {
        // The code is printed 16–34 mm from the top and 16–36 mm from the right edge: a square of
        // 62 mm at each corner holds it whichever way up, shifted or scaled the page is (zbar's
        // time grows with the pixels it looks at: this is a sixteenth of the page, not all of it).
        let side = Int(62 * Double(max(image.width, image.height)) / 297)
        let cw = min(image.width, side), ch = min(image.height, side)
        let corners = [(image.width - cw, 0), (0, image.height - ch), (image.width - cw, image.height - ch), (0, 0)]
        // Every second scan line first (half the time; a module is 3.5 px or more at 150 dpi),
        // then every line, then the whole page.
        for density: Int32 in [2, 1] {
            for (x0, y0) in corners {
                let found = scan(image, x0: x0, y0: y0, w: cw, h: ch, density: density)
                if found.contains(where: { $0.payload.hasPrefix("SIPAS1|") && $0.payload.hasSuffix("|A6") }) { return slipSymbols(image, found: found) }
                if found.contains(where: { $0.payload.hasPrefix("SIPAS1|") }) { return found }
            }
        }
        let found = everySymbol(image)
        return found.isEmpty ? everySymbol(thresholded(image)) : found
    }

    /// The image in black and white at half the paper's brightness: zbar misses a small code
    /// (3 pixels a module) blurred and turned that it reads once its edges are sharp.
    static func thresholded(_ image: GreyImage) -> GreyImage {
        var histogram = [Int](repeating: 0, count: 256)
        var index = 0
        while index < image.pixels.count {
            histogram[Int(image.pixels[index])] += 1
            index += 7
        }
        let total = histogram.reduce(0, +)
        var seen = 0, paper = 255
        for value in 0..<256 {
            seen += histogram[value]
            if seen * 10 >= total * 9 {
                paper = value
                break
            }
        }
        let limit = UInt8(max(1, paper / 2))
        return GreyImage(width: image.width, height: image.height, pixels: image.pixels.map { $0 < limit ? 0 : 255 })
    }

    /// Every code on an image holding slips (`found` in a corner already): the whole image, and
    /// when that gives fewer than the four slips of a sheet, the whole image thresholded too.
    /// zbar on the whole image misses now and then a code it reads in a corner, or sharpened.
    static func slipSymbols(_ image: GreyImage, found: [QRSymbol]) -> [QRSymbol] {
        var symbols = found + everySymbol(image)
        if Set(symbols.map(\.payload)).count < 4 { symbols += everySymbol(thresholded(image)) }
        var seen = Set<String>()
        return symbols.filter { seen.insert($0.payload).inserted }
    }

    /// Every code on the whole image, each once.
    static func everySymbol(_ image: GreyImage) -> [QRSymbol] {
        var seen = Set<String>()
        return scan(image, x0: 0, y0: 0, w: image.width, h: image.height, density: 1).filter { seen.insert($0.payload).inserted }
    }

    static func scan(_ image: GreyImage, x0: Int, y0: Int, w: Int, h: Int, density: Int32) -> [QRSymbol] {
        guard w > 0, h > 0, let scanner = zbar_image_scanner_create() else { return [] }
        defer { zbar_image_scanner_destroy(scanner) }
        zbar_image_scanner_set_config(scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 0)
        zbar_image_scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1)
        zbar_image_scanner_set_config(scanner, ZBAR_NONE, ZBAR_CFG_X_DENSITY, density)
        zbar_image_scanner_set_config(scanner, ZBAR_NONE, ZBAR_CFG_Y_DENSITY, density)
        var crop = [UInt8](repeating: 255, count: w * h)
        for y in 0..<h {
            let from = (y0 + y) * image.width + x0
            crop.replaceSubrange((y * w)..<(y * w + w), with: image.pixels[from..<(from + w)])
        }
        guard let zimage = zbar_image_create() else { return [] }
        defer { zbar_image_destroy(zimage) }
        // "Y800": 8-bit grey.
        zbar_image_set_format(zimage, 0x3030_3859)
        zbar_image_set_size(zimage, UInt32(w), UInt32(h))
        return crop.withUnsafeBytes { bytes -> [QRSymbol] in
            zbar_image_set_data(zimage, bytes.baseAddress, UInt(w * h), nil)
            guard zbar_scan_image(scanner, zimage) > 0 else { return [] }
            var symbols: [QRSymbol] = []
            var symbol = zbar_image_first_symbol(zimage)
            while let current = symbol {
                if zbar_symbol_get_type(current) == ZBAR_QRCODE, let data = zbar_symbol_get_data(current) {
                    let length = Int(zbar_symbol_get_data_length(current))
                    let payload = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
                    let corners = (0..<zbar_symbol_get_loc_size(current)).map {
                        Point(x: Double(zbar_symbol_get_loc_x(current, $0) + Int32(x0)), y: Double(zbar_symbol_get_loc_y(current, $0) + Int32(y0)))
                    }
                    symbols.append(QRSymbol(payload: payload, corners: corners))
                }
                symbol = zbar_symbol_next(current)
            }
            // The image must not keep a pointer to the crop past this closure.
            zbar_image_set_data(zimage, nil, 0, nil)
            return symbols
        }
    }
}
