import Foundation
import TestSupport
import Testing

/// Kiosks syncing to `sipas serve` through faults, as processes: the server SIGKILLed while a
/// batch is in flight and stopped for seconds, a kiosk SIGKILLed while it syncs, the link cut in
/// the middle of a batch and down for seconds (a TCP proxy of the test's own between each kiosk
/// and the server), under the load of 3 web kiosks, in 3 rounds at random times. After each round
/// every rating a kiosk acknowledged must be on the server exactly once, with the kiosk's answers
/// and follow-ups (Scripts/sync_faults.py drives it and reads both stores back with sqlite3/psql).
@Suite(.serialized) struct SyncFaultTests {
    enum ServerStore: String, CaseIterable { case sqlite, postgres }

    @Test(arguments: ServerStore.allCases)
    func everyAcknowledgedRatingReachesTheServerOnceThroughKillsAndCuts(_ kind: ServerStore) throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("sipas-sync-faults-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let store = kind == .sqlite ? work.appendingPathComponent("server.sqlite").path : try PostgresTestServer.freshDatabase()
        let (status, out) = try KioskCLITests.run([
            "python3", KioskCLITests.scripts.appendingPathComponent("sync_faults.py").path, try KioskCLITests.binary(), work.path, store,
            "--kiosks", "3", "--ratings", "600", "--rounds", "3", "--seed", kind == .sqlite ? "11" : "12",
        ])
        let last = out.split(separator: "\n").last.map(String.init) ?? ""
        #expect(status == 0, "\(out)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any], "\(out)")
        let acknowledged = try #require(summary["acknowledged"] as? Int)
        #expect(acknowledged >= 3 * 600 * 3)
        #expect(summary["on_server"] as? Int == acknowledged)
        #expect(summary["error_count"] as? Int == 0, "\(summary["errors"] ?? "")")
        let faults = try #require(summary["faults"] as? [String: Int])
        // Each round: the server SIGKILLed twice and stopped once, a kiosk SIGKILLed twice, the link cut twice and down once.
        #expect(faults == ["server_kill": 6, "server_stop": 3, "kiosk_kill": 6, "link_cut": 6, "link_down": 3])
        #expect(summary["link_cuts_done"] as? Int == 6)
        #expect((summary["mid_request"] as? Int ?? 0) >= 3, "too few faults landed while a batch was in flight: \(summary["events"] ?? "")")
    }
}
