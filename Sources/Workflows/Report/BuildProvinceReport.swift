import Foundation
import SIPASAnalysis
import SIPASModel
import SIPASReport
import SIPASStoring

/// The province's (or district's) consolidation from a store holding its communes' forms (imported
/// from their report workbooks) and a province profile: the province estimate, each unit's index
/// ranked with rank intervals and the change of rank, the targets, and the units that sent nothing.
///
/// Use it for `sipas report --profile tinh.yaml`; write the result with ``BuiltProvinceReport/write(to:)``.
public struct BuildProvinceReport {
    public var profilePath: String
    /// A period instead of the profile's.
    public var period: ReportPeriod?
    public var catalog = QuestionnaireCatalog()

    public init(profilePath: String, period: ReportPeriod? = nil) {
        self.profilePath = profilePath
        self.period = period
    }

    public func run(store s: any ResponseReading) throws -> BuiltProvinceReport {
        let text: String
        do {
            text = try String(contentsOfFile: profilePath, encoding: .utf8)
        } catch {
            throw UserError("\(profilePath): cannot read the province profile (\(error.localizedDescription))")
        }
        var profile: ProvinceProfile
        do {
            profile = try ProvinceProfile(yaml: text, file: profilePath)
        } catch {
            throw UserError("the province profile has problems:\n\(error.description)")
        }
        if let period {
            profile.period = period
            profile.previous = period.previous
        }
        let stored = try s.questionnaires()
        guard stored.contains(where: { $0.id == profile.questionnaire }) else {
            throw UserError("\(s.location): no responses of questionnaire '\(profile.questionnaire)' (\(profilePath)); import the communes' report workbooks first (sipas import nop/*.xlsx)")
        }
        let (q, _) = try StoredQuestionnaire.resolveWithText(profile.questionnaire, in: s, catalog: catalog, stored: stored)
        do {
            try profile.validate(against: q)
        } catch {
            throw UserError("the province profile has problems:\n\(error.description)")
        }
        let p = profile.period
        let (all, _) = try s.responses(questionnaire: q, filter: ResponseFilter(from: p.from, to: p.to))
        let expected = Set(profile.units.map(\.code))
        let groups = Self.rowsByUnit(all)
        let unlisted = groups.filter { !expected.contains($0.key) }.mapValues(\.count)
        // Every form of the expected units (the store's order; a copy only when some are left out).
        let table = unlisted.isEmpty ? all : all.select((0..<all.count).filter { expected.contains(all.unit[$0] ?? "") })
        let rowsOf = unlisted.isEmpty ? groups : Self.rowsByUnit(table)
        guard table.count > 0 else {
            throw UserError("\(s.location): none of the \(profile.units.count) units of \(profilePath) has forms of \(q.id) in \(p.label) (\(p.from) – \(p.to)); nothing was written. Import their report workbooks first, or choose another period.", remedy: .period)
        }
        // The data hash (2 M forms take seconds) is taken beside the analyses.
        nonisolated(unsafe) var dataHash = ""
        let hashing = DispatchGroup()
        DispatchQueue.global().async(group: hashing) { dataHash = BuildReport.dataHash(table) }
        let analysis = try Analyzer(options: profile.options()).analyze(table)
        let rankOn = profile.rankOn ?? q.scoring.overall
        let rankTitle = analysis.indices.first { $0.id == rankOn }?.title ?? rankOn

        // Each unit alone, as its own report computes it (with its population when given).
        let submitted = profile.units.filter { rowsOf[$0.code] != nil }
        let current = try analyseUnits(submitted, table: table, rows: rowsOf, profile: profile)
        var previous: [String: Analysis] = [:]
        if let before = profile.previous {
            let (old, _) = try s.responses(questionnaire: q, filter: ResponseFilter(from: before.from, to: before.to, units: Array(expected)))
            if old.count > 0 {
                let oldRows = Self.rowsByUnit(old)
                let units = profile.units.filter { oldRows[$0.code] != nil }
                var priorProfile = profile
                priorProfile.units = priorProfile.units.map { var u = $0; u.population = nil; return u }
                // Last period's populations are not this period's: without them, no FPC.
                for (u, a) in zip(units, try analyseUnits(units, table: old, rows: oldRows, profile: priorProfile)) { previous[u.code] = a }
            }
        }
        let ranking = Self.ranking(submitted, current, previous: previous, rankOn: rankOn, profile: profile)
        let targets = profile.targets.map { t in Self.target(t, analysis) }
        let unitTargets = zip(submitted, current).map { u, a in UnitTargets(unit: u.code, name: u.name, results: profile.unitTargets.map { Self.target($0, a) }) }
        let missing = profile.units.filter { rowsOf[$0.code] == nil }.map { MissingUnit(unit: $0.code, name: $0.name, district: $0.district) }
        hashing.wait()
        let data = ProvinceReportData(
            province: profile.unit.code, provinceName: profile.unit.name, level: profile.level, period: p.description, periodLabel: p.label,
            from: p.from, to: p.to, previousLabel: previous.isEmpty ? nil : profile.previous?.label, analysis: analysis, rankOn: rankOn,
            rankTitle: rankTitle, unitsExpected: profile.units.count, ranking: ranking, targets: targets, unitTargets: unitTargets,
            missing: missing, unlisted: unlisted, replicates: profile.replicates, seed: profile.seed, software: SIPASVersion.current,
            dataSHA256: dataHash)
        return BuiltProvinceReport(profile: profile, questionnaire: q, report: data)
    }

