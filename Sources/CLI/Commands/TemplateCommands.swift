import ArgumentParser
import Foundation
import SIPASModel
import SIPASTemplate
import SIPASWorkflows

struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Write the Excel data-entry template (mẫu nhập phiếu) for typing in paper forms.",
        discussion: """
            One row per paper form from row 3; row 1 is the Vietnamese question, row 2 the item id \
            (do not edit it). Coded columns have drop-down lists; the legend sheet lists every code. \
            The template remembers the questionnaire version, so import refuses a template of another one.

            Example: sipas template --questionnaire sipas-2023 --unit XA01 --out phieu-2026.xlsx
            """)

    @Option(help: "Questionnaire id or YAML file.")
    var questionnaire: String

    @Option(help: "Unit code the forms belong to (recorded in the template).")
    var unit: String?

    @Option(help: "Output .xlsx file.")
    var out: String

    func run() throws {
        let (q, yaml) = try QuestionnaireCatalog().loadWithText(questionnaire)
        let identity = TemplateIdentity(questionnaireID: q.id, version: q.version, contentHash: Hex.sha256(yaml), unit: unit)
        try TemplateWriter(questionnaire: q, identity: identity).write(to: out)
        emit("Wrote \(out): template for \(q.id) \(q.version)\(unit.map { ", unit \($0)" } ?? "") — \(q.items.count) columns of items, rows from 3.")
    }
}
