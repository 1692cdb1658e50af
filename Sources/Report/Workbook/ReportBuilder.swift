import Foundation
import SIPASAnalysis
import SIPASModel

/// One target of the plan checked against the data (chỉ tiêu).
public struct TargetResult: Sendable, Codable, Equatable {
    public var title: String
    public var index: String
    public var minimum: Double
    public var fields: [String]
    public var channels: [String]
    public var value: Double?
    public var lower: Double?
    public var upper: Double?
    public var n: Int
    public var verdict: Verdict?
    public var small: Bool
    /// The forms the target covers, in words: "Lĩnh vực Đất đai, Xây dựng · kênh Trực tuyến", or "Tất cả phiếu".
    public var scope: String

    public init(
        title: String, index: String, minimum: Double, fields: [String], channels: [String], value: Double?, lower: Double?, upper: Double?,
        n: Int, verdict: Verdict?, small: Bool, labels: Labels = .catalogue
    ) {
        scope = Self.scope(fields: fields, channels: channels, labels: labels)
        self.title = title
        self.index = index
        self.minimum = minimum
        self.fields = fields
        self.channels = channels
        self.value = value
        self.lower = lower
        self.upper = upper
        self.n = n
        self.verdict = verdict
        self.small = small
    }

    /// "Lĩnh vực Đất đai, Xây dựng · kênh Trực tuyến", or "Tất cả phiếu": codes by their names.
    public static func scope(fields: [String], channels: [String], labels: Labels) -> String {
        var parts: [String] = []
        if !fields.isEmpty { parts.append("lĩnh vực \(fields.map { labels.name(of: $0, in: .field) }.joined(separator: ", "))") }
        if !channels.isEmpty { parts.append("kênh \(channels.map { labels.name(of: $0, in: .channel) }.joined(separator: ", "))") }
        guard !parts.isEmpty else { return "Tất cả phiếu" }
        let text = parts.joined(separator: " · ")
        return text.prefix(1).uppercased() + text.dropFirst()
    }
}

/// Everything a report shows: the analysis of the period, the previous one, and the targets.
public struct ReportData: Sendable, Codable {
    public var unit: String
    public var unitName: String
    public var period: String
    public var periodLabel: String
    public var from: String
    public var to: String
    public var sources: [String: Int]
    public var analysis: Analysis
    public var previous: Analysis?
    public var targets: [TargetResult]
    public var software: String
    public var dataSHA256: String
    /// Counter (kiosk) ratings of the period, analysed with their own rule (overall-question), by field and channel.
    public var counter: Analysis?

    public init(
        unit: String, unitName: String, period: String, periodLabel: String, from: String, to: String, sources: [String: Int],
        analysis: Analysis, previous: Analysis?, targets: [TargetResult], software: String, dataSHA256: String, counter: Analysis? = nil
    ) {
        self.counter = counter
        self.unit = unit
        self.unitName = unitName
        self.period = period
        self.periodLabel = periodLabel
        self.from = from
        self.to = to
        self.sources = sources
        self.analysis = analysis
        // The change from the previous period, unless the analysis already carries it.
        if let previous, analysis.change == nil { self.analysis.change = Analysis.changes(from: previous, to: analysis) }
        self.previous = previous
        self.targets = targets
        self.software = software
        self.dataSHA256 = dataSHA256
    }
}

public enum ReportBuilder {
    /// The analysis options a profile asks for.
    /// `labels` names the groups of fields, channels and units (default: the catalogue under the profile's own).
    public static func options(_ profile: ReportProfile, target: Double? = nil, labels: Labels? = nil) -> AnalysisOptions {
        var options = AnalysisOptions(
            level: profile.level, composite: profile.compositeInterval, criterion: profile.criterionInterval,
            target: target, populations: profile.populations)
        options.labels = labels ?? Labels.catalogue.overridden(by: profile.labels)
        return options
    }

    /// Each target on its forms (a field, a channel), analysed as a domain of the whole design. `whole`, the analysis of the
    /// whole table under ``options(_:target:)``, serves the targets that cover every form.
    public static func targets(_ profile: ReportProfile, table: ResponseTable, whole: Analysis? = nil, labels: Labels? = nil) throws -> [TargetResult] {
        let labels = labels ?? Labels.catalogue.overridden(by: profile.labels)
        return try profile.targets.map { t in
            let rows = (0..<table.count).filter { r in
                (t.fields.isEmpty || t.fields.contains(table.field[r] ?? "")) && (t.channels.isEmpty || t.channels.contains(table.channel[r] ?? ""))
            }
            var result = TargetResult(
                title: t.title, index: t.index, minimum: t.minimum, fields: t.fields, channels: t.channels,
                value: nil, lower: nil, upper: nil, n: 0, verdict: nil, small: true, labels: labels)
            guard !rows.isEmpty else { return result }
            if rows.count == table.count, let whole, let ix = whole.indices.first(where: { $0.id == t.index }) {
                result.value = ix.value
                result.lower = ix.lower
                result.upper = ix.upper
                result.n = ix.n
                result.verdict = Verdict(lower: ix.lower, upper: ix.upper, target: t.minimum)
                result.small = ix.small
                return result
            }
            let analysis = try Analyzer(options: options(profile, target: t.minimum, labels: labels)).analyze(table, domain: rows)
            if let ix = analysis.indices.first(where: { $0.id == t.index }) {
                result.value = ix.value
                result.lower = ix.lower
                result.upper = ix.upper
                result.n = ix.n
                result.verdict = ix.verdict
                result.small = ix.small
            }
            return result
        }
    }
}
