import Foundation
import Testing
import TestSupport

/// Runs a Python script of the tests (Pillow and numpy; scripts/install-deps.sh --test).
func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3"] + arguments
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("sipas-py-\(UUID().uuidString)")
    FileManager.default.createFile(atPath: log.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: log) }
    let handle = try FileHandle(forWritingTo: log)
    process.standardOutput = handle
    process.standardError = handle
    try process.run()
    process.waitUntilExit()
    try handle.close()
    return (process.terminationStatus, String(decoding: try Data(contentsOf: log), as: UTF8.self))
}

/// Print → render (poppler) → marks drawn where the layout says, by an independent script →
/// turned, scaled, shifted, blurred, noisy, JPEG, 1-bit, upside down, shuffled → `sipas scan`.
@Test func scannedFormsAreReadBackMarkForMark() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sipas-scan-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let pdf = folder.appendingPathComponent("phieu.pdf").path
    let printed = try sipas("form", "print", "--questionnaire", "sipas-2023", "--unit", "XA01", "--year", "2026", "--count", "4", "--first", "17", "--out", pdf)
    #expect(printed.status == 0, "\(printed.stderr)")
    let layout = try sipas("form", "layout", "--questionnaire", "sipas-2023", "--json")
    let layoutPath = folder.appendingPathComponent("layout.json")
    try Data(layout.stdout.utf8).write(to: layoutPath)
    let serials = (17...20).map { "XA01-2026-00\($0)" }
    let corpus = folder.appendingPathComponent("corpus")
    let made = try python([
        repository.appendingPathComponent("scripts/omr/make_corpus.py").path, "--pdf", pdf, "--layout", layoutPath.path, "--serials",
        serials.joined(separator: ","), "--multi", "q2", "--seed", "2026", "--rotate", "5", "--scale", "0.05", "--out", corpus.path,
    ])
    try #require(made.status == 0, "\(made.output)")
    let truth = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: corpus.appendingPathComponent("truth.json"))) as? [String: Any])
    let files = try FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { $0.hasPrefix("scan-") }.sorted().map { corpus.appendingPathComponent($0).path }
    let formats = Set(((truth["files"] as? [[String: Any]]) ?? []).compactMap { $0["format"] as? String })
    #expect(formats.count >= 3, "the corpus mixes file formats: \(formats)")

    let scan = try sipas(arguments: ["scan", "--dry-run", "--json"] + files)
    #expect(scan.status == 0, "\(scan.stderr)\n\(scan.stdout.prefix(2000))")
    let out = try #require(try JSONSerialization.jsonObject(with: Data(scan.stdout.utf8)) as? [String: Any])
    #expect((out["refused"] as? [Any])?.isEmpty == true, "\(out["refused"] ?? "")")
    let sheets = try #require(out["sheets"] as? [[String: Any]])
    #expect(Set(sheets.compactMap { $0["serial"] as? String }) == Set(serials))
    let planted = try #require(truth["sheets"] as? [String: [String: Any]])
    var clear = 0, doubtful = 0, erased = 0
    var plantedKinds: Set<String> = []
    for sheet in sheets {
        let serial = try #require(sheet["serial"] as? String)
        let expected = try #require(planted[serial])
        let expectedAnswers = try #require(expected["answers"] as? [String: Any])
        let expectedDoubtful = Set(try #require(expected["doubtful"] as? [String]))
        let answers = try #require(sheet["answers"] as? [String: Any])
        let flagged = Set((sheet["doubtful"] as? [[String: Any]] ?? []).compactMap { $0["item"] as? String })
        let kinds = expected["kinds"] as? [String: String] ?? [:]
        #expect(sheet["questionnaire"] as? String == "sipas-2023")
        for (item, value) in expectedAnswers {
            if expectedDoubtful.contains(item) {
                doubtful += 1
                #expect(flagged.contains(item), "\(serial) \(item): a planted doubtful mark was not flagged (read as \(answers[item] ?? "nothing"))")
                #expect(answers[item] is NSNull)
            } else if kinds[item] == "erased" {
                // A fill rubbed out beside the answer: read right, or sent to review; never read wrong.
                erased += 1
                #expect(flagged.contains(item) || "\(answers[item] ?? "absent")" == "\(value)", "\(serial) \(item): read \(answers[item] ?? "absent") beside an erased mark, marked \(value)")
            } else {
                clear += 1
                #expect(!flagged.contains(item), "\(serial) \(item): a clear mark was sent to review")
                #expect("\(answers[item] ?? "absent")" == "\(value)", "\(serial) \(item): read \(answers[item] ?? "absent"), marked \(value)")
            }
        }
        for kind in Set(kinds.values) { plantedKinds.insert(kind) }
    }
    #expect(clear > 200 && doubtful > 15 && erased > 0, "clear \(clear), doubtful \(doubtful), erased \(erased)")
    #expect(plantedKinds.isSuperset(of: ["light", "half", "double", "tick", "cross", "circled", "correction", "erased"]), "\(plantedKinds)")
}

