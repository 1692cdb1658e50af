import Foundation
import SIPASCSV
import SIPASFuzzSupport
import SIPASModel

// The canonical CSV reader on arbitrary bytes, with both committed questionnaires, three ways:
// whole (one core), split in two halves (the large-file path, forced by a zero threshold) and
// piece by piece from a file. No way may trap, and all three must agree: both read the same
// table, or all refuse the file.

let questionnaires = [FuzzSupport.sipas2023, FuzzSupport.counterQuick]
/// The input as a file, for the piece-wise read (in memory when /dev/shm exists; written without fsync).
let scratch = URL(fileURLWithPath: FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
    .appendingPathComponent("sipas-fuzz-csv-\(getpid()).csv")

func writeScratch(_ start: UnsafePointer<UInt8>?, _ count: Int) {
    let fd = open(scratch.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { FuzzSupport.defect("cannot write \(scratch.path): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var done = 0
    while done < count, let start {
        let n = write(fd, start + done, count - done)
        guard n > 0 else { FuzzSupport.defect("cannot write \(scratch.path): \(String(cString: strerror(errno)))") }
        done += n
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = count > 0 && start != nil ? Data(bytes: start!, count: count) : Data()
    writeScratch(start, count)
    // Small pieces, so that inputs of a few hundred bytes cross piece boundaries.
    let pieceBytes = 1 + Int(data.last ?? 0) % 97
    for q in questionnaires {
        var reader = CanonicalCSVReader(questionnaire: q)
        let whole = Result { () throws(Problems) in try reader.read(data: data, file: "f.csv") }
        reader.parallelThreshold = 0
        let halves = Result { () throws(Problems) in try reader.read(data: data, file: "f.csv") }
        var pieces: ResponseTable?
        let streamed = Result {
            try reader.forEachPiece(contentsOf: scratch, pieceBytes: pieceBytes) { piece, _ in
                if pieces == nil { pieces = piece } else { pieces!.append(contentsOf: piece) }
            }
        }
        switch (whole, halves) {
        case (.success(let a), .success(let b)):
            if !a.sameContent(as: b) { FuzzSupport.defect("\(q.id): the two-core read gives another table than the one-core read") }
        case (.failure, .failure): break
        case (.success, .failure(let e)): FuzzSupport.defect("\(q.id): only the two-core read refuses the file:\n\(e)")
        case (.failure(let e), .success): FuzzSupport.defect("\(q.id): only the two-core read accepts the file; the one-core read says:\n\(e)")
        }
        switch (whole, streamed) {
        case (.success(let a), .success):
            let b = pieces ?? ResponseTable(questionnaire: q)
            if !a.sameContent(as: b) { FuzzSupport.defect("\(q.id): reading piece by piece (\(pieceBytes) bytes) gives another table") }
        case (.failure, .failure): break
        case (.success, .failure(let e)): FuzzSupport.defect("\(q.id): only the piece-wise read (\(pieceBytes) bytes) refuses the file:\n\(e)")
        case (.failure(let e), .success): FuzzSupport.defect("\(q.id): only the piece-wise read (\(pieceBytes) bytes) accepts the file; the whole read says:\n\(e)")
        }
    }
    return 0
}
