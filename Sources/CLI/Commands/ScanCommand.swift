import ArgumentParser
import Foundation
import SIPASHTTP
import SIPASModel
import SIPASOMR
import SIPASScanInput
import SIPASScanReview
import SIPASWorkflows

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Read scanned paper forms (printed by `sipas form print`): marks in the bubbles, by sheet.",
        discussion: """
            Reads what office scanners write: multi-page PDF, TIFF, PNG or JPEG; 150–600 dpi; grey, colour or \
            black and white; pages in any order, upside down or a little skewed. Each page is identified by its \
            QR code and straightened by its four corner squares; each bubble is measured against the paper \
            around it and read as marked, empty or doubtful (a light, partial or erased mark, a tick or a cross, two marks on a \
            one-answer question, a circled code). Pages are put together into sheets by their serial; a sheet with a page \
            missing is refused, with file and page. Counter slips (sipas form print --slips) are read cut, one \
            to an image, or uncut, four to an A4 image: each slip is found round its own QR code.

            The exit status is 1 when a page or file was refused (each is listed, with the reason).

            Without --dry-run the sheets are stored through the import engine, all or nothing: every page \
            must have been read and every doubtful mark decided by a person: --review web serves a page on \
            this computer (its address, with a token, is printed: open it in a browser; digit = choose, \
            0 = blank, Enter = next, then Enter stores the sheets); --review terminal asks at the terminal. \
            Each sheet is a paper form whose id is its serial; a serial or a file stored before is refused. \
            Each page's answer area is kept with its batch, for audit (sipas form images writes them out).

            Examples:
              sipas scan --dry-run --json scan-2026-03-01.pdf > doc.json
              sipas scan --review web --collected-on 2026-03-01 scan-2026-03-01.pdf
              sipas scan --review terminal --collected-on 2026-03-01 scan-2026-03-01.pdf
            """)

    @Argument(help: "Scanned files (PDF, TIFF, PNG, JPEG).")
    var files: [String]

    @OptionGroup var store: StoreOptions

    @Flag(help: "Read and check only; store nothing.")
    var dryRun = false

    @Flag(help: "Print what was read as JSON (schema in the README).")
    var json = false

    @Option(help: "How a person decides the doubtful marks before anything is stored: web (a page in the browser with the cropped scan, driven by the keyboard) or terminal (the question and its choices, the crop written to a PNG, the code typed).")
    var review: ReviewMode?

    @Option(help: "With --review web: the port on 127.0.0.1 (default: any free port; the address is printed).")
    var port: Int = 0

    @Option(help: "The day the forms were collected (YYYY-MM-DD; default today). Its year must be the year printed in the serials.")
    var collectedOn: String?

    @Option(help: "Who imports (recorded with the batch).")
    var importedBy: String?

    enum ReviewMode: String, ExpressibleByArgument, CaseIterable {
        case web, terminal
    }

    func validate() throws {
        if json && review != nil { throw ValidationError("--json prints what was read; review needs a person at the terminal: use one or the other") }
        if !(0...65535).contains(port) { throw ValidationError("--port \(port): expected 0 to 65535") }
        if port != 0 && review != .web { throw ValidationError("--port is for --review web") }
        if let collectedOn, ISODate(collectedOn) == nil { throw ValidationError("--collected-on \(collectedOn): expected a date YYYY-MM-DD") }
    }

    func run() throws {
        var progress = Progress()
        let outcome = try ScanForms(files: files, keepsCrops: review != nil, keepsPageImages: !dryRun).run { progress.update("Reading page \($0)…") }
        progress.finish()
        if json {
            emit(try outcome.json())
            if !outcome.refused.isEmpty { throw ExitCode(1) }
            if dryRun { return }
        } else {
            emit(summary(outcome))
        }
        if dryRun {
            if !outcome.refused.isEmpty { throw ExitCode(1) }
            return
        }
        let day = collectedOn ?? {
            let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone.current, from: Date())
            return String(format: "%04d-%02d-%02d", c.year ?? 2000, c.month ?? 1, c.day ?? 1)
        }()
        let store = self.store, importedBy = self.importedBy
        /// Stores the sheets; what was stored, in English (the terminal) and Vietnamese (the review page).
        @Sendable func save(_ decisions: [String: [String: ItemReading.Answer]]) throws -> (english: String, vietnamese: String) {
            let stored = try ImportScans(outcome: outcome, decisions: decisions, collectedOn: day, importedBy: importedBy).run(into: try store.open(create: true))
            let forms = stored.reduce(0) { $0 + $1.forms }
            let files = stored.map { "\($0.file) \($0.forms)" }.joined(separator: ", ")
            return (
                "Stored \(forms) form\(forms == 1 ? "" : "s") (dated \(day)) in \(store.resolvedPath): \(files).",
                "Đã lưu \(forms) phiếu (ngày \(day)) vào kho \(store.resolvedPath): \(files)."
            )
        }
        let doubtful = outcome.sheets.reduce(0) { $0 + $1.doubtful.count }
        if review == .web, outcome.refused.isEmpty, doubtful > 0 {
            let book = ReviewBook(items: try ReviewQueue.items(outcome))
            let token = WebReview.newToken()
            let english = LockedBox<String?>(nil)
            let web = WebReview(book: book, port: port, token: token) { decisions in
                do {
                    let saved = try save(decisions)
                    english.value = saved.english
                    return .success(saved.vietnamese)
                } catch {
                    return .failure(UserFacingError("\(error)"))
                }
            }
            let state = try web.serveBlocking { port in
                emit("Xem lại \(doubtful) dấu chưa rõ trong trình duyệt / review \(doubtful) doubtful mark\(doubtful == 1 ? "" : "s") in a browser:\n  http://\(WebReview.host):\(port)/?token=\(token)")
            }
            switch state {
            case .stored(let message): emit(english.value ?? message)
            case .refused(let message): throw UserError(message)
            case .open: throw UserError("the review was stopped before the sheets were stored; nothing was stored")
            }
            return
        }
        var decisions: [String: [String: ItemReading.Answer]] = [:]
        if review == .terminal, outcome.refused.isEmpty {
            decisions = try TerminalReview(outcome: outcome).run()
        }
        emit(try save(decisions).english)
    }

    func summary(_ outcome: ScanForms.Outcome) -> String {
        var lines: [String] = []
        let doubtful = outcome.sheets.reduce(0) { $0 + $1.doubtful.count }
        lines.append("\(outcome.pagesRead) page\(outcome.pagesRead == 1 ? "" : "s") read: \(outcome.sheets.count) sheet\(outcome.sheets.count == 1 ? "" : "s"), \(doubtful) doubtful mark\(doubtful == 1 ? "" : "s") for a person to look at, \(outcome.refused.count) page\(outcome.refused.count == 1 ? "" : "s") refused.")
        for sheet in outcome.sheets {
            let q = outcome.questionnaires["\(sheet.questionnaire) \(sheet.version)"]
            let answered = sheet.items.filter { if case .blank = $0.answer { return false } else { return $0.doubt == nil } }.count
            lines.append("  \(sheet.serial): \(answered) of \(sheet.items.count) questions answered\(sheet.doubtful.isEmpty ? "" : ", doubtful:")")
            for item in sheet.doubtful {
                let label = q?.item(item.item).map { ($0.number.map { "Câu \($0) " } ?? "") + $0.text } ?? item.item
                lines.append("      page \(item.page), \(label): \(item.doubt?.description ?? "") (codes \(item.candidates.map(String.init).joined(separator: ", ")))")
            }
        }
        for page in outcome.refused {
            lines.append("  refused: \(page.file)\(page.page > 0 ? " page \(page.page)" : ""): \(page.reason)")
        }
        return lines.joined(separator: "\n")
    }
}

