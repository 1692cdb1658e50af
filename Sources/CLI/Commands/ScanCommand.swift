import ArgumentParser
import Foundation
import SIPASWorkflows

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Read scanned paper forms (printed by `sipas form print`): marks in the bubbles, by sheet.",
        discussion: """
            Reads what office scanners write: multi-page PDF, TIFF, PNG or JPEG; 150–600 dpi; grey, colour or \
            black and white; pages in any order, upside down or a little skewed. Each page is identified by its \
            QR code and straightened by its four corner squares; each bubble is measured against the paper \
            around it and read as marked, empty or doubtful (a light or partial mark, two marks on a \
            one-answer question). Pages are put together into sheets by their serial; a sheet with a page \
            missing is refused, with file and page.

            The exit status is 1 when a page or file was refused (each is listed, with the reason).

            Nothing is stored yet: --dry-run shows what was read. Review of doubtful marks and the import \
            itself come next.

            Example: sipas scan --dry-run --json scan-2026-03-01.pdf > doc.json
            """)

    @Argument(help: "Scanned files (PDF, TIFF, PNG, JPEG).")
    var files: [String]

    @Flag(help: "Read and report only; store nothing.")
    var dryRun = false

    @Flag(help: "Print what was read as JSON (schema in the README).")
    var json = false

    func validate() throws {
        guard dryRun else {
            throw ValidationError("storing scanned sheets is not available yet: run with --dry-run to read and check them")
        }
    }

    func run() throws {
        var progress = Progress()
        let outcome = try ScanForms(files: files).run { progress.update("Reading page \($0)…") }
        progress.finish()
        if json {
            emit(try outcome.json())
            if !outcome.refused.isEmpty { throw ExitCode(1) }
            return
        }
        var lines: [String] = []
        let doubtful = outcome.sheets.reduce(0) { $0 + $1.doubtful.count }
        lines.append("\(outcome.pagesRead) page\(outcome.pagesRead == 1 ? "" : "s") read: \(outcome.sheets.count) sheet\(outcome.sheets.count == 1 ? "" : "s"), \(doubtful) doubtful mark\(doubtful == 1 ? "" : "s") for a person to look at, \(outcome.refused.count) page\(outcome.refused.count == 1 ? "" : "s") refused.")
        for sheet in outcome.sheets {
            let q = outcome.questionnaires["\(sheet.questionnaire) \(sheet.version)"]
            let answered = sheet.items.filter { if case .blank = $0.answer { return false } else { return $0.doubt == nil } }.count
            lines.append("  \(sheet.serial): \(answered) of \(sheet.items.count) questions answered\(sheet.doubtful.isEmpty ? "" : ", doubtful:")")
            for item in sheet.doubtful {
                let label = q?.item(item.item).map { ($0.number.map { "Câu \($0) " } ?? "") + $0.text } ?? item.item
                lines.append("      page \(item.page), \(label): \(item.doubt ?? "") (codes \(item.candidates.map(String.init).joined(separator: ", ")))")
            }
        }
        for page in outcome.refused {
            lines.append("  refused: \(page.file)\(page.page > 0 ? " page \(page.page)" : ""): \(page.reason)")
        }
        emit(lines.joined(separator: "\n"))
        if !outcome.refused.isEmpty { throw ExitCode(1) }
    }
}
