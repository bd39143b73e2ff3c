import XCTest
import SimEngine
import SimModel
import SimScenario
import SimTrace

/// Each runtime's distinctive behaviour (docs/model.md, "Runtimes"), checked against a result worked out by
/// hand from the mechanism.
final class RuntimeTests: XCTestCase {
    let ms = Fixtures.ms
    let us = Fixtures.us

    /// A machine whose wake-ups and context switches cost nothing, so that makespans are sums of the steps.
    func quietMachine(cores: Int) -> Machine {
        Machine(cores: cores, contextSwitch: .zero, wakeLatency: .zero, wakeJitter: 0)
    }

    /// Costs that are zero except where a test sets them.
    func noCosts() -> Costs {
        var costs = Costs(threadStart: .zero, processStart: [.fork: .zero, .forkserver: .zero, .spawn: .zero], pickle: .zero,
              greenletSwitch: .zero, greenletSpawn: .zero, loopIteration: .zero, taskCreate: .zero,
              executorHandoff: .zero, connectionSetup: .zero, connectionCPU: .zero, syscall: .zero, readyRecv: .zero, ioOverhead: .zero,
              uvloopLoopIteration: .zero, trioLoopIteration: .zero, curioLoopIteration: .zero, twistedLoopIteration: .zero,
              tornadoCallback: .zero, eventletSwitch: .zero, eventletSpawn: .zero, taskletSwitch: .zero, taskletSpawn: .zero,
              interpreterStart: .zero, interpreterHandoff: .zero, executorResultCPU: .zero, executorWorkerCPU: .zero, executorWakeCPU: .zero,
              poolTaskCPU: .zero, poolResultCPU: .zero, poolHandlerTurn: .zero, poolHandlerCalls: .zero)
        for waker in TimerWaker.allCases { costs.timerWakeCPU[waker] = .zero }
        return costs
    }

    func group(_ name: String, _ count: Int, _ steps: [Step]) -> TaskGroup { TaskGroup(name: name, count: count, steps: steps) }
    func cpu(_ d: SimTime, _ kind: CPUKind = .python) -> Step { .cpu(CPUStep(duration: .constant(d), kind: kind)) }
    func io(_ latency: SimTime) -> Step { .io(IOStep(latency: .constant(latency), cpu: .constant(.zero), connection: .new)) }

    /// uvloop differs from asyncio only in what a pass of the loop costs: one coroutine sleeping N times
    /// makes N + 1 passes (one to start it, one after each sleep), so the makespans differ by exactly
    /// (N + 1) x (asyncio's pass − uvloop's pass).
    func testUvloopSavesItsCheaperPassOnEveryIteration() throws {
        let sleeps = 10
        var costs = Costs()
        costs.loopIteration = us(5)
        costs.uvloopLoopIteration = .nanoseconds(1_200)
        let scenario = Scenario(name: "passes", machine: Machine(wakeJitter: 0), costs: costs,
                                tasks: [group("sleeper", 1, [.repeat(count: sleeps, steps: [.sleep(.constant(ms(1)))])])])
        let asyncio = try Simulator.run(scenario, strategy: Strategy(kind: .asyncio(executorWorkers: nil, cpuInExecutor: false)))
        let uvloop = try Simulator.run(scenario, strategy: Strategy(kind: .uvloop(executorWorkers: nil, cpuInExecutor: false)))
        XCTAssertEqual(asyncio.metrics.makespan - uvloop.metrics.makespan, (us(5) - .nanoseconds(1_200)) * Int64(sleeps + 1))
    }

