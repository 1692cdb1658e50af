import ArgumentParser
import Foundation
import SIPASModel
import SIPASStore
import SIPASStoring
import SIPASWorkflows

/// `--store PATH`, shared by the commands that use the store.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .customLong("store"),
        help: ArgumentHelp(
            "The sipas store: an SQLite file, or a PostgreSQL server as postgres://USER@HOST:PORT/DB. Default: $SIPAS_STORE, else ./sipas.sqlite.",
            discussion: "PostgreSQL's password comes from PGPASSWORD or ~/.pgpass (never put it in the address); ?sslmode=disable|prefer|require|verify-full."))
    var path: String?

    init() {}
    init(path: String?) { self.path = path }

    var resolvedPath: String {
        path ?? ProcessInfo.processInfo.environment["SIPAS_STORE"].flatMap { $0.isEmpty ? nil : $0 } ?? ResponseStore.defaultPath
    }

    /// The store the person chose: the embedded SQLite file, or a PostgreSQL server (with
    /// `readConnections` more connections for reads beside the one for writes).
    func open(create: Bool = false, readConnections: Int = 0) throws -> any SurveyStore {
        let location = resolvedPath
        if PostgresAddress.isPostgres(location) { return try PostgresStore(url: location, create: create, readConnections: readConnections) }
        return try ResponseStore(path: location, create: create)
    }
}

/// Filters over stored responses, shared by analyze, export and report.
struct StoreFilterOptions: ParsableArguments {
    @Option(help: "First collection date to include (YYYY-MM-DD).")
    var from: String?

    @Option(help: "Last collection date to include (YYYY-MM-DD).")
    var to: String?

    @Option(help: "Only this unit (repeatable).")
    var unit: [String] = []

    @Option(help: "Only this source: paper, kiosk, web or import (repeatable).")
    var source: [ResponseSource] = []

    func validate() throws {
        for (name, value) in [("--from", from), ("--to", to)] {
            if let value, !ISODate.isValid(value) {
                throw ValidationError("\(name) takes a date as YYYY-MM-DD, e.g. 2026-03-31; found '\(value)'")
            }
        }
    }

    var filter: ResponseFilter { ResponseFilter(from: from, to: to, units: unit, sources: source) }
}

extension ResponseSource: ExpressibleByArgument {}

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a store (kho dữ liệu) and record the commune, ward or district.",
        discussion: """
            Example: sipas init --unit XA01 --name "Xã Định Hóa" --level xã --province "Thái Nguyên"
            Running it again on an existing store updates the unit's details and keeps every response.
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: "Unit code (mã đơn vị), e.g. XA01.")
    var unit: String

    @Option(help: "Unit name, e.g. \"Xã Định Hóa\".")
    var name: String

    @Option(help: "Level: xã, phường, thị trấn, huyện, …")
    var level: String?

    @Option(help: "Parent unit code (e.g. the district).")
    var parent: String?

    @Option(help: "Province (tỉnh/thành phố).")
    var province: String?

    func run() throws {
        let s = try store.open(create: true)
        if let parent, parent != unit { try s.register(UnitRecord(code: parent)) }
        try s.register(UnitRecord(code: unit, name: name.precomposedForm, level: level?.precomposedForm, parent: parent, province: province?.precomposedForm))
        emit("Store \(s.location) ready: unit \(unit) — \(name.precomposedForm).")
    }
}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write stored responses in the canonical layout (CSV with BOM, or an .xlsx workbook).",
        discussion: """
            The output imports back unchanged (sipas import). Text cells that begin with = + - @ are \
            neutralised so a spreadsheet will not run them.

            Example: sipas export --questionnaire sipas-2023 --from 2026-01-01 --to 2026-03-31 --out quy1.csv
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var filters: StoreFilterOptions

    @Option(help: "Questionnaire id; optional when the store holds only one.")
    var questionnaire: String?

    @Option(help: "Output file: .csv or .xlsx.")
    var out: String

    func run() throws {
        let result = try ExportResponses(questionnaire: questionnaire, filter: filters.filter).run(store: try store.open(), out: out)
        emitError("Wrote \(result.responses) responses of \(result.questionnaireID) \(result.version) to \(out).")
    }
}
