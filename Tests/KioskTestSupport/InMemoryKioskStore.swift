import Foundation
import SIPASKiosk
import SIPASModel
import SIPASStoring

/// A kiosk store in memory: the contract's rules without SQLite, for testing the recorder and the
/// drivers alone. It also records how it was called (batch sizes, arguments) and can be made to
/// fail or to hold a batch until released.
public final class InMemoryKioskStore: KioskRatingStore, @unchecked Sendable {
    public struct Stored: Sendable {
        public var id: Int64
        public var rating: KioskRating
        public var questionnaire: String
        public var answers: [String: UInt8]
    }

    private let lock = NSLock()
    private var rows: [Stored] = []
    private var rejections: [(kioskID: String, reason: String, day: String)] = []
    private var batchSizes: [Int] = []
    private var replayOnlyFlags: [[Bool]?] = []
    private var prepared: [(questionnaire: String, unit: String, unitName: String?)] = []
    private var lastPeriodStart: String?
    /// When set, every call throws it.
    private var failure: (any Error)?
    /// When set, the next `recordRatings` waits for `releaseBatch()` before storing.
    private var gate: DispatchSemaphore?
    private let entered = DispatchSemaphore(value: 0)

    public init() {}

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    // MARK: Test controls

    public var ratings: [Stored] { locked { rows } }
    public var batches: [Int] { locked { batchSizes } }
    public var replayOnlyArguments: [[Bool]?] { locked { replayOnlyFlags } }
    public var preparations: [(questionnaire: String, unit: String, unitName: String?)] { locked { prepared } }
    public var periodStartAsked: String? { locked { lastPeriodStart } }
    public func fail(with error: (any Error)?) { locked { failure = error } }

    /// Makes the next batch wait; returns once a batch has entered `recordRatings` and is held.
    public func holdNextBatch() { locked { gate = DispatchSemaphore(value: 0) } }
    public func waitUntilHeld() { entered.wait() }
    public func releaseBatch() { locked { gate }?.signal() }

    /// The items answered with one code (what a counter form stores per rating).
    public static func codedItems(_ q: Questionnaire) -> Set<String> {
        Set(q.items.filter { $0.type == .single || $0.type == .scale || $0.type == .yesNo }.map(\.id))
    }

    // MARK: KioskRatingStore

    public func prepareKiosk(questionnaire: Questionnaire, yaml: String, unit: String, unitName: String?) throws {
        try locked {
            if let failure { throw failure }
            prepared.append((questionnaire.id, unit, unitName))
        }
    }

    public func recordRatings(_ ratings: [KioskRating], questionnaire q: Questionnaire, replayOnly: [Bool]?) throws -> [Result<KioskOutcome, KioskStoreError>] {
        if let gate = locked({ gate }) {
            entered.signal()
            gate.wait()
            locked { self.gate = nil }
        }
        return try locked {
            if let failure { throw failure }
            batchSizes.append(ratings.count)
            replayOnlyFlags.append(replayOnly)
            let coded = Self.codedItems(q)
            var out: [Result<KioskOutcome, KioskStoreError>] = []
            for (n, rating) in ratings.enumerated() {
                guard coded.contains(rating.item) else {
                    out.append(.failure(KioskStoreError("item '\(rating.item)' is not a coded item of \(q.id)")))
                    continue
                }
                if let key = rating.idempotencyKey, let stored = rows.first(where: { $0.rating.kioskID == rating.kioskID && $0.rating.idempotencyKey == key }) {
                    let same = stored.rating.code == rating.code && stored.rating.dossierHash == rating.dossierHash
                    out.append(.success(same ? .replayed(stored.id) : .keyReused(stored.id)))
                    continue
                }
                if replayOnly?[n] == true {
                    out.append(.success(.notStored))
                    continue
                }
                if let hash = rating.dossierHash, rows.contains(where: { $0.rating.dossierHash == hash }) {
                    out.append(.success(.dossierAlreadyRated))
                    continue
                }
                let id = Int64(rows.count + 1)
                var answers: [String: UInt8] = [:]
                for (item, code) in rating.followUps where item != rating.item && code != 0 { answers[item] = code }
                rows.append(Stored(id: id, rating: rating, questionnaire: q.id, answers: answers))
                out.append(.success(.created(id)))
            }
            return out
        }
    }

    public func addAnswer(responseID: Int64, item: String, code: UInt8, questionnaire q: Questionnaire, idempotencyKey: String?) throws -> Bool {
        guard Self.codedItems(q).contains(item) else { throw KioskStoreError("item '\(item)' is not a coded item of \(q.id)") }
        return try locked {
            if let failure { throw failure }
            guard let k = rows.firstIndex(where: { $0.id == responseID }) else { throw KioskStoreError("no response \(responseID)") }
            guard rows[k].questionnaire == q.id else { throw KioskStoreError("response \(responseID) is not a kiosk rating of \(q.id)") }
            if let idempotencyKey, rows[k].rating.idempotencyKey != idempotencyKey {
                throw KioskStoreError("response \(responseID) was not submitted with this key")
            }
            if rows[k].rating.item == item || rows[k].answers[item] != nil { return false }
            rows[k].answers[item] = code
            return true
        }
    }

    public func dossierHash(_ code: String) throws -> String {
        try locked { if let failure { throw failure } }
        return "keyed:" + String(code.trimmingCharacters(in: .whitespaces).uppercased().unicodeScalars.map(\.value).reduce(5381) { ($0 &* 33) &+ UInt64($1) }, radix: 16)
    }

    public func dossierRated(_ hash: String) throws -> Bool {
        try locked {
            if let failure { throw failure }
            return rows.contains { $0.rating.dossierHash == hash }
        }
    }

    public func recordRejection(kioskID: String, reason: String, at: Date) throws {
        try locked {
            if let failure { throw failure }
            rejections.append((kioskID, reason, KioskClock.dayAndMinute(at).day))
        }
    }

    public func kioskCounts(kioskID: String, item: String, questionnaire q: Questionnaire, dissatisfied: Set<UInt8>, periodStart: String, now: Date) throws -> KioskCounts {
        try locked {
            if let failure { throw failure }
            lastPeriodStart = periodStart
            let today = KioskClock.dayAndMinute(now).day
            let mine = rows.filter { $0.rating.kioskID == kioskID }
            let days = mine.map { KioskClock.dayAndMinute($0.rating.at).day }
            let todays = mine.filter { KioskClock.dayAndMinute($0.rating.at).day == today }
            func code(_ s: Stored) -> UInt8? { s.rating.item == item ? s.rating.code : s.answers[item] }
            var reasons: [String: Int] = [:]
            for r in rejections where r.kioskID == kioskID && r.day == today { reasons[r.reason, default: 0] += 1 }
            return KioskCounts(
                today: todays.count, period: days.filter { $0 >= periodStart && $0 <= today }.count,
                dissatisfiedToday: todays.filter { code($0).map(dissatisfied.contains) ?? false }.count,
                rejectedToday: reasons.values.reduce(0, +), rejectedByReason: reasons)
        }
    }
}

/// The counter questionnaire (counter-quick) as a kiosk form, with its YAML.
public func counterForm() throws -> (KioskForm, String) {
    let url = repositoryRoot.appendingPathComponent("Questionnaires/counter-quick.yaml")
    let yaml = try String(contentsOf: url, encoding: .utf8)
    return (try KioskForm(questionnaire: try Questionnaire(yaml: yaml, file: url.path)), yaml)
}

/// The repository's root folder.
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
