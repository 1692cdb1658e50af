import Foundation
import SIPASAnalysis
import SIPASModel
@testable import SIPASReport
import SIPASSynthetic
import Testing
import ZIPFoundation

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

func loadQuestionnaire(_ id: String) throws -> Questionnaire {
    try Questionnaire(yaml: String(contentsOf: root.appendingPathComponent("Questionnaires/\(id).yaml"), encoding: .utf8), file: "\(id).yaml")
}

func exampleProfile() throws -> ReportProfile {
    try ReportProfile(yaml: String(contentsOf: root.appendingPathComponent("Reports/vi-du-xa.yaml"), encoding: .utf8), file: "vi-du-xa.yaml")
}

/// A report of 240 synthetic forms (seeded), its data and the path of the written workbook;
/// `fillOrder` fills the sheets in another order than the workbook's own.
func makeReport(fillOrder: [ReportSheet]? = nil) throws -> (data: ReportData, path: String) {
    let q = try loadQuestionnaire("sipas-2023")
    let profile = try exampleProfile()
    try profile.validate(against: q)
    let table = SyntheticResponses(count: 240, units: 1, satisfaction: 0.93, seed: 77, year: 2026).generate(q)
    let previous = SyntheticResponses(count: 120, units: 1, satisfaction: 0.9, seed: 78, year: 2025).generate(q)
    let analyzer = Analyzer(options: ReportBuilder.options(profile))
    let data = ReportData(
        unit: "XA01", unitName: "Xã Định Hóa", period: "2026", periodLabel: "Năm 2026", from: "2026-01-01", to: "2026-12-31",
        sources: ["paper": 240], analysis: try analyzer.analyze(table, by: profile.breakdowns), previous: try analyzer.analyze(previous),
        targets: try ReportBuilder.targets(profile, table: table), software: "test", dataSHA256: "0123abcd")
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString).xlsx").path
    let yaml = try String(contentsOf: root.appendingPathComponent("Questionnaires/sipas-2023.yaml"), encoding: .utf8)
    let workbook = ReportWorkbook(data: data, profile: profile, questionnaire: q, questionnaireYAML: yaml, table: table)
    if let fillOrder { try workbook.write(to: path, fillOrder: fillOrder) } else { try workbook.write(to: path) }
    return (data, path)
}

func python(_ script: String, _ args: [String]) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", here.appendingPathComponent("Scripts/\(script)").path] + args
    // Output goes to a file, not a pipe: Foundation's Pipe has crashed under concurrent tests on Linux.
    let outURL = FileManager.default.temporaryDirectory.appendingPathComponent("python-\(UUID().uuidString).out")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: outURL) }
    let out = try FileHandle(forWritingTo: outURL)
    p.standardOutput = out
    try p.run()
    p.waitUntilExit()
    try out.close()
    let data = try Data(contentsOf: outURL)
    #expect(p.terminationStatus == 0, "python3 \(script) failed (is openpyxl installed?)")
    return String(decoding: data, as: UTF8.self)
}

