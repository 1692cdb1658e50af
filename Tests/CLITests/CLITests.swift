import Foundation
import SIPASModel
import SIPASStore
import SIPASStoring
import Testing

/// Runs the built `sipas` binary (next to the test bundle) and captures its output.
struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
}

let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

/// The `sipas` executable built beside the test bundle.
func sipasBinary() throws -> URL {
    let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let candidates = [folder.appendingPathComponent("sipas"), folder.deletingLastPathComponent().appendingPathComponent("sipas")]
    return try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) },
                        "build the sipas product first (swift build --build-tests)")
}

func sipas(_ arguments: String...) throws -> Run { try sipas(arguments: arguments) }

func sipas(arguments: [String], input: String? = nil) throws -> Run {
    let binary = try sipasBinary()
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    if let input {
        let inURL = FileManager.default.temporaryDirectory.appendingPathComponent("sipas-run-\(UUID().uuidString).in")
        try Data(input.utf8).write(to: inURL)
        process.standardInput = try FileHandle(forReadingFrom: inURL)
    }
    process.currentDirectoryURL = repository
    // Output goes to files, not pipes: reading two pipes in turn can deadlock on a full stderr,
    // and Foundation's Pipe has crashed under many concurrent processes on Linux.
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("sipas-run-\(UUID().uuidString)")
    let outURL = base.appendingPathExtension("out"), errURL = base.appendingPathExtension("err")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: outURL); try? FileManager.default.removeItem(at: errURL) }
    let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
    process.standardOutput = out
    process.standardError = err
    try process.run()
    process.waitUntilExit()
    try out.close(); try err.close()
    let outData = try Data(contentsOf: outURL), errData = try Data(contentsOf: errURL)
    return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
}

@Test func analyzeJSONOnTenCounterFormsMatchesHandAndR() throws {
    // overall: 2 2 3 1 2 3 3 2 1 2 → 8 of 10 satisfied (codes 2, 3).
    // se = √(s²/n) = √((1.6/9)/10) = 0.1333…; logit interval with t(9) from R:
    // plogis(qlogis(.8) ± qt(.975, 9)·se/(.8·.2)) = [0.377814109191, 0.963435415887].
    let run = try sipas("analyze", "--questionnaire", "counter-quick", "--input", fixtures.appendingPathComponent("counter-10.csv").path, "--target", "0.95", "--ci", "logit", "--json")
    #expect(run.status == 0, "\(run.stderr)")
    let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    #expect(json["n"] as? Int == 10)
    let index = try #require((json["indices"] as? [[String: Any]])?.first)
    #expect(index["id"] as? String == "satisfaction")
    #expect(abs((index["value"] as? Double ?? 0) - 0.8) < 1e-12)
    #expect(abs((index["se"] as? Double ?? 0) - 0.4 / 3) < 1e-12)
    #expect(abs((index["lower"] as? Double ?? 0) - 0.377814109191) < 1e-9)
    #expect(abs((index["upper"] as? Double ?? 0) - 0.963435415887) < 1e-9)
    #expect(index["small"] as? Bool == true)
    #expect(index["verdict"] as? String == "inconclusive")
    let criteria = try #require(json["criteria"] as? [[String: Any]])
    let staff = try #require(criteria.first { $0["id"] as? String == "staff" })
    // staff: 3 3 1 2 3 2 2 3 → 7 of 8 valid, 2 blank; Wilson from prop.test(7, 8, correct = FALSE).
    #expect(staff["n"] as? Int == 8)
    #expect(staff["missing"] as? Int == 2)
    #expect(staff["satisfied"] as? Int == 7)
    #expect((staff["distribution"] as? [String: Int]) == ["1": 1, "2": 3, "3": 4])
    #expect(abs((staff["mean"] as? Double ?? 0) - 19.0 / 8) < 1e-12)
}

