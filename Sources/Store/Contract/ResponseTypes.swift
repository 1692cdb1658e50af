import Foundation
import SIPASModel

/// Where a response came from (nguồn).
public enum ResponseSource: String, Sendable, Codable, CaseIterable {
    case paper, kiosk, web, `import`
}

/// A commune, ward or district whose service is rated (đơn vị).
public struct UnitRecord: Sendable, Equatable, Codable {
    public var code: String
    public var name: String?
    /// xã, phường, thị trấn, huyện, …
    public var level: String?
    public var parent: String?
    public var province: String?

    public init(code: String, name: String? = nil, level: String? = nil, parent: String? = nil, province: String? = nil) {
        self.code = code
        self.name = name
        self.level = level
        self.parent = parent
        self.province = province
    }
}

/// An error of the store, phrased for the person at the keyboard.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var description: String
    /// What the person can do about it, for the front end to phrase.
    public var remedy: Remedy?
    public init(_ description: String, remedy: Remedy? = nil) {
        self.description = description
        self.remedy = remedy
    }
}

/// A piece of a file being imported: some of its forms, in file order.
public struct ImportPiece {
    public var table: ResponseTable
    /// The file's row of each form (spreadsheet numbering, header = row 1), for messages; nil when
    /// the forms follow each other from the batch's `firstDataRow` with no blank row between.
    public var rows: [Int]?
    /// Keyed hashes of dossier codes, one per form (nil where no dossier was given).
    public var dossierHashes: [String?]?

    public init(_ table: ResponseTable, rows: [Int]? = nil, dossierHashes: [String?]? = nil) {
        self.table = table
        self.rows = rows
        self.dossierHashes = dossierHashes
    }
}

/// Filters for reading stored responses.
public struct ResponseFilter: Sendable {
    public var from: String?
    public var to: String?
    public var units: [String] = []
    public var sources: [ResponseSource] = []
    public init(from: String? = nil, to: String? = nil, units: [String] = [], sources: [ResponseSource] = []) {
        self.from = from
        self.to = to
        self.units = units
        self.sources = sources
    }
}

/// What the store made of one file of an import.
public struct ImportResult: Sendable, Equatable {
    /// The batch (lô nhập) the file's forms were stored as.
    public var batchID: Int64
    public var rows: Int
    /// Units first seen in the file, recorded by code only.
    public var newUnits: [String]

    public init(batchID: Int64, rows: Int, newUnits: [String]) {
        self.batchID = batchID
        self.rows = rows
        self.newUnits = newUnits
    }
}

/// A file to import, read piece by piece while it is stored (``ResponseWriting/importStreamed(_:dryRun:progress:)``).
/// Every importer (CSV, templates, the demo, later scanned forms and commune workbooks) hands
/// its file to the store as one of these.
public struct StreamedBatch {
    public var fileName: String
    public var sha256: String?
    public var source: ResponseSource
    public var questionnaire: Questionnaire
    public var questionnaireYAML: String
    public var importedBy: String?
    /// Spreadsheet row of the first data row (2 after a CSV header, 3 in a template), for messages.
    public var firstDataRow: Int
    /// Calls the consumer with each piece of the file in order, while the file has no problem;
    /// reads on after a problem to list them all, and throws them at the end.
    public var pieces: (_ consumer: (ImportPiece) throws -> Void) throws -> Void

    public init(fileName: String, sha256: String?, source: ResponseSource, questionnaire: Questionnaire, questionnaireYAML: String,
                importedBy: String?, firstDataRow: Int, pieces: @escaping (_ consumer: (ImportPiece) throws -> Void) throws -> Void) {
        self.fileName = fileName
        self.sha256 = sha256
        self.source = source
        self.questionnaire = questionnaire
        self.questionnaireYAML = questionnaireYAML
        self.importedBy = importedBy
        self.firstDataRow = firstDataRow
        self.pieces = pieces
    }
}

/// A file's problems together with the store's (a form id stored before, say); nothing was written.
public struct StreamedImportError: Error, CustomStringConvertible {
    /// The reader's error (cell problems), if any.
    public var file: (any Error)?
    /// The first row the store refused, if any.
    public var store: String?
    /// What the person can do, when one thing would mend it (a unit code for rows without one).
    public var remedy: Remedy?
    public var description: String {
        [file.map { "\($0)" }, store].compactMap { $0 }.joined(separator: "\n")
    }

    public init(file: (any Error)? = nil, store: String? = nil, remedy: Remedy? = nil) {
        self.file = file
        self.store = store
        self.remedy = remedy
    }
}

/// A questionnaire version the store holds, with the number of its current responses.
public struct StoredVersion: Sendable, Equatable {
    public var id: String
    public var version: String
    public var responses: Int

    public init(id: String, version: String, responses: Int) {
        self.id = id
        self.version = version
        self.responses = responses
    }
}

