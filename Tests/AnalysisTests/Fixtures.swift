import Foundation
import SIPASModel

/// The mini questionnaire of the analysis tests: e1 = mean(q1, q2), e2 = pooled(q3, q4), total = 0.25 e1 + 0.75 e2.
let miniYAML = """
    id: mini
    version: "1"
    title: "Phiếu thử"
    source: {decision: "test", verified: true}
    scales:
      sat5:
        options: ["Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"]
        missing: [{code: 9, label: "Không biết"}]
    sections:
      - id: a
        title: "A"
        items:
          - {id: gender, text: "Giới tính", type: single, options: ["Nam", "Nữ"]}
          - {id: q1, number: "1", text: "Tiêu chí 1", type: scale, scale: sat5}
          - {id: q2, number: "2", text: "Tiêu chí 2", type: scale, scale: sat5}
          - {id: q3, number: "3", text: "Tiêu chí 3", type: scale, scale: sat5}
          - {id: q4, number: "4", text: "Tiêu chí 4", type: scale, scale: sat5}
          - {id: harass, text: "Phiền hà", type: single, options: ["Không", "Một số", "Nhiều"]}
          - {id: ch, text: "Kênh", type: multi, options: ["A", "B", "C"], max: 2}
          - {id: note, text: "Ý kiến", type: text}
    scoring:
      satisfied: {sat5: [4, 5]}
      indices:
        - {id: e1, title: "Yếu tố 1", criteria: [q1, q2]}
        - {id: e2, title: "Yếu tố 2", criteria: [q3, q4], aggregate: pooled}
        - {id: total, title: "Tổng", components: [e1, e2], aggregate: weights, weights: {e1: 0.25, e2: 0.75}}
      overall: total
      negative: [{item: harass, codes: [2, 3]}]
    """

func mini() -> Questionnaire { try! Questionnaire(yaml: miniYAML, file: "mini.yaml") }

/// A table from rows of (unit, [item: code]); form ids are numbered.
func table(_ rows: [(String, [String: Int])], questionnaire q: Questionnaire = mini()) -> ResponseTable {
    var t = ResponseTable(questionnaire: q)
    for (i, row) in rows.enumerated() {
        t.append(.init(formID: String(i + 1), unit: row.0), codes: row.1.mapValues { UInt8($0) })
    }
    return t
}

func close(_ a: Double?, _ b: Double, _ tol: Double = 1e-12) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= tol
}