    /// The rows of each unit code, in table order (one pass over the table's unit codes).
    static func rowsByUnit(_ table: ResponseTable) -> [String: [Int]] {
        let unit = table.unit
        var rows = [[Int]](repeating: [], count: unit.levels.count + 1)
        for r in 0..<table.count { rows[Int(unit.codes[r])].append(r) }
        var out: [String: [Int]] = [:]
        if !rows[0].isEmpty { out[""] = rows[0] }
        for (k, level) in unit.levels.enumerated() where !rows[k + 1].isEmpty { out[level] = rows[k + 1] }
        return out
    }

    /// Each unit's forms (`rows` of `table`) analysed alone, two units at a time on two cores; in `units` order.
    func analyseUnits(_ units: [ProvinceProfile.ExpectedUnit], table: ResponseTable, rows: [String: [Int]], profile: ProvinceProfile) throws
        -> [Analysis]
    {
        // What an analysis reads (codes, picks, unit; no form ids, dates or texts), gathered once
        // column by column into unit order, so that each unit is a run of consecutive rows (its
        // forms in table order, as its own report reads them).
        var order: [Int] = []
        var runs: [Range<Int>] = []
        order.reserveCapacity(table.count)
        for u in units {
            let start = order.count
            order += rows[u.code] ?? []
            runs.append(start..<order.count)
        }
        let grouped = table.analysisSubset(order), unitRows = runs
        var base = profile.options()
        base.criteria = false  // the province workbook shows each unit's indices only
        base.populations = [:]
        let options = base
        let prepared = PreparedQuestionnaire(table.questionnaire)
        nonisolated(unsafe) var results = [Result<Analysis, any Error>?](repeating: nil, count: units.count)
        let workers = units.count >= 8 ? 2 : 1
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for k in stride(from: w, to: units.count, by: workers) {
                let u = units[k]
                var unitOptions = options
                if let population = u.population { unitOptions.populations = [u.code: population] }
                results[k] = Result { try Analyzer(options: unitOptions, prepared: prepared).analyze(grouped.analysisSlice(unitRows[k])) }
            }
        }
        return try results.map { try $0!.get() }
    }

    /// The league table of the units on `rankOn`, with the previous period's ranks.
    static func ranking(
        _ units: [ProvinceProfile.ExpectedUnit], _ analyses: [Analysis], previous: [String: Analysis], rankOn: String, profile: ProvinceProfile
    ) -> [RankingRow] {
        // The draws carry the uncertainty the published interval has: with the capped
        // Korn–Graubard interval (the default), at least that of one proportion on the n
        // respondents, √(p(1 − p)/n), as the cap on the effective size says.
        let capped = profile.compositeInterval == .betaCapped
        func entry(_ code: String, _ a: Analysis) -> (LeagueTable.Entry, IndexEstimate)? {
            guard let ix = a.indices.first(where: { $0.id == rankOn }), let value = ix.value else { return nil }
            var se = ix.se ?? 0
            if capped, ix.n > 0 { se = max(se, (value * (1 - value) / Double(ix.n)).squareRoot()) }
            return (LeagueTable.Entry(unit: code, value: value, se: se), ix)
        }
        let now = zip(units, analyses).compactMap { u, a in entry(u.code, a).map { (u, a, $0.0, $0.1) } }
        let before = profile.units.compactMap { u in previous[u.code].flatMap { entry(u.code, $0)?.0 } }
        let places = LeagueTable.rank(now.map(\.2), previous: before, replicates: profile.replicates, seed: profile.seed, level: profile.confidence)
        var rows = zip(now, places).map { row, place -> RankingRow in
            let (u, a, e, ix) = row
            let change = previous[u.code].flatMap { Analysis.changes(from: $0, to: a).first { $0.id == rankOn } }
            return RankingRow(
                unit: u.code, name: u.name, district: u.district, value: e.value, lower: ix.lower, upper: ix.upper, se: ix.se, n: ix.n,
                small: ix.small, rank: place.rank, rankLower: place.rankLower, rankUpper: place.rankUpper, commonRank: place.commonRank, previousRank: place.previousRank,
                improvedShare: place.improvedShare, rankVerdict: place.rankVerdict, change: change)
        }
        rows.sort { ($0.rank, $0.unit) < ($1.rank, $1.unit) }
        return rows
    }

    /// A target judged on one analysis's index.
    static func target(_ t: ReportProfile.Target, _ a: Analysis) -> TargetResult {
        let ix = a.indices.first { $0.id == t.index }
        return TargetResult(
            title: t.title, index: t.index, minimum: t.minimum, fields: [], channels: [], value: ix?.value, lower: ix?.lower, upper: ix?.upper,
            n: ix?.n ?? 0, verdict: ix.flatMap { Verdict(lower: $0.lower, upper: $0.upper, target: t.minimum) }, small: ix?.small ?? true)
    }
}

