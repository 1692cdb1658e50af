import Foundation
import SIPASAnalysis
import SIPASModel
import Testing

/// Seven forms in two units; field "d" is a domain with two forms in A and one in B.
/// q3 satisfied (4 or 5): d = 1, 0 | 1; x = 1, 0 | 1, 1.
func sevenForms() -> ResponseTable {
    var t = ResponseTable(questionnaire: mini())
    let rows: [(String, String, Int)] = [("A", "d", 5), ("A", "d", 2), ("A", "x", 4), ("A", "x", 1), ("B", "d", 4), ("B", "x", 5), ("B", "x", 5)]
    for (i, r) in rows.enumerated() {
        t.append(.init(formID: String(i + 1), unit: r.0, field: r.1), codes: ["q3": UInt8(r.2)])
    }
    return t
}

@Test func aGroupIsADomainOfTheWholeDesignByHandAndAsR() throws {
    // Domain d: p = 2/3, Â = 3, z = (y − p)/3 on its rows and 0 on the others:
    // A: 1/9, −2/9, 0, 0 (mean −1/36) → 4/3 · 76/1296; B: 1/9, 0, 0 (mean 1/27) → 3/2 · 6/729.
    // R: svyratio(~y, ~a, subset(svydesign(ids = ~1, strata = ~unit), field == "d")) gives
    // 0.66666666666666663, SE 0.30089031128281329, degf 1.
    let a = try Analyzer().analyze(sevenForms(), by: ["field"])
    let d = try #require(a.groups.first { $0.value == "d" }?.analysis)
    let q3 = try #require(d.criteria.first { $0.id == "q3" })
    let variance = 4.0 / 3 * 76 / 1296 + 3.0 / 2 * 6 / 729
    #expect(close(q3.value, 2.0 / 3))
    #expect(close(q3.se, variance.squareRoot(), 1e-15))
    #expect(close(q3.se, 0.30089031128281329, 1e-15))
    // Rows in the domain − strata present in it; the whole design's strata are reported.
    #expect(d.design.df == 1 && d.design.strata == 2 && d.n == 3)
    #expect(q3.n == 3 && q3.missing == 0)
    // As its own sample (the old way) B would be a lonely unit and A a unit of two: 10/81.
    #expect(!close(q3.se, (10.0 / 81).squareRoot(), 1e-3))
}

@Test func aWeightedDomainKeepsTheWholeDesignsWeightsAndAUnitWithFPCZeroAddsNothing() throws {
    // A: N = 10 for n = 4 (w = 2.5, f = 0.6); B: N = 3 = n (w = 1, f = 0: B adds no variance).
    // p = (2.5 + 1)/(2·2.5 + 1) = 7/12; z = w(y − p)/6 on the domain's rows.
    // R (fpc = ~N, subset field == "d"): 0.58333333333333337, SE 0.26534684964642774.
    let options = AnalysisOptions(populations: ["A": 10, "B": 3])
    let a = try Analyzer(options: options).analyze(sevenForms(), by: ["field"])
    let d = try #require(a.groups.first { $0.value == "d" }?.analysis)
    let q3 = try #require(d.criteria.first { $0.id == "q3" })
    let p = 7.0 / 12
    let z = [2.5 * (1 - p) / 6, 2.5 * (0 - p) / 6, 0, 0]
    let m = z.reduce(0, +) / 4
    let variance = 0.6 * 4.0 / 3 * z.reduce(0) { $0 + ($1 - m) * ($1 - m) }
    #expect(close(q3.value, p))
    #expect(close(q3.se, variance.squareRoot(), 1e-15))
    #expect(close(q3.se, 0.26534684964642774, 1e-15))
    #expect(d.design.weighted)
}

@Test func aDomainAbsentFromAUnitAndADomainOfOneForm() throws {
    var t = sevenForms()
    t.append(.init(formID: "8", unit: "B", field: "lone"), codes: ["q3": 4])
    let a = try Analyzer().analyze(t, by: ["field"])
    // "lone": one form in B (4 forms there): z = 0 (p = 1), df = 1 − 1 = 0 → Clopper–Pearson on n = 1.
    let lone = try #require(a.groups.first { $0.value == "lone" }?.analysis)
    #expect(lone.n == 1 && lone.design.df == 0 && lone.design.strata == 1)
    let q3 = try #require(lone.criteria.first { $0.id == "q3" })
    #expect(q3.value == 1 && q3.se == 0)
    let e2 = try #require(lone.indices.first { $0.id == "e2" })
    #expect(e2.method == "clopper-pearson" && close(e2.lower, 0.025, 1e-12))
    // A domain only in B: unit A adds nothing, B keeps its four forms.
    var onlyB = ResponseTable(questionnaire: mini())
    for (i, r) in [("A", "x", 5), ("A", "x", 1), ("B", "d", 4), ("B", "d", 1), ("B", "x", 5)].enumerated() {
        onlyB.append(.init(formID: String(i), unit: r.0, field: r.1), codes: ["q3": UInt8(r.2)])
    }
    let d = try #require(try Analyzer().analyze(onlyB, by: ["field"]).groups.first { $0.value == "d" }?.analysis)
    // p = 1/2, Â = 2, z = ±1/4 then 0 in B (mean 0): 3/2 · 2/16.
    #expect(d.design.strata == 1 && d.design.df == 1)
    #expect(close(d.criteria.first { $0.id == "q3" }?.se, (3.0 / 2 * 2 / 16).squareRoot(), 1e-15))
}

