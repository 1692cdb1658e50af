import Foundation
import SIPASAnalysis
import SIPASCSV
import SIPASModel
import SIPASReport
import SIPASStore
import SIPASStoring

/// The software's version, written into every report and workbook.
public enum SIPASVersion {
    public static let current = "0.1.0"
}

/// The province workbook's figures from stored responses and a report profile: the period's
/// analysis, the previous period, each target, the counter ratings and the data hash.
///
/// Use it for `sipas report` and the demo; write the result with ``BuiltReport/write(to:)``.
public struct BuildReport {
    /// The profile's YAML file.
    public var profilePath: String
    /// A period instead of the profile's (2026-Q1, 2026-H1, 2026).
    public var period: ReportPeriod?
    public var catalog = QuestionnaireCatalog()

    public init(profilePath: String, period: ReportPeriod? = nil) {
        self.profilePath = profilePath
        self.period = period
    }

    public func run(store s: any ResponseReading) throws -> BuiltReport {
        let text: String
        do {
            text = try String(contentsOfFile: profilePath, encoding: .utf8)
        } catch {
            throw UserError("\(profilePath): cannot read the report profile (\(error.localizedDescription))")
        }
        let profile: ReportProfile
        do {
            profile = try ReportProfile(yaml: text, file: profilePath)
        } catch {
            throw UserError("the report profile has problems:\n\(error.description)")
        }
        let stored = try s.questionnaires()
        guard stored.contains(where: { $0.id == profile.questionnaire }) else {
            let known = catalog.available().map(\.id)
            let why = known.contains(profile.questionnaire) ? "the store holds no responses of it" : "unknown questionnaire (available: \(known.joined(separator: ", ")))"
            throw UserError("\(profilePath): questionnaire '\(profile.questionnaire)': \(why)")
        }
        let (q, yaml) = try StoredQuestionnaire.resolveWithText(profile.questionnaire, in: s, catalog: catalog, stored: stored)
        do {
            try profile.validate(against: q)
        } catch {
            throw UserError("the report profile has problems:\n\(error.description)")
        }
        let period = self.period ?? profile.period
        let (table, sources) = try s.responses(questionnaire: q, filter: ResponseFilter(from: period.from, to: period.to))
        guard table.count > 0 else {
            throw UserError("\(s.location): no responses of \(q.id) \(q.version) collected in \(period.label) (\(period.from) – \(period.to)); nothing was written. Import the forms first, or choose another period.", remedy: .period)
        }
        try checkCodes(profile, table: table, questionnaire: q, store: s)
        let labels = try s.effectiveLabels(over: profile.labels)
        let analyzer = Analyzer(options: ReportBuilder.options(profile, labels: labels))
        let analysis = try analyzer.analyze(table, by: profile.breakdowns)
        var previous: Analysis?
        if let before = period.previous {
            let (old, _) = try s.responses(questionnaire: q, filter: ResponseFilter(from: before.from, to: before.to))
            if old.count > 0 { previous = try analyzer.analyze(old) }
        }
        let targets = try ReportBuilder.targets(profile, table: table, whole: analysis, labels: labels)
        let report = ReportData(
            unit: profile.unit.code, unitName: profile.unit.name, period: period.description, periodLabel: period.label,
            from: period.from, to: period.to,
            sources: sources.reduce(into: [:]) { $0[$1.rawValue, default: 0] += 1 },
            analysis: analysis, previous: previous, targets: targets, software: SIPASVersion.current, dataSHA256: Self.dataHash(table),
            counter: try counter(profile, period: period, store: s, labels: labels))
        return BuiltReport(profile: profile, questionnaire: q, questionnaireYAML: yaml, table: table, report: report, labels: labels)
    }

    /// Field and channel codes have no registry: a target naming one that never occurs in the store
    /// is a typo. The period's forms usually show them all; the store is scanned only if not.
    func checkCodes(_ profile: ReportProfile, table: ResponseTable, questionnaire q: Questionnaire, store s: any ResponseReading) throws {
        let named = (fields: Set(profile.targets.flatMap(\.fields)), channels: Set(profile.targets.flatMap(\.channels)))
        guard !named.fields.isSubset(of: table.field.levels) || !named.channels.isSubset(of: table.channel.levels) else { return }
        let inUse = try s.codesInUse(questionnaireID: q.id)
        var unknown: [String] = []
        for t in profile.targets {
            let at = t.line.map { ", line \($0)" } ?? ""
            for f in t.fields where !inUse.fields.contains(f) {
                unknown.append("\(profilePath)\(at): target '\(t.title)': unknown field '\(f)' (fields in the store: \(inUse.fields.sorted().joined(separator: ", ")))")
            }
            for c in t.channels where !inUse.channels.contains(c) {
                unknown.append("\(profilePath)\(at): target '\(t.title)': unknown channel '\(c)' (channels in the store: \(inUse.channels.sorted().joined(separator: ", ")))")
            }
        }
        if !unknown.isEmpty { throw UserError("the report profile has problems:\n" + unknown.joined(separator: "\n")) }
    }

