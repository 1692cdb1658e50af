import Foundation
import SIPASModel
import SIPASReport
import SIPASWorkflows
import Testing

let exampleProfile = try! String(contentsOf: QuestionnaireCatalog.sourceTreeRoot.appendingPathComponent("Reports/vi-du-xa.yaml"), encoding: .utf8)

/// Defect: a profile accepted 2026-02-30 and 2026-12-99 and printed them in the workbook; 2026-13-45
/// was refused only as "from after to".
@Test(arguments: [
    ("{from: 2026-02-30, to: 2026-03-31}", "'from'", "2026-02-30"),
    ("{from: 2026-01-01, to: 2026-12-99}", "'to'", "2026-12-99"),
    ("{from: 2026-13-45, to: 2026-12-31}", "'from'", "2026-13-45"),
    ("{from: 2026-1-5, to: 2026-12-31}", "'from'", "2026-1-5"),
])
func profileDatesAreCheckedAgainstTheCalendar(period: String, key: String, value: String) throws {
    let text = exampleProfile.replacingOccurrences(of: "\nperiod: 2026\n", with: "\nperiod: \(period)\n")
    #expect(text != exampleProfile)
    do {
        _ = try ReportProfile(yaml: text, file: "p.yaml")
        Issue.record("accepted \(period)")
    } catch {
        let line = text.components(separatedBy: "\n").firstIndex { $0.hasPrefix("period:") }.map { $0 + 1 }
        #expect(error.list.count == 1)
        #expect(error.list.first?.line == line)
        #expect(error.description.contains("p.yaml:\(line ?? 0): [period] \(key) must be a date of the calendar as YYYY-MM-DD"), "\(error)")
        #expect(error.description.contains("found '\(value)'"))
    }
}

@Test func aLeapDayIsADateAndExplicitPeriodsAreLabelledInVietnamese() throws {
    let text = exampleProfile.replacingOccurrences(of: "\nperiod: 2026\n", with: "\nperiod: {from: 2028-02-29, to: 2028-03-31}\n")
    let profile = try ReportProfile(yaml: text, file: "p.yaml")
    #expect(profile.period.label == "Từ 29/02/2028 đến 31/03/2028")
    #expect(ISODate("2026-02-29") == nil && ISODate("2000-02-29") != nil && ISODate("1900-02-29") == nil)
    #expect(ISODate("2026-04-31") == nil && ISODate("2026-04-30")?.description == "2026-04-30")
    #expect(ISODate("２026-01-01") == nil && ISODate("2026-01-01 ") == nil && ISODate("0000-01-01") == nil)
}

@Test func intervalMethodsAreTyped() throws {
    #expect(try ReportProfile(yaml: exampleProfile, file: "p.yaml").compositeInterval == .betaCapped)
    let unsaid = exampleProfile.split(separator: "\n").filter { !$0.hasPrefix("ci:") }.joined(separator: "\n")
    #expect(try ReportProfile(yaml: unsaid, file: "p.yaml").compositeInterval == .betaCapped)
    let logit = try ReportProfile(yaml: exampleProfile.replacingOccurrences(of: "ci: beta-capped ", with: "ci: logit "), file: "p.yaml")
    #expect(logit.compositeInterval == .logit)
    let beta = try ReportProfile(yaml: exampleProfile.replacingOccurrences(of: "ci: beta-capped ", with: "ci: beta "), file: "p.yaml")
    #expect(beta.compositeInterval == .beta && beta.criterionInterval == .wilson)
    let boot = try ReportProfile(yaml: exampleProfile.replacingOccurrences(of: "ci: beta-capped ", with: "ci: bootstrap ").replacingOccurrences(of: "criterion_ci: wilson", with: "criterion_ci: exact"), file: "p.yaml")
    #expect(boot.compositeInterval == .bootstrap(replicates: 1000, seed: 20231211) && boot.criterionInterval == .exact)
    #expect(throws: Problems.self) { try ReportProfile(yaml: exampleProfile.replacingOccurrences(of: "ci: beta-capped ", with: "ci: wald "), file: "p.yaml") }
}
