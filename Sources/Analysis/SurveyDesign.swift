import SIPASModel

/// The sampling design: units (*đơn vị*) are strata; respondents are sampled within each.
///
/// Mirrors R's `svydesign(ids = ~1, strata = ~unit, weights = ~w, fpc = ~N)`: with the number of
/// dossiers Nₕ of a unit known, each of its nₕ respondents weighs Nₕ/nₕ and the variance carries the
/// finite-population correction 1 − nₕ/Nₕ; otherwise every respondent weighs 1 and there is no
/// correction. A stratum with a single respondent contributes its squared, uncentred total
/// (R's `survey.lonely.psu = "adjust"`).
public struct SurveyDesign: Sendable, Equatable {
    /// Stratum of each row, 0 ..< strata.count.
    public var stratumOfRow: [Int32]
    public var strata: [Stratum]

    public struct Stratum: Sendable, Equatable {
        /// Unit code, or nil for rows without a unit.
        public var unit: String?
        public var sampleSize: Int
        /// Number of dossiers handled (*số hồ sơ*), when known.
        public var population: Double?
        public var weight: Double { population.map { $0 / Double(sampleSize) } ?? 1 }
        /// 1 − n/N, or 1 without a population.
        public var finitePopulationFactor: Double { population.map { ($0 - Double(sampleSize)) / $0 } ?? 1 }
    }

    public var rowCount: Int { stratumOfRow.count }
    /// Degrees of freedom for t quantiles: respondents minus strata.
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
                strata.append(Stratum(unit: code == 0 ? nil : table.unit.levels[code - 1], sampleSize: 0, population: nil))
            }
            let s = map[code]
            rows[i] = s
            strata[Int(s)].sampleSize += 1
        }
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

    /// Weight of each stratum, indexed like `strata`.
    var weights: [Double] { strata.map(\.weight) }

    /// Variance of a linearised total Σ wᵢzᵢ: Σₕ fₕ nₕ/(nₕ−1) Σᵢ∈ₕ (wᵢzᵢ − mean)², lonely strata uncentred.
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
            v += n > 1 ? f * n / (n - 1) * squares[s] : f * squares[s]
        }
        return v
    }
}

extension Double {
    var formatted: String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}