    /// A loop or hub asleep in its poll with a timer due waits whole milliseconds (select.epoll.poll rounds its
    /// timeout up; libev under gevent too; `Defaults.pollTimeoutResolution`): five sleeps of 10.3 ms end at
    /// 5 x 11 ms. uvloop (libuv's own clock, not modelled), eventlet (its hub sleeps in time.sleep with no
    /// socket to watch) and a thread (clock_nanosleep) end at 5 x 10.3 ms, and an I/O answer wakes the poll at
    /// once, to the nanosecond.
    func testAPollWaitsWholeMillisecondsForItsTimer() throws {
        let sleeps = Scenario(name: "timers", machine: quietMachine(cores: 2), costs: noCosts(),
                              tasks: [group("sleeper", 1, [.repeat(count: 5, steps: [.sleep(.constant(us(10_300)))])])])
        let rounded: [Strategy.Kind] = [.asyncio(executorWorkers: nil, cpuInExecutor: false), .gevent,
                                        .trio(threadLimit: 40, cpuInThread: false), .curio(threadLimit: 64, cpuInThread: false),
                                        .twisted(threadLimit: 10, cpuInThread: false),
                                        .tornado(maxClients: 10, executorWorkers: nil, cpuInExecutor: false)]
        for kind in rounded {
            XCTAssertEqual(try Simulator.run(sleeps, strategy: Strategy(kind: kind)).metrics.makespan, ms(55), "\(kind)")
        }
        for kind: Strategy.Kind in [.uvloop(executorWorkers: nil, cpuInExecutor: false), .eventlet(tpoolSize: 20, cpuInTpool: false),
                                    .threads(pool: nil)] {
            XCTAssertEqual(try Simulator.run(sleeps, strategy: Strategy(kind: kind)).metrics.makespan, us(51_500), "\(kind)")
        }
        let call = Scenario(name: "answer", machine: quietMachine(cores: 2), costs: noCosts(),
                            tasks: [group("caller", 1, [io(us(10_300))])])
        XCTAssertEqual(try Simulator.run(call, strategy: Strategy(kind: .asyncio(executorWorkers: nil, cpuInExecutor: false))).metrics.makespan,
                       us(10_300), "an answer ends the poll when it comes")
    }

    /// trio runs the tasks ready at the start of a pass as one batch, popped from the end of the list after
    /// reversing it with probability 1/2 (trio/_core/_run.py, `unrolled_run`). Two tasks of inline CPU,
    /// both ready in the first pass: the second-created one runs first in about half of the seeds; asyncio
    /// always runs them in the order they became ready.
    func testTrioRunsEachBatchInEitherOrder() throws {
        var secondFirst = 0
        let seeds = 1...200
        for seed in seeds {
            let scenario = Scenario(name: "order", seed: UInt64(seed), machine: quietMachine(cores: 2), costs: noCosts(),
                                    tasks: [group("t", 2, [cpu(ms(1))])])
            let trio = try Simulator.run(scenario, strategy: Strategy(kind: .trio(threadLimit: 40, cpuInThread: false)), options: SimulationOptions(trace: false))
            let latencies = trio.metrics.taskLatencies
            if latencies[1] < latencies[0] { secondFirst += 1 }
            XCTAssertEqual(latencies.max(), ms(2), "seed \(seed): one after the other on the loop")
            let asyncio = try Simulator.run(scenario, strategy: Strategy(kind: .asyncio(executorWorkers: nil, cpuInExecutor: false)), options: SimulationOptions(trace: false))
            XCTAssertEqual(asyncio.metrics.taskLatencies, [ms(1), ms(2)], "seed \(seed)")
        }
        // Binomial(200, 1/2): 100 ± 30 is beyond four standard deviations (7.1).
        XCTAssertEqual(Double(secondFirst), 100, accuracy: 30)
    }

    /// A task made runnable during a pass waits for the next pass: B's 1 ms sleep ends while A's 10 ms and
    /// C's 3 ms of inline CPU (the same pass's batch) run, and B runs only after both, whatever their order.
    func testTrioTaskReadyDuringAPassWaitsForTheNext() throws {
        for seed in UInt64(1)...20 {
            let scenario = Scenario(name: "pass", seed: seed, machine: quietMachine(cores: 2), costs: noCosts(), tasks: [
                group("a", 1, [cpu(ms(10))]), group("b", 1, [.sleep(.constant(ms(1))), cpu(ms(1))]), group("c", 1, [cpu(ms(3))]),
            ])
            let run = try Simulator.run(scenario, strategy: Strategy(kind: .trio(threadLimit: 40, cpuInThread: false)), options: SimulationOptions(trace: false))
            XCTAssertEqual(run.metrics.taskLatencies[1], ms(14), "seed \(seed)")
            XCTAssertEqual(run.metrics.makespan, ms(14), "seed \(seed)")
        }
    }

