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
        guard FileManager.default.fileExists(atPath: path) else { throw UserError("\(path): no such file") }
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw UserError("\(path): cannot read (\(error.localizedDescription))")
        }
        let sha = Hex.sha256(data)
        switch kind(of: path) {
        case .template, .report:
            let book = try XlsxWorkbook(data: data, file: path)
            if let pairs = try TemplateReader.metaPairs(of: book), SubmissionManifest.isReport(pairs) {
                let submitted = try readSubmission(book, pairs: pairs)
                return ResponseFile(
                    path: path, kind: .report, questionnaire: submitted.questionnaire, yaml: submitted.manifest.questionnaireYAML,
                    table: submitted.table, rows: submitted.rows, sha256: sha, source: .import, submission: Submission(manifest: submitted.manifest))
            }
            let filled = try readTemplate(path, book: book, questionnaire: reference, catalog: catalog)
            let table = unit.map { filled.table.fillingUnit($0) } ?? filled.table
            return ResponseFile(
                path: path, kind: .template, questionnaire: filled.questionnaire, yaml: filled.yaml, table: table, rows: filled.rows, sha256: sha,
                source: .paper)
        case .csv:
            let (q, yaml) = try csvQuestionnaire(path, reference, catalog)
            var table = ResponseTable(questionnaire: q)
            var rows: [Int] = []
            try CanonicalCSVReader(questionnaire: q).forEachPiece(contentsOf: url) { piece, pieceRows in
                table.append(contentsOf: unit.map { piece.fillingUnit($0) } ?? piece)
                rows += pieceRows
            }
            return ResponseFile(path: path, kind: .csv, questionnaire: q, yaml: yaml, table: table, rows: rows, sha256: sha, source: .import)
        }
    }

    /// The file as the store's import engine reads it: a CSV piece by piece (memory does not grow
    /// with the file), a template (a few hundred forms typed by hand) whole.
    public static func streamed(_ path: String, questionnaire reference: String?, unit: String?, catalog: QuestionnaireCatalog,
                                importedBy: String?) throws -> StreamedBatch {
        let url = URL(fileURLWithPath: path)
        guard FileManager.default.fileExists(atPath: path) else { throw UserError("\(path): no such file") }
        switch kind(of: path) {
        case .template, .report:
            return try read(path, questionnaire: reference, unit: unit, catalog: catalog).batch(importedBy: importedBy)
        case .csv:
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

    /// A commune's report workbook, checked against its manifest: the questionnaire text against its
    /// hash, every row's unit against the manifest's, the number of forms, and the rows of
    /// *Dữ liệu* against the data hash (the canonical CSV of the responses, as the report printed
    /// it): a cell changed after sipas wrote the workbook is refused.
    static func readSubmission(_ book: XlsxWorkbook, pairs: [(key: String, value: String)]) throws
        -> (manifest: SubmissionManifest, questionnaire: Questionnaire, table: ResponseTable, rows: [Int])
    {
        let name = book.file
        let manifest = try SubmissionManifest(pairs: pairs, file: name)
        let q: Questionnaire
        do {
            q = try Questionnaire(yaml: manifest.questionnaireYAML, file: "\(name) (questionnaire in \(SubmissionManifest.sheet))")
        } catch {
            throw Problem(file: name, sheet: SubmissionManifest.sheet, message: "the questionnaire text in the report's manifest has problems (the hidden sheet was altered): \(error)")
        }
        let hash = Hex.sha256(manifest.questionnaireYAML)
        guard hash == manifest.contentHash, q.id == manifest.questionnaireID, q.version == manifest.version else {
            throw Problem(
                file: name, sheet: SubmissionManifest.sheet,
                message: "the questionnaire in the report's manifest is \(q.id) \(q.version) with hash \(hash.prefix(12))…, but the manifest names \(manifest.questionnaireID) \(manifest.version) with hash \(manifest.contentHash.prefix(12))… (the hidden sheet was altered); ask the commune to export the report again")
        }
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
        return (manifest, q, table, rows)
    }

    /// A filled template, checked against the questionnaire it was made from.
    static func readTemplate(_ name: String, book: XlsxWorkbook, questionnaire reference: String?, catalog: QuestionnaireCatalog) throws
        -> (questionnaire: Questionnaire, yaml: String, table: ResponseTable, rows: [Int])
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
        let (table, rows) = try TemplateReader.readNumbered(book, questionnaire: q, unit: identity.unit)
        return (q, yaml, table, rows)
    }
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
