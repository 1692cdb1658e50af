import Foundation
import SIPASAnalysis
import SIPASCSV
import SIPASModel
import SIPASReport
import SIPASStore
import SIPASStoring
import SIPASSynthetic
import SIPASWorkflows
import Testing

/// A commune's report workbook made the way a commune makes it: synthetic forms written as CSV,
/// imported into the commune's own store, reported with the example profile under the commune's
/// code and name. `questionnaire` may be a YAML path (another version of sipas-2023).
struct CommuneReport {
    var code: String
    var name: String
    var path: String
    /// The commune's own report, as `sipas report` built it.
    var built: BuiltReport
}

func communeReport(
    _ code: String, _ name: String, forms: Int = 120, satisfaction: Double, seed: UInt64, questionnaire: String = "sipas-2023", year: Int = 2026,
    in folder: URL
) throws -> CommuneReport {
    let q = try catalog.load(questionnaire)
    let generated = SyntheticResponses(count: forms, units: 1, satisfaction: satisfaction, seed: seed, year: year).generate(q)
    var table = ResponseTable(questionnaire: q)
    table.append(
        rows: generated.count, formID: generated.formID, unit: (0..<generated.count).map { _ in code }, collectedOn: generated.collectedOn,
        channel: (0..<generated.count).map { generated.channel[$0] }, field: (0..<generated.count).map { generated.field[$0] },
        codes: generated.codes, picks: generated.picks, texts: generated.texts)
    let suffix = year == 2026 ? "" : "-\(year)"
    let csv = folder.appendingPathComponent("\(code)\(suffix).csv")
    try CanonicalCSVWriter().write(table, to: csv)
    let store = try ResponseStore(path: folder.appendingPathComponent("\(code)\(suffix).sqlite").path, create: true)
    try store.register(UnitRecord(code: code, name: name, level: "xã", province: "Thái Nguyên"))
    _ = try importer([csv.path], questionnaire: questionnaire).run(into: store)
    let profile = exampleProfile
        .replacingOccurrences(of: "code: XA01", with: "code: \(code)")
        .replacingOccurrences(of: "name: \"Xã Định Hóa\"", with: "name: \"\(name)\"")
    let profilePath = try write(profile, "\(code).yaml", in: folder)
    var build = BuildReport(profilePath: profilePath, period: ReportPeriod(parse: String(year)))
    build.catalog = catalog
    let built = try build.run(store: store)
    let path = folder.appendingPathComponent("bao-cao-\(code)\(suffix).xlsx").path
    try built.write(to: path)
    return CommuneReport(code: code, name: name, path: path, built: built)
}

/// Runs a Python script (openpyxl) on a workbook; its output goes to a file (Foundation's Pipe has
/// crashed under concurrent tests on Linux).
func pythonEdit(_ script: String, _ args: [String]) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", script] + args
    try p.run()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0, "python3 failed (is openpyxl installed?)")
}

/// Three communes' workbooks into a province store: every form arrives, each unit filed under its
/// parent with its name, each submission recorded with the manifest's period and data hash.
@Test(arguments: StoreKind.allCases) func communeWorkbooksConsolidateIntoAProvinceStore(kind: StoreKind) throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let communes = try [("XA01", "Xã Định Hóa", 0.93), ("XA02", "Xã Phú Đình", 0.85), ("XA03", "Xã Bảo Cường", 0.78)].enumerated().map {
        try communeReport($1.0, $1.1, satisfaction: $1.2, seed: UInt64(100 + $0), in: folder)
    }
    let province = try provinceStore(kind, in: folder)
    let outcome = try importer(communes.map(\.path)).run(into: province)
    #expect(outcome.files.map(\.forms) == [120, 120, 120])
    #expect(outcome.files.map { $0.submitted?.unit } == ["XA01", "XA02", "XA03"])
    #expect(outcome.files.map(\.newUnits) == [["XA01"], ["XA02"], ["XA03"]])
    let units = Dictionary(uniqueKeysWithValues: try province.units().map { ($0.code, $0) })
    #expect(units["XA02"] == UnitRecord(code: "XA02", name: "Xã Phú Đình", level: "xã", parent: "TN", province: "Thái Nguyên"))
    #expect(units["TN"] != nil)
    let submissions = try province.submissions()
    #expect(submissions.map(\.unit) == ["XA01", "XA02", "XA03"])
    #expect(submissions.allSatisfy { $0.from == "2026-01-01" && $0.to == "2026-12-31" && $0.periodLabel == "Năm 2026" && $0.supersededBy == nil })
    // Each commune's forms, read back from the province store, are the forms its own report hashed.
    let q = try StoredQuestionnaire.resolve("sipas-2023", in: province, catalog: catalog)
    for (c, s) in zip(communes, submissions) {
        let (table, _) = try province.responses(questionnaire: q, filter: ResponseFilter(units: [c.code]))
        #expect(table.count == 120)
        #expect(BuildReport.dataHash(table) == c.built.report.dataSHA256)
        #expect(s.dataSHA256 == c.built.report.dataSHA256)
    }
}

