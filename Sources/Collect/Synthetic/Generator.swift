import Foundation
import SIPASModel
import SIPASStatistics

/// Realistic synthetic responses for demos, tests and benchmarks; the same seed gives the same table.
///
/// Each unit has its own satisfaction level (logit-normal around `satisfaction`), each respondent a
/// latent disposition shared by all their answers (so answers correlate within a respondent), each
/// item a small fixed offset; a share `missing` of answers is blank.
public struct SyntheticResponses: Sendable {
    public var count: Int
    public var units: Int
    /// Expected share satisfied.
    public var satisfaction: Double
    /// Share of answers left blank.
    public var missing: Double
    public var seed: UInt64
    public var year: Int
    /// When set, the units' levels and the items' offsets come from this seed rather than `seed`:
    /// samples of the same communes in different years then differ by `satisfaction` and by
    /// sampling, not by a new draw of who the communes are.
    public var populationSeed: UInt64?

    public static let channels = ["truc-tiep", "truc-tuyen", "buu-chinh"]
    public static let fields = ["dat-dai", "xay-dung", "dau-tu", "ho-tich", "chung-thuc", "lao-dong", "kinh-doanh"]
    static let comments = [
        "Cán bộ hướng dẫn nhiệt tình, chu đáo.",
        "Thời gian chờ còn lâu, cần bố trí thêm quầy.",
        "Nên có thêm chỗ ngồi chờ và nước uống.",
        "Thủ tục đất đai còn rườm rà, mong được rút gọn.",
        "Trang dịch vụ công trực tuyến hay bị lỗi khi nộp hồ sơ.",
        "Rất hài lòng với thái độ phục vụ.",
        "Cần niêm yết phí, lệ phí rõ ràng hơn.",
    ]

    public init(count: Int, units: Int = 1, satisfaction: Double = 0.85, missing: Double = 0.03, seed: UInt64 = 1, year: Int = 2026,
                populationSeed: UInt64? = nil) {
        self.populationSeed = populationSeed
        self.count = count
        self.units = units
        self.satisfaction = satisfaction
        self.missing = missing
        self.seed = seed
        self.year = year
    }

    public static func unitCode(_ k: Int) -> String { "XA" + zeroPadded(k + 1, width: 2) }

