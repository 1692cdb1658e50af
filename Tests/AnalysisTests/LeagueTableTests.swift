import Foundation
import SIPASAnalysis
import SIPASStatistics
import Testing

private func logit(_ p: Double) -> Double { log(p / (1 - p)) }
private func expit(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

@Test func pointRanksGiveTiesTheBestRank() {
    #expect(LeagueTable.ranks([0.9, 0.8, 0.9, 0.7]) == [1, 3, 1, 4])
    #expect(LeagueTable.ranks([]) == [])
    #expect(LeagueTable.ranks([0.5]) == [1])
}

/// The radix sort behind the ranks against the definition itself (1 + the number of strictly
/// higher values), on values of every sign and size, with ties, ±0 and ±∞.
@Test func ranksEqualOnePlusTheCountOfHigherValues() {
    var g = SeededGenerator(seed: 7)
    let special: [Double] = [0, -0.0, .infinity, -.infinity, 1e-300, -1e-300, 1e300, -1e300, 0.5, 0.5]
    for size in [1, 2, 3, 17, 500, 3000] {
        var values = (0..<size).map { _ in g.nextNormal() * 4 }
        for k in 0..<min(size, special.count) { values[(k * 7919) % size] = special[k] }
        if size > 10 { for k in 0..<size / 5 { values[k] = values[size - 1 - k] } }  // many ties
        let expected = values.map { v in 1 + values.filter { $0 > v }.count }
        #expect(LeagueTable.ranks(values) == expected, "size \(size)")
    }
}

/// Two units: unit A's rank is 2 exactly when its logit draw falls below B's, which has
/// probability Φ(−(μA − μB)/√(sA² + sB²)). With that at 4 % the 97.5 % quantile of A's rank is 2;
/// at 1 % it is 1.
@Test func twoUnitsRankIntervalsFollowTheNormalProbabilityOfSwapping() {
    let sA = 0.2, sB = 0.3
    for (z, upper) in [(NormalDistribution.quantile(0.96), 2), (NormalDistribution.quantile(0.99), 1)] {
        let gap = z * (sA * sA + sB * sB).squareRoot()
        let pB = 0.8, pA = expit(logit(pB) + gap)
        // Standard errors on the share scale that are sA, sB on the logit scale.
        let entries = [
            LeagueTable.Entry(unit: "A", value: pA, se: sA * pA * (1 - pA)),
            LeagueTable.Entry(unit: "B", value: pB, se: sB * pB * (1 - pB)),
        ]
        let places = LeagueTable.rank(entries, replicates: 20_000, seed: 1)
        #expect(places[0].rank == 1 && places[0].rankLower == 1 && places[0].rankUpper == upper)
        #expect(places[1].rank == 2 && places[1].rankLower == 3 - upper && places[1].rankUpper == 2)
    }
}

/// Improvement between two independent periods, two units each: A improves (2 → 1) with
/// probability Φ(dNow)·(1 − Φ(dThen)), d = (μA − μB)/√(sA² + sB²) in each period.
@Test func theShareOfDrawsWhereTheRankImprovedMatchesTheNormalProbability() {
    let s = 0.25
    let now = [LeagueTable.Entry(unit: "A", value: 0.9, se: s * 0.09), LeagueTable.Entry(unit: "B", value: 0.86, se: s * 0.86 * 0.14)]
    let then = [LeagueTable.Entry(unit: "A", value: 0.84, se: s * 0.84 * 0.16), LeagueTable.Entry(unit: "B", value: 0.88, se: s * 0.88 * 0.12)]
    let spread = (2 * s * s).squareRoot()
    let dNow = (logit(0.9) - logit(0.86)) / spread, dThen = (logit(0.84) - logit(0.88)) / spread
    let expected = NormalDistribution.cdf(dNow) * (1 - NormalDistribution.cdf(dThen))
    let b = 20_000
    let places = LeagueTable.rank(now, previous: then, replicates: b, seed: 9)
    let a = places[0]
    #expect(a.rank == 1 && a.previousRank == 2)
    let share = a.improvedShare ?? -1
    #expect(abs(share - expected) < 4 * (expected * (1 - expected) / Double(b)).squareRoot(), "share \(share), expected \(expected)")
    #expect(a.rankVerdict == .inconclusive)
    // B went from 1 to 2: it improved only in draws where it ranks 1 now and 2 then.
    let expectedB = (1 - NormalDistribution.cdf(dNow)) * NormalDistribution.cdf(dThen)
    let shareB = places[1].improvedShare ?? -1
    #expect(places[1].previousRank == 1)
    #expect(abs(shareB - expectedB) < 4 * (expectedB * (1 - expectedB) / Double(b)).squareRoot(), "share \(shareB), expected \(expectedB)")
}

/// Units far apart (tiny standard errors) have rank intervals of one rank, and a unit that moved
/// from third to first gets Đạt, one that fell gets Chưa đạt; a unit new this period gets none.
@Test func clearlySeparatedUnitsHaveExactRanksAndClearVerdicts() {
    let now = [("A", 0.95), ("B", 0.85), ("C", 0.75), ("D", 0.65)].map { LeagueTable.Entry(unit: $0.0, value: $0.1, se: 0.001) }
    let then = [("C", 0.95), ("B", 0.85), ("A", 0.75)].map { LeagueTable.Entry(unit: $0.0, value: $0.1, se: 0.001) }
    let places = LeagueTable.rank(now, previous: then, replicates: 2000, seed: 3)
    #expect(places.map(\.rank) == [1, 2, 3, 4])
    #expect(places.allSatisfy { $0.rankLower == $0.rank && $0.rankUpper == $0.rank })
    #expect(places.map(\.previousRank) == [3, 2, 1, nil])
    #expect(places.map(\.rankVerdict) == [.met, .notMet, .notMet, nil])
    #expect(places[0].improvedShare == 1 && places[1].improvedShare == 0)
}

/// A unit at 100 % (no variance) is not drawn: it keeps rank 1 in every draw.
@Test func aUnitAtOneHundredPercentKeepsItsRank() {
    let entries = [LeagueTable.Entry(unit: "A", value: 1, se: 0), LeagueTable.Entry(unit: "B", value: 0.97, se: 0.02)]
    let places = LeagueTable.rank(entries, replicates: 500, seed: 4)
    #expect(places[0].rankLower == 1 && places[0].rankUpper == 1 && places[1].rankLower == 2)
}

/// Same seed, same table; the intervals contain the point ranks; and the table equals a plain
/// single-threaded implementation of the same draws (so the two workers change nothing).
@Test func rankIntervalsAreReproducibleContainThePointRankAndDoNotDependOnThreads() {
    var g = SeededGenerator(seed: 42)
    let entries = (0..<120).map { k -> LeagueTable.Entry in
        let p = 0.7 + 0.28 * g.nextUniform()
        let n = 30 + Double(Int(g.nextUniform() * 400))
        return LeagueTable.Entry(unit: "XA\(k)", value: p, se: (p * (1 - p) / n).squareRoot())
    }
    let b = 2000  // 120 × 2000 draws: two workers
    let first = LeagueTable.rank(entries, replicates: b, seed: 7)
    #expect(first == LeagueTable.rank(entries, replicates: b, seed: 7))
    #expect(first != LeagueTable.rank(entries, replicates: b, seed: 8))
    #expect(first.allSatisfy { $0.rankLower <= $0.rank && $0.rank <= $0.rankUpper })
    // The same draws by hand, one thread.
    var ranks = [[Int]](repeating: [], count: entries.count)
    for draw in 0..<b {
        var r = SeededGenerator(seed: 7 ^ (UInt64(draw) &* 0x9E37_79B9_7F4A_7C15))
        let values = entries.map { e in logit(e.value) + e.se / (e.value * (1 - e.value)) * r.nextNormal() }
        for (i, rank) in LeagueTable.ranks(values).enumerated() { ranks[i].append(rank) }
    }
    for (i, place) in first.enumerated() {
        let sorted = ranks[i].sorted()
        #expect(place.rankLower == sorted[49])  // the 50th of 2000 ranks
        #expect(place.rankUpper == sorted[1949])  // the 1950th
    }
}

/// A unit that reported only last time does not move the others: ranks are compared among the
/// units of both periods (A was second of three, first of the two that report now).
@Test func ranksAreComparedAmongTheUnitsOfBothPeriods() {
    let now = [("A", 0.9), ("N", 0.95), ("B", 0.8)].map { LeagueTable.Entry(unit: $0.0, value: $0.1, se: 0.001) }
    let then = [("X", 0.95), ("A", 0.85), ("B", 0.7)].map { LeagueTable.Entry(unit: $0.0, value: $0.1, se: 0.001) }
    let places = LeagueTable.rank(now, previous: then, replicates: 2000, seed: 3)
    #expect(places.map(\.rank) == [2, 1, 3])
    #expect(places.map(\.commonRank) == [1, nil, 2] && places.map(\.previousRank) == [1, nil, 2])
    #expect(places.map(\.rankVerdict) == [.notMet, nil, .notMet])
}
