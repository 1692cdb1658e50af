import ArgumentParser
import Dispatch
import Foundation
import SIPASCSV
import SIPASModel
import SIPASReport
import SIPASStore
import SIPASWorkflows

/// `sipas-bench-workbooks`: the communes' report workbooks a province consolidates, made in bulk
/// for the consolidation benchmark (scripts/bench/province.sh). Each commune gets its own store,
/// its synthetic forms imported through the import engine and its report written by the same
/// code as `sipas report`, as `sipas demo --province` does for ten — only for thousands, two at a time.
struct WorkbooksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sipas-bench-workbooks",
        abstract: "Make UNITS communes' report workbooks of FORMS forms each (for the consolidation benchmark).",
        discussion: """
            Writes OUT/nop/XA00001.xlsx … (units XA00001, XA00002, …, satisfaction between 75 % and 95 %, \
            forms dated in YEAR). Seeded: the same options give the same forms. The communes' stores are \
            made in OUT/work and removed once their workbook is written.
            """)

    @Option(help: "Number of communes.") var units = 100
    @Option(help: "Forms per commune.") var forms = 200
    @Option(help: "Year of the forms and of the report.") var year = 2026
    @Option(help: "Seed.") var seed: UInt64 = 2027
    @Option(help: "Folder for nop/ (the workbooks) and work/.") var out: String
    @Option(help: "Communes made at once.") var jobs = 2

    func run() throws {
        let root = URL(fileURLWithPath: out)
        let nop = root.appendingPathComponent("nop"), work = root.appendingPathComponent("work")
        for dir in [nop, work] { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) }
        let catalog = QuestionnaireCatalog()
        let (q, _) = try catalog.loadWithText("sipas-2023")
        let (units, forms, year, seed) = (units, forms, year, seed)
        nonisolated(unsafe) var failures: [String] = []
        let lock = NSLock()
        nonisolated(unsafe) var done = 0
        DispatchQueue.concurrentPerform(iterations: max(1, jobs)) { w in
            for k in stride(from: w, to: units, by: max(1, jobs)) {
                let code = String(format: "XA%05d", k + 1)
                let dir = work.appendingPathComponent(code)
                do {
                    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                    let satisfaction = 0.75 + 0.2 * Double((k * 7919) % 1000) / 1000
                    let table = ProvinceDemo.communeForms(
                        q, unit: code, count: forms, satisfaction: satisfaction, seed: seed &+ UInt64(k), year: year, populationSeed: seed)
                    let csv = dir.appendingPathComponent("phieu.csv")
                    try CanonicalCSVWriter().write(table, to: csv)
                    let store = try ResponseStore(path: dir.appendingPathComponent("sipas.sqlite").path, create: true)
                    var importer = ImportFiles(files: [csv.path], questionnaire: "sipas-2023", importedBy: "bench")
                    importer.catalog = catalog
                    _ = try importer.run(into: store)
                    let profile = dir.appendingPathComponent("ho-so.yaml")
                    try Data(try ProvinceDemo.communeProfile(code: code, name: "Xã \(code)").utf8).write(to: profile)
                    var build = BuildReport(profilePath: profile.path, period: ReportPeriod(parse: String(year)))
                    build.catalog = catalog
                    try build.run(store: store).write(to: nop.appendingPathComponent("\(code).xlsx").path)
                    try FileManager.default.removeItem(at: dir)
                } catch {
                    lock.withLock { failures.append("\(code): \(error)") }
                }
                lock.withLock {
                    done += 1
                    if done % 500 == 0 || done == units { try? FileHandle.standardError.write(contentsOf: Data("\(done)/\(units) workbooks\n".utf8)) }
                }
            }
        }
        if !failures.isEmpty { throw ValidationError(failures.prefix(5).joined(separator: "\n")) }
        print("\(units) workbooks of \(forms) forms in \(nop.path)")
    }
}

WorkbooksCommand.main()
