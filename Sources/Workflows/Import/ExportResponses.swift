import Foundation
import SIPASCSV
import SIPASModel
import SIPASStore
import SIPASStoring
import SIPASTemplate

/// Stored responses written in the canonical layout: CSV (with BOM) or the data-entry template
/// filled in (.xlsx). Both import back unchanged.
///
/// Use it for `sipas export` and for handing a period's forms to another tool.
public struct ExportResponses {
    /// The questionnaire (an id or a YAML file); optional when the store holds one.
    public var questionnaire: String?
    public var filter: ResponseFilter
    public var catalog = QuestionnaireCatalog()

    public init(questionnaire: String?, filter: ResponseFilter) {
        self.questionnaire = questionnaire
        self.filter = filter
    }

    public struct Result: Sendable, Equatable {
        public var responses: Int
        public var questionnaireID: String
        public var version: String
    }

    /// Writes to `out`, whose extension (.csv or .xlsx) chooses the format.
    public func run(store: any ResponseReading, out: String) throws -> Result {
        let q = try StoredQuestionnaire.resolve(questionnaire, in: store, catalog: catalog)
        let (table, _) = try store.responses(questionnaire: q, filter: filter)
        let url = URL(fileURLWithPath: out)
        switch url.pathExtension.lowercased() {
        case "csv":
            do {
                try CanonicalCSVWriter().write(table, to: url)
            } catch {
                throw UserError("\(out): cannot write (\(error))")
            }
        case "xlsx":
            guard let yaml = try store.questionnaireYAML(id: q.id, version: q.version) else { throw UserError("questionnaire text missing from the store") }
            let units = Set((0..<table.count).compactMap { table.unit[$0] })
            guard units.count <= 1 else {
                throw UserError("an .xlsx export holds one unit (the template's); these responses come from \(units.count) units: choose one unit, or export to .csv")
            }
            let identity = TemplateIdentity(questionnaireID: q.id, version: q.version, contentHash: Hex.sha256(yaml), unit: units.first)
            try TemplateWriter(questionnaire: q, identity: identity).write(to: out, responses: table)
        default:
            throw UserError("\(out): the output must end in .csv or .xlsx")
        }
        return Result(responses: table.count, questionnaireID: q.id, version: q.version)
    }
}
