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
    /// Units first seen in the file, recorded by code only (a submission's unit is recorded with
    /// its name and parent, and listed here when it is new).
    public var newUnits: [String]
    /// For a submission: the stored submission it replaced (with `replace`), if any.
    public var replaced: StoredSubmission?

    public init(batchID: Int64, rows: Int, newUnits: [String], replaced: StoredSubmission? = nil) {
        self.batchID = batchID
        self.rows = rows
        self.newUnits = newUnits
        self.replaced = replaced
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
    /// Set when the file is a commune's report workbook: the store records the submission with
    /// the forms, in the same transaction (see ``Submission``).
    public var submission: Submission?
    /// Scanned pages' answer areas, stored with the batch for audit (`sipas scan`).
    public var pageImages: [PageImage] = []

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

/// The answer area of one scanned page (*trang phiếu quét*), kept with its batch for audit: which
/// form (serial) and page, and the image as a JPEG file's bytes.
public struct PageImage: Sendable, Equatable {
    public var formID: String
    public var page: Int
    public var jpeg: [UInt8]

    public init(formID: String, page: Int, jpeg: [UInt8]) {
        self.formID = formID
        self.page = page
        self.jpeg = jpeg
    }
}

/// A page image as stored: with its batch and the file it was scanned from.
public struct StoredPageImage: Sendable, Equatable {
    public var batchID: Int64
    public var fileName: String
    public var image: PageImage

    public init(batchID: Int64, fileName: String, image: PageImage) {
        self.batchID = batchID
        self.fileName = fileName
        self.image = image
    }
}

/// A commune's report workbook imported into a province (or district) store: its manifest, and
/// whether it may supersede the submission already stored for the same unit and period.
///
/// The store files the unit under its parent, refuses a second submission of the same unit and
/// period (and one whose period overlaps a stored one), refuses a questionnaire version other
/// than the one its responses have, and with `replace` withdraws the earlier submission's forms
/// (kept, marked, in the history) before storing the new ones.
public struct Submission: Sendable, Equatable {
    public var manifest: SubmissionManifest
    public var replace: Bool

    public init(manifest: SubmissionManifest, replace: Bool = false) {
        self.manifest = manifest
        self.replace = replace
    }
}

/// A submission as the store holds it.
public struct StoredSubmission: Sendable, Equatable {
    public var id: Int64
    public var unit: String
    public var questionnaireID: String
    public var version: String
    public var period: String
    public var periodLabel: String
    public var from: String
    public var to: String
    public var forms: Int
    public var dataSHA256: String
    public var software: String
    public var fileName: String
    public var submittedAt: String
    /// The submission that replaced this one (nil for the current one).
    public var supersededBy: Int64?

    public init(
        id: Int64, unit: String, questionnaireID: String, version: String, period: String, periodLabel: String, from: String, to: String,
        forms: Int, dataSHA256: String, software: String, fileName: String, submittedAt: String, supersededBy: Int64?
    ) {
        self.id = id
        self.unit = unit
        self.questionnaireID = questionnaireID
        self.version = version
        self.period = period
        self.periodLabel = periodLabel
        self.from = from
        self.to = to
        self.forms = forms
        self.dataSHA256 = dataSHA256
        self.software = software
        self.fileName = fileName
        self.submittedAt = submittedAt
        self.supersededBy = supersededBy
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

