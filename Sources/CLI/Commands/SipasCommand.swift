import ArgumentParser
import Foundation
import SIPASModel
import SIPASStoring
import SIPASWorkflows

/// The `sipas` command line.
public struct SipasCommand: ParsableCommand {
    public static let version = SIPASVersion.current

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
            QuestionnaireCommand.self, InitCommand.self, TemplateCommand.self, FormCommand.self, ScanCommand.self, ImportCommand.self, AnalyzeCommand.self, ExportCommand.self,
            KioskCommand.self, ServeCommand.self, TokenCommand.self, ReportCommand.self, LabelsCommand.self, DemoCommand.self, PlanSampleCommand.self, GenerateCommand.self,
        ])

    public init() {}

    /// Runs the command line: parses, runs, and prints an error with what to do about it, in the
    /// command line's own words (a library error names no flags; its ``Remedy`` is phrased here).
    public static func runMain() {
        do {
            var command = try parseAsRoot()
            do {
                try command.run()
            } catch {
                exit(withError: Hinted.remedy(of: error) == nil ? error : Hinted(error))
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// An error with the command line's hint for its remedy.
struct Hinted: Error, CustomStringConvertible {
    var description: String

    init(_ error: any Error) {
        var text = "\(error)"
        if let hint = Self.remedy(of: error).map(Self.hint) { text += "\n" + hint }
        description = text
    }

    static func remedy(of error: any Error) -> Remedy? {
        switch error {
        case let e as UserError: e.remedy
        case let e as StoreError: e.remedy
        case let e as ImportFiles.Refused: e.remedy
        default: nil
        }
    }

    static func hint(_ remedy: Remedy) -> String {
        switch remedy {
        case .questionnaire: "Say which questionnaire with --questionnaire ID (see sipas questionnaire list)."
        case .unitCode: "Pass --unit CODE for rows that have none."
        case .createStore: "Create one with: sipas init --unit CODE --name \"Xã …\" (or pass --store PATH / set SIPAS_STORE)."
        case .makeTemplate: "Make a template with: sipas template --questionnaire ID --unit CODE --out phieu.xlsx"
        case .period: "Choose another --period."
        case .webKiosk: "For a touch screen use --web."
        case .replaceSubmission: "If the commune sent a corrected report for the same period, import it with --replace."
        }
    }
}

/// An error the user can act on; printed as is.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Writes to standard output in one piece (UTF-8).
func emit(_ text: String) {
    write(text.hasSuffix("\n") ? text : text + "\n", to: .standardOutput)
}

func emitError(_ text: String) {
    write(text.hasSuffix("\n") ? text : text + "\n", to: .standardError)
}

/// Writes to standard output or error. When the reader has gone (`sipas … | head`), the command
/// ends quietly with status 141, as a shell reports a pipe closed under a program, instead of
/// trapping (the process ignores SIGPIPE, so the write fails with EPIPE).
func write(_ text: String, to handle: FileHandle) {
    do {
        try handle.write(contentsOf: Data(text.utf8))
    } catch {
        if handle === FileHandle.standardOutput { exit(141) }
    }
}
