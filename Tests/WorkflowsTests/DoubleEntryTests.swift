import Foundation
import SIPASModel
import SIPASStore
import SIPASStoring
import SIPASWorkflows
import Testing

let header = "form_id,unit,collected_on,q2,comment\n"

/// Defect: a second copy that repeats a unit/form id crashed the import (SIGILL in
/// `Dictionary(uniqueKeysWithValues:)`); in the other order the copies were said to agree.
@Test(arguments: [false, true])
func aCopyThatRepeatsAFormIsRefusedWithBothRows(repeatedFirst: Bool) throws {
    let (store, folder) = try temporaryStore()
    let clean = try write(header + "P1,XA01,2026-03-02,1,\nP2,XA01,2026-03-02,2,\n", "clean.csv", in: folder)
    let repeated = try write(header + "P1,XA01,2026-03-02,1,\nP2,XA01,2026-03-02,2,\nP1,XA01,2026-03-02,1,\n", "repeated.csv", in: folder)
    let (a, b) = repeatedFirst ? (repeated, clean) : (clean, repeated)
    let text = message { _ = try importer([a], questionnaire: "sipas-2023", verify: b).run(into: store) }
    #expect(text.contains("repeated.csv, rows 2, 4: form id 'P1' of unit XA01 is typed more than once in this copy"), "\(text)")
    #expect(text.hasSuffix("Nothing was imported."))
    #expect(try store.questionnaires().isEmpty)
}

/// Defect: a comment in one copy and blank in the other was not reported; multi-choice differences
/// were printed as bit masks.
@Test func differencesAreShownAsWrittenOnTheForm() throws {
    let (store, folder) = try temporaryStore()
    let a = try write(header + "P1,XA01,2026-03-02,1|3,Cán bộ nhiệt tình\nP2,XA01,2026-03-02,2,\n", "a.csv", in: folder)
    let b = try write(header + "P1,XA01,2026-03-02,1|4,\nP2,XA01,2026-03-02,2,\nP3,XA01,2026-03-02,,\n", "b.csv", in: folder)
    let text = message { _ = try importer([a], questionnaire: "sipas-2023", verify: b).run(into: store) }
    #expect(text.contains("form P1 (\(a) row 2, \(b) row 2), q2: '1|3' vs '1|4'"), "\(text)")
    #expect(text.contains("form P1 (\(a) row 2, \(b) row 2), comment: 'Cán bộ nhiệt tình' vs ''"), "\(text)")
    #expect(text.contains("form P3: only in \(b) (row 4)"), "\(text)")
    #expect(text.hasPrefix("3 difference(s) between"))
}

@Test func copiesThatAgreeAreImportedOnce() throws {
    let (store, folder) = try temporaryStore()
    let a = try write(header + "P1,XA01,2026-03-02,1|3,Tốt\n\nP2,XA01,2026-03-02,2,\n", "a.csv", in: folder)
    let b = try write(header + "P2,XA01,2026-03-02,2,\nP1,XA01,2026-03-02,3|1,Tốt\n", "b.csv", in: folder)
    let outcome = try importer([a], questionnaire: "sipas-2023", verify: b).run(into: store)
    #expect(outcome.verifiedForms == 2 && outcome.forms == 2)
    #expect(outcome.files.map(\.fileName) == ["a.csv"])
}
