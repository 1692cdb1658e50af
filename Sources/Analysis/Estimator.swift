import SIPASModel
import SIPASStatistics

/// A coded column with what each code contributes to a ratio's numerator and denominator.
struct ScoredColumn {
    let id: String
    let codes: [UInt8]
    /// numerator[code], denominator[code] for code 0…255.
    let numerator: [Double]
    let denominator: [Double]
    /// valid[code] is 1 when the code enters the denominator.
    let valid: [UInt8]

    init(id: String, codes: [UInt8], numerator: [Double], denominator: [Double], valid: [UInt8]? = nil) {
        self.id = id
        self.codes = codes
        self.numerator = numerator
        self.denominator = denominator
        self.valid = valid ?? denominator.map { $0 != 0 ? 1 : 0 }
    }

    init(id: String, codes: [UInt8], scoring: ScoringTable) {
        self.init(id: id, codes: codes, numerator: scoring.numerator, denominator: scoring.denominator, valid: scoring.valid)
    }
}

/// What each code of an item adds to a ratio's numerator and denominator (0…255), and whether it
/// is a valid answer: the same for every sample, so built once per questionnaire.
struct ScoringTable: Sendable {
    let numerator: [Double]
    let denominator: [Double]
    let valid: [UInt8]
}

/// One ratio of an index: coefficient × Σ numerators / Σ denominators over its columns.
struct RatioTerm {
    var coefficient: Double
    var columns: [ScoredColumn]
}

/// A point estimate with its linearised standard error.
struct LinearEstimate {
    var value: Double
    var variance: Double
    /// Respondents with at least one valid answer among the columns.
    var respondents: Int
    /// The smallest number of valid answers among the columns (unweighted).
    var minimumValid: Int
}

/// How often each code occurs in a column, stratum by stratum, over the codes that occur (a
/// table of strata × 256 would be mostly zeros, and 20 MB a column for 10,000 strata).
struct CodeHistogram {
    /// The codes that occur, ascending: slot k counts code `codes[k]`.
    let codes: [UInt8]
    /// counts[stratum * codes.count + slot].
    let counts: [Int]

    init(_ column: [UInt8], strata: [Int32], strataCount: Int) {
        var present = [Bool](repeating: false, count: 256)
        for c in column { present[Int(c)] = true }
        let codes = (0..<256).filter { present[$0] }.map(UInt8.init)
        var slot = [Int](repeating: 0, count: 256)
        for (k, c) in codes.enumerated() { slot[Int(c)] = k }
        let width = codes.count
        var counts = [Int](repeating: 0, count: strataCount * width)
        column.withUnsafeBufferPointer { column in
            strata.withUnsafeBufferPointer { strata in
                slot.withUnsafeBufferPointer { slot in
                    counts.withUnsafeMutableBufferPointer { counts in
                        for i in 0..<min(column.count, strata.count) { counts[Int(strata[i]) &* width &+ slot[Int(column[i])]] &+= 1 }
                    }
                }
            }
        }
        self.codes = codes
        self.counts = counts
    }

    /// Count of every code 0…255 over all strata.
    func totals() -> [Int] {
        var out = [Int](repeating: 0, count: 256)
        let width = codes.count
        guard width > 0 else { return out }
        for s in 0..<(counts.count / width) {
            for k in 0..<width { out[Int(codes[k])] += counts[s * width + k] }
        }
        return out
    }
}

/// Taylor linearisation of I = Σₖ cₖ Ŷₖ/Âₖ under a stratified design.
///
/// Linearised variable zᵢ = Σₖ cₖ (Yᵢₖ − Rₖ Aᵢₖ)/Âₖ, Âₖ the weighted total of denominators;
/// Var(I) = the design variance of the total Σ wᵢ zᵢ (see ``SurveyDesign``). Under simple random
/// sampling this is Σ(uᵣ − ū)²/(n(n−1)) with uᵣ = n zᵣ, as in the reference.
struct Linearizer {
    let design: SurveyDesign
    /// Code histogram per column id and stratum.
    private var histograms: [String: CodeHistogram] = [:]

    init(design: SurveyDesign) {
        self.design = design
    }

    /// Takes the cached histograms of another linearizer of the same design.
    mutating func absorb(_ other: Linearizer) {
        histograms.merge(other.histograms) { mine, _ in mine }
    }

    mutating func histogram(_ column: ScoredColumn) -> CodeHistogram {
        if let h = histograms[column.id] { return h }
        let h = CodeHistogram(column.codes, strata: design.stratumOfRow, strataCount: design.strata.count)
        histograms[column.id] = h
        return h
    }