/// A *Dữ liệu* cell changed after export (one valid code for another, with openpyxl) is refused,
/// naming the sheet and the hash; in a folder of workbooks it stops them all.
@Test func aWorkbookEditedAfterExportIsRefusedAndNothingIsImported() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let good = try communeReport("XA01", "Xã Định Hóa", satisfaction: 0.9, seed: 7, in: folder)
    let other = try communeReport("XA02", "Xã Phú Đình", satisfaction: 0.9, seed: 8, in: folder)
    let edited = folder.appendingPathComponent("sua.xlsx").path
    // Column G is the first satisfaction item (after 5 metadata columns and gender): 4 ↔ 5 keeps it valid.
    try pythonEdit(
        """
        import sys, openpyxl
        wb = openpyxl.load_workbook(sys.argv[1])
        ws = wb['Dữ liệu']
        for row in range(2, ws.max_row + 1):
            v = ws.cell(row, 7).value
            if v in (4, 5):
                ws.cell(row, 7).value = 9 - v
                break
        wb.save(sys.argv[2])
        """, [other.path, edited])
    let province = try ResponseStore(path: folder.appendingPathComponent("tinh.sqlite").path, create: true)
    let text = message { _ = try importer([good.path, edited]).run(into: province) }
    #expect(text.contains("sua.xlsx, sheet Dữ liệu"), "\(text)")
    #expect(text.contains("do not hash to the value in the report's manifest"), "\(text)")
    #expect(try province.submissions().isEmpty)
    #expect(try province.questionnaires().allSatisfy { $0.responses == 0 })
    // The same workbook saved by openpyxl without a change is still a valid submission.
    let resaved = folder.appendingPathComponent("luu-lai.xlsx").path
    try pythonEdit("import sys, openpyxl\nopenpyxl.load_workbook(sys.argv[1]).save(sys.argv[2])", [other.path, resaved])
    #expect(try importer([resaved]).run(into: province).forms == 120)
}