    /// trio's coins differ in every real run (an unseeded `random.Random()`, trio/_core/_run.py `_r`), so its
    /// prediction is the run with the median makespan of `Simulator.randomTrajectories` coin sequences. A
    /// computes 1 ms and then sleeps 10 ms, B computes 5 ms, both inline and in the first pass's batch: A first
    /// ends at 11 ms, B first at 5 + 1 + 10 = 16 ms. asyncio, without coins, runs once.
    func testTrioIsPredictedAsTheMedianOfItsCoinSequences() throws {
        let trio = Strategy(kind: .trio(threadLimit: 40, cpuInThread: false))
        let quiet = SimulationOptions(trace: false)
        var seen = Set<SimTime>()
        for seed in UInt64(1)...20 {
            let scenario = Scenario(name: "coins", seed: seed, machine: quietMachine(cores: 2), costs: noCosts(), tasks: [
                group("a", 1, [cpu(ms(1)), .sleep(.constant(ms(10)))]), group("b", 1, [cpu(ms(5))]),
            ])
            let makespans = try (0..<UInt64(Simulator.randomTrajectories)).map {
                try Simulator.run(scenario, strategy: trio, options: quiet, trajectory: $0).metrics.makespan
            }
            XCTAssert(makespans.allSatisfy { $0 == ms(11) || $0 == ms(16) }, "seed \(seed): \(makespans)")
            seen.formUnion(makespans)
            XCTAssertEqual(try Simulator.run(scenario, strategy: trio, options: quiet).metrics.makespan, makespans.sorted()[makespans.count / 2], "seed \(seed)")
            let asyncio = Strategy(kind: .asyncio(executorWorkers: nil, cpuInExecutor: false))
            XCTAssertEqual(Simulator.trajectoryCount(scenario, strategy: asyncio), 1)
            XCTAssertEqual(try Simulator.run(scenario, strategy: asyncio, options: quiet).metrics.makespan, ms(11), "seed \(seed)")
        }
        XCTAssertEqual(seen, [ms(11), ms(16)], "both orders occur")
    }

    /// Twisted's reactor pool has at most 10 threads (`ThreadPool(0, 10)`): 20 CPU steps of C code that
    /// releases the GIL, on 20 cores, run in two waves of 10; with `thread_limit` 20, in one.
    func testTwistedPoolOfTenRunsTwentyJobsInTwoWaves() throws {
        let scenario = Scenario(name: "pool", machine: quietMachine(cores: 20), costs: noCosts(),
                                tasks: [group("hash", 20, [cpu(ms(10), .cReleasesGIL)])])
        let ten = try Simulator.run(scenario, strategy: Strategy(kind: .twisted(threadLimit: Defaults.twistedThreadLimit, cpuInThread: true)))
        XCTAssertEqual(Defaults.twistedThreadLimit, 10)
        XCTAssertGreaterThanOrEqual(ten.metrics.makespan, ms(20))
        XCTAssertLessThan(ten.metrics.makespan, ms(20) + us(100))
        let twenty = try Simulator.run(scenario, strategy: Strategy(kind: .twisted(threadLimit: 20, cpuInThread: true)))
        XCTAssertGreaterThanOrEqual(twenty.metrics.makespan, ms(10))
        XCTAssertLessThan(twenty.metrics.makespan, ms(10) + us(100))
        let trace = try XCTUnwrap(ten.trace)
        XCTAssertEqual(trace.lanes.filter { $0.name.hasPrefix("executor-") }.count, 10, "ten pool threads")
    }

    /// The thread pools' sizes: 64 GIL-releasing jobs on 64 cores are one wave in curio's 64-thread pool,
    /// two in trio's 40-thread limiter.
    func testCurioAndTrioThreadLimits() throws {
        let scenario = Scenario(name: "pools", machine: quietMachine(cores: 64), costs: noCosts(),
                                tasks: [group("hash", 64, [cpu(ms(10), .cReleasesGIL)])])
        let curio = try Simulator.run(scenario, strategy: Strategy(kind: StrategyKindName.curio.defaultKind), options: SimulationOptions(trace: false))
        XCTAssertEqual(curio.metrics.makespan.seconds, 0.010, accuracy: 0.000_1)
        let trio = try Simulator.run(scenario, strategy: Strategy(kind: StrategyKindName.trio.defaultKind), options: SimulationOptions(trace: false))
        XCTAssertEqual(trio.metrics.makespan.seconds, 0.020, accuracy: 0.000_1)
    }

