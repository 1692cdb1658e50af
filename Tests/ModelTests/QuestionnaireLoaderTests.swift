import Foundation
import SIPASModel
import Testing

/// A small valid questionnaire; each test breaks one thing.
let validYAML = """
    id: mini
    version: "1"
    title: "Phiếu thử"
    source:
      decision: "test"
      verified: false
    scales:
      sat5:
        options: ["Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"]
        missing:
          - {code: 9, label: "Không biết"}
    sections:
      - id: a
        title: "Phần A"
        items:
          - {id: gender, text: "Giới tính", type: single, options: ["Nam", "Nữ"]}
          - {id: q1, number: "1", text: "Tiêu chí 1", type: scale, scale: sat5}
          - {id: q2, number: "2", text: "Tiêu chí 2", type: scale, scale: sat5}
          - {id: q3, number: "3", text: "Tiêu chí 3", type: scale, scale: sat5}
          - {id: ch, text: "Kênh", type: multi, options: ["A", "B", "C"], max: 2}
          - {id: seen, text: "Đã từng", type: yes-no}
          - {id: note, text: "Ý kiến", type: text}
    scoring:
      satisfied:
        sat5: [4, 5]
      indices:
        - {id: e1, title: "Yếu tố 1", criteria: [q1, q2]}
        - {id: e2, title: "Yếu tố 2", criteria: [q3], aggregate: pooled}
        - id: total
          title: "Tổng"
          components: [e1, e2]
          aggregate: weights
          weights: {e1: 0.25, e2: 0.75}
      overall: total
      negative:
        - {item: seen, codes: [1]}
    """

func load(_ yaml: String) throws(Problems) -> Questionnaire {
    try Questionnaire(yaml: yaml, file: "mini.yaml")
}

/// Loads `yaml` expecting failure; returns the issues.
func issues(_ yaml: String) -> [Problem] {
    do {
        _ = try load(yaml)
        return []
    } catch {
        return error.list
    }
}

@Test func validQuestionnaireLoads() throws {
    let q = try load(validYAML)
    #expect(q.id == "mini")
    #expect(q.items.map(\.id) == ["gender", "q1", "q2", "q3", "ch", "seen", "note"])
    #expect(q.item("q1")?.validCodes == [1, 2, 3, 4, 5, 9])
    #expect(q.item("q1")?.missing.first?.label == "Không biết")
    #expect(q.item("seen")?.options.map(\.label) == ["Có", "Không"])
    #expect(q.item("ch")?.maxPicks == 2)
    #expect(q.scoredItems.map(\.id) == ["q1", "q2", "q3"])
    #expect(q.index("total")?.aggregate == .weights(["e1": 0.25, "e2": 0.75]))
    #expect(q.index("e2")?.aggregate == .pooled)
    #expect(q.index("e1")?.kind == "element")
    #expect(q.scoring.negative == [NegativeRule(item: "seen", codes: [1])])
}

@Test func decomposedVietnameseIsStoredPrecomposed() throws {
    // "Phiếu" typed on a Mac arrives decomposed: e + combining circumflex + combining acute.
    let decomposed = "Phie\u{0302}\u{0301}u thử"
    let q = try load(validYAML.replacingOccurrences(of: "\"Phiếu thử\"", with: "\"\(decomposed)\""))
    #expect(Array(q.title.unicodeScalars) == Array("Phiếu thử".unicodeScalars))
}

/// Each kind of mistake, with the line it must be reported on and words the message must contain.
struct BrokenCase: Sendable, CustomStringConvertible {
    var name: String
    var from: String
    var to: String
    var line: Int?
    var words: [String]
    var description: String { name }
}

