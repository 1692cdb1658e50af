import Foundation
import SIPASModel

/// Finds questionnaires by id or path.
///
/// Ids are looked up, in order, in `$SIPAS_QUESTIONNAIRES`, `./Questionnaires` and the
/// `Questionnaires/` folder of the source tree sipas was built from. Use it wherever a person
/// names a questionnaire (`sipas-2023`, or `my-form.yaml`).
public struct QuestionnaireCatalog: Sendable {
    public var directories: [URL]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        var dirs: [URL] = []
        if let env = environment["SIPAS_QUESTIONNAIRES"], !env.isEmpty {
            dirs.append(URL(fileURLWithPath: env, isDirectory: true))
        }
        dirs.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Questionnaires"))
        dirs.append(Self.sourceTreeDirectory)
        self.init(directories: dirs)
    }

    /// A catalogue of exactly these folders (first wins), for tests and embedding.
    public init(directories: [URL]) {
        var seen = Set<String>()
        self.directories = directories.filter { seen.insert($0.standardizedFileURL.path).inserted }
    }

    /// `Questionnaires/` of the source tree sipas was built from.
    public static var sourceTreeDirectory: URL {
        sourceTreeRoot.appendingPathComponent("Questionnaires")
    }

    /// The root of the source tree sipas was built from (holds `Questionnaires/`, `Reports/`).
    public static var sourceTreeRoot: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// Questionnaire files available by id, first directory wins.
    public func available() -> [(id: String, url: URL)] {
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
        return order.compactMap { id in found[id].map { (id, $0) } }
    }

    /// Loads `reference`: a path to a YAML file, or the id of an available questionnaire.
    public func load(_ reference: String) throws -> Questionnaire { try loadWithText(reference).questionnaire }

    /// The questionnaire and its YAML text (stored with imported responses, hashed into templates).
    public func loadWithText(_ reference: String) throws -> (questionnaire: Questionnaire, yaml: String) {
        let url = try locate(reference)
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw UserError("\(url.path): cannot read the questionnaire file as UTF-8 text (\(error.localizedDescription))")
        }
        do {
            return (try Questionnaire(yaml: text, file: url.path), text)
        } catch {
            throw UserError("the questionnaire has problems:\n" + error.description)
        }
    }

    /// The file `reference` names: a path, or an available id.
    public func locate(_ reference: String) throws -> URL {
        let looksLikePath = reference.contains("/") || reference.hasSuffix(".yaml") || reference.hasSuffix(".yml")
        if looksLikePath || FileManager.default.fileExists(atPath: reference) {
            return URL(fileURLWithPath: reference)
        }
        guard let entry = available().first(where: { $0.id == reference }) else {
            let ids = available().map(\.id)
            throw UserError(
                "no questionnaire '\(reference)'. Available: \(ids.isEmpty ? "none found" : ids.joined(separator: ", ")). Give an id or the path of a YAML file (searched: \(directories.map(\.path).joined(separator: ", ")).)")
        }
        return entry.url
    }
}
