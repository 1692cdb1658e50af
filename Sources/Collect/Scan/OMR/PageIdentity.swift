/// What a printed page's QR code says (see `FormLayout.qrPayload`): which questionnaire version,
/// which sheet and which page.
public struct PageIdentity: Sendable, Equatable, Hashable {
    public var questionnaire: String
    public var version: String
    /// The first 16 hex characters of the questionnaire's SHA-256.
    public var hashPrefix: String
    public var serial: String
    public var page: Int
    public var pages: Int
    /// Whether the page is an A6 slip (printed four to an A4 sheet).
    public var slip: Bool

    public init(questionnaire: String, version: String, hashPrefix: String, serial: String, page: Int, pages: Int, slip: Bool = false) {
        self.slip = slip
        self.questionnaire = questionnaire
        self.version = version
        self.hashPrefix = hashPrefix
        self.serial = serial
        self.page = page
        self.pages = pages
    }

    /// Parses `SIPAS1|id|version|hash16|serial|page/pages`, or a slip's with `|A6` after it; nil
    /// for anything else.
    public init?(payload: String) {
        let fields = payload.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 6 || (fields.count == 7 && fields[6] == "A6"), fields[0] == "SIPAS1" else { return nil }
        let pageFields = fields[5].split(separator: "/")
        guard pageFields.count == 2, let page = Int(pageFields[0]), let pages = Int(pageFields[1]), pages >= 1, pages <= 100, (1...pages).contains(page),
            !fields[1].isEmpty, !fields[2].isEmpty, fields[3].count == 16, !fields[4].isEmpty
        else { return nil }
        self.init(questionnaire: fields[1], version: fields[2], hashPrefix: fields[3], serial: fields[4], page: page, pages: pages, slip: fields.count == 7)
    }
}

/// A QR code found on an image (zbar), with its corners in image pixels.
public struct QRSymbol: Sendable, Equatable {
    public var payload: String
    public var corners: [Point]

    public init(payload: String, corners: [Point]) {
        self.payload = payload
        self.corners = corners
    }

    public var centre: Point {
        guard !corners.isEmpty else { return Point(x: 0, y: 0) }
        return Point(x: corners.map(\.x).reduce(0, +) / Double(corners.count), y: corners.map(\.y).reduce(0, +) / Double(corners.count))
    }
}
