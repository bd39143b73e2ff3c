import Foundation
import SimEngine
import SimModel
import SimScenario
import XCTest

/// The effects added for the validation matrix, each against an exact or analytic result.
final class PhysicsTests: XCTestCase {
    func ms(_ n: Int64) -> SimTime { .milliseconds(n) }

    func cpuScenario(_ count: Int, _ duration: SimTime, kind: CPUKind = .python, cores: Int = 2,
                     efficiency: Double = 1) -> Scenario {
        var s = Scenario(name: "cpu", machine: Machine(cores: cores, wakeJitter: 0), tasks: [
            TaskGroup(name: "work", count: count, steps: [.cpu(CPUStep(duration: .constant(duration), kind: kind))]),
        ])
        s.machine.parallelEfficiency[kind] = efficiency
        s.costs.processStart = [.fork: .zero, .forkserver: .zero, .spawn: .zero]
        s.costs.pickle = .zero
        return s
    }

    let processes = Strategy(kind: .processes(pool: nil, startMethod: .fork))

    /// Two processes of 100 ms on 2 cores with efficiency e each run at speed e while both are busy:
    /// the pair takes 100 ms / e (plus a few microseconds of context switches and wake-ups).
    func testBusyCoresRunAtTheirParallelEfficiency() throws {
        for (kind, e) in [(CPUKind.python, 0.8), (.cHoldsGIL, 0.6), (.cReleasesGIL, 0.9)] {
            let run = try Simulator.run(cpuScenario(2, ms(100), kind: kind, efficiency: e), strategy: processes,
                                        options: SimulationOptions(trace: false, checkInvariants: true))
            XCTAssertEqual(run.metrics.makespan.seconds, 0.1 / e, accuracy: 0.0005, "\(kind) at \(e)")
        }
    }

    /// Alone, a core runs at full speed whatever the efficiency; other kinds are not slowed by a kind's loss.
    func testOneBusyCoreAndOtherKindsAreNotSlowed() throws {
        let alone = try Simulator.run(cpuScenario(1, ms(100), efficiency: 0.5), strategy: Strategy(kind: .sync)).metrics
        XCTAssertEqual(alone.makespan.seconds, 0.1, accuracy: 0.0001)
        var other = cpuScenario(2, ms(100), kind: .cReleasesGIL)
        other.machine.parallelEfficiency[.python] = 0.5
        let run = try Simulator.run(other, strategy: processes).metrics
        XCTAssertEqual(run.makespan.seconds, 0.1, accuracy: 0.0005)
    }

    /// Speeds change when the number of busy cores does: 100 ms and 50 ms at e = 0.8 on 2 cores. Both run at
    /// 0.8 until the short one ends (50 ms of work: 62.5 ms); the long one has 50 ms left, alone at full
    /// speed: 112.5 ms in all. Work is conserved across the change.
    func testSpeedFollowsTheNumberOfBusyCores() throws {
        var s = cpuScenario(1, ms(100), efficiency: 0.8)
        s.tasks.append(TaskGroup(name: "short", count: 1, steps: [.cpu(CPUStep(duration: .constant(ms(50)), kind: .python))]))
        let run = try Simulator.run(s, strategy: processes, options: SimulationOptions(trace: false, checkInvariants: true))
        XCTAssertEqual(run.metrics.makespan.seconds, 0.1125, accuracy: 0.0005)
        XCTAssertEqual(run.metrics.taskLatencies[1].seconds, 0.0625, accuracy: 0.0005)
    }

    /// Four processes on 4 cores: with all busy each runs at e; the speed falls linearly with busy cores.
    func testEfficiencyScalesWithBusyCores() throws {
        let run = try Simulator.run(cpuScenario(4, ms(100), cores: 4, efficiency: 0.7), strategy: processes)
        XCTAssertEqual(run.metrics.makespan.seconds, 0.1 / 0.7, accuracy: 0.001)
    }

