import Foundation
import SIPASCSV
import SIPASModel

/// The one rule for duplicate forms, as the store's unique index has it: a form (unit, form id,
/// year of collection) of a questionnaire is counted once.
///
/// Use it wherever forms from files are put together without the store (analysis of CSV files);
/// the store's import applies the same rule through its index.
public enum DuplicateForms {
    /// A form seen twice: where it first appeared and where again (part and record index).
    public struct Repeat: Sendable, Equatable {
        public var formID: String
        public var unit: String
        public var year: String
        public var first: (part: Int, record: Int)
        public var again: (part: Int, record: Int)

        public static func == (a: Repeat, b: Repeat) -> Bool {
            a.formID == b.formID && a.unit == b.unit && a.year == b.year && a.first == b.first && a.again == b.again
        }
    }

    /// The repeats across `parts` (tables of one questionnaire), the first `limit` and how many in all.
    ///
    /// An open-addressing table of 64-bit FNV-1a hashes of (unit, year, form id): a million forms
    /// take a few milliseconds where a `Set` of string pairs (SipHash) took a tenth of the analysis.
    /// Keys are compared in full when hashes meet.
    public static func find(_ parts: [ResponseTable], limit: Int = 20) -> (repeats: [Repeat], total: Int) {
        let total = parts.reduce(0) { $0 + $1.count }
        var capacity = 16
        while capacity < 2 * total { capacity <<= 1 }
        let mask = capacity - 1
        // A slot's hash and entry side by side: one cache miss per probe, not two.
        var slots = [Slot](repeating: Slot(hash: 0, entry: -1), count: capacity)
        // First occurrence of each key: part, row, the unit's number across all parts and the year.
        var entries: [(part: Int32, row: Int32, unit: UInt32, year: UInt64)] = []
        entries.reserveCapacity(total)
        var unitNumbers: [String: UInt32] = [:]
        var repeats: [Repeat] = []
        var count = 0
        for (p, part) in parts.enumerated() {
            // Unit level codes of this part → numbers shared by all parts (0 = no unit).
            let unitMap: [UInt32] = [0] + part.unit.levels.map { level in
                if let u = unitNumbers[level] { return u }
                let u = UInt32(unitNumbers.count + 1)
                unitNumbers[level] = u
                return u
            }
            for i in 0..<part.count {
                let unit = unitMap[Int(part.unit.codes[i])]
                let year = yearKey(part.collectedOn[i])
                var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ (UInt64(unit) &* 0x9E37_79B9_7F4A_7C15) ^ (year &* 0xC2B2_AE3D_27D4_EB4F)
                var id = part.formID[i]
                id.withUTF8 { bytes in
                    for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
                }
                h ^= h >> 33
                h &*= 0xff51_afd7_ed55_8ccd
                h ^= h >> 33
                var slot = Int(truncatingIfNeeded: h) & mask
                while true {
                    let here = slots[slot]
                    if here.entry < 0 {
                        slots[slot] = Slot(hash: h, entry: Int32(entries.count))
                        entries.append((Int32(p), Int32(i), unit, year))
                        break
                    }
                    if here.hash == h, case let first = entries[Int(here.entry)], first.unit == unit, first.year == year,
                       parts[Int(first.part)].formID[Int(first.row)] == id
                    {
                        count += 1
                        if repeats.count < limit {
                            let year = part.collectedOn[i].map { String($0.prefix(4)) } ?? ""
                            repeats.append(Repeat(
                                formID: id, unit: part.unit[i] ?? "", year: year, first: (Int(first.part), Int(first.row)), again: (p, i)))
                        }
                        break
                    }
                    slot = (slot + 1) & mask
                }
            }
        }
        return (repeats, count)
    }

    struct Slot {
        var hash: UInt64
        var entry: Int32
    }

    /// The year of collection as a number that is equal exactly when the dates' first four bytes
    /// are: those bytes and how many there are (0 for a blank date). Read in place: a String or a
    /// generic prefix per row cost as much as the rest of the check on a million forms.
    @inline(__always)
    static func yearKey(_ date: String?) -> UInt64 {
        guard let date else { return 0 }
        if let key = date.utf8.withContiguousStorageIfAvailable({ packed($0) }) { return key }
        return packed(Array(date.utf8))
    }

    @inline(__always)
    static func packed<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8, C.Index == Int {
        let n = min(4, bytes.count)
        var key = UInt64(n + 1) << 32
        for k in 0..<n { key |= UInt64(bytes[bytes.startIndex + k]) << (8 * UInt64(k)) }
        return key
    }

    /// The refusal for repeats found in CSV files `paths` (one part each), with the file rows of both
    /// copies (read again only now, so that blank lines are counted as the file shows them).
    public static func refusal(_ found: (repeats: [Repeat], total: Int), paths: [String], questionnaire q: Questionnaire) -> String {
        var rowsOf: [Int: [Int]] = [:]
        func row(_ part: Int, _ record: Int) -> String {
            if rowsOf[part] == nil {
                var rows: [Int] = []
                try? CanonicalCSVReader(questionnaire: q).forEachPiece(contentsOf: URL(fileURLWithPath: paths[part])) { _, r in rows += r }
                rowsOf[part] = rows
            }
            return rowsOf[part].flatMap { record < $0.count ? String($0[record]) : nil } ?? "?"
        }
        var lines = found.repeats.map { r in
            let year = r.year.isEmpty ? "" : " in \(r.year)"
            return "\(paths[r.again.part]), row \(row(r.again.part, r.again.record)): form id '\(r.formID)' of unit '\(r.unit)'\(year) already appears at \(paths[r.first.part]), row \(row(r.first.part, r.first.record))"
        }
        if found.total > lines.count { lines.append("… and \(found.total - lines.count) more duplicates") }
        return (lines + ["A form must be counted once: remove the duplicate rows and run again."]).joined(separator: "\n")
    }
}
