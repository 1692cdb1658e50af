import Foundation
import SIPASModel

/// A question as the kiosk asks it: the overall one first, then the skippable follow-ups.
public struct KioskQuestion: Sendable, Equatable {
    public struct Choice: Sendable, Equatable {
        /// The key that gives this answer (the code itself: 1, 2, 3, …).
        public var key: Character
        public var code: UInt8
        public var label: String
    }
    public var id: String
    public var text: String
    public var choices: [Choice]
}

/// The kiosk's questions, read from a counter questionnaire: the overall question of the
/// headline index (rule `overall-question`), then up to three other scale questions.
public struct KioskForm: Sendable, Equatable {
    public var questionnaire: Questionnaire
    public var questions: [KioskQuestion]
    /// Codes not in the satisfied set of the overall question (for the staff count).
    public var dissatisfied: Set<UInt8>

    public init(questionnaire q: Questionnaire) throws(KioskConfigError) {
        guard let overall = q.index(q.scoring.overall), case .question(let itemID) = overall.members else {
            throw KioskConfigError("questionnaire \(q.id): a kiosk needs a headline index with 'aggregate: overall-question' (such as counter-quick)")
        }
        guard let first = q.item(itemID), first.type == .scale || first.type == .single, !first.options.isEmpty, first.options.count <= 9 else {
            throw KioskConfigError("questionnaire \(q.id): the overall question '\(itemID)' must be a scale of 2 to 9 answers")
        }
        func question(_ item: Item) -> KioskQuestion {
            KioskQuestion(
                id: item.id, text: item.text,
                choices: item.options.map { KioskQuestion.Choice(key: Character(String($0.code)), code: UInt8($0.code), label: $0.label) })
        }
        let followUps = q.items.filter {
            $0.id != itemID && ($0.type == .scale || $0.type == .single) && !$0.options.isEmpty && $0.options.allSatisfy { (1...9).contains($0.code) }
        }
        questionnaire = q
        questions = [question(first)] + followUps.prefix(3).map(question)
        let satisfied = q.satisfiedCodes(for: first) ?? []
        dissatisfied = Set(first.options.map(\.code).filter { !satisfied.contains($0) }.map { UInt8($0) })
    }

    public var overallItem: String { questions[0].id }
}

/// What the citizen (or a scanner, or staff) did.
public enum KioskInput: Sendable, Equatable {
    case key(Character)
    case enter
    case backspace
    /// Time passed with no key.
    case tick
}

/// What the driver must do for the flow; it answers with the matching `KioskFlow` method.
public enum KioskEffect: Sendable, Equatable {
    case checkDossier(String)
    /// Store the overall rating durably, then call `committed(_:)`.
    case commit(code: UInt8, dossier: String?)
    /// Add a follow-up answer to the stored rating, then call `answerAdded()`.
    case addAnswer(responseID: Int64, item: String, code: UInt8)
    case showStaff
    case exit
}

/// The result of storing a rating.
public enum KioskCommit: Sendable, Equatable {
    case stored(Int64)
    case dossierAlreadyRated
    case tooSoon
    case closed
    case failed(String)
}

/// The screens a kiosk shows.
public enum KioskScreen: Sendable, Equatable {
    case closed
    /// Waiting for the dossier code (mã hồ sơ); `notice` explains a refusal.
    case dossier(entered: String, notice: String?)
    /// Question `index` (0 = overall). `saving` while the rating is being committed.
    case question(index: Int, notice: String?, saving: Bool)
    /// Shown only after the rating is durably stored.
    case thanks
    case staff
}

/// The kiosk's behaviour as a pure state machine: inputs and clock in, screens and effects out.
/// Terminal and web drivers share it, so both behave alike and tests need no terminal.
public struct KioskFlow: Sendable {
    public let config: KioskConfig
    public let form: KioskForm
    public private(set) var screen: KioskScreen
    /// The stored rating follow-ups are added to.
    public private(set) var responseID: Int64?
    public private(set) var lastActivity: Date
    public private(set) var dossier: String?
    var recentKeys = ""
    var screenBeforeStaff: KioskScreen?

    public init(config: KioskConfig, form: KioskForm, now: Date) {
        self.config = config
        self.form = form
        self.lastActivity = now
        self.screen = .closed
        self.screen = startScreen(now: now)
    }

    func startScreen(now: Date) -> KioskScreen {
        if !config.isOpen(at: now) { return .closed }
        return config.requireDossier ? .dossier(entered: "", notice: nil) : .question(index: 0, notice: nil, saving: false)
    }

    /// Seconds until the idle reset, when the screen is waiting for an answer after the first one
    /// (or holds a half-typed dossier code); nil when nothing would be reset.
    public func secondsUntilReset(now: Date) -> Double? {
        switch screen {
        case .question(let index, _, let saving) where index > 0 && !saving: break
        case .dossier(let entered, _) where !entered.isEmpty: break
        case .question(0, let notice, false) where notice != nil: break
        default: return nil
        }
        return max(0, config.resetAfter - now.timeIntervalSince(lastActivity))
    }

    /// Whether the idle warning shows.
    public func warning(now: Date) -> Bool {
        guard let left = secondsUntilReset(now: now) else { return false }
        return left <= config.warnFor
    }

