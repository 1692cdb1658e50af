import SIPASModel
import Testing

/// A subset of a categorical column is the column built from the subset's values one by one
/// (levels in order of first appearance, blanks as 0), by either lookup (many rows or few).
@Test func categoricalSubsetEqualsTheColumnOfItsValues() {
    var state: UInt64 = 2026
    func next(_ n: Int) -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int((state >> 33) % UInt64(n))
    }
    let values: [String?] = (0..<5000).map { _ in
        let k = next(400)
        return k < 20 ? nil : k < 25 ? "" : "XA\(k)"
    }
    let column = Categorical(values)
    for rows in [[], [3], Array(0..<5000), (0..<40).map { _ in next(5000) }, (0..<3000).map { _ in next(5000) }, [7, 7, 7, 2]] {
        let subset = column.subset(rows)
        #expect(subset == Categorical(rows.map { values[$0] }))
        #expect(rows.indices.allSatisfy { subset[$0] == (values[rows[$0]].flatMap { $0.isEmpty ? nil : $0 }) })
    }
}