@Test func workbookReadBackWithOpenpyxlMatchesTheAnalysis() throws {
    let (data, path) = try makeReport()
    defer { try? FileManager.default.removeItem(atPath: path) }
    let json = try #require(try JSONSerialization.jsonObject(with: Data(python("read_report.py", [path]).utf8)) as? [String: Any])
    #expect(json["sheets"] as? [String] == ReportWorkbook.sheetNames)
    #expect(json["overall_count"] as? Int == 240)
    #expect((json["overall_count_formula"] as? String)?.hasPrefix("=COUNTA('Dữ liệu'!") == true)
    let rows = try #require(json["indices"] as? [[String: Any]])
    #expect(rows.count == data.analysis.indices.count)
    for (row, ix) in zip(rows, data.analysis.indices) {
        #expect(row["Mã chỉ số"] as? String == ix.id)
        for (key, value) in [("Giá trị", ix.value), ("Cận dưới", ix.lower), ("Cận trên", ix.upper)] {
            #expect(abs((row[key] as? Double ?? -1) - (value ?? -2)) < 1e-9, "\(ix.id) \(key)")
        }
        #expect(row["Số phiếu (n)"] as? Int == ix.n)
        if let before = data.previous?.indices.first(where: { $0.id == ix.id })?.value {
            #expect(abs((row["Kỳ trước"] as? Double ?? -1) - before) < 1e-9)
        }
    }
    let criteria = try #require(json["criteria"] as? [[String: Any]])
    #expect(criteria.count == data.analysis.criteria.count)
    let formulas = try #require(json["formulas"] as? [String: [Any]])
    for (row, c) in zip(criteria, data.analysis.criteria) {
        #expect(row["Số trả lời (n)"] as? Int == c.n)
        #expect(row["Hài lòng (số)"] as? Int == c.satisfied)
        #expect(abs((row["Tỷ lệ hài lòng"] as? Double ?? -1) - (c.value ?? -2)) < 1e-9)
        #expect(abs((row["Cận dưới"] as? Double ?? -1) - (c.lower ?? -2)) < 1e-9)
        #expect(abs((row["Cận trên"] as? Double ?? -1) - (c.upper ?? -2)) < 1e-9)
        #expect(abs((row["Điểm trung bình"] as? Double ?? -1) - (c.mean ?? -2)) < 1e-9)
        for code in 1...5 { #expect(row["Mã \(code)"] as? Int == c.distribution[String(code)] ?? 0) }
        let f = try #require(formulas[c.number ?? c.id])
        #expect((f[2] as? String)?.hasPrefix("=SUMPRODUCT(COUNTIF('Dữ liệu'!") == true)
        #expect((f[4] as? String)?.hasPrefix("=COUNTIF('Dữ liệu'!") == true)
    }
}

/// Golden files in the XlsxWriter manner: XML parts compared with committed references.
///
/// This test only compares; nothing it does can make it pass. After an intended layout change,
/// update the references in a separate step and review the diff before committing:
///
///     scripts/report/update-golden.sh
///
/// The script runs this test with `SIPAS_GOLDEN_ACTUAL=DIR`, which makes the test also write the
/// parts it produced into DIR (never into `Golden/`), then copies them over the golden files and
/// runs the test again. A missing golden file fails the test; so does the old `SIPAS_UPDATE_GOLDEN`,
/// which once rewrote the files it compared with.
@Test(arguments: ["xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/charts/chart1.xml", "xl/styles.xml"])
func workbookPartsMatchTheGoldenFiles(part: String) throws {
    let environment = ProcessInfo.processInfo.environment
    #expect(
        environment["SIPAS_UPDATE_GOLDEN"] == nil,
        "SIPAS_UPDATE_GOLDEN no longer updates anything: run scripts/report/update-golden.sh and review the diff")
    let (_, path) = try makeReport()
    defer { try? FileManager.default.removeItem(atPath: path) }
    let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
    let entry = try #require(archive[part])
    var xml = Data()
    _ = try archive.extract(entry) { xml.append($0) }
    let name = part.replacingOccurrences(of: "/", with: "_")
    let goldenDirectory = here.appendingPathComponent("Golden")
    if let actual = environment["SIPAS_GOLDEN_ACTUAL"], !actual.isEmpty {
        let dir = URL(fileURLWithPath: actual)
        try #require(
            dir.standardizedFileURL.resolvingSymlinksInPath().path != goldenDirectory.standardizedFileURL.resolvingSymlinksInPath().path,
            "SIPAS_GOLDEN_ACTUAL must not be the golden folder")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try xml.write(to: dir.appendingPathComponent(name))
    }
    let golden = goldenDirectory.appendingPathComponent(name)
    let expected = try #require(
        FileManager.default.contents(atPath: golden.path),
        "no golden file \(golden.lastPathComponent): create it with scripts/report/update-golden.sh and review it")
    #expect(xml == expected, "\(part) differs from \(golden.lastPathComponent); if the change is intended, run scripts/report/update-golden.sh and review the diff")
}

