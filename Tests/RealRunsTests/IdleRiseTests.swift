import Foundation
import SimEngine
import SimRealRuns
import SimScenario
import XCTest

/// The idle wake-up of a long wait, from calibrate.py's `wait_costs` (docs/model.md, "The idle wake-up of a
/// long wait").
final class IdleRiseTests: XCTestCase {
    func profile(waits: [[Double]]) throws -> MachineProfile {
        var raw = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(CostFitTests.calibrationJSON.utf8)) as? [String: Any])
        raw["wait_costs"] = waits
        return try MachineProfile.fromCalibration(JSONSerialization.data(withJSONObject: raw), path: "c")
    }

    func us(_ n: Int64) -> SimTime { .microseconds(n) }

    /// The rise counts from the delay `io_overhead` was measured at (200 us); a longer wait that measured
    /// faster than a shorter one is pooled with it (a wait never wakes faster for being longer).
    func testRiseIsTheMonotoneExcessAboveTheOverheadsDelay() throws {
        // us of delay -> ns beyond it; 1000 us dips below 500 us: both become their mean, 650 us.
        let p = try profile(waits: [[0, 450_000], [50, 480_000], [100, 490_000], [200, 500_000],
                                    [500, 700_000], [1_000, 600_000], [5_000, 1_100_000]])
        XCTAssertEqual(p.idleRise, [
            IdleRisePoint(latency: us(200), overhead: .zero), IdleRisePoint(latency: us(500), overhead: us(150)),
            IdleRisePoint(latency: us(1_000), overhead: us(150)), IdleRisePoint(latency: us(5_000), overhead: us(600)),
        ])
        let costs = RealRunner.scenarioForComparison(ExampleScenarios.ioHeavy(tasks: 1, calls: 1), strategy: Strategy(kind: .sync),
                                                     profile: p).costs
        XCTAssertEqual(costs.ioIdle(latency: us(3_000)), us(375), "halfway from 1 ms to 5 ms")
        XCTAssertEqual(costs.ioIdle(latency: us(100)), .zero)
        XCTAssertEqual(costs.ioIdle(latency: .milliseconds(50)), us(600), "level after the last point")
        XCTAssertTrue(Calibrator.summary(p).contains("idle wake-up"), "simulate calibrate shows the rise")
        XCTAssertNil(try profile(waits: [[500, 700_000], [1_000, 800_000], [5_000, 1_100_000]]).idleRise, "no short delay")
        XCTAssertNil(try profile(waits: [[0, 500_000], [200, 500_000], [1_000, 400_000], [5_000, 450_000]]).idleRise, "no rise")
    }
}
