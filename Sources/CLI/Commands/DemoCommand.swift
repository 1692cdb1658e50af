import ArgumentParser
import Foundation
import SIPASModel
import SIPASStatistics
import SIPASStore
import SIPASStoring
import SIPASSynthetic
import SIPASTemplate

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build a sample commune end to end: store, paper forms typed into templates, import, report.",
        discussion: """
            Creates DIR/sipas.sqlite for a sample commune (Xã Định Hóa, XA01), types 150 synthetic SIPAS \
            forms of 2025 and 200 of 2026 into data-entry templates, imports them through the real import \
            path, stores a year (2026) of counter ratings through the kiosk's storage path, and writes \
            DIR/bao-cao-2026.xlsx with the example profile. Same seed, same result.
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
            let forms = SyntheticResponses(count: count, units: 1, satisfaction: satisfaction, seed: seed &+ UInt64(year), year: year, populationSeed: seed).generate(q)
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

        let ratings = try counterRatings(store)
        emit("4. A year of counter ratings at the kiosk: \(ratings) ratings across fields and channels")

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
        emit("5. " + ReportCommand.summary(built.report, out: out))
    }

    /// 2026's working days at the one-stop counter: a few ratings a day through the kiosk's storage
    /// path, fields and channels in realistic proportions, land and construction less satisfied.
    func counterRatings(_ store: ResponseStore) throws -> Int {
        let (q, yaml) = try QuestionnaireCatalog().loadWithText("counter-quick")
        try wrap { try store.prepareKiosk(questionnaire: q, yaml: yaml, unit: "XA01", unitName: nil) }
        var g = SeededGenerator(seed: seed &+ 766)
        let fields: [(String, weight: Double, unhappy: Double)] = [
            ("ho-tich", 0.38, 0.02), ("chung-thuc", 0.24, 0.015), ("dat-dai", 0.2, 0.08), ("xay-dung", 0.1, 0.06), ("dau-tu", 0.04, 0.05),
            ("lao-dong", 0.04, 0.03),
        ]
        let channels: [(String, Double)] = [("truc-tiep", 0.8), ("truc-tuyen", 0.15), ("buu-chinh", 0.05)]
        func pick<T>(_ options: [(T, Double)]) -> T {
            var u = Double.random(in: 0..<1, using: &g)
            for (value, weight) in options {
                if u < weight { return value }
                u -= weight
            }
            return options[options.count - 1].0
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone.current
        var day = calendar.date(from: DateComponents(year: 2026, month: 1, day: 5))!
        let end = calendar.date(from: DateComponents(year: 2026, month: 12, day: 31))!
        var ratings: [KioskRating] = []
        while day <= end {
            let weekday = calendar.component(.weekday, from: day)
            if weekday != 1 && weekday != 7 {
                for _ in 0..<Int.random(in: 3...9, using: &g) {
                    let field = pick(fields.map { ($0, $0.weight) })
                    let minute = Int.random(in: (7 * 60 + 30)..<(17 * 60), using: &g)
                    func answer(_ unhappy: Double) -> UInt8 {
                        let u = Double.random(in: 0..<1, using: &g)
                        return u < unhappy ? 1 : u < unhappy + (1 - unhappy) * 0.45 ? 2 : 3
                    }
                    var followUps: [String: UInt8] = [:]
                    if Double.random(in: 0..<1, using: &g) < 0.6 { followUps["staff"] = answer(field.unhappy * 0.7) }
                    if Double.random(in: 0..<1, using: &g) < 0.4 { followUps["time"] = answer(field.unhappy * 1.5) }
                    if Double.random(in: 0..<1, using: &g) < 0.3 { followUps["result"] = answer(field.unhappy) }
                    ratings.append(KioskRating(
                        kioskID: "quay-1", unit: "XA01", field: field.0, channel: pick(channels), item: "overall", code: answer(field.unhappy),
                        at: day.addingTimeInterval(Double(minute * 60)), followUps: followUps))
                }
            }
            day = calendar.date(byAdding: .day, value: 1, to: day)!
        }
        let outcomes = try wrap { try store.recordRatings(ratings, questionnaire: q) }
        if let failure = outcomes.first(where: { if case .failure = $0 { true } else { false } }) { throw CLIError("demo counter ratings: \(failure)") }
        return ratings.count
    }
}
