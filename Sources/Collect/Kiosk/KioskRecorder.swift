import Foundation
import SIPASModel
import SIPASStoring

/// Stores kiosk ratings durably and fast: submissions from any thread are queued and written by
/// one writer thread in group commits (one transaction, one fsync, for every rating waiting), and
/// each caller gets its own outcome only after that transaction has committed.
/// Also enforces the opening hours and the minimum interval between ratings, counting refusals.
/// Any `KioskRatingStore` will do: the recorder knows the store only by that contract.
public final class KioskRecorder: @unchecked Sendable {
    public let store: any KioskRatingStore
    public let config: KioskConfig
    public let form: KioskForm

    /// A submission's outcome.
    public enum Outcome: Sendable, Equatable {
        case created(Int64)
        case replayed(Int64)
        /// The idempotency key came before with a different rating or dossier; nothing was stored.
        case keyReused
        case dossierAlreadyRated
        case tooSoon
        case closed
        case failed(String)
    }

    private struct Job {
        var rating: KioskRating
        /// Accept only if the key was stored before (the submission came too soon to be new).
        var replayOnly: Bool
        var done: @Sendable (Outcome) -> Void
    }

    private let lock = NSCondition()
    private var pending: [Job] = []
    private var rejections: [(reason: String, at: Date)] = []
    private var lastAccepted: Date?
    private var stopped = false
    private var thread: Thread?
    private var onStored: (@Sendable () -> Void)?
    private var upstream: (@Sendable () -> UpstreamStatus)?

    /// Use on a kiosk that syncs to a server: `onStored` is called after each commit that stored
    /// something (to send it promptly), and `upstream` tells the staff screen how the link is.
    public func attachUpstream(onStored: @escaping @Sendable () -> Void, status: @escaping @Sendable () -> UpstreamStatus) {
        lock.lock()
        self.onStored = onStored
        self.upstream = status
        lock.unlock()
    }

    private func stored() {
        lock.lock()
        let hook = onStored
        lock.unlock()
        hook?()
    }

    public init(store: any KioskRatingStore, config: KioskConfig, form: KioskForm, questionnaireYAML: String) throws {
        self.store = store
        self.config = config
        self.form = form
        try store.prepareKiosk(questionnaire: form.questionnaire, yaml: questionnaireYAML, unit: config.unit, unitName: config.unitName)
        // The writer holds the recorder until `close()`.
        let thread = Thread { self.writerLoop() }
        thread.name = "sipas-kiosk-writer"
        self.thread = thread
        thread.start()
    }

    /// Stops the writer after the queued ratings are stored.
    public func close() {
        lock.lock()
        stopped = true
        lock.broadcast()
        lock.unlock()
    }

    /// The keyed hash of a dossier code; the code itself is never stored.
    public func dossierHash(_ code: String) throws -> String { try store.dossierHash(code) }

    /// Whether a dossier code was rated already; a repeat is counted as a refusal (`dossier-repeat`).
    public func dossierRated(_ code: String, now: Date = Date()) throws -> Bool {
        let rated = try store.dossierRated(try store.dossierHash(code))
        if rated { try? store.recordRejection(kioskID: config.kioskID, reason: "dossier-repeat", at: now) }
        return rated
    }

    /// Submits an overall rating; `done` is called once it is durably stored (or refused).
    public func submit(code: UInt8, dossierHash: String?, idempotencyKey: String?, now: Date = Date(), done: @escaping @Sendable (Outcome) -> Void) {
        let rating = KioskRating(
            kioskID: config.kioskID, unit: config.unit, field: config.field, channel: config.channel, item: form.overallItem,
            code: code, dossierHash: dossierHash, idempotencyKey: idempotencyKey, at: now)
        lock.lock()
        if !config.isOpen(at: now) {
            rejections.append(("closed", now))
            lock.signal()
            lock.unlock()
            done(.closed)
            return
        }
        var replayOnly = false
        if config.minInterval > 0, let last = lastAccepted, now.timeIntervalSince(last) < config.minInterval {
            // Too soon to be a new rating; a retry of a stored one still gets its id.
            guard idempotencyKey != nil else {
                rejections.append(("too-soon", now))
                lock.signal()
                lock.unlock()
                done(.tooSoon)
                return
            }
            replayOnly = true
        } else if lastAccepted.map({ now > $0 }) ?? true {
            lastAccepted = now
        }
        pending.append(Job(rating: rating, replayOnly: replayOnly, done: done))
        lock.signal()
        lock.unlock()
    }