@Test func aTargetOnAFieldIsTheSameDomainAsTheGroup() throws {
    let t = sevenForms()
    let options = AnalysisOptions(populations: ["A": 10, "B": 3])
    let group = try #require(try Analyzer(options: options).analyze(t, by: ["field"]).groups.first { $0.value == "d" }?.analysis)
    let domain = try Analyzer(options: options).analyze(t, domain: [0, 1, 4])
    #expect(domain.indices == group.indices && domain.criteria == group.criteria && domain.design == group.design)
}

@Test func aWeightedCriterionsIntervalUsesItsEffectiveSize() throws {
    // Weighted: Wilson on n_eff = p(1 − p)/SE², capped at the n = 7 valid answers. Unequal weights
    // (250 and 2) make n_eff smaller than n; a large sampling fraction (FPC) makes it larger: capped.
    let z = 1.959963984540054
    for (populations, capped) in [(["A": 1000.0, "B": 6], false), (["A": 10, "B": 3], true)] {
        let whole = try Analyzer(options: AnalysisOptions(populations: populations)).analyze(sevenForms())
        let q3 = try #require(whole.criteria.first { $0.id == "q3" })
        let p = try #require(q3.value), se = try #require(q3.se)
        let size = min(p * (1 - p) / (se * se), 7)
        let centre = (p + z * z / (2 * size)) / (1 + z * z / size)
        let half = z / (1 + z * z / size) * (p * (1 - p) / size + z * z / (4 * size * size)).squareRoot()
        #expect((size == 7) == capped)
        #expect(close(q3.lower, centre - half, 1e-12) && close(q3.upper, centre + half, 1e-12))
        #expect(q3.method == "wilson")
    }
}

/// Sixty forms in three units (25, 20, 15), q3 codes made in R (set.seed(3)), 0 = blank; field d
/// is every third form. R: svyciprop(~I(y == 1), subset(design, field == "d" & a == 1), method = …).
let svycipropCodes = [4, 3, 4, 4, 5, 5, 4, 4, 5, 5, 5, 5, 5, 5, 0, 3, 4, 5, 0, 4, 4, 4, 4, 4, 4, 3, 5, 2, 5, 3, 4, 4, 4, 5, 4, 4, 0, 4, 5, 4, 4, 3, 4, 5, 5, 4, 4, 4, 4, 3, 4, 4, 0, 1, 3, 2, 5, 4, 4, 4]

@Test(arguments: [
    (CriterionInterval.logit, 0.55652615287020446, 0.95220232267513816),
    (CriterionInterval.beta, 0.5747787381643884, 0.96697469682589055),
])
func criterionBoundsAreRsSvycipropOnTheDomainOfValidAnswers(method: CriterionInterval, lower: Double, upper: Double) throws {
    var t = ResponseTable(questionnaire: mini())
    for (i, code) in svycipropCodes.enumerated() {
        let unit = i < 25 ? "A" : i < 45 ? "B" : "C"
        t.append(.init(formID: String(i), unit: unit, field: i % 3 == 0 ? "d" : "x"), codes: code == 0 ? [:] : ["q3": UInt8(code)])
    }
    let a = try Analyzer(options: AnalysisOptions(criterion: method)).analyze(t, by: ["field"])
    let q3 = try #require(a.groups.first { $0.value == "d" }?.analysis.criteria.first { $0.id == "q3" })
    #expect(close(q3.value, 0.83333333333333337, 1e-15) && close(q3.se, 0.090077104068680761, 1e-15))
    #expect(close(q3.lower, lower, 1e-9) && close(q3.upper, upper, 1e-9))
    #expect(q3.method == method.rawValue)
}

@Test func theBootstrapOfADomainDrawsFromTheWholeUnit() throws {
    var t = ResponseTable(questionnaire: mini())
    for i in 0..<80 {
        t.append(.init(formID: String(i), unit: i < 40 ? "A" : "B", field: i % 4 == 0 ? "d" : "x"),
                 codes: ["q1": i % 3 == 0 ? 2 : 5, "q2": 4, "q3": i % 5 == 0 ? 1 : 4, "q4": 5])
    }
    let boot = try Analyzer(options: AnalysisOptions(composite: .bootstrap(replicates: 2000, seed: 4))).analyze(t, by: ["field"])
    let linear = try Analyzer().analyze(t, by: ["field"])
    let b = try #require(boot.groups.first { $0.value == "d" }?.analysis.indices.first { $0.id == "total" })
    let l = try #require(linear.groups.first { $0.value == "d" }?.analysis.indices.first { $0.id == "total" })
    #expect(b.method == "bootstrap" && b.lower! < b.value! && b.value! < b.upper!)
    // The domain's size varies from draw to draw, as in the linearised variance: same SE within 10 %.
    #expect(abs(b.se! - l.se!) / l.se! < 0.1)
}