@Test func whatIsNotAPrintedFormIsRefusedAndNamed() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sipas-scan-bad-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
    // A page of another version of the questionnaire (same id, version 2023.9).
    let yaml = try String(contentsOf: repository.appendingPathComponent("Questionnaires/sipas-2023.yaml"), encoding: .utf8)
    try yaml.replacingOccurrences(of: "version: \"2023.1\"", with: "version: \"2023.9\"").write(toFile: path("sipas-2023-moi.yaml"), atomically: true, encoding: .utf8)
    let other = try sipas("form", "print", "--questionnaire", path("sipas-2023-moi.yaml"), "--unit", "XA01", "--year", "2026", "--count", "1", "--out", path("khac.pdf"))
    #expect(other.status == 0, "\(other.stderr)")
    let good = try sipas("form", "print", "--questionnaire", "sipas-2023", "--unit", "XA01", "--year", "2026", "--count", "1", "--out", path("phieu.pdf"))
    #expect(good.status == 0)
    let made = try python([
        "-c",
        """
        import random, sys
        from PIL import Image, ImageDraw
        folder = sys.argv[1]
        Image.new("L", (1654, 2339), 255).save(folder + "/trang-trang.png")
        Image.new("L", (1, 1), 255).save(folder + "/mot-diem.png")
        rng = random.Random(5)
        photo = Image.new("RGB", (2000, 1500), (120, 160, 200))
        draw = ImageDraw.Draw(photo)
        for _ in range(60):
            x, y, r = rng.randint(0, 2000), rng.randint(0, 1500), rng.randint(20, 300)
            draw.ellipse([x - r, y - r, x + r, y + r], fill=(rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)))
        photo.save(folder + "/anh.jpg", quality=80)
        data = open(folder + "/phieu.pdf", "rb").read()
        open(folder + "/cut.pdf", "wb").write(data[: len(data) // 2])
        open(folder + "/empty.pdf", "wb").write(b"")
        """,
        folder.path,
    ])
    try #require(made.status == 0, "\(made.output)")
    _ = try tool("pdftoppm", ["-r", "150", "-gray", "-png", "-f", "1", "-l", "1", "-singlefile", path("khac.pdf"), path("khac")])
    let scan = try sipas("scan", "--dry-run", "--json", path("khac.png"), path("trang-trang.png"), path("anh.jpg"), path("cut.pdf"), path("mot-diem.png"), path("empty.pdf"), path("missing.png"))
    #expect(scan.status == 1, "refusals give status 1: \(scan.stderr)")
    let out = try #require(try JSONSerialization.jsonObject(with: Data(scan.stdout.utf8)) as? [String: Any])
    #expect((out["sheets"] as? [Any])?.isEmpty == true)
    let refused = try #require(out["refused"] as? [[String: Any]])
    func reason(_ name: String) -> String { refused.first { ($0["file"] as? String) == path(name) }?["reason"] as? String ?? "not refused" }
    #expect(reason("khac.png").contains("sipas-2023 2023.9") && reason("khac.png").contains("2023.1"), "\(reason("khac.png"))")
    #expect(reason("trang-trang.png").contains("no QR code found"))
    #expect(reason("anh.jpg").contains("no QR code found") || reason("anh.jpg").contains("too small"), "\(reason("anh.jpg"))")
    #expect(reason("cut.pdf").contains("cut short"))
    #expect(reason("mot-diem.png").contains("1×1 pixels"))
    #expect(reason("empty.pdf").contains("empty"))
    #expect(reason("missing.png").contains("no such file"))
    #expect(refused.count == 7)
}