    /// Child processes of unequal speed (`core_speed_spread` r, efficiency e): two equal tasks of T in two
    /// processes on 2 cores run at a = e × 2r/(r+1) (the first child) and b = e × 2/(r+1) (the second), mean e.
    /// The faster ends at T/a; the slower has then done T × b/a and finishes alone at full speed:
    /// T/a + T(1 − b/a). The makespan is the slower one's. Here T = 100 ms, e = 0.9, r = 1.25: a = 1.0, b = 0.8,
    /// ends at 100 and 120 ms.
    func testTwoChildProcessesOfUnequalSpeedEndAtTOverEachSpeed() throws {
        var s = cpuScenario(2, ms(100), kind: .cHoldsGIL, efficiency: 0.9)
        s.machine.coreSpeedSpread[.cHoldsGIL] = 1.25
        let run = try Simulator.run(s, strategy: processes, options: SimulationOptions(trace: false, checkInvariants: true))
        let ends = run.metrics.taskLatencies.map(\.seconds).sorted()
        XCTAssertEqual(ends[0], 0.1, accuracy: 0.0005)
        XCTAssertEqual(ends[1], 0.12, accuracy: 0.0005)
        XCTAssertEqual(run.metrics.makespan.seconds, 0.12, accuracy: 0.0005)
        // A task alone runs at full speed whatever the spread, and another kind's spread does not touch it.
        s.machine.coreSpeedSpread = [.python: 2, .cHoldsGIL: 1, .cReleasesGIL: 1]
        s.machine.parallelEfficiency[.cHoldsGIL] = 1
        XCTAssertEqual(try Simulator.run(s, strategy: processes).metrics.makespan.seconds, 0.1, accuracy: 0.0005)
        s.tasks[0].count = 1
        s.machine.coreSpeedSpread[.cHoldsGIL] = 2
        XCTAssertEqual(try Simulator.run(s, strategy: processes).metrics.makespan.seconds, 0.1, accuracy: 0.0005)
    }

    /// The spread is each process's own, not a core's (docs/model.md, "Two busy cores, two speeds"): threads of
    /// one process releasing the GIL run at the mean e on both cores (100 ms / e each), and so do two
    /// subinterpreters; four children on 4 cores alternate fast and slow, so with every core busy the first and
    /// third end at T/a, the second and fourth at T/a + T(1 − b/a), as two children do on 2 cores.
    func testTheSpreadIsEachChildProcesssOwn() throws {
        var s = cpuScenario(2, ms(100), kind: .cReleasesGIL, efficiency: 0.9)
        s.machine.coreSpeedSpread[.cReleasesGIL] = 1.25
        let options = SimulationOptions(trace: false, checkInvariants: true)
        var one = s
        one.machine.coreSpeedSpread[.cReleasesGIL] = 1
        for strategy in [Strategy(kind: .threads(pool: nil)), Strategy(kind: .interpreters(pool: nil))] {
            let ends = try Simulator.run(s, strategy: strategy, options: options).metrics.taskLatencies
            XCTAssertEqual(ends, try Simulator.run(one, strategy: strategy, options: options).metrics.taskLatencies, "\(strategy.label)")
            // (An interpreter's creation comes first.)
            for end in ends { XCTAssertEqual(end.seconds, 0.1 / 0.9, accuracy: strategy.label == "threads" ? 0.0005 : 0.002, "\(strategy.label)") }
        }
        var four = cpuScenario(4, ms(100), kind: .cHoldsGIL, cores: 4, efficiency: 0.9)
        four.machine.coreSpeedSpread[.cHoldsGIL] = 1.25
        let ends = try Simulator.run(four, strategy: processes, options: options).metrics.taskLatencies.map(\.seconds)
        XCTAssertEqual(ends.count, 4)
        // Every core busy until the fast pair ends at 100 ms; the slow pair (80 ms of work done) then runs with
        // 2 cores of 4 busy: the mean 1 − 0.1 × 1/3, the deviation (r − 1)/(r + 1) = 1/9 times 1/3.
        let slowAfter = 0.02 / ((1 - 0.1 / 3) * (1 - 1.0 / 27))
        for (i, end) in ends.enumerated() {
            XCTAssertEqual(end, i % 2 == 0 ? 0.1 : 0.1 + slowAfter, accuracy: 0.0005, "child \(i + 1)")
        }
    }

    /// The parent pays `process_spawn` serially before each child: n children of no work take about
    /// n × spawn, however many cores.
    func testTheParentsShareOfStartingIsSerial() throws {
        var s = cpuScenario(16, .microseconds(1), cores: 4)
        s.costs.processSpawn[.fork] = ms(2)
        let run = try Simulator.run(s, strategy: processes)
        XCTAssertEqual(run.metrics.makespan.seconds, 0.032, accuracy: 0.001)
    }

