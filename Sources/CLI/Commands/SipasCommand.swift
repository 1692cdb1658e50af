import ArgumentParser
import Foundation

/// The `sipas` command line.
public struct SipasCommand: ParsableCommand {
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "sipas",
        abstract: "Đo lường sự hài lòng của người dân (SIPAS): questionnaires, scoring and honest statistics.",
        discussion: """
            sipas scores satisfaction surveys of administrative services by the method of the Ministry \
            of Home Affairs (SIPAS) and reports each index with a confidence interval.

            Start here:
              sipas questionnaire list
              sipas generate --questionnaire sipas-2023 --count 300 --units 3 --out mau.csv
              sipas analyze --questionnaire sipas-2023 --input mau.csv --target 0.95
              sipas plan-sample --expected 0.9 --margin 0.05 --population 1200
            """,
        version: version,
        subcommands: [
            QuestionnaireCommand.self, InitCommand.self, TemplateCommand.self, ImportCommand.self, AnalyzeCommand.self, ExportCommand.self,
            KioskCommand.self, ReportCommand.self, DemoCommand.self, PlanSampleCommand.self, GenerateCommand.self,
        ])

    public init() {}
}

/// An error the user can act on; printed as is.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Writes to standard output in one piece (UTF-8).
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}

func emitError(_ text: String) {
    FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}
