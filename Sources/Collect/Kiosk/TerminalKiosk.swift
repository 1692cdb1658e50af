import Foundation
import SIPASStoring
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The kiosk in a plain terminal: raw keys (digits, numeric keypad, a barcode scanner typing a
/// code and Enter), full-screen text redrawn on every change and on resize, bold only.
public final class TerminalKiosk {
    let recorder: KioskRecorder
    var flow: KioskFlow
    var counts: KioskCounts?
    var saved = termios()
    var lastFrame: [KioskLine] = []
    var lastSize = (0, 0)

    public init(recorder: KioskRecorder) {
        self.recorder = recorder
        self.flow = KioskFlow(config: recorder.config, form: recorder.form, now: Date())
    }

    /// Runs until staff close it; returns the counts shown at exit.
    public func run() throws -> KioskCounts? {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw KioskConfigError("the terminal kiosk needs a terminal on standard input and output; for a touch screen use --web")
        }
        enterRawMode()
        defer { leaveRawMode() }
        var pendingBytes: [UInt8] = []
        while true {
            draw(force: false)
            var buffer = [UInt8](repeating: 0, count: 256)
            // Wait up to 0.2 s for a key (the clock needs ticks); a closed terminal ends the kiosk.
            var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 200)
            if ready > 0, descriptor.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 && descriptor.revents & Int16(POLLIN) == 0 {
                throw KioskConfigError("the terminal was closed")
            }
            var n = 0
            if ready > 0 {
                n = read(STDIN_FILENO, &buffer, buffer.count)
                if n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN) { throw KioskConfigError("the terminal was closed") }
            }
            let now = Date()
            if n <= 0 {
                pendingBytes.removeAll()
                if let effect = flow.handle(.tick, now: now), try perform(effect) { return counts }
                continue
            }
            pendingBytes += buffer[0..<n]
            for input in Self.decode(&pendingBytes) {
                if let effect = flow.handle(input, now: Date()), try perform(effect) { return counts }
                draw(force: false)
            }
        }
    }

    /// Carries out an effect; true when the kiosk should stop.
    func perform(_ effect: KioskEffect) throws -> Bool {
        switch effect {
        case .checkDossier(let code):
            let rated = try recorder.dossierRated(code)
            flow.dossierChecked(code, alreadyRated: rated, now: Date())
        case .commit(let code, let dossier):
            let hash = try dossier.map { try recorder.dossierHash($0) }
            draw(force: false)
            let outcome = recorder.submitAndWait(code: code, dossierHash: hash)
            let result: KioskCommit = switch outcome {
            case .created(let id), .replayed(let id): .stored(id)
            case .dossierAlreadyRated: .dossierAlreadyRated
            case .tooSoon: .tooSoon
            case .closed: .closed
            case .failed(let message): .failed(message)
            case .keyReused: .failed("idempotency key reused")  // the terminal sends no keys
            }
            if case .failed(let message) = result { try? FileHandle.standardError.write(contentsOf: Data("sipas kiosk: \(message)\n".utf8)) }
            flow.committed(result, now: Date())
        case .addAnswer(let id, let item, let code):
            _ = try recorder.addAnswer(responseID: id, item: item, code: code)
        case .showStaff:
            counts = try? recorder.counts()
        case .exit:
            return true
        }
        return false
    }

    /// Bytes to inputs; keypad escape sequences (application mode) map to their keys.
    static func decode(_ bytes: inout [UInt8]) -> [KioskInput] {
        var inputs: [KioskInput] = []
        var i = 0
        let keypad: [UInt8: KioskInput] = [
            0x70: .key("0"), 0x71: .key("1"), 0x72: .key("2"), 0x73: .key("3"), 0x74: .key("4"), 0x75: .key("5"),
            0x76: .key("6"), 0x77: .key("7"), 0x78: .key("8"), 0x79: .key("9"), 0x4D: .enter, 0x6A: .key("*"),
            0x6F: .key("/"), 0x6D: .key("-"), 0x6B: .key("+"), 0x6E: .key("."),
        ]
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case 0x1B:
                guard i + 2 < bytes.count else {
                    // Possibly the start of a sequence split across reads: keep it; a read that
                    // times out drops it (a lone Escape press).
                    bytes.removeFirst(i)
                    return inputs
                }
                if bytes[i + 1] == 0x4F, let input = keypad[bytes[i + 2]] {
                    inputs.append(input)
                    i += 3
                } else {
                    // Skip any other escape sequence (arrows, function keys).
                    var j = i + 2
                    while j < bytes.count, !(0x40...0x7E).contains(bytes[j]) { j += 1 }
                    i = j + 1
                }
                continue
            case 0x0D, 0x0A: inputs.append(.enter)
            case 0x7F, 0x08: inputs.append(.backspace)
            case 0x20...0x7E: inputs.append(.key(Character(Unicode.Scalar(b))))
            default:
                if b >= 0xC0 {
                    let length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2
                    guard i + length <= bytes.count else { bytes.removeFirst(i); return inputs }
                    if let s = String(bytes: bytes[i..<(i + length)], encoding: .utf8), let c = s.first { inputs.append(.key(c)) }
                    i += length
                    continue
                }
            }
            i += 1
        }
        bytes.removeAll()
        return inputs
    }

    func size() -> (Int, Int) {
        var ws = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0 { return (Int(ws.ws_col), Int(ws.ws_row)) }
        return (80, 24)
    }

    func draw(force: Bool) {
        let (w, h) = size()
        let frame = KioskScreenText.lines(flow: flow, now: Date(), width: w, height: h, counts: counts)
        guard force || frame != lastFrame || (w, h) != lastSize else { return }
        lastFrame = frame
        lastSize = (w, h)
        var out = "\u{1B}[H\u{1B}[2J"
        for (row, line) in frame.enumerated() {
            out += "\u{1B}[\(row + 1);1H"
            out += line.strong ? "\u{1B}[1m" + line.text + "\u{1B}[0m" : line.text
        }
        try? FileHandle.standardOutput.write(contentsOf: Data(out.utf8))
    }

    func enterRawMode() {
        tcgetattr(STDIN_FILENO, &saved)
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL | INLCR)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw)
        // Alternate screen, hidden cursor.
        try? FileHandle.standardOutput.write(contentsOf: Data("\u{1B}[?1049h\u{1B}[?25l".utf8))
    }

    func leaveRawMode() {
        try? FileHandle.standardOutput.write(contentsOf: Data("\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l".utf8))
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
    }
}
