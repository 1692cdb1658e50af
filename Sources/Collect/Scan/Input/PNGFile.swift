import CLeptonica
import Foundation
import SIPASOMR

/// Writes a grey image as PNG or JPEG (Leptonica): the crop of a doubtful mark for a reviewer, a page kept for audit.
public enum PNGFile {
    public static func write(_ image: GreyImage, to path: String) throws {
        try withPix(image, name: path) { pix in
            guard pixWrite(path, pix, Int32(IFF_PNG)) == 0 else { throw ScanInputError("\(path): the image could not be written") }
        }
    }

    /// The image as PNG bytes, e.g. for a review page.
    public static func encode(_ image: GreyImage) throws -> [UInt8] {
        try withPix(image, name: "the crop") { pix in
            var data: UnsafeMutablePointer<UInt8>?
            var size = 0
            guard pixWriteMem(&data, &size, pix, Int32(IFF_PNG)) == 0, let data else { throw ScanInputError("the crop could not be encoded as PNG") }
            defer { free(data) }
            return Array(UnsafeBufferPointer(start: data, count: size))
        }
    }

    /// The image as JPEG bytes (baseline, `quality` 1–100), e.g. a page's answer area for audit.
    public static func encodeJPEG(_ image: GreyImage, quality: Int = 70) throws -> [UInt8] {
        try withPix(image, name: "the page image") { pix in
            var data: UnsafeMutablePointer<UInt8>?
            var size = 0
            guard pixWriteMemJpeg(&data, &size, pix, Int32(quality), 0) == 0, let data else { throw ScanInputError("the page image could not be encoded as JPEG") }
            defer { free(data) }
            return Array(UnsafeBufferPointer(start: data, count: size))
        }
    }

    static func withPix<T>(_ image: GreyImage, name path: String, _ body: (UnsafeMutablePointer<Pix>) throws -> T) throws -> T {
        _ = ImageFiles.quiet
        guard let pix = pixCreate(Int32(image.width), Int32(image.height), 8) else { throw ScanInputError("\(path): no memory for the image") }
        defer {
            var p: UnsafeMutablePointer<Pix>? = pix
            pixDestroy(&p)
        }
        let wpl = Int(pixGetWpl(pix))
        guard let data = pixGetData(pix) else { throw ScanInputError("\(path): no memory for the image") }
        for y in 0..<image.height {
            let row = data + y * wpl
            for word in 0..<wpl {
                var value: UInt32 = 0
                for k in 0..<4 {
                    let x = word * 4 + k
                    value |= UInt32(x < image.width ? image.pixels[y * image.width + x] : 255) << UInt32(24 - 8 * k)
                }
                row[word] = value
            }
        }
        return try body(pix)
    }
}
