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
}
