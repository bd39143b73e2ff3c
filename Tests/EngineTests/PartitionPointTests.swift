import XCTest
import SimEngine

final class PartitionPointTests: XCTestCase {
    /// On every sorted array of up to 12 elements and every threshold, the partition point is the first index
    /// whose element is at least the threshold, found by a linear scan.
    func testItIsTheFirstElementOfTheSecondPart() {
        for n in 0...12 {
            let sorted = (0..<n).map { $0 / 2 * 3 }  // repeats: 0, 0, 3, 3, 6, ...
            for threshold in -1...20 {
                let expected = sorted.firstIndex { $0 >= threshold } ?? sorted.endIndex
                XCTAssertEqual(sorted.partitionPoint { $0 >= threshold }, expected, "n \(n), threshold \(threshold)")
            }
        }
        let slice = [1, 5, 9, 13][1...]
        XCTAssertEqual(slice.partitionPoint { $0 > 9 }, 3, "indices of the slice's base")
    }
}
