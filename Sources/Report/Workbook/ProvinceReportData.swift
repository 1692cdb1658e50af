import Foundation
import SIPASAnalysis
import SIPASModel

/// One unit's line of the province's ranking (*Xếp hạng*).
public struct RankingRow: Sendable, Codable, Equatable {
    public var unit: String
    public var name: String
    public var district: String?
    public var value: Double
    public var lower: Double?
    public var upper: Double?
    public var se: Double?
    public var n: Int
    /// Fewer than 30 respondents: too small to conclude.
    public var small: Bool
    public var rank: Int
    public var rankLower: Int
    public var rankUpper: Int
    /// With a previous period: the unit's rank now and then among the units of both periods.
    public var commonRank: Int?
    public var previousRank: Int?
    /// Share of joint draws in which the rank improved on the previous period's.
    public var improvedShare: Double?
    /// "A better rank than last time": met / not_met / inconclusive.
    public var rankVerdict: Verdict?
    /// The index's change from the previous period, with its interval and verdict.
    public var change: IndexChange?

    public init(
        unit: String, name: String, district: String?, value: Double, lower: Double?, upper: Double?, se: Double?, n: Int, small: Bool,
        rank: Int, rankLower: Int, rankUpper: Int, commonRank: Int?, previousRank: Int?, improvedShare: Double?, rankVerdict: Verdict?, change: IndexChange?
    ) {
        self.unit = unit
        self.name = name
        self.district = district
        self.value = value
        self.lower = lower
        self.upper = upper
        self.se = se
        self.n = n
        self.small = small
        self.rank = rank
        self.rankLower = rankLower
        self.rankUpper = rankUpper
        self.commonRank = commonRank
        self.previousRank = previousRank
        self.improvedShare = improvedShare
        self.rankVerdict = rankVerdict
        self.change = change
    }

    enum CodingKeys: String, CodingKey {
        case unit, name, district, value, lower, upper, se, n, small, rank, change
        case rankLower = "rank_lower", rankUpper = "rank_upper", commonRank = "common_rank", previousRank = "previous_rank", improvedShare = "improved_share"
        case rankVerdict = "rank_verdict"
    }
}

/// One unit against the targets every unit must meet (*Chỉ tiêu*).
public struct UnitTargets: Sendable, Codable, Equatable {
    public var unit: String
    public var name: String
    /// In the order of the profile's `unit_targets`.
    public var results: [TargetResult]

    public init(unit: String, name: String, results: [TargetResult]) {
        self.unit = unit
        self.name = name
        self.results = results
    }
}

/// A unit the province expects that sent no forms for the period (*Chưa nộp*).
public struct MissingUnit: Sendable, Codable, Equatable {
    public var unit: String
    public var name: String
    public var district: String?

    public init(unit: String, name: String, district: String?) {
        self.unit = unit
        self.name = name
        self.district = district
    }
}

/// Everything the province workbook shows. Its JSON is the analyze schema of the province estimate
/// plus `province`, `period`, `units_expected`, `units_submitted`, `ranking`, `targets`,
/// `unit_targets` and `missing`.
public struct ProvinceReportData: Sendable, Equatable {
    public var province: String
    public var provinceName: String
    public var level: String
    public var period: String
    public var periodLabel: String
    public var from: String
    public var to: String
    public var previousLabel: String?
    /// The province estimate: every form of the expected units, units as strata (weighted with the
    /// finite-population correction when the profile gives populations).
    public var analysis: Analysis
    /// The index units are ranked on, and its title.
    public var rankOn: String
    public var rankTitle: String
    public var unitsExpected: Int
    public var ranking: [RankingRow]
    public var targets: [TargetResult]
    public var unitTargets: [UnitTargets]
    public var missing: [MissingUnit]
    /// Forms in the store for the period from units the profile does not list (left out).
    public var unlisted: [String: Int]
    public var replicates: Int
    public var seed: UInt64
    public var software: String
    public var dataSHA256: String

    public init(
        province: String, provinceName: String, level: String, period: String, periodLabel: String, from: String, to: String,
        previousLabel: String?, analysis: Analysis, rankOn: String, rankTitle: String, unitsExpected: Int, ranking: [RankingRow],
        targets: [TargetResult], unitTargets: [UnitTargets], missing: [MissingUnit], unlisted: [String: Int], replicates: Int, seed: UInt64,
        software: String, dataSHA256: String
    ) {
        self.province = province
        self.provinceName = provinceName
        self.level = level
        self.period = period
        self.periodLabel = periodLabel
        self.from = from
        self.to = to
        self.previousLabel = previousLabel
        self.analysis = analysis
        self.rankOn = rankOn
        self.rankTitle = rankTitle
        self.unitsExpected = unitsExpected
        self.ranking = ranking
        self.targets = targets
        self.unitTargets = unitTargets
        self.missing = missing
        self.unlisted = unlisted
        self.replicates = replicates
        self.seed = seed
        self.software = software
        self.dataSHA256 = dataSHA256
    }

    /// Units with forms in the period.
    public var unitsSubmitted: Int { ranking.count }
}

extension ProvinceReportData: Encodable {
    enum Keys: String, CodingKey {
        case province, provinceName = "province_name", level = "province_level", period, periodLabel = "period_label", from, to
        case previousPeriod = "previous_period", rankOn = "rank_on", unitsExpected = "units_expected", unitsSubmitted = "units_submitted"
        case ranking, provinceTargets = "province_targets", unitTargets = "unit_targets", missing, unlisted, rankReplicates = "rank_replicates"
        case seed, software, dataSHA256 = "data_sha256"
    }

    /// The analyze schema (the province estimate) with the province's keys beside it; its `level` stays
    /// the confidence level, the province's own level (tỉnh, huyện) is `province_level`.
    public func encode(to encoder: any Encoder) throws {
        try analysis.encode(to: encoder)
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(province, forKey: .province)
        try c.encode(provinceName, forKey: .provinceName)
        try c.encode(level, forKey: .level)
        try c.encode(period, forKey: .period)
        try c.encode(periodLabel, forKey: .periodLabel)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encodeIfPresent(previousLabel, forKey: .previousPeriod)
        try c.encode(rankOn, forKey: .rankOn)
        try c.encode(unitsExpected, forKey: .unitsExpected)
        try c.encode(unitsSubmitted, forKey: .unitsSubmitted)
        try c.encode(ranking, forKey: .ranking)
        try c.encode(targets, forKey: .provinceTargets)
        try c.encode(unitTargets, forKey: .unitTargets)
        try c.encode(missing, forKey: .missing)
        try c.encode(unlisted, forKey: .unlisted)
        try c.encode(replicates, forKey: .rankReplicates)
        try c.encode(seed, forKey: .seed)
        try c.encode(software, forKey: .software)
        try c.encode(dataSHA256, forKey: .dataSHA256)
    }
}
