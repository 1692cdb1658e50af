import Foundation
import SIPASCSV
import SIPASModel
import SIPASSynthetic
import Testing

func read(_ text: String, bytes: [UInt8]? = nil) throws(Problems) -> ResponseTable {
    try CanonicalCSVReader(questionnaire: mini()).read(data: Data(bytes ?? Array(text.utf8)), file: "phieu.csv")
}

func problems(_ text: String, bytes: [UInt8]? = nil) -> [Problem] {
    do {
        _ = try read(text, bytes: bytes)
        return []
    } catch {
        return error.list
    }
}

@Test func readsCommaLFWithAbsentColumnsAsMissing() throws {
    let t = try read("form_id,unit,collected_on,q1,q3,ch,note\n1,XA01,2026-03-31,5,,1|3,\"Tốt, nhanh\"\n2,XA01,,9,2,,\n")
    #expect(t.count == 2)
    #expect(t.codes["q1"] == [5, 9])
    #expect(t.codes["q3"] == [0, 2])
    #expect(t.codes["q2"] == [0, 0])
    #expect(t.picks["ch"] == [(1 << 1) | (1 << 3), 0])
    #expect(t.texts["note"] == ["Tốt, nhanh", nil])
    #expect(t.collectedOn == ["2026-03-31", nil])
    #expect(t.unit[0] == "XA01")
}

@Test func readsSemicolonCRLFWithBOMAsVietnameseExcelSavesIt() throws {
    let text = "form_id;unit;q1;note\r\n001;XA01;4;\"Dòng một\r\ndòng hai; có \"\"ngoặc\"\"\"\r\n"
    let t = try read(text, bytes: [0xEF, 0xBB, 0xBF] + Array(text.utf8))
    #expect(t.count == 1)
    #expect(t.formID == ["001"])  // identifiers stay text: leading zeros kept
    #expect(t.codes["q1"] == [4])
    #expect(t.texts["note"] == ["Dòng một\r\ndòng hai; có \"ngoặc\""])
}

@Test func decomposedTextIsNormalisedToNFC() throws {
    let t = try read("form_id,note\n1,\"Tô\u{0301}t\"\n")
    #expect(Array(t.texts["note"]![0]!.unicodeScalars) == Array("Tốt".unicodeScalars))
}

@Test func aCodeOutsideTheScaleNamesFileRowColumnValueAndTheAllowedCodes() {
    let found = problems("form_id,q1,q2\n1,5,4\n2,6,4\n3,4,x\n")
    #expect(found.count == 2)
    #expect(found[0].description == "phieu.csv, row 3, column 2 (q1): '6': a code of item q1: 1 Rất không hài lòng, 2 Không hài lòng, 3 Bình thường, 4 Hài lòng, 5 Rất hài lòng, 9 Không biết, or blank")
    #expect(found[1].row == 4 && found[1].column == "3 (q2)" && found[1].value == "x")
}

@Test func unknownColumnAndMissingFormIDAreRefused() {
    let found = problems("q1,q99\n5,1\n")
    #expect(found.contains { $0.column == "2 (q99)" && $0.message.contains("item id of questionnaire mini") })
    #expect(found.contains { $0.message.contains("'form_id' column") })
}

@Test func invalidUTF8IsRefusedWithAdvice() {
    // "Tốt" in a legacy single-byte encoding: 0xF4 is not valid UTF-8 here.
    let bytes = Array("form_id,note\n1,T".utf8) + [0xF4, 0x74] + [10]
    let found = problems("", bytes: bytes)
    #expect(found.count == 1 && found[0].row == 2 && found[0].message.contains("not valid UTF-8"))
}

@Test func emptyFileRaggedRowsAndBadDatesAreReported() {
    #expect(problems("").first?.message.contains("empty") == true)
    let ragged = problems("form_id,q1\n1\n2,4,5\n")
    #expect(ragged.map(\.row) == [2, 3])
    let date = problems("form_id,collected_on\n1,2026-02-30\n")
    #expect(date.first?.message.contains("YYYY-MM-DD") == true)
    let picks = problems("form_id,ch\n1,1|2|3\n")
    #expect(picks.first?.message.contains("at most 2") == true)
    #expect(problems("\u{FEFF}form_id,q1\n\n1,4\n\n").isEmpty)
}

@Test func utf16IsRefusedWithAdvice() {
    let found = problems("", bytes: [0xFF, 0xFE, 0x66, 0x00])
    #expect(found.first?.message.contains("UTF-16") == true)
}

