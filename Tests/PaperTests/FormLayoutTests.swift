import Foundation
import SIPASFormLayout
import SIPASFormPDF
import SIPASModel
import SIPASWorkflows
import Testing

func layout(_ id: String) throws -> (Questionnaire, FormLayout) {
    try FormLayoutQuery.run(questionnaire: id, catalog: QuestionnaireCatalog(directories: [QuestionnaireCatalog.sourceTreeDirectory]))
}

typealias E = FormLayoutEngine

/// Whether two axis-aligned boxes (centre, half sizes) overlap.
func overlaps(_ a: (x: Double, y: Double, hw: Double, hh: Double), _ b: (x: Double, y: Double, hw: Double, hh: Double)) -> Bool {
    abs(a.x - b.x) < a.hw + b.hw && abs(a.y - b.y) < a.hh + b.hh
}

@Test(arguments: ["sipas-2023", "sipas-2017", "counter-quick"])
func everyAnswerHasOneBubbleInsideThePrintableArea(id: String) throws {
    let (q, form) = try layout(id)
    #expect(form.questionnaireID == q.id && form.version == q.version && form.contentHash.count == 64)
    let marks = form.pages.flatMap(\.marks)
    for item in q.items {
        let codes = marks.filter { $0.item == item.id }.map(\.code)
        let fields = form.pages.flatMap(\.textFields).filter { $0.item == item.id }
        switch item.type {
        case .dossier:
            #expect(codes.isEmpty && fields.isEmpty, "\(item.id): a dossier code is not asked on paper")
        case .text:
            #expect(codes.isEmpty && fields.count == 1, "\(item.id)")
        default:
            #expect(codes.sorted() == item.validCodes.sorted(), "\(item.id): bubbles \(codes), codes \(item.validCodes)")
            #expect(fields.isEmpty)
        }
    }
    for page in form.pages {
        #expect(page.fiducials.count == 4)
        let fixed = page.fiducials.map { ($0.x, $0.y, $0.size / 2, $0.size / 2) } + [(page.qr.x, page.qr.y, page.qr.size / 2 + 1, page.qr.size / 2 + 1)]
        for mark in page.marks {
            #expect(mark.x - mark.r >= E.left && mark.x + mark.r <= E.right && mark.y - mark.r >= E.belowQR && mark.y + mark.r <= E.bottom, "\(mark)")
            for square in fixed { #expect(!overlaps((mark.x, mark.y, mark.r, mark.r), square), "\(mark) overlaps \(square)") }
        }
        // Bubbles at least 1 mm apart, so a mark in one never reaches the next.
        let sorted = page.marks.sorted { $0.y < $1.y }
        for (k, a) in sorted.enumerated() {
            for b in sorted[(k + 1)...] where b.y - a.y < 2 * a.r + 1 {
                let distance = ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot()
                #expect(distance >= a.r + b.r + 1, "\(a) and \(b) are \(distance) mm apart")
            }
        }
        for field in page.textFields {
            #expect(field.x - field.w / 2 >= E.left && field.x + field.w / 2 <= E.right && field.y + field.h / 2 <= E.bottom)
        }
    }
}

@Test func sipas2023FitsOnTwoSheetsPrintedOnBothSides() throws {
    let (_, form) = try layout("sipas-2023")
    #expect(form.pages.count <= 4)
    #expect(form.pages.count >= 2)
    // Fiducials at the corners, 10 mm in from each edge.
    #expect(form.pages[0].fiducials.map { [$0.x, $0.y] } == [[10, 10], [200, 10], [10, 287], [200, 287]])
}

@Test func layoutJSONHasTheDocumentedKeysAndEveryBubble() throws {
    let (q, form) = try layout("sipas-2023")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(try form.json().utf8)) as? [String: Any])
    #expect(Set(object.keys) == ["questionnaire", "version", "content_hash", "paper", "page", "pages", "fiducials", "qr", "marks", "text_fields"])
    #expect(object["paper"] as? String == "a4")
    #expect(object["questionnaire"] as? String == q.id)
    #expect(object["pages"] as? Int == form.pages.count)
    let page = try #require(object["page"] as? [String: Double])
    #expect(page == ["width_mm": 210, "height_mm": 297])
    let marks = try #require(object["marks"] as? [[String: Any]])
    #expect(marks.count == form.markCount)
    let first = try #require(marks.first)
    #expect(Set(first.keys) == ["item", "code", "page", "x_mm", "y_mm", "r_mm"])
    #expect((object["fiducials"] as? [Any])?.count == 4 * form.pages.count)
    #expect((object["qr"] as? [Any])?.count == form.pages.count)
    let fields = try #require(object["text_fields"] as? [[String: Any]])
    #expect(Set(fields.map { $0["item"] as? String ?? "" }) == Set(q.items.filter { $0.type == .text }.map(\.id)))
}

@Test func serialsAreUnitYearNumber() {
    #expect(PrintForms.serial(unit: "XA01", year: 2026, number: 1) == "XA01-2026-0001")
    #expect(PrintForms.serial(unit: "XA01", year: 2026, number: 12345) == "XA01-2026-12345")
}

@Test func badRequestsAreRefusedAndWriteNothing() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sipas-form-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let out = folder.appendingPathComponent("phieu.pdf").path
    let catalog = QuestionnaireCatalog(directories: [QuestionnaireCatalog.sourceTreeDirectory])
    func refusal(_ job: PrintForms) -> String {
        do {
            _ = try job.run(catalog: catalog)
            return "printed"
        } catch {
            return "\(error)"
        }
    }
    #expect(refusal(PrintForms(questionnaire: "sipas-2023", unit: "XA 01", year: 2026, count: 1, out: out)).contains("unit code \"XA 01\""))
    #expect(refusal(PrintForms(questionnaire: "sipas-2023", unit: "XA01", year: 2026, count: 0, out: out)).contains("count 0"))
    #expect(refusal(PrintForms(questionnaire: "sipas-2023", unit: "XA01", year: 1999, count: 1, out: out)).contains("year 1999"))
    #expect(refusal(PrintForms(questionnaire: "sipas-2023", unit: "XA01", year: 2026, count: 1, first: 0, out: out)).contains("first 0"))
    let missing = folder.appendingPathComponent("no/such/phieu.pdf").path
    #expect(refusal(PrintForms(questionnaire: "sipas-2023", unit: "XA01", year: 2026, count: 1, out: missing)).contains("does not exist"))
    #expect(refusal(PrintForms(questionnaire: "no-such-form", unit: "XA01", year: 2026, count: 1, out: out)).contains("no-such-form"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    // A folder that exists but where no file can be made, even by root: the PDF writer's refusal, naming the file.
    let message = refusal(PrintForms(questionnaire: "sipas-2023", unit: "XA01", year: 2026, count: 1, out: "/proc/sipas-phieu.pdf"))
    #expect(message.contains("/proc/sipas-phieu.pdf") && message.contains("cannot write"), "\(message)")
    #expect(!FileManager.default.fileExists(atPath: "/proc/sipas-phieu.pdf"))
}
