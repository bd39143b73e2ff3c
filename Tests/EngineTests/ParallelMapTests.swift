import XCTest
@testable import SimEngine

final class ParallelMapTests: XCTestCase {
    struct Odd: Error, Equatable { let i: Int }

    /// Every job runs once and its result lands in its own slot, whatever the number of workers: the same
    /// values and the same failures as one worker running the jobs in order.
    func testResultsAreInJobOrderWhateverTheWorkers() {
        let job: (Int) throws -> Int = { i in
            if i % 7 == 3 { throw Odd(i: i) }
            return (0...(i % 50) * 100).reduce(i) { ($0 &* 31) &+ $1 }
        }
        func flat(_ r: [Result<Int, Error>]) -> [String] { r.map { "\((try? $0.get()).map(String.init) ?? "\((try? $0.get()) == nil)")" } }
        let one = ParallelMap.run(200, workers: 1, job)
        for workers in [2, 4, 16] {
            let many = ParallelMap.run(200, workers: workers, job)
            XCTAssertEqual(flat(many), flat(one), "\(workers) workers")
            for (i, r) in many.enumerated() where i % 7 == 3 {
                XCTAssertThrowsError(try r.get()) { XCTAssertEqual($0 as? Odd, Odd(i: i)) }
            }
        }
        XCTAssertTrue(ParallelMap.run(0, workers: 4) { $0 }.isEmpty)
    }
}