@Test func theDefaultCompositeIntervalOnTenCounterFormsIsKornGraubardCapped() throws {
    // n_eff = .8·.2/se² = 9 (under the 10 forms, so the cap does not bind), one unit: t ratio 1.
    // R: qbeta(.025, 7.2, 2.8) = 0.421875593145, qbeta(.975, 8.2, 1.8) = 0.978901181856.
    let run = try sipas("analyze", "--questionnaire", "counter-quick", "--input", fixtures.appendingPathComponent("counter-10.csv").path, "--json")
    #expect(run.status == 0, "\(run.stderr)")
    let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let index = try #require((json["indices"] as? [[String: Any]])?.first)
    #expect(index["method"] as? String == "beta-capped")
    #expect(abs((index["lower"] as? Double ?? 0) - 0.421875593145) < 1e-9)
    #expect(abs((index["upper"] as? Double ?? 0) - 0.978901181856) < 1e-9)
    let text = try sipas("analyze", "--questionnaire", "counter-quick", "--input", fixtures.appendingPathComponent("counter-10.csv").path)
    #expect(text.stdout.contains("beta-capped"), "\(text.stdout)")
}

@Test func aBadCodeStopsTheRunNamingFileRowColumnAndAllowedCodes() throws {
    let run = try sipas("analyze", "--questionnaire", "counter-quick", "--input", fixtures.appendingPathComponent("counter-bad-code.csv").path)
    #expect(run.status != 0)
    #expect(run.stdout.isEmpty)
    #expect(run.stderr.contains("counter-bad-code.csv"))
    #expect(run.stderr.contains("row 3"))
    #expect(run.stderr.contains("overall"))
    #expect(run.stderr.contains("'4'") || run.stderr.contains("\"4\""))
    #expect(run.stderr.contains("1, 2, 3") || run.stderr.contains("1 Không hài lòng"))
}

@Test func planSampleMatchesTheReferenceExample() throws {
    let run = try sipas("plan-sample", "--expected", "0.9", "--margin", "0.05", "--json")
    #expect(run.status == 0)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    #expect(json["required"] as? Int == 139)
    let refused = try sipas("plan-sample", "--margin", "0.05", "--method", "yamane")
    #expect(refused.status != 0)
    #expect(refused.stderr.contains("--population"))
}

@Test func generateIsReproducible() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sipas-gen-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let a = dir.appendingPathComponent("a.csv").path, b = dir.appendingPathComponent("b.csv").path, c = dir.appendingPathComponent("c.csv").path
    _ = try sipas("generate", "--questionnaire", "sipas-2017", "--count", "50", "--units", "2", "--seed", "5", "--out", a)
    _ = try sipas("generate", "--questionnaire", "sipas-2017", "--count", "50", "--units", "2", "--seed", "5", "--out", b)
    _ = try sipas("generate", "--questionnaire", "sipas-2017", "--count", "50", "--units", "2", "--seed", "6", "--out", c)
    let da = try Data(contentsOf: URL(fileURLWithPath: a))
    #expect(da == (try Data(contentsOf: URL(fileURLWithPath: b))))
    #expect(da != (try Data(contentsOf: URL(fileURLWithPath: c))))
    #expect(String(decoding: da, as: UTF8.self).split(separator: "\n").count == 51)
}

@Test func validateReportsEveryShippedQuestionnaireAndABrokenOne() throws {
    let ok = try sipas("questionnaire", "validate", "Questionnaires/sipas-2023.yaml", "Questionnaires/sipas-2017.yaml", "Questionnaires/counter-quick.yaml")
    #expect(ok.status == 0, "\(ok.stderr)")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sipas-q-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    var text = try String(contentsOf: repository.appendingPathComponent("Questionnaires/counter-quick.yaml"), encoding: .utf8)
    text = text.replacingOccurrences(of: "question: overall", with: "question: overal")
    let broken = dir.appendingPathComponent("broken.yaml")
    try text.write(to: broken, atomically: true, encoding: .utf8)
    let bad = try sipas("questionnaire", "validate", broken.path)
    #expect(bad.status != 0)
    #expect(bad.stderr.contains("broken.yaml:"))
    #expect(bad.stderr.contains("overal"))
}

