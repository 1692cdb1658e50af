import Foundation
import SIPASAnalysis
import SIPASCSV
import SIPASModel
import SIPASReport
import SIPASStore
import SIPASStoring
import SIPASSynthetic
import SIPASWorkflows
import Testing

/// The catalogue names the codes the generators, kiosk and examples use; a store's name wins over
/// it, a profile's over both, and a code nobody named is shown as it is.
@Test func labelsOverrideInOrderCatalogueStoreProfile() throws {
    #expect(Labels.catalogue.name(of: "dat-dai", in: .field) == "Đất đai")
    #expect(Labels.catalogue.name(of: "lao-dong", in: .field) == "Lao động – Thương binh và Xã hội")
    #expect(Labels.catalogue.name(of: "buu-chinh", in: .channel) == "Bưu chính công ích")
    #expect(Labels.catalogue.name(of: "mot-cua", in: .field) == "mot-cua")
    // Every code sipas itself writes has a name.
    for f in SyntheticResponses.fields { #expect(Labels.catalogue.label(of: f, in: .field) != nil, "field \(f)") }
    for c in SyntheticResponses.channels { #expect(Labels.catalogue.label(of: c, in: .channel) != nil, "channel \(c)") }

    let (store, folder) = try temporaryStore()
    defer { try? FileManager.default.removeItem(at: folder) }
    try SetLabel(kind: .field, code: "dat-dai", name: "  Đất đai và môi trường ").run(store: store)
    try SetLabel(kind: .field, code: "mot-cua", name: "Một cửa liên thông").run(store: store)
    try store.register(UnitRecord(code: "XA01", name: "Xã Định Hóa"))
    let profile = Labels(fields: ["mot-cua": "Liên thông"], channels: ["truc-tuyen": "Dịch vụ công trực tuyến"])
    let shown = try store.effectiveLabels(over: profile)
    #expect(shown.name(of: "dat-dai", in: .field) == "Đất đai và môi trường")
    #expect(shown.name(of: "mot-cua", in: .field) == "Liên thông")
    #expect(shown.name(of: "truc-tuyen", in: .channel) == "Dịch vụ công trực tuyến")
    #expect(shown.name(of: "truc-tiep", in: .channel) == "Trực tiếp")
    #expect(shown.name(of: "XA01", in: .unit) == "Xã Định Hóa")
    let rows = try ListLabels().run(store: store)
    #expect(rows.first { $0.code == "dat-dai" } == ListLabels.Row(kind: .field, code: "dat-dai", name: "Đất đai và môi trường", fromStore: true, replaces: "Đất đai"))
    #expect(rows.first { $0.code == "ho-tich" } == ListLabels.Row(kind: .field, code: "ho-tich", name: "Hộ tịch", fromStore: false, replaces: nil))
    #expect(rows.first { $0.code == "mot-cua" }?.replaces == nil)
    // Forgetting the store's name brings the catalogue's back; a blank name and a unit are refused.
    try SetLabel(kind: .field, code: "dat-dai", name: nil).run(store: store)
    #expect(try store.effectiveLabels().name(of: "dat-dai", in: .field) == "Đất đai")
    #expect(message { try SetLabel(kind: .field, code: "dat-dai", name: "   ").run(store: store) }.contains("is empty"))
    #expect(message { try SetLabel(kind: .unit, code: "XA01", name: "X").run(store: store) }.contains("sipas init"))
    #expect(message { try SetLabel(kind: .channel, code: " truc-tiep", name: "X").run(store: store) }.contains("not a code"))
}

/// A profile's `labels:` is read with its lines checked.
@Test func aProfilesLabelsAreReadAndBadOnesNamedWithTheirLine() throws {
    let good = try ReportProfile(yaml: exampleProfile + "\nlabels:\n  fields: {dat-dai: \"Đất đai – Môi trường\"}\n  channels:\n    truc-tuyen: \"Trực tuyến toàn trình\"\n", file: "p.yaml")
    #expect(good.labels == Labels(fields: ["dat-dai": "Đất đai – Môi trường"], channels: ["truc-tuyen": "Trực tuyến toàn trình"]))
    let lines = exampleProfile.split(separator: "\n", omittingEmptySubsequences: false).count
    do {
        _ = try ReportProfile(yaml: exampleProfile + "\nlabels:\n  fields: [dat-dai]\n  units: {XA01: X}\n", file: "p.yaml")
        Issue.record("a bad labels block was accepted")
    } catch {
        let text = error.description
        #expect(text.contains("p.yaml:\(lines + 2)"), "\(text)")
        #expect(text.contains("'fields' maps each code to its name"), "\(text)")
        #expect(text.contains("units"), "\(text)")
    }
}

/// Where a person looks in the commune's workbook — breakdowns, targets, counter, comments — a
/// field or channel shows its name (the profile's over the store's over the catalogue's), never
/// its code; the analysis JSON carries the name as each group's label. Read back with openpyxl.
@Test func theCommuneWorkbookShowsNamesNotCodes() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let q = try catalog.load("sipas-2023")
    let generated = SyntheticResponses(count: 300, units: 1, satisfaction: 0.9, seed: 41, year: 2026).generate(q)
    var table = ResponseTable(questionnaire: q)
    table.append(
        rows: generated.count, formID: generated.formID, unit: (0..<generated.count).map { _ in "XA01" }, collectedOn: generated.collectedOn,
        channel: (0..<generated.count).map { generated.channel[$0] }, field: (0..<generated.count).map { generated.field[$0] },
        codes: generated.codes, picks: generated.picks, texts: generated.texts)
    #expect(Set(table.field.levels).isSuperset(of: ["dat-dai", "xay-dung", "ho-tich"]))
    let csv = folder.appendingPathComponent("XA01.csv")
    try CanonicalCSVWriter().write(table, to: csv)
    let store = try ResponseStore(path: folder.appendingPathComponent("xa.sqlite").path, create: true)
    _ = try importer([csv.path], questionnaire: "sipas-2023").run(into: store)
    try store.setLabel(.field, code: "xay-dung", label: "Xây dựng cơ bản")
    let profilePath = try write(exampleProfile + "\nlabels:\n  channels: {truc-tuyen: \"Dịch vụ công trực tuyến\"}\n", "xa.yaml", in: folder)
    var build = BuildReport(profilePath: profilePath)
    build.catalog = catalog
    let built = try build.run(store: store)
    let fieldGroups = built.report.analysis.groups.filter { $0.by == "field" }
    #expect(fieldGroups.first { $0.value == "dat-dai" }?.label == "Đất đai")
    #expect(fieldGroups.first { $0.value == "xay-dung" }?.label == "Xây dựng cơ bản")
    #expect(built.report.analysis.groups.first { $0.by == "channel" && $0.value == "truc-tuyen" }?.label == "Dịch vụ công trực tuyến")
    #expect(built.report.targets.map(\.scope) == [
        "Tất cả phiếu", "Tất cả phiếu", "Kênh Dịch vụ công trực tuyến", "Lĩnh vực Đất đai, Xây dựng cơ bản, Đầu tư",
    ])
    let path = folder.appendingPathComponent("bao-cao.xlsx").path
    try built.write(to: path)
    let out = folder.appendingPathComponent("cells.txt").path
    try pythonEdit(
        """
        import sys, openpyxl
        wb = openpyxl.load_workbook(sys.argv[1])
        with open(sys.argv[2], "w", encoding="utf-8") as f:
            for name in ["Tổng hợp", "Phân tổ", "Ưu tiên", "Góp ý"]:
                for row in wb[name].iter_rows(values_only=True):
                    for v in row:
                        if isinstance(v, str): f.write(name + "\\t" + v.replace("\\n", " ") + "\\n")
        """, [path, out])
    let cells = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map { $0.split(separator: "\t", maxSplits: 1).map(String.init) }
    let groups = Set(cells.filter { $0[0] == "Phân tổ" }.map { $0[1] })
    #expect(groups.isSuperset(of: ["Đất đai", "Xây dựng cơ bản", "Hộ tịch", "Dịch vụ công trực tuyến", "Trực tiếp", "Bưu chính công ích"]))
    #expect(cells.contains { $0[0] == "Tổng hợp" && $0[1].contains("(Lĩnh vực Đất đai, Xây dựng cơ bản, Đầu tư)") })
    let codes = Set(SyntheticResponses.fields + SyntheticResponses.channels)
    #expect(!cells.isEmpty)
    try matrixMatchesTheAnalysis(path, built, folder)
    let leaked = cells.filter { cell in codes.contains { code in cell[1] == code || cell[1].contains(" \(code)") || cell[1].hasPrefix("\(code) ") } }
    #expect(leaked.isEmpty, "codes shown to a person: \(leaked)")
}