@Test func writerAndReaderRoundTripGeneratedData() throws {
    let q = mini()
    let generated = SyntheticResponses(count: 300, units: 3, seed: 42).generate(q)
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("roundtrip-\(UUID()).csv")
    defer { try? FileManager.default.removeItem(at: url) }
    try CanonicalCSVWriter().write(generated, to: url)
    let back = try CanonicalCSVReader(questionnaire: q).read(contentsOf: url)
    #expect(back.count == 300)
    #expect(back.codes == generated.codes)
    #expect(back.picks == generated.picks)
    #expect(back.texts == generated.texts)
    #expect(back.formID == generated.formID)
    #expect(back.collectedOn == generated.collectedOn)
    #expect((0..<300).allSatisfy { back.unit[$0] == generated.unit[$0] && back.field[$0] == generated.field[$0] })
}

@Test func writerNeutralisesFormulasInTextCells() throws {
    var t = ResponseTable(questionnaire: mini())
    t.append(.init(formID: "1"), texts: ["note": "=HYPERLINK(\"x\")"])
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("formula-\(UUID()).csv")
    defer { try? FileManager.default.removeItem(at: url) }
    try CanonicalCSVWriter().write(t, to: url)
    let text = try String(contentsOf: url, encoding: .utf8)
    #expect(text.contains("\"'=HYPERLINK(\"\"x\"\")\""))
}

@Test func generatorIsDeterministicAndRealistic() {
    let q = mini()
    let a = SyntheticResponses(count: 2000, units: 4, satisfaction: 0.8, missing: 0.05, seed: 7).generate(q)
    let b = SyntheticResponses(count: 2000, units: 4, satisfaction: 0.8, missing: 0.05, seed: 7).generate(q)
    let c = SyntheticResponses(count: 2000, units: 4, satisfaction: 0.8, missing: 0.05, seed: 8).generate(q)
    #expect(a.codes == b.codes && a.formID == b.formID)
    #expect(a.codes != c.codes)
    let q1 = a.codes["q1"]!
    let blank = Double(q1.filter { $0 == 0 || $0 == 9 }.count) / 2000
    #expect(blank > 0.03 && blank < 0.07)
    let valid = q1.filter { (1...5).contains($0) }
    let satisfied = Double(valid.filter { $0 >= 4 }.count) / Double(valid.count)
    #expect(satisfied > 0.6 && satisfied < 0.9)
    #expect(Set(a.unit.levels) == ["XA01", "XA02", "XA03", "XA04"])
}

@Test func twoCoreParsingGivesTheSameTableAndTrueRowNumbers() throws {
    let q = mini()
    var text = "form_id,unit,q1,note,ch\n"
    for i in 1...400 {
        // Quoted notes with line breaks, so the split point must avoid the inside of a quote.
        let note = i % 7 == 0 ? "\"Dòng 1\nDòng \"\"2\"\"\"" : ""
        text += "F\(i),XA0\(i % 3),\(i % 5 + 1),\(note),\(i % 2 == 0 ? "1|3" : "")\n"
    }
    var serial = CanonicalCSVReader(questionnaire: q)
    serial.parallelThreshold = .max
    var parallel = CanonicalCSVReader(questionnaire: q)
    parallel.parallelThreshold = 0
    let a = try serial.read(data: Data(text.utf8), file: "a.csv")
    let b = try parallel.read(data: Data(text.utf8), file: "a.csv")
    #expect(a.count == 400 && b.count == 400)
    #expect(a.formID == b.formID && a.codes == b.codes && a.picks == b.picks && a.texts == b.texts)
    #expect(b.texts["note"]?[6] == "Dòng 1\nDòng \"2\"")
    // A bad code in the second half is reported at its true row (header = row 1).
    let bad = text.replacingOccurrences(of: "F350,XA02,1,", with: "F350,XA02,7,")
    #expect(bad != text)
    do {
        _ = try serial.read(data: Data(bad.utf8), file: "a.csv")
        Issue.record("serial: the bad code was not reported")
    } catch {
        #expect(error.list.map(\.row) == [351])
    }
    do {
        _ = try parallel.read(data: Data(bad.utf8), file: "a.csv")
        Issue.record("the bad code was not reported")
    } catch {
        #expect(error.list.map(\.row) == [351])
    }
}

@Test func twoCoreParsingOfSmallFilesNeverLosesAHalf() throws {
    // Found by fuzzing: the two halves wrote their results into one shared array at once, so one
    // result could be lost and the read trapped. Small halves finish together, which is when it showed.
    var parallel = CanonicalCSVReader(questionnaire: mini())
    parallel.parallelThreshold = 0
    let text = "form_id,q1\n1,5\n2,4\n3,3\n4,2\n"
    for _ in 0..<500 {
        let t = try parallel.read(data: Data(text.utf8), file: "a.csv")
        #expect(t.count == 4)
    }
}