/// No sheet depends on another having been written first: filled in reverse order, the workbook
/// has the same cells, formulas, formats and layout (only the numbering of shared strings differs).
@Test func sheetsFilledInAnyOrderGiveTheSameWorkbook() throws {
    let (_, usual) = try makeReport()
    let reversed = Array(ReportWorkbook.fillOrder.reversed())
    let (_, other) = try makeReport(fillOrder: reversed)
    defer {
        try? FileManager.default.removeItem(atPath: usual)
        try? FileManager.default.removeItem(atPath: other)
    }
    func part(_ path: String, _ name: String) throws -> Data {
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        var data = Data()
        _ = try archive.extract(try #require(archive[name])) { data.append($0) }
        return data
    }
    // The orders really differ in the file, so what follows compares content, not bytes.
    #expect(try part(usual, "xl/sharedStrings.xml") != part(other, "xl/sharedStrings.xml"))
    #expect(try part(usual, "xl/charts/chart1.xml") == part(other, "xl/charts/chart1.xml"))
    let a = try python("dump_workbook.py", [usual]).split(separator: "\n")
    let b = try python("dump_workbook.py", [other]).split(separator: "\n")
    #expect(a.count > 1000)
    let differing = zip(a, b).filter { $0 != $1 }.prefix(5).map { "\($0)\n  vs \($1)" }
    #expect(a.count == b.count && differing.isEmpty, "\(differing.joined(separator: "\n"))")
}

@Test(arguments: [
    ("period: 2026-Q5", "is not a period"),
    ("period: {from: 2026-05-01, to: 2026-04-01}", "the period is empty"),
    ("targets:\n  - {title: \"X\", index: sipas, min: 1.2}", "'min' is a share between 0 and 1"),
    ("targets:\n  - {title: \"X\", index: sipas}", "missing 'min'"),
    ("colour: red", "unknown key 'colour'"),
    ("counter:\n  questionnaire: counter-quick\n  min: 95", "'min' is a share between 0 and 1"),
    ("counter:\n  questionnaire: counter-quick\n  dossiers: -3", "'dossiers' is the whole number of dossiers"),
])
func badProfilesAreRefusedWithLineAndReason(edit: String, message: String) throws {
    var text = try String(contentsOf: root.appendingPathComponent("Reports/vi-du-xa.yaml"), encoding: .utf8)
    let key = edit.split(separator: ":")[0]
    // Replace the key's block (or add it) so only one thing is wrong.
    if let range = text.range(of: "\n\(key):") {
        let rest = text[range.upperBound...]
        let end = rest.range(of: "\n\n")?.lowerBound ?? text.endIndex
        text.replaceSubrange(range.lowerBound..<end, with: "\n" + edit)
    } else {
        text += "\n" + edit + "\n"
    }
    do {
        _ = try ReportProfile(yaml: text, file: "bad.yaml")
        Issue.record("accepted: \(edit)")
    } catch {
        #expect(error.description.contains(message), "\(error.description)")
        #expect(error.list.allSatisfy { $0.line != nil })
    }
}

@Test func profilesNamingUnknownIndicesOrItemsAreRefusedAgainstTheQuestionnaire() throws {
    var text = try String(contentsOf: root.appendingPathComponent("Reports/vi-du-xa.yaml"), encoding: .utf8)
    text = text.replacingOccurrences(of: "index: services\n    min: 0.95", with: "index: servics\n    min: 0.95")
    text = text.replacingOccurrences(of: "breakdowns: [field, channel, gender, age_group]", with: "breakdowns: [field, q9_1, nghe]")
    let profile = try ReportProfile(yaml: text, file: "p.yaml")
    let questionnaire = try loadQuestionnaire("sipas-2023")
    do {
        try profile.validate(against: questionnaire)
        Issue.record("accepted")
    } catch {
        let d = error.description
        #expect(d.contains("unknown index 'servics'"))
        #expect(d.contains("breakdown 'q9_1' must be a single-choice item"))
        #expect(d.contains("unknown breakdown 'nghe'"))
    }
}

@Test func periodsParseWithVietnameseLabelsAndPredecessors() {
    let q1 = ReportPeriod(parse: "2026-Q1")!
    #expect(q1.from == "2026-01-01" && q1.to == "2026-03-31" && q1.label == "Quý I/2026")
    #expect(q1.previous == ReportPeriod(parse: "2025-Q4"))
    #expect(ReportPeriod(parse: "2025-q4")!.to == "2025-12-31")
    let q3 = ReportPeriod(parse: "2026-Q3")!
    #expect(q3.from == "2026-07-01" && q3.to == "2026-09-30" && q3.label == "Quý III/2026")
    let h1 = ReportPeriod(parse: "2026-H1")!
    #expect(h1.to == "2026-06-30" && h1.label == "6 tháng đầu năm 2026" && h1.previous == ReportPeriod(parse: "2025-H2"))
    let year = ReportPeriod(parse: "2026")!
    #expect(year.label == "Năm 2026" && year.previous == ReportPeriod(parse: "2025"))
    #expect(ReportPeriod(from: ISODate("2026-02-01")!, to: ISODate("2026-04-30")!).label == "Từ 01/02/2026 đến 30/04/2026")
    for bad in ["2026-Q0", "2026-Q5", "2026-H3", "26-Q1", "2026-01", ""] { #expect(ReportPeriod(parse: bad) == nil, "\(bad)") }
}

/// The *Phương pháp* rules in Vietnamese, from sipas-2023's YAML by hand: the satisfied codes of
/// its 5-point scale, the headline's weights, an element's criteria by their printed numbers, the
/// interval methods of the profile; nothing of the English rules (ids, method names) left.
@Test func methodRulesAreVietnameseWithTitlesAndQuestionNumbers() throws {
    let q = try loadQuestionnaire("sipas-2023")
    let (data, _) = try makeReport()
    let lines = MethodRules.lines(questionnaire: q, analysis: data.analysis, composite: .betaCapped, criterion: .wilson)
    #expect(lines.contains(
        "Thang 5 mức (1 «Rất không hài lòng» … 5 «Rất hài lòng»): người trả lời được tính là hài lòng khi chọn 4 «Hài lòng», 5 «Rất hài lòng». Câu bỏ trống không tính vào mẫu số."))
    #expect(lines[1] == "«Chỉ số hài lòng về sự phục vụ hành chính (SIPAS)» = bình quân gia quyền: «Xây dựng và tổ chức thực hiện chính sách» 50 %; «Cung ứng dịch vụ hành chính công» 50 %.")
    #expect(lines.contains("«Tiếp cận dịch vụ» = trung bình cộng (không trọng số) của 4 tiêu chí (câu 9.15, 9.16, 9.17, 9.18)."))
    #expect(lines.contains { $0.hasPrefix("Khoảng tin cậy của chỉ số tổng hợp: Korn–Graubard") })
    #expect(lines.contains { $0.hasPrefix("Khoảng tin cậy của từng tiêu chí: khoảng Wilson") })
    #expect(lines.contains("Mức tin cậy 95 %; nhóm dưới 30 người trả lời được đánh dấu là chưa đủ để kết luận."))
    // No index id, scale id or English rule word reaches the sheet.
    let ids = q.scoring.indices.map(\.id) + q.scales.map(\.id) + ["Index ", "Satisfied", "criteria ", "components "]
    for line in lines { for id in ids where id.count > 3 { #expect(!line.contains(id) || id == "sipas", "\(id) in: \(line)") } }
    #expect(MethodRules.percent(0.125) == "12,5 %")
}