/// *Ma trận phân tổ*, read with openpyxl: a row per group (the whole unit first), a column per
/// index (the headline first); each value equals the group's estimate and its fill is the verdict
/// of the group's interval on the profile's target for that index (none without a target).
func matrixMatchesTheAnalysis(_ path: String, _ built: BuiltReport, _ folder: URL) throws {
    let out = folder.appendingPathComponent("matrix.txt").path
    try pythonEdit(
        """
        import sys, openpyxl
        ws = openpyxl.load_workbook(sys.argv[1])["Ma trận phân tổ"]
        with open(sys.argv[2], "w", encoding="utf-8") as f:
            header = [c.value for c in ws[3]]
            f.write("\\t".join(str(v) for v in header[3:]) + "\\n")
            for row in ws.iter_rows(min_row=5):
                if not isinstance(row[2].value, (int, float)): continue
                cells = [(c.value, c.fill.fgColor.rgb if c.fill.fill_type else "none") for c in row[3:len(header)]]
                f.write(row[1].value + "\\t" + "\\t".join(f"{v}|{rgb}" for v, rgb in cells) + "\\n")
        """, [path, out])
    let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    let a = built.report.analysis
    let titles = lines[0]
    #expect(titles.first == a.indices.first { $0.id == a.overall }?.title)
    #expect(Set(titles) == Set(a.indices.map(\.title)))
    let targets = Dictionary(built.profile.targets.filter { $0.fields.isEmpty && $0.channels.isEmpty }.map { ($0.index, $0.minimum) }, uniquingKeysWith: { x, _ in x })
    #expect(targets.keys.sorted() == ["services", "sipas"])
    let expected: [(String, [IndexEstimate])] = [(built.profile.unit.name, a.indices)] + a.groups.map { g in
        let name = Labels.kind(ofGrouping: g.by) == nil ? "\(g.value) \(g.label ?? "")" : (g.label ?? g.value)
        return (name + (g.analysis.n < 30 ? " *" : ""), g.analysis.indices)
    }
    #expect(lines.count - 1 == expected.count)
    var coloured = 0
    for (line, (name, estimates)) in zip(lines.dropFirst(), expected) {
        #expect(line[0] == name)
        for (title, cell) in zip(titles, line.dropFirst()) {
            let e = estimates.first { $0.title == title }!
            let parts = cell.split(separator: "|").map(String.init)
            #expect(abs(Double(parts[0])! - e.value!) < 1e-12, "\(name) \(title)")
            let fill: String
            if let t = targets[e.id] {
                // Đạt: the whole interval at or above the target; Chưa đạt: the whole interval below.
                fill = e.lower! >= t ? "FFC6EFCE" : e.upper! < t ? "FFFFC7CE" : "FFFFEB9C"
                coloured += 1
            } else {
                fill = "none"
            }
            #expect(parts[1] == fill, "\(name) \(title): \(parts[1])")
        }
    }
    #expect(coloured == 2 * expected.count)
}

