import Foundation
import SIPASAnalysis
import SIPASModel
import Testing

/// Four respondents, one unit. By hand:
/// q1 = 5, 4, 2, blank → 2 satisfied of 3 valid; q2 = 4, 9 (không biết), 1, 5 → 2 of 3;
/// q3 = 3, 4, 5, 5 and q4 = 4, 4, 1, blank → pooled e2 = (3 + 2)/(4 + 3) = 5/7;
/// e1 = (2/3 + 2/3)/2 = 2/3; total = 0.25·2/3 + 0.75·5/7.
let fourRows: [(String, [String: Int])] = [
    ("A", ["q1": 5, "q2": 4, "q3": 3, "q4": 4, "harass": 1]),
    ("A", ["q1": 4, "q2": 9, "q3": 4, "q4": 4, "harass": 2]),
    ("A", ["q1": 2, "q2": 1, "q3": 5, "q4": 1, "harass": 1]),
    ("A", ["q2": 5, "q3": 5, "harass": 3]),
]

@Test func criteriaCountsAndSharesByHand() throws {
    let a = try Analyzer().analyze(table(fourRows))
    let q1 = try #require(a.criteria.first { $0.id == "q1" })
    #expect(q1.n == 3 && q1.missing == 1 && q1.satisfied == 2)
    #expect(close(q1.value, 2.0 / 3))
    #expect(close(q1.mean, (5.0 + 4 + 2) / 3))
    #expect(q1.distribution == ["5": 1, "4": 1, "2": 1])
    let q2 = try #require(a.criteria.first { $0.id == "q2" })
    // The "không biết" code is counted in the distribution and as missing, never in the denominator.
    #expect(q2.n == 3 && q2.missing == 1 && q2.distribution["9"] == 1)
    #expect(close(q2.mean, (4.0 + 1 + 5) / 3))
}

@Test func indicesUnderEachAggregationRuleByHand() throws {
    let a = try Analyzer().analyze(table(fourRows))
    let byID = Dictionary(uniqueKeysWithValues: a.indices.map { ($0.id, $0) })
    #expect(close(byID["e1"]?.value, 2.0 / 3))
    #expect(close(byID["e2"]?.value, 5.0 / 7))
    #expect(close(byID["total"]?.value, 0.25 * 2 / 3 + 0.75 * 5 / 7))
    #expect(byID["e1"]?.n == 4 && byID["e2"]?.n == 4)
    // Negative experience: harass codes 2 or 3 in 2 of 4.
    #expect(close(a.negative.first?.value, 0.5))
}

@Test func linearisedVarianceOfAMeanOfTwoCriteriaByHand() throws {
    // u_r = Σ_c ½ (y_rc − p_c a_rc)/ā_c with p = 2/3, ā = 3/4 for both criteria:
    // u = 4/9, 2/9, −8/9, 2/9; Var = Σu²/(n(n−1)) = (88/81)/12 = 22/243.
    let a = try Analyzer(options: AnalysisOptions(composite: .logit)).analyze(table(fourRows))
    let e1 = try #require(a.indices.first { $0.id == "e1" })
    #expect(close(e1.se, (22.0 / 243).squareRoot()))
    // Logit interval with t(3) = 3.182446305284263 (published quantile).
    let t = 3.182446305284263
    let centre = log(2.0)  // logit(2/3)
    let half = t * (22.0 / 243).squareRoot() / (2.0 / 9)
    #expect(close(e1.lower, 1 / (1 + exp(-(centre - half))), 1e-9))
    #expect(close(e1.upper, 1 / (1 + exp(-(centre + half))), 1e-9))
    #expect(e1.method == "logit")
    #expect(e1.small)
    // deff = n·Var/(I(1−I)) = 4·(22/243)/(2/9).
    #expect(close(e1.deff, 4 * (22.0 / 243) / (2.0 / 9)))
}

