import Foundation
import SIPASModel

/// Writing survey responses (phiếu) into a store: units, whole files in one transaction, corrections.
///
/// Import, the demo and every later importer (scanned forms, commune workbooks) write through
/// this protocol only; the embedded SQLite store (`ResponseStore`) conforms, and a server store
/// (PostgreSQL) can plug in without touching import, analysis or report code.
public protocol ResponseWriting: Sendable {
    /// Use when a person names a unit (đơn vị) (`sipas init`): records it, or updates its name,
    /// level, parent and province. Responses are never touched.
    func register(_ unit: UnitRecord) throws

    /// Use for every import of response files: all `batches` in one transaction, each read piece by
    /// piece while it is stored (memory holds one piece, not the file). All or none: any problem in
    /// any file, or any form the store refuses (a file stored before, a form id stored before for
    /// its unit, questionnaire and year, a dossier already rated), rolls everything back and is
    /// thrown as one `StreamedImportError` listing every file's problems. With `dryRun`
    /// everything, the store's own checks included, is done and rolled back. `progress` gets the
    /// batch's index and its forms stored so far.
    func importStreamed(_ batches: [StreamedBatch], dryRun: Bool, progress: ((Int, Int) -> Void)?) throws -> [ImportResult]

    /// Use to correct one stored form: stores row `row` of `table` as a new version that supersedes
    /// response `responseID`; the old version stays, marked, so the history is kept. Returns the
    /// new response's id.
    func correct(responseID: Int64, with table: ResponseTable, row: Int, questionnaireYAML: String, by: String?) throws -> Int64

    /// Use when a person names a field or channel code for this store (`sipas labels set`): the
    /// name shown instead of the code, over the shipped catalogue; nil forgets it.
    func setLabel(_ kind: Labels.Kind, code: String, label: String?) throws
}

/// Reading survey responses back: the questionnaires held, and the responses of one as columns.
///
/// Analysis, export and the report read through this protocol only.
public protocol ResponseReading: Sendable {
    /// Where the store is (a file path, a server address), for messages.
    var location: String { get }

    /// Use to learn which questionnaire versions the store holds (to choose one, or to say none).
    func questionnaires() throws -> [StoredVersion]

    /// Use to decode stored responses: the questionnaire's YAML as stored with them (the given
    /// version, or the newest), never the file on disk, which may have changed since.
    func questionnaireYAML(id: String, version: String?) throws -> String?

    /// Use for every analysis, export and report: the current (not superseded) responses of
    /// questionnaire `q` that match `filter`, as columns, with the source of each.
    func responses(questionnaire q: Questionnaire, filter: ResponseFilter) throws -> (table: ResponseTable, sources: [ResponseSource])

    /// Use to check a field or channel code a profile names: the codes any response of the
    /// questionnaire carries (field and channel codes have no registry of their own).
    func codesInUse(questionnaireID: String) throws -> (fields: Set<String>, channels: Set<String>)

    /// Use for counts by source without reading the answers.
    func counts(questionnaire q: Questionnaire, filter: ResponseFilter) throws -> [ResponseSource: Int]

    /// Use to list the units recorded (named by `register`, or first seen in an import).
    func units() throws -> [UnitRecord]

    /// Use to see which commune report workbooks a province store holds: every submission,
    /// current and replaced, oldest first.
    func submissions() throws -> [StoredSubmission]

    /// Use to audit scanned forms: the answer areas of the pages stored with their batches
    /// (`sipas scan`), of one form or of all, by form and page.
    func pageImages(formID: String?) throws -> [StoredPageImage]

    /// Use wherever a code reaches a person: the store's own names of field and channel codes
    /// and the names of its units (the shipped catalogue is not included: see ``Labels``).
    func labels() throws -> Labels
}

extension ResponseReading {
    /// The names to show: the shipped catalogue, the store's names over it, and `profile`'s over both.
    public func effectiveLabels(over profile: Labels = Labels()) throws -> Labels {
        Labels.catalogue.overridden(by: try labels()).overridden(by: profile)
    }
}

/// The history kept by a store: every version of a form.
public protocol ResponseHistory: Sendable {
    /// Use to show how a form was corrected: every version, oldest first, with the response that
    /// superseded it (nil for the current one).
    func history(unit: String, formID: String) throws -> [(id: Int64, supersededBy: Int64?)]
}

/// Everything sipas needs from a store: responses in and out, history, and the kiosks' ratings.
/// Use it where a command works with whatever store the person chose.
public typealias SurveyStore = ResponseWriting & ResponseReading & ResponseHistory & KioskServerStore

extension ResponseWriting {
    /// Imports and commits (``importStreamed(_:dryRun:progress:)`` without a dry run or progress).
    public func importStreamed(_ batches: [StreamedBatch]) throws -> [ImportResult] {
        try importStreamed(batches, dryRun: false, progress: nil)
    }
}

extension ResponseReading {
    /// Every current response of `q`.
    public func responses(questionnaire q: Questionnaire) throws -> (table: ResponseTable, sources: [ResponseSource]) {
        try responses(questionnaire: q, filter: ResponseFilter())
    }

    /// The newest stored version's YAML of questionnaire `id`.
    public func questionnaireYAML(id: String) throws -> String? { try questionnaireYAML(id: id, version: nil) }
}
