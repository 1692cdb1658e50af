import ArgumentParser
import SIPASModel
import SIPASWorkflows

extension Labels.Kind: ExpressibleByArgument {}

/// `sipas labels`: the names shown for field (lĩnh vực) and channel (kênh) codes.
struct LabelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "labels",
        abstract: "Show or set the names of field (lĩnh vực) and channel (kênh) codes.",
        discussion: """
            Forms store short codes (dat-dai, truc-tuyen); workbooks, kiosk screens and tables show
            their names (Đất đai, Trực tuyến). sipas ships a catalogue of the usual ones; a store
            can rename a code or name a new one, and a report profile's 'labels:' overrides both.

            Examples:
              sipas labels list
              sipas labels set field mot-cua "Một cửa liên thông"
              sipas labels unset field mot-cua
            """,
        subcommands: [List.self, SetName.self, UnsetName.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every code and the name shown for it (the store's over the catalogue's).")

        @OptionGroup var store: StoreOptions

        @Flag(help: "The catalogue only, without opening a store.")
        var catalogue = false

        func run() throws {
            let rows = try ListLabels().run(store: catalogue ? nil : store.open())
            var table: [[String]] = [["Kind", "Code", "Name", "From", "In use"]]
            for r in rows {
                let from = r.fromStore
                    ? "store" + (r.replaces.map { " (catalogue: \($0))" } ?? "")
                    : Labels.catalogue.label(of: r.code, in: r.kind) == nil ? "no name: shown as the code (sipas labels set)" : "catalogue"
                table.append([r.kind.title, r.code, r.name, from, r.inUse ? "yes" : ""])
            }
            emit(AnalysisText.table(table, rightAligned: []).joined(separator: "\n"))
        }
    }

    struct SetName: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Name a code in this store (shown instead of the code from now on).")

        @OptionGroup var store: StoreOptions

        @Argument(help: "field or channel.")
        var kind: Labels.Kind

        @Argument(help: "The code as stored with the forms, e.g. dat-dai.")
        var code: String

        @Argument(help: "The name to show, e.g. \"Đất đai\".")
        var name: String

        func run() throws {
            try SetLabel(kind: kind, code: code, name: name).run(store: store.open())
            emit("\(kind.title) \(code): \(name.precomposedForm)")
        }
    }

    struct UnsetName: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "unset", abstract: "Forget this store's name of a code (the catalogue's shows again).")

        @OptionGroup var store: StoreOptions

        @Argument(help: "field or channel.")
        var kind: Labels.Kind

        @Argument(help: "The code.")
        var code: String

        func run() throws {
            try SetLabel(kind: kind, code: code, name: nil).run(store: store.open())
            emit("\(kind.title) \(code): the store's name forgotten; shown as \(Labels.catalogue.name(of: code, in: kind))")
        }
    }
}
