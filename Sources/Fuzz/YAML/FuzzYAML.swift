import Foundation
import SIPASCSV
import SIPASFuzzSupport
import SIPASModel
import SIPASReport

// The questionnaire loader and the report-profile loader on the same text. A questionnaire the
// loader accepts is then used as the CSV reader would use it (a header of every item and one row
// of codes), so that nothing the loader lets through can make later steps trap; a profile it
// accepts is checked against the committed questionnaires.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzYAML(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = count > 0 && start != nil ? UnsafeBufferPointer(start: start!, count: count) : UnsafeBufferPointer(start: nil, count: 0)
    let text = String(decoding: bytes, as: UTF8.self)
    if let q = try? Questionnaire(yaml: text, file: "q.yaml") {
        _ = q.scoredItems
        let items = q.items
        let header = (["form_id"] + items.map(\.id)).joined(separator: ",")
        let row = (["1"] + items.map { item in item.validCodes.first.map(String.init) ?? "x" }).joined(separator: ",")
        _ = try? CanonicalCSVReader(questionnaire: q).read(data: Data((header + "\n" + row + "\n").utf8), file: "f.csv")
    }
    if let profile = try? ReportProfile(yaml: text, file: "p.yaml") {
        _ = profile.period.label
        _ = profile.period.previous?.label
        try? profile.validate(against: FuzzSupport.sipas2023)
        try? profile.validate(against: FuzzSupport.counterQuick)
    }
    return 0
}
