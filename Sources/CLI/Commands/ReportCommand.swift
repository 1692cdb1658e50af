import ArgumentParser
import Foundation
import SIPASReport
import SIPASWorkflows

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the Excel report for the province (báo cáo) from stored responses and a report profile.",
        discussion: """
            The profile (Reports/*.yaml) names the unit, the period, the questionnaire, the targets of the \
            commune's plan and the breakdowns. The workbook has the sheets Tổng hợp, Tiêu chí, Phân tổ, \
            Ưu tiên, Góp ý, Dữ liệu and Phương pháp; every target gets Đạt, Chưa đạt or Chưa đủ căn cứ.

            A province (or district) profile (one that lists its expected `units:`, see \
            Reports/vi-du-tinh.yaml) writes the province workbook instead, from a store holding the \
            communes' report workbooks (sipas import nop/*.xlsx): Tổng hợp tỉnh, Xếp hạng (each unit's \
            index, rank and 95 % rank interval, rank change with a verdict, a chart), Chỉ tiêu, Chưa nộp \
            and Phương pháp.

            Examples:
              sipas report --profile Reports/vi-du-xa.yaml --out bao-cao-2026.xlsx
              sipas report --profile Reports/vi-du-xa.yaml --period 2026-Q1 --out quy1.xlsx --json > quy1.json
              sipas report --store tinh.sqlite --profile Reports/vi-du-tinh.yaml --out tong-hop-2026.xlsx
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: "Report profile (YAML).")
    var profile: String

    @Option(help: "Period instead of the profile's: 2026-Q1, 2026-H1 or 2026.")
    var period: String?

    @Option(help: "Output workbook (.xlsx).")
    var out: String

    @Flag(help: "Also print the report's figures as JSON (the analyze schema plus targets and the previous period; for a province, plus the ranking).")
    var json = false

    func validate() throws {
        if let period, ReportPeriod(parse: period) == nil {
            throw ValidationError("--period takes 2026-Q1 … 2026-Q4, 2026-H1, 2026-H2 or 2026; found '\(period)'")
        }
        guard out.lowercased().hasSuffix(".xlsx") else { throw ValidationError("--out must end in .xlsx") }
    }

    func run() throws {
        let chosen = period.flatMap(ReportPeriod.init(parse:))
        if BuiltProvinceReport.isProvinceProfile(at: profile) {
            let built = try BuildProvinceReport(profilePath: profile, period: chosen).run(store: try store.open())
            try built.write(to: out)
            emit(json ? try built.json() : built.summary(out: out))
            return
        }
        let built = try BuildReport(profilePath: profile, period: period.flatMap(ReportPeriod.init(parse:))).run(store: try store.open())
        try built.write(to: out)
        emit(json ? try built.json() : built.summary(out: out))
    }
}