    /// Weighted totals of numerator and denominator, and the unweighted count of valid answers.
    mutating func totals(_ column: ScoredColumn) -> (numerator: Double, denominator: Double, valid: Int) {
        let h = histogram(column)
        var num = 0.0
        var den = 0.0
        var valid = 0
        let width = h.codes.count
        for (s, stratum) in design.strata.enumerated() {
            var sn = 0.0
            var sd = 0.0
            for slot in 0..<width {
                let c = h.counts[s &* width &+ slot]
                if c == 0 { continue }
                let code = Int(h.codes[slot])
                sn += Double(c) * column.numerator[code]
                sd += Double(c) * column.denominator[code]
                if column.denominator[code] != 0 { valid += c }
            }
            num += stratum.weight * sn
            den += stratum.weight * sd
        }
        return (num, den, valid)
    }

    /// Estimate and linearised variance; terms whose denominator total is 0 must have been removed.
    mutating func estimate(_ terms: [RatioTerm]) -> LinearEstimate {
        let n = design.rowCount
        var z = [Double](repeating: 0, count: n)
        var value = 0.0
        var minimumValid = Int.max
        // zᵢ's contribution of each code, set only for the codes that occur in a column (its histogram's).
        var table = [Double](repeating: 0, count: 256)
        for term in terms {
            var ySum = 0.0
            var aSum = 0.0
            for column in term.columns {
                let t = totals(column)
                ySum += t.numerator
                aSum += t.denominator
                minimumValid = min(minimumValid, t.valid)
            }
            guard aSum > 0 else { continue }
            let ratio = ySum / aSum
            value += term.coefficient * ratio
            let alpha = term.coefficient / aSum
            let beta = term.coefficient * ratio / aSum
            for column in term.columns {
                let present = histogram(column).codes
                for code in present { table[Int(code)] = alpha * column.numerator[Int(code)] - beta * column.denominator[Int(code)] }
                z.withUnsafeMutableBufferPointer { zp in
                    column.codes.withUnsafeBufferPointer { codes in
                        table.withUnsafeBufferPointer { tp in
                            for i in 0..<min(n, codes.count) { zp[i] += tp[Int(codes[i])] }
                        }
                    }
                }
            }
        }
        return LinearEstimate(
            value: value, variance: design.variance(ofLinearised: z),
            respondents: respondents(terms), minimumValid: minimumValid == Int.max ? 0 : minimumValid)
    }

    /// Rows with at least one valid answer in any column.
    func respondents(_ terms: [RatioTerm]) -> Int {
        let columns = terms.flatMap(\.columns)
        if columns.count == 1 {
            let c = columns[0]
            return c.valid.withUnsafeBufferPointer { v in c.codes.reduce(0) { $0 &+ Int(v[Int($1)]) } }
        }
        // Byte flags ORed column by column through the 256-entry valid table: no branches in the loop.
        let n = design.rowCount
        var any = [UInt8](repeating: 0, count: n)
        any.withUnsafeMutableBufferPointer { flags in
            for c in columns {
                c.valid.withUnsafeBufferPointer { v in
                    c.codes.withUnsafeBufferPointer { codes in
                        for i in 0..<min(n, codes.count) { flags[i] |= v[Int(codes[i])] }
                    }
                }
            }
        }
        return any.withUnsafeBufferPointer { flags in
            var total = 0
            for f in flags { total &+= Int(f) }
            return total
        }
    }

    /// Stratified percentile bootstrap of I: resample nₕ rows with replacement within each stratum.
    /// In a domain a draw can fall on one of the stratum's rows outside it, which adds nothing.
    func bootstrap(_ terms: [RatioTerm], replicates: Int, seed: UInt64) -> [Double] {
        var generator = SeededGenerator(seed: seed)
        let n = design.rowCount
        var rowsOfStratum = [[Int32]](repeating: [], count: design.strata.count)
        for i in 0..<n { rowsOfStratum[Int(design.stratumOfRow[i])].append(Int32(i)) }
        let weights = design.weights
        let rowWeight = design.stratumOfRow.map { weights[Int($0)] }
        var multiplicity = [Double](repeating: 0, count: n)
        var values: [Double] = []
        values.reserveCapacity(replicates)
        for _ in 0..<replicates {
            for i in 0..<n { multiplicity[i] = 0 }
            for (s, rows) in rowsOfStratum.enumerated() where !rows.isEmpty {
                let size = design.strata[s].sampleSize
                for _ in 0..<size {
                    let pick = Int.random(in: 0..<size, using: &generator)
                    if pick < rows.count { multiplicity[Int(rows[pick])] += rowWeight[Int(rows[pick])] }
                }
            }
            var value = 0.0
            var defined = true
            for term in terms {
                var y = 0.0
                var a = 0.0
                for column in term.columns {
                    column.codes.withUnsafeBufferPointer { codes in
                        for i in 0..<n where multiplicity[i] != 0 {
                            let code = Int(codes[i])
                            y += multiplicity[i] * column.numerator[code]
                            a += multiplicity[i] * column.denominator[code]
                        }
                    }
                }
                if a > 0 { value += term.coefficient * y / a } else { defined = false }
            }
            if defined { values.append(value) }
        }
        return values
    }
}
