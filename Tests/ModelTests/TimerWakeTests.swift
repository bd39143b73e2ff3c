import SimEngine
import SimModel
import SimScenario
import XCTest

/// A wake-up from a sleep's timer (`costs.timer_wake_cpu`; docs/model.md, "A sleep's wake-up"): a loop or hub pays
/// it once a wake-up from its poll by a timer; a thread sleeping on its own does not (its wake-up is in the GIL
/// race measured after a sleep).
final class TimerWakeTests: XCTestCase {
    let ms = Fixtures.ms
    let us = Fixtures.us

    /// `count` tasks of `sleeps` sleeps of `d` each, the wake-up of every waker `wake`.
    func sleepers(_ count: Int, sleeps: Int, _ d: SimTime, wake: SimTime) -> Scenario {
        var s = Scenario(name: "sleepers", seed: 1, machine: Machine(cores: 2), tasks: [
            TaskGroup(name: "sleep", count: count, steps: [.repeat(count: sleeps, steps: [.sleep(.constant(d))])]),
        ])
        for waker in TimerWaker.allCases { s.costs.timerWakeCPU[waker] = wake }
        s.costs.coldWakeCPU = .zero
        return s
    }

    /// One task's hundred sleeps in its own thread cost nothing more, in sync, threads and processes.
    func testAThreadSleepingOnItsOwnIsNotCharged() throws {
        for strategy in [Fixtures.sync, Fixtures.threads, Fixtures.processes] {
            let without = try Simulator.run(sleepers(1, sleeps: 100, ms(1), wake: .zero), strategy: strategy).metrics
            let with = try Simulator.run(sleepers(1, sleeps: 100, ms(1), wake: us(30)), strategy: strategy).metrics
            XCTAssertEqual(with, without, strategy.label)
        }
    }

    /// A loop whose only coroutine sleeps a hundred times wakes from its poll a hundred times, and pays each; fifty
    /// coroutines sleeping the same 10 ms at once wake it once, and it pays once, not fifty times. The same for
    /// gevent's hub, trio's and curio's loops.
    func testALoopPaysOnceAWakeUpByATimer() throws {
        for strategy in [Fixtures.asyncio, Fixtures.gevent, Strategy(kind: .trio(threadLimit: 4, cpuInThread: true)),
                         Strategy(kind: .curio(threadLimit: 4, cpuInThread: true))] {
            let one = try Simulator.run(sleepers(1, sleeps: 100, ms(1), wake: .zero), strategy: strategy).metrics.makespan
            let oneWoken = try Simulator.run(sleepers(1, sleeps: 100, ms(1), wake: us(40)), strategy: strategy).metrics.makespan
            // The poll rounds its timeout up to whole milliseconds from when it began to wait: a wake-up that makes
            // the next wait begin later can move its return by up to one.
            XCTAssertGreaterThanOrEqual(oneWoken - one, us(40) * 100, strategy.label)
            XCTAssertLessThanOrEqual(oneWoken - one, us(40) * 100 + ms(100), strategy.label)
            let many = try Simulator.run(sleepers(50, sleeps: 1, ms(10), wake: .zero), strategy: strategy).metrics.makespan
            let manyWoken = try Simulator.run(sleepers(50, sleeps: 1, ms(10), wake: us(40)), strategy: strategy).metrics.makespan
            XCTAssertEqual(manyWoken - many, us(40), strategy.label)
        }
    }

    /// Unsaid, each waker's wake-up is its measured default; a scenario sets one waker's and keeps the others'; a
    /// runtime not measured apart takes its family's (uvloop, Tornado and Twisted asyncio's; eventlet's hub, which
    /// waits in time.sleep, a thread's); threads and Stackless's tasklets, which sleep on their own, none.
    func testTheKeyAndWhoPaysWhat() throws {
        let text = """
            {"version": 1, "name": "s", "costs": {"timer_wake_cpu": {"trio": "90us"}},
             "tasks": [{"name": "t", "steps": [{"sleep": "1ms"}]}]}
            """
        let s = try ScenarioLoader.parse(text: text, sourceName: "s.json")
        XCTAssertEqual(s.costs.timerWakeCPU[.trio], us(90))
        XCTAssertEqual(s.costs.timerWakeCPU[.asyncio], Defaults.timerWakeCPU[.asyncio])
        let back = try ScenarioLoader.parse(text: ScenarioEncoder.json(s), sourceName: "t.json")
        XCTAssertEqual(back.costs.timerWakeCPU, s.costs.timerWakeCPU)
        XCTAssertThrowsError(try ScenarioLoader.parse(text: text.replacingOccurrences(of: "\"trio\"", with: "\"tokio\""), sourceName: "s.json")) {
            XCTAssertTrue("\($0)".contains("timer_wake_cpu"), "\($0)")
        }
        func wake(_ kind: Strategy.Kind) -> SimTime { kind.modelTraits(costs: s.costs, cores: 2).timerWake }
        let w = s.costs.timerWakeCPU
        XCTAssertEqual(wake(.threads(pool: nil)), .zero)
        XCTAssertEqual(wake(.tasklets), .zero)
        XCTAssertEqual(wake(.eventlet(tpoolSize: 20, cpuInTpool: false)), w[.threads])
        XCTAssertEqual(wake(.uvloop(executorWorkers: nil, cpuInExecutor: true)), w[.asyncio])
        XCTAssertEqual(wake(.tornado(maxClients: 10, executorWorkers: nil, cpuInExecutor: true)), w[.asyncio])
        XCTAssertEqual(wake(.trio(threadLimit: 4, cpuInThread: true)), us(90))
        XCTAssertEqual(wake(.curio(threadLimit: 4, cpuInThread: true)), w[.curio])
        XCTAssertEqual(wake(.gevent), w[.gevent])
    }
}
