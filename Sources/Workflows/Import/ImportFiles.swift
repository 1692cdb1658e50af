import Foundation
import SIPASModel
import SIPASStore
import SIPASStoring

/// Importing response files into a store: type detection, questionnaire resolution, hashing,
/// double entry and dry run, all through the store's one streamed, single-transaction engine.
///
/// Use it for `sipas import` and for any program that brings paper forms in (the demo does).
public struct ImportFiles {
    public var files: [String]
    /// Questionnaire of CSV files (an id or a YAML path); templates carry their own.
    public var questionnaire: String?
    /// Unit code for rows that have none.
    public var unit: String?
    /// The second clerk's copy of the same forms (double entry): import only when it agrees with `files[0]`.
    public var verify: String?
    /// Check everything, the store's own constraints included, and write nothing.
    public var dryRun = false
    /// A commune report workbook may supersede the submission stored for the same unit and
    /// period (kept in the history); without it a second submission is refused.
    public var replace = false
    /// Who runs the import (an operator account, never a respondent).
    public var importedBy: String?
    public var catalog = QuestionnaireCatalog()

    public init(files: [String], questionnaire: String? = nil, unit: String? = nil, verify: String? = nil, dryRun: Bool = false,
                replace: Bool = false, importedBy: String? = ProcessInfo.processInfo.environment["USER"]) {
        self.files = files
        self.replace = replace
        self.questionnaire = questionnaire
        self.unit = unit
        self.verify = verify
        self.dryRun = dryRun
        self.importedBy = importedBy
    }

    /// What one file gave.
    public struct FileResult: Sendable, Equatable {
        public var fileName: String
        public var questionnaireID: String
        public var version: String
        public var forms: Int
        /// The batch it was stored as; nil in a dry run.
        public var batchID: Int64?
        /// Units first seen in this file, recorded by code only (a report's unit with its name).
        public var newUnits: [String]
        /// A commune report workbook: the unit and period it submits.
        public var submitted: (unit: String, name: String, period: String)?
        /// With `replace`: the earlier submission it replaced (file and date), if there was one.
        public var replaced: String?

        public static func == (a: FileResult, b: FileResult) -> Bool {
            a.fileName == b.fileName && a.questionnaireID == b.questionnaireID && a.version == b.version && a.forms == b.forms
                && a.batchID == b.batchID && a.newUnits == b.newUnits && a.submitted?.unit == b.submitted?.unit
                && a.submitted?.period == b.submitted?.period && a.replaced == b.replaced
        }
    }

    public struct Outcome: Sendable, Equatable {
        public var files: [FileResult]
        public var dryRun: Bool
        /// With double entry: the number of forms both copies agree on.
        public var verifiedForms: Int?
        public var forms: Int { files.reduce(0) { $0 + $1.forms } }
    }

    /// Every file's problems (cells, duplicates, the store's refusals) together; nothing was imported.
    public struct Refused: Error, CustomStringConvertible {
        public var lines: [String]
        public var remedy: Remedy?
        public var description: String {
            let text = lines.joined(separator: "\n")
            return text.lowercased().contains("nothing was imported") ? text : text + "\nNothing was imported."
        }
    }

    /// Runs the import. `progress` gets the file name and the forms stored so far.
    public func run(into store: any ResponseWriting, progress: ((String, Int) -> Void)? = nil) throws -> Outcome {
        var batches: [StreamedBatch] = []
        var verified: Int?
        if let verify {
            guard files.count == 1 else { throw UserError("double entry compares two copies: give exactly one file beside the second copy") }
            let first = try ResponseFile.read(files[0], questionnaire: questionnaire, unit: unit, catalog: catalog)
            let second = try ResponseFile.read(verify, questionnaire: questionnaire, unit: unit, catalog: catalog)
            let differences = DoubleEntry.compare(first, second)
            if !differences.isEmpty {
                var lines = ["\(differences.count) difference(s) between \(first.path) and \(second.path):"]
                lines += differences.prefix(200).map { "  \($0)" }
                if differences.count > 200 { lines.append("  … and \(differences.count - 200) more") }
                lines.append("Check the paper forms, correct the wrong copy and run again. Nothing was imported.")
                throw Refused(lines: lines)
            }
            verified = first.table.count
            batches = [first.batch(importedBy: importedBy)]
        } else {
            var problems: [String] = []
            var remedy: Remedy?
            let questionnaires = QuestionnaireCache()
            for path in files {
                do {
                    var batch = try ResponseFile.streamed(
                        path, questionnaire: questionnaire, unit: unit, catalog: catalog, importedBy: importedBy, questionnaires: questionnaires)
                    batch.submission?.replace = replace
                    batches.append(batch)
                } catch let error as UserError {
                    problems.append(error.message)
                    remedy = remedy ?? error.remedy
                } catch {
                    problems.append("\(error)")
                }
            }
            if !problems.isEmpty { throw Refused(lines: problems, remedy: remedy) }
        }
        let results: [ImportResult]
        do {
            results = try store.importStreamed(batches, dryRun: dryRun) { index, done in progress?(batches[index].fileName, done) }
        } catch let error as StreamedImportError {
            throw Refused(lines: [error.description], remedy: error.remedy)
        } catch let error as StoreError {
            throw Refused(lines: [error.description], remedy: error.remedy)
        }
        let files = zip(batches, results).map { b, r in
            FileResult(
                fileName: b.fileName, questionnaireID: b.questionnaire.id, version: b.questionnaire.version, forms: r.rows,
                batchID: dryRun ? nil : r.batchID, newUnits: r.newUnits,
                submitted: b.submission.map { ($0.manifest.unitCode, $0.manifest.unitName, $0.manifest.periodLabel) },
                replaced: r.replaced.map { "\($0.fileName), imported \($0.submittedAt)" })
        }
        return Outcome(files: files, dryRun: dryRun, verifiedForms: verified)
    }
}
