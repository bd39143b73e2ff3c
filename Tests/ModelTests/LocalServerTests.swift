import SimEngine
import SimModel
import SimScenario
import XCTest

/// A server on the same machine (the real runs' latency server) takes requests one at a time, one turn
/// apart (`costs.server_answer_new` / `server_answer_reuse`), and counts the latency from then.
final class LocalServerTests: XCTestCase {
    let ms = Fixtures.ms

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
}
