import SimEngine
import SimModel
import SimScenario
import XCTest

/// The cold wake-up (`costs.cold_wake_cpu`, `cold_wake_after`; docs/model.md, "The cold wake-up"): a thread
/// idle for want of work pays `coldWake(after: idle)` of Python CPU before its next action.
final class ColdWakeTests: XCTestCase {
    let ms = Fixtures.ms
    let us = Fixtures.us

    func costs(_ cpu: SimTime, after: SimTime = .milliseconds(8)) -> Costs {
        var c = Costs()
        c.coldWakeCPU = cpu
        c.coldWakeAfter = after
        return c
    }

    /// E × (1 − exp(−(w/τ)²)): nothing without a cost, E(1 − 1/e) at τ, all of E long after, rising in
    /// between, and nothing below a microsecond (not worth an event).
    func testTheCostRisesWithTheWaitToItsCeiling() {
        XCTAssertEqual(costs(.zero).coldWake(after: ms(50)), .zero)
        let c = costs(us(100))
        XCTAssertEqual(c.coldWake(after: .zero), .zero)
        XCTAssertEqual(c.coldWake(after: us(10)), .zero, "0.16 ns: below a microsecond")
        XCTAssertEqual(c.coldWake(after: ms(8)).nanoseconds, 63_212, "E (1 - 1/e)")
        XCTAssertEqual(c.coldWake(after: ms(100)), us(100))
        var last = SimTime.zero
        for w in stride(from: Int64(0), through: 40_000, by: 250) {
            let v = c.coldWake(after: us(w))
            XCTAssertGreaterThanOrEqual(v, last, "\(w) us")
            XCTAssertLessThanOrEqual(v, us(100))
            last = v
        }
    }

    func ioScenario(coldWake: SimTime, strategyCosts: Bool = false) -> Scenario {
        var s = Fixtures.io(1, calls: 3, latency: .constant(ms(20)))
        s.machine.wakeJitter = 0
        s.costs.coldWakeCPU = coldWake
        return s
    }

    /// One coroutine's three 20 ms calls: the loop idles in its selector through each wait and pays the cold
    /// wake-up once per answer, each for an idle of about the latency.
    func testTheLoopPaysItOncePerWakeFromIdle() throws {
        let cold = us(120)
        let with = try Simulator.run(ioScenario(coldWake: cold), strategy: Fixtures.asyncio).metrics.makespan
        let without = try Simulator.run(ioScenario(coldWake: .zero), strategy: Fixtures.asyncio).metrics.makespan
        let c = costs(cold)
        let low = c.coldWake(after: ms(19)) * 3, high = c.coldWake(after: ms(21)) * 3
        XCTAssertGreaterThanOrEqual(with - without, low)
        XCTAssertLessThanOrEqual(with - without, high)
    }

    /// A thread blocked in its own I/O call is not charged: an I/O call's measured CPU has its wake-up in it,
    /// and a long wait's wake-up from idle is `io_idle_overhead`. Nor are `Thread.start()` and `join()`.
    func testBlockingCallsAndJoinsAreNotCharged() throws {
        for strategy in [Fixtures.sync, Fixtures.threads, Fixtures.processes] {
            let with = try Simulator.run(ioScenario(coldWake: us(120)), strategy: strategy).metrics.makespan
            let without = try Simulator.run(ioScenario(coldWake: .zero), strategy: strategy).metrics.makespan
            XCTAssertEqual(with, without, strategy.label)
        }
    }

    /// An executor worker idle on its queue pays it too: with CPU steps handed to the executor between
    /// 20 ms waits, the run is longer by at least the loop's own share.
    func testExecutorWorkersPayItAfterIdling() throws {
        var s = Fixtures.io(1, calls: 3, latency: .constant(ms(20)))
        s.machine.wakeJitter = 0
        s.tasks[0].steps = [.repeat(count: 3, steps: [.io(IOStep(latency: .constant(ms(20)))),
                                                      .cpu(CPUStep(duration: .constant(ms(1)), kind: .python))])]
        func makespan(_ cold: SimTime) throws -> SimTime {
            var t = s
            t.costs.coldWakeCPU = cold
            return try Simulator.run(t, strategy: Fixtures.asyncio).metrics.makespan
        }
        let c = costs(us(120))
        // Per round: the loop after the answer, the worker after ~20 ms on its queue (not the first job: the
        // worker is new), the loop after the job's millisecond.
        let least = c.coldWake(after: ms(19)) * 3 + c.coldWake(after: ms(19)) * 2
        XCTAssertGreaterThanOrEqual(try makespan(us(120)) - makespan(.zero), least)
    }
}
