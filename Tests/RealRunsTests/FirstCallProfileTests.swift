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

    /// The first call's import (`program_first_call_races`): the races measured become as many short releases
    /// as lose that many in the model's race, for plain urlopen only (sync, threads); gevent, eventlet, asyncio
    /// and a program with its own client get none, and an older profile leaves zero.
    func testTheFirstCallsRacesBecomeReleases() throws {
        let p = try profile(["program_first_call_races": 7.1, "syscall_ns": 14_407])
        func releases(_ kind: Strategy.Kind, _ profile: MachineProfile) -> Int {
            RealRunner.scenarioForComparison(ExampleScenarios.ioHeavy(tasks: 2, calls: 3), strategy: Strategy(kind: kind), profile: profile)
                .costs.programFirstCallReleases
        }
        // P = 1 − exp(−(14.4 − 3) / 10) = 0.68 at the default wake-up: 7.1 / 0.68 = 10.4.
        XCTAssertEqual(releases(.threads(pool: nil), p), 10)
        XCTAssertEqual(releases(.sync, p), 10)
        XCTAssertEqual(releases(.gevent, p), 0)
        XCTAssertEqual(releases(.eventlet(tpoolSize: 20, cpuInTpool: false), p), 0)
        XCTAssertEqual(releases(.asyncio(executorWorkers: nil, cpuInExecutor: true), p), 0)
        XCTAssertEqual(releases(.threads(pool: nil), try profile(["syscall_ns": 14_407])), Defaults.programFirstCallReleases)
        // With urlopen's race measured the wake-up is `gilWake` and a short call loses less often (0.56):
        // 7.1 / 0.56 = 12.7.
        XCTAssertEqual(releases(.threads(pool: nil), try profile(["program_first_call_races": 7.1, "syscall_ns": 14_407,
                                                                  "race_lost_per_call": 4.24])), 13)
        XCTAssertEqual(p.applyWithOwnClient(to: ExampleScenarios.ioHeavy(tasks: 2, calls: 3)).costs.programFirstCallReleases, 0)
        XCTAssertEqual(try JSONDecoder().decode(MachineProfile.self, from: p.encoded()), p)
    }

    /// calibrate.py's `ready_recv_ns` and `timer_slack_ns` become the scenario's `costs.ready_recv` and
    /// `machine.timer_slack` for every strategy; a profile from before they were measured leaves the defaults.
    func testTheReadyRecvAndTheTimerSlackAreApplied() throws {
        let p = try profile(["ready_recv_ns": 4_900, "timer_slack_ns": 60_000])
        let scenario = ExampleScenarios.ioHeavy(tasks: 2, calls: 3)
        for kind in [Strategy.Kind.threads(pool: nil), .asyncio(executorWorkers: nil, cpuInExecutor: true)] {
            let applied = RealRunner.scenarioForComparison(scenario, strategy: Strategy(kind: kind), profile: p)
            XCTAssertEqual(applied.costs.readyRecv, .nanoseconds(4_900))
            XCTAssertEqual(applied.machine.timerSlack, .microseconds(60))
        }
        XCTAssertEqual(p.applyWithOwnClient(to: scenario).costs.readyRecv, .nanoseconds(4_900))
        let old = RealRunner.scenarioForComparison(scenario, strategy: Strategy(kind: .threads(pool: nil)), profile: try profile([:]))
        XCTAssertEqual(old.costs.readyRecv, Defaults.readyRecv)
        XCTAssertEqual(old.machine.timerSlack, Defaults.timerSlack)
        XCTAssertEqual(try JSONDecoder().decode(MachineProfile.self, from: p.encoded()), p)
    }

    /// calibrate.py's `resolver_job_ns` becomes `costs.resolver_job` (gevent's pool thread's CPU per lookup); a
    /// profile from before it was measured leaves the default, and the saved profile keeps it.
    func testTheResolverJobIsApplied() throws {
        let p = try profile(["resolver_job_ns": 31_000])
        let scenario = ExampleScenarios.ioHeavy(tasks: 2, calls: 3)
        let applied = RealRunner.scenarioForComparison(scenario, strategy: Strategy(kind: .gevent), profile: p)
        XCTAssertEqual(applied.costs.resolverJob, .microseconds(31))
        let old = RealRunner.scenarioForComparison(scenario, strategy: Strategy(kind: .gevent), profile: try profile([:]))
        XCTAssertEqual(old.costs.resolverJob, Defaults.resolverJob)
        XCTAssertEqual(try JSONDecoder().decode(MachineProfile.self, from: p.encoded()), p)
    }

    /// calibrate.py's `timed_wait_late` becomes `machine.timeout_idle_wake`: how late each wait was back, less
    /// what the model already puts after the deadline (the profile's timer slack, mean wake-up and context
    /// switch), never below zero, by increasing wait (a repeated wait dropped); an older profile leaves the
    /// default curve.
    func testTheTimedWaitsLatenessBecomesTheIdleWakeUp() throws {
        let p = try profile(["timer_slack_ns": 50_000, "timed_wait_late": [[5_000_000, 180_000], [100_000, 110_000],
                                                                            [1_000_000, 40_000], [1_000_000, 99_000]]])
        let scenario = ExampleScenarios.ioHeavy(tasks: 2, calls: 3)
        let applied = RealRunner.scenarioForComparison(scenario, strategy: Strategy(kind: .threads(pool: nil)), profile: p)
        let m = applied.machine
        let modelled = m.timerSlack + m.wakeLatency + m.contextSwitch
        XCTAssertEqual(m.timeoutIdleWake, [
            IdleRisePoint(latency: .microseconds(100), overhead: .microseconds(110) - modelled),
            IdleRisePoint(latency: .milliseconds(1), overhead: max(.zero, .microseconds(40) - modelled)),
            IdleRisePoint(latency: .milliseconds(5), overhead: .microseconds(180) - modelled),
        ])
        XCTAssertEqual(m.timeoutIdleWake[1].overhead, .zero, "40 us back is less than the model's own 50 us slack")
        let old = RealRunner.scenarioForComparison(scenario, strategy: Strategy(kind: .threads(pool: nil)), profile: try profile([:]))
        XCTAssertEqual(old.machine.timeoutIdleWake, Defaults.timeoutIdleWake)
        XCTAssertEqual(try JSONDecoder().decode(MachineProfile.self, from: p.encoded()), p)
    }
}
