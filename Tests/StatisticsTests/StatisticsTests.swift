import Foundation
import SIPASStatistics
import Testing

/// Reference values are R 4.x (`qnorm`, `qt`, `pbeta`, `qbeta`, `lbeta`, `prop.test(correct = FALSE)`,
/// `binom.test`), printed with 17 significant digits.
func close(_ a: Double, _ b: Double, relative: Double = 1e-13) -> Bool {
    abs(a - b) <= relative * max(abs(b), 1e-300)
}

@Test func normalQuantileAndDistributionMatchR() {
    #expect(close(NormalDistribution.quantile(0.975), 1.9599639845400536, relative: 1e-15))
    #expect(close(NormalDistribution.quantile(0.995), 2.5758293035488999, relative: 1e-15))
    #expect(close(NormalDistribution.quantile(1e-10), -6.3613409024040557, relative: 1e-15))
    #expect(close(NormalDistribution.quantile(0.3), -0.52440051270804067, relative: 1e-15))
    #expect(close(NormalDistribution.quantile(0.5 + 1e-12), 2.5065728237018611e-12, relative: 1e-4))
    #expect(close(NormalDistribution.cdf(-1.96), 0.024997895148220428))
    #expect(close(NormalDistribution.cdf(0.5), 0.69146246127401301))
    #expect(close(NormalDistribution.cdf(-8), 6.2209605742717849e-16, relative: 1e-12))
}

@Test(arguments: [
    (1.0, 12.706204736174694), (2, 4.3026527297494619), (3, 3.1824463052837078), (5, 2.5705818356363137),
    (10, 2.2281388519862739), (29, 2.0452296421327034), (149, 1.9760131776891861), (997, 1.9623462360894495),
    (1e6, 1.9599663568141066),
])
func studentQuantileMatchesR(df: Double, expected: Double) {
    #expect(close(StudentTDistribution.quantile(0.975, degreesOfFreedom: df), expected, relative: 1e-12))
    #expect(close(StudentTDistribution.quantile(0.025, degreesOfFreedom: df), -expected, relative: 1e-12))
}

@Test func studentFractionalDegreesAndDistributionMatchR() {
    #expect(close(StudentTDistribution.quantile(0.025, degreesOfFreedom: 2.5), -3.5746548420036932, relative: 1e-12))
    #expect(close(StudentTDistribution.quantile(0.995, degreesOfFreedom: 47), 2.6845556178665242, relative: 1e-12))
    #expect(close(StudentTDistribution.cdf(2.0, degreesOfFreedom: 3), 0.93033701572057836, relative: 1e-13))
    #expect(close(StudentTDistribution.cdf(-1.5, degreesOfFreedom: 10), 0.082253663222720083, relative: 1e-12))
    #expect(close(StudentTDistribution.cdf(0.1, degreesOfFreedom: 1e6), 0.53982782725397838, relative: 1e-12))
}

@Test func incompleteBetaMatchesR() {
    #expect(close(SpecialFunctions.regularizedIncompleteBeta(x: 0.3, a: 2, b: 5), 0.579825, relative: 1e-13))
    #expect(close(SpecialFunctions.regularizedIncompleteBeta(x: 0.9, a: 0.5, b: 0.5), 0.79516723530086664))
    #expect(close(SpecialFunctions.regularizedIncompleteBeta(x: 0.95, a: 140, b: 10), 0.78667695134246096, relative: 1e-12))
    #expect(close(SpecialFunctions.regularizedIncompleteBeta(x: 0.5, a: 5e5, b: 5e5 + 10), 0.50398933803084978, relative: 1e-9))
    #expect(close(SpecialFunctions.regularizedIncompleteBeta(x: 1e-3, a: 0.3, b: 4), 0.20688703630444735, relative: 1e-12))
    // Closed form: I_x(a, 1) = x^a.
    #expect(close(SpecialFunctions.regularizedIncompleteBeta(x: 0.7, a: 3.5, b: 1), pow(0.7, 3.5), relative: 1e-14))
}

@Test func inverseIncompleteBetaMatchesR() {
    let cases: [(Double, Double, Double, Double)] = [
        (0.025, 139, 2, 0.96084629168891245), (0.975, 140, 1, 0.99981917486523375),
        (0.025, 1, 150, 0.00016877114310994757), (0.975, 3.5, 0.7, 0.99866063229532642),
        (0.025, 9e5, 1e5 + 1, 0.89941035181257445), (0.5, 0.2, 0.3, 0.23913503614798176),
        (1e-8, 2, 3, 4.0825940216092383e-05),
    ]
    for (p, a, b, expected) in cases {
        let x = BetaDistribution.quantile(p, a: a, b: b)
        #expect(close(x, expected, relative: 1e-11), "qbeta(\(p), \(a), \(b)) = \(x), R says \(expected)")
        // Round trip through the distribution function (its conditioning is density × ulp(x)).
        #expect(abs(BetaDistribution.cdf(x, a: a, b: b) - p) <= 1e-12 * max(p, 0.1))
    }
}

