import Foundation

/// The standard normal distribution.
public enum NormalDistribution {
    /// Φ(x).
    public static func cdf(_ x: Double) -> Double {
        0.5 * erfc(-x / 2.0.squareRoot())
    }

    /// Φ⁻¹(p), Wichura's algorithm AS 241 (PPND16), relative accuracy about 1e-16.
    public static func quantile(_ p: Double) -> Double {
        precondition(p >= 0 && p <= 1, "probability must lie in [0, 1]")
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        let q = p - 0.5
        if abs(q) <= 0.425 {
            let r = 0.180625 - q * q
            let num = ((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r
                + 45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r
                + 133.14166789178437745) * r + 3.387132872796366608
            let den = ((((((5226.495278852545925 * r + 28729.085735721942674) * r + 39307.89580009271061) * r
                + 21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r
                + 42.313330701600911252) * r + 1
            return q * num / den
        }
        var r = q < 0 ? p : 1 - p
        r = (-log(r)).squareRoot()
        var value: Double
        if r <= 5 {
            r -= 1.6
            let num = ((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r + 0.24178072517745061177) * r
                + 1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r
                + 4.6303378461565452959) * r + 1.42343711074968357734
            let den = ((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r
                + 0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r
                + 2.05319162663775882187) * r + 1
            value = num / den
        } else {
            r -= 5
            let num = ((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r
                + 0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r
                + 5.4637849111641143699) * r + 6.6579046435011037772
            let den = ((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r
                + 7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r
                + 0.59983220655588793769) * r + 1
            value = num / den
        }
        return q < 0 ? -value : value
    }
}

/// Student's t distribution with ν degrees of freedom (ν may be fractional).
public enum StudentTDistribution {
    /// P(T ≤ t).
    public static func cdf(_ t: Double, degreesOfFreedom df: Double) -> Double {
        precondition(df > 0, "degrees of freedom must be positive")
        if t.isInfinite { return t > 0 ? 1 : 0 }
        let tail = upperTail(abs(t), df)
        return t < 0 ? tail : 1 - tail
    }

    /// P(T > t) for t ≥ 0: ½ I_{ν/(ν+t²)}(ν/2, ½), with both arguments of the beta kept exact.
    static func upperTail(_ t: Double, _ df: Double) -> Double {
        let t2 = t * t
        let x = df / (df + t2), y = t2 / (df + t2)
        return 0.5 * SpecialFunctions.incompleteBeta(x: x, y: y, a: df / 2, b: 0.5).lower
    }

    /// The density of T at t.
    public static func density(_ t: Double, degreesOfFreedom df: Double) -> Double {
        exp(-SpecialFunctions.logBeta(0.5, df / 2) - 0.5 * log(df) - (df + 1) / 2 * log1p(t * t / df))
    }

    /// The p-quantile of T.
    public static func quantile(_ p: Double, degreesOfFreedom df: Double) -> Double {
        precondition(df > 0, "degrees of freedom must be positive")
        precondition(p >= 0 && p <= 1, "probability must lie in [0, 1]")
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        if p == 0.5 { return 0 }
        let tail = min(p, 1 - p)
        let sign: Double = p < 0.5 ? -1 : 1
        if df == 1 { return sign * tan(Double.pi * (0.5 - tail)) }
        if df == 2 { return sign * (1 - 2 * tail) / (2 * tail * (1 - tail)).squareRoot() }
        // Bracket the root of upperTail(t) = tail, then safeguarded Newton from the normal quantile.
        var lo = 0.0, hi = max(1.0, -NormalDistribution.quantile(tail))
        while upperTail(hi, df) > tail { lo = hi; hi *= 2 }
        var t = min(max(-NormalDistribution.quantile(tail), lo), hi)
        for _ in 0..<200 {
            let f = upperTail(t, df) - tail
            if f == 0 { break }
            if f > 0 { lo = t } else { hi = t }
            var next = t + f / density(t, degreesOfFreedom: df)
            if !(next > lo && next < hi) { next = 0.5 * (lo + hi) }
            if abs(next - t) <= 2 * Double.ulpOfOne * next || hi - lo <= 2 * Double.ulpOfOne * hi {
                t = next
                break
            }
            t = next
        }
        return sign * t
    }
}

/// The Beta(a, b) distribution.
public enum BetaDistribution {
    public static func cdf(_ x: Double, a: Double, b: Double) -> Double {
        SpecialFunctions.regularizedIncompleteBeta(x: min(max(x, 0), 1), a: a, b: b)
    }

    public static func quantile(_ p: Double, a: Double, b: Double) -> Double {
        SpecialFunctions.inverseRegularizedIncompleteBeta(p, a: a, b: b)
    }
}
