/// The guard against spreadsheet formula injection in exported CSV (OWASP, "CSV Injection"): a cell
/// that begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe, so a
/// spreadsheet shows it as text instead of running it.
///
/// The export writes it and the import undoes exactly it, so export → import gives back every
/// text unchanged. A cell that already begins with apostrophes before such a character gets one
/// more, so that text beginning with `'=` survives too.
enum FormulaGuard {
    static let apostrophe = UInt8(ascii: "'")

    static func isTrigger(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "=") || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") || b == UInt8(ascii: "@") || b == 9 || b == 13
    }

    /// Whether the cell's bytes need the guard: apostrophes (possibly none), then a trigger.
    static func needed<C: Collection>(_ utf8: C) -> Bool where C.Element == UInt8 {
        for b in utf8 where b != apostrophe { return isTrigger(b) }
        return false
    }

    /// The text as written before the export guarded it.
    static func undo(_ s: String) -> String {
        guard s.utf8.first == apostrophe, needed(s.utf8.dropFirst()) else { return s }
        return String(s.dropFirst())
    }
}
