import Foundation
import SIPASAnalysis
import SIPASCSV
import SIPASModel
import SIPASStore
import SIPASStoring

/// Scoring responses from CSV files or from a store: criteria, elements and the index with their
/// intervals, groups, targets and the counter rate.
///
/// Use it for `sipas analyze`; the report has its own use case (``BuildReport``), which analyses a
/// profile's period.
public struct AnalyzeResponses {
    /// Where the responses come from.
    public enum Source {
        /// Canonical CSV files of one questionnaire (an id or a YAML path).
        case files([String], questionnaire: String)
        /// A store, filtered; the questionnaire as stored (optional when the store holds one).
        case store(any ResponseReading, questionnaire: String?, filter: ResponseFilter)
    }

    public var source: Source
    public var options: AnalysisOptions
    /// Groups analysed beside the whole: unit, field, channel or a single-choice item id.
    public var groups: [String] = []
    /// Dossiers handled in the period, for the Decree-766 style counter rate.
    public var dossiers: Int?
    /// The previous period (files or a store's other dates), same questionnaire and options: every
    /// index then gets its change (``Analysis/change``).
    public var previous: Source?
    public var catalog = QuestionnaireCatalog()

    public init(source: Source, options: AnalysisOptions, groups: [String] = [], dossiers: Int? = nil, previous: Source? = nil) {
        self.source = source
        self.options = options
        self.groups = groups
        self.dossiers = dossiers
        self.previous = previous
    }

    public struct Result {
        public var analysis: Analysis
        public var questionnaire: Questionnaire
        /// The files read, or the store's path.
        public var inputs: [String]
        /// The previous period's analysis, when one was given.
        public var previous: Analysis?
    }

    public func run() throws -> Result {
        var result = try analyze(source)
        guard let previous else { return result }
        let before: Result
        do {
            before = try AnalyzeResponses(source: previous, options: options).analyze(previous)
        } catch {
            throw UserError("the previous period to compare with: \(error)")
        }
        let (q, p) = (result.questionnaire, before.questionnaire)
        guard q.id == p.id, q.version == p.version else {
            throw UserError("the previous period was answered on \(p.id) \(p.version), this one on \(q.id) \(q.version): a change can only be measured on the same questionnaire")
        }
        result.analysis.change = Analysis.changes(from: before.analysis, to: result.analysis)
        result.previous = before.analysis
        return result
    }

    func analyze(_ source: Source) throws -> Result {
        switch source {
        case .store(let store, let reference, let filter):
            let q = try StoredQuestionnaire.resolve(reference, in: store, catalog: catalog)
            let (table, _) = try store.responses(questionnaire: q, filter: filter)
            guard table.count > 0 else { throw UserError("\(store.location): no stored responses of \(q.id) \(q.version) match the filters") }
            // The store's names of fields, channels and units, over those of the options.
            let labels = options.labels.overridden(by: try store.labels())
            return Result(analysis: try analyze(table, labels: labels), questionnaire: q, inputs: [store.location], previous: nil)
        case .files(let paths, let reference):
            let q = try catalog.load(reference)
            var parts: [ResponseTable] = []
            for path in paths { parts.append(try CanonicalCSVReader(questionnaire: q).read(contentsOf: URL(fileURLWithPath: path))) }
            var table = parts.count == 1 ? parts[0] : ResponseTable(questionnaire: q)
            if parts.count > 1 { for part in parts { table.append(contentsOf: part) } }
            // Form ids are checked on a second core while the analysis runs.
            nonisolated(unsafe) var found: (repeats: [DuplicateForms.Repeat], total: Int) = ([], 0)
            let frozen = parts
            let group = DispatchGroup()
            DispatchQueue.global().async(group: group) { found = DuplicateForms.find(frozen) }
            let analysis = try analyze(table)
            group.wait()
            if found.total > 0 { throw UserError(DuplicateForms.refusal(found, paths: paths, questionnaire: q)) }
            return Result(analysis: analysis, questionnaire: q, inputs: paths, previous: nil)
        }
    }

    func analyze(_ table: ResponseTable, labels: Labels? = nil) throws -> Analysis {
        var options = self.options
        if let labels { options.labels = labels }
        var analysis = try Analyzer(options: options).analyze(table, by: groups)
        if let dossiers { analysis.decree766 = try CounterRate.compute(table, dossiers: dossiers) }
        return analysis
    }

    /// The documented JSON object of an analysis (sorted keys, no escaped slashes).
    public static func json(_ analysis: Analysis) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(analysis), as: UTF8.self)
    }
}
