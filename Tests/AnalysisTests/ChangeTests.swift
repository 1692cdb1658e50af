import Foundation
import SIPASAnalysis
import SIPASModel
import Testing

/// q3 only, forms of one unit.
func period(satisfied: Int, of n: Int, unit: String = "A") -> ResponseTable {
    table((0..<n).map { (unit, ["q3": $0 < satisfied ? 5 : 2]) })
}

@Test func aChangeIsTheDifferenceWithTheSEOfIndependentSamplesByHand() throws {
    let before = try Analyzer().analyze(period(satisfied: 12, of: 30))
    let now = try Analyzer().analyze(period(satisfied: 18, of: 20))
    let changes = Analysis.changes(from: before, to: now)
    // e2 = pooled(q3, q4) = q3 here. Var(p̂) of one stratum = p(1 − p)/(n − 1) for a 0/1 ratio:
    // before 0.24/29, now 0.09/19; df = (30 − 1) + (20 − 1) = 48, t(48, 0.975) = 2.0106347576242318 (R qt).
    let e2 = try #require(changes.first { $0.id == "e2" })
    let se = (0.24 / 29 + 0.09 / 19).squareRoot()
    let t = 2.0106347576242318
    #expect(close(e2.value, 0.5, 1e-15) && close(e2.previous, 0.4, 1e-15))
    #expect(close(e2.se, se, 1e-15))
    #expect(e2.df == 48)
    #expect(close(e2.lower, 0.5 - t * se, 1e-12) && close(e2.upper, 0.5 + t * se, 1e-12))
    #expect(e2.verdict == .increase && e2.verdict.label == "Tăng")
    // Fewer than 30 forms in a period: flagged.
    #expect(e2.small)
    // e1 has no answers in either period: no change.
    #expect(!changes.contains { $0.id == "e1" })
}

@Test func aChangeWhoseIntervalContainsZeroIsInconclusiveAndADropIsGiam() throws {
    let before = try Analyzer().analyze(period(satisfied: 45, of: 50))
    let same = Analysis.changes(from: before, to: try Analyzer().analyze(period(satisfied: 44, of: 50)))
    #expect(same.first { $0.id == "e2" }?.verdict == .inconclusive)
    let drop = Analysis.changes(from: before, to: try Analyzer().analyze(period(satisfied: 20, of: 50)))
    let e2 = try #require(drop.first { $0.id == "e2" })
    #expect(e2.verdict == .decrease && e2.verdict.label == "Giảm" && e2.upper! < 0 && !e2.small)
}

@Test func theChangeIsEncodedWithTheDocumentedKeysAndLeftOutWithoutAPreviousPeriod() throws {
    var now = try Analyzer().analyze(period(satisfied: 18, of: 20))
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    #expect(!String(decoding: try encoder.encode(now), as: UTF8.self).contains("\"change\""))
    now.change = Analysis.changes(from: try Analyzer().analyze(period(satisfied: 12, of: 30)), to: now)
    let json = try JSONSerialization.jsonObject(with: try encoder.encode(now)) as! [String: Any]
    let first = try #require((json["change"] as? [[String: Any]])?.first)
    #expect(Set(first.keys).isSuperset(of: ["id", "value", "se", "lower", "upper", "df", "verdict"]))
    #expect(first["verdict"] as? String == "increase")
}