    static func zeroPadded(_ value: Int, width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    public func generate(_ questionnaire: Questionnaire) -> ResponseTable {
        precondition(units >= 1 && count >= 0)
        var g = SeededGenerator(seed: seed)
        func logit(_ p: Double) -> Double { log(p / (1 - p)) }
        func expit(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
        let p = min(max(satisfaction, 0.001), 0.999)
        let items = questionnaire.items
        let unitLevel: [Double], itemOffset: [Double]
        if let populationSeed {
            var population = SeededGenerator(seed: populationSeed)
            unitLevel = (0..<units).map { _ in logit(p) + 0.45 * population.nextNormal() }
            itemOffset = items.map { _ in 0.3 * population.nextNormal() }
        } else {
            unitLevel = (0..<units).map { _ in logit(p) + 0.45 * g.nextNormal() }
            itemOffset = items.map { _ in 0.3 * g.nextNormal() }
        }
        let unitNames = (0..<units).map(Self.unitCode)

        var formIDs: [String] = []
        var unitColumn: [String?] = []
        var dates: [String?] = []
        var channels: [String?] = []
        var fields: [String?] = []
        formIDs.reserveCapacity(count)
        unitColumn.reserveCapacity(count)
        dates.reserveCapacity(count)
        var codes: [String: [UInt8]] = [:]
        var codeColumns = items.map { _ in [UInt8]() }
        var pickColumns = items.map { _ in [UInt64]() }
        var textColumns = items.map { _ in [String?]() }
        for (k, item) in items.enumerated() {
            switch item.type {
            case .single, .scale, .yesNo: codeColumns[k].reserveCapacity(count)
            case .multi: pickColumns[k].reserveCapacity(count)
            case .text, .dossier: textColumns[k].reserveCapacity(count)
            }
        }
        var perUnit = [Int](repeating: 0, count: units)
        let daysInYear = 365
        let calendar = (0..<daysInYear).map { Self.date(year: year, dayOfYear: $0) }
        for _ in 0..<count {
            let u = Int.random(in: 0..<units, using: &g)
            perUnit[u] += 1
            formIDs.append(unitNames[u] + "-" + Self.zeroPadded(perUnit[u], width: 6))
            unitColumn.append(unitNames[u])
            let day = Int.random(in: 0..<daysInYear, using: &g)
            dates.append(calendar[day])
            let c = g.nextUniform()
            channels.append(Self.channels[c < 0.6 ? 0 : (c < 0.95 ? 1 : 2)])
            fields.append(Self.fields[Int.random(in: 0..<Self.fields.count, using: &g)])
            let disposition = unitLevel[u] + 0.9 * g.nextNormal()
            for (k, item) in items.enumerated() {
                switch item.type {
                case .single, .scale, .yesNo:
                    if !item.required, g.nextUniform() < missing {
                        // A blank, or a "don't know" code where the scale has one.
                        let code = item.missing.isEmpty || g.nextUniform() < 0.5 ? 0 : item.missing[0].code
                        codeColumns[k].append(UInt8(code))
                        continue
                    }
                    codeColumns[k].append(UInt8(answer(item, questionnaire, disposition + itemOffset[k], &g)))
                case .multi:
                    if g.nextUniform() < missing {
                        pickColumns[k].append(0)
                        continue
                    }
                    let picks = Int.random(in: 1...min(item.maxPicks ?? 3, item.options.count, 3), using: &g)
                    var set: UInt64 = 0
                    for _ in 0..<picks { set |= 1 << UInt64(item.options[Int.random(in: 0..<item.options.count, using: &g)].code) }
                    pickColumns[k].append(set)
                case .text:
                    textColumns[k].append(g.nextUniform() < 0.05 ? Self.comments[Int.random(in: 0..<Self.comments.count, using: &g)] : nil)
                case .dossier:
                    textColumns[k].append(nil)
                }
            }
        }
        var table = ResponseTable(questionnaire: questionnaire)
        var picks: [String: [UInt64]] = [:]
        var texts: [String: [String?]] = [:]
        for (k, item) in items.enumerated() {
            switch item.type {
            case .single, .scale, .yesNo: codes[item.id] = codeColumns[k]
            case .multi: picks[item.id] = pickColumns[k]
            case .text, .dossier: texts[item.id] = textColumns[k]
            }
        }
        table.append(
            rows: count, formID: formIDs, unit: unitColumn, collectedOn: dates, channel: channels, field: fields,
            codes: codes, picks: picks, texts: texts)
        return table
    }

    /// One coded answer. Scored items follow the respondent's disposition; others are drawn with
    /// plausible weights (most people report no harassment, …).
    func answer(_ item: Item, _ q: Questionnaire, _ propensity: Double, _ g: inout SeededGenerator) -> Int {
        let options = item.options
        if let satisfied = q.satisfiedCodes(for: item) {
            let isSatisfied = g.nextUniform() < 1 / (1 + exp(-propensity))
            let pool = options.filter { satisfied.contains($0.code) == isSatisfied }.map(\.code)
            // Higher codes are rarer among the satisfied, middle codes commoner among the others.
            let sorted = isSatisfied ? pool.sorted() : pool.sorted(by: >)
            let u = g.nextUniform()
            let index = sorted.count == 1 ? 0 : (u < 0.62 ? 0 : (sorted.count == 2 || u < 0.9 ? 1 : 2))
            return sorted[min(index, sorted.count - 1)]
        }
        if q.scoring.negative.contains(where: { $0.item == item.id }) {
            let u = g.nextUniform()
            return u < 0.86 ? options[0].code : (u < 0.97 ? options[1].code : options[min(2, options.count - 1)].code)
        }
        return options[Int.random(in: 0..<options.count, using: &g)].code
    }

    static func date(year: Int, dayOfYear: Int) -> String {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        var day = min(dayOfYear, lengths.reduce(0, +) - 1)
        var month = 0
        while day >= lengths[month] {
            day -= lengths[month]
            month += 1
        }
        return String(format: "%04d-%02d-%02d", year, month + 1, day + 1)
    }
}
