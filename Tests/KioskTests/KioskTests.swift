import Foundation
import KioskTestSupport
import SIPASKiosk
import SIPASModel
import SIPASStore
import SIPASStoring
import TestSupport
import Testing

func temporaryStore() throws -> ResponseStore {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-\(UUID().uuidString).sqlite").path
    return try ResponseStore(path: path, create: true)
}

/// The stores the kiosk's store tests run on: the embedded SQLite file and a PostgreSQL server.
enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres
    var description: String { rawValue }
}

/// A new, empty store of `kind` (PostgreSQL: a database of its own on the test server), and a way
/// to list the kiosk's stored ratings.
func temporaryStore(_ kind: StoreKind) throws -> (store: any SurveyStore, ratings: (String) throws -> [(id: Int64, key: String?)]) {
    switch kind {
    case .sqlite:
        let store = try temporaryStore()
        return (store, { try store.kioskResponseIDs(kioskID: $0) })
    case .postgres:
        let store = try PostgresStore(url: try PostgresTestServer.freshDatabase(), create: true)
        return (store, { try store.kioskResponseIDs(kioskID: $0) })
    }
}

let t0 = Date(timeIntervalSince1970: 1_790_000_000)

// MARK: The flow, without a terminal

@Test func theFormAsksOverallFirstThenThreeFollowUps() throws {
    let (form, _) = try counterForm()
    #expect(form.questions.map(\.id) == ["overall", "staff", "time", "result"])
    #expect(form.questions[0].choices.map(\.code) == [1, 2, 3])
    #expect(form.questions[0].choices.map(\.label) == ["Không hài lòng", "Hài lòng", "Rất hài lòng"])
    #expect(form.dissatisfied == [1])
}

@Test func aRatingIsCommittedBeforeThanksAndFollowUpsAreAddedOrSkipped() throws {
    let (form, _) = try counterForm()
    var flow = KioskFlow(config: KioskConfig(unit: "XA01"), form: form, now: t0)
    #expect(flow.screen == .question(index: 0, notice: nil, saving: false))
    #expect(flow.handle(.key("7"), now: t0) == nil)  // not an answer
    #expect(flow.handle(.key("3"), now: t0) == .commit(code: 3, dossier: nil))
    // Until the store answers, the kiosk says it is saving and takes no other answer.
    #expect(flow.screen == .question(index: 0, notice: nil, saving: true))
    #expect(flow.handle(.key("1"), now: t0) == nil)
    flow.committed(.stored(42), now: t0)
    #expect(flow.screen == .question(index: 1, notice: nil, saving: false))
    #expect(flow.handle(.key("2"), now: t0) == .addAnswer(responseID: 42, item: "staff", code: 2))
    #expect(flow.handle(.key("0"), now: t0) == nil)  // skip "time"
    #expect(flow.screen == .question(index: 3, notice: nil, saving: false))
    #expect(flow.handle(.enter, now: t0) == nil)  // skip "result"
    #expect(flow.screen == .thanks)
    _ = flow.handle(.tick, now: t0.addingTimeInterval(3.9))
    #expect(flow.screen == .thanks)
    _ = flow.handle(.tick, now: t0.addingTimeInterval(4.1))
    #expect(flow.screen == .question(index: 0, notice: nil, saving: false))
    #expect(flow.responseID == nil)
}

@Test func aFailedCommitNeverThanks() throws {
    let (form, _) = try counterForm()
    var flow = KioskFlow(config: KioskConfig(unit: "XA01"), form: form, now: t0)
    _ = flow.handle(.key("2"), now: t0)
    flow.committed(.failed("disk full"), now: t0)
    #expect(flow.screen == .question(index: 0, notice: "Chưa ghi nhận được. Vui lòng chọn lại hoặc báo cán bộ.", saving: false))
    _ = flow.handle(.key("2"), now: t0)
    flow.committed(.tooSoon, now: t0)
    guard case .question(0, .some, false) = flow.screen else { Issue.record("\(flow.screen)"); return }
}

