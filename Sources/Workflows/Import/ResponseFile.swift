import Foundation
import SIPASCSV
import SIPASModel
import SIPASStore
import SIPASStoring
import SIPASTemplate
import SIPASXlsxReader

/// A response file to import: a filled data-entry template (.xlsx), a commune's report workbook
/// (.xlsx with a report manifest: its *Dữ liệu* rows, checked against the manifest) or a canonical CSV.
///
/// Use ``streamed(_:questionnaire:unit:catalog:importedBy:)`` to hand a file to the store's one
/// import engine; use ``read(_:questionnaire:unit:catalog:)`` when the whole file is needed at
/// once (double entry compares two copies cell by cell).
public struct ResponseFile {
    public enum Kind: Sendable, Equatable {
        case template
        /// A commune's report workbook (báo cáo), imported by a province or district.
        case report
        case csv
    }

    public var path: String
    public var kind: Kind
    public var questionnaire: Questionnaire
    public var yaml: String
    public var table: ResponseTable
    /// The file's row of each form (header rows count; blank rows are skipped but counted).
    public var rows: [Int]
    public var sha256: String
    public var source: ResponseSource
    /// For a report workbook: its manifest, for the store to record the submission.
    public var submission: Submission?

    /// The kind a file name says: `.xlsx` (and the refused `.xls`, `.xlsm`) is a template, anything else CSV.
    public static func kind(of path: String) -> Kind {
        ["xlsx", "xlsm", "xls"].contains(URL(fileURLWithPath: path).pathExtension.lowercased()) ? .template : .csv
    }

    /// Spreadsheet row of the first form: 2 after a CSV header or a report's header, 3 in a template.
    public static func firstDataRow(_ kind: Kind) -> Int { kind == .template ? TemplateLayout.firstDataRow : 2 }

    /// Reads and checks a whole file. A template names its questionnaire; a CSV needs `reference`.
    public static func read(_ path: String, questionnaire reference: String?, unit: String?, catalog: QuestionnaireCatalog) throws -> ResponseFile {
        let url = URL(fileURLWithPath: path)
        switch kind(of: path) {
        case .template, .report:
            let (data, sha) = try mapped(path)
            let book = try XlsxWorkbook(data: data, file: path)
            let head = try workbookHead(book, path: path, questionnaire: reference, catalog: catalog, known: nil)
            let (table, rows) = try head.read(book, unit: unit)
            return ResponseFile(
                path: path, kind: head.kind, questionnaire: head.questionnaire, yaml: head.yaml, table: table, rows: rows, sha256: sha,
                source: head.source, submission: head.manifest.map { Submission(manifest: $0) })
        case .csv:
            guard FileManager.default.fileExists(atPath: path) else { throw UserError("\(path): no such file") }
            let (q, yaml) = try csvQuestionnaire(path, reference, catalog)
            var table = ResponseTable(questionnaire: q)
            var rows: [Int] = []
            try CanonicalCSVReader(questionnaire: q).forEachPiece(contentsOf: url) { piece, pieceRows in
                table.append(contentsOf: unit.map { piece.fillingUnit($0) } ?? piece)
                rows += pieceRows
            }
            return ResponseFile(path: path, kind: .csv, questionnaire: q, yaml: yaml, table: table, rows: rows, sha256: try fileSHA256(at: url), source: .import)
        }
    }

    /// The file as the store's import engine reads it: a CSV piece by piece (memory does not grow
    /// with the file); a workbook's hidden sheet (its questionnaire, and a report's manifest) now,
    /// its forms only when the engine comes to it — so a folder of 10,000 commune workbooks holds
    /// one workbook's forms at a time. `questionnaires` shares one parsed questionnaire among the
    /// files that carry the same text (pass the same one for every file of an import).
    public static func streamed(_ path: String, questionnaire reference: String?, unit: String?, catalog: QuestionnaireCatalog,
                                importedBy: String?, questionnaires: QuestionnaireCache? = nil) throws -> StreamedBatch {
        let url = URL(fileURLWithPath: path)
        switch kind(of: path) {
        case .template, .report:
            let (data, sha) = try mapped(path)
            let head = try workbookHead(XlsxWorkbook(data: data, file: path), path: path, questionnaire: reference, catalog: catalog, known: questionnaires)
            var batch = StreamedBatch(
                fileName: url.lastPathComponent, sha256: sha, source: head.source, questionnaire: head.questionnaire, questionnaireYAML: head.yaml,
                importedBy: importedBy, firstDataRow: firstDataRow(head.kind)
            ) { consumer in
                let (data, now) = try mapped(path)
                guard now == sha else { throw UserError("\(path): the file changed while it was being imported; nothing was imported. Run the import again") }
                let (table, rows) = try head.read(XlsxWorkbook(data: data, file: path), unit: unit)
                try consumer(ImportPiece(table, rows: rows))
            }
            batch.submission = head.manifest.map { Submission(manifest: $0) }
            return batch
        case .csv:
            guard FileManager.default.fileExists(atPath: path) else { throw UserError("\(path): no such file") }
            let (q, yaml) = try csvQuestionnaire(path, reference, catalog)
            return StreamedBatch(
                fileName: url.lastPathComponent, sha256: try fileSHA256(at: url), source: .import, questionnaire: q, questionnaireYAML: yaml,
                importedBy: importedBy, firstDataRow: firstDataRow(.csv)
            ) { consumer in
                try CanonicalCSVReader(questionnaire: q).forEachPiece(contentsOf: url) { piece, rows in
                    try consumer(ImportPiece(unit.map { piece.fillingUnit($0) } ?? piece, rows: rows))
                }
            }
        }
    }