/// A second report of the same unit and period is refused; with `replace` it supersedes the first,
/// whose forms stay in the store, withdrawn; a period overlapping a stored one is refused.
@Test(arguments: StoreKind.allCases) func aResubmissionIsRefusedUnlessItSaysItReplacesTheFirst(kind: StoreKind) throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let first = try communeReport("XA01", "Xã Định Hóa", forms: 100, satisfaction: 0.9, seed: 7, in: folder)
    let province = try provinceStore(kind, in: folder)
    _ = try importer([first.path]).run(into: province)
    let second = try communeReport("XA01", "Xã Định Hóa", forms: 110, satisfaction: 0.9, seed: 9, in: try temporaryFolder())
    let refused = message { _ = try importer([second.path]).run(into: province) }
    #expect(refused.contains("Xã Định Hóa (XA01) already submitted Năm 2026 (2026-01-01 – 2026-12-31) from bao-cao-XA01.xlsx"), "\(refused)")
    #expect(try province.submissions().count == 1)
    var replacing = importer([second.path])
    replacing.replace = true
    let outcome = try replacing.run(into: province)
    #expect(outcome.files.first?.replaced?.hasPrefix("bao-cao-XA01.xlsx, imported ") == true)
    let submissions = try province.submissions()
    #expect(submissions.count == 2 && submissions[0].supersededBy == submissions[1].id && submissions[1].supersededBy == nil)
    let q = try StoredQuestionnaire.resolve("sipas-2023", in: province, catalog: catalog)
    #expect(try province.responses(questionnaire: q, filter: ResponseFilter()).table.count == 110)
    // The first report's forms are kept, each withdrawn (superseded by itself, no successor).
    let history = try province.history(unit: "XA01", formID: first.built.table.formID[0])
    #expect(history.contains { $0.supersededBy == $0.id })
    // A quarter inside the submitted year would count its forms twice.
    let quarterFolder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: quarterFolder) }
    _ = try communeReport("XA01", "Xã Định Hóa", forms: 60, satisfaction: 0.9, seed: 11, in: quarterFolder)
    var build = BuildReport(profilePath: quarterFolder.appendingPathComponent("XA01.yaml").path, period: ReportPeriod(parse: "2026-Q2"))
    build.catalog = catalog
    let q2 = try build.run(store: try ResponseStore(path: quarterFolder.appendingPathComponent("XA01.sqlite").path, create: false))
    let q2Path = quarterFolder.appendingPathComponent("quy-2.xlsx").path
    try q2.write(to: q2Path)
    var overlapping = importer([q2Path])
    overlapping.replace = true
    let overlap = message { _ = try overlapping.run(into: province) }
    #expect(overlap.contains("which overlaps Quý II/2026"), "\(overlap)")
}

/// A form of a submitted report corrected in the province store, then the report replaced: the
/// correction goes with the forms it corrected (withdrawn, kept in the history), so the
/// resubmission's forms, which carry the same form ids, are stored and counted once.
@Test(arguments: StoreKind.allCases) func aReplacedSubmissionTakesItsCorrectionsWithIt(kind: StoreKind) throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let first = try communeReport("XA01", "Xã Định Hóa", forms: 100, satisfaction: 0.9, seed: 7, in: folder)
    let province = try provinceStore(kind, in: folder)
    _ = try importer([first.path]).run(into: province)
    let q = try StoredQuestionnaire.resolve("sipas-2023", in: province, catalog: catalog)
    let stored = try province.responses(questionnaire: q, filter: ResponseFilter()).table
    let formID = stored.formID[3]
    let original = try #require(try province.history(unit: "XA01", formID: formID).first)
    let item = try #require(q.items.first { $0.type == .scale }?.id)
    var codes = stored.codes.compactMapValues { $0[3] == 0 ? nil : $0[3] }
    codes[item] = codes[item] == 1 ? 2 : 1
    var fixed = ResponseTable(questionnaire: q)
    fixed.append(
        ResponseTable.Metadata(formID: formID, unit: "XA01", collectedOn: stored.collectedOn[3]), codes: codes,
        picks: stored.picks.compactMapValues { $0[3] == 0 ? nil : $0[3] })
    let yaml = try #require(try province.questionnaireYAML(id: q.id, version: q.version))
    let correction = try province.correct(responseID: original.id, with: fixed, row: 0, questionnaireYAML: yaml, by: "tỉnh")
    #expect(try province.responses(questionnaire: q, filter: ResponseFilter()).table.count == 100)

    let second = try communeReport("XA01", "Xã Định Hóa", forms: 110, satisfaction: 0.9, seed: 9, in: try temporaryFolder())
    #expect(second.built.table.formID.contains(formID), "the resubmission reuses the form ids")
    var replacing = importer([second.path])
    replacing.replace = true
    _ = try replacing.run(into: province)
    let current = try province.responses(questionnaire: q, filter: ResponseFilter()).table
    #expect(current.count == 110)
    #expect(Set(current.formID).count == 110, "each form id counted once")
    // The chain stays in the history: the original (corrected), its correction (withdrawn), the resubmitted form.
    let history = try province.history(unit: "XA01", formID: formID)
    #expect(history.count == 3, "\(history)")
    #expect(history.first { $0.id == original.id }?.supersededBy == correction)
    #expect(history.first { $0.id == correction }?.supersededBy == correction, "the correction is withdrawn with its submission")
    #expect(history.filter { $0.supersededBy == nil }.count == 1)
}

