/// A calendar date written YYYY-MM-DD (ISO 8601), checked against the calendar: 2026-02-30 and
/// 2026-13-01 are not dates.
///
/// Use it wherever a date comes from a person or a file (CSV cells, templates, profiles, options),
/// so that every date anywhere is checked the same way.
public struct ISODate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// The date written as `text`, or nil when it is not exactly YYYY-MM-DD of a real day (years 0001–9999).
    public init?(_ text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        guard let (y, m, d) = utf8.withUnsafeBufferPointer({ Self.parse($0) }) else { return nil }
        year = y
        month = m
        day = d
    }

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1, day <= Self.days(inMonth: month, of: year) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Whether `bytes` (UTF-8) are a calendar-checked YYYY-MM-DD date; for readers that scan bytes.
    public static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { parse(bytes) != nil }

    /// Whether `text` is a calendar-checked YYYY-MM-DD date.
    public static func isValid(_ text: some StringProtocol) -> Bool { ISODate(text) != nil }

    static func parse(_ u: UnsafeBufferPointer<UInt8>) -> (Int, Int, Int)? {
        guard u.count == 10, u[4] == 0x2D, u[7] == 0x2D else { return nil }
        func digit(_ i: Int) -> Int? { (0x30...0x39).contains(u[i]) ? Int(u[i] - 0x30) : nil }
        guard let y0 = digit(0), let y1 = digit(1), let y2 = digit(2), let y3 = digit(3), let m0 = digit(5), let m1 = digit(6),
              let d0 = digit(8), let d1 = digit(9) else { return nil }
        let y = y0 * 1000 + y1 * 100 + y2 * 10 + y3, m = m0 * 10 + m1, d = d0 * 10 + d1
        guard y >= 1, (1...12).contains(m), d >= 1, d <= days(inMonth: m, of: y) else { return nil }
        return (y, m, d)
    }

    public static func days(inMonth month: Int, of year: Int) -> Int {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }

    /// "2026-03-31".
    public var description: String {
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// "31/03/2026", as Vietnamese documents write dates.
    public var vietnamese: String {
        let s = description
        return "\(s.suffix(2))/\(s.dropFirst(5).prefix(2))/\(s.prefix(4))"
    }

    public static func < (a: ISODate, b: ISODate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }
}
