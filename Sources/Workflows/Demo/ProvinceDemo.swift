import Foundation
import SIPASCSV
import SIPASModel
import SIPASReport
import SIPASStore
import SIPASStoring
import SIPASSynthetic

/// A sample province end to end: the ten communes of the example province profile, each with its
/// own store, two years of synthetic forms (different satisfaction, the order of the communes
/// changing between the years) and its own report workbooks; the province imports every workbook
/// through the one import engine and writes its consolidation. Same seed, same result.
///
/// Use it to show the province's side (`sipas demo --province`).
public struct ProvinceDemo {
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
        public var report: BuiltProvinceReport
    }

    /// The communes of `Reports/vi-du-tinh.yaml` (the sixth sends nothing for 2026): forms in each
    /// year and the share satisfied the synthetic forms are drawn around.
    static let communes: [(code: String, name: String, forms: (Int, Int), satisfaction: (Double, Double))] = [
        ("XA01", "Xã Định Hóa", (150, 200), (0.88, 0.93)),
        ("XA02", "Xã Phú Đình", (120, 160), (0.91, 0.89)),
        ("XA03", "Xã Bảo Cường", (90, 24), (0.84, 0.9)),
        ("XA04", "Xã Phú Lương", (200, 240), (0.8, 0.86)),
        ("XA05", "Xã Yên Trạch", (110, 130), (0.93, 0.82)),
        ("XA06", "Xã Đại Từ", (100, 0), (0.86, 0)),
        ("XA07", "Xã Tân Cương", (140, 150), (0.85, 0.88)),
        ("XA08", "Xã Quân Chu", (80, 90), (0.9, 0.94)),
        ("XA09", "Xã Hóa Thượng", (160, 180), (0.78, 0.8)),
        ("XA10", "Xã La Bằng", (60, 70), (0.82, 0.91)),
    ]

    /// `count` synthetic forms of one commune `unit` in `year`, at about `satisfaction` satisfied.
    public static func communeForms(
        _ q: Questionnaire, unit: String, count: Int, satisfaction: Double, seed: UInt64, year: Int, populationSeed: UInt64
    ) -> ResponseTable {
        let generated = SyntheticResponses(count: count, units: 1, satisfaction: satisfaction, seed: seed, year: year, populationSeed: populationSeed)
            .generate(q)
        var table = ResponseTable(questionnaire: q)
        table.append(
            rows: generated.count, formID: generated.formID.map { $0.replacingOccurrences(of: "XA01", with: unit) },
            unit: (0..<generated.count).map { _ in unit }, collectedOn: generated.collectedOn,
            channel: (0..<generated.count).map { generated.channel[$0] }, field: (0..<generated.count).map { generated.field[$0] },
            codes: generated.codes, picks: generated.picks, texts: generated.texts)
        return table
    }

    /// A commune's report profile: the example commune profile (Reports/vi-du-xa.yaml) with its code and name.
    public static func communeProfile(code: String, name: String) throws -> String {
        try Demo.exampleProfile("vi-du-xa.yaml").replacingOccurrences(of: "code: XA01", with: "code: \(code)")
            .replacingOccurrences(of: "name: \"Xã Định Hóa\"", with: "name: \"\(name)\"")
    }

    public func run(step: (String) -> Void = { _ in }) throws -> Result {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let submitted = folder.appendingPathComponent("nop")
        try? FileManager.default.removeItem(at: submitted)
        try FileManager.default.createDirectory(at: submitted, withIntermediateDirectories: true)
        let (q, _) = try catalog.loadWithText("sipas-2023")
        var workbooks: [String] = []
        for (k, c) in Self.communes.enumerated() {
            let dir = folder.appendingPathComponent(c.code.lowercased())
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let storePath = dir.appendingPathComponent("sipas.sqlite").path
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: storePath + suffix) }
            let store = try ResponseStore(path: storePath, create: true)
            try store.register(UnitRecord(code: c.code, name: c.name, level: "xã", province: "Thái Nguyên"))
            var files: [String] = []
            for (year, count, satisfaction) in [(2025, c.forms.0, c.satisfaction.0), (2026, c.forms.1, c.satisfaction.1)] where count > 0 {
                let table = Self.communeForms(
                    q, unit: c.code, count: count, satisfaction: satisfaction, seed: seed &+ UInt64(100 * k + year), year: year, populationSeed: seed)
                let csv = dir.appendingPathComponent("phieu-\(year).csv")
                try CanonicalCSVWriter().write(table, to: csv)
                files.append(csv.path)
            }
            var importer = ImportFiles(files: files, questionnaire: "sipas-2023", importedBy: "demo")
            importer.catalog = catalog
            _ = try importer.run(into: store)
            let profile = dir.appendingPathComponent("ho-so-bao-cao.yaml")
            try Data(try Self.communeProfile(code: c.code, name: c.name).utf8).write(to: profile)
            for (year, count) in [(2025, c.forms.0), (2026, c.forms.1)] where count > 0 {
                var build = BuildReport(profilePath: profile.path, period: ReportPeriod(parse: String(year)))
                build.catalog = catalog
                let out = submitted.appendingPathComponent("bao-cao-\(c.code.lowercased())-\(year).xlsx").path
                try build.run(store: store).write(to: out)
                workbooks.append(out)
            }
        }
        step("1. \(Self.communes.count) communes, each with its store and its report workbooks: \(workbooks.count) workbooks in \(submitted.path)")

        let storePath = folder.appendingPathComponent("tinh.sqlite").path
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: storePath + suffix) }
        let province = try ResponseStore(path: storePath, create: true)
        try province.register(UnitRecord(code: "TN", name: "Tỉnh Thái Nguyên", level: "tỉnh"))
        var importer = ImportFiles(files: workbooks, importedBy: "demo")
        importer.catalog = catalog
        let imported = try importer.run(into: province)
        step("2. The province imported \(imported.files.count) workbooks (\(imported.forms) forms), each checked against its manifest, into \(storePath)")

        let profile = folder.appendingPathComponent("ho-so-tinh.yaml")
        try Data(try Demo.exampleProfile("vi-du-tinh.yaml").utf8).write(to: profile)
        var build = BuildProvinceReport(profilePath: profile.path, period: ReportPeriod(parse: "2026"))
        build.catalog = catalog
        let built = try build.run(store: province)
        let out = folder.appendingPathComponent("tong-hop-2026.xlsx").path
        try built.write(to: out)
        step("3. " + built.summary(out: out))
        return Result(storePath: storePath, workbook: out, report: built)
    }
}