/// A report on another version of the questionnaire than the province's forms is refused with both
/// versions named.
@Test func aReportOnAnotherQuestionnaireVersionIsRefusedNamingBoth() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let current = try communeReport("XA01", "Xã Định Hóa", satisfaction: 0.9, seed: 7, in: folder)
    let yaml = try String(contentsOf: QuestionnaireCatalog.sourceTreeDirectory.appendingPathComponent("sipas-2023.yaml"), encoding: .utf8)
    let q = try catalog.load("sipas-2023")
    let newer = yaml.replacingOccurrences(of: "version: \"\(q.version)\"", with: "version: \"2026.1\"")
        .replacingOccurrences(of: "version: \(q.version)", with: "version: \"2026.1\"")
    #expect(newer != yaml)
    let newerPath = try write(newer, "sipas-2023-moi.yaml", in: folder)
    let other = try communeReport("XA02", "Xã Phú Đình", satisfaction: 0.9, seed: 8, questionnaire: newerPath, in: try temporaryFolder())
    let province = try ResponseStore(path: folder.appendingPathComponent("tinh.sqlite").path, create: true)
    _ = try importer([current.path]).run(into: province)
    let text = message { _ = try importer([other.path]).run(into: province) }
    #expect(text.contains("made with questionnaire sipas-2023 2026.1"), "\(text)")
    #expect(text.contains("the forms in this store are sipas-2023 \(q.version)"), "\(text)")
    #expect(try province.submissions().count == 1)
}

/// The manifest is checked against the sheet: a changed form count or questionnaire text is refused.
@Test func anAlteredManifestIsRefused() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let report = try communeReport("XA01", "Xã Định Hóa", forms: 40, satisfaction: 0.9, seed: 7, in: folder)
    let province = try ResponseStore(path: folder.appendingPathComponent("tinh.sqlite").path, create: true)
    for (key, value, expected) in [
        ("forms", "41", "manifest says 41 forms but the sheet holds 40"),
        ("version", "9.9", "but the manifest names sipas-2023 9.9"),
        ("format", "7", "has format '7'"),
    ] {
        let altered = folder.appendingPathComponent("meta-\(key).xlsx").path
        try pythonEdit(
            """
            import sys, openpyxl
            wb = openpyxl.load_workbook(sys.argv[1])
            ws = wb['sipas_meta']
            for row in range(1, ws.max_row + 1):
                if ws.cell(row, 1).value == sys.argv[3]:
                    ws.cell(row, 2).value = sys.argv[4]
            wb.save(sys.argv[2])
            """, [report.path, altered, key, value])
        let text = message { _ = try importer([altered]).run(into: province) }
        #expect(text.contains(expected), "\(key): \(text)")
    }
    #expect(try province.submissions().isEmpty)
}

/// A province profile over `codes` (and one unit that sends nothing, XA09), with or without
/// populations.
func provinceProfile(_ communes: [(String, String)], populations: [String: Int] = [:], in folder: URL) throws -> String {
    var units = communes.map { code, name in
        "  - {code: \(code), name: \"\(name)\", district: \"Huyện Định Hóa\"\(populations[code].map { ", population: \($0)" } ?? "")}"
    }
    units.append("  - {code: XA09, name: \"Xã Chưa Nộp\"\(populations.isEmpty ? "" : ", population: 500")}")
    let text = """
        level: tỉnh
        unit: {code: TN, name: "Tỉnh Thái Nguyên"}
        period: 2026
        questionnaire: sipas-2023
        rank_replicates: 2000
        seed: 5
        units:
        \(units.joined(separator: "\n"))
        targets:
          - {title: "Hài lòng của tỉnh", index: sipas, min: 0.85}
        unit_targets:
          - {title: "Hài lòng về giải quyết thủ tục", index: services, min: 0.9}
          - {title: "Hài lòng về sự phục vụ", index: sipas, min: 0.95}
        """
    return try write(text, "tinh.yaml", in: folder)
}