    /// The period's counter (kiosk) ratings, when the profile asks for them and the store holds some.
    func counter(_ profile: ReportProfile, period: ReportPeriod, store s: any ResponseReading, labels: Labels) throws -> Analysis? {
        guard let c = profile.counter, try s.questionnaires().contains(where: { $0.id == c.questionnaire && $0.responses > 0 }) else { return nil }
        let cq = try StoredQuestionnaire.resolve(c.questionnaire, in: s, catalog: catalog)
        let (ratings, _) = try s.responses(questionnaire: cq, filter: ResponseFilter(from: period.from, to: period.to))
        guard ratings.count > 0 else { return nil }
        var options = ReportBuilder.options(profile, target: c.minimum, labels: labels)
        options.populations = [:]
        do {
            var counter = try Analyzer(options: options).analyze(ratings, by: ["field", "channel"])
            if let n = c.dossiers { counter.decree766 = try CounterRate.compute(ratings, dossiers: n) }
            return counter
        } catch {
            throw UserError("counter ratings: \(error)")
        }
    }

    /// SHA-256 of the responses in the canonical CSV layout, so a report can be traced to its data.
    public static func dataHash(_ table: ResponseTable) -> String {
        var hasher = SHA256Hasher()
        CanonicalCSVWriter(byteOrderMark: false).write(table) { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        return hasher.hex()
    }
}

/// A report ready to write: the figures and what they came from.
public struct BuiltReport {
    public var profile: ReportProfile
    public var questionnaire: Questionnaire
    /// The questionnaire's text as stored with the responses (it travels in the workbook's manifest).
    public var questionnaireYAML: String
    public var table: ResponseTable
    public var report: ReportData
    /// The names shown for field, channel and unit codes.
    public var labels: Labels = .catalogue

    /// Writes the eight-sheet workbook and its hidden manifest.
    public func write(to path: String) throws {
        try ReportWorkbook(data: report, profile: profile, questionnaire: questionnaire, questionnaireYAML: questionnaireYAML, table: table, labels: labels)
            .write(to: path)
    }

    /// The report's figures as JSON (the analyze schema plus targets and the previous period).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }

    /// A few lines in Vietnamese for the person who ran it: index, change, targets, counter ratings.
    public func summary(out: String) -> String {
        let r = report
        var lines = ["Báo cáo \(r.periodLabel) — \(r.unitName): \(r.analysis.n) phiếu → \(out)"]
        func pct(_ v: Double?) -> String { v.map { String(format: "%.1f %%", $0 * 100) } ?? "—" }
        if let overall = r.analysis.indices.first(where: { $0.id == r.analysis.overall }) {
            lines.append("  \(overall.title): \(pct(overall.value)) [\(pct(overall.lower)), \(pct(overall.upper))], n = \(overall.n)")
            if let c = r.analysis.change?.first(where: { $0.id == overall.id }) {
                var line = String(format: "  So với kỳ trước: %+.1f điểm phần trăm", c.value * 100)
                if let lower = c.lower, let upper = c.upper { line += String(format: " [%+.1f; %+.1f]", lower * 100, upper * 100) }
                lines.append(line + " → \(c.verdict.label)\(c.small ? " (dưới 30 phiếu ở một kỳ: chưa đủ để kết luận)" : "")")
            }
        }
        for t in r.targets {
            lines.append("  Chỉ tiêu \(t.title) (\(t.scope)) ≥ \(pct(t.minimum)): \(pct(t.value)) [\(pct(t.lower)), \(pct(t.upper))], n = \(t.n) → \(t.verdict?.label ?? "không có dữ liệu")")
        }
        if let c = r.counter, let ix = c.indices.first(where: { $0.id == c.overall }) {
            var line = "  Đánh giá tại quầy: \(pct(ix.value)) hài lòng [\(pct(ix.lower)), \(pct(ix.upper))], \(ix.n) lượt"
            if let t = c.target { line += " — chỉ tiêu ≥ \(pct(t)): \(ix.verdict?.label ?? "—")" }
            lines.append(line)
            if let d = c.decree766 { lines.append("  Tỷ lệ theo cách tính QĐ 766: (\(d.dossiers) − \(d.dissatisfied))/\(d.dossiers) = \(pct(d.value))") }
        }
        return lines.joined(separator: "\n")
    }
}