    /// A spawned child's start-up runs at `start_efficiency` while both cores are busy, whatever bytecode's
    /// efficiency: two such children of 100 ms start-up and no work on 2 cores end at 100 ms / 0.6 (parent's
    /// share zero, so both start at once); forked children's start-ups keep bytecode's 0.8 (100 ms / 0.8), and
    /// so does a spawned child's when the scenario gives no `start_efficiency`. Two forkserver children, one
    /// start-up a core, lose nothing of their own either: bytecode's 0.8.
    func testASpawnedChildsStartUpRunsAtTheStartEfficiency() throws {
        func makespan(_ method: StartMethod, start: Double? = 0.6) throws -> SimTime {
            var s = cpuScenario(2, .zero, efficiency: 0.8)
            s.machine.startEfficiency = start
            s.costs.processStart = [.fork: ms(100), .forkserver: ms(100), .spawn: ms(100)]
            s.costs.processSpawn = [.fork: .zero, .forkserver: .zero, .spawn: .zero]
            return try Simulator.run(s, strategy: Strategy(kind: .processes(pool: nil, startMethod: method)),
                                     options: SimulationOptions(trace: false, checkInvariants: true)).metrics.makespan
        }
        XCTAssertEqual(try makespan(.spawn).seconds, 0.1 / 0.6, accuracy: 0.0005)
        XCTAssertEqual(try makespan(.fork).seconds, 0.1 / 0.8, accuracy: 0.0005)
        XCTAssertEqual(try makespan(.forkserver).seconds, 0.1 / 0.8, accuracy: 0.0005, "one start-up a core: as bytecode")
        XCTAssertEqual(try makespan(.spawn, start: nil).seconds, 0.1 / 0.8, accuracy: 0.0005)
    }

    /// A forkserver child's start-up slows by the start-ups sharing each core, not by the busy cores: bytecode at
    /// full speed, `start_efficiency` 0.6 (measured with `Defaults.startCrowd` = 16 at once, 8 a core on 2
    /// cores), children of 100 ms start-up: 2 end at 100 ms (one a core, nothing lost), 4 within 1% of 4 × 100 /
    /// 2 / (1 − 0.4 × ln 2 / ln 8) ms (two a core: a third of the loss; less while the parent creates them and
    /// as the first finish), 32 (16 a core, past the calibration's crowd) within 5% of 32 × 100 / 2 / 0.6 ms;
    /// each child costs more the more start at once; with nothing to lose (`start_efficiency` 1), n × 50 ms.
    /// Spawned children lose all of it from two on.
    func testAForkserverChildsStartUpSlowsByTheStartUpsACore() throws {
        func makespan(_ method: StartMethod, children: Int, start: Double = 0.6) throws -> Double {
            var s = cpuScenario(children, .zero)
            s.machine.startEfficiency = start
            s.costs.processStart = [.fork: ms(100), .forkserver: ms(100), .spawn: ms(100)]
            s.costs.processSpawn = [.fork: .zero, .forkserver: .zero, .spawn: .zero]
            return try Simulator.run(s, strategy: Strategy(kind: .processes(pool: nil, startMethod: method)),
                                     options: SimulationOptions(trace: false, checkInvariants: true)).metrics.makespan.seconds
        }
        XCTAssertEqual(Defaults.startCrowd, 16)
        XCTAssertEqual(try makespan(.forkserver, children: 2), 0.1, accuracy: 0.0005)
        let four = try makespan(.forkserver, children: 4)
        XCTAssertEqual(four, 0.2 / (1 - 0.4 * log(2) / log(8)), accuracy: 0.01 * four)
        let sixteen = try makespan(.forkserver, children: 16)
        let crowd = try makespan(.forkserver, children: 32)
        XCTAssertEqual(crowd, 1.6 / 0.6, accuracy: 0.05 * crowd)
        XCTAssertLessThan(0.1 / 2, four / 4)
        XCTAssertLessThan(four / 4, sixteen / 16)
        XCTAssertLessThan(sixteen / 16, crowd / 32)
        for n in [4, 16] { XCTAssertEqual(try makespan(.forkserver, children: n, start: 1), 0.05 * Double(n), accuracy: 0.001) }
        XCTAssertEqual(try makespan(.spawn, children: 2), 0.1 / 0.6, accuracy: 0.0005)
    }

