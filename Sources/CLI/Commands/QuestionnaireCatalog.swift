import Foundation
import SIPASModel

/// Finds questionnaires by id or path.
///
/// Ids are looked up, in order, in `$SIPAS_QUESTIONNAIRES`, `./Questionnaires` and the
/// `Questionnaires/` folder of the source tree sipas was built from.
struct QuestionnaireCatalog {
    var directories: [URL]

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        var dirs: [URL] = []
        if let env = environment["SIPAS_QUESTIONNAIRES"], !env.isEmpty {
            dirs.append(URL(fileURLWithPath: env, isDirectory: true))
        }
        dirs.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Questionnaires"))
        dirs.append(Self.sourceTreeDirectory)
        var seen = Set<String>()
        directories = dirs.filter { seen.insert($0.standardizedFileURL.path).inserted }
    }

    /// `Questionnaires/` beside this source file's package root.
    static var sourceTreeDirectory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Questionnaires")
    }

    /// Questionnaire files available by id, first directory wins.
    func available() -> [(id: String, url: URL)] {
        var found: [String: URL] = [:]
        var order: [String] = []
        for dir in directories {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { continue }
            for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
                let id = (name as NSString).deletingPathExtension
                if found[id] == nil {
                    found[id] = dir.appendingPathComponent(name)
                    order.append(id)
                }
            }
        }
        return order.map { ($0, found[$0]!) }
    }

    /// Loads `reference`: a path to a YAML file, or the id of an available questionnaire.
    func load(_ reference: String) throws -> Questionnaire {
        let looksLikePath = reference.contains("/") || reference.hasSuffix(".yaml") || reference.hasSuffix(".yml")
        if looksLikePath || FileManager.default.fileExists(atPath: reference) {
            return try Self.load(file: URL(fileURLWithPath: reference))
        }
        guard let entry = available().first(where: { $0.id == reference }) else {
            let ids = available().map(\.id)
            throw CLIError(
                "no questionnaire '\(reference)'. Available: \(ids.isEmpty ? "none found" : ids.joined(separator: ", ")). Give an id or the path of a YAML file (searched: \(directories.map(\.path).joined(separator: ", "))).")
        }
        return try Self.load(file: entry.url)
    }

    /// The questionnaire and its YAML text (stored with imported responses).
    func loadWithText(_ reference: String) throws -> (questionnaire: Questionnaire, yaml: String) {
        let looksLikePath = reference.contains("/") || reference.hasSuffix(".yaml") || reference.hasSuffix(".yml")
        let url: URL
        if looksLikePath || FileManager.default.fileExists(atPath: reference) {
            url = URL(fileURLWithPath: reference)
        } else if let entry = available().first(where: { $0.id == reference }) {
            url = entry.url
        } else {
            _ = try load(reference)
            throw CLIError("no questionnaire '\(reference)'")
        }
        let q = try Self.load(file: url)
        return (q, try String(contentsOf: url, encoding: .utf8))
    }

    static func load(file url: URL) throws -> Questionnaire {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw CLIError("\(url.path): cannot read the questionnaire file as UTF-8 text (\(error.localizedDescription))")
        }
        do {
            return try Questionnaire(yaml: text, file: url.path)
        } catch {
            throw CLIError("the questionnaire has problems:\n" + error.description)
        }
    }
}
