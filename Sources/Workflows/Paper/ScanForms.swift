import Foundation
import SIPASFormLayout
import SIPASFormPDF
import SIPASModel
import SIPASOMR
import SIPASScanInput

/// Reads scanned printed forms (`sipas scan`): every page of every file is identified by its
/// QR code, straightened by its corner squares and its bubbles measured; pages are put together
/// into sheets by serial. Nothing is stored: the outcome says, sheet by sheet, what was read
/// and which marks a person must look at, and which pages were refused and why.
public struct ScanForms {
    public var files: [String]
    public var catalog: QuestionnaireCatalog
    /// Keep a crop of the scan around each doubtful mark, for a person to review.
    public var keepsCrops: Bool
    /// Keep each page's answer area as JPEG, to store with the batch (for audit).
    public var keepsPageImages: Bool

    public init(files: [String], catalog: QuestionnaireCatalog = QuestionnaireCatalog(), keepsCrops: Bool = true, keepsPageImages: Bool = false) {
        self.files = files
        self.catalog = catalog
        self.keepsCrops = keepsCrops
        self.keepsPageImages = keepsPageImages
    }

    public struct Outcome: Sendable {
        public var sheets: [ScannedSheet]
        public var refused: [RefusedPage]
        /// Questionnaires of the sheets, by "id version".
        public var questionnaires: [String: Questionnaire]
        /// Their YAML texts, by "id version" (stored with the responses).
        public var yamls: [String: String]
        public var pagesRead: Int
    }

    /// A questionnaire version the catalogue knows, with its layout.
    struct Form {
        var questionnaire: Questionnaire
        var yaml: String
        var layout: FormLayout
        var reader: PageReader
    }

    public func run(progress: (Int) -> Void = { _ in }) throws -> Outcome {
        guard !files.isEmpty else { throw UserError("no scan files given: name PDF, TIFF, PNG or JPEG files of scanned forms") }
        var forms: [String: Form] = [:]
        var unknown: [String: String] = [:]
        var pages: [ScannedPage] = []
        var refused: [RefusedPage] = []
        var read = 0
        let measurer = PangoText()
        // The catalogue's questionnaires, read once, when the first page is identified.
        var catalogue: [(Questionnaire, String)]?

        func form(for identity: PageIdentity) -> Result<Form, RefusalReason> {
            let key = "\(identity.questionnaire)|\(identity.version)|\(identity.hashPrefix)|\(identity.slip ? "A6" : "A4")"
            if let form = forms[key] { return .success(form) }
            if let reason = unknown[key] { return .failure(RefusalReason(text: reason)) }
            let candidates = catalogue ?? catalog.available().compactMap { entry in try? catalog.loadWithText(entry.url.path) }
            catalogue = candidates
            if let (q, yaml) = candidates.first(where: { $0.0.id == identity.questionnaire && $0.0.version == identity.version && Hex.sha256($0.1).hasPrefix(identity.hashPrefix) }) {
                let layout = FormLayoutEngine(measurer: measurer).layout(q, contentHash: Hex.sha256(yaml), paper: identity.slip ? .slip : .a4)
                guard layout.pages.count == identity.pages else {
                    let reason = "the page says its form has \(identity.pages) pages, but \(q.id) \(q.version) prints on \(layout.pages.count)"
                    unknown[key] = reason
                    return .failure(RefusalReason(text: reason))
                }
                // The blank form as printed, page by page: ink on a scan elsewhere is the respondent's.
                var reader = PageReader(questionnaire: q, layout: layout, printedInk: FormPDFWriter(layout: layout, title: q.title).printedInk())
                reader.keepsCrops = keepsCrops
                reader.keepsAnswerArea = keepsPageImages
                let made = Form(questionnaire: q, yaml: yaml, layout: layout, reader: reader)
                forms[key] = made
                return .success(made)
            }
            let same = candidates.filter { $0.0.id == identity.questionnaire }.map { "\($0.0.version) (hash \(Hex.sha256($0.1).prefix(16)))" }
            let reason =
                same.isEmpty
                ? "the page is of questionnaire \(identity.questionnaire), which is not known here"
                : "the page is of \(identity.questionnaire) \(identity.version) (hash \(identity.hashPrefix)), but the questionnaire known here is \(identity.questionnaire) \(same.joined(separator: ", ")): scan it where that version is installed"
            unknown[key] = reason
            return .failure(RefusalReason(text: reason))
        }

        for file in files {
            do {
                try ScanFiles.forEachPage(file) { number, image in
                    read += 1
                    progress(read)
                    switch image {
                    case .failure(let error):
                        refused.append(RefusedPage(file: file, page: number, reason: error.description))
                    case .success(let image):
                        let symbols = QRReader.symbols(in: image)
                        let identified = symbols.compactMap { s in PageIdentity(payload: s.payload).map { ($0, s) } }
                        guard !identified.isEmpty else {
                            let reason = symbols.isEmpty
                                ? "no QR code found: not a page of a printed sipas form, or scanned too faint or too small (150 dpi or more)"
                                : "its QR code is not a sipas form's (\(symbols[0].payload.prefix(40)))"
                            refused.append(RefusedPage(file: file, page: number, reason: reason))
                            return
                        }
                        // A page of a form, or up to four slips (a sheet of them uncut): each read on its own.
                        let slips = identified.filter { $0.0.slip }
                        for (identity, symbol) in slips.isEmpty ? [identified[0]] : slips {
                            switch form(for: identity) {
                            case .failure(let reason):
                                refused.append(RefusedPage(file: file, page: number, reason: slips.isEmpty ? reason.text : "slip \(identity.serial): \(reason.text)"))
                            case .success(let form):
                                do {
                                    var reading = try form.reader.read(image, identity: identity, qr: symbol)
                                    let jpeg = try reading.answerArea.map { try PNGFile.encodeJPEG($0) }
                                    reading.answerArea = nil  // kept as JPEG only
                                    pages.append(ScannedPage(file: file, pageInFile: number, reading: reading, answerImage: jpeg))
                                } catch {
                                    refused.append(RefusedPage(file: file, page: number, reason: "\(error)"))
                                }
                            }
                        }
                    }
                }
            } catch let error as ScanInputError {
                refused.append(RefusedPage(file: file, page: 0, reason: error.description))
            }
        }
        let (sheets, unassembled) = SheetAssembler.assemble(pages)
        var questionnaires: [String: Questionnaire] = [:], yamls: [String: String] = [:]
        for form in forms.values {
            questionnaires["\(form.questionnaire.id) \(form.questionnaire.version)"] = form.questionnaire
            yamls["\(form.questionnaire.id) \(form.questionnaire.version)"] = form.yaml
        }
        return Outcome(sheets: sheets, refused: refused + unassembled, questionnaires: questionnaires, yamls: yamls, pagesRead: read)
    }