    /// The file's bytes (mapped, not copied) and their SHA-256.
    static func mapped(_ path: String) throws -> (Data, String) {
        guard FileManager.default.fileExists(atPath: path) else { throw UserError("\(path): no such file") }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
            return (data, Hex.sha256(data))
        } catch {
            throw UserError("\(path): cannot read (\(error.localizedDescription))")
        }
    }

    /// What a workbook's hidden sheet says: a report's manifest with its questionnaire checked, or
    /// a template's questionnaire. Reading the forms comes later (``WorkbookHead/read(_:unit:)``).
    static func workbookHead(_ book: XlsxWorkbook, path: String, questionnaire reference: String?, catalog: QuestionnaireCatalog,
                             known: QuestionnaireCache?) throws -> WorkbookHead {
        if let pairs = try TemplateReader.metaPairs(of: book), SubmissionManifest.isReport(pairs) {
            let (manifest, q) = try submissionHead(file: book.file, pairs: pairs, known: known)
            return WorkbookHead(kind: .report, questionnaire: q, yaml: manifest.questionnaireYAML, manifest: manifest, templateUnit: nil)
        }
        let (q, yaml, templateUnit) = try templateHead(path, book: book, questionnaire: reference, catalog: catalog)
        return WorkbookHead(kind: .template, questionnaire: q, yaml: yaml, manifest: nil, templateUnit: templateUnit)
    }
    /// This file, read whole, as one piece for the import engine.
    public func batch(importedBy: String?) -> StreamedBatch {
        let piece = ImportPiece(table, rows: rows)
        var batch = StreamedBatch(
            fileName: URL(fileURLWithPath: path).lastPathComponent, sha256: sha256, source: source, questionnaire: questionnaire,
            questionnaireYAML: yaml, importedBy: importedBy, firstDataRow: Self.firstDataRow(kind)) { consumer in try consumer(piece) }
        batch.submission = submission
        return batch
    }

    static func csvQuestionnaire(_ path: String, _ reference: String?, _ catalog: QuestionnaireCatalog) throws -> (Questionnaire, String) {
        guard let reference else {
            throw UserError("\(path): a CSV file does not say which questionnaire it answers", remedy: .questionnaire)
        }
        return try catalog.loadWithText(reference)
    }

    /// A commune's report workbook's manifest, and the questionnaire text in it checked against its
    /// hash (parsed once per text with `known`).
    static func submissionHead(file name: String, pairs: [(key: String, value: String)], known: QuestionnaireCache?) throws
        -> (manifest: SubmissionManifest, questionnaire: Questionnaire)
    {
        var manifest = try SubmissionManifest(pairs: pairs, file: name)
        let hash = Hex.sha256(manifest.questionnaireYAML)
        if let (q, yaml) = known?.questionnaire(hash: hash), q.id == manifest.questionnaireID, q.version == manifest.version, hash == manifest.contentHash {
            manifest.questionnaireYAML = yaml  // the same text, held once
            return (manifest, q)
        }
        let q: Questionnaire
        do {
            q = try Questionnaire(yaml: manifest.questionnaireYAML, file: "\(name) (questionnaire in \(SubmissionManifest.sheet))")
        } catch {
            throw Problem(file: name, sheet: SubmissionManifest.sheet, message: "the questionnaire text in the report's manifest has problems (the hidden sheet was altered): \(error)")
        }
        guard hash == manifest.contentHash, q.id == manifest.questionnaireID, q.version == manifest.version else {
            throw Problem(
                file: name, sheet: SubmissionManifest.sheet,
                message: "the questionnaire in the report's manifest is \(q.id) \(q.version) with hash \(hash.prefix(12))…, but the manifest names \(manifest.questionnaireID) \(manifest.version) with hash \(manifest.contentHash.prefix(12))… (the hidden sheet was altered); ask the commune to export the report again")
        }
        known?.keep(q, yaml: manifest.questionnaireYAML, hash: hash)
        return (manifest, q)
    }

    /// A commune's report workbook's forms, checked against its manifest: every row's unit against
    /// the manifest's, the number of forms, and the rows of *Dữ liệu* against the data hash (the
    /// canonical CSV of the responses, as the report printed it): a cell changed after sipas wrote
    /// the workbook is refused.
    static func submissionData(_ book: XlsxWorkbook, manifest: SubmissionManifest, questionnaire q: Questionnaire) throws
        -> (table: ResponseTable, rows: [Int])
    {
        let name = book.file
        let (table, rows) = try TemplateReader.readNumbered(book, questionnaire: q, unit: nil, layout: .reportData)
        var wrongUnit: [Problem] = []
        for r in 0..<table.count where table.unit[r] != manifest.unitCode {
            wrongUnit.append(Problem(
                file: name, sheet: SubmissionManifest.dataSheet, row: rows[r], column: "B (unit)", value: table.unit[r] ?? "",
                message: "every form of this report is \(manifest.unitName)'s (\(manifest.unitCode))"))
        }
        if !wrongUnit.isEmpty { throw Problems.template(Array(wrongUnit.prefix(50)), total: wrongUnit.count) }
        guard table.count == manifest.forms else {
            throw Problem(file: name, sheet: SubmissionManifest.dataSheet, message: "the report's manifest says \(manifest.forms) forms but the sheet holds \(table.count): rows were added or removed after sipas wrote it; ask the commune to export the report again")
        }
        let dataHash = BuildReport.dataHash(table)
        guard dataHash == manifest.dataSHA256 else {
            throw Problem(file: name, sheet: SubmissionManifest.dataSheet, message: "the data rows do not hash to the value in the report's manifest (SHA-256 \(dataHash.prefix(12))…, manifest \(manifest.dataSHA256.prefix(12))…): a cell was changed after sipas wrote the report; nothing was imported. Ask the commune to export the report again")
        }
        return (table, rows)
    }

    /// A filled template's questionnaire, checked against the one it was made from, and the unit it
    /// was made for.
    static func templateHead(_ name: String, book: XlsxWorkbook, questionnaire reference: String?, catalog: QuestionnaireCatalog) throws
        -> (questionnaire: Questionnaire, yaml: String, unit: String?)
    {
        let identity = try TemplateReader.identity(of: book)
        let (q, yaml) = try catalog.loadWithText(reference ?? identity.questionnaireID)
        guard q.id == identity.questionnaireID else {
            throw UserError("\(name): this template is for questionnaire \(identity.questionnaireID), not \(q.id)")
        }
        let hash = Hex.sha256(yaml)
        guard q.version == identity.version, hash == identity.contentHash else {
            throw UserError("\(name): this template was made for \(identity.questionnaireID) \(identity.version) (hash \(identity.contentHash.prefix(12))…), but the questionnaire is now \(q.version) (hash \(hash.prefix(12))…). Type the forms into a new template or import with the questionnaire file the template was made from.", remedy: .makeTemplate)
        }
        return (q, yaml, identity.unit)
    }
}

