import SimEngine
import SimModel
import SimScenario
import SimTrace
import XCTest

/// An I/O call right after a CPU step of its task costs `costs.cold_request_cpu` of client CPU beyond its own
/// (the step evicted the client's caches); a call after another call or after a sleep does not.
final class ColdRequestTests: XCTestCase {
    let ms = Fixtures.ms
    let extra = SimTime.microseconds(120)

    func call(_ latency: SimTime) -> Step { .io(IOStep(latency: .constant(latency), cpu: .constant(.microseconds(200)), connection: .new)) }
    func cpu(_ d: SimTime, _ kind: CPUKind = .python) -> Step { .cpu(CPUStep(duration: .constant(d), kind: kind)) }

    func scenario(_ count: Int, _ steps: [Step], cold: SimTime) -> Scenario {
        var s = Scenario(name: "cold", seed: 1, machine: Machine(cores: 2),
                         tasks: [TaskGroup(name: "handler", count: count, steps: steps)])
        s.machine.wakeJitter = 0
        s.costs.coldRequestCPU = cold
        return s
    }

    func runs(_ count: Int, _ steps: [Step], _ strategy: Strategy) throws -> (with: RunMetrics, without: RunMetrics) {
        (try Simulator.run(scenario(count, steps, cold: extra), strategy: strategy).metrics,
         try Simulator.run(scenario(count, steps, cold: .zero), strategy: strategy).metrics)
    }

    /// One task run alone: of its three calls only the one right after a CPU step pays, so the run is longer
    /// by exactly one extra, all of it Python holding the GIL.
    func testOnlyTheCallRightAfterACPUStepPays() throws {
        let steps = [cpu(ms(1)), call(ms(2)), call(ms(2)), cpu(ms(1), .cReleasesGIL), .sleep(.constant(ms(1))), call(ms(2))]
        let (with, without) = try runs(1, steps, Fixtures.sync)
        XCTAssertEqual(with.makespan - without.makespan, extra)
        XCTAssertEqual(with.gilHeld - without.gilHeld, extra)
    }

    /// Every call follows its task's own CPU step, whatever runs the step: the task's thread or the hub
    /// (4 tasks x 3 rounds = 12 extras of GIL time, exactly), or the loop's executor thread, the call then
    /// running on the loop: 12 extras too, give or take the loop passes the longer calls shift (one
    /// `loop_iteration` each).
    func testEachCallAfterAStepPaysOnceUnderEveryStrategy() throws {
        let steps: [Step] = [.repeat(count: 3, steps: [cpu(ms(2), .cHoldsGIL), call(ms(5))])]
        for strategy in [Fixtures.sync, Fixtures.threads, Fixtures.gevent, Strategy(kind: .eventlet(tpoolSize: 20, cpuInTpool: false))] {
            let (with, without) = try runs(4, steps, strategy)
            XCTAssertEqual(with.gilHeld - without.gilHeld, extra * 12, strategy.label)
        }
        let (with, without) = try runs(4, steps, Fixtures.asyncio)
        let passes = (with.gilHeld - without.gilHeld - extra * 12).nanoseconds
        XCTAssertLessThanOrEqual(abs(passes), 3 * Defaults.loopIteration.nanoseconds, "asyncio: \(with.gilHeld - without.gilHeld)")
    }

    /// Calls with no CPU step before them (io_heavy's kind of task) run exactly as without the cost.
    func testCallsAloneChangeNothing() throws {
        let io = Fixtures.io(5, calls: 4, latency: .constant(ms(10)))
        for strategy in Fixtures.all {
            var s = io
            s.costs.coldRequestCPU = extra
            XCTAssertEqual(try Simulator.run(s, strategy: strategy).metrics, try Simulator.run(io, strategy: strategy).metrics, strategy.label)
        }
    }

    /// The key reads and writes back; a scenario without it is written without it (its output unchanged).
    func testTheKeyIsWrittenOnlyWhenSet() throws {
        let plain = try ScenarioLoader.parse(text: #"{"tasks": [{"steps": [{"cpu": "1ms"}, {"io": "10ms"}]}]}"#)
        XCTAssertFalse(ScenarioEncoder.json(plain).contains("cold_request_cpu"))
        let text = #"{"costs": {"cold_request_cpu": "150us"}, "tasks": [{"steps": [{"cpu": "1ms"}, {"io": "10ms"}]}]}"#
        let s = try ScenarioLoader.parse(text: text)
        XCTAssertEqual(s.costs.coldRequestCPU, .microseconds(150))
        XCTAssertTrue(ScenarioEncoder.json(s).contains("cold_request_cpu"))
        XCTAssertEqual(try ScenarioLoader.parse(text: ScenarioEncoder.json(s)), s)
        XCTAssertThrowsError(try ScenarioLoader.parse(text: #"{"costs": {"cold_request_cpu": "lots"}, "tasks": [{"steps": [{"io": "10ms"}]}]}"#)) {
            XCTAssertTrue("\($0)".contains("cold_request_cpu"), "\($0)")
        }
    }
}