    /// The program's first start pays `process_first_start` of its start method once, before its first child,
    /// however many children follow: 3 children of 10 ms on 4 cores end 30 ms + 10 ms after
    /// the start with forkserver's 30 ms (not 3 × 30 ms), exactly that much later than without it, and a fork
    /// strategy does not pay forkserver's value.
    func testTheFirstStartIsPaidOnceBeforeTheFirstChild() throws {
        func makespan(_ method: StartMethod, pool: Int? = nil, first: SimTime) throws -> SimTime {
            var s = cpuScenario(3, ms(10), cores: 4)
            s.costs.processFirstStart[.forkserver] = first
            return try Simulator.run(s, strategy: Strategy(kind: .processes(pool: pool, startMethod: method))).metrics.makespan
        }
        XCTAssertEqual(try makespan(.forkserver, first: ms(30)).seconds, 0.040, accuracy: 0.0005)
        XCTAssertEqual(try makespan(.forkserver, first: ms(30)) - makespan(.forkserver, first: .zero), ms(30))
        XCTAssertEqual(try makespan(.fork, first: ms(30)), try makespan(.fork, first: .zero))
    }

    /// A `Pool(n)` pays `pool_first_start` once, before its first worker, instead of `process_first_start`
    /// (its imports): 3 tasks of 10 ms on a pool of 2 on 4 cores end 6 ms (fork's first Pool) + 2 × 10 ms
    /// after the start, whatever `process_first_start`, and exactly 6 ms later than without it; a Process
    /// per task does not pay it.
    func testAPoolsFirstStartPaysItsOwnCost() throws {
        func makespan(pool: Int?, firstPool: SimTime, firstProcess: SimTime = ms(30)) throws -> SimTime {
            var s = cpuScenario(3, ms(10), cores: 4)
            s.costs.poolFirstStart[.fork] = firstPool
            s.costs.processFirstStart[.fork] = firstProcess
            return try Simulator.run(s, strategy: Strategy(kind: .processes(pool: pool, startMethod: .fork))).metrics.makespan
        }
        XCTAssertEqual(try makespan(pool: 2, firstPool: ms(6)).seconds, 0.026, accuracy: 0.0005)
        XCTAssertEqual(try makespan(pool: 2, firstPool: ms(6)) - makespan(pool: 2, firstPool: .zero), ms(6))
        XCTAssertEqual(try makespan(pool: 2, firstPool: ms(6), firstProcess: .zero), try makespan(pool: 2, firstPool: ms(6)))
        XCTAssertEqual(try makespan(pool: nil, firstPool: ms(6)), try makespan(pool: nil, firstPool: .zero))
    }

    /// Each pool worker pays `pool_worker_start` in its own process before its first task, and its start without
    /// the child's exit (`process_exit`: a pool's workers exit after the results); a Process child pays its whole
    /// start and no import: 4 tasks of 10 ms on a spawn pool of 2 on 4 cores, a start of 20 ms of which 8 ms exit,
    /// end 20 − 8 + 5 ms (each worker's, at once on two cores) + 2 × 10 ms after the start; 4 Process children
    /// end 20 + 10 ms after it, whatever the import and the exit.
    func testAPoolWorkerPaysItsOwnStart() throws {
        func makespan(pool: Int?, worker: SimTime, exit: SimTime = ms(8)) throws -> SimTime {
            var s = cpuScenario(4, ms(10), cores: 4)
            s.costs.processStart[.spawn] = ms(20)
            s.costs.poolWorkerStart[.spawn] = worker
            s.costs.processExit[.spawn] = exit
            return try Simulator.run(s, strategy: Strategy(kind: .processes(pool: pool, startMethod: .spawn))).metrics.makespan
        }
        XCTAssertEqual(try makespan(pool: 2, worker: ms(5)).seconds, 0.037, accuracy: 0.0005)
        XCTAssertEqual(try makespan(pool: 2, worker: ms(5)) - makespan(pool: 2, worker: .zero), ms(5))
        XCTAssertEqual(try makespan(pool: 2, worker: ms(5), exit: .zero) - makespan(pool: 2, worker: ms(5)), ms(8))
        XCTAssertEqual(try makespan(pool: nil, worker: ms(5)).seconds, 0.030, accuracy: 0.0005)
        XCTAssertEqual(try makespan(pool: nil, worker: ms(5)), try makespan(pool: nil, worker: .zero, exit: .zero))
    }

