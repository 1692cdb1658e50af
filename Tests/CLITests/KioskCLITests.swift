import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SIPASModel
import SIPASStore
import SIPASStoring
import Testing

/// The terminal kiosk driven through tmux (send-keys, capture-pane), and the web kiosk through
/// its API, headless Chromium and a load test with SIGKILL (Python scripts beside this file).
@Suite(.serialized) struct KioskCLITests {
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts")

    static func binary() throws -> String { try sipasBinary().path }

    /// Runs a command and returns its output; `detached` for commands that leave a server behind
    /// (tmux), whose inherited pipe would never reach end-of-file.
    @discardableResult
    static func run(_ arguments: [String], detached: Bool = false) throws -> (status: Int32, out: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if detached {
            // posix_spawn and waitpid: Foundation's Process did not reap tmux's client here.
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            for fd in [Int32(1), 2] { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            let argv = arguments.map { strdup($0) } + [nil]
            defer { argv.forEach { free($0) } }
            var pid: pid_t = 0
            guard posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ) == 0 else { throw CancellationError() }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return ((status >> 8) & 0xFF, "")
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A tmux session running the kiosk; the pane is read as text.
    struct Pane {
        let name: String
        func keys(_ keys: String...) throws { try KioskCLITests.run(["tmux", "send-keys", "-t", name] + keys, detached: true) }
        func text() throws -> String { try KioskCLITests.run(["tmux", "capture-pane", "-p", "-J", "-t", name]).out }
        /// The screen's words on one line: text the kiosk wrapped reads as one sentence.
        func words() throws -> String { try text().split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        /// Waits until the pane shows `needle` (or fails after `timeout` seconds).
        func waitFor(_ needle: String, timeout: Double = 10, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let end = Date().addingTimeInterval(timeout)
            var last = ""
            while Date() < end {
                last = try text()
                if last.contains(needle) { return }
                Thread.sleep(forTimeInterval: 0.1)
            }
            Issue.record("the kiosk never showed \"\(needle)\"; the screen was:\n\(last)", sourceLocation: sourceLocation)
            throw CancellationError()
        }
    }

    static func startPane(_ name: String, store: String, width: Int = 80, height: Int = 24, _ options: [String]) throws -> Pane {
        try startPane(name, width: width, height: height, command: [try binary(), "kiosk", "--store", store, "--unit", "XA01"] + options)
    }

    /// A tmux session running `command` (then `EXIT=status`, and the pane kept a minute).
    static func startPane(_ name: String, width: Int = 80, height: Int = 24, command arguments: [String]) throws -> Pane {
        _ = try? run(["tmux", "kill-session", "-t", name], detached: true)
        let command = arguments.map { "'\($0)'" }.joined(separator: " ")
        let (status, out) = try run(["tmux", "new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)",
                                     "env LANG=C.UTF-8 TERM=xterm \(command); echo EXIT=$?; sleep 60"], detached: true)
        #expect(status == 0, "\(out)")
        return Pane(name: name)
    }

    static func storedTable(_ store: String) throws -> ResponseTable {
        let url = repository.appendingPathComponent("Questionnaires/counter-quick.yaml")
        let q = try Questionnaire(yaml: try String(contentsOf: url, encoding: .utf8), file: url.path)
        return try ResponseStore(path: store, create: false).responses(questionnaire: q).table
    }

    static func temporaryStore() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = dir.appendingPathComponent("s.sqlite").path
        let r = try run([try binary(), "init", "--store", store, "--unit", "XA01", "--name", "Xã Định Hóa"])
        #expect(r.status == 0, "\(r.out)")
        return store
    }

    /// A mistake in the kiosk's options is explained with the kiosk's own usage, never the root
    /// command's, and before anything is opened or created.
    @Test(arguments: [
        (["--unit", "XA01", "--reset-after", "soon"], "--reset-after takes a duration such as 20s or 1m; found 'soon'"),
        (["--unit", "XA01", "--min-interval", "-"], "--min-interval takes a duration such as 20s or 1m; found '-'"),
        (["--unit", "XA01", "--hours", "7h-9h"], "--hours: '7h-9h' should look like 07:30-11:30"),
        (["--unit", "XA01", "--reset-after", "2s"], "reset-after must be at least 5 seconds"),
        (["--unit", "XA01", "--staff-keys", "12"], "the staff key sequence cannot contain digits"),
        (["--field", "dat-dai"], "give --unit CODE (or --config FILE)"),
        (["--unit", "XA01", "--web", "--listen", "nowhere"], "--listen takes HOST:PORT, e.g. 127.0.0.1:8080; found 'nowhere'"),
        (["--unit", "XA01", "--web", "--token", "short"], "--token must have at least 16 characters"),
    ])
    func aBadKioskOptionShowsTheKiosksUsage(options: [String], message: String) throws {
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-usage-\(UUID().uuidString).sqlite").path
        let (status, out) = try Self.run([try Self.binary(), "kiosk", "--store", store] + options)
        #expect(status == 64, "\(out)")
        #expect(out.contains("Error: " + message), "\(out)")
        #expect(out.contains("Usage: sipas kiosk ") && out.contains("See 'sipas kiosk --help'"), "\(out)")
        #expect(!out.contains("Usage: sipas <subcommand>"), "\(out)")
        #expect(!FileManager.default.fileExists(atPath: store), "the store was created before the options were checked")
    }

    /// A bad kiosk file is a problem of that file: its name, line and reason, without a usage.
    @Test(arguments: [
        ("unit: XA01\ncolour: red\n", ":2: unknown key 'colour'"),
        ("unit: XA01\nreset_after: 1s\n", "reset-after must be at least 5 seconds"),
        (nil, "cannot read the kiosk file"),
    ] as [(String?, String)])
    func aBadKioskFileIsReportedWithoutAUsage(yaml: String?, message: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-file-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("quay-1.yaml")
        if let yaml { try yaml.write(to: file, atomically: true, encoding: .utf8) }
        let store = dir.appendingPathComponent("s.sqlite").path
        let (status, out) = try Self.run([try Self.binary(), "kiosk", "--store", store, "--config", file.path])
        #expect(status == 1, "\(out)")
        #expect(out.contains("Error: \(file.path)") && out.contains(message), "\(out)")
        #expect(!out.contains("Usage:"), "\(out)")
        #expect(!FileManager.default.fileExists(atPath: store), "the store was created before the kiosk file was checked")
    }

    @Test func terminalKioskRatesFollowsUpSkipsTimesOutAndCountsForStaff() throws {
        let store = try Self.temporaryStore()
        let pane = try Self.startPane("sipas-kiosk-a", store: store, ["--field", "đất đai", "--reset-after", "6s", "--min-interval", "0"])
        defer { _ = try? Self.run(["tmux", "kill-session", "-t", pane.name], detached: true) }
        try pane.waitFor("ÔNG/BÀ ĐÁNH GIÁ THẾ NÀO VỀ VIỆC GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH?")
        let first = try pane.text()
        #expect(first.contains("Xã Định Hóa") && first.contains("[ 3 ]  Rất hài lòng") && first.contains("[ 1 ]  Không hài lòng"))
        #expect(first.contains("Lĩnh vực: đất đai"))
        try pane.keys("3")
        try pane.waitFor("Câu hỏi thêm 1/3")
        // The rating is in the store while the first follow-up is on screen.
        #expect(try Self.storedTable(store).codes["overall"] == [3])
        try pane.keys("2")
        try pane.waitFor("Câu hỏi thêm 2/3")
        try pane.keys("0")
        try pane.waitFor("Câu hỏi thêm 3/3")
        // Walk away: a warning, then thanks, then the first screen again.
        try pane.waitFor("Màn hình sẽ trở về ban đầu", timeout: 8)
        try pane.waitFor("CẢM ƠN ÔNG/BÀ!", timeout: 8)
        try pane.waitFor("Nhấn phím số tương ứng để chọn.", timeout: 8)
        let table = try Self.storedTable(store)
        #expect(table.codes["overall"] == [3] && table.codes["staff"] == [2] && table.codes["time"] == [0] && table.codes["result"] == [0])
        #expect(table.field[0] == "đất đai" && table.channel[0] == "truc-tiep")
        // Keypad keys in application mode (ESC O s = 3) and a resize.
        try pane.keys("Escape", "O", "q")  // keypad 1: Không hài lòng
        try pane.waitFor("Câu hỏi thêm 1/3")
        try pane.keys("Enter", "Enter", "Enter")
        try pane.waitFor("CẢM ƠN ÔNG/BÀ!")
        try Self.run(["tmux", "resize-window", "-t", pane.name, "-x", "46", "-y", "30"], detached: true)
        try pane.waitFor("Nhấn phím số tương ứng", timeout: 8)
        let narrow = try pane.text()
        #expect(narrow.split(separator: "\n").allSatisfy { $0.count <= 46 })
        #expect(narrow.contains("[ 2 ]  Hài lòng"))
        #expect(try Self.storedTable(store).codes["overall"] == [3, 1])
        // Staff: today's count, then Enter closes the kiosk.
        try pane.keys("*", "/", "*")
        try pane.waitFor("DÀNH CHO CÁN BỘ")
        try pane.waitFor("Hôm nay: 2 lượt đánh giá,")  // wrapped at 46 columns
        #expect(try pane.words().contains("Hôm nay: 2 lượt đánh giá, trong đó 1 không hài lòng."))
        try pane.keys("Enter")
        try pane.waitFor("EXIT=0")
        #expect(try pane.text().contains("Kiosk kiosk-1 đã tắt. Hôm nay: 2 lượt đánh giá (1 không hài lòng)"))
        // Analysed as counter ratings: overall-question share 1/2; Decree-766 rate (40 − 1)/40.
        let (status, out) = try Self.run([try Self.binary(), "analyze", "--store", store, "--source", "kiosk", "--dossiers", "40", "--json"])
        #expect(status == 0, "\(out)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        let index = try #require((json["indices"] as? [[String: Any]])?.first)
        #expect(index["id"] as? String == "satisfaction" && index["value"] as? Double == 0.5 && index["n"] as? Int == 2)
        let rate = try #require(json["decree766"] as? [String: Any])
        #expect(rate["value"] as? Double == 39.0 / 40 && rate["dissatisfied"] as? Int == 1 && rate["ratings"] as? Int == 2)
    }

    @Test func terminalKioskTakesOneRatingPerDossier() throws {
        let store = try Self.temporaryStore()
        let pane = try Self.startPane("sipas-kiosk-b", store: store, ["--require-dossier", "--min-interval", "0"])
        defer { _ = try? Self.run(["tmux", "kill-session", "-t", pane.name], detached: true) }
        try pane.waitFor("Mã hồ sơ: [ _ ]")
        try pane.keys("hs-0007", "Enter")  // a scanner types the code and Enter
        try pane.waitFor("Nhấn phím số tương ứng để chọn.")
        try pane.keys("2")
        try pane.waitFor("Câu hỏi thêm 1/3")
        try pane.keys("0", "0", "0")
        try pane.waitFor("CẢM ƠN ÔNG/BÀ!")
        try pane.waitFor("Mã hồ sơ: [ _ ]", timeout: 8)
        try pane.keys("HS-0007", "Enter")
        try pane.waitFor("đã được đánh giá")
        #expect(try Self.storedTable(store).codes["overall"] == [2])
        try pane.keys("*", "/", "*")
        try pane.waitFor("hồ sơ đã đánh giá: 1")
    }

    @Test func webKioskAPIAndTouchPageInChromium() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("web-kiosk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        var arguments = ["python3", Self.scripts.appendingPathComponent("web_kiosk.py").path, try Self.binary(), work.path]
        if let shots = ProcessInfo.processInfo.environment["SIPAS_KIOSK_SCREENSHOTS"] { arguments += ["--screenshots", shots] }
        let (status, out) = try Self.run(arguments)
        #expect(status == 0, "\(out)")
        #expect(out.contains("all web kiosk checks passed"))
    }

    @Test(arguments: [0.0, 0.5])
    func twentyClientsSendTwentyThousandRatingsAndEveryAcknowledgedOneIsStoredOnce(killAfter: Double) throws {
        let store = try Self.temporaryStore()
        let (status, out) = try Self.run([
            "python3", Self.scripts.appendingPathComponent("kiosk_load.py").path, try Self.binary(), store,
            "--clients", "20", "--ratings", "20000", "--kill-after", String(killAfter),
        ])
        #expect(status == 0, "\(out)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(out.split(separator: "\n").last.map(String.init)?.utf8 ?? "".utf8)) as? [String: Any])
        #expect(summary["acknowledged"] as? Int == 20000)
        #expect(summary["stored"] as? Int == 20000)
        #expect(summary["error_count"] as? Int == 0)
        if killAfter > 0 { #expect((summary["killed_after_requests"] as? Int ?? 0) >= 10000) }
    }
}
