import Foundation
import SimEngine
import SimRealRuns
import SimScenario
import XCTest

/// calibrate.py's `processes_at_scale` in the profile: the parent's serial share of a start and the child's
/// own (docs/model.md, "The parent's share of starting a process").
final class ProcessStartProfileTests: XCTestCase {
    func profile(_ extra: [String: Any]) throws -> MachineProfile {
        var raw = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(CostFitTests.calibrationJSON.utf8)) as? [String: Any])
        for (k, v) in extra { raw[k] = v }
        return try MachineProfile.fromCalibration(JSONSerialization.data(withJSONObject: raw), path: "c")
    }

    func costs(_ p: MachineProfile, _ method: StartMethod) -> Costs {
        RealRunner.scenarioForComparison(ExampleScenarios.ioHeavy(tasks: 2, calls: 3),
                                         strategy: Strategy(kind: .processes(pool: nil, startMethod: method)), profile: p).costs
    }

    /// With the parent's CPU measured (rows of five), its share is that CPU per child, not its time in the
    /// start() calls, which also holds its waits for a core; the child's share is the rest of one start
    /// (`process_start_ns` 2 ms for fork here: 2 − 0.7 = 1.3 ms). The profile saves and loads the rows.
    func testTheParentsShareIsItsCPUInTheStartCalls() throws {
        let p = try profile(["processes_at_scale": [
            "fork": [[1, 900_000, 3_400_000, 900_000, 2_400_000], [16, 30_400_000, 33_000_000, 11_200_000, 38_000_000]],
            "spawn": [[1, 800_000, 100_000_000, 400_000, 99_000_000], [16, 120_000_000, 900_000_000, 6_400_000, 1_700_000_000]],
        ]])
        XCTAssertEqual(p.parentShareOfStart(.fork), .nanoseconds(700_000))
        XCTAssertEqual(p.parentShareOfStart(.spawn), .nanoseconds(400_000))
        XCTAssertNil(p.parentShareOfStart(.forkserver))
        XCTAssertEqual(costs(p, .fork).processSpawn[.fork], .nanoseconds(700_000))
        XCTAssertEqual(costs(p, .fork).processStart[.fork], .nanoseconds(1_300_000))
        XCTAssertEqual(costs(p, .spawn).processStart[.spawn], .nanoseconds(89_600_000))
        XCTAssertEqual(costs(p, .forkserver).processStart[.forkserver], .nanoseconds(50_000_000))
        XCTAssertEqual(costs(p, .forkserver).processSpawn[.forkserver], .zero)
        XCTAssertEqual(try JSONDecoder().decode(MachineProfile.self, from: p.encoded()), p)
    }

    /// A spawned child's start-up with every core busy (`machine.start_efficiency`): its CPU alone over each
    /// one's at the largest count, from the children's CPU column (99 ms alone, 1700 / 16 = 106.25 ms at 16:
    /// 0.932); a profile without the column gives it from the times until the last join.
    func testTheSpawnedChildsCPUAtScaleIsItsStartEfficiency() throws {
        let rows: [String: Any] = ["spawn": [[1, 800_000, 100_000_000, 400_000, 99_000_000], [16, 120_000_000, 900_000_000, 6_400_000, 1_700_000_000]]]
        let p = try profile(["processes_at_scale": rows])
        let e = try XCTUnwrap(p.startEfficiency)
        XCTAssertEqual(e, 99.0 / 106.25, accuracy: 1e-9)
        let machine = RealRunner.scenarioForComparison(ExampleScenarios.ioHeavy(tasks: 2, calls: 3),
                                                       strategy: Strategy(kind: .processes(pool: nil, startMethod: .spawn)), profile: p).machine
        XCTAssertEqual(try XCTUnwrap(machine.startEfficiency), e, accuracy: 1e-9)
        // Rows of three (no CPU column): from the times until the last join, 16 x 100 ms / (2 cores x 900 ms).
        let old = try profile(["processes_at_scale": ["spawn": [[1, 800_000, 100_000_000], [16, 120_000_000, 900_000_000]]]])
        XCTAssertEqual(try XCTUnwrap(old.startEfficiency), 1_600.0 / 1_800.0, accuracy: 1e-9)
        let oldMachine = RealRunner.scenarioForComparison(ExampleScenarios.ioHeavy(tasks: 2, calls: 3),
                                                          strategy: Strategy(kind: .processes(pool: nil, startMethod: .spawn)), profile: old).machine
        XCTAssertEqual(try XCTUnwrap(oldMachine.startEfficiency), 1_600.0 / 1_800.0, accuracy: 1e-9)
        // Without a row of at least one child a core there is nothing to tell.
        XCTAssertNil(try profile(["processes_at_scale": ["spawn": [[1, 800_000, 100_000_000]]]]).startEfficiency)
    }

    /// Each start method's measured first-start extra becomes its `process_first_start` (a negative median,
    /// noise, is none); a profile from before it was measured leaves the scenario's zero.
    func testTheFirstStartsExtraIsItsCost() throws {
        let p = try profile(["process_first_start_ns": ["fork": 800_000, "forkserver": 34_000_000, "spawn": -2_000_000]])
        XCTAssertEqual(costs(p, .forkserver).processFirstStart, [.fork: .nanoseconds(800_000), .forkserver: .nanoseconds(34_000_000), .spawn: .zero])
        XCTAssertEqual(costs(try profile([:]), .forkserver).processFirstStart, Defaults.processFirstStart)
        XCTAssertEqual(try JSONDecoder().decode(MachineProfile.self, from: p.encoded()), p)
    }

    /// A measured first-Pool extra becomes `pool_first_start`; a profile from before it was measured gives a
    /// pool the first start's extra, which pools paid until then, so its predictions stay as they were.
    func testTheFirstPoolsExtraIsItsCost() throws {
        let first: [String: Any] = ["fork": 800_000, "forkserver": 34_000_000, "spawn": 0]
        let p = try profile(["process_first_start_ns": first, "pool_first_start_ns": ["fork": 5_000_000, "forkserver": 39_000_000, "spawn": -1]])
        XCTAssertEqual(costs(p, .fork).poolFirstStart, [.fork: .nanoseconds(5_000_000), .forkserver: .nanoseconds(39_000_000), .spawn: .zero])
        XCTAssertEqual(costs(p, .fork).processFirstStart[.fork], .nanoseconds(800_000))
        XCTAssertEqual(costs(try profile(["process_first_start_ns": first]), .fork).poolFirstStart,
                       [.fork: .nanoseconds(800_000), .forkserver: .nanoseconds(34_000_000), .spawn: .zero])
        XCTAssertEqual(try JSONDecoder().decode(MachineProfile.self, from: p.encoded()), p)
    }

    /// A measured pool worker's extra becomes `pool_worker_start` (fork's negative median, noise, none), a child's
    /// exit `process_exit`; a profile from before they were measured leaves the scenario's zeros.
    func testThePoolWorkersExtraAndTheChildsExitAreTheirCosts() throws {
        let p = try profile(["pool_worker_start_ns": ["fork": -200_000, "forkserver": 6_000_000, "spawn": 7_000_000],
                             "process_exit_ns": ["fork": 700_000, "forkserver": 1_400_000, "spawn": 8_500_000]])
        XCTAssertEqual(costs(p, .spawn).poolWorkerStart, [.fork: .zero, .forkserver: .nanoseconds(6_000_000), .spawn: .nanoseconds(7_000_000)])
        XCTAssertEqual(costs(p, .spawn).processExit, [.fork: .nanoseconds(700_000), .forkserver: .nanoseconds(1_400_000), .spawn: .nanoseconds(8_500_000)])
        XCTAssertEqual(costs(try profile([:]), .spawn).poolWorkerStart, Defaults.poolWorkerStart)
        XCTAssertEqual(costs(try profile([:]), .spawn).processExit, Defaults.processExit)
        XCTAssertEqual(try JSONDecoder().decode(MachineProfile.self, from: p.encoded()), p)
    }

    /// A profile from before the CPU was measured (rows of three), or a row whose CPU is missing (0), keeps
    /// the time in the start() calls per child; a share above the whole start is capped at it.
    func testOlderRowsKeepTheTimeInTheStartCalls() throws {
        let p = try profile(["processes_at_scale": [
            "fork": [[1, 1_500_000, 4_800_000], [16, 32_000_000, 35_000_000]],
            "forkserver": [[16, 88_000_000, 400_000_000, 0, 0]],
            "spawn": [[16, 1_600_000_000, 1_700_000_000]],
        ]])
        XCTAssertEqual(p.parentShareOfStart(.fork), .nanoseconds(2_000_000))
        XCTAssertEqual(p.parentShareOfStart(.forkserver), .nanoseconds(5_500_000))
        XCTAssertEqual(costs(p, .fork).processSpawn[.fork], .nanoseconds(2_000_000))
        XCTAssertEqual(costs(p, .fork).processStart[.fork], .zero)
        XCTAssertEqual(costs(p, .forkserver).processStart[.forkserver], .nanoseconds(44_500_000))
        XCTAssertEqual(costs(p, .spawn).processSpawn[.spawn], .nanoseconds(90_000_000))
        XCTAssertEqual(costs(p, .spawn).processStart[.spawn], .zero)
    }

    /// calibrate.py's "process start" step runs three times, the first round at the calibration's start and two
    /// later ones near its end, and the profile keeps each method's median over the rounds (this VM starts
    /// processes 40-50% slower now and then, for seconds to a minute; validation/sixth-host/README.md): run alone, the
    /// step still makes its three rounds and gives every method, a fork far cheaper than a new interpreter.
    func testTheProcessStartStepRunsItsThreeRounds() throws {
        let (object, stderr) = try CalibrationStep.run("process start")
        XCTAssertEqual(stderr.split(separator: "\n").filter { $0.contains("process start") }.count, 3, stderr)
        let starts = try XCTUnwrap(object["process_start_ns"] as? [String: Double])
        XCTAssertEqual(Set(starts.keys), ["fork", "forkserver", "spawn"])
        let fork = try XCTUnwrap(starts["fork"])
        XCTAssertGreaterThan(fork, 0)
        XCTAssertLessThan(fork, try XCTUnwrap(starts["forkserver"]))
        XCTAssertLessThan(fork, try XCTUnwrap(starts["spawn"]))
    }
}