@Test func inactivityWarnsThenResetsKeepingTheRating() throws {
    let (form, _) = try counterForm()
    var config = KioskConfig(unit: "XA01")
    config.resetAfter = 20
    config.warnFor = 5
    var flow = KioskFlow(config: config, form: form, now: t0)
    _ = flow.handle(.key("1"), now: t0)
    flow.committed(.stored(7), now: t0)
    #expect(!flow.warning(now: t0.addingTimeInterval(14.9)))
    #expect(flow.warning(now: t0.addingTimeInterval(15.1)))
    #expect(flow.secondsUntilReset(now: t0.addingTimeInterval(17)) == 3)
    // A key press keeps the citizen on the question.
    _ = flow.handle(.key("9"), now: t0.addingTimeInterval(16))
    #expect(!flow.warning(now: t0.addingTimeInterval(30)))
    _ = flow.handle(.tick, now: t0.addingTimeInterval(36.1))
    #expect(flow.screen == .thanks)  // the rating given is kept and thanked for
    _ = flow.handle(.tick, now: t0.addingTimeInterval(41))
    #expect(flow.screen == .question(index: 0, notice: nil, saving: false))
    // The first screen never times out: nothing is pending there.
    #expect(flow.secondsUntilReset(now: t0.addingTimeInterval(1000)) == nil)
}

@Test func theDossierComesFirstAndARepeatIsRefusedPolitely() throws {
    let (form, _) = try counterForm()
    var config = KioskConfig(unit: "XA01")
    config.requireDossier = true
    var flow = KioskFlow(config: config, form: form, now: t0)
    #expect(flow.screen == .dossier(entered: "", notice: nil))
    for c in "hs-0012" { _ = flow.handle(.key(c), now: t0) }
    _ = flow.handle(.backspace, now: t0)
    _ = flow.handle(.key("3"), now: t0)
    #expect(flow.screen == .dossier(entered: "HS-0013", notice: nil))
    #expect(flow.handle(.enter, now: t0) == .checkDossier("HS-0013"))
    flow.dossierChecked("HS-0013", alreadyRated: true, now: t0)
    #expect(flow.screen == .dossier(entered: "", notice: "Hồ sơ HS-0013 đã được đánh giá. Mỗi hồ sơ chỉ đánh giá một lần. Xin cảm ơn Ông/Bà!"))
    for c in "HS-0014" { _ = flow.handle(.key(c), now: t0) }
    _ = flow.handle(.enter, now: t0)
    flow.dossierChecked("HS-0014", alreadyRated: false, now: t0)
    #expect(flow.handle(.key("3"), now: t0) == .commit(code: 3, dossier: "HS-0014"))
    // Too short a code is not sent to the store.
    var other = KioskFlow(config: config, form: form, now: t0)
    _ = other.handle(.key("A"), now: t0)
    #expect(other.handle(.enter, now: t0) == nil)
}

@Test func staffKeysShowTheCountsAndEnterExits() throws {
    let (form, _) = try counterForm()
    var flow = KioskFlow(config: KioskConfig(unit: "XA01"), form: form, now: t0)
    _ = flow.handle(.key("*"), now: t0)
    _ = flow.handle(.key("/"), now: t0)
    #expect(flow.handle(.key("*"), now: t0) == .showStaff)
    #expect(flow.screen == .staff)
    _ = flow.handle(.key("5"), now: t0)
    #expect(flow.screen == .question(index: 0, notice: nil, saving: false))
    _ = flow.handle(.key("*"), now: t0)
    _ = flow.handle(.key("/"), now: t0)
    _ = flow.handle(.key("*"), now: t0)
    #expect(flow.handle(.enter, now: t0) == .exit)
}

@Test func outsideOpeningHoursTheKioskIsClosed() throws {
    let (form, _) = try counterForm()
    var config = KioskConfig(unit: "XA01")
    config.hours = [OpeningHours(parse: "07:30-11:30")!, OpeningHours(parse: "13:30-17:00")!]
    let utc = TimeZone(identifier: "UTC")!
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = utc
    let noon = calendar.date(from: DateComponents(year: 2026, month: 3, day: 2, hour: 12, minute: 0))!
    let morning = calendar.date(from: DateComponents(year: 2026, month: 3, day: 2, hour: 7, minute: 30))!
    #expect(!config.isOpen(at: noon, timeZone: utc))
    #expect(config.isOpen(at: morning, timeZone: utc))
    #expect(!config.isOpen(at: calendar.date(from: DateComponents(year: 2026, month: 3, day: 2, hour: 17, minute: 0))!, timeZone: utc))
    #expect(OpeningHours(parse: "11:30-07:30") == nil && OpeningHours(parse: "7h30-9") == nil)
    _ = form
}

