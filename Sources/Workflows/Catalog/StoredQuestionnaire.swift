import Foundation
import SIPASModel
import SIPASStore
import SIPASStoring

/// The questionnaire of stored responses, from the copy kept in the store (never the file on
/// disk, which may have changed since the forms were imported).
///
/// Use it whenever responses are read back from a store: analyse, export, report.
public enum StoredQuestionnaire {
    /// The questionnaire `reference` (an id, or a YAML file whose id is used) as stored; with no
    /// reference, the only questionnaire the store holds.
    public static func resolve(_ reference: String?, in store: any ResponseReading, catalog: QuestionnaireCatalog = QuestionnaireCatalog()) throws -> Questionnaire {
        try resolveWithText(reference, in: store, catalog: catalog).questionnaire
    }

    /// ``resolve(_:in:catalog:)`` with the stored YAML text (a report carries it in its manifest).
    /// `stored` is the store's ``ResponseReading/questionnaires()`` when the caller has it already
    /// (counting 2 M forms takes a quarter of a second).
    public static func resolveWithText(
        _ reference: String?, in store: any ResponseReading, catalog: QuestionnaireCatalog = QuestionnaireCatalog(), stored known: [StoredVersion]? = nil
    ) throws -> (questionnaire: Questionnaire, yaml: String) {
        let stored = try known ?? store.questionnaires()
        guard !stored.isEmpty else { throw UserError("\(store.location): the store holds no responses yet; import some first (sipas import …)") }
        let id: String
        if let reference {
            if stored.contains(where: { $0.id == reference }) {
                id = reference
            } else {
                // A path or an id the store does not hold: read the file to learn its id.
                let q = try catalog.load(reference)
                guard stored.contains(where: { $0.id == q.id }) else {
                    throw UserError("\(store.location): no responses of questionnaire \(q.id); the store holds \(stored.map { "\($0.id) \($0.version) (\($0.responses))" }.joined(separator: ", "))")
                }
                id = q.id
            }
        } else {
            let ids = Set(stored.map(\.id))
            guard ids.count == 1, let only = ids.first else {
                throw UserError("\(store.location) holds several questionnaires (\(ids.sorted().joined(separator: ", "))): choose one", remedy: .questionnaire)
            }
            id = only
        }
        guard let yaml = try store.questionnaireYAML(id: id) else { throw UserError("questionnaire \(id) missing from the store") }
        do {
            return (try Questionnaire(yaml: yaml, file: "\(store.location) (stored \(id))"), yaml)
        } catch {
            throw UserError("the stored copy of \(id) has problems:\n\(error.description)")
        }
    }
}
