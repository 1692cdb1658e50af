import Foundation
import SIPASModel
import SIPASOMR
import SIPASStoring

/// Stores scanned sheets (`sipas scan --store`), through the one import engine: all or nothing.
///
/// Refuses unless every page was read and every doubtful mark was decided by a person
/// (`decisions`). Each sheet becomes one paper form: its form id is the printed serial, its unit
/// the serial's unit, its date `collectedOn` (the serial's year must be the date's year, so a
/// serial cannot be stored twice under two years). Sheets are filed in a batch per scan file
/// (the file holding their first page), so a file scanned again is refused by its SHA-256 and a
/// sheet scanned again by its serial. The pages' answer areas, when the scan kept them, are
/// stored with the batch, for audit.
public struct ImportScans {
    public var outcome: ScanForms.Outcome
    /// What a person chose for doubtful items: serial → item → answer.
    public var decisions: [String: [String: ItemReading.Answer]]
    /// The day the forms were collected (YYYY-MM-DD).
    public var collectedOn: String
    public var importedBy: String?
    public var dryRun: Bool

    public init(outcome: ScanForms.Outcome, decisions: [String: [String: ItemReading.Answer]] = [:], collectedOn: String, importedBy: String? = nil, dryRun: Bool = false) {
        self.outcome = outcome
        self.decisions = decisions
        self.collectedOn = collectedOn
        self.importedBy = importedBy
        self.dryRun = dryRun
    }

    public struct Stored: Sendable {
        public var file: String
        public var forms: Int
        public var batchID: Int64?
    }

    /// The unit and year printed in a serial `UNIT-YEAR-NUMBER`.
    public static func unitAndYear(of serial: String) -> (unit: String, year: String)? {
        let parts = serial.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[parts.count - 2].count == 4, Int(parts[parts.count - 2]) != nil, Int(parts[parts.count - 1]) != nil else { return nil }
        return (parts.dropLast(2).joined(separator: "-"), String(parts[parts.count - 2]))
    }

    public func run(into store: any ResponseWriting) throws -> [Stored] {
        guard outcome.refused.isEmpty else {
            throw UserError(
                "\(outcome.refused.count) page\(outcome.refused.count == 1 ? "" : "s") or file\(outcome.refused.count == 1 ? " was" : "s were") refused (listed above); nothing was stored. Scan those pages again, or leave their files out")
        }
        guard !outcome.sheets.isEmpty else { throw UserError("no sheet was read; nothing was stored") }
        guard ISODate(collectedOn) != nil else { throw UserError("collected on \(collectedOn): expected a date YYYY-MM-DD") }
        let undecided = outcome.sheets.flatMap { sheet in sheet.doubtful.filter { decisions[sheet.serial]?[$0.item] == nil }.map { "\(sheet.serial) \($0.item)" } }
        guard undecided.isEmpty else {
            throw UserError(
                "\(undecided.count) doubtful mark\(undecided.count == 1 ? "" : "s") need\(undecided.count == 1 ? "s" : "") a person (\(undecided.prefix(5).joined(separator: ", "))\(undecided.count > 5 ? ", …" : "")); nothing was stored. Run again with --review terminal")
        }
        // Batches: one per scan file holding sheets' first pages, per questionnaire version.
        var order: [String] = []
        var groups: [String: [ScannedSheet]] = [:]
        for sheet in outcome.sheets {
            guard let (_, year) = Self.unitAndYear(of: sheet.serial) else {
                throw UserError("sheet \(sheet.serial): the serial is not UNIT-YEAR-NUMBER; nothing was stored")
            }
            guard collectedOn.hasPrefix(year) else {
                throw UserError("sheet \(sheet.serial) was printed for \(year), but the forms are dated \(collectedOn): give --collected-on a day of \(year); nothing was stored")
            }
            let key = "\(sheet.pages[0].file)\u{1}\(sheet.questionnaire) \(sheet.version)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(sheet)
        }
        var batches: [StreamedBatch] = []
        for key in order {
            let sheets = groups[key]!
            let file = sheets[0].pages[0].file
            let version = "\(sheets[0].questionnaire) \(sheets[0].version)"
            guard let q = outcome.questionnaires[version], let yaml = outcome.yamls[version] else { continue }
            let table = self.table(sheets, questionnaire: q)
            let sha = try fileSHA256(at: URL(fileURLWithPath: file))
            var batch = StreamedBatch(
                fileName: URL(fileURLWithPath: file).lastPathComponent, sha256: sha, source: .paper, questionnaire: q, questionnaireYAML: yaml,
                importedBy: importedBy, firstDataRow: 1
            ) { consumer in try consumer(ImportPiece(table)) }
            batch.pageImages = sheets.flatMap { sheet in
                sheet.pages.compactMap { page in page.answerImage.map { PageImage(formID: sheet.serial, page: page.reading.identity.page, jpeg: $0) } }
            }
            batches.append(batch)
        }
        let results: [ImportResult]
        do {
            results = try store.importStreamed(batches, dryRun: dryRun, progress: nil)
        } catch let error as StreamedImportError {
            throw ImportFiles.Refused(lines: [error.description], remedy: error.remedy)
        } catch let error as StoreError {
            throw ImportFiles.Refused(lines: [error.description], remedy: error.remedy)
        }
        return zip(batches, results).map { Stored(file: $0.fileName, forms: $1.rows, batchID: dryRun ? nil : $1.batchID) }
    }

    /// The sheets as response rows: read answers, with the person's decisions over doubtful ones.
    func table(_ sheets: [ScannedSheet], questionnaire q: Questionnaire) -> ResponseTable {
        var table = ResponseTable(questionnaire: q)
        for sheet in sheets {
            var codes: [String: UInt8] = [:], picks: [String: UInt64] = [:]
            for item in sheet.items {
                let answer = item.doubt == nil ? item.answer : (decisions[sheet.serial]?[item.item] ?? .blank)
                switch answer {
                case .blank: break
                case .code(let code): codes[item.item] = UInt8(clamping: code)
                case .codes(let list): picks[item.item] = list.reduce(UInt64(0)) { $0 | (UInt64(1) << UInt64(min(63, max(0, $1)))) }
                }
            }
            let unit = Self.unitAndYear(of: sheet.serial)?.unit
            table.append(ResponseTable.Metadata(formID: sheet.serial, unit: unit, collectedOn: collectedOn), codes: codes, picks: picks)
        }
        return table
    }
}
