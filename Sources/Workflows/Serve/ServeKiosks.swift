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
        var forms: [KioskForm] = []
        for reference in questionnaires.isEmpty ? ["counter-quick"] : questionnaires {
            let (q, yaml) = try catalog.loadWithText(reference)
            do {
                forms.append(try KioskForm(questionnaire: q))
            } catch {
                throw UserError("\(reference): \(error.description)")
            }
            try store.registerQuestionnaire(q, yaml: yaml)
        }
        let names = try store.units().reduce(into: [String: String]()) { $0[$1.code] = $1.name }
        return KioskServer(store: store, forms: forms, host: host, port: port, staffToken: staffToken, tls: try tls(), unitNames: names)
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