    /// A wait of at least `io_idle_after` costs `io_idle_overhead` more; a shorter one does not.
    func testLongWaitsPayTheIdleWakeUp() throws {
        func makespan(latency: SimTime, overhead: SimTime) throws -> SimTime {
            var s = Scenario(name: "io", machine: Machine(wakeJitter: 0), tasks: [
                TaskGroup(name: "c", steps: [.repeat(count: 10, steps: [.io(IOStep(latency: .constant(latency), cpu: .constant(.zero), connection: .reuse))])]),
            ])
            s.costs.ioIdleOverhead = overhead
            s.costs.ioIdleAfter = ms(1)
            return try Simulator.run(s, strategy: Strategy(kind: .sync)).metrics.makespan
        }
        XCTAssertEqual(try makespan(latency: ms(2), overhead: .microseconds(500)) - makespan(latency: ms(2), overhead: .zero), .microseconds(5000))
        XCTAssertEqual(try makespan(latency: .microseconds(500), overhead: .microseconds(500)), try makespan(latency: .microseconds(500), overhead: .zero))
    }

    /// With `io_idle_overhead` as a rise, a wait pays the overhead interpolated at its latency: linear between
    /// points, from zero at latency zero, level after the last; ten calls pay it ten times.
    func testWaitsPayTheIdleRiseAtTheirLatency() throws {
        let rise = [IdleRisePoint(latency: ms(2), overhead: .microseconds(400)), IdleRisePoint(latency: ms(4), overhead: .microseconds(800))]
        func makespan(latency: SimTime, rise: [IdleRisePoint]) throws -> SimTime {
            var s = Scenario(name: "io", machine: Machine(wakeJitter: 0), tasks: [
                TaskGroup(name: "c", steps: [.repeat(count: 10, steps: [.io(IOStep(latency: .constant(latency), cpu: .constant(.zero), connection: .reuse))])]),
            ])
            s.costs.ioIdleRise = rise
            return try Simulator.run(s, strategy: Strategy(kind: .sync)).metrics.makespan
        }
        for (latency, each) in [(ms(1), 200), (ms(3), 600), (ms(4), 800), (ms(10), 800)] as [(SimTime, Int64)] {
            XCTAssertEqual(try makespan(latency: latency, rise: rise) - makespan(latency: latency, rise: []), .microseconds(10 * each), "\(latency)")
        }
        let text = #"{"costs": {"io_idle_overhead": [["2ms", "400us"], ["4ms", "800us"]]}, "tasks": [{"steps": [{"cpu": "5ms"}]}]}"#
        let s = try ScenarioLoader.parse(text: text)
        XCTAssertEqual(s.costs.ioIdleRise, rise)
        XCTAssertEqual(try ScenarioLoader.parse(text: ScenarioEncoder.json(s)), s)
        XCTAssertThrowsError(try ScenarioLoader.parse(text: #"{"costs": {"io_idle_overhead": [["4ms", "800us"], ["2ms", "400us"]]}, "tasks": [{"steps": [{"cpu": "5ms"}]}]}"#)) {
            XCTAssertTrue("\($0)".contains("io_idle_overhead"), "\($0)")
        }
    }

    /// `machine.timeout_idle_wake` reads, writes back and `[]` turns it off; a wrong shape gets a message naming
    /// the key, the place and the fix.
    func testTimeoutIdleWakeReadsAndNamesItsMistakes() throws {
        let text = #"{"machine": {"timeout_idle_wake": [["1ms", "40us"], ["20ms", "120us"]]}, "tasks": [{"steps": [{"cpu": "5ms"}]}]}"#
        let s = try ScenarioLoader.parse(text: text)
        XCTAssertEqual(s.machine.timeoutIdleWake, [IdleRisePoint(latency: ms(1), overhead: .microseconds(40)),
                                                   IdleRisePoint(latency: ms(20), overhead: .microseconds(120))])
        XCTAssertEqual(try ScenarioLoader.parse(text: ScenarioEncoder.json(s)), s)
        let none = try ScenarioLoader.parse(text: #"{"machine": {"timeout_idle_wake": []}, "tasks": [{"steps": [{"cpu": "5ms"}]}]}"#)
        XCTAssertEqual(none.machine.timeoutIdleWake, [])
        for (bad, says) in [(#"[["20ms", "120us"], ["1ms", "40us"]]"#, "the waits of timeout_idle_wake must be above zero and increase"),
                            (#""50us""#, "timeout_idle_wake (a list of [wait, delay] pairs)"),
                            (#"[["1ms"]]"#, "a [wait, delay] pair (two durations)")] {
            XCTAssertThrowsError(try ScenarioLoader.parse(text: #"{"machine": {"timeout_idle_wake": "# + bad + #"}, "tasks": [{"steps": [{"cpu": "5ms"}]}]}"#,
                                                          sourceName: "s.json")) {
                XCTAssertTrue("\($0)".contains(says) && "\($0)".contains("s.json:1:"), "\($0)")
            }
        }
    }

    /// The new keys read, validate and write back.
    func testNewKeysRoundTrip() throws {
        let text = """
            {"machine": {"parallel_efficiency": {"python": 0.8, "c_releases_gil": 0.95}},
             "costs": {"process_spawn": {"fork": "1.5ms"}, "process_first_start": {"forkserver": "35ms"},
                       "pool_first_start": {"fork": "6ms"}, "pool_worker_start": {"spawn": "5ms"},
                       "process_exit": {"spawn": "8ms"},
                       "io_idle_overhead": "600us", "io_idle_after": "2ms"},
             "tasks": [{"steps": [{"cpu": "5ms"}]}]}
            """
        let s = try ScenarioLoader.parse(text: text)
        XCTAssertEqual(s.machine.parallelEfficiency, [.python: 0.8, .cHoldsGIL: 1, .cReleasesGIL: 0.95])
        XCTAssertEqual(s.costs.processSpawn[.fork], .microseconds(1500))
        XCTAssertEqual(s.costs.processFirstStart, [.fork: .zero, .forkserver: .milliseconds(35), .spawn: .zero])
        XCTAssertEqual(s.costs.poolFirstStart, [.fork: .milliseconds(6), .forkserver: .zero, .spawn: .zero])
        XCTAssertEqual(s.costs.poolWorkerStart, [.fork: .zero, .forkserver: .zero, .spawn: .milliseconds(5)])
        XCTAssertEqual(s.costs.processExit, [.fork: .zero, .forkserver: .zero, .spawn: .milliseconds(8)])
        XCTAssertEqual(s.costs.ioIdleOverhead, .microseconds(600))
        XCTAssertEqual(try ScenarioLoader.parse(text: ScenarioEncoder.json(s)), s)
        XCTAssertThrowsError(try ScenarioLoader.parse(text: #"{"machine": {"parallel_efficiency": {"python": 1.5}}, "tasks": [{"steps": [{"cpu": "5ms"}]}]}"#)) {
            XCTAssertTrue("\($0)".contains("parallel_efficiency.python"), "\($0)")
        }
        let start = try ScenarioLoader.parse(text: #"{"machine": {"start_efficiency": 0.7}, "tasks": [{"steps": [{"cpu": "5ms"}]}]}"#)
        XCTAssertEqual(start.machine.startEfficiency, 0.7)
        XCTAssertEqual(try ScenarioLoader.parse(text: ScenarioEncoder.json(start)), start)
        XCTAssertNil(s.machine.startEfficiency)
        XCTAssertFalse(ScenarioEncoder.json(s).contains("start_efficiency"), "absent stays absent")
        XCTAssertThrowsError(try ScenarioLoader.parse(text: #"{"machine": {"start_efficiency": 0}, "tasks": [{"steps": [{"cpu": "5ms"}]}]}"#)) {
            XCTAssertTrue("\($0)".contains("start_efficiency"), "\($0)")
        }
        let spread = try ScenarioLoader.parse(text: #"{"machine": {"core_speed_spread": {"c_holds_gil": 1.2}}, "tasks": [{"steps": [{"cpu": "5ms"}]}]}"#)
        XCTAssertEqual(spread.machine.coreSpeedSpread, [.python: 1, .cHoldsGIL: 1.2, .cReleasesGIL: 1])
        XCTAssertEqual(try ScenarioLoader.parse(text: ScenarioEncoder.json(spread)), spread)
        XCTAssertThrowsError(try ScenarioLoader.parse(text: #"{"machine": {"core_speed_spread": {"python": 0.8}}, "tasks": [{"steps": [{"cpu": "5ms"}]}]}"#)) {
            XCTAssertTrue("\($0)".contains("core_speed_spread.python"), "\($0)")
        }
    }
}
