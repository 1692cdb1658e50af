import Foundation
import SIPASAnalysis
import SIPASModel
import SIPASStore
import SIPASStoring
import SIPASWorkflows
import Testing

/// Satisfied = Hài lòng (2) or Rất hài lòng (3) on counter-quick's overall question.
@Test func analysingFilesGivesTheShareCountedByHand() throws {
    let folder = try temporaryFolder()
    let a = try write("form_id,unit,collected_on,overall\nK1,XA01,2026-03-02,3\nK2,XA01,2026-03-02,1\n", "a.csv", in: folder)
    let b = try write("form_id,unit,collected_on,overall\nK3,XA01,2026-03-03,2\nK4,XA01,2026-03-03,3\n", "b.csv", in: folder)
    var use = AnalyzeResponses(source: .files([a, b], questionnaire: "counter-quick"), options: AnalysisOptions())
    use.catalog = catalog
    let result = try use.run()
    let overall = try #require(result.analysis.indices.first { $0.id == result.analysis.overall })
    #expect(overall.n == 4 && overall.value == 0.75)
    #expect(result.inputs == [a, b] && result.questionnaire.id == "counter-quick")
}

@Test func analysingFilesRefusesAFormCountedTwiceInTheSameYearOnly() throws {
    let folder = try temporaryFolder()
    // Row 3 blank: the repeat K1 is on row 5 of b.csv.
    let a = try write("form_id,unit,collected_on,overall\nK1,XA01,2026-03-02,3\nK1,XA01,2025-03-02,1\n", "a.csv", in: folder)
    let b = try write("form_id,unit,collected_on,overall\nK3,XA01,2026-03-03,2\n\n\nK1,XA01,2026-11-03,3\n", "b.csv", in: folder)
    var alone = AnalyzeResponses(source: .files([a], questionnaire: "counter-quick"), options: AnalysisOptions())
    alone.catalog = catalog
    #expect(try alone.run().analysis.n == 2)
    var both = alone
    both.source = .files([a, b], questionnaire: "counter-quick")
    let text = message { _ = try both.run() }
    #expect(text.contains("\(b), row 5: form id 'K1' of unit 'XA01' in 2026 already appears at \(a), row 2"), "\(text)")
}

@Test func analysingAStoreUsesTheStoredQuestionnaireAndFilters() throws {
    let (store, folder) = try temporaryStore()
    let csv = try write("form_id,unit,collected_on,overall\nK1,XA01,2026-03-02,3\nK2,XA01,2026-06-02,1\nK3,XA02,2026-06-03,2\n", "a.csv", in: folder)
    _ = try importer([csv], questionnaire: "counter-quick").run(into: store)
    var use = AnalyzeResponses(source: .store(store, questionnaire: nil, filter: ResponseFilter(from: "2026-04-01")), options: AnalysisOptions())
    use.catalog = catalog
    let overall = try #require(try use.run().analysis.indices.first { $0.id == "satisfaction" })
    #expect(overall.n == 2 && overall.value == 0.5)
    use.source = .store(store, questionnaire: nil, filter: ResponseFilter(from: "2027-01-01"))
    #expect(message { _ = try use.run() }.contains("no stored responses of counter-quick"))
}

