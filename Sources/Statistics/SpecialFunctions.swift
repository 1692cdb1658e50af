import Foundation

/// Special functions used by the interval estimators, written for double precision.
///
/// The incomplete beta follows the continued fraction of DiDonato & Morris (modified Lentz),
/// with the complement computed on the well-conditioned side; log-beta uses Stirling
/// corrections for large arguments so that it stays accurate for a, b in the millions.
public enum SpecialFunctions {
    /// ln Γ(x) for x > 0.
    public static func logGamma(_ x: Double) -> Double {
        precondition(x > 0, "logGamma needs x > 0")
        if x >= 10 { return stirling(x) + stirlingCorrection(x) }
        return lgamma(x)
    }

    /// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b), without cancellation for large arguments.
    public static func logBeta(_ a: Double, _ b: Double) -> Double {
        precondition(a > 0 && b > 0, "logBeta needs a, b > 0")
        let p = min(a, b), q = max(a, b)
        if p >= 10 {
            let corr = stirlingCorrection(p) + stirlingCorrection(q) - stirlingCorrection(p + q)
            return -0.5 * log(q) + 0.5 * log(2 * Double.pi) + corr + (p - 0.5) * log(p / (p + q))
                + q * log1p(-p / (p + q))
        }
        if q >= 10 {
            let corr = stirlingCorrection(q) - stirlingCorrection(p + q)
            return lgamma(p) + corr + p - p * log(p + q) + (q - 0.5) * log1p(-p / (p + q))
        }
        return lgamma(p) + lgamma(q) - lgamma(p + q)
    }

    /// Regularised incomplete beta I_x(a, b), the Beta(a, b) distribution function.
    public static func regularizedIncompleteBeta(x: Double, a: Double, b: Double) -> Double {
        incompleteBeta(x: x, y: 1 - x, a: a, b: b).lower
    }

    /// I_x(a, b) and its complement 1 − I_x(a, b), each computed without subtracting from 1.
    /// `y` must be 1 − x, passed separately so that callers keep its precision.
    public static func incompleteBeta(x: Double, y: Double, a: Double, b: Double) -> (lower: Double, upper: Double) {
        precondition(a > 0 && b > 0, "incomplete beta needs a, b > 0")
        if x <= 0 { return (0, 1) }
        if y <= 0 { return (1, 0) }
        // ln x and ln(1 − x) from whichever of x, y is small, so neither loses digits near 1.
        let logX = x < 0.5 ? log(x) : log1p(-y)
        let logY = y < 0.5 ? log(y) : log1p(-x)
        let logFront = a * logX + b * logY - logBeta(a, b)
        // The hypergeometric series (DLMF 8.17.8) has positive terms only; use it where it is short,
        // since the continued fraction loses digits near x ≈ a/(a + b) for large a and small b.
        if x <= 0.5, (a + b) * x <= max(40, 0.9 * (a + 1)) {
            let value = exp(logFront) * positiveSeries(x: x, a: a, b: b) / a
            return (value, 1 - value)
        }
        if y <= 0.5, (a + b) * y <= max(40, 0.9 * (b + 1)) {
            let upper = exp(logFront) * positiveSeries(x: y, a: b, b: a) / b
            return (1 - upper, upper)
        }
        if x < (a + 1) / (a + b + 2) {
            let value = exp(logFront) * continuedFraction(x: x, a: a, b: b) / a
            return (value, 1 - value)
        } else {
            let upper = exp(logFront) * continuedFraction(x: y, a: b, b: a) / b
            return (1 - upper, upper)
        }
    }

    /// Inverse of the regularised incomplete beta: the x with I_x(a, b) = p.
    public static func inverseRegularizedIncompleteBeta(_ p: Double, a: Double, b: Double) -> Double {
        precondition(a > 0 && b > 0, "inverse incomplete beta needs a, b > 0")
        precondition(p >= 0 && p <= 1, "probability must lie in [0, 1]")
        if p == 0 { return 0 }
        if p == 1 { return 1 }
        // Solve on the side where the target probability is small, for relative accuracy.
        if p > 0.5 {
            return 1 - inverseLowerTail(1 - p, a: b, b: a)
        }
        return inverseLowerTail(p, a: a, b: b)
    }