    /// Tornado's AsyncHTTPClient runs at most max_clients = 10 fetches at once: 20 fetches of latency L take
    /// two latencies; with max_clients 20, one.
    func testTornadoMaxClientsQueuesFetches() throws {
        let latency = ms(50)
        let scenario = Scenario(name: "fetch", machine: quietMachine(cores: 2), costs: noCosts(), tasks: [group("get", 20, [io(latency)])])
        let ten = try Simulator.run(scenario, strategy: Strategy(kind: StrategyKindName.tornado.defaultKind))
        XCTAssertEqual(ten.metrics.makespan.seconds, 2 * latency.seconds, accuracy: 0.000_1)
        let twenty = try Simulator.run(scenario, strategy: Strategy(kind: .tornado(maxClients: 20, executorWorkers: nil, cpuInExecutor: true)))
        XCTAssertEqual(twenty.metrics.makespan.seconds, latency.seconds, accuracy: 0.000_1)
        // The queued coroutines show it: awaiting a slot for one latency.
        let trace = try XCTUnwrap(ten.trace)
        let queued = trace.segments.filter { trace.lanes[Int($0.lane)].kind == .coroutine && $0.state == .awaiting }
        XCTAssertEqual(queued.count, 10)
    }

    /// Tornado adds its callback cost to every coroutine the loop resumes: one coroutine sleeping N times
    /// is resumed N + 1 times.
    func testTornadoPaysItsCallbackOnEveryResume() throws {
        var costs = noCosts()
        costs.tornadoCallback = us(3)
        let scenario = Scenario(name: "resume", machine: quietMachine(cores: 2), costs: costs,
                                tasks: [group("sleeper", 1, [.repeat(count: 4, steps: [.sleep(.constant(ms(1)))])])])
        let tornado = try Simulator.run(scenario, strategy: Strategy(kind: StrategyKindName.tornado.defaultKind))
        XCTAssertEqual(tornado.metrics.makespan, ms(4) + us(3) * 5)
    }

    /// Tasklets are not monkey patched: each blocking call blocks the one thread, so five 20 ms GETs take
    /// 100 ms (gevent overlaps them: 20 ms).
    func testTaskletsSerialiseBlockingIO() throws {
        let scenario = Scenario(name: "io", machine: quietMachine(cores: 2), costs: noCosts(), tasks: [group("get", 5, [io(ms(20))])])
        let tasklets = try Simulator.run(scenario, strategy: Strategy(kind: .tasklets))
        XCTAssertEqual(tasklets.metrics.makespan, ms(100))
        XCTAssertEqual(tasklets.metrics.taskLatencies, [ms(20), ms(40), ms(60), ms(80), ms(100)])
        let gevent = try Simulator.run(scenario, strategy: Fixtures.gevent)
        XCTAssertEqual(gevent.metrics.makespan, ms(20))
    }

    /// Tasklets switch round robin after every step (stackless `schedule()`); a greenlet runs until it
    /// waits. Three tasks of two 1 ms steps: tasklets finish at 4, 5 and 6 ms (A1 B1 C1 A2 B2 C2), gevent's
    /// greenlets at 2, 4 and 6 ms.
    func testTaskletsTakeTurnsAfterEveryStep() throws {
        let scenario = Scenario(name: "turns", machine: quietMachine(cores: 2), costs: noCosts(),
                                tasks: [group("t", 3, [cpu(ms(1)), cpu(ms(1))])])
        let tasklets = try Simulator.run(scenario, strategy: Strategy(kind: .tasklets))
        XCTAssertEqual(tasklets.metrics.taskLatencies, [ms(4), ms(5), ms(6)])
        let gevent = try Simulator.run(scenario, strategy: Fixtures.gevent)
        XCTAssertEqual(gevent.metrics.taskLatencies, [ms(2), ms(4), ms(6)])
    }

