import XCTest
import SimEngine
@testable import SimScenario

final class WorkloadDrawTests: XCTestCase {
    private let text = minimal(#""seed": 42"#, steps: #"[{"repeat": 50, "steps": [{"io": {"latency": {"lognormal": {"median": "180ms", "sigma": 0.6}}}}, {"cpu": {"exponential": {"mean": "1ms"}}}]}]"#)
        .replacingOccurrences(of: #""name": "t""#, with: #""name": "t", "count": 3"#)

    func testSameSeedSameOperationsAndTasksHaveTheirOwnStreams() throws {
        let a = Workload(try ScenarioLoader.parse(text: text))
        let b = Workload(try ScenarioLoader.parse(text: text))
        XCTAssertEqual(a.operations(of: 0), b.operations(of: 0))
        XCTAssertEqual(a.operations(of: 0).count, 100)
        XCTAssertNotEqual(a.operations(of: 0), a.operations(of: 1))
        let other = Workload(try ScenarioLoader.parse(text: text, overrides: ["seed=43"]))
        XCTAssertNotEqual(a.operations(of: 0), other.operations(of: 0))
    }

    func testSampleMeansMatchTheDistributions() {
        let n = 20_000
        let cases: [Distribution] = [
            .constant(.milliseconds(3)), .uniform(.milliseconds(1), .milliseconds(3)), .exponential(mean: .milliseconds(5)),
            .normal(mean: .milliseconds(10), stddev: .milliseconds(2)), .lognormal(median: .milliseconds(180), sigma: 0.6),
            .empirical([.milliseconds(1), .milliseconds(2), .milliseconds(6)]),
        ]
        for d in cases {
            var rng = SplitMix64(seed: 7, stream: 3)
            var sum = 0.0
            for _ in 0..<n { sum += Double(d.draw(&rng).nanoseconds) }
            let mean = sum / Double(n)
            XCTAssertEqual(mean, Double(d.mean.nanoseconds), accuracy: Double(d.mean.nanoseconds) * 0.03, "\(d)")
        }
    }

    /// Nested `repeat`s run their bodies the product of their counts times, in program order (the cursor
    /// keeps the innermost loop's count apart from the outer ones').
    func testNestedRepeatsRunInOrder() throws {
        let steps = #"[{"cpu": "1ms"}, {"repeat": 3, "steps": [{"sleep": "2ms"}, {"repeat": 2, "steps": [{"cpu": "3ms"}, {"repeat": 2, "steps": [{"sleep": "4ms"}]}]}]}, {"sleep": "5ms"}]"#
        let ops = Workload(try ScenarioLoader.parse(text: minimal(steps: steps))).operations(of: 0)
        func ms(_ op: SimScenario.Operation) -> Int64 {
            switch op {
            case .cpu(let d, _), .sleep(let d): return d.nanoseconds / 1_000_000
            case .io: return -1
            }
        }
        let inner: [Int64] = [3, 4, 4]
        let middle: [Int64] = [2] + inner + inner
        let expected: [Int64] = [1] + middle + middle + middle + [5]
        XCTAssertEqual(ops.map(ms), expected)
    }
}
