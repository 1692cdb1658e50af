import Foundation

/// A page of a scanned file that was read.
public struct ScannedPage: Sendable, Equatable {
    public var file: String
    /// 1-based page (or image) number within its file.
    public var pageInFile: Int
    public var reading: PageReading
    /// The answer area as a JPEG file's bytes, to store with the batch (nil when not kept).
    public var answerImage: [UInt8]?

    public init(file: String, pageInFile: Int, reading: PageReading, answerImage: [UInt8]? = nil) {
        self.file = file
        self.pageInFile = pageInFile
        self.reading = reading
        self.answerImage = answerImage
    }
}

/// A page that could not be used, with where it is and why.
public struct RefusedPage: Sendable, Equatable {
    public var file: String
    public var page: Int
    public var reason: String

    public init(file: String, page: Int, reason: String) {
        self.file = file
        self.page = page
        self.reason = reason
    }
}

/// A whole printed sheet (*phiếu*), its pages put together by serial in printed order.
public struct ScannedSheet: Sendable, Equatable {
    public var serial: String
    public var questionnaire: String
    public var version: String
    public var pages: [ScannedPage]
    public var items: [ItemReading] { pages.flatMap(\.reading.items) }
    public var doubtful: [ItemReading] { items.filter { $0.doubt != nil } }
}

/// Puts scanned pages together into sheets by their serial: each sheet needs every one of its
/// pages exactly once, whatever order or file they came in. A sheet with a page missing or
/// twice is refused, every page of it named.
public enum SheetAssembler {
    public static func assemble(_ pages: [ScannedPage]) -> (sheets: [ScannedSheet], refused: [RefusedPage]) {
        var order: [String] = []
        var bySerial: [String: [ScannedPage]] = [:]
        for page in pages {
            let serial = page.reading.identity.serial
            if bySerial[serial] == nil { order.append(serial) }
            bySerial[serial, default: []].append(page)
        }
        var sheets: [ScannedSheet] = []
        var refused: [RefusedPage] = []
        for serial in order {
            let group = bySerial[serial]!
            let first = group[0].reading.identity
            let expected = first.pages
            var problems: [String] = []
            if group.contains(where: { $0.reading.identity.questionnaire != first.questionnaire || $0.reading.identity.version != first.version || $0.reading.identity.pages != expected }) {
                problems.append("its pages are of different questionnaire versions")
            }
            let numbers = group.map(\.reading.identity.page)
            let absent = (1...expected).filter { !numbers.contains($0) }
            if !absent.isEmpty {
                problems.append("page\(absent.count == 1 ? "" : "s") \(absent.map(String.init).joined(separator: ", ")) of \(expected) \(absent.count == 1 ? "is" : "are") missing")
            }
            let twice = Set(numbers.filter { n in numbers.filter { $0 == n }.count > 1 })
            if !twice.isEmpty {
                let places = group.filter { twice.contains($0.reading.identity.page) }.map { "\($0.file) page \($0.pageInFile)" }
                problems.append("page\(twice.count == 1 ? "" : "s") \(twice.sorted().map(String.init).joined(separator: ", ")) scanned more than once (\(places.joined(separator: ", ")))")
            }
            if problems.isEmpty {
                sheets.append(
                    ScannedSheet(serial: serial, questionnaire: first.questionnaire, version: first.version, pages: group.sorted { $0.reading.identity.page < $1.reading.identity.page }))
            } else {
                for page in group {
                    refused.append(RefusedPage(file: page.file, page: page.pageInFile, reason: "sheet \(serial) (its page \(page.reading.identity.page) of \(page.reading.identity.pages)) is not read: \(problems.joined(separator: "; "))"))
                }
            }
        }
        return (sheets, refused)
    }
}
