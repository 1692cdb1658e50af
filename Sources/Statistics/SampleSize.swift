import Foundation

/// The outcome of sample-size planning (cỡ mẫu).
public struct SampleSizePlan: Sendable, Codable, Equatable {
    public enum Method: String, Sendable, Codable { case cochran, yamane }
    public var method: Method
    /// n0 before any finite-population correction (Cochran); equals `exact` for Yamane.
    public var initial: Double
    /// The real-valued sample size after correction.
    public var exact: Double
    /// Forms to collect: `exact` rounded up.
    public var required: Int
    public var expected: Double?
    public var margin: Double
    public var confidence: Double?
    public var population: Int?
}

public enum SampleSize {
    /// Cochran: n0 = z² p(1 − p)/e²; with a population N, n = n0/(1 + (n0 − 1)/N).
    public static func cochran(expected p: Double, margin e: Double, confidence: Double, population: Int? = nil) -> SampleSizePlan {
        let z = NormalDistribution.quantile((1 + confidence) / 2)
        let n0 = z * z * p * (1 - p) / (e * e)
        var exact = n0
        if let population { exact = n0 / (1 + (n0 - 1) / Double(population)) }
        return SampleSizePlan(method: .cochran, initial: n0, exact: exact, required: roundUp(exact),
                              expected: p, margin: e, confidence: confidence, population: population)
    }

    /// Yamane: n = N/(1 + N e²).
    public static func yamane(population: Int, margin e: Double) -> SampleSizePlan {
        let n = Double(population) / (1 + Double(population) * e * e)
        return SampleSizePlan(method: .yamane, initial: n, exact: n, required: roundUp(n),
                              expected: nil, margin: e, confidence: nil, population: population)
    }

    /// The half-width z √(p(1 − p)/n · (N − n)/(N − 1)) that n forms achieve (without N: no correction).
    public static func achievedMargin(sampleSize n: Int, expected p: Double, confidence: Double, population: Int? = nil) -> Double {
        let z = NormalDistribution.quantile((1 + confidence) / 2)
        var variance = p * (1 - p) / Double(n)
        if let population, population > 1 { variance *= Double(max(population - n, 0)) / Double(population - 1) }
        return z * variance.squareRoot()
    }

    /// Ceiling that ignores floating-point dust (138.00000000001 → 138).
    static func roundUp(_ x: Double) -> Int {
        Int((x - 1e-9).rounded(.up))
    }
}