    /// Submits and waits for the durable outcome.
    public func submitAndWait(code: UInt8, dossierHash: String?, idempotencyKey: String? = nil, now: Date = Date()) -> Outcome {
        let box = OutcomeBox()
        submit(code: code, dossierHash: dossierHash, idempotencyKey: idempotencyKey, now: now) { box.set($0) }
        return box.wait()
    }

    /// Submits from async code.
    public func submit(code: UInt8, dossierHash: String?, idempotencyKey: String?, now: Date = Date()) async -> Outcome {
        await withCheckedContinuation { continuation in
            submit(code: code, dossierHash: dossierHash, idempotencyKey: idempotencyKey, now: now) { continuation.resume(returning: $0) }
        }
    }

    /// Adds a follow-up answer to a stored rating; false when that item was answered already.
    /// Throws `KioskStoreError` when the rating is not this kiosk's or the key is not the rating's.
    public func addAnswer(responseID: Int64, item: String, code: UInt8, idempotencyKey: String? = nil) throws -> Bool {
        let added = try store.addAnswer(responseID: responseID, item: item, code: code, questionnaire: form.questionnaire, idempotencyKey: idempotencyKey)
        if added { stored() }
        return added
    }

    /// Counts for the staff screen; the period starts on the first day of the current quarter.
    public func counts(now: Date = Date()) throws -> KioskCounts {
        flushRejections()
        let (day, _) = KioskClock.dayAndMinute(now)
        let month = Int(day.dropFirst(5).prefix(2)) ?? 1
        let quarterStart = String(day.prefix(5)) + String(format: "%02d-01", (month - 1) / 3 * 3 + 1)
        var counts = try store.kioskCounts(
            kioskID: config.kioskID, item: form.overallItem, questionnaire: form.questionnaire, dissatisfied: form.dissatisfied,
            periodStart: quarterStart, now: now)
        lock.lock()
        let link = upstream
        lock.unlock()
        counts.upstream = link?()
        return counts
    }

    private func flushRejections() {
        lock.lock()
        let taken = rejections
        rejections.removeAll()
        lock.unlock()
        for r in taken { try? store.recordRejection(kioskID: config.kioskID, reason: r.reason, at: r.at) }
    }

    private func writerLoop() {
        while true {
            lock.lock()
            while pending.isEmpty && rejections.isEmpty && !stopped { lock.wait() }
            if pending.isEmpty && rejections.isEmpty && stopped {
                lock.unlock()
                return
            }
            let jobs = pending
            pending.removeAll(keepingCapacity: true)
            let refused = rejections
            rejections.removeAll()
            lock.unlock()
            for r in refused { try? store.recordRejection(kioskID: config.kioskID, reason: r.reason, at: r.at) }
            guard !jobs.isEmpty else { continue }
            var outcomes: [Outcome]
            do {
                let results = try store.recordRatings(jobs.map(\.rating), questionnaire: form.questionnaire, replayOnly: jobs.map(\.replayOnly))
                outcomes = results.map { result in
                    switch result {
                    case .success(.created(let id)): .created(id)
                    case .success(.replayed(let id)): .replayed(id)
                    case .success(.keyReused): .keyReused
                    case .success(.dossierAlreadyRated): .dossierAlreadyRated
                    case .success(.notStored): .tooSoon
                    case .failure(let error): .failed(error.description)
                    }
                }
            } catch {
                outcomes = Array(repeating: .failed("\(error)"), count: jobs.count)
            }
            // A retry that came too soon with a new key is refused on the day it was given.
            let tooSoon = zip(jobs, outcomes).filter { $0.1 == .tooSoon }.map { (reason: "too-soon", at: $0.0.rating.at) }
            if !tooSoon.isEmpty {
                lock.lock()
                rejections += tooSoon
                lock.unlock()
            }
            for (job, outcome) in zip(jobs, outcomes) { job.done(outcome) }
            if outcomes.contains(where: { if case .created = $0 { true } else { false } }) { stored() }
        }
    }
}

/// Waits for one outcome.
final class OutcomeBox: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: KioskRecorder.Outcome?

    func set(_ outcome: KioskRecorder.Outcome) {
        condition.lock()
        value = outcome
        condition.signal()
        condition.unlock()
    }

    func wait() -> KioskRecorder.Outcome {
        condition.lock()
        defer { condition.unlock() }
        while value == nil { condition.wait() }
        return value!
    }
}