/// Two units of six: A satisfied 5 of 6 on q1 and q2, B 1 of 6. e1 = 0.5; each unit's
/// s² = 1/6, so Var = Σ (6/12)² · (1/6)/6 = 1/72 (R: SE(svymean(~y, design))² · 72 = 1).
/// n_eff = 0.25 · 72 = 18, times (qt(.025, 11)/qt(.025, 10))² = 17.563951568753 (R). R's
/// svyciprop(method = "beta") gives [0.257387366070545, 0.742612633929455]; capped at the 12
/// respondents it is Clopper–Pearson on 6 of 12: qbeta(.025, 6, 7) = 0.210944638239297.
@Test func theDefaultCompositeIntervalIsKornGraubardCappedAtTheRespondents() throws {
    let rows: [(String, [String: Int])] =
        (0..<6).map { ("A", ["q1": $0 < 5 ? 5 : 1, "q2": $0 < 5 ? 4 : 1]) }
        + (0..<6).map { ("B", ["q1": $0 < 1 ? 5 : 1, "q2": $0 < 1 ? 4 : 1]) }
    let capped = try #require(try Analyzer().analyze(table(rows)).indices.first { $0.id == "e1" })
    #expect(capped.method == "beta-capped" && capped.n == 12)
    #expect(close(capped.value, 0.5) && close(capped.se, (1.0 / 72).squareRoot()))
    #expect(close(capped.lower, 0.21094463823929674, 1e-9))
    #expect(close(capped.upper, 0.78905536176070323, 1e-9))
    let r = try #require(try Analyzer(options: AnalysisOptions(composite: .beta)).analyze(table(rows)).indices.first { $0.id == "e1" })
    #expect(r.method == "beta")
    #expect(close(r.lower, 0.25738736607054513, 1e-9))
    #expect(close(r.upper, 0.74261263392945487, 1e-9))
    // Where the design effect is above 1 the cap does not bind: the default is R's beta.
    let one = try #require(try Analyzer().analyze(table(fourRows)).indices.first { $0.id == "e1" })
    let rOne = try #require(try Analyzer(options: AnalysisOptions(composite: .beta)).analyze(table(fourRows)).indices.first { $0.id == "e1" })
    #expect(one.method == "beta-capped" && one.lower == rOne.lower && one.upper == rOne.upper)
}

@Test func aUnitWithASingleRespondentAddsItsUncentredSquare() throws {
    // q3: unit A = 5, 4, 2; unit B = 1. p = 2/4; z = (y − p a)/4 = .125, .125, −.125 | −.125.
    // A: centred squares .041667 × 3/2 = .0625; B alone: (−.125)² = .015625. Var = .078125.
    let rows: [(String, [String: Int])] = [("A", ["q3": 5]), ("A", ["q3": 4]), ("A", ["q3": 2]), ("B", ["q3": 1])]
    let a = try Analyzer().analyze(table(rows))
    let q3 = try #require(a.criteria.first { $0.id == "q3" })
    #expect(close(q3.value, 0.5))
    #expect(close(q3.se, 0.078125.squareRoot()))
    #expect(a.design.strata == 2 && a.design.df == 2 && a.design.lonelyStrata == ["B"])
}

@Test func everyoneSatisfiedFallsBackToClopperPearson() throws {
    let rows = (0..<10).map { _ in ("A", ["q1": 5, "q2": 4, "q3": 5, "q4": 4]) }
    let a = try Analyzer().analyze(table(rows))
    let total = try #require(a.indices.first { $0.id == "total" })
    #expect(total.value == 1)
    #expect(total.method == "clopper-pearson")
    // x = n = 10: lower = (α/2)^(1/n), upper = 1.
    #expect(close(total.lower, pow(0.025, 1.0 / 10), 1e-10))
    #expect(total.upper == 1)
    let q1 = try #require(a.criteria.first { $0.id == "q1" })
    // Wilson at p̂ = 1, n = 10: lower = n/(n + z²).
    let z = 1.959963984540054
    #expect(close(q1.lower, 10 / (10 + z * z), 1e-10))
    #expect(close(q1.upper, 1, 1e-12))
}

@Test func nobodySatisfied() throws {
    let rows = (0..<8).map { _ in ("A", ["q1": 1, "q2": 2, "q3": 3, "q4": 1]) }
    let a = try Analyzer().analyze(table(rows))
    let total = try #require(a.indices.first { $0.id == "total" })
    #expect(total.value == 0)
    #expect(total.lower == 0)
    // x = 0: upper = 1 − (α/2)^(1/n).
    #expect(close(total.upper, 1 - pow(0.025, 1.0 / 8), 1e-10))
    #expect(total.method == "clopper-pearson")
}

@Test func oneRespondent() throws {
    let a = try Analyzer().analyze(table([("A", ["q1": 4, "q2": 2, "q3": 5, "q4": 5])]))
    let e1 = try #require(a.indices.first { $0.id == "e1" })
    #expect(close(e1.value, 0.5))
    // No degrees of freedom: Clopper–Pearson on the smallest number of valid answers (1), x = 0.5.
    #expect(e1.method == "clopper-pearson")
    #expect(e1.small)
    let e2 = try #require(a.indices.first { $0.id == "e2" })
    #expect(e2.value == 1 && close(e2.lower, 0.025) && e2.upper == 1)
}

