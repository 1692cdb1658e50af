import Foundation
import Testing

@Test func formPrintWritesNumberedSheetsAndLayoutPrintsTheirGeometry() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sipas-form-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let pdf = folder.appendingPathComponent("phieu.pdf").path
    let run = try sipas("form", "print", "--questionnaire", "counter-quick", "--unit", "XA01", "--year", "2026", "--count", "3", "--first", "9", "--out", pdf)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("3 sheets of counter-quick") && run.stdout.contains("serials XA01-2026-0009 to XA01-2026-0011"), "\(run.stdout)")
    let data = try Data(contentsOf: URL(fileURLWithPath: pdf))
    #expect(data.starts(with: Array("%PDF-".utf8)))

    let layout = try sipas("form", "layout", "--questionnaire", "counter-quick", "--json")
    #expect(layout.status == 0, "\(layout.stderr)")
    let json = try #require(try JSONSerialization.jsonObject(with: Data(layout.stdout.utf8)) as? [String: Any])
    #expect(json["questionnaire"] as? String == "counter-quick")
    let marks = try #require(json["marks"] as? [[String: Any]])
    // counter-quick: field, channel and the overall question are coded; every code has a bubble.
    #expect(!marks.isEmpty && marks.allSatisfy { ($0["r_mm"] as? Double) == 2 })

    let bad = try sipas("form", "print", "--questionnaire", "counter-quick", "--unit", "XA 01", "--count", "1", "--out", pdf)
    #expect(bad.status != 0 && bad.stderr.contains("unit code \"XA 01\""), "\(bad.stderr)")
}
