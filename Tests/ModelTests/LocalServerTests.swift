import SimEngine
import SimModel
import SimScenario
import XCTest

/// A server on the same machine (the real runs' latency server) takes requests one at a time, one turn
/// apart (`costs.server_answer_new` / `server_answer_reuse`), and counts the latency from then.
final class LocalServerTests: XCTestCase {
    let ms = Fixtures.ms
    let us = Fixtures.us

    func scenario(turn: SimTime, count: Int, calls: Int = 1) -> Scenario {
        var s = Fixtures.io(count, calls: calls, latency: .constant(ms(20)))
        s.machine.wakeJitter = 0
        s.costs.serverAnswerNew = turn
        s.costs.serverAnswerReuse = turn
        return s
    }

    /// Forty coroutines send their requests within a few milliseconds; with a 1 ms turn the server takes
    /// them 1 ms apart, so their answers, and the tasks' ends, come 1 ms apart.
    func testRequestsSentTogetherAreAnsweredOneTurnApart() throws {
        let turn = ms(1)
        let run = try Simulator.run(scenario(turn: turn, count: 40), strategy: Fixtures.asyncio)
        let ends = run.metrics.taskLatencies.sorted()
        for (a, b) in zip(ends, ends.dropFirst()) {
            // The loop's few microseconds of work per answer may shift an end, never by a turn.
            XCTAssertEqual((b - a).nanoseconds, turn.nanoseconds, accuracy: 60_000, "\(ends)")
        }
        let free = try Simulator.run(scenario(turn: .zero, count: 40), strategy: Fixtures.asyncio)
        XCTAssertLessThan(free.metrics.makespan, run.metrics.makespan - ms(30), "without the turn the answers come together")
    }

    /// One request at a time (sync) never waits for the server: each comes a whole round trip after the
    /// last, far more than a turn, so the makespan is exactly that without a local server.
    func testSequentialRequestsNeverQueue() throws {
        let with = try Simulator.run(scenario(turn: ms(1), count: 3, calls: 4), strategy: Fixtures.sync)
        let without = try Simulator.run(scenario(turn: .zero, count: 3, calls: 4), strategy: Fixtures.sync)
        XCTAssertEqual(with.metrics.makespan, without.metrics.makespan)
    }

    /// The server's turns are CPU on this machine's cores: forty requests of a 1 ms turn keep the cores
    /// busy 40 ms longer in all (less than a switch more for each of the server's dispatches), and the
    /// server has no lane of its own (the measured side has none).
    func testTheServersTurnsRunOnTheCores() throws {
        let options = SimulationOptions(coreLanes: true, checkInvariants: true)
        let with = try Simulator.run(scenario(turn: ms(1), count: 40), strategy: Fixtures.asyncio, options: options)
        let without = try Simulator.run(scenario(turn: .zero, count: 40), strategy: Fixtures.asyncio, options: options)
        func busy(_ run: SimulationRun) -> Int64 { run.metrics.coreBusy.reduce(0) { $0 + $1.nanoseconds } }
        let extra = busy(with) - busy(without)
        XCTAssertGreaterThanOrEqual(extra, ms(40).nanoseconds, "the server's 40 turns ran on a core")
        XCTAssertLessThan(extra, ms(40).nanoseconds + 40 * us(20).nanoseconds, "nothing but the turns and their switches")
        XCTAssertEqual(with.trace?.lanes.map(\.name), without.trace?.lanes.map(\.name))
    }

    /// Two threads of GIL-free C keep both cores busy for 100 ms; a third makes ten calls to the local
    /// server, whose turns are 5 ms of CPU each. The 50 ms of server work must share the two cores: by work
    /// conservation the run ends at least 25 ms later (less the fetching thread's own CPU), and at most the
    /// whole 50 ms later (the cores' shares are uneven while the server runs on one of them).
    func testTheServersTurnsSlowBusyCores() throws {
        func run(_ turn: SimTime) throws -> SimTime {
            var s = Scenario(
                name: "server", seed: 1, machine: Machine(cores: 2),
                tasks: [
                    TaskGroup(name: "c", count: 2, steps: [.cpu(CPUStep(duration: .constant(ms(100)), kind: .cReleasesGIL))]),
                    TaskGroup(name: "fetch", steps: [
                        .repeat(count: 10, steps: [.io(IOStep(latency: .constant(ms(1)), cpu: .constant(us(100)), connection: .new))]),
                    ]),
                ])
            s.machine.wakeJitter = 0
            s.costs.serverAnswerNew = turn
            s.costs.serverAnswerReuse = turn
            return try Simulator.run(s, strategy: Fixtures.threads, options: SimulationOptions(checkInvariants: true)).metrics.makespan
        }
        let slower = try run(ms(5)) - run(.zero)
        XCTAssertGreaterThan(slower, ms(24), "the server's CPU took core time from the C threads")
        XCTAssertLessThanOrEqual(slower, ms(50), "no more than the server's CPU")
    }

    /// `RunMetrics.answerLate`, the median over the calls of how long after a call began its answer left the
    /// server beyond its latency. One task making three calls on a kept-alive connection, no Python around
    /// them and no server turn: after the first (which opens the connection) a call is its `send()` and the
    /// answer's way back, `syscall` + `io_overhead`, exactly. Forty coroutines sending together to a server
    /// that takes them one 1 ms turn at a time: the median request waits about twenty turns before it is read.
    func testTheAnswerIsLateByTheClientsWayToSendAndTheServersTurn() throws {
        var s = Scenario(name: "late", tasks: [TaskGroup(name: "client", steps: [
            .repeat(count: 3, steps: [.io(IOStep(latency: .constant(ms(10)), cpu: .constant(.zero), connection: .reuse))]),
        ])])
        s.machine.wakeJitter = 0
        s.costs.syscall = us(12)
        s.costs.ioOverhead = us(70)
        let alone = try Simulator.run(s, strategy: Fixtures.sync)
        XCTAssertEqual(alone.metrics.answerLate, us(82))
        let queued = try Simulator.run(scenario(turn: ms(1), count: 40), strategy: Fixtures.asyncio)
        let late = try XCTUnwrap(queued.metrics.answerLate)
        XCTAssertGreaterThan(late, ms(15), "the median request waited for about twenty turns")
        XCTAssertLessThan(late, ms(25))
        let free = try Simulator.run(scenario(turn: .zero, count: 40), strategy: Fixtures.asyncio)
        XCTAssertLessThan(try XCTUnwrap(free.metrics.answerLate), ms(5), "without the turn no request waits for the server")
        let none = try Simulator.run(Fixtures.cpu(2, ms(5)), strategy: Fixtures.threads)
        XCTAssertNil(none.metrics.answerLate, "no I/O call, no figure")
    }
}