/// Two sheets printed (XA01-2026-0001 and -0002), marked and scanned at 200 dpi as PNG and PDF by
/// make_corpus.py (seed 11, no erased marks: these tests are of the review and the store): the
/// layout's path, the corpus folder, the planted answers by serial, and the scan files.
func twoMarkedSheets(in folder: URL) throws -> (layout: URL, corpus: URL, planted: [String: [String: Any]], files: [String]) {
    let pdf = folder.appendingPathComponent("phieu.pdf").path
    let printed = try sipas("form", "print", "--questionnaire", "sipas-2023", "--unit", "XA01", "--year", "2026", "--count", "2", "--out", pdf)
    try #require(printed.status == 0, "\(printed.stderr)")
    let layoutPath = folder.appendingPathComponent("layout.json")
    try Data(try sipas("form", "layout", "--questionnaire", "sipas-2023", "--json").stdout.utf8).write(to: layoutPath)
    let corpus = folder.appendingPathComponent("corpus")
    let made = try python([
        repository.appendingPathComponent("scripts/omr/make_corpus.py").path, "--pdf", pdf, "--layout", layoutPath.path, "--serials", "XA01-2026-0001,XA01-2026-0002",
        "--multi", "q2", "--seed", "11", "--dpi", "200", "--formats", "png,pdf", "--erased", "0", "--out", corpus.path,
    ])
    try #require(made.status == 0, "\(made.output)")
    let truth = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: corpus.appendingPathComponent("truth.json"))) as? [String: Any])
    let planted = try #require(truth["sheets"] as? [String: [String: Any]])
    let files = try FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { $0.hasPrefix("scan-") }.sorted().map { corpus.appendingPathComponent($0).path }
    return (layoutPath, corpus, planted, files)
}

