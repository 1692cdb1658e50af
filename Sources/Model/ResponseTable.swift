/// A text column stored as small integer codes: 0 is blank, `k` is `levels[k - 1]`.
public struct Categorical: Sendable, Equatable {
    public private(set) var levels: [String] = []
    public private(set) var codes: [UInt32] = []
    private var lookup: [String: UInt32] = [:]

    public init() {}

    public init<S: Sequence>(_ values: S) where S.Element == String? {
        for v in values { append(v) }
    }

    public mutating func append(_ value: String?) {
        guard let value, !value.isEmpty else {
            codes.append(0)
            return
        }
        if let code = lookup[value] {
            codes.append(code)
        } else {
            levels.append(value)
            let code = UInt32(levels.count)
            lookup[value] = code
            codes.append(code)
        }
    }

    public subscript(row: Int) -> String? {
        let code = codes[row]
        return code == 0 ? nil : levels[Int(code) - 1]
    }

    public mutating func reserveCapacity(_ n: Int) { codes.reserveCapacity(n) }

    /// The code of a value, adding it as a level when new (0 for blank), without appending a row.
    public mutating func code(of value: String?) -> UInt32 {
        guard let value, !value.isEmpty else { return 0 }
        if let code = lookup[value] { return code }
        levels.append(value)
        let code = UInt32(levels.count)
        lookup[value] = code
        return code
    }

    /// Appends a row by code: 0 (blank) or a code ``code(of:)`` gave.
    public mutating func append(code: UInt32) {
        precondition(Int(code) <= levels.count, "unknown level code")
        codes.append(code)
    }

    /// Appends another column, remapping its level codes (no per-row hashing).
    public mutating func append(contentsOf other: Categorical) {
        var map = [UInt32](repeating: 0, count: other.levels.count + 1)
        for (k, level) in other.levels.enumerated() {
            if let code = lookup[level] {
                map[k + 1] = code
            } else {
                levels.append(level)
                let code = UInt32(levels.count)
                lookup[level] = code
                map[k + 1] = code
            }
        }
        codes.reserveCapacity(codes.count + other.codes.count)
        for c in other.codes { codes.append(map[Int(c)]) }
    }

    /// The given rows, with only the levels they use (in order of first appearance, as if appended
    /// one by one), remapping codes without hashing a value per row.
    public func subset(_ rows: [Int]) -> Categorical {
        var out = Categorical()
        out.codes.reserveCapacity(rows.count)
        // Old code → new code: a table when the rows may use many levels, a dictionary when few.
        let dense = rows.count * 8 >= levels.count
        var table = dense ? [UInt32](repeating: .max, count: levels.count + 1) : []
        var sparse: [UInt32: UInt32] = [:]
        codes.withUnsafeBufferPointer { c in
            for r in rows {
                let old = c[r]
                if old == 0 {
                    out.codes.append(0)
                    continue
                }
                if let new = dense ? (table[Int(old)] == .max ? nil : table[Int(old)]) : sparse[old] {
                    out.codes.append(new)
                    continue
                }
                let level = levels[Int(old) - 1]
                out.levels.append(level)
                let new = UInt32(out.levels.count)
                out.lookup[level] = new
                if dense { table[Int(old)] = new } else { sparse[old] = new }
                out.codes.append(new)
            }
        }
        return out
    }
}

/// Responses to one questionnaire, column by column (*phiếu* = row).
///
/// Coded items hold one byte per row (0 = blank, else the option code); multi-choice items a
/// bit set of picked codes; text and dossier items their text.
public struct ResponseTable: Sendable {
    /// Metadata columns every canonical data file carries, in order.
    public static let metadataColumns = ["form_id", "unit", "collected_on", "channel", "field"]

