import SimEngine
import SimModel
import SimScenario
import SimTrace
import XCTest

/// A task whose client keeps its connection alive (asyncio's and uvloop's aiohttp session, trio's and curio's
/// stream) closes it at its end: `costs.session_close_cpu` of client CPU, then the `close()` system call, after
/// its last step; the call that opened the connection closes nothing (docs/model.md, "An aiohttp session is
/// closed at its task's end").
final class SessionCloseTests: XCTestCase {
    let ms = Fixtures.ms
    let us = Fixtures.us
    let close = SimTime.microseconds(70)

    func scenario(tasks: Int, calls: Int, close: SimTime) -> Scenario {
        var s = Scenario(name: "close", seed: 1, machine: Machine(cores: 2), tasks: [TaskGroup(name: "client", count: tasks, steps: [
            .repeat(count: calls, steps: [.io(IOStep(latency: .constant(ms(5)), cpu: .constant(us(100)), connection: .new))]),
        ])])
        s.machine.wakeJitter = 0
        s.costs.syscall = us(12)
        s.costs.sessionCloseCPU = close
        return s
    }

    /// One task alone on asyncio: the close comes after its last answer, on the loop, holding the GIL, so the
    /// run is longer by exactly the close's CPU, and the GIL is held that much longer.
    func testTheCloseRunsAfterTheLastStep() throws {
        for calls in [1, 3] {
            let with = try Simulator.run(scenario(tasks: 1, calls: calls, close: close), strategy: Fixtures.asyncio).metrics
            let without = try Simulator.run(scenario(tasks: 1, calls: calls, close: .zero), strategy: Fixtures.asyncio).metrics
            XCTAssertEqual(with.makespan - without.makespan, close, "\(calls) calls")
            XCTAssertEqual(with.gilHeld - without.gilHeld, close, "\(calls) calls")
            XCTAssertEqual(with.operations, without.operations, "the close is no operation")
        }
    }

    /// The close comes after the task's last step, not with its first request: a task with a short call ends
    /// long before one with a long call, so its close delays nothing, and the run is longer by exactly one
    /// close (the long task's own). Paid with the first request, before its send, both closes would delay the
    /// long call's send.
    func testAShortTasksCloseDelaysNoOtherTask() throws {
        func run(_ close: SimTime) throws -> RunMetrics {
            var s = scenario(tasks: 1, calls: 1, close: close)
            s.tasks = [ms(5), ms(10)].enumerated().map { i, latency in
                TaskGroup(name: "client\(i)", steps: [.io(IOStep(latency: .constant(latency), cpu: .constant(us(100)), connection: .new))])
            }
            return try Simulator.run(s, strategy: Fixtures.asyncio).metrics
        }
        XCTAssertEqual(try run(close).makespan - run(.zero).makespan, close)
    }

    /// Where each call opens and closes its own connection (urlopen: sync, threads, processes, gevent) the
    /// cost changes nothing.
    func testClientsWithoutAKeptConnectionIgnoreIt() throws {
        for strategy in [Fixtures.sync, Fixtures.threads, Fixtures.processes, Fixtures.gevent] {
            XCTAssertEqual(try Simulator.run(scenario(tasks: 4, calls: 2, close: close), strategy: strategy).metrics,
                           try Simulator.run(scenario(tasks: 4, calls: 2, close: .zero), strategy: strategy).metrics, strategy.label)
        }
    }

    /// Many tasks at once on asyncio: every task pays its close once, on the loop (50 closes of GIL time,
    /// give or take the loop passes the later ends shift: one `loop_iteration` each).
    func testEveryTaskPaysItsCloseOnce() throws {
        let with = try Simulator.run(scenario(tasks: 50, calls: 2, close: close), strategy: Fixtures.asyncio).metrics
        let without = try Simulator.run(scenario(tasks: 50, calls: 2, close: .zero), strategy: Fixtures.asyncio).metrics
        let passes = (with.gilHeld - without.gilHeld - close * 50).nanoseconds
        XCTAssertLessThanOrEqual(abs(passes), 50 * Defaults.loopIteration.nanoseconds, "\(with.gilHeld - without.gilHeld)")
    }

    /// The key reads and writes back; a scenario without it is written without it (its output unchanged).
    func testTheKeyIsWrittenOnlyWhenSet() throws {
        let plain = try ScenarioLoader.parse(text: #"{"tasks": [{"steps": [{"io": "10ms"}]}]}"#)
        XCTAssertFalse(ScenarioEncoder.json(plain).contains("session_close_cpu"))
        let s = try ScenarioLoader.parse(text: #"{"costs": {"session_close_cpu": "90us"}, "tasks": [{"steps": [{"io": "10ms"}]}]}"#)
        XCTAssertEqual(s.costs.sessionCloseCPU, us(90))
        XCTAssertTrue(ScenarioEncoder.json(s).contains("session_close_cpu"))
        XCTAssertEqual(try ScenarioLoader.parse(text: ScenarioEncoder.json(s)), s)
        XCTAssertThrowsError(try ScenarioLoader.parse(text: #"{"costs": {"session_close_cpu": "-1ms"}, "tasks": [{"steps": [{"io": "10ms"}]}]}"#)) {
            XCTAssertTrue("\($0)".contains("session_close_cpu"), "\($0)")
        }
    }
}