/// Defect: export wrote text beginning with = + - @ (or tab, CR) so that a spreadsheet would run it,
/// and import did not undo the guard: export → import must give every text back unchanged.
@Test func exportGuardsFormulasAndImportUndoesExactlyThat() throws {
    let (store, folder) = try temporaryStore()
    let texts = ["=1+1 thử", "+84 912", "-5", "@SUM(A1)", "\tTab đầu", "'=đã có dấu nháy", "''=hai dấu", "'bình thường", "Bình thường"]
    var csv = "form_id,unit,collected_on,comment\n"
    for (i, t) in texts.enumerated() {
        csv += "F\(i),XA01,2026-03-02,\"\(t.replacingOccurrences(of: "\"", with: "\"\""))\"\n"
    }
    // The input file itself is guarded as sipas would have written it, except row F7/F8 (no trigger).
    let guarded = try write(csv.replacingOccurrences(of: "\"=1+1", with: "\"'=1+1").replacingOccurrences(of: "\"+84", with: "\"'+84")
        .replacingOccurrences(of: "\"-5", with: "\"'-5").replacingOccurrences(of: "\"@SUM", with: "\"'@SUM").replacingOccurrences(of: "\"\tTab", with: "\"'\tTab")
        .replacingOccurrences(of: "\"'=đã", with: "\"''=đã").replacingOccurrences(of: "\"''=hai", with: "\"'''=hai"), "in.csv", in: folder)
    _ = try importer([guarded], questionnaire: "sipas-2023").run(into: store)
    var exporter = ExportResponses(questionnaire: nil, filter: ResponseFilter())
    exporter.catalog = catalog
    let out = folder.appendingPathComponent("out.csv").path
    #expect(try exporter.run(store: store, out: out).responses == texts.count)
    let written = try String(contentsOfFile: out, encoding: .utf8)
    for expected in ["'=1+1 thử", "'+84 912", "'-5", "'@SUM(A1)", ",'\tTab đầu", "''=đã có dấu nháy", "'''=hai dấu", ",'bình thường", ",Bình thường"] {
        #expect(written.contains(expected), "\(expected) not in the export")
    }
    let q = try StoredQuestionnaire.resolve(nil, in: store, catalog: catalog)
    #expect((0..<texts.count).map { try! store.responses(questionnaire: q).table.texts["comment"]![$0] } == texts)
    // And back again: a second store holds the same texts.
    let (other, _) = try temporaryStore()
    _ = try importer([out], questionnaire: "sipas-2023").run(into: other)
    #expect(try other.responses(questionnaire: q).table.texts["comment"]! == texts)
}

@Test func theCatalogueNamesWhatItHasAndAStoreOfTwoQuestionnairesAsksWhichOne() throws {
    #expect(catalog.available().map(\.id).contains("sipas-2023"))
    let unknown = message { _ = try catalog.load("sipas-2099") }
    #expect(unknown.contains("no questionnaire 'sipas-2099'. Available: ") && unknown.contains("counter-quick"))
    let (store, folder) = try temporaryStore()
    _ = try importer([try write("form_id,unit,overall\nK1,XA01,3\n", "a.csv", in: folder)], questionnaire: "counter-quick").run(into: store)
    _ = try importer([try write("form_id,unit,q2\nP1,XA01,1\n", "b.csv", in: folder)], questionnaire: "sipas-2023").run(into: store)
    do {
        _ = try StoredQuestionnaire.resolve(nil, in: store, catalog: catalog)
        Issue.record("chose a questionnaire")
    } catch let error as UserError {
        #expect(error.remedy == .questionnaire && error.message.contains("holds several questionnaires (counter-quick, sipas-2023)"))
    }
    #expect(try StoredQuestionnaire.resolve("sipas-2023", in: store, catalog: catalog).id == "sipas-2023")
}

/// Counter-quick, one unit: previous period 1 of 4 satisfied, this one 3 of 4 (by hand: +0.5).
@Test func comparingWithAPreviousPeriodGivesEachIndexItsChange() throws {
    let folder = try temporaryFolder()
    let now = try write("form_id,unit,collected_on,overall\nK1,XA01,2026-03-02,3\nK2,XA01,2026-03-02,1\nK3,XA01,2026-03-02,2\nK4,XA01,2026-03-02,3\n", "now.csv", in: folder)
    let before = try write("form_id,unit,collected_on,overall\nK1,XA01,2025-03-02,1\nK2,XA01,2025-03-02,1\nK3,XA01,2025-03-02,2\nK4,XA01,2025-03-02,1\n", "before.csv", in: folder)
    var use = AnalyzeResponses(source: .files([now], questionnaire: "counter-quick"), options: AnalysisOptions(), previous: .files([before], questionnaire: "counter-quick"))
    use.catalog = catalog
    let result = try use.run()
    let change = try #require(result.analysis.change?.first { $0.id == "satisfaction" })
    // Each period: Var = p(1 − p)/(n − 1) = 0.1875/3; df = 3 + 3.
    #expect(change.value == 0.5 && change.previous == 0.25 && change.df == 6)
    #expect(abs(change.se - (2 * 0.1875 / 3).squareRoot()) < 1e-15)
    #expect(change.small && result.previous?.n == 4)
    // Another questionnaire's files are refused with both names.
    let other = try write("form_id,unit,collected_on,c1_1\nK1,XA01,2025-03-02,1\n", "other.csv", in: folder)
    use.previous = .files([other], questionnaire: "sipas-2017")
    #expect(message { _ = try use.run() }.contains("a change can only be measured on the same questionnaire"))
}