/// Two years of three communes, each year's report imported into the province store; the province
/// workbook's figures: every unit's index equals that commune's own report, the province estimate
/// equals the analysis of the three communes' CSV files together (strata = unit), rank intervals
/// are reproducible and contain the point rank, and the rank change is judged.
@Test func theProvinceReportRanksUnitsAsTheirOwnReportsEstimateThem() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let names = [("XA01", "Xã Định Hóa"), ("XA02", "Xã Phú Đình"), ("XA03", "Xã Bảo Cường")]
    var reports2026: [CommuneReport] = []
    var files: [String] = []
    for (k, (code, name)) in names.enumerated() {
        let communeFolder = folder.appendingPathComponent(code)
        try FileManager.default.createDirectory(at: communeFolder, withIntermediateDirectories: true)
        let report = try communeReport(code, name, forms: 90 + 30 * k, satisfaction: [0.95, 0.86, 0.8][k], seed: UInt64(40 + k), in: communeFolder)
        reports2026.append(report)
        files.append(report.path)
        // The year before, with the order of the communes reversed: XA03 was first.
        let before = try communeReport(code, name, forms: 80, satisfaction: [0.8, 0.86, 0.95][k], seed: UInt64(50 + k), year: 2025, in: communeFolder)
        files.append(before.path)
    }
    let province = try ResponseStore(path: folder.appendingPathComponent("tinh.sqlite").path, create: true)
    _ = try importer(files).run(into: province)
    let profile = try provinceProfile(names, in: folder)
    var build = BuildProvinceReport(profilePath: profile)
    build.catalog = catalog
    let built = try build.run(store: province)
    let r = built.report
    #expect(r.unitsExpected == 4 && r.unitsSubmitted == 3 && r.missing.map(\.unit) == ["XA09"])
    #expect(r.previousLabel == "Năm 2025")
    // Each unit as its own report has it.
    for c in reports2026 {
        let own = try #require(c.built.report.analysis.indices.first { $0.id == "sipas" })
        let row = try #require(r.ranking.first { $0.unit == c.code })
        #expect(abs(row.value - own.value!) < 1e-12 && abs(row.lower! - own.lower!) < 1e-12 && abs(row.upper! - own.upper!) < 1e-12)
        #expect(abs(row.se! - own.se!) < 1e-12 && row.n == own.n)
        #expect(row.rankLower <= row.rank && row.rank <= row.rankUpper)
        #expect(row.previousRank != nil && row.rankVerdict != nil && row.change != nil)
    }
    #expect(r.ranking.map(\.unit) == ["XA01", "XA02", "XA03"])
    #expect(r.ranking.first?.previousRank == 3)
    // The province estimate: the three CSV files analysed together, units as strata.
    let together = try AnalyzeResponses(
        source: .files(reports2026.map { $0.path.replacingOccurrences(of: "bao-cao-\($0.code).xlsx", with: "\($0.code).csv") }, questionnaire: "sipas-2023"),
        options: AnalysisOptions(), groups: [], dossiers: nil, previous: nil
    ).run().analysis
    for (mine, theirs) in zip(r.analysis.indices, together.indices) {
        #expect(mine.id == theirs.id && abs(mine.value! - theirs.value!) < 1e-12 && abs(mine.se! - theirs.se!) < 1e-12)
        #expect(abs(mine.lower! - theirs.lower!) < 1e-12 && abs(mine.upper! - theirs.upper!) < 1e-12)
    }
    #expect(r.analysis.design.strata == 3)
    // Targets: the province's, and every unit's.
    #expect(r.targets.count == 1 && r.targets[0].verdict != nil)
    #expect(r.unitTargets.map(\.unit) == ["XA01", "XA02", "XA03"] && r.unitTargets.allSatisfy { $0.results.count == 2 })
    // Same seed, same ranks; and the workbook and JSON are written.
    #expect(try build.run(store: province).report.ranking == r.ranking)
    let out = folder.appendingPathComponent("tong-hop.xlsx").path
    try built.write(to: out)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(built.json().utf8)) as? [String: Any])
    let ranking = try #require(json["ranking"] as? [[String: Any]])
    #expect(ranking.count == 3 && ranking[0]["rank_lower"] != nil && ranking[0]["previous_rank"] as? Int == 3)
    #expect(json["n"] as? Int == r.analysis.n && json["indices"] != nil && json["units_expected"] as? Int == 4)
}

