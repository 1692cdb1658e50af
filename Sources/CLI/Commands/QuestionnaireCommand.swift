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

func pad(_ s: String, _ width: Int) -> String {
    let n = s.count
    return n >= width ? s : s + String(repeating: " ", count: width - n)
}

func padLeft(_ s: String, _ width: Int) -> String {
    let n = s.count
    return n >= width ? s : String(repeating: " ", count: width - n) + s
}

enum QuestionnaireText {
    static func render(_ q: Questionnaire) -> String {
        var out: [String] = []
        out.append("\(q.title)")
        if let en = q.titleEN { out.append(en) }
        out.append("id \(q.id) · version \(q.version) · \(q.source.decision) · wording \(q.source.verified ? "verified" : "NOT verified")")
        if let note = q.source.note { out.append("note: \(note)") }
        for section in q.sections {
            out.append("")
            out.append("== \(section.title)")
            for item in section.items {
                let number = item.number.map { "\($0). " } ?? ""
                var line = "  \(item.id) [\(item.type.rawValue)\(item.required ? ", required" : "")] \(number)\(item.text)"
                if let sat = q.satisfiedCodes(for: item) { line += "  (satisfied: \(sat.sorted().map(String.init).joined(separator: ",")))" }
                out.append(line)
                if !item.options.isEmpty, item.scaleID == nil || item == section.items.first(where: { $0.scaleID == item.scaleID }) {
                    let codes = (item.options + item.missing).map { "\($0.code) \($0.label)" }.joined(separator: " · ")
                    out.append("      \(codes)")
                }
            }
        }
        out.append("")
        out.append("== Index tree (overall: \(q.scoring.overall))")
        func describe(_ id: String, depth: Int) {
            guard let index = q.index(id) else { return }
            let indent = String(repeating: "  ", count: depth + 1)
            switch index.members {
            case .criteria(let items):
                out.append("\(indent)\(index.id) — \(index.title) [\(index.aggregate.name) of \(items.joined(separator: ", "))]")
            case .question(let item):
                out.append("\(indent)\(index.id) — \(index.title) [share satisfied on \(item)]")
            case .components(let components):
                var rule = index.aggregate.name
                if case .weights(let w) = index.aggregate {
                    rule += " " + components.map { "\($0)=\(w[$0] ?? 0)" }.joined(separator: ", ")
                }
                out.append("\(indent)\(index.id) — \(index.title) [\(rule)]")
                for c in components { describe(c, depth: depth + 1) }
            }
        }
        describe(q.scoring.overall, depth: 0)
        let reached = Set(reachable(q.scoring.overall, q))
        for index in q.scoring.indices where !reached.contains(index.id) { describe(index.id, depth: 0) }
        return out.joined(separator: "\n")
    }

    static func reachable(_ id: String, _ q: Questionnaire) -> [String] {
        guard let index = q.index(id) else { return [] }
        if case .components(let c) = index.members { return [id] + c.flatMap { reachable($0, q) } }
        return [id]
    }
}