    /// Finds x with I_x(a, b) = p for p ≤ 0.5: safeguarded Halley steps inside a shrinking bracket.
    private static func inverseLowerTail(_ p: Double, a: Double, b: Double) -> Double {
        let logB = logBeta(a, b)
        var lo = 0.0, hi = 1.0
        var x = initialGuess(p, a: a, b: b)
        if !(x > 0 && x < 1) { x = 0.5 }
        for _ in 0..<300 {
            let f = incompleteBeta(x: x, y: 1 - x, a: a, b: b).lower - p
            if f == 0 { return x }
            if f < 0 { lo = x } else { hi = x }
            let logDensity = (a - 1) * log(x) + (b - 1) * log1p(-x) - logB
            let density = exp(logDensity)
            var next: Double
            if density.isFinite && density > 0 {
                let newton = f / density
                // Halley correction: f'' / f' = (a − 1)/x − (b − 1)/(1 − x).
                let curvature = (a - 1) / x - (b - 1) / (1 - x)
                let denom = 1 - 0.5 * newton * curvature
                let step = denom > 0.5 && denom < 2 ? newton / denom : newton
                next = x - step
            } else {
                next = .nan
            }
            if !(next > lo && next < hi) { next = 0.5 * (lo + hi) }
            if abs(next - x) <= 4 * Double.ulpOfOne * max(x, Double.leastNormalMagnitude) || hi - lo <= 4 * Double.ulpOfOne * hi {
                return next
            }
            x = next
        }
        return x
    }

    /// Starting point for the inverse (Numerical Recipes §6.4 / Abramowitz & Stegun 26.5.22).
    private static func initialGuess(_ p: Double, a: Double, b: Double) -> Double {
        if a >= 1 && b >= 1 {
            let pp = p < 0.5 ? p : 1 - p
            let t = sqrt(-2 * log(pp))
            var z = (2.30753 + t * 0.27061) / (1 + t * (0.99229 + t * 0.04481)) - t
            if p < 0.5 { z = -z }
            let al = (z * z - 3) / 6
            let h = 2 / (1 / (2 * a - 1) + 1 / (2 * b - 1))
            let w = z * sqrt(al + h) / h - (1 / (2 * b - 1) - 1 / (2 * a - 1)) * (al + 5.0 / 6 - 2 / (3 * h))
            return a / (a + b * exp(2 * w))
        }
        let lna = log(a / (a + b)), lnb = log(b / (a + b))
        let t = exp(a * lna) / a, u = exp(b * lnb) / b
        let w = t + u
        if p < t / w { return pow(a * w * p, 1 / a) }
        return 1 - pow(b * w * (1 - p), 1 / b)
    }

    /// Σ (a + b)ₙ/(a + 1)ₙ xⁿ, so that I_x(a, b) = x^a (1 − x)^b F / (a B(a, b)).
    private static func positiveSeries(x: Double, a: Double, b: Double) -> Double {
        var term = 1.0, sum = 1.0, n = 0.0
        while n < 100_000 {
            term *= (a + b + n) / (a + 1 + n) * x
            sum += term
            if term <= sum * 1e-17 { break }
            n += 1
        }
        return sum
    }

    /// Continued fraction for I_x(a, b) (modified Lentz), converging for x < (a + 1)/(a + b + 2).
    private static func continuedFraction(x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        var m = 1.0
        while m < 1_000_000 {
            let m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
            m += 1
        }
        return h
    }

    /// Stirling's approximation without its correction term: (x − ½) ln x − x + ½ ln 2π.
    private static func stirling(_ x: Double) -> Double {
        (x - 0.5) * log(x) - x + 0.5 * log(2 * Double.pi)
    }

    /// ln Γ(x) − Stirling(x) for x ≥ 10, by its asymptotic series (error < 1e-17 there).
    static func stirlingCorrection(_ x: Double) -> Double {
        let r = 1 / x, r2 = r * r
        let series = 1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 * (1.0 / 1680 - r2 * (1.0 / 1188
            - r2 * (691.0 / 360360 - r2 * (1.0 / 156 - r2 * 3617.0 / 122400))))))
        return series * r
    }
}
