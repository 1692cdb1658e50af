import ArgumentParser
import Foundation
import SIPASKioskWeb
import SIPASServer
import SIPASStoring
import SIPASWorkflows

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the district or province server: kiosks send their ratings here, staff watch the status page.",
        discussion: """
            Kiosks in every office keep each rating on their own disk first and push it to this server \
            when the network allows (sipas kiosk --upstream). Each kiosk needs its own token: \
            sipas token add --kiosk NAME --unit CODE prints it once; it writes ratings for that unit only.

            The store is meant to be PostgreSQL (--store postgres://USER@HOST:PORT/DB, the password from \
            PGPASSWORD or ~/.pgpass); an SQLite file serves a small office. Beyond one building use TLS: \
            --tls-cert and --tls-key take PEM files (or put a reverse proxy with TLS in front).

            The status page is http(s)://HOST:PORT/#token=STAFF-TOKEN; the staff token is printed once \
            when the server starts, unless given with --staff-token.

            A tablet on the network can be a kiosk with no store of its own: it opens \
            http(s)://HOST:PORT/kiosk#token=KIOSK-TOKEN and its ratings go straight to this server (it works \
            only while the server answers). Its field, channel, hours and dossier codes come from a kiosk \
            file (as for sipas kiosk --config) whose kiosk_id is the token's kiosk: --kiosk-config FILE.

            Examples:
              sipas serve --store postgres://sipas@127.0.0.1:5432/sipas --listen 0.0.0.0:8443 \\
                --tls-cert /etc/sipas/server.crt --tls-key /etc/sipas/server.key
              sipas serve --store huyen.sqlite --listen 127.0.0.1:8090
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: "Address and port to listen on (port 0 picks a free one).")
    var listen = "127.0.0.1:8090"

    @Option(help: "A questionnaire the kiosks use, by id or file (repeatable; default counter-quick).")
    var questionnaire: [String] = []

    @Option(name: .customLong("staff-token"), help: "The token of the status page (default: generated and printed once).")
    var staffToken: String?

    @Option(name: .customLong("tls-cert"), help: "TLS certificate chain (PEM); with --tls-key the server speaks HTTPS only.")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "The certificate's private key (PEM).")
    var tlsKey: String?

    @Option(name: .customLong("kiosk-config"), help: "A browser kiosk's settings (YAML as for sipas kiosk --config, its kiosk_id the token's kiosk; repeatable).")
    var kioskConfig: [String] = []

    func validate() throws {
        if WebKiosk.listenAddress(listen) == nil { throw ValidationError("--listen takes HOST:PORT, e.g. 0.0.0.0:8443; found '\(listen)'") }
        if let staffToken, staffToken.count < WebKiosk.minimumTokenLength {
            throw ValidationError("--staff-token must have at least \(WebKiosk.minimumTokenLength) characters")
        }
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("TLS needs both --tls-cert and --tls-key") }
    }

    func run() throws {
        guard let (host, port) = WebKiosk.listenAddress(listen) else { throw CLIError("--listen: '\(listen)'") }
        let token = staffToken ?? WebKiosk.newToken()
        // On PostgreSQL, token checks, counts and the status page read on connections of their own
        // while a batch is being written.
        let s = try store.open(create: true, readConnections: 4)
        var serve = ServeKiosks(questionnaires: questionnaire, host: host, port: port, staffToken: token, tlsCertificate: tlsCert, tlsKey: tlsKey)
        serve.kioskConfigs = kioskConfig
        let server = try serve.server(store: s)
        defer { server.browserKiosks?.close() }
        let scheme = tlsCert == nil ? "http" : "https"
        let shown = host.contains(":") ? "[\(host)]" : host
        do {
            try server.serveBlocking { bound in
                emit("Máy chủ kiosk đang chạy: \(scheme)://\(shown):\(bound)/ (kho: \(s.location))")
                emit("Nhận phiếu của: \(server.forms.map { "\($0.questionnaire.id) \($0.questionnaire.version)" }.joined(separator: ", "))")
                if staffToken == nil { emit("Trang trạng thái (mã cán bộ, chỉ in một lần): \(scheme)://\(shown):\(bound)/#token=\(token)") }
                emit("Kiosk trên trình duyệt: \(scheme)://\(shown):\(bound)/kiosk#token=MÃ-KIOSK (mã của sipas token add)")
                if !WebKiosk.isLoopback(host), tlsCert == nil {
                    emitError("Cảnh báo: không có TLS; mã kiosk đi trên mạng không mã hoá. Dùng --tls-cert/--tls-key hoặc một reverse proxy có TLS.")
                }
            }
        } catch { throw CLIError("the server stopped: \(error)") }
    }
}

struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Issue, list and revoke the kiosks' tokens for sipas serve.",
        discussion: """
            A token lets one kiosk send ratings of one unit to the server. It is printed once, when it is \
            issued; the store keeps only its SHA-256. Revoking takes effect on the kiosk's next call.

            Examples:
              sipas token add --kiosk quay-1 --unit XA01 --store postgres://sipas@127.0.0.1/sipas
              sipas token list
              sipas token revoke quay-1
            """,
        subcommands: [Add.self, List.self, Revoke.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a kiosk's token and print it once.")

        @OptionGroup var store: StoreOptions

        @Option(help: "The kiosk's name (as its --kiosk-id), e.g. quay-1.")
        var kiosk: String

        @Option(help: "The unit (mã đơn vị) it rates for; its token writes ratings for this unit only.")
        var unit: String

        func run() throws {
            let token = try KioskTokens(store: try store.open(create: true)).add(kiosk: kiosk, unit: unit)
            emitError("Mã của kiosk \(kiosk) (đơn vị \(unit)); chỉ in một lần, hãy ghi lại ngay:")
            emit(token)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the kiosks' tokens (never the tokens themselves).")

        @OptionGroup var store: StoreOptions

        func run() throws {
            let tokens = try KioskTokens(store: try store.open()).list()
            guard !tokens.isEmpty else {
                emit("Chưa có mã kiosk nào. Cấp mã: sipas token add --kiosk NAME --unit CODE")
                return
            }
            let width = max(5, tokens.map(\.kiosk.count).max() ?? 0)
            emit("Kiosk".padding(toLength: width, withPad: " ", startingAt: 0) + "  Đơn vị      Cấp lúc                 Trạng thái")
            for t in tokens {
                emit(t.kiosk.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + t.unit.padding(toLength: 10, withPad: " ", startingAt: 0)
                    + "  " + t.createdAt.padding(toLength: 22, withPad: " ", startingAt: 0) + "  " + (t.revokedAt.map { "thu hồi lúc \($0)" } ?? "đang dùng"))
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a kiosk's token: the server refuses it from its next call on.")

        @OptionGroup var store: StoreOptions

        @Argument(help: "The kiosk's name.")
        var kiosk: String

        func run() throws {
            try KioskTokens(store: try store.open()).revoke(kiosk: kiosk)
            emit("Đã thu hồi mã của kiosk \(kiosk).")
        }
    }
}
