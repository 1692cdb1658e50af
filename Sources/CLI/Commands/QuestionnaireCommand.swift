import ArgumentParser
import Foundation
import SIPASWorkflows
import SIPASModel

struct QuestionnaireCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "questionnaire",
        abstract: "List, show and validate questionnaires (phiếu khảo sát).",
        subcommands: [List.self, Show.self, Validate.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the questionnaires sipas can find.")

        func run() throws {
            let catalog = QuestionnaireCatalog()
            var lines: [String] = []
            for (id, url) in catalog.available() {
                do {
                    let q = try QuestionnaireCatalog().load(url.path)
                    let scored = q.scoredItems.count
                    lines.append("\(pad(id, 16)) \(pad(q.version, 9)) \(pad("\(q.items.count) items, \(scored) scored", 26)) \(q.source.verified ? "verified " : "unverified") \(q.title)")
                } catch {
                    lines.append("\(pad(id, 16)) INVALID: \(url.path) — run `sipas questionnaire validate \(url.path)`")
                }
            }
            if lines.isEmpty {
                throw CLIError("no questionnaires found in \(catalog.directories.map(\.path).joined(separator: ", ")); set SIPAS_QUESTIONNAIRES to a folder of YAML files")
            }
            emit(lines.joined(separator: "\n"))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a questionnaire: items, codes and the index tree.",
            discussion: "Example: sipas questionnaire show counter-quick")

        @Argument(help: "A questionnaire id (see `sipas questionnaire list`) or the path of a YAML file.")
        var questionnaire: String

        func run() throws {
            let q = try QuestionnaireCatalog().load(questionnaire)
            emit(QuestionnaireText.render(q))
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check questionnaire files; report every problem with file, line and id.",
            discussion: "Exits with status 1 when any file has a problem.")

        @Argument(help: "YAML files to check.")
        var files: [String]

        func validate() throws {
            if files.isEmpty { throw ValidationError("give at least one YAML file to check") }
        }

        func run() throws {
            var failed = false
            for file in files {
                do {
                    let q = try QuestionnaireCatalog().load(file)
                    emit("\(file): OK — \(q.id) \(q.version), \(q.items.count) items, \(q.scoredItems.count) scored, \(q.scoring.indices.count) indices")
                } catch {
                    failed = true
                    emitError("\(error)")
                }
            }
            if failed { throw ExitCode(1) }
        }
    }
}
