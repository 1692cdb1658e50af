import Foundation
import NIOSSL
import SIPASKiosk
import SIPASModel
import SIPASServer
import SIPASStoring

/// The use case behind `sipas serve`: the questionnaires the server takes (recorded in the
/// store), the unit names for the status page, TLS from PEM files, and the server itself.
public struct ServeKiosks {
    /// Questionnaire ids or files (default counter-quick).
    public var questionnaires: [String]
    public var host: String
    public var port: Int
    public var staffToken: String
    /// PEM files: the certificate chain and its private key; both or neither.
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// Kiosk files (YAML, as `sipas kiosk --config`) of the browser kiosks, one per kiosk name.
    public var kioskConfigs: [String] = []

    public init(questionnaires: [String], host: String, port: Int, staffToken: String, tlsCertificate: String? = nil, tlsKey: String? = nil) {
        self.questionnaires = questionnaires
        self.host = host
        self.port = port
        self.staffToken = staffToken
        self.tlsCertificate = tlsCertificate
        self.tlsKey = tlsKey
    }

    /// The server, ready to run; the questionnaires are recorded in the store first.
    public func server(store: any SurveyStore, catalog: QuestionnaireCatalog = QuestionnaireCatalog()) throws -> KioskServer {
        var forms: [(form: KioskForm, yaml: String)] = []
        for reference in questionnaires.isEmpty ? ["counter-quick"] : questionnaires {
            let (q, yaml) = try catalog.loadWithText(reference)
            do {
                forms.append((try KioskForm(questionnaire: q), yaml))
            } catch {
                throw UserError("\(reference): \(error.description)")
            }
            try store.registerQuestionnaire(q, yaml: yaml)
        }
        var settings: [KioskConfig] = []
        for file in kioskConfigs {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw UserError("\(file): cannot read the kiosk file") }
            let config: KioskConfig
            do { config = try KioskConfig(yaml: text, file: file) } catch { throw UserError(error.description) }
            guard forms.contains(where: { $0.form.questionnaire.id == config.questionnaire }) else {
                throw UserError("\(file): questionnaire \(config.questionnaire) is not one this server takes (--questionnaire)")
            }
            if let twin = settings.first(where: { $0.kioskID == config.kioskID }) {
                throw UserError("\(file): kiosk '\(config.kioskID)' has a kiosk file already (unit \(twin.unit)); give each its own kiosk_id")
            }
            settings.append(config)
        }
        let names = try store.units().reduce(into: [String: String]()) { $0[$1.code] = $1.name }
        let browsers = BrowserKiosks(store: store, forms: forms, settings: settings, labels: try store.effectiveLabels(), unitNames: names)
        return KioskServer(
            store: store, forms: forms.map(\.form), host: host, port: port, staffToken: staffToken, tls: try tls(), unitNames: names, browserKiosks: browsers)
    }

    func tls() throws -> TLSConfiguration? {
        switch (tlsCertificate, tlsKey) {
        case (nil, nil): return nil
        case (let cert?, let key?):
            let chain: [NIOSSLCertificate]
            do {
                chain = try NIOSSLCertificate.fromPEMFile(cert)
            } catch {
                throw UserError("\(cert): not a PEM certificate file (-----BEGIN CERTIFICATE-----): \(error)")
            }
            guard !chain.isEmpty else { throw UserError("\(cert): holds no certificate") }
            let privateKey: NIOSSLPrivateKey
            do {
                privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
            } catch {
                throw UserError("\(key): not a PEM private key file (-----BEGIN PRIVATE KEY-----): \(error)")
            }
            return TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        default:
            throw UserError("TLS needs both the certificate and its key (--tls-cert and --tls-key)")
        }
    }
}