@Test func aCriterionWithoutAnyValidAnswerIsLeftOutOfItsElement() throws {
    let rows: [(String, [String: Int])] = [
        ("A", ["q1": 9, "q2": 4, "q3": 4]), ("A", ["q2": 2, "q3": 2]), ("A", ["q2": 5, "q3": 5]),
    ]
    let a = try Analyzer().analyze(table(rows))
    let q1 = try #require(a.criteria.first { $0.id == "q1" })
    #expect(q1.value == nil && q1.n == 0 && q1.missing == 3 && q1.lower == nil)
    let e1 = try #require(a.indices.first { $0.id == "e1" })
    #expect(close(e1.value, 2.0 / 3))  // q2 alone
    #expect(e1.omitted == ["q1"])
    // e2 pools q3 (q4 has no answer): 2 of 3.
    let e2 = try #require(a.indices.first { $0.id == "e2" })
    #expect(close(e2.value, 2.0 / 3))
}

@Test func verdictsJudgeTheIntervalNotThePoint() {
    #expect(Verdict(lower: 0.951, upper: 0.99, target: 0.95) == .met)
    #expect(Verdict(lower: 0.95, upper: 0.99, target: 0.95) == .met)
    #expect(Verdict(lower: 0.90, upper: 0.949, target: 0.95) == .notMet)
    #expect(Verdict(lower: 0.93, upper: 0.96, target: 0.95) == .inconclusive)
    #expect(Verdict(lower: nil, upper: nil, target: 0.95) == nil)
    #expect(Verdict.met.label == "Đạt" && Verdict.notMet.label == "Chưa đạt" && Verdict.inconclusive.label == "Chưa đủ căn cứ")
}

@Test func indexPlanFlattensTheTree() throws {
    let plan = try #require(IndexPlan.resolve("total", in: mini()) { _ in true })
    #expect(plan.terms.count == 3)
    #expect(plan.terms[0] == .init(coefficient: 0.125, criteria: ["q1"]))
    #expect(plan.terms[1] == .init(coefficient: 0.125, criteria: ["q2"]))
    #expect(plan.terms[2] == .init(coefficient: 0.75, criteria: ["q3", "q4"]))
    // Without answers to e2's criteria, total is e1 alone.
    let partial = try #require(IndexPlan.resolve("total", in: mini()) { $0 == "q1" || $0 == "q2" })
    #expect(partial.terms.map(\.coefficient) == [0.5, 0.5])
    #expect(partial.omitted == ["q3", "q4"])
}

@Test func weightsAndFinitePopulationCorrection() throws {
    // q3 in two units: A (N = 10) answers 5, 4, 1; B (N = 4) answers 5, 2.
    // Weights 10/3 and 4/2. Ŷ = 10/3·2 + 2·1 = 26/3; Â = 10/3·3 + 2·2 = 14; p = 13/21.
    let rows: [(String, [String: Int])] = [("A", ["q3": 5]), ("A", ["q3": 4]), ("A", ["q3": 1]), ("B", ["q3": 5]), ("B", ["q3": 2])]
    let options = AnalysisOptions(populations: ["A": 10, "B": 4])
    let a = try Analyzer(options: options).analyze(table(rows))
    let q3 = try #require(a.criteria.first { $0.id == "q3" })
    let p = 13.0 / 21
    #expect(close(q3.value, p))
    // z = (y − p a)/Â; stratum sums of (w z − mean)², × f n/(n−1), f = 1 − n/N.
    func part(_ ys: [Double], w: Double, N: Double) -> Double {
        let x = ys.map { w * ($0 - p) / 14 }
        let m = x.reduce(0, +) / Double(x.count)
        let n = Double(x.count)
        return (1 - n / N) * n / (n - 1) * x.reduce(0) { $0 + ($1 - m) * ($1 - m) }
    }
    let variance = part([1, 1, 0], w: 10.0 / 3, N: 10) + part([1, 0], w: 2, N: 4)
    #expect(close(q3.se, variance.squareRoot(), 1e-14))
    #expect(a.design.weighted)
}

