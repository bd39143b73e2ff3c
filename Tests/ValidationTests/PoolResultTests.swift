import Foundation
import SimEngine
import SimModel
import SimScenario
import XCTest

/// A process Pool's results on their way to the parent (docs/model.md, "A process Pool's result pipe and its
/// worker handler"): the worker's own CPU per task, the parent's result handler, the result pipe's lock and
/// the worker handler's busy wait.
final class PoolResultTests: XCTestCase {
    func ms(_ n: Int64) -> SimTime { .milliseconds(n) }
    func us(_ n: Int64) -> SimTime { .microseconds(n) }

    /// `count` tasks of `duration` on a fork Pool of `workers`, every start cost zero; by default no wake-up
    /// jitter and the round-robin scheduler (no wake-up preemption), `fair` this host's Linux policy.
    func poolRun(_ count: Int, _ duration: SimTime, workers: Int, cores: Int = 2, seed: UInt64 = 1, fair: Bool = false,
                 _ costs: (inout Costs) -> Void) throws -> SimulationRun {
        var machine = Machine(cores: cores, wakeJitter: fair ? 1 : 0)
        if fair { machine.scheduler = .linux(baseSlice: .microseconds(750), tick: .milliseconds(4)) }
        var s = Scenario(name: "pool", machine: machine, tasks: [
            TaskGroup(name: "job", count: count, steps: [.cpu(CPUStep(duration: .constant(duration), kind: .python))]),
        ])
        s.seed = seed
        s.costs.processStart = [.fork: .zero, .forkserver: .zero, .spawn: .zero]
        s.costs.processSpawn = [.fork: .zero, .forkserver: .zero, .spawn: .zero]
        s.costs.pickle = .zero
        s.costs.poolTaskCPU = .zero
        s.costs.poolResultCPU = .zero
        s.costs.poolHandlerTurn = .zero
        s.costs.poolHandlerCalls = .zero
        costs(&s.costs)
        return try Simulator.run(s, strategy: Strategy(kind: .processes(pool: workers, startMethod: .fork)),
                                 options: SimulationOptions(trace: false, checkInvariants: true))
    }

    /// One worker, two cores: the parent's result handler reads each result on the other core while the worker
    /// runs the next task, so only the last result's handling adds to the run (1 ms). The worker's own CPU per
    /// task (400 us: 100 getting the task, 100 pickling the result, 200 writing it) is the worker's, but the
    /// result is in the pipe as its write begins, so the last write overlaps the parent's read: 3 x 200 + 2 x 200.
    func testTheParentHandlesEachResultAndTheWorkerPaysItsOwn() throws {
        let base = try poolRun(3, ms(10), workers: 1) { _ in }.metrics.makespan
        let handled = try poolRun(3, ms(10), workers: 1) { $0.poolResultCPU = ms(1) }.metrics.makespan
        XCTAssertEqual((handled - base).seconds, 0.001, accuracy: 0.000_02)
        let worker = try poolRun(3, ms(10), workers: 1) { $0.poolTaskCPU = us(400) }.metrics.makespan
        XCTAssertEqual((worker - base).seconds, 0.001, accuracy: 0.000_02)
    }

    /// Two workers end their tasks together (each 1 ms getting it first, 1 ms pickling its result after): one
    /// writes its result (2 ms), the other waits for the pipe's lock meanwhile and writes after it. The second
    /// result is in the pipe 4 ms later than with no own CPU, where two writes at once would put it there 2 ms later.
    func testAWorkerWaitsForThePipesLock() throws {
        let base = try poolRun(2, ms(10), workers: 2) { _ in }.metrics.makespan
        let locked = try poolRun(2, ms(10), workers: 2) { $0.poolTaskCPU = ms(4) }.metrics.makespan
        XCTAssertEqual((locked - base).seconds, 0.004, accuracy: 0.000_05)
    }

    /// While a result waits unread the worker handler goes round its loop on a core: with every core busy it
    /// takes CPU from the workers (this host's scheduler, whose woken threads preempt), so 40 tasks of 1 ms on a
    /// Pool(2) keep the cores busier and run longer with its turn than without, on every seed.
    func testTheWorkerHandlerSpinsWhileAResultWaitsUnread() throws {
        for seed in UInt64(1)...8 {
            let quiet = try poolRun(40, ms(1), workers: 2, seed: seed, fair: true) { $0.poolResultCPU = us(55) }
            let spinning = try poolRun(40, ms(1), workers: 2, seed: seed, fair: true) {
                $0.poolResultCPU = us(55)
                $0.poolHandlerTurn = .nanoseconds(12_600)
                $0.poolHandlerCalls = .nanoseconds(1_900)
            }
            XCTAssertGreaterThan(spinning.metrics.makespan, quiet.metrics.makespan, "seed \(seed)")
            XCTAssertGreaterThan(spinning.metrics.coreBusy.reduce(.zero, +), quiet.metrics.coreBusy.reduce(.zero, +), "seed \(seed)")
        }
    }

    /// A turn of no time does not spin (it would go round forever at one instant), and a scenario whose handler's
    /// calls are longer than its turn is refused, naming the key.
    func testAZeroTurnDoesNotSpinAndCallsLongerThanTheTurnAreRefused() throws {
        let run = try poolRun(4, ms(1), workers: 2) { $0.poolHandlerCalls = .zero }
        XCTAssertLessThan(run.metrics.makespan, ms(3))
        let text = #"{"costs": {"pool_handler_turn": "10us", "pool_handler_calls": "20us"}, "tasks": [{"steps": [{"cpu": "5ms"}]}]}"#
        XCTAssertThrowsError(try ScenarioLoader.parse(text: text)) { error in
            XCTAssertTrue("\(error)".contains("pool_handler_calls"), "\(error)")
        }
    }
}
