import SimEngine
import SimModel
import SimScenario
import Foundation
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

    // MARK: The first call's import (`costs.program_first_call_releases`)

    func run(_ s: Scenario, _ strategy: Strategy, firstCall: SimTime, releases: Int) throws -> RunMetrics {
        var t = s
        t.costs.programFirstCall = firstCall
        t.costs.programFirstCallReleases = releases
        return try Simulator.run(t, strategy: strategy).metrics
    }

    /// Alone, the releases cost no time of their own: the first call's CPU (the measured thread CPU, which
    /// includes the import's system calls) runs between them, so a sequential program, or one thread, ends at
    /// the same nanosecond with or without them, and a first call cheaper than its releases takes their time.
    func testAloneTheReleasesCostNothingMore() throws {
        var s = Fixtures.io(1, calls: 3, latency: .constant(ms(10)))
        s.machine.wakeJitter = 0  // the same wake-ups with and without
        for strategy in [Fixtures.sync, Fixtures.threads] {
            XCTAssertEqual(try run(s, strategy, firstCall: us(2_200), releases: 10).makespan,
                           try run(s, strategy, firstCall: us(2_200), releases: 0).makespan, strategy.label)
            XCTAssertEqual(try run(s, strategy, firstCall: .zero, releases: 10).makespan
                           - run(s, strategy, firstCall: .zero, releases: 0).makespan, s.costs.syscall * 10, strategy.label)
        }
    }

    /// Beside a thread in bytecode, each release is a short call that loses the GIL with the model's chance
    /// (`Machine.shortCallLoss`), and each loss costs the caller a switch interval: over 20 seeds, 40 releases
    /// make the first call (mean) 40 × P intervals longer, within a fifth (P = 0.68 for the 14.4 µs `syscall`
    /// calibrated here; the binomial spread of the mean is 0.7 intervals).
    func testBesideACPUThreadEachLostReleaseCostsAnInterval() throws {
        func scenario(seed: UInt64) -> Scenario {
            var s = Scenario(name: "first call beside", seed: seed, tasks: [
                TaskGroup(name: "io", steps: [.io(IOStep(latency: .constant(us(200)), cpu: .constant(us(30)), connection: .new))]),
                TaskGroup(name: "cpu", background: true, steps: [.cpu(CPUStep(duration: .constant(ms(10)), kind: .python))]),
            ])
            s.costs.syscall = .nanoseconds(14_407)
            return s
        }
        let interval = Scenario(name: "x", tasks: []).python.switchInterval
        var extra = 0.0
        for seed in UInt64(1)...20 {
            let s = scenario(seed: seed)
            extra += (try run(s, Fixtures.threads, firstCall: us(2_200), releases: 40).makespan
                      - run(s, Fixtures.threads, firstCall: us(2_200), releases: 0).makespan).seconds / interval.seconds
        }
        let expected = 40 * scenario(seed: 1).machine.shortCallLoss(.nanoseconds(14_407))
        XCTAssertEqual(expected, 27.2, accuracy: 0.1)
        XCTAssertEqual(extra / 20, expected, accuracy: expected / 5)
    }

    /// The model's chance follows its race: with exact wake-ups the call loses only when it outlasts the wake-up
    /// and the context switch; with exponential ones 1 − exp(−(d − c) / wake), never when d ≤ c.
    func testTheShortCallLossIsTheRaces() throws {
        var m = Machine(cores: 2)
        m.wakeLatency = us(10)
        m.contextSwitch = us(3)
        m.wakeJitter = 1
        XCTAssertEqual(m.shortCallLoss(.nanoseconds(14_407)), 1 - exp(-1.1407), accuracy: 1e-12)
        XCTAssertEqual(m.shortCallLoss(us(2)), 0)
        m.wakeJitter = 0
        XCTAssertEqual(m.shortCallLoss(us(12)), 0)
        XCTAssertEqual(m.shortCallLoss(us(14)), 1)
        m.wakeJitter = 0.5  // W = 5 µs + 5 µs × E: loses when E < (d − c − 5 µs) / 5 µs
        XCTAssertEqual(m.shortCallLoss(us(18)), 1 - exp(-2), accuracy: 1e-12)
        // `wakeLatency(losing:call:)` inverts it: the wake-up it gives loses with the chance asked for, to the
        // nanosecond's rounding, exponential or not; a decided race has no such wake-up.
        for jitter in [1.0, 0.5] {
            m.wakeJitter = jitter
            for loss in [0.05, 0.56, 0.9] {
                var fitted = m
                fitted.wakeLatency = try XCTUnwrap(m.wakeLatency(losing: loss, call: .nanoseconds(14_407)))
                XCTAssertEqual(fitted.shortCallLoss(.nanoseconds(14_407)), loss, accuracy: 1e-4, "jitter \(jitter)")
            }
        }
        XCTAssertNil(m.wakeLatency(losing: 0.5, call: us(3)))
        m.wakeJitter = 0
        XCTAssertNil(m.wakeLatency(losing: 0.5, call: us(14)))
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
        XCTAssertFalse(ScenarioEncoder.json(plain).contains("program_first_call_releases"))
        let r = try ScenarioLoader.parse(text: #"{"costs": {"program_first_call_releases": 12}, "tasks": [{"steps": [{"io": "10ms"}]}]}"#)
        XCTAssertEqual(r.costs.programFirstCallReleases, 12)
        XCTAssertEqual(try ScenarioLoader.parse(text: ScenarioEncoder.json(r)), r)
        for bad in ["-1", "1.5", "\"many\"", "100001"] {
            XCTAssertThrowsError(try ScenarioLoader.parse(text: #"{"costs": {"program_first_call_releases": "# + bad + #"}, "tasks": [{"steps": [{"io": "10ms"}]}]}"#), bad) {
                XCTAssertTrue("\($0)".contains("program_first_call_releases"), "\($0)")
            }
        }
    }
}
