import Crypto
import Foundation

/// Digests as sipas writes them: lowercase hexadecimal, SHA-256 of content.
///
/// Use it for every hash a person or a file sees (file SHA-256 in batches, questionnaire content
/// hashes in templates and the store, the report's data hash, dossier HMACs).
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Bytes as lowercase hexadecimal.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes written as hexadecimal (either case), or nil if `text` is not an even run of hex digits.
    public static func decode(_ text: String) -> [UInt8]? {
        let u = Array(text.utf8)
        guard u.count % 2 == 0 else { return nil }
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            case 0x41...0x46: c - 0x41 + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let hi = value(u[i]), let lo = value(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    /// SHA-256 of the bytes, in hexadecimal.
    public static func sha256(_ data: some DataProtocol) -> String { encode(SHA256.hash(data: data)) }

    /// SHA-256 of the text's UTF-8 bytes, in hexadecimal (a questionnaire's content hash).
    public static func sha256(_ text: String) -> String { sha256(Data(text.utf8)) }
}

/// SHA-256 over data given in pieces (a file read in blocks, a table written row by row).
public struct SHA256Hasher {
    private var inner = SHA256()

    public init() {}

    public mutating func update(_ data: some DataProtocol) { inner.update(data: data) }

    public mutating func update(bufferPointer: UnsafeRawBufferPointer) { inner.update(bufferPointer: bufferPointer) }

    /// The digest of everything given, in hexadecimal.
    public func hex() -> String { Hex.encode(inner.finalize()) }
}
