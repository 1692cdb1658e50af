import SIPASModel
import SIPASOMR
import SIPASScanInput
import SIPASScanReview

/// The doubtful items of a scan, by serial and page, as a person reviews them: the
/// question and its choices (labels from the questionnaire), the reader's reason and the crop
/// of the scan as PNG.
public enum ReviewQueue {
    public static func items(_ outcome: ScanForms.Outcome) throws -> [ReviewItem] {
        var items: [ReviewItem] = []
        for sheet in outcome.sheets.sorted(by: { $0.serial < $1.serial }) {
            let q = outcome.questionnaires["\(sheet.questionnaire) \(sheet.version)"]
            for reading in sheet.doubtful {
                let item = q?.item(reading.item)
                let choices = ((item?.options ?? []) + (item?.missing ?? [])).map { ReviewItem.Choice(code: $0.code, label: $0.label) }
                items.append(
                    ReviewItem(
                        serial: sheet.serial, page: reading.page, item: reading.item, number: item?.number, text: item?.text ?? reading.item,
                        choices: choices.isEmpty ? reading.candidates.map { ReviewItem.Choice(code: $0, label: "") } : choices,
                        multi: item?.type == .multi, maxPicks: item?.maxPicks, candidates: reading.candidates, reason: reading.doubt ?? .lightMark,
                        png: try reading.crop.map(PNGFile.encode) ?? []))
            }
        }
        return items
    }
}
