import SimEngine
import SimModel
import SimScenario
import SimTrace
import XCTest

/// A program's first call (`costs.program_first_call`; docs/model.md, "A program's first call"): the first I/O
/// call that opens a connection in the program's own process costs that much more CPU, once per program;
/// child processes pay `process_first_call` instead.
final class ProgramFirstCallTests: XCTestCase {
    let ms = Fixtures.ms
    let us = Fixtures.us

    func run(_ s: Scenario, _ strategy: Strategy, firstCall: SimTime) throws -> RunMetrics {
        var t = s
        t.machine.wakeJitter = 0
        t.costs.programFirstCall = firstCall
        return try Simulator.run(t, strategy: strategy).metrics
    }

    func busy(_ m: RunMetrics) -> SimTime { m.coreBusy.reduce(.zero, +) }

    /// One task alone, sequential, in a thread or a greenlet: the makespan grows by exactly the cost, whether
    /// the task makes one call or three (the second and third pay nothing).
    func testOneTaskPaysItExactlyOnce() throws {
        for strategy in [Fixtures.sync, Fixtures.threads, Fixtures.gevent] {
            for calls in [1, 3] {
                let s = Fixtures.io(1, calls: calls, latency: .constant(ms(10)))
                let extra = try run(s, strategy, firstCall: us(2_200)).makespan - run(s, strategy, firstCall: .zero).makespan
                XCTAssertEqual(extra, us(2_200), "\(strategy.label) with \(calls) call(s)")
            }
        }
    }

    /// Many tasks: the program pays it once, not once per task: the cores' busy time grows by the cost, give
    /// or take the few context switches and loop passes the new order brings (0.1 ms; eight payments would
    /// be 40 ms), for threads and greenlets.
    func testManyTasksPayItOnce() throws {
        let s = Fixtures.io(8, calls: 2, latency: .constant(ms(10)))
        for strategy in [Fixtures.threads, Fixtures.gevent] {
            let with = try run(s, strategy, firstCall: ms(5)), without = try run(s, strategy, firstCall: .zero)
            XCTAssertEqual((busy(with) - busy(without)).seconds, 0.005, accuracy: 0.0001, strategy.label)
        }
    }

    /// Child processes pay their own first call (`process_first_call`), not the program's: a process per task
    /// runs as before.
    func testChildProcessesDoNotPayIt() throws {
        let s = Fixtures.io(4, calls: 2, latency: .constant(ms(10)))
        XCTAssertEqual(try run(s, Fixtures.processes, firstCall: ms(5)).makespan, try run(s, Fixtures.processes, firstCall: .zero).makespan)
    }

    /// The key reads, is written back only when set (a scenario without a profile is written as before), and a
    /// bad value is refused naming the key.
    func testTheKeyReadsAndRefusesBadValues() throws {
        let plain = try ScenarioLoader.parse(text: #"{"tasks": [{"steps": [{"io": "10ms"}]}]}"#)
        XCTAssertFalse(ScenarioEncoder.json(plain).contains("program_first_call"))
        let s = try ScenarioLoader.parse(text: #"{"costs": {"program_first_call": "2.2ms"}, "tasks": [{"steps": [{"io": "10ms"}]}]}"#)
        XCTAssertEqual(s.costs.programFirstCall, us(2_200))
        XCTAssertEqual(try ScenarioLoader.parse(text: ScenarioEncoder.json(s)), s)
        XCTAssertThrowsError(try ScenarioLoader.parse(text: #"{"costs": {"program_first_call": "soon"}, "tasks": [{"steps": [{"io": "10ms"}]}]}"#)) {
            XCTAssertTrue("\($0)".contains("program_first_call"), "\($0)")
        }
    }
}