    /// A ThreadPoolExecutor's worker runs code of its own around each job (`executor_worker_cpu` out of its
    /// queue, `executor_result_cpu` before the task hears of the result, `executor_wake_cpu` when it slept on
    /// an empty queue): one coroutine handing N steps to asyncio's, uvloop's or Tornado's executor one after
    /// another takes N x (worker + result) + (N - 1) x wake longer than the same steps in trio's threads with
    /// `trio_thread_worker` at 0 (the first job finds its worker just started, not asleep). curio's worker, at
    /// `curio_thread_worker` 0.5, pays half the result's CPU per job and half the worker's on its way back from the
    /// task before each next job, which finds it awake (no wake-up): N x result / 2 + (N - 1) x worker / 2.
    /// Inline, nothing is paid.
    func testTheExecutorsWorkerPaysItsOwnCostsAroundEachJob() throws {
        var costs = noCosts()
        costs.executorResultCPU = us(25)
        costs.executorWorkerCPU = us(9)
        costs.executorWakeCPU = us(13)
        costs.trioThreadWorker = 0
        costs.curioThreadWorker = 0.5
        let steps = 10
        let scenario = Scenario(name: "jobs", machine: quietMachine(cores: 2), costs: costs,
                                tasks: [group("jobs", 1, [.repeat(count: steps, steps: [cpu(ms(1))])])])
        let trio = try Simulator.run(scenario, strategy: Strategy(kind: .trio(threadLimit: 40, cpuInThread: true))).metrics.makespan
        XCTAssertEqual(trio, ms(Int64(steps)))
        let curio = try Simulator.run(scenario, strategy: Strategy(kind: .curio(threadLimit: 64, cpuInThread: true))).metrics.makespan
        XCTAssertEqual(curio - trio, us(25) / 2 * Int64(steps) + us(9) / 2 * Int64(steps - 1))
        for kind: Strategy.Kind in [.asyncio(executorWorkers: nil, cpuInExecutor: true), .uvloop(executorWorkers: nil, cpuInExecutor: true),
                                    .tornado(maxClients: 10, executorWorkers: nil, cpuInExecutor: true)] {
            let makespan = try Simulator.run(scenario, strategy: Strategy(kind: kind)).metrics.makespan
            XCTAssertEqual(makespan - trio, (us(25) + us(9)) * Int64(steps) + us(13) * Int64(steps - 1), "\(kind)")
        }
        let inline = try Simulator.run(scenario, strategy: Strategy(kind: .asyncio(executorWorkers: nil, cpuInExecutor: false))).metrics.makespan
        XCTAssertEqual(inline, ms(Int64(steps)))
    }

    /// A trio or curio thread's result comes back through the loop's wake-up socket to a system task, which takes
    /// it in a pass of its own and wakes the task for the next pass (trio's `EntryQueue.task`, curio's
    /// `_kernel_task`); asyncio's `call_soon_threadsafe` queues the task itself. One coroutine handing N steps to
    /// the pool one after another, every cost zero but a pass of the loop (L) and the socket's recv (R): each
    /// result costs trio and curio one pass and one recv more than asyncio.
    func testATrioOrCurioResultTakesAPassOfItsOwn() throws {
        var costs = noCosts()
        let pass = us(100), recv = us(7)
        costs.loopIteration = pass
        costs.trioLoopIteration = pass
        costs.curioLoopIteration = pass
        costs.readyRecv = recv
        costs.trioThreadWorker = 0
        costs.curioThreadWorker = 0
        let steps: Int64 = 10
        let scenario = Scenario(name: "jobs", machine: quietMachine(cores: 2), costs: costs,
                                tasks: [group("jobs", 1, [.repeat(count: Int(steps), steps: [cpu(ms(1))])])])
        let asyncio = try Simulator.run(scenario, strategy: Strategy(kind: .asyncio(executorWorkers: nil, cpuInExecutor: true))).metrics.makespan
        for kind: Strategy.Kind in [.trio(threadLimit: 40, cpuInThread: true), .curio(threadLimit: 64, cpuInThread: true)] {
            let makespan = try Simulator.run(scenario, strategy: Strategy(kind: kind)).metrics.makespan
            XCTAssertEqual(makespan - asyncio, (pass + recv) * steps, "\(kind)")
        }
    }

