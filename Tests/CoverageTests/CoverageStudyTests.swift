import Foundation
import SIPASAnalysis
import SIPASModel
import SIPASStatistics
import Testing

@testable import SIPASCoverage

/// The sipas-2017 questionnaire of the source tree (22 criteria in five elements, overall = mean of the elements).
func sipas2017() throws -> Questionnaire {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Questionnaires/sipas-2017.yaml")
    return try Questionnaire(yaml: String(contentsOf: url, encoding: .utf8), file: url.path)
}

@Test func unitSharesAverageToTheCellsShare() {
    // Stratified: equal units, plain mean; weighted: mean weighted by 3000, 1500, 500 forms.
    for p in [0.80, 0.95, 0.99] {
        let s = CoverageStudy.unitShares(.init(design: .stratified, n: 30, p: p))
        #expect(abs((s[0] + s[1] + s[2]) / 3 - p) < 1e-15)
        #expect(s.allSatisfy { $0 > 0 && $0 < 1 })
        let w = CoverageStudy.unitShares(.init(design: .weighted, n: 30, p: p))
        #expect(abs((3000 * w[0] + 1500 * w[1] + 500 * w[2]) / 5000 - p) < 1e-15)
        #expect(w.allSatisfy { $0 > 0 && $0 < 1 })
    }
    // By hand at p = 0.8: 0.8 + 0.2·(−¼, ¼, ¾).
    #expect(CoverageStudy.unitShares(.init(design: .weighted, n: 30, p: 0.8)).map { ($0 * 1000).rounded() } == [750, 850, 950])
}

@Test func allocationSplitsTheSurveyOverTheUnits() {
    #expect(CoverageStudy.allocation(30) == [10, 10, 10])
    #expect(CoverageStudy.allocation(100) == [34, 33, 33])
    #expect(CoverageStudy.allocation(400) == [134, 133, 133])
}

@Test func tallyCountsCoveredAndEachSideOfAMiss() {
    var t = CoverageStudy.Tally()
    t.add(lower: 0.90, upper: 0.95, truth: 0.96)  // interval too low: the truth above it
    t.add(lower: 0.90, upper: 0.95, truth: 0.89)  // too high
    t.add(lower: 0.90, upper: 0.95, truth: 0.90)  // on the bound: covered
    t.add(lower: 0.90, upper: 0.95, truth: 0.93)
    t.add(lower: nil, upper: nil, truth: 0.93)
    #expect(t.truthAbove == 1)
    #expect(t.truthBelow == 1)
    #expect(t.covered == 2)
    #expect(t.undefined == 1)
    #expect(t.total == 5)
    #expect(t.coverage == 0.4)
    #expect(abs(t.meanWidth - 0.05) < 1e-12)
}

@Test func weightedSurveysAreDrawnWithoutReplacementWithinUnits() throws {
    let study = CoverageStudy(questionnaire: try sipas2017())
    var g = SeededGenerator(seed: 7)
    let cell = CoverageStudy.Cell(design: .weighted, n: 400, p: 0.95)
    let population = study.population(cell, items: study.itemCodes, using: &g)
    #expect(population.unitOfRow.count == 5000)
    #expect(population.rowsOfUnit.map(\.count) == [3000, 1500, 500])
    for _ in 0..<20 {
        let rows = study.sample(population, allocation: CoverageStudy.allocation(400), using: &g)
        #expect(rows.count == 400)
        #expect(Set(rows).count == 400)
        let perUnit = [0, 1, 2].map { u in rows.filter { population.unitOfRow[$0] == u }.count }
        #expect(perUnit == [134, 133, 133])
    }
}

@Test func theWeightedTruthIsThePopulationsShareCountedByHand() throws {
    let q = try sipas2017()
    let study = CoverageStudy(questionnaire: q, simulations: 4, replicates: 50)
    let cell = CoverageStudy.Cell(design: .weighted, n: 30, p: 0.8)
    let result = try study.run(cell)
    // The same population, made again from the cell's seed, counted directly.
    var g = SeededGenerator(seed: study.cellSeed(cell) ^ 0x9090_9090)
    let items = study.itemCodes
    let population = study.population(cell, items: items, using: &g)
    var perCriterion: [Double] = []
    for id in study.leafCriteria {
        let k = items.firstIndex { $0.id == id }!
        let column = population.columns[k]
        let valid = column.filter { $0 != 0 }.count
        let satisfied = column.filter { $0 == 4 || $0 == 5 }.count
        perCriterion.append(Double(satisfied) / Double(valid))
        #expect(abs(result.criterionTruth[perCriterion.count - 1] - perCriterion.last!) < 1e-12)
    }
    // sipas-2017's overall: the mean of five element means (4, 5, 6, 3, 4 criteria).
    let sizes = [4, 5, 6, 3, 4]
    var start = 0
    var elements: [Double] = []
    for size in sizes {
        elements.append(perCriterion[start..<start + size].reduce(0, +) / Double(size))
        start += size
    }
    #expect(abs(result.indexTruth - elements.reduce(0, +) / 5) < 1e-12)
    // Near 80 %, as the population was made (5,000 forms: a few points at most).
    #expect(abs(result.indexTruth - 0.8) < 0.03)
}

@Test func theStudyIsTheSameWithOneOrTwoWorkers() throws {
    let q = try sipas2017()
    let cell = CoverageStudy.Cell(design: .stratified, n: 30, p: 0.95)
    let one = try CoverageStudy(questionnaire: q, simulations: 30, replicates: 50, seed: 11, workers: 1).run(cell)
    let two = try CoverageStudy(questionnaire: q, simulations: 30, replicates: 50, seed: 11, workers: 2).run(cell)
    #expect(one.tallies == two.tallies)
    let other = try CoverageStudy(questionnaire: q, simulations: 30, replicates: 50, seed: 12, workers: 2).run(cell)
    #expect(other.tallies != one.tallies)
    for (method, t) in one.tallies { #expect(t.total == (method.isCriterion ? 30 * 22 : 30)) }
}

@Test func intervalsCoverAboutAsOftenAsTheyShouldOnALargeSample() throws {
    // 100 surveys of 400 forms at 80 %: every method near 95 % (a broken truth or bound gives far less).
    let result = try CoverageStudy(questionnaire: try sipas2017(), simulations: 100, replicates: 200, seed: 3)
        .run(.init(design: .weighted, n: 400, p: 0.8))
    for (method, t) in result.tallies {
        #expect(t.undefined == 0)
        #expect(t.coverage > (method.isCriterion ? 0.90 : 0.85), "\(method.rawValue): \(t.coverage)")
        #expect(t.coverage < 1 || !method.isCriterion, "\(method.rawValue) never misses")
    }
}
