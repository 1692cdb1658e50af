import ArgumentParser
import Crypto
import Foundation
import SIPASModel
import SIPASTemplate
import SIPASXlsxReader

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
        let identity = TemplateIdentity(questionnaireID: q.id, version: q.version, contentHash: sha256(yaml), unit: unit)
        do {
            try TemplateWriter(questionnaire: q, identity: identity).write(to: out)
        } catch {
            throw CLIError("\(error)")
        }
        emit("Wrote \(out): template for \(q.id) \(q.version)\(unit.map { ", unit \($0)" } ?? "") — \(q.items.count) columns of items, rows from 3.")
    }
}

func sha256(_ text: String) -> String {
    sha256(data: Data(text.utf8))
}

func sha256(data: Data) -> String {
    hex(SHA256.hash(data: data))
}

/// A digest as lowercase hexadecimal.
func hex(_ digest: some Sequence<UInt8>) -> String {
    digest.map { String(format: "%02x", $0) }.joined()
}

/// SHA-256 of a file read in blocks (a large CSV is never held whole).
func sha256(fileAt url: URL) throws -> String {
    do {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let block = try handle.read(upToCount: 1 << 20), !block.isEmpty { hasher.update(data: block) }
        return hex(hasher.finalize())
    } catch {
        throw CLIError("\(url.path): cannot read (\(error.localizedDescription))")
    }
}

/// Reading a filled template for `sipas import`.
enum TemplateImport {
    struct Filled {
        var questionnaire: Questionnaire
        var yaml: String
        var table: ResponseTable
    }

    static func read(_ url: URL, data: Data, questionnaire reference: String?) throws -> Filled {
        let name = url.path
        let book: XlsxWorkbook
        do {
            book = try XlsxWorkbook(data: data, file: name)
        } catch {
            throw CLIError("\(error)")
        }
        let identity: TemplateIdentity
        do {
            identity = try TemplateReader.identity(of: book)
        } catch {
            throw CLIError("\(error)")
        }
        let (q, yaml) = try QuestionnaireCatalog().loadWithText(reference ?? identity.questionnaireID)
        guard q.id == identity.questionnaireID else {
            throw CLIError("\(name): this template is for questionnaire \(identity.questionnaireID), not \(q.id)")
        }
        guard q.version == identity.version, sha256(yaml) == identity.contentHash else {
            throw CLIError("\(name): this template was made for \(identity.questionnaireID) \(identity.version) (hash \(identity.contentHash.prefix(12))…), but the questionnaire is now \(q.version) (hash \(sha256(yaml).prefix(12))…). Type the forms into a new template (sipas template …) or import with the questionnaire file the template was made from (--questionnaire FILE).")
        }
        do {
            return Filled(questionnaire: q, yaml: yaml, table: try TemplateReader.read(book, questionnaire: q, unit: identity.unit))
        } catch {
            throw CLIError("\(error)")
        }
    }
}

/// `sipas export --out FILE.xlsx`: the template layout with the responses filled in.
enum DataWorkbook {
    static func write(_ table: ResponseTable, yaml: String, to path: String) throws {
        let q = table.questionnaire
        let units = Set((0..<table.count).compactMap { table.unit[$0] })
        guard units.count <= 1 else {
            throw CLIError("an .xlsx export holds one unit (the template's); these responses come from \(units.count) units: add --unit CODE, or export to .csv")
        }
        let identity = TemplateIdentity(questionnaireID: q.id, version: q.version, contentHash: sha256(yaml), unit: units.first)
        do {
            try TemplateWriter(questionnaire: q, identity: identity).write(to: path, responses: table)
        } catch {
            throw CLIError("\(error)")
        }
    }
}
