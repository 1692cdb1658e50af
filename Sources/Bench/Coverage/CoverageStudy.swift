import Foundation
import SIPASAnalysis
import SIPASModel
import SIPASStatistics

/// How often each interval method covers the truth, measured by simulating many surveys from known
/// populations (the coverage study of the statistics; `scripts/bench/coverage.sh`).
///
/// Use it to choose and defend the default interval methods: a 95 % interval should contain the
/// true value in 95 % of surveys. Every simulated survey goes through the real ``Analyzer`` under
/// each method, so what is measured is what `sipas analyze` and the report publish.
///
/// The population model, per cell (design × n × p):
/// - three units (communes) `U1`, `U2`, `U3`; their shares satisfied differ around `p`:
///   *stratified* (no numbers of dossiers, every form weighs 1): units of equal size with shares
///   p + (1 − p)·(−½, 0, ½), forms drawn from that model anew in every survey (an infinite
///   population), the truth Σₕ nₕ pₕ / n; *weighted*: finite populations of 3,000, 1,500 and 500
///   forms (weights Nₕ/nₕ and finite-population correction) with shares p + (1 − p)·(−¼, ¼, ¾),
///   made once from the model, then sampled without replacement in every survey; the truth is the
///   census value of each criterion and index on that population.
/// - each form answers every scored item; an answer is blank with probability `missing`; a share
///   `consistency` of respondents rate every item alike (one draw), the others item by item, so
///   criteria of one form are correlated (ρ = `consistency`) as real forms are;
/// - n forms per survey split over the units as equally as possible.
public struct CoverageStudy: Sendable {
    public enum Design: String, Sendable, CaseIterable {
        /// Units as strata, no weights (no numbers of dossiers given).
        case stratified
        /// Units as strata with their numbers of dossiers: weights and finite-population correction.
        case weighted
    }

    /// One row of the study.
    public struct Cell: Sendable, Hashable {
        public var design: Design
        /// Forms per survey.
        public var n: Int
        /// The share satisfied around which the population is made.
        public var p: Double

        public init(design: Design, n: Int, p: Double) {
            self.design = design
            self.n = n
            self.p = p
        }
    }

    /// Covered, missed with the truth below the interval, missed above, and the summed width.
    public struct Tally: Sendable, Equatable {
        public var covered = 0
        /// The truth lies below the lower bound (the interval is too high).
        public var truthBelow = 0
        /// The truth lies above the upper bound (the interval is too low).
        public var truthAbove = 0
        /// Intervals that could not be computed (no valid answer).
        public var undefined = 0
        public var widthSum = 0.0

        public init() {}

        public var total: Int { covered + truthBelow + truthAbove + undefined }
        public var coverage: Double { total == 0 ? .nan : Double(covered) / Double(total) }
        public var meanWidth: Double { covered + truthBelow + truthAbove == 0 ? .nan : widthSum / Double(covered + truthBelow + truthAbove) }

        /// Counts one interval against the truth.
        public mutating func add(lower: Double?, upper: Double?, truth: Double) {
            guard let lower, let upper else {
                undefined += 1
                return
            }
            widthSum += upper - lower
            // A little slack for the truth sitting exactly on a bound computed in floating point.
            let slack = 1e-12
            if truth < lower - slack {
                truthBelow += 1
            } else if truth > upper + slack {
                truthAbove += 1
            } else {
                covered += 1
            }
        }

        public mutating func absorb(_ other: Tally) {
            covered += other.covered
            truthBelow += other.truthBelow
            truthAbove += other.truthAbove
            undefined += other.undefined
            widthSum += other.widthSum
        }
    }

    /// The methods measured: criterion intervals on every leaf criterion of the overall index
    /// (pooled), composite intervals on the overall index.
    public enum Method: String, Sendable, CaseIterable, Hashable {
        case criterionWilson = "criterion wilson"
        case criterionExact = "criterion exact"
        case criterionLogit = "criterion logit"
        case criterionBeta = "criterion beta"
        case compositeLogit = "composite logit"
        case compositeBeta = "composite beta"
        case compositeBootstrap = "composite bootstrap"
        /// sipas's default: Korn–Graubard with its effective size capped at the respondents, as
        /// `sipas-method.md` writes it (R's `svyciprop` does not cap; that is "composite beta").
        case compositeCapped = "composite beta-capped"

