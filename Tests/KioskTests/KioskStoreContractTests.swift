import Foundation
import KioskTestSupport
import SIPASKiosk
import SIPASModel
import SIPASStore
import SIPASStoring
import Testing

// MARK: The store contract, held by the SQLite store and the in-memory fake alike

/// What every `KioskRatingStore` must do, checked on one store. The fake is tested against the
/// same rules as SQLite, so that tests using the fake test the recorder, not a different store.
func checkKioskStoreContract(_ store: any KioskRatingStore) throws {
    let (form, yaml) = try counterForm()
    let q = form.questionnaire
    try store.prepareKiosk(questionnaire: q, yaml: yaml, unit: "XA01", unitName: "Xã Định Hóa")
    try store.prepareKiosk(questionnaire: q, yaml: yaml, unit: "XA01", unitName: "Xã Định Hóa")  // harmless again
    let now = Date()
    let twoDaysAgo = now.addingTimeInterval(-2 * 86400)
    let h1 = try store.dossierHash("hs-0001 ")
    #expect(h1 == (try store.dossierHash("HS-0001")))
    #expect(h1 != (try store.dossierHash("HS-0002")))
    #expect(!h1.contains("HS-0001") && !h1.contains("hs-0001"))
    #expect(try !store.dossierRated(h1))
    func rating(_ code: UInt8, key: String? = nil, dossier: String? = nil, item: String = "overall", at: Date = now, followUps: [String: UInt8] = [:]) -> KioskRating {
        KioskRating(kioskID: "quay-1", unit: "XA01", field: "ho-tich", channel: "truc-tiep", item: item, code: code,
                    dossierHash: dossier, idempotencyKey: key, at: at, followUps: followUps)
    }
    let outcomes = try store.recordRatings([
        rating(3, key: "key-a"),  // 0: new
        rating(3, key: "key-a"),  // 1: its retry, in the same commit
        rating(1, key: "key-a"),  // 2: the key again with another rating
        rating(2, key: "key-new"),  // 3: replay only, and the key is new
        rating(1, dossier: h1),  // 4: new, with a dossier
        rating(3, dossier: h1),  // 5: the dossier again
        rating(2, item: "comment"),  // 6: not an item of the questionnaire
        rating(2, key: "key-b", followUps: ["staff": 1, "time": 0]),  // 7: new, with a follow-up (0 = skipped)
        rating(2, at: twoDaysAgo),  // 8: new, two days ago
    ], questionnaire: q, replayOnly: [false, false, false, true, false, false, false, false, false])
    #expect(outcomes.count == 9)
    guard outcomes.count == 9, case .success(.created(let a)) = outcomes[0], case .success(.created(let d)) = outcomes[4],
          case .success(.created(let b)) = outcomes[7], case .success(.created(let old)) = outcomes[8] else {
        Issue.record("\(outcomes)")
        return
    }
    #expect(Set([a, d, b, old]).count == 4)
    #expect(try outcomes[1].get() == .replayed(a))
    #expect(try outcomes[2].get() == .keyReused(a))
    #expect(try outcomes[3].get() == .notStored)
    #expect(try outcomes[5].get() == .dossierAlreadyRated)
    #expect(throws: KioskStoreError("item 'comment' is not a coded item of counter-quick")) { try outcomes[6].get() }
    #expect(try store.dossierRated(h1))
    // Follow-ups: once per item, only with the rating's key, never over the rating itself.
    #expect(try store.addAnswer(responseID: a, item: "time", code: 2, questionnaire: q, idempotencyKey: "key-a"))
    #expect(try !store.addAnswer(responseID: a, item: "time", code: 3, questionnaire: q, idempotencyKey: "key-a"))
    #expect(try !store.addAnswer(responseID: a, item: "overall", code: 1, questionnaire: q, idempotencyKey: "key-a"))
    #expect(try !store.addAnswer(responseID: b, item: "staff", code: 3, questionnaire: q, idempotencyKey: "key-b"))  // came with the rating
    #expect(try store.addAnswer(responseID: b, item: "time", code: 1, questionnaire: q, idempotencyKey: "key-b"))  // 0 was a skip
    #expect(try store.addAnswer(responseID: d, item: "result", code: 1, questionnaire: q, idempotencyKey: nil))
    #expect(throws: KioskStoreError("response \(a) was not submitted with this key")) {
        try store.addAnswer(responseID: a, item: "result", code: 2, questionnaire: q, idempotencyKey: "key-b")
    }
    #expect(throws: KioskStoreError("no response 999999")) {
        try store.addAnswer(responseID: 999_999, item: "result", code: 2, questionnaire: q, idempotencyKey: nil)
    }
    #expect(throws: KioskStoreError("item 'comment' is not a coded item of counter-quick")) {
        try store.addAnswer(responseID: a, item: "comment", code: 2, questionnaire: q, idempotencyKey: "key-a")
    }
    // Counts: today a (3), d (1) and b (2); the period adds the rating of two days ago.
    try store.recordRejection(kioskID: "quay-1", reason: "too-soon", at: now)
    try store.recordRejection(kioskID: "quay-1", reason: "too-soon", at: now)
    try store.recordRejection(kioskID: "quay-1", reason: "closed", at: now)
    try store.recordRejection(kioskID: "quay-1", reason: "closed", at: twoDaysAgo)
    try store.recordRejection(kioskID: "quay-2", reason: "closed", at: now)
    let (today, _) = KioskClock.dayAndMinute(now)
    let (before, _) = KioskClock.dayAndMinute(twoDaysAgo)
    let counts = try store.kioskCounts(kioskID: "quay-1", item: "overall", questionnaire: q, dissatisfied: [1], periodStart: before, now: now)
    #expect(counts == KioskCounts(today: 3, period: 4, dissatisfiedToday: 1, rejectedToday: 3, rejectedByReason: ["too-soon": 2, "closed": 1]))
    let sinceToday = try store.kioskCounts(kioskID: "quay-1", item: "overall", questionnaire: q, dissatisfied: [1, 2], periodStart: today, now: now)
    #expect(sinceToday.period == 3 && sinceToday.dissatisfiedToday == 2)
    let other = try store.kioskCounts(kioskID: "quay-2", item: "overall", questionnaire: q, dissatisfied: [1], periodStart: before, now: now)
    #expect(other == KioskCounts(today: 0, period: 0, dissatisfiedToday: 0, rejectedToday: 1, rejectedByReason: ["closed": 1]))
}