@Test func screensFitTheTerminalAndWrapVietnamese() throws {
    let (form, _) = try counterForm()
    var config = KioskConfig(unit: "XA01")
    config.unitName = "Xã Định Hóa"
    let flow = KioskFlow(config: config, form: form, now: t0)
    for (w, h) in [(40, 12), (80, 24), (132, 40)] {
        let lines = KioskScreenText.lines(flow: flow, now: t0, width: w, height: h, counts: nil)
        #expect(lines.count == h)
        #expect(lines.allSatisfy { $0.text.count <= w }, "\(w)x\(h)")
        let text = lines.map(\.text).joined(separator: "\n")
        #expect(text.contains("Rất hài lòng") && text.contains("Không hài lòng") && text.contains("Xã Định Hóa"))
    }
    #expect(KioskScreenText.wrap("Ông/Bà đánh giá thế nào về việc giải quyết", width: 12) == ["Ông/Bà đánh", "giá thế nào", "về việc giải", "quyết"])
}

@Test(arguments: [
    ("unit: XA01\nreset_after: soon\n", "'reset_after' must be a duration"),
    ("unit: XA01\ncolour: red\n", "unknown key 'colour'"),
    ("field: dat-dai\n", "'unit' is required"),
    ("unit: XA01\nhours: [\"08:00-07:00\"]\n", "opening hours '08:00-07:00'"),
    ("unit: XA01\nstaff_keys: \"12\"\n", "cannot contain digits"),
    ("unit: XA01\nreset_after: 2s\n", "at least 5 seconds"),
])
func badKioskFilesAreRefusedWithLineAndReason(yaml: String, message: String) {
    do {
        _ = try KioskConfig(yaml: yaml, file: "quay.yaml")
        Issue.record("accepted \(yaml)")
    } catch {
        #expect(error.description.contains(message), "\(error.description)")
        #expect(error.description.contains("quay.yaml"))
        #expect(!error.list.isEmpty && error.list.allSatisfy { $0.line != nil && $0.file == "quay.yaml" })
    }
}

@Test func aKioskFileReadsEverySetting() throws {
    let c = try KioskConfig(yaml: """
        unit: XA01
        unit_name: "Xã Định Hóa"
        field: ho-tich
        channel: truc-tiep
        kiosk_id: quay-2
        require_dossier: true
        reset_after: 30s
        min_interval: 2s
        hours: ["07:30-11:30", "13:30-17:00"]
        """, file: "k.yaml")
    #expect(c.unit == "XA01" && c.unitName == "Xã Định Hóa" && c.field == "ho-tich" && c.kioskID == "quay-2")
    #expect(c.requireDossier && c.resetAfter == 30 && c.minInterval == 2 && c.hours.map(\.description) == ["07:30-11:30", "13:30-17:00"])
}

// MARK: The recorder and the store

@Test(arguments: StoreKind.allCases) func concurrentSubmissionsWithRetriesAreStoredExactlyOnce(kind: StoreKind) async throws {
    let (form, yaml) = try counterForm()
    let (store, storedRatings) = try temporaryStore(kind)
    var config = KioskConfig(unit: "XA01")
    config.minInterval = 0
    let recorder = try KioskRecorder(store: store, config: config, form: form, questionnaireYAML: yaml)
    defer { recorder.close() }
    // 400 ratings from 8 tasks; every fifth is sent twice with the same key.
    let results = try await withThrowingTaskGroup(of: [(String, KioskRecorder.Outcome)].self) { group in
        for worker in 0..<8 {
            group.addTask {
                var out: [(String, KioskRecorder.Outcome)] = []
                for i in 0..<50 {
                    let key = "w\(worker)-r\(i)-key"
                    let code = UInt8(1 + (worker + i) % 3)
                    out.append((key, await recorder.submit(code: code, dossierHash: nil, idempotencyKey: key)))
                    if i % 5 == 0 { out.append((key, await recorder.submit(code: code, dossierHash: nil, idempotencyKey: key))) }
                }
                return out
            }
        }
        var all: [(String, KioskRecorder.Outcome)] = []
        for try await part in group { all += part }
        return all
    }
    var idByKey: [String: Int64] = [:]
    var created = 0, replayed = 0
    for (key, outcome) in results {
        switch outcome {
        case .created(let id): created += 1; #expect(idByKey[key] == nil); idByKey[key] = id
        case .replayed(let id): replayed += 1; #expect(idByKey[key] == id)
        default: Issue.record("\(key): \(outcome)")
        }
    }
    #expect(created == 400 && replayed == 80)
    let stored = try storedRatings("kiosk-1")
    #expect(stored.count == 400)
    #expect(Set(stored.compactMap(\.key)) == Set(idByKey.keys))
    // The stored codes are those sent: (worker + i) % 3 + 1 → each code 400/3 times, give or take.
    let (table, sources) = try store.responses(questionnaire: form.questionnaire)
    #expect(sources.allSatisfy { $0 == .kiosk })
    let codes = table.codes["overall"]!
    var expected = [UInt8: Int]()
    for worker in 0..<8 { for i in 0..<50 { expected[UInt8(1 + (worker + i) % 3), default: 0] += 1 } }
    #expect(Dictionary(grouping: codes, by: { $0 }).mapValues(\.count) == expected)
}

