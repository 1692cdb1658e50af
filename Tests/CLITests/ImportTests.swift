import Foundation
import SIPASStore
import SIPASStoring
import Testing

/// Files for the import tests: a template filled by openpyxl (an independent writer) and broken copies.
enum ImportCases {
    static let directory: URL = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sipas-import-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let template = dir.appendingPathComponent("phieu.xlsx").path
        let data = dir.appendingPathComponent("data.csv").path
        _ = try! sipas("template", "--questionnaire", "sipas-2023", "--unit", "XA01", "--out", template)
        _ = try! sipas("generate", "--questionnaire", "sipas-2023", "--count", "30", "--units", "1", "--seed", "8", "--out", data)
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", repository.appendingPathComponent("Tests/CLITests/Scripts/xlsx_cases.py").path, template, data, dir.path]
        try! python.run()
        python.waitUntilExit()
        precondition(python.terminationStatus == 0, "xlsx_cases.py failed (is openpyxl installed? scripts/install-deps.sh --test)")
        return dir
    }()

    static func file(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// A fresh store holding the first five forms.
    static func seededStore() throws -> String {
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("sipas-\(UUID().uuidString).sqlite").path
        let first = try sipas("import", "--store", store, file("first5.xlsx"))
        #expect(first.status == 0, "\(first.stderr)")
        return store
    }
}

func storedCount(_ path: String) throws -> Int {
    try ResponseStore(path: path, create: false).questionnaires().reduce(0) { $0 + $1.responses }
}

@Test func filledTemplateRoundTripsToTheSameAnalysisAsTheCSV() throws {
    let store = FileManager.default.temporaryDirectory.appendingPathComponent("sipas-\(UUID().uuidString).sqlite").path
    let imported = try sipas("import", "--store", store, ImportCases.file("good.xlsx"))
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(imported.stdout.contains("imported 30 forms"))
    let fromStore = try sipas("analyze", "--store", store, "--json")
    let fromCSV = try sipas("analyze", "--questionnaire", "sipas-2023", "--input", ImportCases.file("data.csv"), "--json")
    #expect(fromStore.status == 0 && fromCSV.status == 0)
    let a = try JSONSerialization.jsonObject(with: Data(fromStore.stdout.utf8)) as! [String: Any]
    let b = try JSONSerialization.jsonObject(with: Data(fromCSV.stdout.utf8)) as! [String: Any]
    #expect(NSDictionary(dictionary: a).isEqual(to: b))
    // Export, then import the export into a new store: same analysis again.
    let csv = ImportCases.file("export-\(UUID().uuidString).csv")
    #expect(try sipas("export", "--store", store, "--out", csv).status == 0)
    let original = try String(contentsOfFile: ImportCases.file("data.csv"), encoding: .utf8)
    #expect(try String(contentsOfFile: csv, encoding: .utf8) == original)
    let xlsx = ImportCases.file("export-\(UUID().uuidString).xlsx")
    #expect(try sipas("export", "--store", store, "--out", xlsx).status == 0)
    let second = FileManager.default.temporaryDirectory.appendingPathComponent("sipas-\(UUID().uuidString).sqlite").path
    #expect(try sipas("import", "--store", second, xlsx).status == 0)
    #expect(try sipas("analyze", "--store", second, "--json").stdout == fromStore.stdout)
}