/// `sipas analyze` on a store names its groups with the store's names over the catalogue's.
@Test func analyzingAStoreNamesGroupsWithTheStoresLabels() throws {
    let (store, folder) = try temporaryStore()
    defer { try? FileManager.default.removeItem(at: folder) }
    let csv = try write("""
        form_id,unit,collected_on,channel,field,overall,staff,time,result
        K1,XA01,2026-05-01,truc-tiep,dat-dai,3,,,
        K2,XA01,2026-05-02,truc-tuyen,dat-dai,1,,,
        K3,XA01,2026-05-03,truc-tiep,mot-cua,2,,,
        """, "k.csv", in: folder)
    _ = try importer([csv], questionnaire: "counter-quick").run(into: store)
    let listed = try ListLabels().run(store: store).filter(\.inUse).map { "\($0.kind.rawValue) \($0.code) \($0.name)" }
    #expect(listed == ["field dat-dai Đất đai", "field mot-cua mot-cua", "channel truc-tiep Trực tiếp", "channel truc-tuyen Trực tuyến"])
    try store.setLabel(.field, code: "mot-cua", label: "Một cửa liên thông")
    var use = AnalyzeResponses(source: .store(store, questionnaire: nil, filter: ResponseFilter()), options: AnalysisOptions(), groups: ["field", "channel"])
    use.catalog = catalog
    let groups = try use.run().analysis.groups.map { "\($0.by) \($0.value) \($0.label ?? "-")" }
    #expect(groups == ["field dat-dai Đất đai", "field mot-cua Một cửa liên thông", "channel truc-tiep Trực tiếp", "channel truc-tuyen Trực tuyến"])
}
