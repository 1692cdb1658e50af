import Foundation

/// A command-line tool of the tests that ended with a status other than 0.
public struct ToolFailed: Error, CustomStringConvertible {
    public var description: String
}

/// Runs a tool of the tests (poppler's pdftoppm/pdftotext, zbar's zbarimg, …) and returns its
/// standard output; throws when it fails, with its standard error (kept out of the test log
/// otherwise: zbarimg's ImageMagick talks of D-Bus on a machine without one). Output goes
/// through files: Foundation's Pipe has crashed under concurrent tests on Linux.
public func tool(_ name: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [name] + arguments
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("sipas-tool-\(UUID().uuidString)")
    let err = out.appendingPathExtension("err")
    FileManager.default.createFile(atPath: out.path, contents: nil)
    FileManager.default.createFile(atPath: err.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: out)
        try? FileManager.default.removeItem(at: err)
    }
    let handle = try FileHandle(forWritingTo: out), errors = try FileHandle(forWritingTo: err)
    process.standardOutput = handle
    process.standardError = errors
    try process.run()
    process.waitUntilExit()
    try handle.close()
    try errors.close()
    guard process.terminationStatus == 0 else {
        let message = String(decoding: (try? Data(contentsOf: err)) ?? Data(), as: UTF8.self)
        throw ToolFailed(description: "\(name) \(arguments.joined(separator: " ")) failed with status \(process.terminationStatus) (scripts/install-deps.sh --test installs it): \(message)")
    }
    return String(decoding: try Data(contentsOf: out), as: UTF8.self)
}
