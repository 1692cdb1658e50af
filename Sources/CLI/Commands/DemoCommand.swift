import ArgumentParser
import Foundation
import SIPASModel
import SIPASStore
import SIPASSynthetic
import SIPASTemplate

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build a sample commune end to end: store, paper forms typed into templates, import, report.",
        discussion: """
            Creates DIR/sipas.sqlite for a sample commune (Xã Định Hóa, XA01), types 150 synthetic SIPAS \
            forms of 2025 and 200 of 2026 into data-entry templates, imports them through the real import \
            path, and writes DIR/bao-cao-2026.xlsx with the example profile. Same seed, same result.
            """)

    @Option(help: "Folder for the demo (replaced if it holds an earlier demo).")
    var dir = "sipas-demo"

    @Option(help: "Seed of the synthetic forms.")
    var seed: UInt64 = 2026

    func run() throws {
        let folder = URL(fileURLWithPath: dir)
        let storePath = folder.appendingPathComponent("sipas.sqlite").path
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: storePath + suffix) }
        let store = try StoreOptions(path: storePath).open(create: true)
        try wrap { try store.register(UnitRecord(code: "XA01", name: "Xã Định Hóa", level: "xã", province: "Thái Nguyên")) }
        emit("1. Store \(storePath): unit XA01 — Xã Định Hóa")

        let (q, yaml) = try QuestionnaireCatalog().loadWithText("sipas-2023")
        let identity = TemplateIdentity(questionnaireID: q.id, version: q.version, contentHash: sha256(yaml), unit: "XA01")
        var files: [String] = []
        for (year, count, satisfaction) in [(2025, 150, 0.88), (2026, 200, 0.93)] {
            let forms = SyntheticResponses(count: count, units: 1, satisfaction: satisfaction, seed: seed &+ UInt64(year), year: year).generate(q)
            let path = folder.appendingPathComponent("phieu-\(year).xlsx").path
            do {
                try TemplateWriter(questionnaire: q, identity: identity).write(to: path, responses: forms)
            } catch {
                throw CLIError("\(error)")
            }
            files.append(path)
        }
        emit("2. Paper forms typed into templates: \(files.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", "))")

        var batches: [ImportBatch] = []
        for path in files {
            let loaded = try LoadedFile.read(path, questionnaire: nil, unit: nil)
            var b = ImportBatch(
                fileName: URL(fileURLWithPath: path).lastPathComponent, sha256: loaded.sha256, source: .paper, table: loaded.table,
                importedBy: "demo", questionnaireYAML: loaded.yaml)
            b.firstDataRow = 3
            batches.append(b)
        }
        let results = try wrap { try store.importBatches(batches) }
        emit("3. Imported \(results.map(\.rows).reduce(0, +)) forms through the template import")

        let profile = folder.appendingPathComponent("ho-so-bao-cao.yaml")
        let example = QuestionnaireCatalog.sourceTreeDirectory.deletingLastPathComponent().appendingPathComponent("Reports/vi-du-xa.yaml")
        let local = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Reports/vi-du-xa.yaml")
        let source = FileManager.default.fileExists(atPath: local.path) ? local : example
        try? FileManager.default.removeItem(at: profile)
        do {
            try FileManager.default.copyItem(at: source, to: profile)
        } catch {
            throw CLIError("cannot copy the example profile \(source.path): \(error.localizedDescription)")
        }
        let out = folder.appendingPathComponent("bao-cao-2026.xlsx").path
        let built = try ReportCommand.build(profilePath: profile.path, period: "2026", store: store)
        do {
            try SIPASReportWriter.write(built, to: out)
        } catch {
            throw CLIError("\(error)")
        }
        emit("4. " + ReportCommand.summary(built.report, out: out))
    }
}
