import ArgumentParser
import Foundation
import SIPASFormLayout
import SIPASWorkflows

struct FormCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "form",
        abstract: "Print paper forms (phiếu giấy) to be read back by a scanner, and show their geometry.",
        subcommands: [FormPrintCommand.self, FormLayoutCommand.self, FormImagesCommand.self])
}

struct FormPrintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "print",
        abstract: "Write printable A4 forms as a PDF, each sheet with its own serial.",
        discussion: """
            Black and white, for an office laser printer (print both sides). Every page has four corner \
            squares and a QR code that say which form, version, sheet and page it is, so a scan can be \
            straightened and identified; the sheet's serial (UNIT-YEAR-NUMBER, e.g. XA01-2026-0001) is also \
            printed, and becomes the form id when the sheet is read back. Each answer is a round bubble with \
            its code beside it, so a form can still be typed in by hand (sipas template). The form asks no \
            name, phone or ID number; dossier items are not printed.

            With --slips, a short form (counter-quick) prints as A6 slips, four to an A4 page with grey dashed \
            lines to cut along, for a box at the counter. Each slip has its own corner squares, QR code and \
            serial: scan the slips cut or the A4 sheets uncut.

            Example: sipas form print --questionnaire sipas-2023 --unit XA01 --year 2026 --count 200 --out phieu.pdf
            Next batch: sipas form print --questionnaire sipas-2023 --unit XA01 --year 2026 --count 200 --first 201 --out phieu-2.pdf
            Slips: sipas form print --questionnaire counter-quick --slips --unit XA01 --year 2026 --count 400 --out phieu-quay.pdf
            """)

    @Option(help: "Questionnaire id or YAML file.")
    var questionnaire: String

    @Option(help: "Unit code, printed in every serial.")
    var unit: String

    @Option(help: "Survey year, printed in every serial (default: this year).")
    var year: Int = Calendar(identifier: .gregorian).component(.year, from: Date())

    @Option(help: "Number of sheets (forms) to print.")
    var count: Int

    @Option(help: "Number of the first sheet (to continue a series without repeating serials).")
    var first: Int = 1

    @Option(help: "Output .pdf file.")
    var out: String

    @Flag(help: "Print A6 slips, four to an A4 page (a form that fits on one slip, e.g. counter-quick).")
    var slips = false

    func run() throws {
        let job = PrintForms(questionnaire: questionnaire, unit: unit, year: year, count: count, first: first, out: out, paper: slips ? .slip : .a4)
        var progress = Progress()
        let result = try job.run { done, total in progress.update("Printing sheet \(done) of \(total)…", force: done == total) }
        progress.finish()
        let pages = result.layout.pages.count
        if slips {
            let sheets = (result.sheets.count + 3) / 4
            emit(
                "Wrote \(out): \(result.sheets.count) slip\(result.sheets.count == 1 ? "" : "s") of \(result.questionnaire.id) \(result.questionnaire.version), four to an A4 page (\(sheets) page\(sheets == 1 ? "" : "s") to cut), serials \(result.sheets.first!.serial) to \(result.sheets.last!.serial).")
            return
        }
        emit(
            "Wrote \(out): \(result.sheets.count) sheet\(result.sheets.count == 1 ? "" : "s") of \(result.questionnaire.id) \(result.questionnaire.version), \(pages) A4 page\(pages == 1 ? "" : "s") each (\(result.sheets.count * pages) in all), serials \(result.sheets.first!.serial) to \(result.sheets.last!.serial).")
    }
}

struct FormLayoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layout",
        abstract: "Show where the printed form puts its bubbles, text boxes, corner squares and QR codes.",
        discussion: """
            With --json, the geometry for other tools (the schema is in the README): every x_mm/y_mm is a \
            centre in millimetres from the page's top-left corner, exactly where `sipas form print` draws it.

            Example: sipas form layout --questionnaire sipas-2023 --json > layout.json
            """)

    @Option(help: "Questionnaire id or YAML file.")
    var questionnaire: String

    @Flag(help: "Print the geometry as JSON.")
    var json = false

    @Flag(help: "The geometry of one A6 slip (as `form print --slips` prints it), in mm from the slip's top left.")
    var slips = false

    func run() throws {
        let (q, layout) = try FormLayoutQuery.run(questionnaire: questionnaire, paper: slips ? .slip : .a4)
        if json {
            emit(try layout.json())
            return
        }
        if slips {
            emit("\(q.id) \(q.version): one A6 slip (105 × 148.5 mm, four to an A4 page), \(layout.markCount) bubbles")
            return
        }
        var lines = ["\(q.id) \(q.version): \(layout.pages.count) A4 pages (\(layout.pages.count / 2 + layout.pages.count % 2) sheets printed on both sides), \(layout.markCount) bubbles"]
        for page in layout.pages {
            let items = Set(page.marks.map(\.item)).union(page.textFields.map(\.item))
            lines.append("  page \(page.number): \(items.count) items, \(page.marks.count) bubbles, \(page.textFields.count) text boxes")
        }
        emit(lines.joined(separator: "\n"))
    }
}

struct FormImagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "images",
        abstract: "Write the scanned pages kept in the store (answer areas, for audit) as JPEG files.",
        discussion: """
            `sipas scan` stores, with each batch, every page's answer area: straightened, at 100 dpi, without \
            the header band or the margins. This writes them out, one file per form and page: \
            SERIAL-trang-N.jpg.

            Examples:
              sipas form images --out kiem-tra/
              sipas form images --serial XA01-2026-0017 --out kiem-tra/
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: "Only this form (its serial).")
    var serial: String?

    @Option(help: "Folder to write the JPEG files into (created if missing).")
    var out: String

    func run() throws {
        let written = try ExportPageImages(serial: serial, folder: out).run(from: try store.open())
        emit("Wrote \(written.count) page image\(written.count == 1 ? "" : "s") to \(out)\(serial.map { " (form \($0))" } ?? "").")
    }
}
