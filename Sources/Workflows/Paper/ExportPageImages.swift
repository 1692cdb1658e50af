import Foundation
import SIPASModel
import SIPASStoring

/// Writes the scanned pages' answer areas kept in a store (`sipas form images`), for audit: one
/// JPEG per form and page, `SERIAL-trang-N.jpg` (a serial is stored once, so names never clash).
public struct ExportPageImages {
    public var serial: String?
    public var folder: String

    public init(serial: String?, folder: String) {
        self.serial = serial
        self.folder = folder
    }

    /// The paths written.
    public func run(from store: any ResponseReading) throws -> [String] {
        let images = try store.pageImages(formID: serial)
        guard !images.isEmpty else {
            throw UserError(serial.map { "\(store.location): no scanned page of form \($0) is stored" } ?? "\(store.location): no scanned page is stored (pages are kept by `sipas scan`)")
        }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), !isFolder.boolValue {
            throw UserError("\(folder): is a file; --out names a folder for the images")
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var written: [String] = []
        for stored in images {
            let safe = String(stored.image.formID.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
            let name = "\(safe)-trang-\(stored.image.page).jpg"
            let path = URL(fileURLWithPath: folder).appendingPathComponent(name).path
            do {
                try Data(stored.image.jpeg).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw UserError("\(path): cannot write the image: \(error.localizedDescription)")
            }
            written.append(path)
        }
        return written
    }
}
