import ArgumentParser
import Crypto
import Foundation
import SIPASAnalysis
import SIPASCSV
import SIPASModel
import SIPASReport
import SIPASStore

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the Excel report for the province (báo cáo) from stored responses and a report profile.",
        discussion: """
            The profile (Reports/*.yaml) names the unit, the period, the questionnaire, the targets of the \
            commune's plan and the breakdowns. The workbook has the sheets Tổng hợp, Tiêu chí, Phân tổ, \
            Ưu tiên, Góp ý, Dữ liệu and Phương pháp; every target gets Đạt, Chưa đạt or Chưa đủ căn cứ.

            Examples:
              sipas report --profile Reports/vi-du-xa.yaml --out bao-cao-2026.xlsx
              sipas report --profile Reports/vi-du-xa.yaml --period 2026-Q1 --out quy1.xlsx --json > quy1.json
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: "Report profile (YAML).")
    var profile: String

    @Option(help: "Period instead of the profile's: 2026-Q1, 2026-H1 or 2026.")
    var period: String?

    @Option(help: "Output workbook (.xlsx).")
    var out: String

    @Flag(help: "Also print the report's figures as JSON (the analyze schema plus targets and the previous period).")
    var json = false

    func validate() throws {
        if let period, ReportPeriod(parse: period) == nil {
            throw ValidationError("--period takes 2026-Q1 … 2026-Q4, 2026-H1, 2026-H2 or 2026; found '\(period)'")
        }
        guard out.lowercased().hasSuffix(".xlsx") else { throw ValidationError("--out must end in .xlsx") }
    }

    func run() throws {
        let s = try store.open()
        let data = try Self.build(profilePath: profile, period: period, store: s)
        do {
            try SIPASReportWriter.write(data, to: out)
        } catch {
            throw CLIError("\(error)")
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            emit(String(decoding: try encoder.encode(data.report), as: UTF8.self))
        } else {
            emit(Self.summary(data.report, out: out))
        }
    }

    struct Built {
        var profile: ReportProfile
        var questionnaire: Questionnaire
        var table: ResponseTable
        var report: ReportData
    }

    static func build(profilePath: String, period override: String?, store s: ResponseStore) throws -> Built {
        let text: String
        do {
            text = try String(contentsOfFile: profilePath, encoding: .utf8)
        } catch {
            throw CLIError("\(profilePath): cannot read the report profile (\(error.localizedDescription))")
        }
        let profile: ReportProfile
        do {
            profile = try ReportProfile(yaml: text, file: profilePath)
        } catch {
            throw CLIError("the report profile has problems:\n\(error.description)")
        }
        let stored = try wrap { try s.questionnaires() }
        guard stored.contains(where: { $0.id == profile.questionnaire }) else {
            let known = QuestionnaireCatalog().available().map(\.id)
            let why = known.contains(profile.questionnaire) ? "the store holds no responses of it" : "unknown questionnaire (available: \(known.joined(separator: ", ")))"
            throw CLIError("\(profilePath): questionnaire '\(profile.questionnaire)': \(why)")
        }
        let q = try StoredQuestionnaire.resolve(profile.questionnaire, in: s)
        do {
            try profile.validate(against: q)
        } catch {
            throw CLIError("the report profile has problems:\n\(error.description)")
        }
        let period = override.flatMap(ReportPeriod.init(parse:)) ?? profile.period
        let (table, sources) = try wrap { try s.responses(questionnaire: q, filter: ResponseFilter(from: period.from, to: period.to)) }
        guard table.count > 0 else {
            throw CLIError("\(s.path): no responses of \(q.id) \(q.version) collected in \(period.label) (\(period.from) – \(period.to)); nothing was written. Import the forms first, or choose another --period.")
        }
        // Field and channel codes have no registry: a target naming one that never occurs in the
        // store is a typo. The period's forms usually show them all; the store is scanned only if not.
        let named = (fields: Set(profile.targets.flatMap(\.fields)), channels: Set(profile.targets.flatMap(\.channels)))
        if !named.fields.isSubset(of: table.field.levels) || !named.channels.isSubset(of: table.channel.levels) {
            let inUse = try wrap { try s.codesInUse(questionnaireID: q.id) }
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
            if !unknown.isEmpty { throw CLIError("the report profile has problems:\n" + unknown.joined(separator: "\n")) }
        }
        let analyzer = Analyzer(options: ReportBuilder.options(profile))
        let analysis: Analysis
        var previous: Analysis?
        do {
            analysis = try analyzer.analyze(table, by: profile.breakdowns)
            if let before = period.previous {
                let (old, _) = try wrap { try s.responses(questionnaire: q, filter: ResponseFilter(from: before.from, to: before.to)) }
                if old.count > 0 { previous = try analyzer.analyze(old) }
            }
        } catch let error as AnalysisError {
            throw CLIError(error.description)
        }
        let targets = try wrap { try ReportBuilder.targets(profile, table: table, whole: analysis) }
        var counter: Analysis?
        if let c = profile.counter, try wrap({ try s.questionnaires() }).contains(where: { $0.id == c.questionnaire && $0.responses > 0 }) {
            let cq = try StoredQuestionnaire.resolve(c.questionnaire, in: s)
            let (ratings, _) = try wrap { try s.responses(questionnaire: cq, filter: ResponseFilter(from: period.from, to: period.to)) }
            if ratings.count > 0 {
                var options = ReportBuilder.options(profile, target: c.minimum)
                options.populations = [:]
                do {
                    counter = try Analyzer(options: options).analyze(ratings, by: ["field", "channel"])
                    if let n = c.dossiers { counter?.decree766 = try CounterRate.compute(ratings, dossiers: n) }
                } catch {
                    throw CLIError("counter ratings: \(error.description)")
                }
            }
        }
        let report = ReportData(
            unit: profile.unit.code, unitName: profile.unit.name, period: period.description, periodLabel: period.label,
            from: period.from, to: period.to,
            sources: sources.reduce(into: [:]) { $0[$1.rawValue, default: 0] += 1 },
            analysis: analysis, previous: previous, targets: targets, software: SipasCommand.version, dataSHA256: dataHash(table),
            counter: counter)
        return Built(profile: profile, questionnaire: q, table: table, report: report)
    }

    /// SHA-256 of the responses in the canonical CSV layout, so a report can be traced to its data.
    static func dataHash(_ table: ResponseTable) -> String {
        var hasher = SHA256()
        CanonicalCSVWriter(byteOrderMark: false).write(table) { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        return hex(hasher.finalize())
    }

    static func summary(_ r: ReportData, out: String) -> String {
        var lines = ["Báo cáo \(r.periodLabel) — \(r.unitName): \(r.analysis.n) phiếu → \(out)"]
        func pct(_ v: Double?) -> String { v.map { String(format: "%.1f %%", $0 * 100) } ?? "—" }
        if let overall = r.analysis.indices.first(where: { $0.id == r.analysis.overall }) {
            lines.append("  \(overall.title): \(pct(overall.value)) [\(pct(overall.lower)), \(pct(overall.upper))], n = \(overall.n)")
            if let before = r.previous?.indices.first(where: { $0.id == overall.id })?.value, let now = overall.value {
                lines.append(String(format: "  So với kỳ trước: %+.1f điểm phần trăm", (now - before) * 100))
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

enum SIPASReportWriter {
    static func write(_ built: ReportCommand.Built, to path: String) throws {
        try ReportWorkbook(data: built.report, profile: built.profile, questionnaire: built.questionnaire, table: built.table).write(to: path)
    }
}