let brokenCases: [BrokenCase] = [
    BrokenCase(name: "unknown item in a rule", from: "criteria: [q1, q2]", to: "criteria: [q1, q7]", line: 27, words: ["e1", "unknown item 'q7'"]),
    BrokenCase(name: "duplicate item id", from: "{id: q2, number: \"2\"", to: "{id: q1, number: \"2\"", line: nil, words: ["duplicate item 'q1'"]),
    BrokenCase(name: "empty scale", from: "options: [\"Rất không hài lòng\", \"Không hài lòng\", \"Bình thường\", \"Hài lòng\", \"Rất hài lòng\"]", to: "options: []", line: 9, words: ["sat5", "at least two options"]),
    BrokenCase(name: "weights not summing to 1", from: "{e1: 0.25, e2: 0.75}", to: "{e1: 0.25, e2: 0.5}", line: 33, words: ["total", "sum to 1", "0.75"]),
    BrokenCase(name: "weights naming a stranger", from: "{e1: 0.25, e2: 0.75}", to: "{e1: 0.25, e9: 0.75}", line: 33, words: ["exactly the components"]),
    BrokenCase(name: "unknown scale", from: "type: scale, scale: sat5}\n      - {id: q3", to: "type: scale, scale: sat7}\n      - {id: q3", line: 18, words: ["q2", "unknown scale 'sat7'"]),
    BrokenCase(name: "unknown type", from: "type: yes-no", to: "type: boolean", line: 21, words: ["seen", "unknown type 'boolean'"]),
    BrokenCase(name: "satisfied code off the scale", from: "sat5: [4, 5]", to: "sat5: [4, 6]", line: 25, words: ["satisfied code 6"]),
    BrokenCase(name: "overall names nothing", from: "overall: total", to: "overall: sipas", line: 34, words: ["unknown index 'sipas'"]),
    BrokenCase(name: "cycle in the tree", from: "criteria: [q3], aggregate: pooled}", to: "components: [total]}", line: nil, words: ["cycle"]),
    BrokenCase(name: "typo in a key", from: "aggregate: weights", to: "agregate: weights", line: 32, words: ["unknown key 'agregate'"]),
    BrokenCase(name: "missing source", from: "source:\n  decision: \"test\"\n  verified: false\n", to: "", line: nil, words: ["missing 'source'"]),
    BrokenCase(name: "max beyond options", from: "max: 2}", to: "max: 5}", line: 20, words: ["ch", "'max' must lie between 1 and 3"]),
    BrokenCase(name: "criterion not scored", from: "criteria: [q3]", to: "criteria: [gender]", line: 28, words: ["gender", "cannot be scored"]),
    BrokenCase(name: "missing code collides", from: "{code: 9, label", to: "{code: 5, label", line: nil, words: ["collides"]),
    BrokenCase(name: "bad id", from: "{id: q3,", to: "{id: Q-3,", line: 19, words: ["not well formed"]),
    BrokenCase(name: "YAML syntax", from: "title: \"Phần A\"", to: "title: [\"Phần A\"", line: nil, words: ["not valid YAML"]),
    BrokenCase(name: "negative code off the item", from: "codes: [1]", to: "codes: [3]", line: nil, words: ["code 3 is not an option of item 'seen'"]),
]

@Test(arguments: brokenCases)
func brokenQuestionnaireIsRefusedPrecisely(_ c: BrokenCase) {
    #expect(validYAML.contains(c.from), "fixture text to replace not found")
    let found = issues(validYAML.replacingOccurrences(of: c.from, with: c.to))
    #expect(!found.isEmpty, "expected a problem")
    let match = found.first { issue in c.words.allSatisfy { issue.description.contains($0) } }
    #expect(match != nil, "no issue mentions \(c.words): \(found)")
    #expect(found.allSatisfy { $0.file == "mini.yaml" })
    if let line = c.line, let match {
        #expect(match.line == line, "reported on line \(match.line.map(String.init) ?? "nil"), expected \(line): \(match)")
    }
}

@Test func everyProblemIsReportedAtOnce() {
    let yaml = validYAML
        .replacingOccurrences(of: "criteria: [q1, q2]", with: "criteria: [q1, q7]")
        .replacingOccurrences(of: "{e1: 0.25, e2: 0.75}", with: "{e1: 0.25, e2: 0.5}")
        .replacingOccurrences(of: "type: yes-no", with: "type: boolean")
    #expect(issues(yaml).count >= 3)
}

@Test func yamlAliasesThatExpandToAHugeTreeAreRefused() throws {
    // Seen while fuzzing the loaders: aliases let 29 kB stand for 5 million values; loading took 66 s and 2 GB.
    let keys = (0..<200).map { "k\($0): 0" }.joined(separator: ", ")
    let bomb = "x: &a {\(keys)}\nsections:\n  - id: s\n    title: t\n    items: [\((0..<2000).map { _ in "*a" }.joined(separator: ", "))]\n"
    #expect(issues(bomb).map(\.message) == ["the file stands for more than \(10_000 + 4 * bomb.utf8.count) values once its YAML aliases (*name) are expanded; write the repeated parts out"])
    // Profiles and kiosk files are read with the same YAML reader, which refuses it first.
    do {
        _ = try YAMLReader(yaml: bomb, file: "p.yaml")
        Issue.record("the YAML was read")
    } catch {
        #expect(error.list.count == 1 && error.list[0].message.hasPrefix("the file stands for more than"))
    }
    // Aliases used as they are meant to be still load.
    let reused = validYAML
        .replacingOccurrences(of: #"options: ["Nam", "Nữ"]"#, with: #"options: &two ["Nam", "Nữ"]"#)
        .replacingOccurrences(of: #"options: ["A", "B", "C"]"#, with: "options: *two")
    #expect(try load(reused).item("ch")?.options.map(\.label) == ["Nam", "Nữ"])
}
