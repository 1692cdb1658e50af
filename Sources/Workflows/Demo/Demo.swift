import Foundation
import SIPASModel
import SIPASReport
import SIPASStatistics
import SIPASStore
import SIPASStoring
import SIPASSynthetic
import SIPASTemplate

/// A sample commune end to end: a store, synthetic paper forms typed into data-entry templates and
/// imported through the one import engine, a year of counter ratings through the kiosk's storage
/// path, and the province workbook. Same seed, same result.
///
/// Use it to show sipas on a fresh machine (`sipas demo`) and as the end-to-end check in CI.
public struct Demo {
    public var folder: URL
    public var seed: UInt64 = 2026
    public var catalog = QuestionnaireCatalog()

    public init(folder: URL, seed: UInt64 = 2026) {
        self.folder = folder
        self.seed = seed
    }

    public struct Result {
        public var storePath: String
        public var workbook: String
        public var report: BuiltReport
    }

    /// Runs every step; `step` gets a line for each as it is done.
    public func run(step: (String) -> Void = { _ in }) throws -> Result {
        let storePath = folder.appendingPathComponent("sipas.sqlite").path
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: storePath + suffix) }
        let store = try ResponseStore(path: storePath, create: true)
        try store.register(UnitRecord(code: "XA01", name: "Xã Định Hóa", level: "xã", province: "Thái Nguyên"))
        step("1. Store \(storePath): unit XA01 — Xã Định Hóa")

        let (q, yaml) = try catalog.loadWithText("sipas-2023")
        let identity = TemplateIdentity(questionnaireID: q.id, version: q.version, contentHash: Hex.sha256(yaml), unit: "XA01")
        var files: [String] = []
        for (year, count, satisfaction) in [(2025, 150, 0.88), (2026, 200, 0.93)] {
            let forms = SyntheticResponses(count: count, units: 1, satisfaction: satisfaction, seed: seed &+ UInt64(year), year: year, populationSeed: seed).generate(q)
            let path = folder.appendingPathComponent("phieu-\(year).xlsx").path
            try TemplateWriter(questionnaire: q, identity: identity).write(to: path, responses: forms)
            files.append(path)
        }
        step("2. Paper forms typed into templates: \(files.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", "))")

        var importer = ImportFiles(files: files, importedBy: "demo")
        importer.catalog = catalog
        let imported = try importer.run(into: store)
        step("3. Imported \(imported.forms) forms through the template import")

        let ratings = try counterRatings(store)
        step("4. A year of counter ratings at the kiosk: \(ratings) ratings across fields and channels")

        let profile = folder.appendingPathComponent("ho-so-bao-cao.yaml")
        try Data(try Self.exampleProfile("vi-du-xa.yaml").utf8).write(to: profile)
        let out = folder.appendingPathComponent("bao-cao-2026.xlsx").path
        var build = BuildReport(profilePath: profile.path, period: ReportPeriod(parse: "2026"))
        build.catalog = catalog
        let built = try build.run(store: store)
        try built.write(to: out)
        step("5. " + built.summary(out: out))
        return Result(storePath: storePath, workbook: out, report: built)
    }

    /// 2026's working days at the one-stop counter: a few ratings a day through the kiosk's storage
    /// path, fields and channels in realistic proportions, land and construction less satisfied.
    func counterRatings(_ store: any KioskRatingStore) throws -> Int {
        let (q, yaml) = try catalog.loadWithText("counter-quick")
        try store.prepareKiosk(questionnaire: q, yaml: yaml, unit: "XA01", unitName: nil)
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
        guard var day = calendar.date(from: DateComponents(year: 2026, month: 1, day: 5)),
              let end = calendar.date(from: DateComponents(year: 2026, month: 12, day: 31)) else { return 0 }
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
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = next
        }
        let outcomes = try store.recordRatings(ratings, questionnaire: q, replayOnly: nil)
        if let failure = outcomes.first(where: { if case .failure = $0 { true } else { false } }) { throw UserError("demo counter ratings: \(failure)") }
        return ratings.count
    }

    /// An example profile from `Reports/`, beside the working directory or in the source tree.
    static func exampleProfile(_ name: String) throws -> String {
        let local = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Reports/\(name)")
        let source = FileManager.default.fileExists(atPath: local.path) ? local : QuestionnaireCatalog.sourceTreeRoot.appendingPathComponent("Reports/\(name)")
        do {
            return try String(contentsOf: source, encoding: .utf8)
        } catch {
            throw UserError("cannot read the example profile \(source.path): \(error.localizedDescription)")
        }
    }
}