        public var isCriterion: Bool { rawValue.hasPrefix("criterion") }
        /// The method's name as the analysis options spell it.
        public var name: String { String(rawValue.split(separator: " ")[1]) }
    }

    public struct CellResult: Sendable {
        public var cell: Cell
        /// The true share satisfied of each leaf criterion, in order, and of the overall index.
        public var criterionTruth: [Double]
        public var indexTruth: Double
        public var tallies: [Method: Tally]
        public var simulations: Int
    }

    public var questionnaire: Questionnaire
    public var simulations: Int
    /// Bootstrap replicates per survey for the composite bootstrap interval.
    public var replicates: Int
    public var seed: UInt64
    public var level: Double
    /// Share of respondents who rate every item alike: the correlation between two criteria of a form.
    public var consistency: Double
    /// Probability that an answer is blank.
    public var missing: Double
    /// Threads simulating surveys side by side; results do not depend on it.
    public var workers: Int

    public static let units = ["U1", "U2", "U3"]
    /// Forms (dossiers) of each unit in the weighted design.
    public static let unitPopulations = [3000, 1500, 500]

    public init(
        questionnaire: Questionnaire, simulations: Int = 2000, replicates: Int = 1000, seed: UInt64 = 2026, level: Double = 0.95,
        consistency: Double = 0.5, missing: Double = 0.05, workers: Int = 2
    ) {
        self.questionnaire = questionnaire
        self.simulations = simulations
        self.replicates = replicates
        self.seed = seed
        self.level = level
        self.consistency = consistency
        self.missing = missing
        self.workers = max(1, workers)
    }

    /// The cells of the issue: both designs, n = 30, 100, 400 and p = 0.80, 0.95, 0.99.
    public static func standardCells() -> [Cell] {
        Design.allCases.flatMap { d in [30, 100, 400].flatMap { n in [0.80, 0.95, 0.99].map { Cell(design: d, n: n, p: $0) } } }
    }

    /// Shares satisfied of the three units in a cell: their mean (stratified, equal sizes) or their
    /// mean weighted by the unit populations (weighted) is `p`.
    public static func unitShares(_ cell: Cell) -> [Double] {
        let offsets: [Double] = cell.design == .stratified ? [-0.5, 0, 0.5] : [-0.25, 0.25, 0.75]
        return offsets.map { cell.p + (1 - cell.p) * $0 }
    }

    /// Forms per unit in a survey of `n`: as equal as possible, the first units take the remainder.
    public static func allocation(_ n: Int) -> [Int] {
        let k = units.count
        return (0..<k).map { n / k + ($0 < n % k ? 1 : 0) }
    }

    /// The leaf criteria of the overall index, the intervals pooled for "criterion" methods.
    public var leafCriteria: [String] {
        IndexPlan.leafCriteria(questionnaire.scoring.overall, questionnaire)
    }

    // MARK: Forms

    /// Codes of the scored items: satisfied and other valid codes of each.
    struct ItemCodes {
        var id: String
        var satisfied: [UInt8]
        var other: [UInt8]
    }

    var itemCodes: [ItemCodes] {
        questionnaire.scoredItems.map { item in
            let sat = questionnaire.satisfiedCodes(for: item) ?? []
            let valid = item.options.map(\.code).filter { $0 > 0 && $0 < 256 }
            return ItemCodes(id: item.id, satisfied: valid.filter { sat.contains($0) }.map(UInt8.init), other: valid.filter { !sat.contains($0) }.map(UInt8.init))
        }
    }

    /// One form's answers to the scored items, appended to `columns` (one per item).
    func appendForm(share p: Double, items: [ItemCodes], to columns: inout [[UInt8]], using g: inout SeededGenerator) {
        let alike = g.nextUniform() < consistency
        let common = g.nextUniform() < p
        for (k, item) in items.enumerated() {
            if g.nextUniform() < missing {
                columns[k].append(0)
                continue
            }
            let satisfied = alike ? common : g.nextUniform() < p
            let pool = satisfied ? item.satisfied : item.other
            columns[k].append(pool[Int(g.next() % UInt64(pool.count))])
        }
    }

