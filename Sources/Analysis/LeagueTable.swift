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
        var rank = [Int32](repeating: 0, count: values.count)
        var scratch = Scratch()
        fillRanks(values, into: &rank, scratch: &scratch)
        return rank.map(Int.init)
    }

    /// A value and its position, sorted by value alone (the order among equal values does not
    /// matter: they share a rank).
    struct Keyed {
        var value: Double
        var index: Int32
    }

    /// Buffers one ranking reuses from draw to draw (thousands of draws: no allocation in the loop).
    struct Scratch {
        var items: [Keyed] = []
        var spare: [Keyed] = []
        var counts = [Int](repeating: 0, count: 1 << radixBits)
    }

    static let radixBits = 11

    /// A key whose unsigned order is the value's descending order (−0 and +0 adjacent; they
    /// compare equal and so share a rank).
    @inline(__always) static func descendingKey(_ v: Double) -> UInt64 {
        let b = v.bitPattern
        return b & (1 << 63) != 0 ? b : ~(b | (1 << 63))
    }

    /// Sorts `s.items` by value, highest first: a least-significant-digit radix sort on
    /// ``descendingKey(_:)`` in 11-bit digits, a digit every key shares skipped (a draw of 10,000
    /// logits shares its top bits). Stable, so equal values keep their order.
    static func sortDescending(_ s: inout Scratch) {
        let n = s.items.count
        if s.spare.count != n { s.spare = s.items }
        let buckets = 1 << radixBits, mask = UInt64(buckets - 1)
        for shift in stride(from: 0, to: 64, by: radixBits) {
            let moved = s.items.withUnsafeBufferPointer { from in
                s.spare.withUnsafeMutableBufferPointer { to in
                    s.counts.withUnsafeMutableBufferPointer { counts -> Bool in
                        for d in 0..<buckets { counts[d] = 0 }
                        for x in from { counts[Int((descendingKey(x.value) >> UInt64(shift)) & mask)] &+= 1 }
                        if counts.contains(n) { return false }
                        var start = 0
                        for d in 0..<buckets {
                            let c = counts[d]
                            counts[d] = start
                            start &+= c
                        }
                        for x in from {
                            let d = Int((descendingKey(x.value) >> UInt64(shift)) & mask)
                            to[counts[d]] = x
                            counts[d] &+= 1
                        }
                        return true
                    }
                }
            }
            if moved { swap(&s.items, &s.spare) }
        }
    }

    /// ``ranks(_:)`` into `rank`, reusing `scratch`.
    static func fillRanks(_ values: [Double], into rank: inout [Int32], scratch s: inout Scratch) {
        let n = values.count
        s.items.removeAll(keepingCapacity: true)
        for i in 0..<n { s.items.append(Keyed(value: values[i], index: Int32(i))) }
        sortDescending(&s)
        let scratch = s.items
        var previous: Int32 = 0
        for p in 0..<n {
            let r: Int32 = p > 0 && scratch[p - 1].value == scratch[p].value ? previous : Int32(p + 1)
            rank[Int(scratch[p].index)] = r
            previous = r
        }
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
        // A worker takes blocks of `block` consecutive draws and writes each unit's ranks of a
        // block as one run (a cache line), not one scattered write per draw.
        nonisolated(unsafe) var drawn = [UInt32](repeating: 0, count: n * b)
        let workers = n * b >= 200_000 ? 2 : 1
        let block = 16
        // Improvements per worker (worker-major), summed at the end.
        var improved = [Int](repeating: 0, count: workers * common.count)
        let now = current.map(LogitDraw.init), then = previous.map(LogitDraw.init)
        drawn.withUnsafeMutableBufferPointer { out in
          improved.withUnsafeMutableBufferPointer { counts in
            nonisolated(unsafe) let out = out, counts = counts
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var values = [Double](repeating: 0, count: n)
                var before = [Double](repeating: 0, count: then.count)
                var pairNow = [Double](repeating: 0, count: common.count), pairThen = pairNow
                var rank = [Int32](repeating: 0, count: n)
                var rankNow = [Int32](repeating: 0, count: common.count), rankThen = rankNow
                var scratch = Scratch(), pairScratch = Scratch()
                scratch.items.reserveCapacity(n)
                var ranksOfBlock = [UInt32](repeating: 0, count: n * block)
                for first in stride(from: w * block, to: b, by: workers * block) {
                    let size = min(block, b - first)
                    for d in 0..<size {
                        let draw = first + d
                        // One generator per draw, from the seed and the draw's number: threads do not matter.
                        var g = SeededGenerator(seed: seed ^ (UInt64(draw) &* 0x9E37_79B9_7F4A_7C15))
                        for i in 0..<n { values[i] = now[i].draw(&g) }
                        for j in 0..<then.count { before[j] = then[j].draw(&g) }
                        fillRanks(values, into: &rank, scratch: &scratch)
                        for i in 0..<n { ranksOfBlock[i * block + d] = UInt32(rank[i]) }
                        if !common.isEmpty {
                            for (k, pair) in common.enumerated() {
                                pairNow[k] = values[pair.0]
                                pairThen[k] = before[pair.1]
                            }
                            fillRanks(pairNow, into: &rankNow, scratch: &pairScratch)
                            fillRanks(pairThen, into: &rankThen, scratch: &pairScratch)
                            for k in 0..<common.count where rankNow[k] < rankThen[k] { counts[w * common.count + k] += 1 }
                        }
                    }
                    for i in 0..<n {
                        for d in 0..<size { out[i * b + first + d] = ranksOfBlock[i * block + d] }
                    }
                }
            }
          }
        }
        // Type 1 quantiles (inverse of the empirical distribution): integer ranks
        // (less a hair, so that 0.025 · 2000 is 50 whatever the rounding of 1 − 0.95).
        let lowerP = (1 - level) / 2, upperP = (1 + level) / 2
        func position(_ p: Double) -> Int { min(b, max(1, Int((p * Double(b) - 1e-9).rounded(.up)))) - 1 }
        let lowK = position(lowerP), highK = position(upperP)
        var interval = [(Int, Int)](repeating: (0, 0), count: n)
        drawn.withUnsafeMutableBufferPointer { all in
          interval.withUnsafeMutableBufferPointer { interval in
            nonisolated(unsafe) let all = all, interval = interval
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                for i in stride(from: w, to: n, by: workers) {
                    var mine = UnsafeMutableBufferPointer(rebasing: all[(i * b)..<((i + 1) * b)])
                    mine.sort()
                    interval[i] = (Int(mine[lowK]), Int(mine[highK]))
                }
            }
          }
        }
        let commonPosition = Dictionary(common.enumerated().map { ($1.0, $0) }, uniquingKeysWith: { a, _ in a })
        return (0..<n).map { i in
            var place = Place(unit: current[i].unit, rank: point[i], rankLower: interval[i].0, rankUpper: interval[i].1)
            if let k = commonPosition[i] {
                let share = Double((0..<workers).reduce(0) { $0 + improved[$1 * common.count + k] }) / Double(b)
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
