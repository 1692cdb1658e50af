import Foundation

/// A kiosk's settings as staff give them on the command line, as text: each one given overrides
/// the kiosk file (`--config`).
public struct KioskOptions: Sendable, Equatable {
    public var configFile: String?
    public var unit: String?
    public var questionnaire: String?
    public var field: String?
    public var channel: String?
    public var kioskID: String?
    public var requireDossier = false
    public var resetAfter: String?
    public var minInterval: String?
    public var hours: String?
    public var staffKeys: String?

    public init() {}

    /// The kiosk's settings: the kiosk file's (when given), then every option given here.
    /// Throws `KioskConfigError` for a kiosk file that cannot be read, `Problems` for one that is wrong, and
    /// `KioskOptionError` for an option's value (or a setting left wrong by the options).
    public func resolve() throws -> KioskConfig {
        var c: KioskConfig
        if let configFile {
            let text: String
            do { text = try String(contentsOfFile: configFile, encoding: .utf8) } catch {
                throw KioskConfigError("\(configFile): cannot read the kiosk file (\(error.localizedDescription))")
            }
            c = try KioskConfig(yaml: text, file: configFile)
            if let unit { c.unit = unit }
        } else {
            guard let unit else { throw KioskOptionError("give --unit CODE (or --config FILE)") }
            c = KioskConfig(unit: unit)
        }
        if let questionnaire { c.questionnaire = questionnaire }
        if let field { c.field = field.precomposedStringWithCanonicalMapping }
        if let channel { c.channel = channel.precomposedStringWithCanonicalMapping }
        if let kioskID { c.kioskID = kioskID }
        if requireDossier { c.requireDossier = true }
        func seconds(_ option: String, _ value: String?) throws(KioskOptionError) -> Double? {
            guard let value else { return nil }
            guard let s = KioskConfig.seconds(value) else { throw KioskOptionError("\(option) takes a duration such as 20s or 1m; found '\(value)'") }
            return s
        }
        if let s = try seconds("--reset-after", resetAfter) { c.resetAfter = s }
        if let s = try seconds("--min-interval", minInterval) { c.minInterval = s }
        if let hours {
            c.hours = try hours.split(separator: ",").map { (part) throws(KioskOptionError) -> OpeningHours in
                guard let h = OpeningHours(parse: String(part)) else { throw KioskOptionError("--hours: '\(part)' should look like 07:30-11:30") }
                return h
            }
        }
        if let staffKeys { c.staffKeys = staffKeys }
        if let problem = c.problem { throw KioskOptionError(problem) }
        return c
    }
}

/// An option given a value the kiosk cannot use; the command shows its usage with it.
public struct KioskOptionError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
