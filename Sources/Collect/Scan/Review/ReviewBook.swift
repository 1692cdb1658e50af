import Foundation
import SIPASOMR

/// One doubtful item (*dấu chưa rõ*) put to a person: where it is, the question, its choices,
/// the reader's reason and the straightened crop of the scan around its bubbles (PNG).
public struct ReviewItem: Sendable, Equatable {
    public struct Choice: Sendable, Equatable {
        public var code: Int
        public var label: String
        public init(code: Int, label: String) {
            self.code = code
            self.label = label
        }
    }
    public var serial: String
    public var page: Int
    public var item: String
    /// The question's number on the form ("5", "9.3"), when it has one.
    public var number: String?
    public var text: String
    public var choices: [Choice]
    /// Several codes may be chosen (a multi-choice item).
    public var multi: Bool
    /// At most this many codes (multi-choice items that limit them).
    public var maxPicks: Int?
    /// The codes whose bubbles hold a mark or part of one.
    public var candidates: [Int]
    public var reason: Doubt
    /// The crop as PNG bytes (empty when there is none).
    public var png: [UInt8]

    public init(
        serial: String, page: Int, item: String, number: String?, text: String, choices: [Choice], multi: Bool, maxPicks: Int?, candidates: [Int],
        reason: Doubt, png: [UInt8]
    ) {
        self.serial = serial
        self.page = page
        self.item = item
        self.number = number
        self.text = text
        self.choices = choices
        self.multi = multi
        self.maxPicks = maxPicks
        self.candidates = candidates
        self.reason = reason
        self.png = png
    }

    /// The answer a person means by typing or sending `codes`: none is blank; on a multi-choice
    /// item the codes, in order; otherwise one code (several are kept, for `accepts` to refuse).
    public func answer(for codes: [Int]) -> ItemReading.Answer {
        if codes.isEmpty { return .blank }
        if multi { return .codes(codes.sorted()) }
        return codes.count == 1 ? .code(codes[0]) : .codes(codes)
    }

    /// Whether `answer` is one a person may give for this item.
    public func accepts(_ answer: ItemReading.Answer) -> Bool {
        let valid = Set(choices.map(\.code))
        switch answer {
        case .blank: return true
        case .code(let code): return !multi && valid.contains(code)
        case .codes(let codes):
            guard multi, !codes.isEmpty, Set(codes).count == codes.count, codes.allSatisfy(valid.contains) else { return false }
            return maxPicks.map { codes.count <= $0 } ?? true
        }
    }
}

/// The decisions of one review, shared by the requests that make them: each item's answer,
/// and whether the review has finished (its sheets stored, once).
public final class ReviewBook: @unchecked Sendable {
    public enum State: Sendable, Equatable {
        case open
        /// The sheets were stored: what the import said.
        case stored(String)
        /// The import refused: nothing was stored.
        case refused(String)
    }

    public let items: [ReviewItem]
    private let lock = NSLock()
    private var answers: [ItemReading.Answer?]
    private var state = State.open

    public init(items: [ReviewItem]) {
        self.items = items
        self.answers = Array(repeating: nil, count: items.count)
    }

    public var snapshot: (answers: [ItemReading.Answer?], state: State) {
        lock.lock()
        defer { lock.unlock() }
        return (answers, state)
    }

    /// Records a person's answer for item `index` (0-based); false once the review has finished.
    public func decide(_ index: Int, _ answer: ItemReading.Answer) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard state == .open, answers.indices.contains(index) else { return false }
        answers[index] = answer
        return true
    }

    /// serial → item → answer, for the import.
    public func decisions() -> [String: [String: ItemReading.Answer]] {
        let answers = snapshot.answers
        var out: [String: [String: ItemReading.Answer]] = [:]
        for (item, answer) in zip(items, answers) {
            if let answer { out[item.serial, default: [:]][item.item] = answer }
        }
        return out
    }

    /// Runs `store` once, when every item is decided and the review is open; the state after.
    /// A second call, or a call with items undecided, does not run it.
    public func finish(_ store: ([String: [String: ItemReading.Answer]]) -> Result<String, UserFacingError>) -> (ran: Bool, state: State, undecided: Int) {
        lock.lock()
        defer { lock.unlock() }
        let undecided = answers.filter { $0 == nil }.count
        guard state == .open, undecided == 0 else { return (false, state, undecided) }
        var decisions: [String: [String: ItemReading.Answer]] = [:]
        for (item, answer) in zip(items, answers) { decisions[item.serial, default: [:]][item.item] = answer }
        switch store(decisions) {
        case .success(let message): state = .stored(message)
        case .failure(let error): state = .refused(error.message)
        }
        return (true, state, 0)
    }
}

/// A refusal to show a person as it is.
public struct UserFacingError: Error, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