@Test func logBetaStaysAccurateForHugeArguments() {
    #expect(close(SpecialFunctions.logBeta(5e5, 0.5), -5.9888164957774643, relative: 1e-12))
    #expect(close(SpecialFunctions.logBeta(1e6, 3e6), -2249346.4234508527, relative: 1e-14))
    #expect(close(SpecialFunctions.logBeta(3, 4), -4.0943445622221004, relative: 1e-14))
    #expect(close(SpecialFunctions.logGamma(123.4), 469.33609744219063, relative: 1e-14))
}

@Test func wilsonMatchesPropTestWithoutContinuityCorrection() {
    let a = ProportionInterval.wilson(successes: 140, trials: 150, level: 0.95)
    #expect(close(a.lower, 0.88163764488394103, relative: 1e-12) && close(a.upper, 0.96338814333039258, relative: 1e-12))
    let all = ProportionInterval.wilson(successes: 150, trials: 150, level: 0.95)
    #expect(close(all.lower, 0.9750297556319234, relative: 1e-12) && all.upper == 1)
    let none = ProportionInterval.wilson(successes: 0, trials: 7, level: 0.95)
    #expect(none.lower == 0 && close(none.upper, 0.35433043506668732, relative: 1e-12))
    #expect(ProportionInterval.wilson(successes: 0, trials: 0, level: 0.95) == Interval(lower: 0, upper: 1))
}

@Test func clopperPearsonMatchesBinomTest() {
    let a = ProportionInterval.clopperPearson(successes: 140, trials: 150, level: 0.95)
    #expect(close(a.lower, 0.88081602293307415, relative: 1e-11) && close(a.upper, 0.9675702718413236, relative: 1e-11))
    let all = ProportionInterval.clopperPearson(successes: 150, trials: 150, level: 0.95)
    #expect(close(all.lower, 0.97570740283389146, relative: 1e-12) && all.upper == 1)
    // (α/2)^(1/n) by hand for the all-satisfied lower bound.
    #expect(close(all.lower, pow(0.025, 1.0 / 150), relative: 1e-12))
    let none = ProportionInterval.clopperPearson(successes: 0, trials: 7, level: 0.95)
    #expect(none.lower == 0 && close(none.upper, 0.40961639722500343, relative: 1e-12))
    #expect(close(none.upper, 1 - pow(0.025, 1.0 / 7), relative: 1e-12))
    let small = ProportionInterval.clopperPearson(successes: 3, trials: 4, level: 0.9)
    #expect(close(small.lower, 0.24860462573018144, relative: 1e-11) && close(small.upper, 0.98725854490143383, relative: 1e-11))
}

@Test func sampleSizeMatchesTheReference() {
    // Reference: p = 0.9, e = 0.05 gives n0 ≈ 139 (sipas-method.md §6).
    let plain = SampleSize.cochran(expected: 0.9, margin: 0.05, confidence: 0.95)
    #expect(close(plain.initial, 138.29251754498844, relative: 1e-14))
    #expect(plain.required == 139)
    let finite = SampleSize.cochran(expected: 0.9, margin: 0.05, confidence: 0.95, population: 1200)
    #expect(close(finite.exact, 124.09478021954409, relative: 1e-14))
    #expect(finite.required == 125)
    let yamane = SampleSize.yamane(population: 1200, margin: 0.05)
    #expect(yamane.exact == 300 && yamane.required == 300)
    // 139 forms at p = 0.9 achieve about ±5 points.
    let margin = SampleSize.achievedMargin(sampleSize: 139, expected: 0.9, confidence: 0.95)
    #expect(margin < 0.05 && margin > 0.0498)
}

@Test func seededGeneratorIsReproducibleAndUniform() {
    var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
    let xs = (0..<5).map { _ in a.next() }
    #expect(xs == (0..<5).map { _ in b.next() })
    #expect(xs != (0..<5).map { _ in c.next() })
    var g = SeededGenerator(seed: 7)
    var sum = 0.0, sumSquares = 0.0
    let n = 200_000
    for _ in 0..<n {
        let z = g.nextNormal()
        sum += z
        sumSquares += z * z
    }
    // Mean within 5 standard errors of 0, variance of 1.
    #expect(abs(sum / Double(n)) < 5 / Double(n).squareRoot())
    #expect(abs(sumSquares / Double(n) - 1) < 5 * (2.0 / Double(n)).squareRoot())
}
