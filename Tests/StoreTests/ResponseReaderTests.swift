import Foundation
import SIPASModel
import Testing

@testable import SIPASStore

/// The direct reader of stored free-text answers gives what JSONSerialization gives, on what the
/// store writes (random strings with every escape) and on JSON written by hand.
@Test func storedTextsReadDirectlyAsJSONSerializationReadsThem() throws {
    // Strings from a fixed seed (a linear congruential generator), so a failure repeats.
    var state: UInt64 = 2027
    func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 33
    }
    let alphabet: [String] = ["a", "Ế", "ư", "\"", "\\", "/", "\n", "\r", "\t", "\u{1}", "\u{1F}", "😀", " ", "{", "}", ":", ",", "\u{8}", "\u{C}"]
    for _ in 0..<500 {
        var object: [String: String] = [:]
        for k in 0..<Int(next() % 4) {
            object["q\(k)_\(next() % 3)"] = (0..<Int(next() % 12)).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] }.joined()
        }
        let json = Array(ResponseStore.json(object).utf8)
        let direct = json.withUnsafeBufferPointer { ResponseReader.flatStringObject($0) }
        #expect(direct == object, "\(String(decoding: json, as: UTF8.self))")
    }
    // Escapes the store does not write but JSON allows, and what the direct reader leaves to
    // JSONSerialization (spaces, numbers, nesting, lone surrogates, truncation).
    let handWritten = [
        #"{"a":"\u00e9\u1ebf\/x","b":"\ud83d\ude00\b\f"}"#, #"{}"#, #"{ "a": "b" }"#, #"{"a":1}"#, #"{"a":{"b":"c"}}"#,
        #"{"a":"\ud83d"}"#, #"{"a":"b""#, #"{"a":"b"} "#, #"{"a":"b","a":"c"}"#, #"{"a":"\x"}"#, "{\"a\":\"\\u00\"}",
    ]
    for text in handWritten {
        let bytes = Array(text.utf8)
        let expected = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: String] ?? [:]
        let read = bytes.withUnsafeBufferPointer { ResponseReader.texts($0) }
        #expect(read == expected, "\(text)")
    }
    #expect(Array(#"{"a":"\u00e9\u1ebf\/x","b":"\ud83d\ude00\b\f"}"#.utf8).withUnsafeBufferPointer { ResponseReader.flatStringObject($0) }
        == ["a": "éế/x", "b": "😀\u{8}\u{C}"])
    #expect(Array(#"{ "a": "b" }"#.utf8).withUnsafeBufferPointer { ResponseReader.flatStringObject($0) } == nil)
    #expect(Array(#"{"a":"\u+fff"}"#.utf8).withUnsafeBufferPointer { ResponseReader.flatStringObject($0) } == nil)
    // Any bytes (a store edited by hand): never a trap, and what JSON reads as strings, read alike.
    let pieces: [[UInt8]] = [[0x7B], [0x7D], [0x22], [0x3A], [0x2C], [0x5C], Array("u00e9".utf8), Array("ud83d".utf8), [0x61], [0xC3], [0xFF], [0x20]]
    for _ in 0..<20_000 {
        var bytes: [UInt8] = [0x7B]
        for _ in 0..<Int(next() % 14) { bytes += pieces[Int(next() % UInt64(pieces.count))] }
        let direct = bytes.withUnsafeBufferPointer { ResponseReader.flatStringObject($0) }
        if let direct, let json = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: String] {
            #expect(direct == json, "\(bytes)")
        }
    }
}