    /// A response table of the forms given per unit (codes per item, unit of each row).
    func table(columns: [[UInt8]], units unitOfRow: [Int], items: [ItemCodes]) -> ResponseTable {
        let n = unitOfRow.count
        var codes: [String: [UInt8]] = [:]
        for (k, item) in items.enumerated() { codes[item.id] = columns[k] }
        let blank = Categorical([String?](repeating: nil, count: n))
        return ResponseTable(
            questionnaire: questionnaire, formID: (0..<n).map { "F\($0 + 1)" }, unit: Categorical(unitOfRow.map { Self.units[$0] }),
            collectedOn: [String?](repeating: nil, count: n), channel: blank, field: blank, codes: codes, picks: [:], texts: [:])
    }

    /// The finite population of the weighted design: forms of each unit, made once per cell.
    public struct Population: Sendable {
        /// Codes per scored item (population rows).
        var columns: [[UInt8]]
        /// Unit number (0, 1, 2) of each population row.
        public var unitOfRow: [Int]
        /// Rows of each unit.
        public var rowsOfUnit: [[Int]]
    }

    func population(_ cell: Cell, items: [ItemCodes], using g: inout SeededGenerator) -> Population {
        let shares = Self.unitShares(cell)
        var columns = [[UInt8]](repeating: [], count: items.count)
        var unitOfRow: [Int] = []
        var rowsOfUnit = [[Int]](repeating: [], count: Self.units.count)
        for (u, size) in Self.unitPopulations.enumerated() {
            for _ in 0..<size {
                rowsOfUnit[u].append(unitOfRow.count)
                unitOfRow.append(u)
                appendForm(share: shares[u], items: items, to: &columns, using: &g)
            }
        }
        return Population(columns: columns, unitOfRow: unitOfRow, rowsOfUnit: rowsOfUnit)
    }

    /// A survey from the population: nₕ rows of each unit without replacement (partial Fisher–Yates).
    func sample(_ population: Population, allocation: [Int], using g: inout SeededGenerator) -> [Int] {
        var rows: [Int] = []
        for (u, size) in allocation.enumerated() {
            var pool = population.rowsOfUnit[u]
            for j in 0..<size {
                let k = j + Int(g.next() % UInt64(pool.count - j))
                pool.swapAt(j, k)
                rows.append(pool[j])
            }
        }
        return rows
    }

    // MARK: Running

    /// The seed of a cell's population and surveys, from the study's seed.
    func cellSeed(_ cell: Cell) -> UInt64 {
        seed ^ (UInt64(cell.n) << 32) ^ UInt64((cell.p * 10_000).rounded()) ^ (cell.design == .weighted ? 0x5eed_0000_0000_0000 : 0)
    }

