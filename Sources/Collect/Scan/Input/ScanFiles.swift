import Foundation
import SIPASOMR

/// The pages of a scanner's file as grey images: multi-page PDF (poppler), TIFF, PNG, JPEG.
public enum ScanFiles {
    /// Resolution PDF pages are rendered at.
    public static let pdfDPI = 200.0

    /// Calls `body` with each page (1-based) in order, or with why that page cannot be read.
    /// Throws when the file as a whole cannot be read.
    public static func forEachPage(_ path: String, _ body: (Int, Result<GreyImage, ScanInputError>) throws -> Void) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw ScanInputError("no such file") }
        guard !isFolder.boolValue else { throw ScanInputError("this is a folder: name the scan files in it (e.g. folder/*.pdf)") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ScanInputError("the file cannot be opened") }
        let head = (try? handle.read(upToCount: 5)) ?? Data()
        guard !head.isEmpty else {
            try? handle.close()
            throw ScanInputError("the file is empty")
        }
        if head.starts(with: Array("%PDF".utf8)) {
            // A PDF ends with %%EOF: without it the file was cut short (a copy or an upload that
            // stopped), and poppler might still show the pages it could find.
            let size = (try? handle.seekToEnd()) ?? 0
            try? handle.seek(toFileOffset: size > 1024 ? size - 1024 : 0)
            let tail = (try? handle.readToEnd()) ?? Data()
            try? handle.close()
            guard tail.range(of: Data("%%EOF".utf8)) != nil else {
                throw ScanInputError("the PDF is cut short (it does not end with %%EOF): copy the scan again")
            }
            try PDFFiles.forEachPage(path, dpi: pdfDPI, body)
        } else {
            try? handle.close()
            try ImageFiles.forEachPage(path, body)
        }
    }
}
