import Foundation
import SIPASModel
import Yams

/// How a kiosk at the counter (quầy) is set up. Field and channel are set by staff, never asked.
public struct KioskConfig: Sendable, Equatable {
    public var questionnaire = "counter-quick"
    public var unit: String
    public var unitName: String?
    /// Lĩnh vực (đất đai, hộ tịch, …).
    public var field: String?
    /// Kênh (trực tiếp, trực tuyến, bưu chính).
    public var channel: String? = "truc-tiep"
    public var kioskID = "kiosk-1"
    public var requireDossier = false
    /// Seconds of inactivity before the screen returns to the start (a warning comes first).
    public var resetAfter: Double = 20
    /// Seconds the warning is shown before the reset.
    public var warnFor: Double = 5
    /// Seconds the thank-you screen stays.
    public var thanksFor: Double = 4
    /// Shortest time between two ratings at this kiosk; quicker ones are refused and counted.
    public var minInterval: Double = 3
    /// Opening hours, e.g. 07:30-11:30 and 13:30-17:00; empty means always open.
    public var hours: [OpeningHours] = []
    /// Keys that open the staff screen (today's count, exit).
    public var staffKeys = "*/*"
    /// Names shown for the field and channel codes (set from the store and the catalogue; not in the file).
    public var labels = Labels.catalogue

    public init(unit: String) { self.unit = unit }

    /// Reads a kiosk file (YAML with the same keys as the command's options); every problem is
    /// thrown together, each with the file and line.
    public init(yaml: String, file: String) throws(Problems) {
        var r = try YAMLReader(yaml: yaml, file: file)
        let keys: Set<String> = [
            "questionnaire", "unit", "unit_name", "field", "channel", "kiosk_id", "require_dossier", "reset_after", "min_interval",
            "thanks_for", "staff_keys", "hours",
        ]
        guard let root = r.root, let map = r.mapping(root, nil, allowed: keys, what: "a kiosk file") else {
            throw Problems(r.problems.isEmpty ? [Problem(file: file, message: "expected a mapping of kiosk settings")] : r.problems)
        }
        var config = KioskConfig(unit: "")
        func text(_ key: String) -> String? { r.string(map, key, nil, required: false, at: root) }
        func seconds(_ key: String) -> Double? {
            guard let node = map[key] else { return nil }
            guard let s = node.string, let v = KioskConfig.seconds(s) else {
                r.issue(node, nil, "'\(key)' must be a duration such as 20s or 1m")
                return nil
            }
            return v
        }
        if map["unit"] == nil { r.issue(root, nil, "'unit' is required (the unit code, mã đơn vị)") }
        config.unit = text("unit") ?? ""
        config.questionnaire = text("questionnaire") ?? config.questionnaire
        config.unitName = text("unit_name")
        config.field = text("field")
        config.channel = map["channel"] == nil ? config.channel : text("channel")
        config.kioskID = text("kiosk_id") ?? config.kioskID
        config.requireDossier = r.bool(map["require_dossier"], nil, "'require_dossier'") ?? false
        config.resetAfter = seconds("reset_after") ?? config.resetAfter
        config.minInterval = seconds("min_interval") ?? config.minInterval
        config.thanksFor = seconds("thanks_for") ?? config.thanksFor
        config.staffKeys = text("staff_keys") ?? config.staffKeys
        if let node = map["hours"] {
            let list = node.sequence?.compactMap(\.string) ?? node.string.map { $0.split(separator: ",").map(String.init) } ?? []
            for h in list {
                if let parsed = OpeningHours(parse: h) { config.hours.append(parsed) } else {
                    r.issue(node, nil, "opening hours '\(h)' should look like 07:30-11:30")
                }
            }
        }
        if r.problems.isEmpty, let problem = config.problem { r.issue(root, nil, problem) }
        if !r.problems.isEmpty { throw Problems(r.problems) }
        self = config
    }

    /// What is wrong with the settings, if anything.
    public var problem: String? {
        if unit.isEmpty { return "the unit code is empty" }
        if resetAfter < 5 { return "reset-after must be at least 5 seconds (citizens need time to read)" }
        if minInterval < 0 { return "min-interval cannot be negative" }
        if staffKeys.count < 2 { return "the staff key sequence needs at least 2 keys" }
        if staffKeys.contains(where: { ("0"..."9").contains($0) }) { return "the staff key sequence cannot contain digits, which are answers" }
        return nil
    }

    /// "20s", "2m", "1.5s", "20" → seconds.
    public static func seconds(_ text: String) -> Double? {
        var s = text.trimmingCharacters(in: .whitespaces).lowercased()
        var factor = 1.0
        if s.hasSuffix("ms") { factor = 0.001; s.removeLast(2) }
        else if s.hasSuffix("s") { s.removeLast() }
        else if s.hasSuffix("m") { factor = 60; s.removeLast() }
        guard let v = Double(s), v >= 0, v.isFinite else { return nil }
        return v * factor
    }

    /// Whether the kiosk takes ratings at `date` (local time).
    public func isOpen(at date: Date, timeZone: TimeZone = .current) -> Bool {
        guard !hours.isEmpty else { return true }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.hour, .minute], from: date)
        let minute = (c.hour ?? 0) * 60 + (c.minute ?? 0)
        return hours.contains { $0.contains(minute) }
    }
}

/// A daily opening interval, minutes after midnight, end exclusive.
public struct OpeningHours: Sendable, Equatable, CustomStringConvertible {
    public var start: Int
    public var end: Int

    public init?(parse text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "-")
        guard parts.count == 2, let a = Self.minute(parts[0]), let b = Self.minute(parts[1]), a < b else { return nil }
        start = a
        end = b
    }

    static func minute(_ s: Substring) -> Int? {
        let hm = s.trimmingCharacters(in: .whitespaces).split(separator: ":")
        guard hm.count == 2, let h = Int(hm[0]), let m = Int(hm[1]), (0...24).contains(h), (0..<60).contains(m), h * 60 + m <= 1440 else { return nil }
        return h * 60 + m
    }

    public func contains(_ minute: Int) -> Bool { minute >= start && minute < end }

    public var description: String { String(format: "%02d:%02d-%02d:%02d", start / 60, start % 60, end / 60, end % 60) }
}

public struct KioskConfigError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
