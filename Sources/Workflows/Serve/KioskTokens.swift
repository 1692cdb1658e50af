import Foundation
import SIPASHTTP
import SIPASModel
import SIPASStoring

/// The kiosks' tokens of a server store (`sipas token add|list|revoke`): a token is shown once,
/// when it is issued; the store keeps its SHA-256 only.
public struct KioskTokens {
    public let store: any KioskServerStore

    public init(store: any KioskServerStore) { self.store = store }

    /// Issues a token for kiosk `kiosk` of unit `unit` and returns it: the only time it is seen.
    public func add(kiosk: String, unit: String, now: Date = Date()) throws -> String {
        guard KioskIdentifier.isCode(kiosk) else { throw UserError("the kiosk name must be 1 to 64 letters, digits, - _ or ., not '\(kiosk)'") }
        guard KioskIdentifier.isCode(unit) else { throw UserError("the unit code must be 1 to 64 letters, digits, - _ or ., not '\(unit)'") }
        let token = Tokens.new()
        do {
            try store.addKioskToken(KioskToken(kiosk: kiosk, unit: unit, tokenHash: KioskToken.hash(of: token), createdAt: Self.timestamp(now)))
        } catch let e as KioskStoreError {
            throw UserError(e.description)
        }
        return token
    }

    /// Every token issued, revoked ones too, by kiosk.
    public func list() throws -> [KioskToken] { try store.kioskTokens() }

    /// Revokes the kiosk's token; the server refuses it from its next call on.
    public func revoke(kiosk: String, now: Date = Date()) throws {
        guard try store.revokeKioskToken(kiosk: kiosk, at: Self.timestamp(now)) else {
            let known = try store.kioskTokens().filter { $0.revokedAt == nil }.map(\.kiosk)
            throw UserError("kiosk '\(kiosk)' has no token to revoke" + (known.isEmpty ? "" : " (kiosks with a token: \(known.joined(separator: ", ")))"))
        }
    }

    static func timestamp(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
