import Foundation
import SIPASStoring

/// Pushes a kiosk's outbox to its server in the background (`sipas kiosk --upstream`).
///
/// Every rating is committed locally first (the recorder does that, whatever the network); this
/// loop sends the oldest unsent ones in batches, and marks a batch sent only after the server has
/// answered that it committed it. A batch whose answer is lost is sent again, and the server
/// answers `held` for what it has. When the server cannot be reached, the loop waits 1, 2, 4, …
/// up to `maxBackoff` seconds (with jitter, so that kiosks coming back together do not arrive
/// together); a refusal (a revoked token, a wrong unit) is shown to staff and retried at the
/// longest wait, since it needs a person.
public final class OutboxSync: @unchecked Sendable {
    public let outbox: any KioskOutbox
    public let client: UpstreamClient
    public let kioskID: String
    public let unit: String
    public var maxRatings = 200
    public var maxAdditions = 1000
    /// How often an idle loop looks for new ratings when not nudged (seconds).
    public var idleInterval = 1.0
    public var maxBackoff = 60.0
    /// Told when the link changes: the first failure after a success (with the wait before the
    /// next try), a different failure, and the first success after failures. For a kiosk's log.
    public var onChange: (@Sendable (String) -> Void)?

    private let lock = NSLock()
    private var nudged = false
    private var lastError: String?
    private var verified = false
    private var task: Task<Void, Never>?
    /// The idle loop waiting for a nudge or its next look.
    private var waiter: CheckedContinuation<Void, Never>?
    private var sentBatches = 0

    public init(outbox: any KioskOutbox, client: UpstreamClient, kioskID: String, unit: String) {
        self.outbox = outbox
        self.client = client
        self.kioskID = kioskID
        self.unit = unit
    }

    /// Starts the loop; it runs until `stop()`.
    public func start() {
        lock.withLock {
            guard task == nil else { return }
            task = Task.detached { [self] in await run() }
        }
    }

    /// Stops the loop (a batch in flight is abandoned; it is sent again on the next start).
    public func stop() async {
        let running = lock.withLock { () -> Task<Void, Never>? in
            defer { task = nil }
            return task
        }
        running?.cancel()
        wake()
        await running?.value
        await client.shutdown()
    }

    /// Tells the loop a rating was stored, so that it sends without waiting for its next look.
    public func nudge() {
        lock.withLock { nudged = true }
        wake()
    }

    private func wake() {
        let waiting = lock.withLock { () -> CheckedContinuation<Void, Never>? in
            defer { waiter = nil }
            return waiter
        }
        waiting?.resume()
    }

    /// The link as staff see it.
    public func status() -> UpstreamStatus {
        let state = (try? outbox.outboxState(kioskID: kioskID)) ?? OutboxState(queuedRatings: -1, queuedAdditions: -1, lastSync: nil)
        return UpstreamStatus(
            server: client.base, queuedRatings: state.queuedRatings, queuedAdditions: state.queuedAdditions, lastSync: state.lastSync,
            lastError: lock.withLock { lastError })
    }

    /// Batches the server has acknowledged since the start.
    public var acknowledgedBatches: Int { lock.withLock { sentBatches } }

    /// Use before the first rating of a kiosk that asks for dossier codes: takes the server's key
    /// for dossier hashes into the kiosk's store, so that the server recognises a dossier rated at
    /// another kiosk. Returns false, changing nothing, when the server cannot be reached but the
    /// store took this server's key before (the kiosk then works offline as usual); throws when
    /// the kiosk has never had the key, or the store cannot take it.
    public func adoptDossierKey() async throws -> Bool {
        // A kiosk that holds this server's key already only checks it (the server's store may have
        // been replaced), and starts at once when the server does not answer within a second.
        let held = try outbox.adoptedDossierKeySource() == client.base
        do {
            let key = try await client.dossierKey(timeout: held ? .seconds(1) : .seconds(60))
            try outbox.adoptDossierKey(key, from: client.base)
            return true
        } catch let error as UpstreamError where error.isTransient {
            if held { return false }
            throw UpstreamError.setup(
                "a kiosk that asks for dossier codes needs its server's dossier key once, and \(client.base) cannot be reached now (\(error)): "
                    + "start the kiosk again when the server answers")
        }
    }

    /// Sends one batch if there is one: true when a batch was acknowledged, false when the outbox
    /// is empty; throws why it could not be sent.
    public func sendOnce() async throws -> Bool {
        if !lock.withLock({ verified }) {
            let identity = try await client.identity()
            guard identity.kiosk == kioskID, identity.unit == unit else {
                throw UpstreamError.setup(
                    "the token belongs to kiosk '\(identity.kiosk)' of unit \(identity.unit), but this is kiosk '\(kioskID)' of unit \(unit): "
                        + "use that kiosk's own token (sipas token add --kiosk \(kioskID) --unit \(unit))")
            }
            lock.withLock { verified = true }
        }
        let batch = try outbox.outboxBatch(kioskID: kioskID, maxRatings: maxRatings, maxAdditions: maxAdditions)
        guard !batch.isEmpty else { return false }
        let statuses = try await client.send(batch)
        try outbox.markSent(batch, statuses: statuses, at: ISO8601DateFormatter().string(from: Date()))
        lock.withLock {
            sentBatches += 1
            lastError = nil
        }
        return true
    }

    func run() async {
        var failures = 0
        while !Task.isCancelled {
            lock.withLock { nudged = false }
            do {
                let sent = try await sendOnce()
                if failures > 0 { onChange?("the server answers again after \(failures) failed attempt(s); sending the queue") }
                failures = 0
                if !sent { await idle(idleInterval) }
            } catch {
                failures += 1
                let transient = (error as? UpstreamError)?.isTransient ?? false
                let message = "\(error)"
                let previous = lock.withLock { () -> String? in
                    defer { lastError = message }
                    return lastError
                }
                let wait = transient ? min(maxBackoff, pow(2, Double(min(failures, 16) - 1))) : maxBackoff
                // Full jitter on the upper half: between wait/2 and wait.
                let pause = wait * Double.random(in: 0.5...1)
                if failures == 1 || previous != message {
                    onChange?("cannot send: \(message); ratings stay queued on this kiosk, next try in \(Int(pause.rounded(.up))) s")
                }
                await self.pause(pause)
            }
        }
    }

    /// Waits up to `seconds`, or until nudged (at once: the nudge resumes the wait).
    func idle(_ seconds: Double) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = lock.withLock { () -> Bool in
                if nudged || task?.isCancelled != false { return true }
                waiter = continuation
                return false
            }
            if now {
                continuation.resume()
                return
            }
            // The next look; a timer left over from an earlier wait only makes a look come early.
            Task.detached { [weak self] in
                try? await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1e9))
                self?.wake()
            }
        }
    }

    /// Waits `seconds` whatever happens (a nudge does not shorten a backoff).
    func pause(_ seconds: Double) async {
        try? await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1e9))
    }
}
