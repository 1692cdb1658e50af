import Foundation

/// Progress on standard error, only when it is a terminal.
struct Progress {
    let enabled = isatty(2) == 1
    var last = Date.distantPast

    mutating func update(_ text: String, force: Bool = false) {
        guard enabled else { return }
        let now = Date()
        guard force || now.timeIntervalSince(last) > 0.1 else { return }
        last = now
        write("\r\u{1B}[K\(text)", to: .standardError)
    }

    func finish() {
        guard enabled else { return }
        write("\r\u{1B}[K", to: .standardError)
    }
}
