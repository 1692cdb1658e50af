/// The names a person reads for the codes stored with each form: fields (*lĩnh vực*), channels
/// (*kênh*) and units (*đơn vị*). Use it wherever a code would otherwise reach a screen, a workbook
/// or a table: `labels.name(of: "dat-dai", in: .field)` is "Đất đai".
///
/// Codes stay what data files and stores hold (short, unaccented, stable); names can change. The
/// shipped ``catalogue`` names the usual fields and the three channels; a store's own names
/// (`sipas labels set`) and a report profile's `labels:` override it, in that order
/// (``overridden(by:)``). A code nobody named is shown as it is.
public struct Labels: Sendable, Equatable, Codable {
    /// What a code names.
    public enum Kind: String, Sendable, CaseIterable, Codable {
        /// *lĩnh vực*: the field of the administrative procedure (đất đai, hộ tịch, …).
        case field
        /// *kênh*: how the dossier was submitted (trực tiếp, trực tuyến, bưu chính công ích).
        case channel
        /// *đơn vị*: a commune, ward or office, by its code.
        case unit

        /// The Vietnamese word for the kind, as a column heading.
        public var title: String {
            switch self {
            case .field: "Lĩnh vực"
            case .channel: "Kênh"
            case .unit: "Đơn vị"
            }
        }
    }

    public var fields: [String: String]
    public var channels: [String: String]
    public var units: [String: String]

    public init(fields: [String: String] = [:], channels: [String: String] = [:], units: [String: String] = [:]) {
        self.fields = fields
        self.channels = channels
        self.units = units
    }

    /// Fields of the commune-level procedures (Bộ thủ tục hành chính cấp xã) and the three channels
    /// of Decree 61/2018 and 107/2021, with the codes sipas's generators, kiosk and examples use.
    public static let catalogue = Labels(
        fields: [
            "ho-tich": "Hộ tịch",
            "chung-thuc": "Chứng thực",
            "dat-dai": "Đất đai",
            "xay-dung": "Xây dựng",
            "dau-tu": "Đầu tư",
            "kinh-doanh": "Kinh doanh",
            "lao-dong": "Lao động – Thương binh và Xã hội",
            "bao-tro-xa-hoi": "Bảo trợ xã hội",
            "nguoi-co-cong": "Người có công",
            "tu-phap": "Tư pháp",
            "moi-truong": "Môi trường",
            "tai-nguyen": "Tài nguyên và Môi trường",
            "nong-nghiep": "Nông nghiệp",
            "giao-thong": "Giao thông vận tải",
            "giao-duc": "Giáo dục và Đào tạo",
            "y-te": "Y tế",
            "van-hoa": "Văn hóa, Thể thao và Du lịch",
            "noi-vu": "Nội vụ",
            "thi-dua-khen-thuong": "Thi đua, khen thưởng",
            "ton-giao": "Tín ngưỡng, tôn giáo",
            "tai-chinh": "Tài chính",
            "cong-thuong": "Công thương",
            "nuoi-con-nuoi": "Nuôi con nuôi",
            "quoc-tich": "Quốc tịch",
            "khieu-nai-to-cao": "Khiếu nại, tố cáo",
            "tiep-cong-dan": "Tiếp công dân",
            "phong-chong-thien-tai": "Phòng, chống thiên tai",
        ],
        channels: [
            "truc-tiep": "Trực tiếp",
            "truc-tuyen": "Trực tuyến",
            "buu-chinh": "Bưu chính công ích",
        ])

    /// The names of one kind.
    public subscript(kind: Kind) -> [String: String] {
        get {
            switch kind {
            case .field: fields
            case .channel: channels
            case .unit: units
            }
        }
        set {
            switch kind {
            case .field: fields = newValue
            case .channel: channels = newValue
            case .unit: units = newValue
            }
        }
    }

    /// The name given to `code`, or nil when nobody named it.
    public func label(of code: String, in kind: Kind) -> String? { self[kind][code] }

    /// The name to show for `code`: its label, or the code itself when it has none.
    public func name(of code: String, in kind: Kind) -> String { self[kind][code] ?? code }

    /// These names with `other`'s on top (a store's over the catalogue, a profile's over both).
    public func overridden(by other: Labels) -> Labels {
        var result = self
        for kind in Kind.allCases { result[kind].merge(other[kind]) { _, new in new } }
        return result
    }

    /// The kind a grouping key names (`field`, `channel`, `unit`), or nil for a questionnaire item.
    public static func kind(ofGrouping key: String) -> Kind? { Kind(rawValue: key) }
}
