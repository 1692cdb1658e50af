import Foundation
import SIPASHTTP
import SIPASKiosk
import SIPASKioskWeb
import SIPASModel
import SIPASStoring

/// Kiosks that are thin browsers on the server's network: a tablet opens
/// `http(s)://SERVER/kiosk#token=KIOSK-TOKEN` and its ratings go straight into the server's
/// store, with no store of its own (it works only while the server answers; a kiosk that must
/// keep working offline runs `sipas kiosk --upstream` instead).
///
/// Each token's kiosk gets its own recorder on the server's store, made at its first call: the
/// kiosk name and unit are the token's, the rest (field, channel, dossier codes, hours, timings)
/// comes from the kiosk file named for it (`sipas serve --kiosk-config`), else the defaults.
public final class BrowserKiosks: @unchecked Sendable {
    let store: any KioskRatingStore
    /// The questionnaires the server takes, with their YAML (a recorder records it).
    let forms: [(form: KioskForm, yaml: String)]
    /// Kiosk files by kiosk name.
    let settings: [String: KioskConfig]
    let labels: Labels
    let unitNames: [String: String]
    private let lock = NSLock()
    private var kiosks: [String: WebKiosk] = [:]

    public init(store: any KioskRatingStore, forms: [(form: KioskForm, yaml: String)], settings: [KioskConfig], labels: Labels, unitNames: [String: String]) {
        self.store = store
        self.forms = forms
        self.settings = Dictionary(settings.map { ($0.kioskID, $0) }, uniquingKeysWith: { a, _ in a })
        self.labels = labels
        self.unitNames = unitNames
    }

    /// The kiosk of an authenticated, unrevoked token.
    func kiosk(for token: KioskToken) throws -> WebKiosk {
        if let made = lock.withLock({ kiosks[token.kiosk] }) { return made }
        var config = settings[token.kiosk] ?? KioskConfig(unit: token.unit)
        guard config.unit == token.unit else {
            throw HTTPRefusal(
                .forbidden,
                "the kiosk file of '\(token.kiosk)' is for unit \(config.unit), but its token writes ratings for unit \(token.unit) only")
        }
        config.kioskID = token.kiosk
        config.labels = labels
        if config.unitName == nil { config.unitName = unitNames[token.unit] }
        guard let chosen = forms.first(where: { $0.form.questionnaire.id == config.questionnaire }) ?? (settings[token.kiosk] == nil ? forms.first : nil) else {
            throw HTTPRefusal(.forbidden, "the kiosk file of '\(token.kiosk)' asks for questionnaire \(config.questionnaire), which this server does not take")
        }
        let recorder = try KioskRecorder(store: store, config: config, form: chosen.form, questionnaireYAML: chosen.yaml)
        let made = WebKiosk(recorder: recorder, host: "", port: 0, token: "")
        let kept = lock.withLock { () -> WebKiosk in
            if let first = kiosks[token.kiosk] { return first }
            kiosks[token.kiosk] = made
            return made
        }
        if kept.recorder !== recorder { recorder.close() }
        return kept
    }

    /// Stops every recorder (each writes what it holds first).
    public func close() {
        for kiosk in lock.withLock({ Array(kiosks.values) }) { kiosk.recorder.close() }
    }
}
