import Foundation
import SIPASFormLayout
import SIPASFormPDF
import SIPASModel
import SIPASWorkflows
import Testing
import TestSupport

/// A grey image read from a binary PGM (what `pdftoppm -gray` writes).
struct Grey {
    var width: Int
    var height: Int
    var pixels: [UInt8]

    init(pgm url: URL) throws {
        let data = try [UInt8](Data(contentsOf: url))
        // "P5", width, height, maxval, one whitespace byte, then the pixels.
        var fields: [Int] = [], index = 2, current = ""
        while fields.count < 3 {
            let byte = data[index]
            index += 1
            if byte >= 48 && byte <= 57 {
                current.append(Character(UnicodeScalar(byte)))
            } else if !current.isEmpty {
                fields.append(Int(current)!)
                current = ""
            }
        }
        width = fields[0]
        height = fields[1]
        pixels = Array(data[index..<(index + width * height)])
    }

    func at(_ x: Int, _ y: Int) -> UInt8 { pixels[y * width + x] }
    /// The darkest pixel within `radius` pixels of (`x`, `y`).
    func darkest(_ x: Int, _ y: Int, radius: Int) -> UInt8 {
        var value: UInt8 = 255
        for dy in -radius...radius { for dx in -radius...radius { value = min(value, at(x + dx, y + dy)) } }
        return value
    }
}

struct PrintedForms {
    let folder: URL
    let pdf: URL
    let questionnaire: Questionnaire
    let layout: FormLayout
    let sheets: [PrintedSheet]

    init(count: Int) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("sipas-print-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        pdf = folder.appendingPathComponent("phieu.pdf")
        let job = PrintForms(questionnaire: "sipas-2023", unit: "XA01", year: 2026, count: count, first: 41, out: pdf.path)
        let result = try job.run(catalog: QuestionnaireCatalog(directories: [QuestionnaireCatalog.sourceTreeDirectory]))
        questionnaire = result.questionnaire
        layout = result.layout
        sheets = result.sheets
    }

    /// Page `page` (1-based, of the whole PDF) rendered by poppler at `dpi`.
    func render(page: Int, dpi: Int, format: String) throws -> URL {
        let base = folder.appendingPathComponent("page-\(page)-\(dpi)")
        _ = try tool("pdftoppm", [format == "pgm" ? "-gray" : "-png", "-r", String(dpi), "-f", String(page), "-l", String(page), "-singlefile", pdf.path, base.path])
        return base.appendingPathExtension(format)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}

@Test func bubblesAndCornerSquaresArePrintedWhereTheLayoutSays() throws {
    let printed = try PrintedForms(count: 2)
    defer { printed.remove() }
    let info = try tool("pdfinfo", [printed.pdf.path])
    let pages = info.split(separator: "\n").first { $0.hasPrefix("Pages:") }.map { $0.dropFirst(6).trimmingCharacters(in: .whitespaces) }
    #expect(pages == String(2 * printed.layout.pages.count), "\(info)")
    #expect(info.contains("A4"))
    let dpi = 150.0
    func px(_ mm: Double) -> Int { Int((mm * dpi / 25.4).rounded(.down)) }
    // Every page of the first sheet and the first page of the second.
    let rendered = Array(1...printed.layout.pages.count) + [printed.layout.pages.count + 1]
    for pdfPage in rendered {
        let page = printed.layout.pages[(pdfPage - 1) % printed.layout.pages.count]
        let image = try Grey(pgm: printed.render(page: pdfPage, dpi: Int(dpi), format: "pgm"))
        #expect(image.width == px(210) || image.width == px(210) + 1)
        for mark in page.marks {
            // The outline: dark all round at radius r; the inside: white.
            for k in 0..<12 {
                let angle = Double(k) * Double.pi / 6
                let value = image.darkest(px(mark.x + mark.r * cos(angle)), px(mark.y + mark.r * sin(angle)), radius: 1)
                #expect(value < 150, "page \(pdfPage), \(mark.item) \(mark.code): outline at \(k * 30)° is \(value)")
            }
            for dy in -2...2 {
                for dx in -2...2 {
                    let value = image.at(px(mark.x + Double(dx) * mark.r / 4), px(mark.y + Double(dy) * mark.r / 4))
                    #expect(value > 200, "page \(pdfPage), \(mark.item) \(mark.code): inside is \(value)")
                }
            }
        }
        for square in page.fiducials {
            let h = square.size / 2
            for (dx, dy) in [(0.0, 0.0), (-h + 0.4, -h + 0.4), (h - 0.4, h - 0.4), (-h + 0.4, h - 0.4), (h - 0.4, -h + 0.4)] {
                #expect(image.at(px(square.x + dx), px(square.y + dy)) < 60, "page \(pdfPage): fiducial \(square) at \(dx), \(dy)")
            }
            for (dx, dy) in [(-h - 1, 0.0), (h + 1, 0.0), (0.0, -h - 1), (0.0, h + 1)] {
                #expect(image.at(px(square.x + dx), px(square.y + dy)) > 200, "page \(pdfPage): outside fiducial \(square) at \(dx), \(dy)")
            }
        }
        for field in page.textFields {
            // The box's edges are drawn; its inside is blank.
            #expect(image.darkest(px(field.x), px(field.y - field.h / 2), radius: 1) < 150)
            #expect(image.darkest(px(field.x - field.w / 2), px(field.y), radius: 1) < 150)
            #expect(image.at(px(field.x), px(field.y)) > 200)
        }
    }
}

@Test func everyPageCarriesItsSheetAndPageInAQRCode() throws {
    let printed = try PrintedForms(count: 2)
    defer { printed.remove() }
    let perSheet = printed.layout.pages.count
    for (s, sheet) in printed.sheets.enumerated() {
        for page in 1...perSheet {
            let png = try printed.render(page: s * perSheet + page, dpi: 150, format: "png")
            // zbar (an independent decoder) reads what libqrencode drew.
            let decoded = try tool("zbarimg", ["--raw", "-q", png.path]).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(decoded == printed.layout.qrPayload(serial: sheet.serial, page: page))
            #expect(decoded.hasPrefix("SIPAS1|sipas-2023|\(printed.questionnaire.version)|\(printed.layout.contentHash.prefix(16))|XA01-2026-00\(41 + s)|\(page)/\(perSheet)"))
        }
    }
}

@Test func theWordingIsPrintedInVietnameseAsText() throws {
    let printed = try PrintedForms(count: 2)
    defer { printed.remove() }
    // pdftotext gives back the Unicode text: the Vietnamese is shaped from real characters, not
    // drawn as shapes, and nothing of the questionnaire's wording is missing.
    func squeeze(_ text: String) -> String { String(text.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) }.map(Character.init)) }
    let text = squeeze(try tool("pdftotext", ["-raw", "-f", "1", "-l", String(printed.layout.pages.count), printed.pdf.path, "-"]))
    #expect(text.contains(squeeze(printed.questionnaire.title)))
    #expect(text.contains(squeeze("Cách trả lời: tô kín ô tròn")))
    #expect(text.contains("XA01-2026-0041") && !text.contains("XA01-2026-0042"))
    for item in printed.questionnaire.items where item.type != .dossier {
        #expect(text.contains(squeeze(item.text)), "\(item.id): \(item.text)")
        for option in item.options { #expect(text.contains(squeeze(option.label)), "\(item.id): \(option.label)") }
    }
    let second = try tool("pdftotext", ["-f", String(printed.layout.pages.count + 1), "-l", String(printed.layout.pages.count + 1), printed.pdf.path, "-"])
    #expect(second.contains("XA01-2026-0042"))
}
