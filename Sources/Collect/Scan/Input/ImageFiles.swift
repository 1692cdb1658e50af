import CLeptonica
import Foundation
import SIPASOMR

/// Why a scan file (or one of its pages) cannot be read.
public struct ScanInputError: Error, CustomStringConvertible, Sendable, Equatable {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// The smallest image taken for an A4 page: 100 dpi (a scan below 150 dpi is refused later, by
/// its corner squares, if its bubbles cannot be measured).
/// An A6 slip at 150 dpi is 620 × 877 pixels.
let smallestSide = 600
/// The largest: A3 at 600 dpi, so a hostile header cannot ask for gigabytes.
let largestSide = 10_000

/// Reads TIFF (every page), PNG, JPEG, PNM and BMP scans with Leptonica.
enum ImageFiles {
    static let quiet: Void = { _ = setMsgSeverity(Int32(L_SEVERITY_NONE)) }()

    static func forEachPage(_ path: String, _ body: (Int, Result<GreyImage, ScanInputError>) throws -> Void) throws {
        _ = quiet
        var format: Int32 = 0
        guard findFileFormat(path, &format) == 0 else { throw ScanInputError("the file cannot be read as an image (PDF, TIFF, PNG or JPEG expected)") }
        if format == Int32(IFF_TIFF) || format == Int32(IFF_TIFF_G4) || format == Int32(IFF_TIFF_G3) || format == Int32(IFF_TIFF_LZW)
            || format == Int32(IFF_TIFF_ZIP) || format == Int32(IFF_TIFF_PACKBITS) || format == Int32(IFF_TIFF_RLE) || format == Int32(IFF_TIFF_JPEG)
        {
            var count: Int32 = 0
            guard let file = fopen(path, "rb") else { throw ScanInputError("the file cannot be opened") }
            let status = tiffGetCount(file, &count)
            fclose(file)
            guard status == 0, count > 0 else { throw ScanInputError("the TIFF file has no readable page") }
            for n in 0..<count {
                try body(Int(n) + 1, grey(pixReadTiff(path, n)))
            }
        } else {
            guard format != Int32(IFF_UNKNOWN) else { throw ScanInputError("the file is not an image sipas reads (PDF, TIFF, PNG or JPEG expected)") }
            let image = grey(pixRead(path))
            if case .failure(let error) = image, error.description.hasPrefix("cannot decode") {
                throw ScanInputError("the image cannot be decoded (the file is damaged or cut short)")
            }
            try body(1, image)
        }
    }

    static func grey(_ pix: UnsafeMutablePointer<Pix>?) -> Result<GreyImage, ScanInputError> {
        guard let source = pix else { return .failure(ScanInputError("cannot decode the image (the file is damaged or cut short)")) }
        defer {
            var p: UnsafeMutablePointer<Pix>? = source
            pixDestroy(&p)
        }
        let width = Int(pixGetWidth(source)), height = Int(pixGetHeight(source))
        guard min(width, height) >= smallestSide else {
            return .failure(ScanInputError("the image is \(width)×\(height) pixels: too small for a form (an A4 page or an A6 slip) scanned at 150 dpi or more"))
        }
        guard max(width, height) <= largestSide else {
            return .failure(ScanInputError("the image is \(width)×\(height) pixels: larger than an A3 page at 600 dpi"))
        }
        guard let eight = pixConvertTo8(source, 0) else { return .failure(ScanInputError("cannot turn the image into grey levels")) }
        defer {
            var p: UnsafeMutablePointer<Pix>? = eight
            pixDestroy(&p)
        }
        let wpl = Int(pixGetWpl(eight))
        guard let data = pixGetData(eight) else { return .failure(ScanInputError("cannot read the image's pixels")) }
        var pixels = [UInt8](repeating: 255, count: width * height)
        // Leptonica keeps 8-bit pixels big-endian within 32-bit words: a row is its words
        // byte-swapped (on a little-endian machine), then cut to the image's width.
        var row = [UInt32](repeating: 0, count: wpl)
        pixels.withUnsafeMutableBytes { out in
            row.withUnsafeMutableBufferPointer { words in
                for y in 0..<height {
                    let source = data + y * wpl
                    for k in 0..<wpl { words[k] = UInt32(bigEndian: source[k]) }
                    out.baseAddress!.advanced(by: y * width).copyMemory(from: UnsafeRawPointer(words.baseAddress!), byteCount: width)
                }
            }
        }
        return .success(GreyImage(width: width, height: height, pixels: pixels))
    }
}
