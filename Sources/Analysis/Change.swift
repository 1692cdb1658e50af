import Foundation
import SIPASStatistics

/// Tăng / Giảm / Chưa đủ căn cứ: a change between two periods judged on its interval, not on the
/// difference of the points.
public enum ChangeVerdict: String, Sendable, Codable, Equatable {
    /// The whole interval of the change lies above 0.
    case increase
    /// The whole interval lies below 0.
    case decrease
    /// The interval contains 0 (or there are no degrees of freedom to judge).
    case inconclusive

    public var label: String {
        switch self {
        case .increase: "Tăng"
        case .decrease: "Giảm"
        case .inconclusive: "Chưa đủ căn cứ"
        }
    }
}

/// The change of one index from a previous period (*kỳ trước*) to this one.
public struct IndexChange: Sendable, Codable, Equatable {
    public var id: String
    /// This period's value minus the previous period's.
    public var value: Double
    /// √(SE² + SE²ₚᵣₑᵥ): the two periods are independent samples.
    public var se: Double
    public var lower: Double?
    public var upper: Double?
    /// Degrees of freedom of the combined design (strata = period × unit): the two periods' df added.
    public var df: Int
    public var verdict: ChangeVerdict
    public var previous: Double
    /// Either period has fewer respondents than the small-sample threshold: too small to conclude.
    public var small: Bool
}

extension Analysis {
    /// Each index's change from `previous` (an analysis of the same questionnaire over another
    /// period, with the same options): difference, SE for independent samples, t interval on the
    /// combined degrees of freedom and a verdict. R: `svycontrast` on `svyby(…, ~period, design)`
    /// with strata = period × unit. Indices without a value in either period are left out.
    public static func changes(from previous: Analysis, to current: Analysis) -> [IndexChange] {
        let before = Dictionary(previous.indices.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let df = current.design.df + previous.design.df
        let t = df >= 1 ? StudentTDistribution.quantile(1 - (1 - current.level) / 2, degreesOfFreedom: Double(df)) : nil
        return current.indices.compactMap { now in
            guard let old = before[now.id], let a = now.value, let b = old.value, let seA = now.se, let seB = old.se else { return nil }
            let value = a - b
            let se = (seA * seA + seB * seB).squareRoot()
            var change = IndexChange(
                id: now.id, value: value, se: se, lower: nil, upper: nil, df: df, verdict: .inconclusive, previous: b,
                small: now.small || old.small)
            if let t {
                let lower = value - t * se
                let upper = value + t * se
                change.lower = lower
                change.upper = upper
                change.verdict = lower > 0 ? .increase : upper < 0 ? .decrease : .inconclusive
            }
            return change
        }
    }
}