/// A province report ready to write.
public struct BuiltProvinceReport {
    public var profile: ProvinceProfile
    public var questionnaire: Questionnaire
    public var report: ProvinceReportData

    /// Writes the province workbook (Tổng hợp tỉnh, Xếp hạng, Chỉ tiêu, Chưa nộp, Phương pháp).
    public func write(to path: String) throws {
        try ProvinceWorkbook(data: report, questionnaire: questionnaire, composite: profile.compositeInterval, criterion: profile.criterionInterval)
            .write(to: path)
    }

    /// Whether the profile at `path` is a province profile (it lists the units it expects).
    public static func isProvinceProfile(at path: String) -> Bool {
        (try? String(contentsOfFile: path, encoding: .utf8)).map(ProvinceProfile.isProvinceProfile) ?? false
    }

    /// The figures as JSON: the analyze schema of the province estimate plus the ranking.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }

    /// A few lines in Vietnamese: the province estimate, units submitted, the top and bottom of the ranking.
    public func summary(out: String?) -> String {
        let r = report
        func pct(_ v: Double?) -> String { v.map { String(format: "%.1f %%", $0 * 100) } ?? "—" }
        var lines = ["Báo cáo \(r.level) \(r.periodLabel) — \(r.provinceName): \(r.unitsSubmitted)/\(r.unitsExpected) đơn vị đã nộp, \(r.analysis.n) phiếu" + (out.map { " → \($0)" } ?? "")]
        if let overall = r.analysis.indices.first(where: { $0.id == r.analysis.overall }) {
            lines.append("  \(overall.title): \(pct(overall.value)) [\(pct(overall.lower)), \(pct(overall.upper))]")
        }
        for row in r.ranking.prefix(3) + (r.ranking.count > 6 ? Array(r.ranking.suffix(3)) : Array(r.ranking.dropFirst(3))) {
            let interval = row.rankLower == row.rankUpper ? "\(row.rankLower)" : "\(row.rankLower)–\(row.rankUpper)"
            var line = "  \(row.rank). \(row.name) (\(row.unit)): \(pct(row.value)) [\(pct(row.lower)), \(pct(row.upper))], khoảng hạng \(interval), n = \(row.n)\(row.small ? " *" : "")"
            if let before = row.previousRank, let common = row.commonRank {
                line += "; trong các đơn vị có cả hai kỳ: hạng \(before) → \(common), hạng tốt hơn: \(row.rankVerdict?.label ?? "—")"
            }
            lines.append(line)
        }
        if !r.missing.isEmpty { lines.append("  Chưa nộp: " + r.missing.map { "\($0.name) (\($0.unit))" }.joined(separator: ", ")) }
        return lines.joined(separator: "\n")
    }
}