/// Scanned sheets stored after a person decided the doubtful marks (here: all blank), once: the
/// stored forms are the planted answers; the same scans again are refused and change nothing.
@Test func reviewedSheetsAreStoredOnce() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sipas-scan-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let store = folder.appendingPathComponent("xa.sqlite").path
    let (layoutPath, corpus, planted, files) = try twoMarkedSheets(in: folder)

    // Without a review, doubtful marks stop the import.
    let unreviewed = try sipas(arguments: ["scan", "--store", store, "--collected-on", "2026-03-02"] + files)
    #expect(unreviewed.status != 0 && unreviewed.stderr.contains("need a person") && unreviewed.stderr.contains("nothing was stored"), "\(unreviewed.stderr)")
    // A date of another year than the serials' is refused.
    let wrongYear = try sipas(arguments: ["scan", "--store", store, "--collected-on", "2027-01-05", "--review", "terminal"] + files, input: String(repeating: "0\n", count: 200))
    #expect(wrongYear.status != 0 && wrongYear.stderr.contains("printed for 2026"), "\(wrongYear.stderr)")

    let reviewed = try sipas(arguments: ["scan", "--store", store, "--collected-on", "2026-03-02", "--review", "terminal"] + files, input: String(repeating: "0\n", count: 200))
    #expect(reviewed.status == 0, "\(reviewed.stderr)")
    #expect(reviewed.stdout.contains("Stored 2 forms"), "\(reviewed.stdout.suffix(500))")
    #expect(reviewed.stdout.contains("Ảnh quét:"), "the review names the cropped scan")

    // What was stored, read back through export (canonical CSV).
    let csv = folder.appendingPathComponent("xuat.csv").path
    let exported = try sipas("export", "--store", store, "--out", csv)
    #expect(exported.status == 0, "\(exported.stderr)")
    let text = try String(contentsOfFile: csv, encoding: .utf8).replacingOccurrences(of: "\u{FEFF}", with: "")
    let rows = text.split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    let header = try #require(rows.first)
    #expect(rows.count == 3)
    for row in rows.dropFirst() {
        let record = Dictionary(uniqueKeysWithValues: zip(header, row))
        let serial = try #require(record["form_id"])
        let sheet = try #require(planted[serial])
        #expect(record["unit"] == "XA01" && record["collected_on"] == "2026-03-02")
        let answers = try #require(sheet["answers"] as? [String: Any]), doubtful = Set(sheet["doubtful"] as? [String] ?? [])
        for (item, value) in answers {
            let expected: String
            if doubtful.contains(item) || value is NSNull {
                expected = ""
            } else if let codes = value as? [Int] {
                expected = codes.map(String.init).joined(separator: "|")
            } else {
                expected = "\(value)"
            }
            #expect(record[item] == expected, "\(serial) \(item): stored \(record[item] ?? "nothing"), planted \(value)\(doubtful.contains(item) ? " (doubtful, decided blank)" : "")")
        }
    }

    // Each page's answer area is kept with its batch: straight and upright at 100 dpi, every
    // marked bubble dark and every empty one light where the layout puts it (checked by Pillow).
    let images = folder.appendingPathComponent("anh").path
    let exportedImages = try sipas("form", "images", "--store", store, "--out", images)
    #expect(exportedImages.status == 0 && exportedImages.stdout.contains("Wrote 8 page images"), "\(exportedImages.stdout) \(exportedImages.stderr)")
    let checked = try python([
        "-c",
        """
        import json, os, sys
        from PIL import Image
        images, layout, truth = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))["sheets"]
        k = 100 / 25.4
        wrong, seen = [], 0
        for name in sorted(os.listdir(images)):
            serial, page = name[:-4].split("-trang-")
            im = Image.open(os.path.join(images, name))
            assert im.format == "JPEG" and im.mode == "L" and im.size == (732, 976), (name, im.format, im.mode, im.size)
            answers, doubtful = truth[serial]["answers"], set(truth[serial]["doubtful"])
            for m in layout["marks"]:
                if m["page"] != int(page) or m["item"] in doubtful or m["item"] not in answers:
                    continue
                a = answers[m["item"]]
                marked = a == m["code"] or (isinstance(a, list) and m["code"] in a)
                x, y = (m["x_mm"] - 12) * k, (m["y_mm"] - 36) * k
                box = [im.getpixel((int(x) + dx, int(y) + dy)) for dx in range(-2, 3) for dy in range(-2, 3)]
                mean = sum(box) / len(box)
                seen += 1
                if (marked and mean > 110) or (not marked and mean < 170):
                    wrong.append((name, m["item"], m["code"], marked, round(mean)))
        print(seen, "bubbles", len(wrong), "wrong", wrong[:5])
        sys.exit(1 if wrong or seen < 400 else 0)
        """,
        images, layoutPath.path, corpus.appendingPathComponent("truth.json").path,
    ])
    #expect(checked.status == 0, "\(checked.output)")

    // The same scans again: refused, nothing added.
    let again = try sipas(arguments: ["scan", "--store", store, "--collected-on", "2026-03-02", "--review", "terminal"] + files, input: String(repeating: "0\n", count: 200))
    #expect(again.status != 0 && again.stderr.contains("nothing was imported"), "\(again.stderr)")
    let after = try sipas("export", "--store", store, "--out", csv)
    #expect(after.status == 0)
    #expect(try String(contentsOfFile: csv, encoding: .utf8).split(whereSeparator: \.isNewline).count == 3)
    let imagesAfter = try sipas("form", "images", "--store", store, "--out", folder.appendingPathComponent("anh-2").path)
    #expect(imagesAfter.stdout.contains("Wrote 8 page images"), "a refused import keeps no page image: \(imagesAfter.stdout)")
}