/// A workbook's hidden sheet, read: enough for the import engine to start the batch and check the
/// submission; its forms are read with ``read(_:unit:)`` when their turn comes.
struct WorkbookHead {
    var kind: ResponseFile.Kind
    var questionnaire: Questionnaire
    var yaml: String
    /// A report workbook's manifest.
    var manifest: SubmissionManifest?
    /// A template's unit.
    var templateUnit: String?

    var source: ResponseSource { kind == .report ? .import : .paper }

    /// The forms of the workbook, checked (a report's against its manifest); `unit` fills a
    /// template's rows that have none.
    func read(_ book: XlsxWorkbook, unit: String?) throws -> (table: ResponseTable, rows: [Int]) {
        if let manifest { return try ResponseFile.submissionData(book, manifest: manifest, questionnaire: questionnaire) }
        let (table, rows) = try TemplateReader.readNumbered(book, questionnaire: questionnaire, unit: templateUnit)
        return (unit.map { table.fillingUnit($0) } ?? table, rows)
    }
}

/// Questionnaires parsed from text, by the text's SHA-256: a folder of commune workbooks carries
/// the same questionnaire text in every manifest, parsed once.
public final class QuestionnaireCache: @unchecked Sendable {
    private var byHash: [String: (Questionnaire, String)] = [:]
    private let lock = NSLock()
    public init() {}
    func questionnaire(hash: String) -> (Questionnaire, String)? { lock.withLock { byHash[hash] } }
    func keep(_ q: Questionnaire, yaml: String, hash: String) { lock.withLock { byHash[hash] = (q, yaml) } }
}

/// SHA-256 of a file read in blocks (a large CSV is never held whole), in hexadecimal.
public func fileSHA256(at url: URL) throws -> String {
    do {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256Hasher()
        while let block = try handle.read(upToCount: 1 << 20), !block.isEmpty { hasher.update(block) }
        return hasher.hex()
    } catch {
        throw UserError("\(url.path): cannot read (\(error.localizedDescription))")
    }
}

extension ResponseTable {
    /// The same rows with `unit` where a row has none.
    public func fillingUnit(_ code: String) -> ResponseTable {
        guard (0..<count).contains(where: { unit[$0] == nil }) else { return self }
        var out = ResponseTable(questionnaire: questionnaire)
        out.append(
            rows: count, formID: formID, unit: (0..<count).map { unit[$0] ?? code }, collectedOn: collectedOn,
            channel: (0..<count).map { channel[$0] }, field: (0..<count).map { field[$0] }, codes: codes, picks: picks, texts: texts)
        return out
    }
}