    struct RefusalReason: Error { var text: String }
}

extension ScanForms.Outcome {
    /// `{"sheets": [{"serial", "questionnaire", "version", "pages", "answers", "doubtful"}], "refused": [{"file", "page", "reason"}]}`;
    /// an answer is a code, a list of codes (multi-choice) or null (blank, or doubtful); a
    /// refused page 0 is the whole file.
    public func json() throws -> String {
        var sheetObjects: [[String: Any]] = []
        for sheet in sheets {
            var answers: [String: Any] = [:]
            for item in sheet.items {
                switch (item.doubt, item.answer) {
                case (.some, _), (nil, .blank): answers[item.item] = NSNull()
                case (nil, .code(let code)): answers[item.item] = code
                case (nil, .codes(let codes)): answers[item.item] = codes
                }
            }
            sheetObjects.append([
                "serial": sheet.serial, "questionnaire": sheet.questionnaire, "version": sheet.version,
                "pages": sheet.pages.map { ["page": $0.reading.identity.page, "file": $0.file, "file_page": $0.pageInFile] as [String: Any] },
                "answers": answers,
                "doubtful": sheet.doubtful.map { ["item": $0.item, "page": $0.page, "candidates": $0.candidates, "reason": $0.doubt?.description ?? ""] as [String: Any] },
            ])
        }
        let document: [String: Any] = [
            "sheets": sheetObjects,
            "refused": refused.map { ["file": $0.file, "page": $0.page, "reason": $0.reason] as [String: Any] },
        ]
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}

extension FormPDFWriter {
    /// Where each page of the blank form carries ink (rendered at 10 px/mm, widened by
    /// `PrintedInk`'s margin), in page order: what a ``PageReader`` compares scans with.
    public func printedInk() -> [PrintedInk] {
        layout.pages.map { page in
            let (width, height, ink) = ink(page: page.number, pixelsPerMM: 10)
            return PrintedInk(width: width, height: height, ink: ink, pixelsPerMM: 10)
        }
    }
}