    public mutating func handle(_ input: KioskInput, now: Date) -> KioskEffect? {
        if input != .tick {
            lastActivity = now
            if case .key(let c) = input {
                recentKeys.append(c)
                if recentKeys.count > 16 { recentKeys.removeFirst(recentKeys.count - 16) }
                if recentKeys.hasSuffix(config.staffKeys), screen != .staff {
                    recentKeys = ""
                    screenBeforeStaff = screen
                    screen = .staff
                    return .showStaff
                }
            }
        }
        switch screen {
        case .closed:
            if config.isOpen(at: now) { reset(now: now) }
            return nil
        case .staff:
            switch input {
            case .enter: return .exit
            case .tick: return nil
            default:
                screen = screenBeforeStaff ?? startScreen(now: now)
                screenBeforeStaff = nil
                return nil
            }
        case .thanks:
            if input == .tick, now.timeIntervalSince(lastActivity) >= config.thanksFor { reset(now: now) }
            return nil
        case .dossier(let entered, let notice):
            switch input {
            case .tick:
                if !config.isOpen(at: now) { screen = .closed; return nil }
                if let left = secondsUntilReset(now: now), left <= 0 { reset(now: now) }
                return nil
            case .backspace:
                screen = .dossier(entered: String(entered.dropLast()), notice: nil)
            case .enter:
                let code = entered.trimmingCharacters(in: .whitespaces)
                guard code.count >= DossierCode.lengths.lowerBound else {
                    screen = .dossier(entered: entered, notice: "Mã hồ sơ chưa đủ. Vui lòng nhập hoặc quét lại mã trên giấy hẹn.")
                    return nil
                }
                return .checkDossier(code)
            case .key(let c):
                guard DossierCode.allows(c) else { return nil }
                guard entered.count < DossierCode.lengths.upperBound else { return nil }
                _ = notice
                screen = .dossier(entered: entered + String(c).uppercased(), notice: nil)
            }
            return nil
        case .question(let index, _, let saving):
            if input == .tick {
                if index == 0, !config.isOpen(at: now) { screen = .closed; return nil }
                if let left = secondsUntilReset(now: now), left <= 0 {
                    if index == 0 { screen = .question(index: 0, notice: nil, saving: false) } else { finish(now: now) }
                }
                return nil
            }
            if saving { return nil }
            let question = form.questions[index]
            switch input {
            case .key(let c):
                guard let choice = question.choices.first(where: { $0.key == c }) else {
                    if index > 0, c == "0" { return advance(from: index, now: now) }
                    return nil
                }
                if index == 0 {
                    screen = .question(index: 0, notice: nil, saving: true)
                    return .commit(code: choice.code, dossier: dossier)
                }
                guard let responseID else { return nil }
                let item = question.id
                _ = advance(from: index, now: now)
                return .addAnswer(responseID: responseID, item: item, code: choice.code)
            case .enter where index > 0:
                return advance(from: index, now: now)
            default:
                return nil
            }
        }
    }

    /// The dossier check answered.
    public mutating func dossierChecked(_ code: String, alreadyRated: Bool, now: Date) {
        guard case .dossier = screen else { return }
        if alreadyRated {
            screen = .dossier(entered: "", notice: "Hồ sơ \(code) đã được đánh giá. Mỗi hồ sơ chỉ đánh giá một lần. Xin cảm ơn Ông/Bà!")
        } else {
            dossier = code
            screen = .question(index: 0, notice: nil, saving: false)
        }
        lastActivity = now
    }

    /// The overall rating's commit answered.
    public mutating func committed(_ result: KioskCommit, now: Date) {
        lastActivity = now
        switch result {
        case .stored(let id):
            responseID = id
            if form.questions.count > 1 { screen = .question(index: 1, notice: nil, saving: false) } else { screen = .thanks }
        case .dossierAlreadyRated:
            dossier = nil
            screen = .dossier(entered: "", notice: "Hồ sơ này đã được đánh giá. Mỗi hồ sơ chỉ đánh giá một lần. Xin cảm ơn Ông/Bà!")
        case .tooSoon:
            screen = .question(index: 0, notice: "Vui lòng chờ giây lát rồi chọn lại.", saving: false)
        case .closed:
            screen = .closed
        case .failed:
            screen = .question(index: 0, notice: "Chưa ghi nhận được. Vui lòng chọn lại hoặc báo cán bộ.", saving: false)
        }
    }

    mutating func advance(from index: Int, now: Date) -> KioskEffect? {
        if index + 1 < form.questions.count {
            screen = .question(index: index + 1, notice: nil, saving: false)
        } else {
            finish(now: now)
        }
        return nil
    }

    mutating func finish(now: Date) {
        screen = .thanks
        lastActivity = now
    }

    mutating func reset(now: Date) {
        responseID = nil
        dossier = nil
        lastActivity = now
        screen = startScreen(now: now)
    }
}

/// The dossier code (*mã hồ sơ*) printed on the receipt, as both kiosk modes accept it: 3 to 40
/// ASCII letters, digits and `- . / _` (compared without case: the store hashes it uppercased).
public enum DossierCode {
    public static let lengths = 3...40

    public static func allows(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || "-./_".contains(c))
    }

    /// Whether a code, spaces around it ignored, is acceptable.
    public static func isValid(_ code: String) -> Bool {
        let t = code.trimmingCharacters(in: .whitespaces)
        return lengths.contains(t.count) && t.allSatisfy(allows)
    }
}
