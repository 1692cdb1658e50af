import Foundation
import SIPASStatistics

/// A ranking of units (communes) by an index with honest uncertainty (bảng xếp hạng): each unit's
/// point rank, a rank interval, and with a previous period whether its rank improved.
///
/// As in Goldstein & Spiegelhalter's league tables (JRSS A 1996): a parametric bootstrap draws
/// every unit's estimate at once, on the logit scale, from a normal with the unit's standard error
/// there (SE / (p(1 − p)), the delta method), ranks the draws, and takes the percentiles of each
/// unit's ranks. Use it for the province's *Xếp hạng*: a point rank alone says nothing about
/// whether commune 7 is really better than commune 9.
public enum LeagueTable {
    /// One unit's estimate of the index: its value (a share) and standard error.
    public struct Entry: Sendable, Equatable {
        public var unit: String
        public var value: Double
        public var se: Double

        public init(unit: String, value: Double, se: Double) {
            self.unit = unit
            self.value = value
            self.se = se
        }
    }

    /// A unit's place: rank 1 is the highest value; equal values share the best of their ranks
    /// (1, 2, 2, 4).
    public struct Place: Sendable, Equatable {
        public var unit: String
        public var rank: Int
        /// The rank interval: the (1 − level)/2 and (1 + level)/2 quantiles of the unit's ranks over
        /// the draws (the smallest rank r with at least that share of draws at or better than r).
        public var rankLower: Int
        public var rankUpper: Int
        /// With a previous period holding the unit, the comparison is made among the units present
        /// in both periods (a unit that joined or left does not move the others' ranks): the
        /// unit's rank now and then among them, and the share of joint draws in which its rank now
        /// is better (a smaller number) than then.
        public var commonRank: Int?
        public var previousRank: Int?
        public var improvedShare: Double?
        public var rankVerdict: Verdict?
    }

    /// Ranks of `values`, 1 for the highest; ties share the best rank.
    public static func ranks(_ values: [Double]) -> [Int] {
        let order = values.indices.sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }
        var rank = [Int](repeating: 0, count: values.count)
        for (position, i) in order.enumerated() {
            if position > 0, values[order[position - 1]] == values[i] {
                rank[i] = rank[order[position - 1]]
            } else {
                rank[i] = position + 1
            }
        }
        return rank
    }

    /// The league table of `current`, with rank intervals from `replicates` joint draws (seeded:
    /// the same seed gives the same table, whatever the number of threads); with `previous`, each
    /// unit present in both gets its previous rank and a verdict on "a better rank than last
    /// time" (both ranks among the units present in both periods): ``Verdict/met`` when its rank improved in at least (1 + level)/2 of the joint draws,
    /// ``Verdict/notMet`` when in at most (1 − level)/2, otherwise ``Verdict/inconclusive``. The
    /// two periods are independent samples, drawn independently.
    ///
    /// A unit at 0 % or 100 %, or with no variance, is not drawn: it keeps its value in every draw.
    public static func rank(
        _ current: [Entry], previous: [Entry] = [], replicates: Int = 2000, seed: UInt64 = 20261201, level: Double = 0.95
    ) -> [Place] {
        let n = current.count
        guard n > 0 else { return [] }
        let point = ranks(current.map(\.value))
        let previousIndex = Dictionary(previous.enumerated().map { ($1.unit, $0) }, uniquingKeysWith: { a, _ in a })
        // The units of both periods: positions in `current` and in `previous`.
        let common = current.indices.compactMap { i in previousIndex[current[i].unit].map { (i, $0) } }
        let commonNow = ranks(common.map { current[$0.0].value }), commonThen = ranks(common.map { previous[$0.1].value })
        let b = max(1, replicates)
        // Ranks per unit over the draws (unit-major), and improvements counted per common unit.
        nonisolated(unsafe) var drawn = [UInt32](repeating: 0, count: n * b)
        let workers = n * b >= 200_000 ? 2 : 1
        nonisolated(unsafe) var improved = [[Int]](repeating: [Int](repeating: 0, count: common.count), count: workers)
        let now = current.map(LogitDraw.init), then = previous.map(LogitDraw.init)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var values = [Double](repeating: 0, count: n)
            var before = [Double](repeating: 0, count: then.count)
            var pairNow = [Double](repeating: 0, count: common.count), pairThen = pairNow
            for draw in stride(from: w, to: b, by: workers) {
                // One generator per draw, from the seed and the draw's number: threads do not matter.
                var g = SeededGenerator(seed: seed ^ (UInt64(draw) &* 0x9E37_79B9_7F4A_7C15))
                for i in 0..<n { values[i] = now[i].draw(&g) }
                for j in 0..<then.count { before[j] = then[j].draw(&g) }
                let r = ranks(values)
                for i in 0..<n { drawn[i * b + draw] = UInt32(r[i]) }
                if !common.isEmpty {
                    for (k, pair) in common.enumerated() {
                        pairNow[k] = values[pair.0]
                        pairThen[k] = before[pair.1]
                    }
                    let rn = ranks(pairNow), rt = ranks(pairThen)
                    for k in 0..<common.count where rn[k] < rt[k] { improved[w][k] += 1 }
                }
            }
        }
        let lowerP = (1 - level) / 2, upperP = (1 + level) / 2
        let commonPosition = Dictionary(common.enumerated().map { ($1.0, $0) }, uniquingKeysWith: { a, _ in a })
        return (0..<n).map { i in
            let sorted = drawn[(i * b)..<((i + 1) * b)].sorted()
            func quantile(_ p: Double) -> Int {
                // Type 1 (inverse of the empirical distribution): an integer rank.
                // (less a hair, so that 0.025 · 2000 is 50 whatever the rounding of 1 − 0.95.)
                let k = min(b, max(1, Int((p * Double(b) - 1e-9).rounded(.up))))
                return Int(sorted[k - 1])
            }
            var place = Place(unit: current[i].unit, rank: point[i], rankLower: quantile(lowerP), rankUpper: quantile(upperP))
            if let k = commonPosition[i] {
                let share = Double(improved.reduce(0) { $0 + $1[k] }) / Double(b)
                place.commonRank = commonNow[k]
                place.previousRank = commonThen[k]
                place.improvedShare = share
                place.rankVerdict = share >= upperP ? .met : share <= lowerP ? .notMet : .inconclusive
            }
            return place
        }
    }

    /// A unit's estimate on the logit scale and its standard error there (delta method).
    struct LogitDraw {
        let centre: Double
        let se: Double

        init(_ e: Entry) {
            if e.value > 0, e.value < 1, e.se > 0, e.se.isFinite {
                centre = log(e.value / (1 - e.value))
                se = e.se / (e.value * (1 - e.value))
            } else {
                centre = e.value <= 0 ? -.infinity : e.value >= 1 ? .infinity : log(e.value / (1 - e.value))
                se = 0
            }
        }

        /// A draw, on the logit scale (ranks are the same on either scale).
        func draw(_ g: inout SeededGenerator) -> Double {
            se > 0 ? centre + se * g.nextNormal() : centre
        }
    }
}