    /// trio's thread cache and curio's WorkerPool hand each job to one thread, which runs that job alone; a
    /// ThreadPoolExecutor's jobs share its queue, and a worker finishing one takes the next queued job at once,
    /// ahead of the thread woken for it. Eight coroutines of 25 rounds of a 2 ms sleep and 0.5 ms of Python in
    /// threads (validation/thread_trips.json) on the default machine, over seeds: no executor lane of trio or
    /// curio holds a running span of two jobs (1.8 x 0.5 ms or more), where asyncio's do.
    func testTrioAndCurioHandEachJobToOneThread() throws {
        for seed: UInt64 in 1...5 {
            let scenario = Scenario(name: "trips", seed: seed, machine: Machine(cores: 2),
                                    tasks: [group("tick", 8, [.repeat(count: 25, steps: [.sleep(.constant(ms(2))), cpu(us(500))])])])
            func joinedJobs(_ kind: Strategy.Kind) throws -> Int {
                let trace = try XCTUnwrap(try Simulator.run(scenario, strategy: Strategy(kind: kind)).trace)
                let workers = Set(trace.lanes.filter { $0.name.hasPrefix("executor-") }.map(\.id))
                XCTAssertFalse(workers.isEmpty)
                return trace.segments.filter { workers.contains(Int($0.lane)) && $0.state == .running && $0.duration >= us(900) }.count
            }
            XCTAssertEqual(try joinedJobs(.trio(threadLimit: 40, cpuInThread: true)), 0, "seed \(seed)")
            XCTAssertEqual(try joinedJobs(.curio(threadLimit: 64, cpuInThread: true)), 0, "seed \(seed)")
            XCTAssertGreaterThan(try joinedJobs(.asyncio(executorWorkers: nil, cpuInExecutor: true)), 0, "seed \(seed)")
        }
    }

    /// eventlet runs CPU inline on the hub's thread by default; with `cpu: "tpool"`, 40 GIL-releasing jobs
    /// go to tpool's 20 threads and run in two waves on 40 cores.
    func testEventletTpoolOfTwenty() throws {
        let scenario = Scenario(name: "tpool", machine: quietMachine(cores: 40), costs: noCosts(),
                                tasks: [group("hash", 40, [cpu(ms(10), .cReleasesGIL)])])
        let inline = try Simulator.run(scenario, strategy: Strategy(kind: StrategyKindName.eventlet.defaultKind), options: SimulationOptions(trace: false))
        XCTAssertEqual(inline.metrics.makespan, ms(400))
        let tpool = try Simulator.run(scenario, strategy: Strategy(kind: .eventlet(tpoolSize: Defaults.eventletTpoolSize, cpuInTpool: true)), options: SimulationOptions(trace: false))
        XCTAssertEqual(tpool.metrics.makespan.seconds, 0.020, accuracy: 0.000_1)
    }

    /// A pool thread's result goes ahead of the I/O the loop has not polled yet where the runtime queues it
    /// straight into the loop's ready queue (asyncio's `call_soon_threadsafe`, uvloop's, Twisted's
    /// `callFromThread`), and behind it where it comes through the loop's wake-up socket (curio; trio too, whose
    /// passes then run in either order, `BatchOrder.eitherWay`). One
    /// pool thread; a job that sleeps 1 ms, then hands it 10 ms of Python and then 1 ms; four clients whose 2 ms
    /// answers arrive while the 10 ms hold the GIL (a 50 ms switch interval: no drop request), each then
    /// handing 3 ms of hashing (the GIL released) to the same thread. Ahead: the job's 1 ms is queued first and
    /// the job ends at 1 + 10 + 1 = 12 ms; behind: after the clients' four, at 1 + 10 + 12 + 1 = 24 ms.
    func testAPoolThreadsResultGoesAheadOfUnpolledIOWhereTheLoopQueuesItAtOnce() throws {
        let scenario = Scenario(name: "order", machine: quietMachine(cores: 2), python: PythonRuntime(switchInterval: ms(50)),
                                costs: noCosts(),
                                tasks: [group("job", 1, [.sleep(.constant(ms(1))), cpu(ms(10)), cpu(ms(1))]),
                                        group("client", 4, [io(ms(2)), cpu(ms(3), .cReleasesGIL)])])
        let expected: [(Strategy.Kind, SimTime)] = [
            (.asyncio(executorWorkers: 1, cpuInExecutor: true), ms(12)), (.uvloop(executorWorkers: 1, cpuInExecutor: true), ms(12)),
            (.tornado(maxClients: 10, executorWorkers: 1, cpuInExecutor: true), ms(12)), (.twisted(threadLimit: 1, cpuInThread: true), ms(12)),
            (.curio(threadLimit: 1, cpuInThread: true), ms(24))]
        for (kind, job) in expected {
            let run = try Simulator.run(scenario, strategy: Strategy(kind: kind), options: SimulationOptions(trace: false))
            // In the order of the scenario's tasks: the job first.
            XCTAssertEqual(run.metrics.taskLatencies.first, job, "\(kind)")
        }
    }

