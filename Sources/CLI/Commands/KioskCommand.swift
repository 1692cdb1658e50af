import ArgumentParser
import Foundation
import SIPASWorkflows
import SIPASKiosk
import SIPASHTTP
import SIPASKioskWeb
import SIPASStore
import SIPASStoring
import SIPASSync

struct KioskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiosk",
        abstract: "Take ratings at the service counter (kiosk tại quầy): in this terminal, or as a touch page with --web.",
        discussion: """
            After a citizen receives a result at the one-stop counter, the kiosk asks how satisfied they were \
            (counter-quick: 1 Không hài lòng · 2 Hài lòng · 3 Rất hài lòng), then up to three skippable \
            follow-ups. The overall rating is stored durably the moment it is given; "Cảm ơn Ông/Bà" shows \
            only after that. Field and channel are set here by staff, never asked of the citizen.

            Terminal mode (default): single keys 1–3 (numeric keypads and USB button boxes work), 0 or Enter \
            skips a follow-up; with --require-dossier a barcode scanner types the dossier code and Enter. \
            Staff type the staff keys (default */*) to see today's count; Enter then closes the kiosk.

            Web mode: sipas kiosk --web --listen 127.0.0.1:8080 serves a touch page and a JSON API (see README). \
            Listening beyond loopback requires a token (--token, or one is generated and printed once); open \
            the page as http://HOST:PORT/#token=TOKEN on the kiosk tablet.

            Examples:
              sipas kiosk --unit XA01 --field dat-dai
              sipas kiosk --unit XA01 --field ho-tich --require-dossier --hours 07:30-11:30,13:30-17:00
              sipas kiosk --config Reports/kiosk-quay-1.yaml --web --listen 0.0.0.0:8080

            Syncing to a district or province server (sipas serve): with --upstream the kiosk still stores \
            every rating on this machine first, then sends it in the background; it keeps working for days \
            with the server or the network down and sends the queue when they are back. The staff screen \
            shows the queue and the last successful sync. The kiosk's token (sipas token add on the \
            server) comes from $SIPAS_UPSTREAM_TOKEN or --upstream-token-file, so that it never shows in \
            the list of processes:
              SIPAS_UPSTREAM_TOKEN=… sipas kiosk --unit XA01 --kiosk-id quay-1 --upstream https://huyen.example:8443
            With --require-dossier the kiosk takes the server's dossier key when it first starts (the server             must answer then), so that a dossier rated at another kiosk of the server is refused here too.
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: "A kiosk file (YAML) with these settings; options given here override it.")
    var config: String?

    @Option(help: "Questionnaire id or file (default counter-quick).")
    var questionnaire: String?

    @Option(help: "Unit code (mã đơn vị).")
    var unit: String?

    @Option(help: "Field (lĩnh vực), e.g. dat-dai, ho-tich.")
    var field: String?

    @Option(help: "Channel (kênh), e.g. truc-tiep, truc-tuyen, buu-chinh (default truc-tiep).")
    var channel: String?

    @Option(name: .customLong("kiosk-id"), help: "This kiosk's name, stored with each rating (default kiosk-1).")
    var kioskID: String?

    @Flag(name: .customLong("require-dossier"), help: "Ask for the dossier code first: one rating per dossier (only a keyed hash is stored).")
    var requireDossier = false

    @Option(name: .customLong("reset-after"), help: "Return to the start after this much inactivity, e.g. 20s (a warning comes first).")
    var resetAfter: String?

    @Option(name: .customLong("min-interval"), help: "Refuse a rating this soon after the previous one, e.g. 3s (0 disables).")
    var minInterval: String?

    @Option(help: "Opening hours, e.g. 07:30-11:30,13:30-17:00; outside them the kiosk accepts nothing.")
    var hours: String?

    @Option(name: .customLong("staff-keys"), help: "Key sequence that opens the staff screen (no digits; default */*).")
    var staffKeys: String?

    @Flag(help: "Serve the touch-screen page and JSON API instead of using this terminal.")
    var web = false

    @Option(help: "With --web: address and port to listen on (default 127.0.0.1:8080; port 0 picks a free one).")
    var listen = "127.0.0.1:8080"

    @Option(help: "With --web: the kiosk token (default: generated and printed once).")
    var token: String?

    @Option(help: "Send the ratings to this sipas serve (http(s)://HOST:PORT) in the background; each is stored here first.")
    var upstream: String?

    @Option(name: .customLong("upstream-token-file"), help: "A file holding this kiosk's token for --upstream (default: $SIPAS_UPSTREAM_TOKEN).")
    var upstreamTokenFile: String?

    @Option(name: .customLong("upstream-ca"), help: "With an https upstream: the server's certificate (PEM) to trust, when no public authority signed it.")
    var upstreamCA: String?

    var options: KioskOptions {
        var o = KioskOptions()
        (o.configFile, o.unit, o.questionnaire, o.field, o.channel, o.kioskID) = (config, unit, questionnaire, field, channel, kioskID)
        (o.requireDossier, o.resetAfter, o.minInterval, o.hours, o.staffKeys) = (requireDossier, resetAfter, minInterval, hours, staffKeys)
        return o
    }

    /// Checks every option before anything is opened: a wrong value shows this command's usage,
    /// a wrong kiosk file its own problems.
    func validate() throws {
        do { _ = try options.resolve() } catch let e as KioskOptionError { throw ValidationError(e.description) } catch { throw CLIError("\(error)") }
        if let upstream {
            guard upstream.hasPrefix("http://") || upstream.hasPrefix("https://") else {
                throw ValidationError("--upstream takes the server's address as http(s)://HOST:PORT, e.g. https://huyen.example:8443; found '\(upstream)'")
            }
            if PostgresAddress.isPostgres(store.resolvedPath) {
                throw ValidationError("--upstream needs the kiosk's own SQLite store (its outbox), not a PostgreSQL server")
            }
        } else if upstreamTokenFile != nil || upstreamCA != nil {
            throw ValidationError("--upstream-token-file and --upstream-ca go with --upstream")
        }
        guard web else { return }
        if WebKiosk.listenAddress(listen) == nil { throw ValidationError("--listen takes HOST:PORT, e.g. 127.0.0.1:8080; found '\(listen)'") }
        if let token, token.count < WebKiosk.minimumTokenLength { throw ValidationError("--token must have at least \(WebKiosk.minimumTokenLength) characters") }
    }

    func run() throws {
        var c = try options.resolve()
        let (q, yaml) = try QuestionnaireCatalog().loadWithText(c.questionnaire)
        let form = try KioskForm(questionnaire: q)
        let s = try store.open(create: true)
        if c.unitName == nil { c.unitName = try s.units().first { $0.code == c.unit }?.name }
        c.labels = try s.effectiveLabels()
        let recorder = try KioskRecorder(store: s, config: c, form: form, questionnaireYAML: yaml)
        defer { recorder.close() }
        let sync = try upstreamSync(store: s, config: c)
        defer { sync.map(Self.stop) }
        if let sync, c.requireDossier {
            // Before the first dossier code: hash codes under the server's key, as every kiosk of the server does.
            let adopted: Bool
            do { adopted = try waitFor { try await sync.adoptDossierKey() } } catch { throw CLIError("\(error)") }
            if !adopted {
                emitError("Máy chủ chưa trả lời; mã hồ sơ vẫn được băm bằng khóa của máy chủ đã nhận trước đây (the server does not answer; using its dossier key taken before).")
            }
        }
        if let sync {
            recorder.attachUpstream(onStored: { sync.nudge() }, status: { sync.status() })
            sync.start()
            emitError("Kiosk \(c.kioskID) gửi các lượt đánh giá lên \(sync.client.base) (lưu trên máy này trước).")
        }
        if web { return try runWeb(recorder) }
        if let counts = try TerminalKiosk(recorder: recorder).run() {
            emit("Kiosk \(c.kioskID) đã tắt. Hôm nay: \(counts.today) lượt đánh giá (\(counts.dissatisfiedToday) không hài lòng); bị từ chối: \(counts.rejectedToday).")
        }
    }

    /// The background sync to `--upstream`, when asked for.
    func upstreamSync(store: any SurveyStore, config c: KioskConfig) throws -> OutboxSync? {
        guard let upstream else { return nil }
        guard let outbox = store as? any KioskOutbox else { throw CLIError("--upstream needs the kiosk's own SQLite store") }
        let token: String
        if let file = upstreamTokenFile {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw CLIError("\(file): cannot read the kiosk's token") }
            token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            token = ProcessInfo.processInfo.environment["SIPAS_UPSTREAM_TOKEN"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        }
        guard !token.isEmpty else {
            throw CLIError("--upstream needs this kiosk's token: set SIPAS_UPSTREAM_TOKEN or pass --upstream-token-file (sipas token add on the server issues it)")
        }
        let client: UpstreamClient
        do { client = try UpstreamClient(base: upstream, token: token, caFile: upstreamCA) } catch { throw CLIError("\(error)") }
        let sync = OutboxSync(outbox: outbox, client: client, kioskID: c.kioskID, unit: c.unit)
        // The terminal kiosk's screen is the terminal: there, staff see the link on the staff screen.
        if web { sync.onChange = { message in emitError("\(ISO8601DateFormatter().string(from: Date())) sync: \(message)") } }
        return sync
    }

    static func stop(_ sync: OutboxSync) {
        try? waitFor { await sync.stop() }
    }

    func runWeb(_ recorder: KioskRecorder) throws {
        guard let (host, port) = WebKiosk.listenAddress(listen) else { throw CLIError("--listen: '\(listen)'") }
        let kioskToken = token ?? WebKiosk.newToken()
        let kiosk = WebKiosk(recorder: recorder, host: host, port: port, token: kioskToken)
        do {
            try kiosk.serveBlocking { bound in
                emit("Kiosk \(recorder.config.kioskID) đang chạy: http://\(host.contains(":") ? "[\(host)]" : host):\(bound)/")
                guard token == nil else { return }
                emit("Mã kiosk (token, chỉ in một lần): \(kioskToken)")
                emit(WebKiosk.isLoopback(host)
                    ? "Trang trạng thái cho cán bộ: GET /api/status với Authorization: Bearer TOKEN"
                    : "Mở trên máy tính bảng: http://HOST:\(bound)/#token=\(kioskToken)")
            }
        } catch { throw CLIError("the web kiosk stopped: \(error)") }
    }
}

