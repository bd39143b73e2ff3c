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

    /// The program's first call (`program_first_call_ns`): each client's measured extra becomes the cost of the
    /// strategies that use it (urlopen plain for sync and threads, patched for gevent and eventlet); asyncio's
    /// aiohttp session and a program with its own client get none; an older profile leaves zero.
    func testTheProgramsFirstCallIsEachClients() throws {
        let p = try profile(["program_first_call_ns": ["urlopen": 2_200_000, "gevent": 7_300_000, "eventlet": 960_000]])
        func cost(_ kind: Strategy.Kind, _ profile: MachineProfile) -> SimTime {
            RealRunner.scenarioForComparison(ExampleScenarios.ioHeavy(tasks: 2, calls: 3), strategy: Strategy(kind: kind), profile: profile)
                .costs.programFirstCall
        }
        XCTAssertEqual(cost(.sync, p), .nanoseconds(2_200_000))
        XCTAssertEqual(cost(.threads(pool: nil), p), .nanoseconds(2_200_000))
        XCTAssertEqual(cost(.gevent, p), .nanoseconds(7_300_000))
        XCTAssertEqual(cost(.eventlet(tpoolSize: 20, cpuInTpool: false), p), .nanoseconds(960_000))
        XCTAssertEqual(cost(.asyncio(executorWorkers: nil, cpuInExecutor: true), p), .zero)
        XCTAssertEqual(cost(.gevent, try profile([:])), Defaults.programFirstCall)
        XCTAssertEqual(p.applyWithOwnClient(to: ExampleScenarios.ioHeavy(tasks: 2, calls: 3)).costs.programFirstCall, .zero)
        XCTAssertEqual(try JSONDecoder().decode(MachineProfile.self, from: p.encoded()), p)
    }
}
