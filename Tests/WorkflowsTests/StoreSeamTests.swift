import Foundation
import SIPASAnalysis
import SIPASModel
import SIPASStoring
import SIPASWorkflows
import Testing

/// A store that is not SQLite: responses held in memory, read through the contract only.
struct MemoryReader: ResponseReading {
    let yaml: String
    let table: ResponseTable
    var location: String { "memory://test" }

    func questionnaires() throws -> [StoredVersion] {
        [StoredVersion(id: table.questionnaire.id, version: table.questionnaire.version, responses: table.count)]
    }
    func questionnaireYAML(id: String, version: String?) throws -> String? { id == table.questionnaire.id ? yaml : nil }
    func responses(questionnaire q: Questionnaire, filter: ResponseFilter) throws -> (table: ResponseTable, sources: [ResponseSource]) {
        let keep = (0..<table.count).filter { r in
            let d = table.collectedOn[r] ?? ""
            return filter.from.map { d >= $0 } ?? true && filter.to.map { d <= $0 } ?? true
        }
        return (table.select(keep), keep.map { _ in .paper })
    }
    func codesInUse(questionnaireID: String) throws -> (fields: Set<String>, channels: Set<String>) {
        (Set(table.field.levels), Set(table.channel.levels))
    }
    func counts(questionnaire q: Questionnaire, filter: ResponseFilter) throws -> [ResponseSource: Int] {
        [.paper: try responses(questionnaire: q, filter: filter).table.count]
    }
    func units() throws -> [UnitRecord] { table.unit.levels.map { UnitRecord(code: $0) } }
    func submissions() throws -> [StoredSubmission] { [] }
    func pageImages(formID: String?) throws -> [StoredPageImage] { [] }
    func labels() throws -> Labels { Labels(fields: ["ho-tich": "Hộ tịch và chứng thực"]) }
}

/// The analysis use case reads any store that keeps the contract, not only the SQLite one.
@Test func analysisReadsAnotherStoreThroughTheContract() throws {
    let (q, yaml) = try catalog.loadWithText("counter-quick")
    var table = ResponseTable(questionnaire: q)
    for (i, (code, date)) in [(3, "2026-01-05"), (2, "2026-02-05"), (1, "2026-02-06"), (1, "2026-09-01")].enumerated() {
        table.append(ResponseTable.Metadata(formID: "M\(i)", unit: "XA01", collectedOn: date), codes: ["overall": UInt8(code)])
    }
    var use = AnalyzeResponses(
        source: .store(MemoryReader(yaml: yaml, table: table), questionnaire: nil, filter: ResponseFilter(to: "2026-06-30")), options: AnalysisOptions())
    use.catalog = catalog
    let result = try use.run()
    let overall = try #require(result.analysis.indices.first { $0.id == "satisfaction" })
    #expect(overall.n == 3 && abs(overall.value! - 2.0 / 3.0) < 1e-15)
    #expect(result.inputs == ["memory://test"])
}