@Test func missingPopulationForAUnitIsRefused() {
    let rows: [(String, [String: Int])] = [("A", ["q3": 5]), ("B", ["q3": 2])]
    #expect(throws: AnalysisError.self) { try Analyzer(options: AnalysisOptions(populations: ["A": 10])).analyze(table(rows)) }
    #expect(throws: AnalysisError.self) { try Analyzer(options: AnalysisOptions(populations: ["A": 10, "B": 0.5])).analyze(table(rows)) }
}

@Test func groupsSplitTheFormsByTheirValue() throws {
    var t = ResponseTable(questionnaire: mini())
    t.append(.init(formID: "1", unit: "A", field: "dat-dai"), codes: ["q1": 5])
    t.append(.init(formID: "2", unit: "A", field: "ho-tich"), codes: ["q1": 1])
    t.append(.init(formID: "3", unit: "B", field: "dat-dai"), codes: ["q1": 4])
    let a = try Analyzer().analyze(t, by: ["field", "gender"])
    let fields = a.groups.filter { $0.by == "field" }
    #expect(fields.map(\.value) == ["dat-dai", "ho-tich"])
    #expect(fields[0].analysis.n == 2 && close(fields[0].analysis.criteria.first { $0.id == "q1" }?.value, 1))
    #expect(fields[1].analysis.n == 1 && close(fields[1].analysis.criteria.first { $0.id == "q1" }?.value, 0))
    #expect(throws: AnalysisError.self) { try Analyzer().analyze(t, by: ["nonsense"]) }
}

@Test func bootstrapIsSeededAndBracketsTheEstimate() throws {
    let rows = (0..<60).map { i in ("A", ["q1": i % 3 == 0 ? 2 : 5, "q2": i % 4 == 0 ? 1 : 4, "q3": 4, "q4": i % 5 == 0 ? 3 : 5]) }
    let options = AnalysisOptions(composite: .bootstrap(replicates: 400, seed: 9))
    let first = try Analyzer(options: options).analyze(table(rows))
    let second = try Analyzer(options: options).analyze(table(rows))
    #expect(first == second)
    let e1 = try #require(first.indices.first { $0.id == "e1" })
    #expect(e1.method == "bootstrap")
    #expect(e1.lower! < e1.value! && e1.value! < e1.upper!)
    // The bootstrap SE and the linearised SE estimate the same thing.
    let linear = try Analyzer().analyze(table(rows)).indices.first { $0.id == "e1" }!
    #expect(abs(e1.se! - linear.se!) / linear.se! < 0.15)
}

/// Indices alone (a province ranking thousands of units) are the indices of the full analysis.
@Test func anAnalysisOfIndicesAloneHasTheSameIndices() throws {
    let rows: [(String, [String: Int])] =
        (0..<6).map { ("A", ["q1": $0 < 5 ? 5 : 1, "q2": $0 < 4 ? 4 : 1, "q3": $0 < 3 ? 5 : 2, "q4": 4]) }
        + (0..<5).map { ("B", ["q1": $0 < 1 ? 5 : 1, "q2": $0 < 2 ? 4 : 9, "q3": 5]) }
    let full = try Analyzer().analyze(table(rows))
    var options = AnalysisOptions()
    options.criteria = false
    let indices = try Analyzer(options: options).analyze(table(rows))
    #expect(indices.indices == full.indices)
    #expect(indices.criteria.isEmpty && !full.criteria.isEmpty && indices.negative.isEmpty)
}

/// Tables made once for a questionnaire are used only for that very questionnaire: one with the
/// same id and version but other satisfied codes is scored by its own rules.
@Test func aPreparedQuestionnaireServesOnlyItsOwnQuestionnaire() throws {
    let other = try Questionnaire(yaml: miniYAML.replacingOccurrences(of: "satisfied: {sat5: [4, 5]}", with: "satisfied: {sat5: [5]}"), file: "mini.yaml")
    let prepared = PreparedQuestionnaire(mini())
    let a = try Analyzer(prepared: prepared).analyze(table(fourRows, questionnaire: other))
    // Only 5 satisfied: q1 = 5, 4, 2 → 1 of 3; q2 = 4, 9, 1, 5 → 1 of 3 (by hand).
    let byID = Dictionary(uniqueKeysWithValues: a.indices.map { ($0.id, $0) })
    #expect(close(byID["e1"]?.value, 1.0 / 3))
    // And with its own questionnaire it gives what an analysis without it gives.
    let own = try Analyzer(prepared: prepared).analyze(table(fourRows))
    #expect(own == (try Analyzer().analyze(table(fourRows))))
}