@Test(arguments: StoreKind.allCases) func theSQLiteAndPostgreSQLStoresKeepTheKioskContract(kind: StoreKind) throws {
    let (store, _) = try temporaryStore(kind)
    try checkKioskStoreContract(store)
    // And what it stored reads back as counter forms: a, d, b and the old one, with their follow-ups.
    let (form, _) = try counterForm()
    let table = try store.responses(questionnaire: form.questionnaire).table
    #expect(table.codes["overall"] == [3, 1, 2, 2])
    #expect(table.codes["staff"] == [0, 0, 1, 0])
    #expect(table.codes["time"] == [2, 0, 1, 0])
    #expect(table.codes["result"] == [0, 1, 0, 0])
}

@Test func theInMemoryStoreKeepsTheKioskContract() throws {
    let store = InMemoryKioskStore()
    try checkKioskStoreContract(store)
    #expect(store.ratings.map(\.rating.code) == [3, 1, 2, 2])
    #expect(store.ratings.map { $0.answers["staff"] ?? 0 } == [0, 0, 1, 0])
    #expect(store.ratings.map { $0.answers["time"] ?? 0 } == [2, 0, 1, 0])
    #expect(store.ratings.map { $0.answers["result"] ?? 0 } == [0, 1, 0, 0])
}

// MARK: The recorder on the in-memory store: its own rules, without SQLite

private func recorder(_ store: InMemoryKioskStore, _ configure: (inout KioskConfig) -> Void = { _ in }) throws -> KioskRecorder {
    let (form, yaml) = try counterForm()
    var config = KioskConfig(unit: "XA01")
    config.unitName = "Xã Định Hóa"
    config.kioskID = "quay-1"
    configure(&config)
    return try KioskRecorder(store: store, config: config, form: form, questionnaireYAML: yaml)
}

@Test func theRecorderPreparesItsStoreAndStampsEveryRating() throws {
    let store = InMemoryKioskStore()
    let r = try recorder(store) {
        $0.field = "ho-tich"
        $0.channel = "buu-chinh"
    }
    defer { r.close() }
    #expect(store.preparations.map(\.questionnaire) == ["counter-quick"])
    #expect(store.preparations.map(\.unit) == ["XA01"] && store.preparations.map(\.unitName) == ["Xã Định Hóa"])
    let at = Date(timeIntervalSince1970: 1_790_000_000)
    #expect(r.submitAndWait(code: 2, dossierHash: "keyed:1", idempotencyKey: "key-00001", now: at) == .created(1))
    #expect(store.ratings.map(\.rating) == [
        KioskRating(kioskID: "quay-1", unit: "XA01", field: "ho-tich", channel: "buu-chinh", item: "overall", code: 2,
                    dossierHash: "keyed:1", idempotencyKey: "key-00001", at: at),
    ])
}

