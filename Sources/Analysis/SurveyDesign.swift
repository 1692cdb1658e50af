import SIPASModel

/// The sampling design: units (*đơn vị*) are strata; respondents are sampled within each.
///
/// Mirrors R's `svydesign(ids = ~1, strata = ~unit, weights = ~w, fpc = ~N)`: with the number of
/// dossiers Nₕ of a unit known, each of its nₕ respondents weighs Nₕ/nₕ and the variance carries the
/// finite-population correction 1 − nₕ/Nₕ; otherwise every respondent weighs 1 and there is no
/// correction. A stratum with a single respondent contributes its squared, uncentred total
/// (R's `survey.lonely.psu = "adjust"`).
///
/// A group (field, channel, an answer) is a *domain* of this design, made by ``domain(_:)``: its
/// rows only, but each stratum keeps its whole sample size, weight and correction, and the rows of
/// the stratum outside the domain count as zeros in the variance (R: `subset(design, g == v)` or
/// `svyby(…, ~g, design)`). Re-designing a group as its own sample would understate its variance.
public struct SurveyDesign: Sendable, Equatable {
    /// Stratum of each row, 0 ..< strata.count.
    public var stratumOfRow: [Int32]
    /// The strata with at least one row here (for a domain, those present in it).
    public var strata: [Stratum]

    public struct Stratum: Sendable, Equatable {
        /// Unit code, or nil for rows without a unit.
        public var unit: String?
        /// Respondents of the unit in the whole sample (nₕ).
        public var sampleSize: Int
        /// Of them, the rows in this design: nₕ for the whole sample, fewer in a domain.
        public var rowsHere: Int
        /// Number of dossiers handled (*số hồ sơ*), when known.
        public var population: Double?
        public var weight: Double { population.map { $0 / Double(sampleSize) } ?? 1 }
        /// 1 − n/N, or 1 without a population.
        public var finitePopulationFactor: Double { population.map { ($0 - Double(sampleSize)) / $0 } ?? 1 }
    }

    public var rowCount: Int { stratumOfRow.count }
    /// Degrees of freedom for t quantiles: rows minus strata (for a domain, rows in it minus the
    /// strata present in it, as R's `degf(subset(design, …))`).
    public var degreesOfFreedom: Int { rowCount - strata.count }
    public var isWeighted: Bool { strata.contains { $0.population != nil } }

    public enum DesignError: Error, Sendable, Equatable, CustomStringConvertible {
        case populationMissing(units: [String])
        case populationTooSmall(unit: String, population: Double, sample: Int)

        public var description: String {
            switch self {
            case .populationMissing(let units):
                "the number of dossiers is given for some units but not for \(units.joined(separator: ", ")): give it for every unit or for none"
            case .populationTooSmall(let unit, let population, let sample):
                "unit \(unit) has \(sample) responses but only \(population.formatted) dossiers: the number of dossiers cannot be smaller than the sample"
            }
        }
    }

    /// Strata from the table's unit column; `populations` maps unit code → number of dossiers.
    public init(table: ResponseTable, populations: [String: Double] = [:]) throws(DesignError) {
        let unitCodes = table.unit.codes
        // Map categorical codes (0 = blank) to dense stratum numbers in order of first appearance.
        var map = [Int32](repeating: -1, count: table.unit.levels.count + 1)
        var strata: [Stratum] = []
        var rows = [Int32](repeating: 0, count: table.count)
        for i in 0..<table.count {
            let code = Int(unitCodes[i])
            if map[code] < 0 {
                map[code] = Int32(strata.count)
                strata.append(Stratum(unit: code == 0 ? nil : table.unit.levels[code - 1], sampleSize: 0, rowsHere: 0, population: nil))
            }
            let s = map[code]
            rows[i] = s
            strata[Int(s)].sampleSize += 1
        }
        for i in strata.indices { strata[i].rowsHere = strata[i].sampleSize }
        if !populations.isEmpty {
            let missing = strata.filter { populations[$0.unit ?? ""] == nil }.map { $0.unit ?? "(no unit)" }
            if !missing.isEmpty { throw .populationMissing(units: missing) }
            for i in strata.indices {
                let n = populations[strata[i].unit ?? ""]!
                if n < Double(strata[i].sampleSize) {
                    throw .populationTooSmall(unit: strata[i].unit ?? "(no unit)", population: n, sample: strata[i].sampleSize)
                }
                strata[i].population = n
            }
        }
        self.stratumOfRow = rows
        self.strata = strata
    }

    /// The domain of the given rows (ascending row numbers of this design): strata absent from it
    /// are left out (they add nothing), the others keep their size, weight and correction.
    public func domain(_ rows: [Int]) -> SurveyDesign {
        var map = [Int32](repeating: -1, count: strata.count)
        var kept: [Stratum] = []
        var out = [Int32](repeating: 0, count: rows.count)
        for (k, r) in rows.enumerated() {
            let s = Int(stratumOfRow[r])
            if map[s] < 0 {
                map[s] = Int32(kept.count)
                var stratum = strata[s]
                stratum.rowsHere = 0
                kept.append(stratum)
            }
            out[k] = map[s]
            kept[Int(map[s])].rowsHere += 1
        }
        var domain = self
        domain.stratumOfRow = out
        domain.strata = kept
        return domain
    }

    /// Weight of each stratum, indexed like `strata`.
    var weights: [Double] { strata.map(\.weight) }

    /// Variance of a linearised total Σ wᵢzᵢ: Σₕ fₕ nₕ/(nₕ−1) Σᵢ∈ₕ (wᵢzᵢ − mean)², lonely strata
    /// uncentred; in a domain the nₕ − mₕ rows of a stratum outside it count as zeros.
    func variance(ofLinearised z: [Double]) -> Double {
        let h = strata.count
        var sums = [Double](repeating: 0, count: h)
        let w = weights
        var means = [Double](repeating: 0, count: h)
        var squares = [Double](repeating: 0, count: h)
        // Two passes over a million rows: unchecked buffers (the same sums in the same order).
        z.withUnsafeBufferPointer { z in
            stratumOfRow.withUnsafeBufferPointer { rows in
                w.withUnsafeBufferPointer { w in
                    sums.withUnsafeMutableBufferPointer { sums in
                        for i in 0..<z.count { let s = Int(rows[i]); sums[s] += w[s] * z[i] }
                    }
                    for s in 0..<h where strata[s].sampleSize > 1 { means[s] = sums[s] / Double(strata[s].sampleSize) }
                    means.withUnsafeBufferPointer { means in
                        squares.withUnsafeMutableBufferPointer { squares in
                            for i in 0..<z.count {
                                let s = Int(rows[i])
                                let d = w[s] * z[i] - means[s]
                                squares[s] += d * d
                            }
                        }
                    }
                }
            }
        }
        var v = 0.0
        for s in 0..<h {
            let n = Double(strata[s].sampleSize)
            let f = strata[s].finitePopulationFactor
            if f < 1e-7 { continue }
            let outside = strata[s].sampleSize - strata[s].rowsHere
            if outside > 0 { squares[s] += Double(outside) * means[s] * means[s] }
            v += n > 1 ? f * n / (n - 1) * squares[s] : f * squares[s]
        }
        return v
    }
}

extension Double {
    var formatted: String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}