/// With populations the province estimate is weighted with the finite-population correction, and
/// each unit's figures are its forms analysed with its own number of dossiers.
@Test func theProvinceEstimateIsWeightedWhenThePopulationsAreGiven() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let names = [("XA01", "Xã Định Hóa"), ("XA02", "Xã Phú Đình")]
    var files: [String] = []
    var tables: [String: ResponseTable] = [:]
    for (k, (code, name)) in names.enumerated() {
        let communeFolder = folder.appendingPathComponent(code)
        try FileManager.default.createDirectory(at: communeFolder, withIntermediateDirectories: true)
        let report = try communeReport(code, name, forms: 100, satisfaction: [0.9, 0.8][k], seed: UInt64(60 + k), in: communeFolder)
        files.append(report.path)
        tables[code] = report.built.table
    }
    let province = try ResponseStore(path: folder.appendingPathComponent("tinh.sqlite").path, create: true)
    _ = try importer(files).run(into: province)
    let populations = ["XA01": 400, "XA02": 2500]
    var build = BuildProvinceReport(profilePath: try provinceProfile(names, populations: populations, in: folder))
    build.catalog = catalog
    let r = try build.run(store: province).report
    #expect(r.analysis.design.weighted)
    var whole = tables["XA01"]!
    whole.append(contentsOf: tables["XA02"]!)
    let expected = try Analyzer(options: AnalysisOptions(populations: populations.mapValues(Double.init))).analyze(whole)
    let mine = try #require(r.analysis.indices.first { $0.id == "sipas" }), theirs = try #require(expected.indices.first { $0.id == "sipas" })
    #expect(abs(mine.value! - theirs.value!) < 1e-12 && abs(mine.se! - theirs.se!) < 1e-12)
    for (code, table) in tables {
        let own = try Analyzer(options: AnalysisOptions(populations: [code: Double(populations[code]!)])).analyze(table)
        let ix = try #require(own.indices.first { $0.id == "sipas" })
        let row = try #require(r.ranking.first { $0.unit == code })
        #expect(abs(row.value - ix.value!) < 1e-12 && abs(row.se! - ix.se!) < 1e-12 && abs(row.lower! - ix.lower!) < 1e-12)
    }
}

/// A folder's workbooks are checked by their hidden sheets first and their forms read only when
/// the import engine comes to them (one workbook's forms in memory at a time): a workbook replaced
/// on disk in between is refused, not imported with the other file's forms.
@Test func aWorkbookChangedBeforeItsTurnIsRefused() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let first = try communeReport("XA01", "Xã Định Hóa", satisfaction: 0.9, seed: 7, in: folder)
    let second = try communeReport("XA02", "Xã Phú Đình", satisfaction: 0.8, seed: 8, in: folder)
    let batch = try ResponseFile.streamed(first.path, questionnaire: nil, unit: nil, catalog: catalog, importedBy: nil, questionnaires: QuestionnaireCache())
    #expect(batch.submission?.manifest.unitCode == "XA01")
    var forms = 0
    try batch.pieces { forms += $0.table.count }
    #expect(forms == 120)
    try FileManager.default.removeItem(atPath: first.path)
    try FileManager.default.copyItem(atPath: second.path, toPath: first.path)
    let text = message { try batch.pieces { _ in } }
    #expect(text.contains("bao-cao-XA01.xlsx: the file changed while it was being imported"), "\(text)")
}