/// Asks a person, at the terminal, about each doubtful mark: the question and its choices, the
/// cropped scan written to a PNG it names, and a line to type the code (0 = blank).
struct TerminalReview {
    let outcome: ScanForms.Outcome

    func run() throws -> [String: [String: ItemReading.Answer]] {
        let items = try ReviewQueue.items(outcome)
        let total = items.count
        guard total > 0 else { return [:] }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sipas-review-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var decisions: [String: [String: ItemReading.Answer]] = [:]
        emit("\(total) dấu cần xem lại. Gõ mã rồi Enter (câu chọn nhiều: các mã cách nhau bằng dấu phẩy; 0 = để trống).\n\(total) doubtful mark\(total == 1 ? "" : "s") to decide: type the code and Enter (several codes with commas for a multi-choice question; 0 = blank).")
        for (done, item) in items.enumerated() {
            var lines = ["", "[\(done + 1)/\(total)] Phiếu \(item.serial), trang \(item.page) — \(item.reason.vietnamese)"]
            lines.append("  " + (item.number.map { "Câu \($0). " } ?? "") + item.text + (item.multi ? " (chọn một hay nhiều\(item.maxPicks.map { ", tối đa \($0)" } ?? ""))" : ""))
            for choice in item.choices {
                lines.append("    \(choice.code)  \(choice.label)\(item.candidates.contains(choice.code) ? "   ← có dấu" : "")")
            }
            if !item.png.isEmpty {
                let path = folder.appendingPathComponent("\(item.serial)-\(item.item).png").path
                try Data(item.png).write(to: URL(fileURLWithPath: path))
                lines.append("  Ảnh quét: \(path)")
            }
            emit(lines.joined(separator: "\n"))
            decisions[item.serial, default: [:]][item.item] = try ask(item)
        }
        return decisions
    }

    func ask(_ item: ReviewItem) throws -> ItemReading.Answer {
        let valid = item.choices.map(\.code)
        while true {
            write("  Mã: ", to: .standardOutput)
            guard let line = readLine() else { throw UserError("the review was stopped before every doubtful mark was decided; nothing was stored") }
            let words = line.split(whereSeparator: { $0 == "," || $0 == " " })
            let codes = words.compactMap { Int($0) }
            if codes == [0] { return .blank }
            if !codes.isEmpty, codes.count == words.count {
                let answer = item.answer(for: codes)
                if item.accepts(answer) { return answer }
            }
            let limit = item.maxPicks.map { ", tối đa \($0) mã" } ?? ""
            emit("  Nhập \(item.multi ? "một hay nhiều mã\(limit)" : "một mã") trong \(valid.map(String.init).joined(separator: ", ")), hoặc 0 nếu để trống. (Expected \(item.multi ? "one or more codes" : "one code") of \(valid.map(String.init).joined(separator: ", ")), or 0 for blank.)")
        }
    }
}
