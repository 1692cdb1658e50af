/// One problem found in something a person made: a questionnaire, profile or kiosk file (named by
/// file and line), or a data file (named by file, sheet, row and column, with the value found).
///
/// Use it for every input sipas refuses, so that every message reads the same way:
/// `file:line, sheet S, row R, column C: 'value': [subject] what was expected`.
public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// Line in a text file (YAML), 1-based.
    public var line: Int?
    public var sheet: String?
    /// Spreadsheet-style row number: the header is row 1.
    public var row: Int?
    public var column: String?
    /// The item, scale, index or target the problem is about.
    public var subject: String?
    /// The value found, when there is one to show.
    public var value: String?
    /// What is wrong, or what was expected.
    public var message: String

    public init(file: String, line: Int? = nil, sheet: String? = nil, row: Int? = nil, column: String? = nil,
                subject: String? = nil, value: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.sheet = sheet
        self.row = row
        self.column = column
        self.subject = subject
        self.value = value
        self.message = message
    }

    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        if let sheet { s += ", sheet \(sheet)" }
        if let row { s += ", row \(row)" }
        if let column { s += ", column \(column)" }
        if let value { s += ": '\(value.count > 60 ? String(value.prefix(60)) + "…" : value)'" }
        s += ": "
        if let subject { s += "[\(subject)] " }
        return s + message
    }
}

/// Every problem found in an input (up to a listing limit); when thrown, nothing was read or written.
public struct Problems: Error, Sendable, Equatable, CustomStringConvertible {
    public var list: [Problem]
    /// Problems found in all, including those past the listing limit.
    public var total: Int
    /// A closing line telling the person what happened and what to do, e.g. "Nothing was imported".
    public var conclusion: String?

    public init(_ list: [Problem], total: Int? = nil, conclusion: String? = nil) {
        self.list = list
        self.total = total ?? list.count
        self.conclusion = conclusion
    }

    public var description: String {
        var lines = list.map(\.description)
        if total > list.count { lines.append("… and \(total - list.count) more problems") }
        if let conclusion { lines.append(conclusion) }
        return lines.joined(separator: "\n")
    }
}
