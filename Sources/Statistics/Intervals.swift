import Foundation

/// A closed interval [lower, upper] of proportions.
public struct Interval: Sendable, Codable, Equatable {
    public var lower: Double
    public var upper: Double

    public init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }
}

/// Confidence intervals for one proportion (tỷ lệ hài lòng of one criterion).
public enum ProportionInterval {
    /// Wilson score interval for `successes` out of `trials` (both may be fractional, e.g. weighted).
    /// With no trials the interval is the whole of [0, 1].
    public static func wilson(successes: Double, trials: Double, level: Double) -> Interval {
        guard trials > 0 else { return Interval(lower: 0, upper: 1) }
        let z = NormalDistribution.quantile((1 + level) / 2)
        let p = successes / trials
        let z2n = z * z / trials
        let centre = (p + z2n / 2) / (1 + z2n)
        let half = z / (1 + z2n) * (p * (1 - p) / trials + z2n / (4 * trials)).squareRoot()
        return Interval(lower: max(0, centre - half), upper: min(1, centre + half))
    }

    /// Clopper–Pearson "exact" interval from Beta quantiles; fractional counts allowed
    /// (as Korn–Graubard's effective sample size needs).
    public static func clopperPearson(successes: Double, trials: Double, level: Double) -> Interval {
        guard trials > 0 else { return Interval(lower: 0, upper: 1) }
        let alpha = 1 - level
        let s = min(max(successes, 0), trials)
        let lower = s <= 0 ? 0 : BetaDistribution.quantile(alpha / 2, a: s, b: trials - s + 1)
        let upper = s >= trials ? 1 : BetaDistribution.quantile(1 - alpha / 2, a: s + 1, b: trials - s)
        return Interval(lower: lower, upper: upper)
    }
}