    public let questionnaire: Questionnaire
    public private(set) var count = 0
    public private(set) var formID: [String] = []
    /// Unit (*đơn vị*) code.
    public private(set) var unit = Categorical()
    /// ISO date YYYY-MM-DD, or nil.
    public private(set) var collectedOn: [String?] = []
    /// Channel (*kênh*): trực tiếp, trực tuyến, bưu chính.
    public private(set) var channel = Categorical()
    /// Field (*lĩnh vực*): đất đai, hộ tịch, …
    public private(set) var field = Categorical()
    /// Single, scale and yes-no items: one code per row, 0 when blank.
    public private(set) var codes: [String: [UInt8]] = [:]
    /// Multi-choice items: bit `c` set when code `c` was picked.
    public private(set) var picks: [String: [UInt64]] = [:]
    /// Text and dossier items.
    public private(set) var texts: [String: [String?]] = [:]

    public init(questionnaire: Questionnaire) {
        self.questionnaire = questionnaire
        for item in questionnaire.items {
            switch item.type {
            case .single, .scale, .yesNo: codes[item.id] = []
            case .multi: picks[item.id] = []
            case .text, .dossier: texts[item.id] = []
            }
        }
    }

    /// A table made of whole columns, taken as they are (no copy). Every column must have the same
    /// number of rows; a coded, multi-choice or text item missing from the dictionaries is blank.
    public init(
        questionnaire: Questionnaire, formID: [String], unit: Categorical, collectedOn: [String?],
        channel: Categorical, field: Categorical,
        codes newCodes: [String: [UInt8]], picks newPicks: [String: [UInt64]], texts newTexts: [String: [String?]]
    ) {
        let rows = formID.count
        precondition(unit.codes.count == rows && collectedOn.count == rows && channel.codes.count == rows && field.codes.count == rows,
                     "metadata columns of different lengths")
        self.init(questionnaire: questionnaire)
        self.formID = formID
        self.unit = unit
        self.collectedOn = collectedOn
        self.channel = channel
        self.field = field
        for key in Array(codes.keys) {
            let column = newCodes[key] ?? [UInt8](repeating: 0, count: rows)
            precondition(column.count == rows, "column \(key) has \(column.count) rows, not \(rows)")
            codes[key] = column
        }
        for key in Array(picks.keys) {
            let column = newPicks[key] ?? [UInt64](repeating: 0, count: rows)
            precondition(column.count == rows, "column \(key) has \(column.count) rows, not \(rows)")
            picks[key] = column
        }
        for key in Array(texts.keys) {
            let column = newTexts[key] ?? [String?](repeating: nil, count: rows)
            precondition(column.count == rows, "column \(key) has \(column.count) rows, not \(rows)")
            texts[key] = column
        }
        count = rows
    }

    /// One row's metadata.
    public struct Metadata: Sendable, Equatable {
        public var formID: String
        public var unit: String?
        public var collectedOn: String?
        public var channel: String?
        public var field: String?
        public init(formID: String, unit: String? = nil, collectedOn: String? = nil, channel: String? = nil, field: String? = nil) {
            self.formID = formID
            self.unit = unit
            self.collectedOn = collectedOn
            self.channel = channel
            self.field = field
        }
    }

    public mutating func reserveCapacity(_ n: Int) {
        formID.reserveCapacity(n)
        unit.reserveCapacity(n)
        collectedOn.reserveCapacity(n)
        channel.reserveCapacity(n)
        field.reserveCapacity(n)
        for key in Array(codes.keys) { codes[key]!.reserveCapacity(n) }
        for key in Array(picks.keys) { picks[key]!.reserveCapacity(n) }
    }

    /// Appends a row. Values must already be validated; an item absent from the dictionaries is blank.
    public mutating func append(
        _ meta: Metadata, codes rowCodes: [String: UInt8] = [:], picks rowPicks: [String: UInt64] = [:],
        texts rowTexts: [String: String] = [:]
    ) {
        formID.append(meta.formID)
        unit.append(meta.unit)
        collectedOn.append(meta.collectedOn)
        channel.append(meta.channel)
        field.append(meta.field)
        // Iterate over copies of the keys: a live `keys` view shares the dictionary's storage, which
        // would make every column append copy the whole column (quadratic over a file).
        for key in Array(codes.keys) { codes[key]!.append(rowCodes[key] ?? 0) }
        for key in Array(picks.keys) { picks[key]!.append(rowPicks[key] ?? 0) }
        for key in Array(texts.keys) { texts[key]!.append(rowTexts[key]) }
        count += 1
    }