@Test func repeatedMetadataValuesAreCheckedEveryTimeAndNormalisedOnce() throws {
    // Unit, date, channel and field values are remembered by their bytes after the first row:
    // a bad value must still be reported on every row, a decomposed one normalised on every row.
    let bad = problems("form_id,collected_on,unit\n1,2026-02-30,XA01\n2,2026-02-30,XA01\n3,2026-03-01,XA01\n4,2026-02-30,XA01\n")
    #expect(bad.map(\.row) == [2, 3, 5])
    let text = "form_id,unit,channel,field,collected_on\n1,Xa\u{0303} A,truc-tiep,dat-dai,2026-03-01\n2,Xa\u{0303} A,truc-tiep,ho-tich,2026-03-01\n3, Xã A ,,dat-dai,\n"
    let t = try read(text)
    #expect((0..<3).map { t.unit[$0] } == ["Xã A", "Xã A", "Xã A"])
    #expect(t.unit.levels == ["Xã A"])
    #expect((0..<3).map { t.channel[$0] } == ["truc-tiep", "truc-tiep", nil])
    #expect(t.field.levels == ["dat-dai", "ho-tich"] && t.field.codes == [1, 2, 1])
    #expect(t.collectedOn == ["2026-03-01", "2026-03-01", nil])
}

@Test func multiChoiceCellsTakeEverySeparatorAndRefuseSeparatorsAlone() throws {
    let t = try read("form_id,ch\n1,1|3\n2,\"1; 3\"\n3,3\n4,\n5, \n")
    #expect(t.picks["ch"] == [0b1010, 0b1010, 0b1000, 0, 0])
    let found = problems("form_id,ch\n1,|\n2,1|0\n3,1+3\n")
    #expect(found.map(\.row) == [2, 3, 4])
}

@Test func samplesOfTheSamePopulationDifferOnlyBySatisfactionAndSampling() {
    // With a population seed, two years share the commune's level and the items' offsets: the
    // same satisfaction gives shares within sampling error (sd ≈ 0.004 at n = 20,000), a higher
    // one gives a higher share.
    let q = mini()
    func share(_ satisfaction: Double, seed: UInt64) -> Double {
        let t = SyntheticResponses(count: 20_000, units: 1, satisfaction: satisfaction, missing: 0, seed: seed, populationSeed: 42).generate(q)
        let valid = t.codes["q1"]!.filter { (1...5).contains($0) }
        return Double(valid.filter { $0 >= 4 }.count) / Double(valid.count)
    }
    let a = share(0.88, seed: 1), b = share(0.88, seed: 2), c = share(0.93, seed: 3)
    #expect(abs(a - b) < 0.02, "\(a) vs \(b)")
    #expect(c > max(a, b) + 0.02, "\(c) vs \(a), \(b)")
}

@Test func metadataLongerThan255BytesIsRefusedInEveryColumn() {
    let long = String(repeating: "X", count: 300)
    for column in ["unit", "channel", "field", "collected_on"] {
        let found = problems("form_id,\(column)\n1,\(long)\n")
        #expect(found.count == 1 && found.first?.message == "at most 255 characters", "\(column): \(found)")
    }
}

/// A last line without a line end still has its empty last fields (RFC 4180: "a,b," is three
/// fields); too many fields there are still refused.
@Test func aLastLineWithoutLineEndKeepsItsEmptyLastFields() throws {
    for ending in ["", "\n", "\r\n"] {
        let t = try read("form_id,unit,q1,q3,note\n1,XA01,5,2,ok\n2,XA01,4,," + ending)
        #expect(t.count == 2, "ending \(ending.debugDescription)")
        #expect(t.codes["q1"] == [5, 4])
        #expect(t.codes["q3"] == [2, 0])
        #expect(t.texts["note"] == ["ok", nil])
    }
    #expect(problems("form_id,unit,q1,q3,note\n1,XA01,5,2,ok,").map(\.row) == [2])
    #expect(problems("form_id,unit,q1,q3,note\n1,XA01,5,2,").isEmpty)
}

@Test func aControlCharacterInAnIdOrCodeIsRefusedWhereItIsRead() {
    // NUL in a form id, a tab in a unit, a line break (quoted) in a field: each named; text answers may hold line breaks.
    let found = problems("form_id,unit,field,q1,note\n\"A\u{0}1\",XA01,,3,\n2,\"XA\t02\",,3,\n3,XA01,\"dat\ndai\",3,\"dòng\nhai\"\n")
    #expect(found.map(\.row) == [2, 3, 4])
    #expect(found.map(\.column) == ["1 (form_id)", "2 (unit)", "3 (field)"])
    #expect(found.map(\.value) == [#"A\u{0}1"#, #"XA\u{9}02"#, #"dat\u{a}dai"#])
    #expect(found.allSatisfy { $0.message == CodeText.expected })
}
