import Foundation
import SIPASModel
import SIPASStore
import SIPASStoring
import SIPASWorkflows
import TestSupport

/// A fresh folder under the system's temporary directory.
func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("sipas-workflows-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A new store in a fresh folder.
func temporaryStore() throws -> (store: ResponseStore, folder: URL) {
    let folder = try temporaryFolder()
    return (try ResponseStore(path: folder.appendingPathComponent("sipas.sqlite").path, create: true), folder)
}

/// Writes `text` (UTF-8) to `name` in `folder` and returns its path.
@discardableResult
func write(_ text: String, _ name: String, in folder: URL) throws -> String {
    let url = folder.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url.path
}

/// The catalogue of the repository's own questionnaires.
let catalog = QuestionnaireCatalog(directories: [QuestionnaireCatalog.sourceTreeDirectory])

/// An import of `files` with the repository's questionnaires.
func importer(_ files: [String], questionnaire: String? = nil, unit: String? = nil, verify: String? = nil, dryRun: Bool = false) -> ImportFiles {
    var i = ImportFiles(files: files, questionnaire: questionnaire, unit: unit, verify: verify, dryRun: dryRun, importedBy: "test")
    i.catalog = catalog
    return i
}

/// The message of the error `body` throws ("" when it throws none).
func message(_ body: () throws -> Void) -> String {
    do {
        try body()
        return ""
    } catch {
        return "\(error)"
    }
}

/// The stores the province's tests run on: the embedded SQLite file and a PostgreSQL server.
enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres
    var description: String { rawValue }
}

/// A new, empty province store of `kind` (PostgreSQL: a database of its own on the test server).
func provinceStore(_ kind: StoreKind, in folder: URL) throws -> any SurveyStore {
    switch kind {
    case .sqlite: return try ResponseStore(path: folder.appendingPathComponent("tinh.sqlite").path, create: true)
    case .postgres: return try PostgresStore(url: try PostgresTestServer.freshDatabase(), create: true)
    }
}