@Test(arguments: StoreKind.allCases) func followUpsJoinTheirRatingAndAreReadBackWithIt(kind: StoreKind) throws {
    let (form, yaml) = try counterForm()
    let (store, _) = try temporaryStore(kind)
    var config = KioskConfig(unit: "XA01")
    config.minInterval = 0
    config.field = "đất đai"
    let recorder = try KioskRecorder(store: store, config: config, form: form, questionnaireYAML: yaml)
    defer { recorder.close() }
    guard case .created(let a) = recorder.submitAndWait(code: 3, dossierHash: nil, idempotencyKey: "key-a-123") else { Issue.record("not stored"); return }
    guard case .created(let b) = recorder.submitAndWait(code: 1, dossierHash: nil) else { Issue.record("not stored"); return }
    #expect(try recorder.addAnswer(responseID: a, item: "staff", code: 2, idempotencyKey: "key-a-123"))
    #expect(try !recorder.addAnswer(responseID: a, item: "staff", code: 3, idempotencyKey: "key-a-123"))  // once only
    #expect(throws: KioskStoreError("response \(a) was not submitted with this key")) { try recorder.addAnswer(responseID: a, item: "time", code: 2, idempotencyKey: "someone-else") }
    #expect(try !recorder.addAnswer(responseID: a, item: "overall", code: 1))  // the rating itself never changes
    #expect(try recorder.addAnswer(responseID: b, item: "result", code: 1))
    let (table, _) = try store.responses(questionnaire: form.questionnaire)
    #expect(table.codes["overall"]! == [3, 1])
    #expect(table.codes["staff"]! == [2, 0])
    #expect(table.codes["result"]! == [0, 1])
    #expect(table.field[0] == "đất đai" && table.channel[0] == "truc-tiep")
    let counts = try recorder.counts()
    #expect(counts.today == 2 && counts.dissatisfiedToday == 1)
}

@Test func tooSoonAndRepeatedDossiersAreRefusedAndCounted() throws {
    let (form, yaml) = try counterForm()
    let store = try temporaryStore()
    var config = KioskConfig(unit: "XA01")
    config.minInterval = 3
    let recorder = try KioskRecorder(store: store, config: config, form: form, questionnaireYAML: yaml)
    defer { recorder.close() }
    let now = Date()
    let hash = try recorder.dossierHash("hs-001")
    #expect(hash == (try store.dossierHash("HS-001 ")))  // codes are trimmed and upper-cased before hashing
    guard case .created = recorder.submitAndWait(code: 2, dossierHash: hash, idempotencyKey: "first-key", now: now) else { Issue.record("not stored"); return }
    #expect(recorder.submitAndWait(code: 1, dossierHash: nil, now: now.addingTimeInterval(1)) == .tooSoon)
    // A retry of the stored key within the interval still gets its id; a new key does not.
    guard case .replayed = recorder.submitAndWait(code: 2, dossierHash: hash, idempotencyKey: "first-key", now: now.addingTimeInterval(1.5)) else { Issue.record("no replay"); return }
    // The same key with another rating or another dossier is a reused key, not a retry.
    #expect(recorder.submitAndWait(code: 3, dossierHash: hash, idempotencyKey: "first-key", now: now.addingTimeInterval(1.6)) == .keyReused)
    #expect(recorder.submitAndWait(code: 2, dossierHash: nil, idempotencyKey: "first-key", now: now.addingTimeInterval(1.7)) == .keyReused)
    #expect(recorder.submitAndWait(code: 2, dossierHash: nil, idempotencyKey: "other-key", now: now.addingTimeInterval(2)) == .tooSoon)
    #expect(recorder.submitAndWait(code: 3, dossierHash: hash, now: now.addingTimeInterval(10)) == .dossierAlreadyRated)
    let counts = try recorder.counts(now: now)
    #expect(counts.today == 1)
    #expect(counts.rejectedByReason["too-soon"] == 2)
    // Only the keyed hash is stored, never the code. Both files must be there (a missing file
    // would hide the code as well as anything), and they must hold the rating: its key and hash.
    var stored = Data()
    for file in [store.path, store.path + "-wal"] {
        let raw = try Data(contentsOf: URL(fileURLWithPath: file))
        #expect(raw.range(of: Data("HS-001".utf8)) == nil && raw.range(of: Data("hs-001".utf8)) == nil, "\(file)")
        stored += raw
    }
    #expect(stored.range(of: Data("first-key".utf8)) != nil && stored.range(of: Data(hash.utf8)) != nil)
    #expect(try store.dossierRated(hash))
}