    /// Appends whole columns at once (the fast path of readers). Every column must have `rows` entries.
    public mutating func append(
        rows: Int, formID newFormIDs: [String], unit newUnits: [String?], collectedOn newDates: [String?],
        channel newChannels: [String?], field newFields: [String?],
        codes newCodes: [String: [UInt8]], picks newPicks: [String: [UInt64]], texts newTexts: [String: [String?]]
    ) {
        formID += newFormIDs
        for u in newUnits { unit.append(u) }
        collectedOn += newDates
        for c in newChannels { channel.append(c) }
        for f in newFields { field.append(f) }
        for key in Array(codes.keys) { codes[key]! += newCodes[key] ?? [UInt8](repeating: 0, count: rows) }
        for key in Array(picks.keys) { picks[key]! += newPicks[key] ?? [UInt64](repeating: 0, count: rows) }
        for key in Array(texts.keys) { texts[key]! += newTexts[key] ?? [String?](repeating: nil, count: rows) }
        count += rows
    }

    /// The rows selected by `keep`, in order.
    public func filter(_ keep: (Int) -> Bool) -> ResponseTable {
        let rows = (0..<count).filter(keep)
        return select(rows)
    }

    /// The given rows, in the given order.
    public func select(_ rows: [Int]) -> ResponseTable {
        var out = ResponseTable(questionnaire: questionnaire)
        out.append(
            rows: rows.count, formID: rows.map { formID[$0] }, unit: rows.map { unit[$0] },
            collectedOn: rows.map { collectedOn[$0] }, channel: rows.map { channel[$0] },
            field: rows.map { field[$0] },
            codes: codes.mapValues { col in rows.map { col[$0] } },
            picks: picks.mapValues { col in rows.map { col[$0] } },
            texts: texts.mapValues { col in rows.map { col[$0] } })
        return out
    }

    /// The given rows of what analysis reads, the coded and multi-choice columns and the unit; form
    /// ids, dates, channel, field and text stay empty (the table is for analysis only).
    package func analysisSubset(_ rows: [Int]) -> ResponseTable {
        var out = ResponseTable(questionnaire: questionnaire)
        out.unit = unit.subset(rows)
        out.codes = codes.mapValues { column in
            column.withUnsafeBufferPointer { c in rows.map { c[$0] } }
        }
        out.picks = picks.mapValues { column in rows.map { column[$0] } }
        out.count = rows.count
        return out
    }

    /// ``analysisSubset(_:)`` of consecutive rows (copied, not gathered): for a table already
    /// ordered by the groups to analyse.
    package func analysisSlice(_ rows: Range<Int>) -> ResponseTable {
        var out = ResponseTable(questionnaire: questionnaire)
        out.unit = unit.subset(Array(rows))
        out.codes = codes.mapValues { Array($0[rows]) }
        out.picks = picks.mapValues { Array($0[rows]) }
        out.count = rows.count
        return out
    }

    /// Appends every row of another table of the same questionnaire.
    public mutating func append(contentsOf other: ResponseTable) {
        precondition(other.questionnaire.id == questionnaire.id, "tables of different questionnaires")
        formID += other.formID
        unit.append(contentsOf: other.unit)
        collectedOn += other.collectedOn
        channel.append(contentsOf: other.channel)
        field.append(contentsOf: other.field)
        for key in Array(codes.keys) { codes[key]! += other.codes[key] ?? [UInt8](repeating: 0, count: other.count) }
        for key in Array(picks.keys) { picks[key]! += other.picks[key] ?? [UInt64](repeating: 0, count: other.count) }
        for key in Array(texts.keys) { texts[key]! += other.texts[key] ?? [String?](repeating: nil, count: other.count) }
        count += other.count
    }
}