@Test func ratingsWaitingTogetherAreStoredInOneCommitAndNoneIsAnsweredBefore() throws {
    let store = InMemoryKioskStore()
    let r = try recorder(store) { $0.minInterval = 0 }
    defer { r.close() }
    let answered = OutcomeLog()
    store.holdNextBatch()
    r.submit(code: 3, dossierHash: nil, idempotencyKey: "first-000") { answered.add("first-000", $0) }
    store.waitUntilHeld()  // the writer is inside the first commit
    for i in 1...10 {
        let key = "next-\(String(format: "%03d", i))"
        r.submit(code: UInt8(1 + i % 3), dossierHash: nil, idempotencyKey: key) { answered.add(key, $0) }
    }
    Thread.sleep(forTimeInterval: 0.2)
    #expect(answered.all.isEmpty)  // nobody is answered before the commit is done
    store.releaseBatch()
    answered.wait(for: 11)
    #expect(store.batches == [1, 10])
    #expect(answered.all["first-000"] == .created(1))
    let ids = answered.all.values.compactMap { outcome -> Int64? in if case .created(let id) = outcome { id } else { nil } }
    #expect(ids.sorted() == Array(1...11))
}

@Test func aFailingStoreFailsEveryRatingOfTheCommitAndNeverCreates() throws {
    let store = InMemoryKioskStore()
    let r = try recorder(store) { $0.minInterval = 0 }
    defer { r.close() }
    store.fail(with: KioskStoreError("disk I/O error"))
    #expect(r.submitAndWait(code: 3, dossierHash: nil) == .failed("disk I/O error"))
    store.fail(with: nil)
    #expect(r.submitAndWait(code: 3, dossierHash: nil) == .created(1))
}

@Test func tooSoonClosedAndRepeatedDossiersAreRefusedAndCountedByTheRecorder() throws {
    let store = InMemoryKioskStore()
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = .current
    let morning = calendar.date(from: DateComponents(year: 2026, month: 5, day: 14, hour: 9, minute: 0))!
    let lunch = calendar.date(from: DateComponents(year: 2026, month: 5, day: 14, hour: 12, minute: 0))!
    let r = try recorder(store) {
        $0.minInterval = 3
        $0.hours = [OpeningHours(parse: "07:30-11:30")!]
    }
    defer { r.close() }
    #expect(r.submitAndWait(code: 2, dossierHash: try r.dossierHash("HS-9"), idempotencyKey: "key-00001", now: morning) == .created(1))
    // Within 3 s: without a key refused outright; with a new key only a replay could be accepted.
    #expect(r.submitAndWait(code: 2, dossierHash: nil, now: morning.addingTimeInterval(1)) == .tooSoon)
    #expect(r.submitAndWait(code: 2, dossierHash: nil, idempotencyKey: "key-00002", now: morning.addingTimeInterval(2)) == .tooSoon)
    #expect(r.submitAndWait(code: 2, dossierHash: try r.dossierHash("HS-9"), idempotencyKey: "key-00001", now: morning.addingTimeInterval(2)) == .replayed(1))
    #expect(r.submitAndWait(code: 1, dossierHash: nil, idempotencyKey: "key-00001", now: morning.addingTimeInterval(2.5)) == .keyReused)
    #expect(store.replayOnlyArguments.compactMap { $0 }.flatMap { $0 }.filter { $0 }.count == 3)
    #expect(r.submitAndWait(code: 3, dossierHash: nil, now: lunch) == .closed)
    #expect(try r.dossierRated("hs-9 ", now: morning))
    #expect(try !r.dossierRated("HS-10", now: morning))
    #expect(r.submitAndWait(code: 3, dossierHash: try r.dossierHash("hs-9"), now: morning.addingTimeInterval(60)) == .dossierAlreadyRated)
    // The staff count asks the store from the first day of the quarter (May → April 1st).
    let counts = try r.counts(now: morning)
    #expect(store.periodStartAsked == "2026-04-01")
    #expect(counts.today == 1)
    #expect(counts.rejectedByReason == ["too-soon": 2, "closed": 1, "dossier-repeat": 1])
}

/// Outcomes by idempotency key, as callers are answered.
final class OutcomeLog: @unchecked Sendable {
    private let condition = NSCondition()
    private var outcomes: [String: KioskRecorder.Outcome] = [:]
    func add(_ key: String, _ outcome: KioskRecorder.Outcome) {
        condition.lock()
        outcomes[key] = outcome
        condition.broadcast()
        condition.unlock()
    }
    var all: [String: KioskRecorder.Outcome] {
        condition.lock()
        defer { condition.unlock() }
        return outcomes
    }
    func wait(for count: Int) {
        condition.lock()
        defer { condition.unlock() }
        while outcomes.count < count { condition.wait() }
    }
}