@Test func decree766RateFromCounterRatings() throws {
    // counter-10.csv: overall 2 2 3 1 2 3 3 2 1 2 → 2 dissatisfied of 10 ratings; N = 50 → 48/50.
    let file = fixtures.appendingPathComponent("counter-10.csv").path
    let run = try sipas("analyze", "--questionnaire", "counter-quick", "--input", file, "--dossiers", "50", "--json")
    #expect(run.status == 0, "\(run.stderr)")
    let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let rate = try #require(json["decree766"] as? [String: Any])
    #expect(rate["value"] as? Double == 0.96 && rate["dissatisfied"] as? Int == 2 && rate["ratings"] as? Int == 10 && rate["dossiers"] as? Int == 50)
    let text = try sipas("analyze", "--questionnaire", "counter-quick", "--input", file, "--dossiers", "50")
    #expect(text.stdout.contains("Decree-766 style rate (N − dissatisfied)/N = (50 − 2)/50 = 96.00 %"), "\(text.stdout)")
    let few = try sipas("analyze", "--questionnaire", "counter-quick", "--input", file, "--dossiers", "5")
    #expect(few.status != 0 && few.stderr.contains("10 ratings but only 5 dossiers"))
}

@Test func demoReportShowsCounterRatingsWithTheirOwnRule() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString)").path
    let demo = try sipas("demo", "--dir", dir)
    #expect(demo.status == 0, "\(demo.stderr)")
    #expect(FileManager.default.fileExists(atPath: dir + "/bao-cao-2026.xlsx"))
    let run = try sipas("report", "--store", dir + "/sipas.sqlite", "--profile", dir + "/ho-so-bao-cao.yaml", "--out", dir + "/r.xlsx", "--json")
    #expect(run.status == 0, "\(run.stderr)")
    let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let counter = try #require(json["counter"] as? [String: Any])
    // Independently: the stored counter ratings of 2026, counted from the store.
    let url = repository.appendingPathComponent("Questionnaires/counter-quick.yaml")
    let q = try Questionnaire(yaml: try String(contentsOf: url, encoding: .utf8), file: url.path)
    let table = try ResponseStore(path: dir + "/sipas.sqlite", create: false).responses(questionnaire: q, filter: ResponseFilter(from: "2026-01-01", to: "2026-12-31")).table
    let overall = table.codes["overall"]!
    let unhappy = overall.filter { $0 == 1 }.count
    #expect(counter["n"] as? Int == overall.count)
    let index = try #require((counter["indices"] as? [[String: Any]])?.first)
    #expect(abs((index["value"] as? Double ?? 0) - Double(overall.count - unhappy) / Double(overall.count)) < 1e-12)
    let rate = try #require(counter["decree766"] as? [String: Any])
    #expect(rate["dissatisfied"] as? Int == unhappy && rate["dossiers"] as? Int == 1840)
    #expect(abs((rate["value"] as? Double ?? 0) - Double(1840 - unhappy) / 1840) < 1e-12)
    let fields = (counter["groups"] as? [[String: Any]] ?? []).filter { $0["by"] as? String == "field" }
    #expect(fields.map { $0["n"] as? Int ?? 0 }.reduce(0, +) == overall.count)
    // A target naming a field that never occurs is refused, naming the line and the fields there are.
    let profile = try String(contentsOfFile: dir + "/ho-so-bao-cao.yaml", encoding: .utf8)
    try profile.replacingOccurrences(of: "field: [dat-dai, xay-dung, dau-tu]", with: "field: [dat-dai, xay-dun]")
        .write(toFile: dir + "/typo.yaml", atomically: true, encoding: .utf8)
    let typo = try sipas("report", "--store", dir + "/sipas.sqlite", "--profile", dir + "/typo.yaml", "--out", dir + "/t.xlsx")
    #expect(typo.status != 0 && typo.stderr.contains("unknown field 'xay-dun'") && typo.stderr.contains("line "), "\(typo.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir + "/t.xlsx"))
    // A period without forms writes nothing and says so.
    let empty = try sipas("report", "--store", dir + "/sipas.sqlite", "--profile", dir + "/ho-so-bao-cao.yaml", "--period", "2024-Q1", "--out", dir + "/e.xlsx")
    #expect(empty.status != 0 && empty.stderr.contains("no responses of sipas-2023") && empty.stderr.contains("nothing was written"), "\(empty.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir + "/e.xlsx"))
}
