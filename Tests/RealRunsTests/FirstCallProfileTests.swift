import Foundation
import SimEngine
import SimRealRuns
import SimScenario
import XCTest

/// calibrate.py's `process_first_call_ns` in the profile and in a comparison's scenario (docs/model.md, "A
/// child's first call").
final class FirstCallProfileTests: XCTestCase {
    func profile(_ extra: [String: Any]) throws -> MachineProfile {
        var raw = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(CostFitTests.calibrationJSON.utf8)) as? [String: Any])
        for (k, v) in extra { raw[k] = v }
        return try MachineProfile.fromCalibration(JSONSerialization.data(withJSONObject: raw), path: "c")
    }

    /// Each start method's measured extra becomes its `process_first_call` (a negative median, noise, is none);
    /// a profile from before it was measured leaves the scenario's zero; the profile saves and loads it.
    func testTheMeasuredExtraIsTheCost() throws {
        let p = try profile(["process_first_call_ns": ["fork": 4_800_000, "forkserver": 2_600_000, "spawn": -10_000]])
        let scenario = RealRunner.scenarioForComparison(ExampleScenarios.ioHeavy(tasks: 2, calls: 3),
                                                        strategy: Strategy(kind: .processes(pool: nil, startMethod: .fork)), profile: p)
        XCTAssertEqual(scenario.costs.processFirstCall, [.fork: .nanoseconds(4_800_000), .forkserver: .nanoseconds(2_600_000), .spawn: .zero])
        let old = RealRunner.scenarioForComparison(ExampleScenarios.ioHeavy(tasks: 2, calls: 3),
                                                   strategy: Strategy(kind: .processes(pool: nil, startMethod: .fork)), profile: try profile([:]))
        XCTAssertEqual(old.costs.processFirstCall, Defaults.processFirstCall)
        XCTAssertEqual(try JSONDecoder().decode(MachineProfile.self, from: p.encoded()), p)
    }
}