/// `sipas scan --review web` in headless Chromium (Tests/CLITests/Scripts/web_review.py): choose,
/// skip (blank), go back and change, finish with Enter twice → the sheets stored once, each
/// decision as made. `SIPAS_REVIEW_SCREENSHOTS=DIR` keeps the pages as PNG.
@Test func doubtfulMarksAreReviewedInTheBrowserAndStoredOnce() throws {
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("sipas-web-review-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: work) }
    var arguments = [repository.appendingPathComponent("Tests/CLITests/Scripts/web_review.py").path, try sipasBinary().path, work.path]
    if let shots = ProcessInfo.processInfo.environment["SIPAS_REVIEW_SCREENSHOTS"] { arguments += ["--screenshots", shots] }
    let (status, out) = try python(arguments)
    #expect(status == 0, "\(out)")
    #expect(out.contains("all web review checks passed"), "\(out)")
}

extension KioskCLITests {
    /// `sipas scan --review terminal` in tmux: the question, its choices with the marked ones
    /// shown, the crop named as a PNG; a wrong code asked again; the review stopped (Ctrl-D)
    /// stores nothing; a whole review stores each decision as typed.
    @Test func doubtfulMarksAreReviewedAtTheTerminal() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sipas-term-review-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("xa.sqlite").path
        let (_, _, planted, files) = try twoMarkedSheets(in: folder)
        let total = planted.values.reduce(0) { $0 + (($1["doubtful"] as? [String])?.count ?? 0) }
        let command = [try Self.binary(), "scan", "--review", "terminal", "--store", store, "--collected-on", "2026-03-02"] + files

        // Stopped half-way: nothing stored.
        let stopped = try Self.startPane("sipas-review-stop", width: 120, height: 50, command: command)
        defer { _ = try? Self.run(["tmux", "kill-session", "-t", stopped.name], detached: true) }
        try stopped.waitFor("[1/\(total)] Phiếu XA01-2026-0001", timeout: 60)
        try stopped.waitFor("Mã: ")
        try stopped.keys("9", "Enter")
        try stopped.waitFor("hoặc 0 nếu để trống")
        try stopped.keys("C-d")
        try stopped.waitFor("EXIT=1")
        #expect(try stopped.words().contains("nothing was stored"))
        #expect(!FileManager.default.fileExists(atPath: store), "the store is not even created")

        // The whole review: on each mark, the first code shown as marked ("← có dấu"), or 0 when none is.
        let pane = try Self.startPane("sipas-review-all", width: 120, height: 50, command: command)
        defer { _ = try? Self.run(["tmux", "kill-session", "-t", pane.name], detached: true) }
        var typed: [String: String] = [:]
        for n in 1...total {
            try pane.waitFor("[\(n)/\(total)] Phiếu", timeout: n == 1 ? 60 : 10)
            try pane.waitFor("Mã: ")
            // The block of mark n: from its header to the prompt.
            let screen = try pane.text()
            let block = screen.components(separatedBy: "[\(n)/\(total)] Phiếu ").last ?? ""
            let serial = String(block.prefix(14))
            let marked = block.split(separator: "\n").filter { $0.contains("← có dấu") }.compactMap { Int($0.split(separator: " ").first ?? "") }
            let image = block.split(separator: "\n").first { $0.contains("Ảnh quét: ") }.map { String($0.split(separator: " ").last ?? "") }
            if n == 1 {
                let path = try #require(image, "the first mark names its cropped scan:\n\(block)")
                let png = try Data(contentsOf: URL(fileURLWithPath: path))
                #expect(png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]), "\(path) is a PNG")
            }
            let item = try #require(image.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent.replacingOccurrences(of: serial + "-", with: "") })
            let code = n % 2 == 1 ? (marked.first ?? 0) : 0
            typed["\(serial) \(item)"] = code == 0 ? "" : "\(code)"
            try pane.keys("\(code)", "Enter")
        }
        try pane.waitFor("EXIT=0", timeout: 30)
        #expect(try pane.words().contains("Stored 2 forms"))

        let csv = folder.appendingPathComponent("xuat.csv").path
        #expect(try sipas("export", "--store", store, "--out", csv).status == 0)
        let rows = try String(contentsOfFile: csv, encoding: .utf8).replacingOccurrences(of: "\u{FEFF}", with: "").split(whereSeparator: \.isNewline)
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.count == 3)
        let header = try #require(rows.first)
        for row in rows.dropFirst() {
            let record = Dictionary(uniqueKeysWithValues: zip(header, row))
            let serial = try #require(record["form_id"])
            let sheet = try #require(planted[serial])
            let answers = try #require(sheet["answers"] as? [String: Any]), doubtful = Set(sheet["doubtful"] as? [String] ?? [])
            for (item, value) in answers {
                let expected: String
                if doubtful.contains(item) {
                    expected = try #require(typed["\(serial) \(item)"], "\(serial) \(item) was not put to the reviewer")
                } else if let codes = value as? [Int] {
                    expected = codes.map(String.init).joined(separator: "|")
                } else {
                    expected = value is NSNull ? "" : "\(value)"
                }
                #expect(record[item] == expected, "\(serial) \(item): stored \(record[item] ?? "nothing"), expected \(expected)")
            }
        }
    }
}

