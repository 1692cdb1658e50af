import Foundation
import SIPASModel

/// Shared by the fuzz targets: the questionnaires they read with, embedded in the binary at build
/// time (the files here are links to `Questionnaires/`), so a fuzzer runs from any directory.
public enum FuzzSupport {
    public static let sipas2023 = load(PackageResources.sipas_2023_yaml, "sipas-2023.yaml")
    public static let counterQuick = load(PackageResources.counter_quick_yaml, "counter-quick.yaml")

    static func load(_ bytes: [UInt8], _ name: String) -> Questionnaire {
        do {
            return try Questionnaire(yaml: String(decoding: bytes, as: UTF8.self), file: name)
        } catch {
            // Not a finding: the committed questionnaire itself is broken, so every run would stop here.
            try? FileHandle.standardError.write(contentsOf: Data("fuzz setup: \(name) does not load:\n\(error)\n".utf8))
            exit(2)
        }
    }

    /// A mismatch between two readings of the same input: a defect, reported as a crash so that
    /// libFuzzer saves the input.
    public static func defect(_ message: @autoclosure () -> String) -> Never {
        try? FileHandle.standardError.write(contentsOf: Data("DEFECT: \(message())\n".utf8))
        abort()
    }
}

extension ResponseTable {
    /// The same rows and values (the questionnaire is the caller's).
    public func sameContent(as other: ResponseTable) -> Bool {
        guard count == other.count, formID == other.formID, collectedOn == other.collectedOn,
            codes == other.codes, picks == other.picks, texts == other.texts
        else { return false }
        for r in 0..<count where unit[r] != other.unit[r] || channel[r] != other.channel[r] || field[r] != other.field[r] {
            return false
        }
        return true
    }
}
