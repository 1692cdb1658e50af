import ArgumentParser
import Foundation
import SIPASWorkflows

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build a sample commune end to end: store, paper forms typed into templates, import, report.",
        discussion: """
            Creates DIR/sipas.sqlite for a sample commune (Xã Định Hóa, XA01), types 150 synthetic SIPAS \
            forms of 2025 and 200 of 2026 into data-entry templates, imports them through the real import \
            path, stores a year (2026) of counter ratings through the kiosk's storage path, and writes \
            DIR/bao-cao-2026.xlsx with the example profile. Same seed, same result.

            With --province: the ten communes of Reports/vi-du-tinh.yaml, each with its own store and \
            its report workbooks for 2025 and 2026 (one sends nothing for 2026), imported by the \
            province (DIR/tinh.sqlite) through the same checks as real submissions, and the province \
            workbook DIR/tong-hop-2026.xlsx: ranking with rank intervals, targets, missing units.
            """)

    @Option(help: "Folder for the demo (replaced if it holds an earlier demo).")
    var dir = "sipas-demo"

    @Option(help: "Seed of the synthetic forms.")
    var seed: UInt64 = 2026

    @Flag(help: "The province's side: ten communes' workbooks consolidated into the province workbook.")
    var province = false

    func run() throws {
        if province {
            _ = try ProvinceDemo(folder: URL(fileURLWithPath: dir), seed: seed).run { emit($0) }
            return
        }
        _ = try Demo(folder: URL(fileURLWithPath: dir), seed: seed).run { emit($0) }
    }
}