/// Counter slips, four to an A4 page: printed, marked by an independent script, and scanned as an
/// uncut sheet (turned, scaled), as a slip alone (upside down) and as a slip on a larger scanner
/// bed (off-centre, turned); a slip torn in half is refused by serial; a long form is not printed
/// on slips.
@Test func countersSlipsAreReadCutOrUncut() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sipas-slips-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let pdf = folder.appendingPathComponent("phieu-quay.pdf").path
    let printed = try sipas("form", "print", "--questionnaire", "counter-quick", "--slips", "--unit", "XA01", "--year", "2026", "--count", "6", "--out", pdf)
    #expect(printed.status == 0, "\(printed.stderr)")
    #expect(printed.stdout.contains("6 slips") && printed.stdout.contains("2 pages to cut"), "\(printed.stdout)")
    let info = try tool("pdfinfo", [pdf])
    #expect(info.contains("Pages:           2"), "\(info)")
    #expect(info.contains("595.276 x 841.89 pts (A4)"), "\(info)")
    let layout = try sipas("form", "layout", "--questionnaire", "counter-quick", "--slips", "--json")
    let layoutPath = folder.appendingPathComponent("layout.json")
    try Data(layout.stdout.utf8).write(to: layoutPath)
    let geometry = try #require(try JSONSerialization.jsonObject(with: Data(layout.stdout.utf8)) as? [String: Any])
    #expect(geometry["paper"] as? String == "slip" && geometry["pages"] as? Int == 1)
    #expect((geometry["page"] as? [String: Double]) == ["width_mm": 105, "height_mm": 148.5])

    let serials = (1...6).map { "XA01-2026-000\($0)" }
    let corpus = folder.appendingPathComponent("corpus")
    let made = try python([
        repository.appendingPathComponent("Tests/CLITests/Scripts/mark_slips.py").path, "--pdf", pdf, "--layout", layoutPath.path, "--serials",
        serials.joined(separator: ","), "--out", corpus.path,
    ])
    try #require(made.status == 0, "\(made.output)")
    let truth = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: corpus.appendingPathComponent("truth.json"))) as? [String: [String: Any]])
    let files = ["sheet-1.png", "slip-5.png", "slip-6.png"].map { corpus.appendingPathComponent($0).path }
    let scan = try sipas(arguments: ["scan", "--dry-run", "--json"] + files)
    #expect(scan.status == 0, "\(scan.stderr)\n\(scan.stdout.prefix(2000))")
    let out = try #require(try JSONSerialization.jsonObject(with: Data(scan.stdout.utf8)) as? [String: Any])
    #expect((out["refused"] as? [Any])?.isEmpty == true, "\(out["refused"] ?? "")")
    let sheets = try #require(out["sheets"] as? [[String: Any]])
    #expect(sheets.compactMap { $0["serial"] as? String }.sorted() == serials)
    for sheet in sheets {
        let serial = try #require(sheet["serial"] as? String)
        let expected = try #require(truth[serial])
        let answers = try #require(sheet["answers"] as? [String: Any])
        #expect((sheet["doubtful"] as? [Any])?.isEmpty == true, "\(serial): \(sheet["doubtful"] ?? "")")
        for (item, value) in expected {
            #expect("\(answers[item] ?? "missing")" == "\(value)", "\(serial) \(item): read \(answers[item] ?? "missing"), marked \(value)")
        }
    }

    // The uncut sheet torn across the lower slips: the upper two are read, the lower two refused by serial.
    let torn = corpus.appendingPathComponent("torn.png").path
    let cut = try python(["-c", "from PIL import Image; im = Image.open('\(files[0])'); im.crop((0, 0, im.width, im.height * 62 // 100)).save('\(torn)')"])
    try #require(cut.status == 0, "\(cut.output)")
    let refused = try sipas("scan", "--dry-run", "--json", torn)
    #expect(refused.status == 1)
    let tornOut = try #require(try JSONSerialization.jsonObject(with: Data(refused.stdout.utf8)) as? [String: Any])
    #expect((tornOut["sheets"] as? [[String: Any]])?.compactMap { $0["serial"] as? String }.sorted() == ["XA01-2026-0001", "XA01-2026-0002"])
    for serial in ["XA01-2026-0003", "XA01-2026-0004"] {
        #expect(refused.stdout.contains("the corner squares of slip \(serial) were not found"), "\(refused.stdout)")
    }

    let long = try sipas("form", "print", "--questionnaire", "sipas-2023", "--slips", "--unit", "XA01", "--count", "1", "--out", folder.appendingPathComponent("x.pdf").path)
    #expect(long.status != 0 && long.stderr.contains("does not fit on a slip"), "\(long.stderr)")
}
