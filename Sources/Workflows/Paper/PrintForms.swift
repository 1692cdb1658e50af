import Foundation
import SIPASFormLayout
import SIPASFormPDF
import SIPASModel

/// The printed form's geometry for a questionnaire (`sipas form layout`).
public enum FormLayoutQuery {
    /// On slips, a form must fit on one: a longer one is refused, naming how many it would need.
    public static func run(questionnaire reference: String, paper: Paper = .a4, catalog: QuestionnaireCatalog = QuestionnaireCatalog()) throws -> (
        Questionnaire, FormLayout
    ) {
        let (q, yaml) = try catalog.loadWithText(reference)
        let layout = FormLayoutEngine(measurer: PangoText()).layout(q, contentHash: Hex.sha256(yaml), paper: paper)
        if paper == .slip, layout.pages.count > 1 {
            throw UserError("\(q.id) \(q.version) does not fit on a slip (it needs \(layout.pages.count) slips' room): slips are for short forms such as counter-quick; print it on A4 (without --slips)")
        }
        return (q, layout)
    }
}

/// Prints paper forms (*phiếu giấy*) of a questionnaire for a unit: `count` sheets, each with its
/// own serial `UNIT-YEAR-NNNN` (in its QR codes and printed), numbered from `first`
/// (`sipas form print`). The serial becomes the form id when the sheet is scanned.
public struct PrintForms {
    public var questionnaire: String
    public var unit: String
    public var year: Int
    public var count: Int
    public var first: Int
    public var out: String
    /// A4 pages, or slips four to an A4 page.
    public var paper: Paper

    /// Most sheets in one PDF (a print run of a whole survey is a few hundred).
    public static let maximumCount = 100_000

    public init(questionnaire: String, unit: String, year: Int, count: Int, first: Int = 1, out: String, paper: Paper = .a4) {
        self.paper = paper
        self.questionnaire = questionnaire
        self.unit = unit
        self.year = year
        self.count = count
        self.first = first
        self.out = out
    }

    public struct Result: Sendable {
        public var questionnaire: Questionnaire
        public var layout: FormLayout
        public var sheets: [PrintedSheet]
    }

    /// The serial of sheet `number`: `XA01-2026-0001` (four digits at least).
    public static func serial(unit: String, year: Int, number: Int) -> String {
        let digits = String(number)
        return "\(unit)-\(year)-\(String(repeating: "0", count: max(0, 4 - digits.count)))\(digits)"
    }

    public func validate() throws {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.")
        guard !unit.isEmpty, unit.count <= 32, unit.allSatisfy({ allowed.contains($0) }) else {
            throw UserError("unit code \"\(unit)\": expected 1 to 32 letters, digits, '_' or '.' (it is printed in every sheet's serial, e.g. XA01-2026-0001)")
        }
        guard (2000...2100).contains(year) else { throw UserError("year \(year): expected a year from 2000 to 2100") }
        guard (1...Self.maximumCount).contains(count) else {
            throw UserError("count \(count): expected 1 to \(Self.maximumCount) sheets")
        }
        guard first >= 1, first <= 99_999_999 - count else { throw UserError("first \(first): expected a sheet number from 1") }
        let folder = URL(fileURLWithPath: out).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw UserError("\(out): the folder \(folder) does not exist")
        }
    }

    public func run(catalog: QuestionnaireCatalog = QuestionnaireCatalog(), progress: (Int, Int) -> Void = { _, _ in }) throws -> Result {
        try validate()
        let (q, layout) = try FormLayoutQuery.run(questionnaire: questionnaire, paper: paper, catalog: catalog)
        let sheets = (first..<(first + count)).map { PrintedSheet(serial: Self.serial(unit: unit, year: year, number: $0), unit: unit, year: year) }
        do {
            try FormPDFWriter(layout: layout, title: q.title).write(sheets, to: out) { progress($0, sheets.count) }
        } catch let error as FormPDFError {
            throw UserError(error.description)
        }
        return Result(questionnaire: q, layout: layout, sheets: sheets)
    }
}