    /// Measures one cell: `simulations` surveys, each analysed under every method.
    public func run(_ cell: Cell) throws -> CellResult {
        let items = itemCodes
        let leaves = leafCriteria
        let overall = questionnaire.scoring.overall
        guard !leaves.isEmpty else {
            throw AnalysisError.invalidOption("questionnaire \(questionnaire.id) has no overall index to study")
        }
        let allocation = Self.allocation(cell.n)
        let cellSeed = cellSeed(cell)
        var populations: [String: Double] = [:]
        var finite: Population?
        var criterionTruth: [Double]
        var indexTruth: Double
        let shares = Self.unitShares(cell)
        switch cell.design {
        case .stratified:
            let truth = zip(allocation, shares).reduce(0) { $0 + Double($1.0) * $1.1 } / Double(cell.n)
            criterionTruth = [Double](repeating: truth, count: leaves.count)
            indexTruth = truth
        case .weighted:
            var g = SeededGenerator(seed: cellSeed ^ 0x9090_9090)
            let made = population(cell, items: items, using: &g)
            finite = made
            for (u, size) in Self.unitPopulations.enumerated() { populations[Self.units[u]] = Double(size) }
            // The truth is the census: the analysis of the whole population.
            let census = try Analyzer().analyze(table(columns: made.columns, units: made.unitOfRow, items: items))
            criterionTruth = leaves.map { id in census.criteria.first { $0.id == id }?.value ?? .nan }
            indexTruth = census.indices.first { $0.id == overall }?.value ?? .nan
        }

        let workerCount = min(workers, simulations)
        // Each survey's counts in its own slot, summed in survey order afterwards: the same table
        // (to the last bit of the widths) whatever the number of workers.
        nonisolated(unsafe) var perSurvey = [[Method: Tally]](repeating: [:], count: simulations)
        nonisolated(unsafe) var failure: Error?
        let lock = NSLock()
        let frozenPopulation = finite
        let frozenPopulations = populations
        let (truthC, truthI) = (criterionTruth, indexTruth)
        perSurvey.withUnsafeMutableBufferPointer { slots in
            nonisolated(unsafe) let out = slots
            DispatchQueue.concurrentPerform(iterations: workerCount) { w in
                do {
                    for s in stride(from: w, to: simulations, by: workerCount) {
                        var g = SeededGenerator(seed: cellSeed &+ UInt64(s + 1) &* 0x9E37_79B9_7F4A_7C15)
                        let survey: ResponseTable
                        if let frozenPopulation {
                            let rows = sample(frozenPopulation, allocation: allocation, using: &g)
                            survey = table(
                                columns: frozenPopulation.columns.map { column in rows.map { column[$0] } },
                                units: rows.map { frozenPopulation.unitOfRow[$0] }, items: items)
                        } else {
                            var columns = [[UInt8]](repeating: [], count: items.count)
                            var unitOfRow: [Int] = []
                            for (u, size) in allocation.enumerated() {
                                for _ in 0..<size {
                                    unitOfRow.append(u)
                                    appendForm(share: shares[u], items: items, to: &columns, using: &g)
                                }
                            }
                            survey = table(columns: columns, units: unitOfRow, items: items)
                        }
                        var tallies: [Method: Tally] = [:]
                        for m in Method.allCases { tallies[m] = Tally() }
                        try measure(
                            survey, populations: frozenPopulations, bootstrapSeed: g.next(), leaves: leaves, overall: overall,
                            criterionTruth: truthC, indexTruth: truthI, into: &tallies)
                        out[s] = tallies
                    }
                } catch {
                    lock.lock()
                    failure = error
                    lock.unlock()
                }
            }
        }
        if let failure { throw failure }
        var tallies: [Method: Tally] = [:]
        for m in Method.allCases {
            var t = Tally()
            for survey in perSurvey { if let x = survey[m] { t.absorb(x) } }
            tallies[m] = t
        }
        return CellResult(cell: cell, criterionTruth: criterionTruth, indexTruth: indexTruth, tallies: tallies, simulations: simulations)
    }

    /// Analyses one survey under every method and counts each interval against the truth. Four
    /// analyses: each sets one criterion method and one composite method.
    func measure(
        _ survey: ResponseTable, populations: [String: Double], bootstrapSeed: UInt64, leaves: [String], overall: String,
        criterionTruth: [Double], indexTruth: Double, into tallies: inout [Method: Tally]
    ) throws {
        let runs: [(CriterionInterval, CompositeInterval, Method, Method)] = [
            (.wilson, .logit, .criterionWilson, .compositeLogit),
            (.exact, .beta, .criterionExact, .compositeBeta),
            (.logit, .bootstrap(replicates: replicates, seed: bootstrapSeed), .criterionLogit, .compositeBootstrap),
            (.beta, .betaCapped, .criterionBeta, .compositeCapped),
        ]
        for (criterion, composite, criterionMethod, compositeMethod) in runs {
            let options = AnalysisOptions(level: level, composite: composite, criterion: criterion, populations: populations)
            let analysis = try Analyzer(options: options).analyze(survey)
            for (k, id) in leaves.enumerated() {
                let c = analysis.criteria.first { $0.id == id }
                tallies[criterionMethod]!.add(lower: c?.lower, upper: c?.upper, truth: criterionTruth[k])
            }
            let index = analysis.indices.first { $0.id == overall }
            tallies[compositeMethod]!.add(lower: index?.lower, upper: index?.upper, truth: indexTruth)
        }
    }
}