    /// Connections: the runtimes whose client keeps its connection (aiohttp, trio's and curio's raw sockets)
    /// connect once per task; the others once per call.
    func testConnectionModeFollowsTheDescriptor() throws {
        var costs = noCosts()
        costs.connectionSetup = ms(1)
        let scenario = Scenario(name: "conn", machine: quietMachine(cores: 2), costs: costs,
                                tasks: [group("get", 1, [.repeat(count: 3, steps: [io(ms(10))])])])
        for kind in StrategyKindName.allCases where kind != .processes {
            let run = try Simulator.run(scenario, strategy: Strategy(kind: kind.defaultKind), options: SimulationOptions(trace: false))
            let connects: Int64 = kind.descriptor.harness.connection == .reuse ? 1 : 3
            XCTAssertEqual(run.metrics.makespan.seconds, (ms(30) + ms(connects)).seconds, accuracy: 0.000_2, kind.rawValue)
        }
    }

    /// InterpreterPoolExecutor: threads of the main process with an interpreter and a GIL each (PEP 684).
    /// Four 100 ms pure-Python tasks on 2 cores, a pool of 2: each worker starts its interpreter once (1 ms)
    /// and runs two tasks, each with a 50 µs handoff in and out, in parallel with the other: 1 ms +
    /// 2 x (50 µs + 100 ms + 50 µs) = 201.2 ms, and no thread ever waits for a GIL. Threads share one GIL:
    /// the same work takes at least 400 ms.
    func testInterpretersRunPythonInParallelWithAGILEach() throws {
        var costs = noCosts()
        costs.interpreterStart = ms(1)
        costs.interpreterHandoff = us(50)
        let scenario = Scenario(name: "interp", machine: quietMachine(cores: 2), python: PythonRuntime(version: .v3_14),
                                costs: costs, tasks: [group("py", 4, [cpu(ms(100))])])
        let run = try Simulator.run(scenario, strategy: Strategy(kind: .interpreters(pool: 2)))
        XCTAssertEqual(run.metrics.makespan, ms(1) + (us(50) + ms(100) + us(50)) * 2)
        XCTAssertEqual(run.metrics.gilWaited, .zero)
        // The workers are threads of the main process (their lanes are there), named as ThreadPoolExecutor's.
        let workers = try XCTUnwrap(run.trace).lanes.filter { $0.name.hasPrefix("ThreadPoolExecutor-0_") }
        XCTAssertEqual(workers.map(\.name), ["ThreadPoolExecutor-0_0", "ThreadPoolExecutor-0_1"])
        XCTAssertTrue(workers.allSatisfy { $0.process == 0 })
        let threads = try Simulator.run(scenario, strategy: Strategy(kind: .threads(pool: 2)), options: SimulationOptions(trace: false))
        XCTAssertGreaterThanOrEqual(threads.metrics.makespan, ms(400))
        XCTAssertGreaterThan(threads.metrics.gilWaited, ms(100))
    }

    /// The start cost is paid once per worker, not per task: one worker runs the four tasks one after another
    /// (1 ms + 4 x 100.1 ms); four workers on 4 cores run them at once (1 ms + 100.1 ms); and a pool larger than
    /// the tasks starts only as many workers as there are tasks (`_adjust_thread_count` starts one per submit).
    func testInterpreterStartIsPaidOncePerWorker() throws {
        var costs = noCosts()
        costs.interpreterStart = ms(1)
        costs.interpreterHandoff = us(50)
        let task = us(50) + ms(100) + us(50)
        for (cores, pool, expected) in [(2, 1, ms(1) + task * 4), (4, 4, ms(1) + task), (4, 32, ms(1) + task)] {
            let scenario = Scenario(name: "interp", machine: quietMachine(cores: cores), python: PythonRuntime(version: .v3_14),
                                    costs: costs, tasks: [group("py", 4, [cpu(ms(100))])])
            let run = try Simulator.run(scenario, strategy: Strategy(kind: .interpreters(pool: pool)))
            XCTAssertEqual(run.metrics.makespan, expected, "pool \(pool) on \(cores) cores")
            let workers = try XCTUnwrap(run.trace).lanes.filter { $0.name.hasPrefix("ThreadPoolExecutor-0_") }
            XCTAssertEqual(workers.count, min(pool, 4), "pool \(pool)")
        }
    }
}
