/// Ids and codes (form id, unit, field, channel) are one line of printable text. A control
/// character in one (NUL, a tab, a line break) is refused where the value is read, naming the
/// file, row and column: PostgreSQL cannot store NUL at all, and no printed form has the others.
public enum CodeText {
    public static func hasControlCharacter(_ s: some StringProtocol) -> Bool { s.utf8.contains { $0 < 0x20 || $0 == 0x7F } }

    public static let expected = "an id or code without control characters (NUL, tab, line break)"

    /// The value as an error shows it: each control character as `\u{…}`.
    public static func shown(_ s: some StringProtocol) -> String {
        s.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
    }
}