@Test func bothKioskModesAcceptTheSameDossierCodes() throws {
    // The terminal flow takes a key only if the web API would accept the code it makes.
    let (form, _) = try counterForm()
    var config = KioskConfig(unit: "XA01")
    config.requireDossier = true
    var flow = KioskFlow(config: config, form: form, now: t0)
    for c in "hồ sơ/12_a.b" { _ = flow.handle(.key(c), now: t0) }
    #expect(flow.screen == .dossier(entered: "HS/12_A.B", notice: nil))
    #expect(DossierCode.isValid("HS/12_A.B") && DossierCode.isValid(" hs-1 "))
    #expect(!DossierCode.isValid("HỒ-12") && !DossierCode.isValid("H1") && !DossierCode.isValid(String(repeating: "9", count: 41)))
    for _ in 0..<40 { _ = flow.handle(.key("9"), now: t0) }
    guard case .dossier(let entered, _) = flow.screen else { Issue.record("left the dossier screen"); return }
    #expect(entered.count == 40 && DossierCode.isValid(entered))
}

// MARK: Options given on the command line

@Test func optionsOverrideTheKioskFileOneByOne() throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("quay-\(UUID().uuidString).yaml")
    try "unit: XA01\nfield: ho-tich\nkiosk_id: quay-2\nreset_after: 30s\nmin_interval: 2s\nhours: [\"07:30-11:30\"]\n".write(to: file, atomically: true, encoding: .utf8)
    var options = KioskOptions()
    options.configFile = file.path
    #expect(try options.resolve().field == "ho-tich")
    options.unit = "XA02"
    options.field = "đất đai"
    options.resetAfter = "1m"
    options.hours = "13:30-17:00,07:00-08:00"
    options.requireDossier = true
    let c = try options.resolve()
    #expect(c.unit == "XA02" && c.field == "đất đai" && c.kioskID == "quay-2" && c.requireDossier)
    #expect(c.resetAfter == 60 && c.minInterval == 2 && c.hours.map(\.description) == ["13:30-17:00", "07:00-08:00"])
    // Without a file the unit is required; a wrong value names its option.
    #expect(throws: KioskOptionError.self) { try KioskOptions().resolve() }
    var wrong = KioskOptions()
    wrong.unit = "XA01"
    wrong.minInterval = "soon"
    do {
        _ = try wrong.resolve()
        Issue.record("accepted --min-interval soon")
    } catch let e as KioskOptionError {
        #expect(e.description == "--min-interval takes a duration such as 20s or 1m; found 'soon'")
    }
    options.configFile = file.path + ".missing"
    #expect(throws: KioskConfigError.self) { try options.resolve() }
}

/// The kiosk's footer names the field and channel (the catalogue's, or the store's names set on
/// the config), never their codes.
@Test func theFooterShowsTheFieldAndChannelByName() {
    var c = KioskConfig(unit: "XA01")
    c.field = "lao-dong"
    c.kioskID = "quay-2"
    #expect(KioskScreenText.footer(c) == "Kiosk quay-2 · Lĩnh vực: Lao động – Thương binh và Xã hội · Kênh: Trực tiếp")
    c.labels = c.labels.overridden(by: Labels(fields: ["lao-dong": "Lao động"], channels: ["truc-tiep": "Tại quầy"]))
    c.field = "mot-cua"
    #expect(KioskScreenText.footer(c) == "Kiosk quay-2 · Lĩnh vực: mot-cua · Kênh: Tại quầy")
}