@Test(arguments: [
    ("wrong-version.xlsx", ["made for sipas-2023 2022.9"]),
    ("unknown-column.xlsx", ["column", "q99_1", "row 2"]),
    ("code-outside.xlsx", ["row 4", "(q9_1)", "'7'", "1 Rất không hài lòng"]),
    ("text-in-number.xlsx", ["row 5", "(q9_2)", "'tốt'"]),
    ("duplicate-form.xlsx", ["row 6", "form_id", "row 3"]),
    ("same-forms-again.xlsx", ["already exists for unit XA01"]),
    ("first5.xlsx", ["already imported"]),
    ("empty.xlsx", ["not an Excel workbook"]),
    ("truncated.xlsx", ["damaged"]),
    ("zip-bomb.xlsx", ["ZIP bomb"]),
    ("entity-bomb.xlsx", ["DTD"]),
])
func badWorkbooksAreRefusedAndChangeNothing(file: String, expected: [String]) throws {
    let store = try ImportCases.seededStore()
    let before = try storedCount(store)
    let run = try sipas("import", "--store", store, ImportCases.file(file))
    #expect(run.status != 0)
    for text in expected { #expect(run.stderr.contains(text), "expected '\(text)' in: \(run.stderr)") }
    #expect(run.stderr.contains(file))
    #expect(try storedCount(store) == before)
}

@Test func badCSVFilesAreRefusedAndChangeNothing() throws {
    let store = try ImportCases.seededStore()
    let dir = ImportCases.directory
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let path = dir.appendingPathComponent(name).path
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }
    let cases: [(String, [UInt8], [String])] = [
        ("empty.csv", [], ["empty"]),
        ("latin1.csv", Array("form_id,unit,comment\nA1,XA01,".utf8) + [0x54, 0xE0, 0x69, 0x0A], ["row 2", "not valid UTF-8"]),
        ("unknown.csv", Array("form_id,unit,q99\nA1,XA01,1\n".utf8), ["q99", "item id"]),
    ]
    for (name, bytes, expected) in cases {
        let run = try sipas("import", "--store", store, "--questionnaire", "sipas-2023", write(name, bytes))
        #expect(run.status != 0, "\(name)")
        for text in expected { #expect(run.stderr.contains(text), "\(name): expected '\(text)' in: \(run.stderr)") }
        #expect(try storedCount(store) == 5)
    }
    // A semicolon file with BOM and CRLF, as Vietnamese Excel saves it, imports.
    let semicolon = write("excel-vn.csv", [0xEF, 0xBB, 0xBF] + Array("form_id;unit;collected_on;q9_1;comment\r\nV1;XA01;2026-02-03;5;\"Cán bộ nhiệt tình; chu đáo\"\r\n".utf8))
    let ok = try sipas("import", "--store", store, "--questionnaire", "sipas-2023", semicolon)
    #expect(ok.status == 0, "\(ok.stderr)")
    #expect(try storedCount(store) == 6)
}

@Test func aTwoHundredMegabyteLineIsRefusedWithoutReadingItIntoMemory() throws {
    let store = try ImportCases.seededStore()
    let path = ImportCases.directory.appendingPathComponent("long-\(UUID().uuidString).csv").path
    FileManager.default.createFile(atPath: path, contents: Data("form_id,unit,comment\nL1,XA01,\"".utf8))
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    try handle.seekToEnd()
    let chunk = Data(repeating: UInt8(ascii: "a"), count: 1 << 20)
    for _ in 0..<200 { try handle.write(contentsOf: chunk) }
    try handle.write(contentsOf: Data("\"\n".utf8))
    try handle.close()
    defer { try? FileManager.default.removeItem(atPath: path) }
    let run = try sipas("import", "--store", store, "--questionnaire", "sipas-2023", path)
    #expect(run.status != 0)
    #expect(run.stderr.contains("row 2") && run.stderr.contains("32,767"))
    #expect(try storedCount(store) == 5)
}

@Test func doubleEntryListsEveryDisagreement() throws {
    let store = FileManager.default.temporaryDirectory.appendingPathComponent("sipas-\(UUID().uuidString).sqlite").path
    let differ = try sipas("import", "--store", store, "--verify", ImportCases.file("code-outside.xlsx"), ImportCases.file("first5.xlsx"))
    // The second copy has an invalid code: refused before comparing.
    #expect(differ.status != 0)
    let agree = try sipas("import", "--store", store, "--verify", ImportCases.file("same-forms-again.xlsx"), ImportCases.file("first5.xlsx"))
    #expect(agree.status == 0, "\(agree.stderr)")
    #expect(agree.stderr.contains("agree"))
    let other = FileManager.default.temporaryDirectory.appendingPathComponent("sipas-\(UUID().uuidString).sqlite").path
    let mismatch = try sipas("import", "--store", other, "--verify", ImportCases.file("duplicate-form.xlsx"), ImportCases.file("first5.xlsx"))
    #expect(mismatch.status != 0)
    let otherCount = FileManager.default.fileExists(atPath: other) ? try storedCount(other) : 0
    #expect(otherCount == 0)
}

@Test func killingAnImportMidwayLeavesAllOrNothing() throws {
    let dir = ImportCases.directory
    let data = dir.appendingPathComponent("big-\(UUID().uuidString).csv").path
    #expect(try sipas("generate", "--questionnaire", "sipas-2023", "--count", "150000", "--units", "5", "--seed", "4", "--out", data).status == 0)
    let store = dir.appendingPathComponent("kill-\(UUID().uuidString).sqlite").path
    let binary = try sipasBinary()
    let process = Process()
    process.executableURL = binary
    process.arguments = ["import", "--store", store, "--questionnaire", "sipas-2023", data]
    process.currentDirectoryURL = repository
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    // Wait until the transaction is being written (the WAL grows), then kill.
    let wal = store + "-wal"
    let deadline = Date().addingTimeInterval(60)
    while Date() < deadline, process.isRunning {
        if let size = (try? FileManager.default.attributesOfItem(atPath: wal))?[.size] as? Int, size > 4 << 20 { break }
        usleep(20_000)
    }
    let killedMidway = process.isRunning
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    let count = try storedCount(store)
    #expect(count == 0 || count == 150_000, "store holds \(count) responses after SIGKILL")
    #expect(killedMidway, "the import finished before it could be killed; the test proved nothing")
}

@Test func everyProblemOfEveryFileIsListedAndNothingIsImported() throws {
    // One transaction over all files: the store's refusals (the same form id three times) and
    // the cell problems of the files after the first failure are all reported, then rolled back.
    let dir = ImportCases.directory.appendingPathComponent("all-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    func write(_ name: String, _ text: String) -> String {
        let path = dir.appendingPathComponent(name).path
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }
    let header = "form_id,unit,collected_on,q9_1\n"
    let good = write("good.csv", header + "G1,XA01,2026-03-01,5\n")
    let repeated = write("repeated.csv", header + "R1,XA01,2026-03-01,5\nR1,XA01,2026-04-01,4\nR1,XA01,2026-05-01,3\n")
    let bad1 = write("bad1.csv", header + "B1,XA01,2026-03-01,8\n")
    let bad2 = write("bad2.csv", header + "C1,XA01,2026-03-01,5\nC2,XA01,2026-13-01,5\n")
    let store = dir.appendingPathComponent("s.sqlite").path
    let run = try sipas("import", "--store", store, "--questionnaire", "sipas-2023", good, repeated, bad1, bad2)
    #expect(run.status != 0)
    for text in ["repeated.csv, row 3: form id 'R1' already exists for unit XA01 in 2026 (earlier in this file)",
                 "repeated.csv, row 4: form id 'R1'", "bad1.csv, row 2", "'8'", "bad2.csv, row 3", "YYYY-MM-DD"] {
        #expect(run.stderr.contains(text), "expected '\(text)' in: \(run.stderr)")
    }
    #expect(try storedCount(store) == 0)
}
