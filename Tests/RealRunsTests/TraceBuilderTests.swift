import Foundation
import SimEngine
import SimModel
import SimScenario
import SimTrace
import XCTest

@testable import SimRealRuns

/// Turning a harness result into a Trace and RunMetrics, and the comparison table, on synthetic results.
final class TraceBuilderTests: XCTestCase {
    func profile() throws -> MachineProfile {
        try MachineProfile.fromCalibration(Data(CostFitTests.calibrationJSON.utf8), path: "c")
    }

    /// Two tasks: [cpu python 10ms, io 20ms] and [sha 10ms]; harness JSON as the harness writes it.
    func scenario() -> Scenario {
        Scenario(name: "t", tasks: [
            TaskGroup(name: "a", steps: [.cpu(CPUStep(duration: .constant(.milliseconds(10)))),
                                         .io(IOStep(latency: .constant(.milliseconds(20))))]),
            TaskGroup(name: "b", steps: [.cpu(CPUStep(duration: .constant(.milliseconds(10)), kind: .cReleasesGIL))]),
        ])
    }

    func decode(_ json: String) throws -> HarnessResult { try JSONDecoder().decode(HarnessResult.self, from: Data(json.utf8)) }

    /// A run whose steadiness probe moved by more than the tolerance either way saw the machine change speed;
    /// a result without the probe is taken as steady.
    func testSteadinessOfARun() throws {
        let empty = #""tasks": []"#
        let slower = try decode(#"{"makespan": 1, "spawned": 0, "python": "3.11.7", "steady_probe_ns": [3000000, 4800000], \#(empty)}"#)
        XCTAssertEqual(try XCTUnwrap(slower.speedChange), 1.6, accuracy: 1e-9)
        let options = RealRunOptions(steadyTolerance: 0.15)
        XCTAssertFalse(options.isSteady(slower.speedChange))
        XCTAssertFalse(options.isSteady(1 / 1.6), "faster after counts as well")
        XCTAssertTrue(options.isSteady(1.15))
        XCTAssertTrue(options.isSteady(1 / 1.15))
        XCTAssertFalse(options.isSteady(1.151))
        let none = try decode(#"{"makespan": 1, "spawned": 0, "python": "3.11.7", \#(empty)}"#)
        XCTAssertNil(none.speedChange)
        XCTAssertTrue(options.isSteady(none.speedChange))
        let zero = try decode(#"{"makespan": 1, "spawned": 0, "python": "3.11.7", "steady_probe_ns": [0, 5], \#(empty)}"#)
        XCTAssertNil(zero.speedChange)
    }

    /// A run is measured again when its probe moved, or when its CPU steps ran more than the pace tolerance
    /// away from the pace expected for its strategy (the model's, else 1); without a pace (not instrumented)
    /// only the probe counts.
    func testARunWhoseCPUStepsRanOffTheirPaceIsUnsteady() {
        func run(pace: Double?, change: Double? = 1) -> RealRun {
            RealRun(metrics: RunMetrics(strategy: "threads", kind: "threads", cpuStepPace: pace),
                    trace: Trace(lanes: [], segments: [], end: .zero), python: "3.11.7", instrumented: pace != nil, speedChange: change)
        }
        let options = RealRunOptions(expectedPace: ["processes": 1.2], paceTolerance: 0.25)
        XCTAssertNil(options.unsteadiness(of: run(pace: 1.24), label: "threads"))
        XCTAssertNil(options.unsteadiness(of: run(pace: 1 / 1.24), label: "threads"))
        XCTAssertNotNil(options.unsteadiness(of: run(pace: 1.26), label: "threads"))
        XCTAssertNotNil(options.unsteadiness(of: run(pace: 0.79), label: "threads"), "faster counts as well")
        XCTAssertNil(options.unsteadiness(of: run(pace: 1.45), label: "processes"), "1.45 / 1.2 is within 25%")
        XCTAssertNotNil(options.unsteadiness(of: run(pace: 0.95), label: "processes"), "1.2 / 0.95 is not")
        XCTAssertNil(options.unsteadiness(of: run(pace: nil), label: "threads"))
        XCTAssertEqual(options.unsteadiness(of: run(pace: 1, change: 1.6), label: "threads"), "probe x1.60 after")
        XCTAssertEqual(options.unsteadiness(of: run(pace: 1.5), label: "threads"), "CPU steps at 150% of their planned time, 100% expected")
    }

    /// `scenario()` run in two threads, as harness.py writes it: a's start() called at 0.1 ms, a began at 0.3 ms,
    /// start() returned at 0.9 ms; b's 0.9, 0.95, 0.98 ms (the start times only from a harness that records them).
    func twoThreadsResult(startTimes: Bool) throws -> HarnessResult {
        func starts(_ call: Int, _ back: Int) -> String { startTimes ? #""start_call": \#(call), "start_return": \#(back),"# : "" }
        return try decode("""
            {"makespan": 40000000, "spawned": 1000000, "python": "3.11.7", "tasks": [
             {"task": 0, "lane": "Thread-1", "pid": 7, "created": 50000, "begin": 300000, "end": 33000000, \(starts(100000, 900000))
              "steps": [[0, 400000, 11000000], [1, 11100000, 32000000]], "executor": []},
             {"task": 1, "lane": "Thread-2", "pid": 7, "created": 60000, "begin": 950000, "end": 40000000, \(starts(900000, 980000))
              "steps": [[0, 960000, 39000000]], "executor": []}]}
            """)
    }

    func testThreadsLanesStatesAndMetrics() throws {
        let strategy = Strategy(kind: .threads(pool: nil))
        let plan = try HarnessPlan(scenario: scenario(), strategy: strategy, profile: profile(), serverURL: "u")
        let result = try twoThreadsResult(startTimes: false)
        try result.check(against: plan, path: "r")
        let (trace, metrics) = RealTraceBuilder.build(result: result, plan: plan, strategy: strategy)
        XCTAssertEqual(trace.lanes.map(\.name), ["MainThread", "a", "b"], "named after the tasks, as in the model")
        XCTAssertEqual(trace.state(ofLane: 0, at: .microseconds(500)), .running)
        XCTAssertEqual(trace.state(ofLane: 0, at: .milliseconds(20)), .awaiting)
        XCTAssertEqual(trace.state(ofLane: 1, at: .microseconds(200)), .starting)
        XCTAssertEqual(trace.state(ofLane: 1, at: .milliseconds(5)), .running)
        XCTAssertEqual(trace.state(ofLane: 1, at: .milliseconds(20)), .blocked)
        XCTAssertEqual(trace.state(ofLane: 1, at: .microseconds(11050)), .running, "the gap between steps is the task's Python")
        XCTAssertEqual(trace.state(ofLane: 2, at: .milliseconds(20)), .runningNoGIL)
        XCTAssertNil(trace.state(ofLane: 1, at: .milliseconds(35)), "the lane ends with its task")
        XCTAssertEqual(trace.end, .milliseconds(40))
        // Segments ordered by end time, never empty, never overlapping on a lane.
        XCTAssertEqual(trace.segments.map(\.end), trace.segments.map(\.end).sorted())
        for lane in trace.lanes.indices {
            let segs = trace.segments(ofLane: lane)
            XCTAssertTrue(segs.allSatisfy { $0.start < $0.end })
            XCTAssertTrue(zip(segs, segs.dropFirst()).allSatisfy { $0.end <= $1.start })
        }
        XCTAssertEqual(metrics.makespan, .milliseconds(40))
        XCTAssertEqual(metrics.taskLatencies, [.milliseconds(33), .milliseconds(40)])
        XCTAssertEqual(metrics.operations, 2, "one I/O round trip for a, one CPU step for b (no I/O)")
        XCTAssertEqual(metrics.strategy, "threads")
    }

    /// A pool's lanes in the order the pool started its workers, as the model's, whichever worker ran the
    /// first task: here worker 2 ran task 0.
    func testAPoolsLanesAreInItsWorkersOrder() throws {
        let strategy = Strategy(kind: .processes(pool: 2, startMethod: .spawn))
        let plan = try HarnessPlan(scenario: scenario(), strategy: strategy, profile: profile(), serverURL: "u")
        let result = try decode("""
            {"makespan": 40000000, "spawned": 1000000, "python": "3.11.7", "tasks": [
             {"task": 0, "lane": "SpawnPoolWorker-2", "pid": 8, "created": 50000, "begin": 300000, "end": 33000000,
              "steps": [[0, 400000, 11000000], [1, 11100000, 32000000]], "executor": []},
             {"task": 1, "lane": "SpawnPoolWorker-1", "pid": 9, "created": 60000, "begin": 950000, "end": 40000000,
              "steps": [[0, 960000, 39000000]], "executor": []}]}
            """)
        let (trace, _) = RealTraceBuilder.build(result: result, plan: plan, strategy: strategy)
        XCTAssertEqual(trace.lanes.map(\.name), ["MainThread", "SpawnPoolWorker-1", "SpawnPoolWorker-2"])
        XCTAssertEqual(trace.state(ofLane: 2, at: .milliseconds(5)), .running, "task 0 on worker 2's lane")
    }

    /// The metrics of `twoThreadsResult` as recorded, and after `edit` added what an instrumented run records.
    func twoThreadsMetrics(_ edit: (inout HarnessResult) -> Void) throws -> (plain: RunMetrics, edited: RunMetrics) {
        let strategy = Strategy(kind: .threads(pool: nil))
        let plan = try HarnessPlan(scenario: scenario(), strategy: strategy, profile: profile(), serverURL: "u")
        var result = try twoThreadsResult(startTimes: true)
        let plain = RealTraceBuilder.build(result: result, plan: plan, strategy: strategy).metrics
        edit(&result)
        return (plain, RealTraceBuilder.build(result: result, plan: plan, strategy: strategy).metrics)
    }

    /// The CPU steps' pace from each step's thread CPU time against its planned duration: a's 10 ms step took
    /// 12 ms on a core and b's 9 ms, so 21 / 20; the I/O step's CPU time is not a CPU step's; a result
    /// without CPU times (not instrumented) has no figure.
    func testTheCPUStepsPaceIsTheirCPUTimeOverTheirPlannedDurations() throws {
        let (plain, metrics) = try twoThreadsMetrics { result in
            result.tasks[0].steps[0].detail = HarnessResult.StepDetail(cpu: 12_000_000)
            result.tasks[0].steps[1].detail = HarnessResult.StepDetail(sent: 31_600_000, cpu: 5_000_000)
            result.tasks[1].steps[0].detail = HarnessResult.StepDetail(cpu: 9_000_000)
        }
        XCTAssertNil(plain.cpuStepPace)
        XCTAssertEqual(try XCTUnwrap(metrics.cpuStepPace), 1.05, accuracy: 1e-12)
        XCTAssertEqual(MechanismFigures(trace: Trace(lanes: [], segments: [], end: .zero), metrics: metrics).cpuStepPace, metrics.cpuStepPace)
    }

    /// The answer's lateness from the server's send stamp: task a's 20 ms call began at 11.1 ms and its
    /// answer left at 31.6 ms, 0.5 ms late; a result without the stamp has no figure.
    func testTheAnswerIsLateByItsSendStampAgainstTheCallsStart() throws {
        let (plain, metrics) = try twoThreadsMetrics { $0.tasks[0].steps[1].detail = HarnessResult.StepDetail(sent: 31_600_000) }
        XCTAssertNil(plain.answerLate)
        XCTAssertEqual(metrics.answerLate, .microseconds(500))
        XCTAssertEqual(MechanismFigures(trace: Trace(lanes: [], segments: [], end: .zero), metrics: metrics).answerLate, .microseconds(500))
    }

    /// Each start(): the main thread's own work, as long as the run's quickest start (b's 50 µs from its call to
    /// its first stamp), then it waits on `_started` until the new thread's first stamp, then for the GIL the new
    /// thread holds until start() returns (`twoThreadsResult`: a's 150 µs and 600 µs; b's GIL wait, 30 µs, is
    /// under the resolution: running).
    func testTheMainThreadWaitsForTheGILAfterEachStart() throws {
        let strategy = Strategy(kind: .threads(pool: nil))
        let plan = try HarnessPlan(scenario: scenario(), strategy: strategy, profile: profile(), serverURL: "u")
        let (trace, _) = RealTraceBuilder.build(result: try twoThreadsResult(startTimes: true), plan: plan, strategy: strategy)
        XCTAssertEqual(trace.state(ofLane: 0, at: .microseconds(120)), .running)
        XCTAssertEqual(trace.state(ofLane: 0, at: .microseconds(200)), .awaiting, "Thread.start() waits on _started")
        XCTAssertEqual(trace.state(ofLane: 0, at: .microseconds(500)), .waitingGIL)
        XCTAssertEqual(trace.state(ofLane: 0, at: .microseconds(930)), .running, "b's start is as quick as the quickest")
        XCTAssertEqual(trace.state(ofLane: 0, at: .microseconds(960)), .running)
        XCTAssertNil(trace.state(ofLane: 2, at: .microseconds(800)), "b's thread does not exist before its start()")
        XCTAssertEqual(trace.state(ofLane: 2, at: .microseconds(920)), .starting)
        XCTAssertEqual(trace.state(ofLane: 0, at: .milliseconds(20)), .awaiting)
        XCTAssertTrue(trace.instants.contains { $0.lane == 0 && $0.kind == .gilHandoff && $0.time == .microseconds(900) })
        // Without the start times (an older harness), the spawning is running throughout, as before.
        let (before, _) = RealTraceBuilder.build(result: try twoThreadsResult(startTimes: false), plan: plan, strategy: strategy)
        XCTAssertEqual(before.state(ofLane: 0, at: .microseconds(500)), .running)
    }

    func testAsyncioExecutorAndLoopLanes() throws {
        let strategy = Strategy(kind: .asyncio(executorWorkers: nil, cpuInExecutor: true))
        let plan = try HarnessPlan(scenario: scenario(), strategy: strategy, profile: profile(), serverURL: "u")
        let result = try decode("""
            {"makespan": 30000000, "spawned": 100000, "python": "3.11.7", "tasks": [
             {"task": 0, "lane": "Task-0", "pid": 7, "created": 50000, "begin": 60000, "end": 30000000,
              "steps": [[0, 100000, 10500000], [1, 10600000, 29000000]],
              "executor": [[0, "asyncio_0", 200000, 10300000]]},
             {"task": 1, "lane": "Task-1", "pid": 7, "created": 60000, "begin": 70000, "end": 11000000,
              "steps": [[0, 120000, 10900000]], "executor": [[0, "asyncio_1", 250000, 10800000]]}]}
            """)
        let (trace, _) = RealTraceBuilder.build(result: result, plan: plan, strategy: strategy)
        XCTAssertEqual(trace.lanes.map(\.name), ["MainThread (event loop)", "a", "b", "executor-0", "executor-1"], "the model's names")
        XCTAssertEqual(trace.lanes[1].kind, .coroutine)
        XCTAssertEqual(trace.lanes[1].hostThread, 0)
        XCTAssertEqual(trace.state(ofLane: 1, at: .microseconds(80)), .runnable, "created, not yet run by the loop")
        XCTAssertEqual(trace.state(ofLane: 1, at: .milliseconds(5)), .awaiting)
        XCTAssertEqual(trace.state(ofLane: 3, at: .milliseconds(5)), .running)
        XCTAssertEqual(trace.state(ofLane: 4, at: .milliseconds(5)), .runningNoGIL)
        XCTAssertEqual(trace.state(ofLane: 0, at: .milliseconds(5)), .idle, "the loop waits while the executor works")
    }

    /// The threads' time waiting for a core is their schedstat run_delay as the harness noted it, summed; the main
    /// thread's is the loop's where it runs one, and a result without the figure has none.
    func testTheWaitForACoreIsTheThreadsRunDelays() throws {
        let json = """
            {"makespan": 30000000, "spawned": 100000, "python": "3.11.7", "main_tid": 101,
             "run_delay": {"101": [5000000, 40], "102": [3000000, 20], "103": [250000, 6]}, "tasks": [
             {"task": 0, "lane": "Task-0", "pid": 7, "created": 50000, "begin": 60000, "end": 30000000,
              "steps": [[0, 100000, 10500000], [1, 10600000, 29000000]],
              "executor": [[0, "asyncio_0", 200000, 10300000]]},
             {"task": 1, "lane": "Task-1", "pid": 7, "created": 60000, "begin": 70000, "end": 11000000,
              "steps": [[0, 120000, 10900000]], "executor": [[0, "asyncio_1", 250000, 10800000]]}]}
            """
        let result = try decode(json)
        XCTAssertEqual(result.runDelay[102], HarnessResult.RunDelay(waited: 3_000_000, turns: 20))
        let asyncio = Strategy(kind: .asyncio(executorWorkers: nil, cpuInExecutor: true))
        let plan = try HarnessPlan(scenario: scenario(), strategy: asyncio, profile: profile(), serverURL: "u")
        let metrics = RealTraceBuilder.metrics(result: result, plan: plan, strategy: asyncio)
        XCTAssertEqual(metrics.coreWait, .microseconds(8_250))
        XCTAssertEqual(metrics.coreTurns, 66)
        XCTAssertEqual(MechanismFigures(trace: Trace(lanes: [], segments: [], instants: [], end: .zero), metrics: metrics).coreWaitPerTurn,
                       .nanoseconds(125_000), "8.25 ms over 66 turns")
        XCTAssertEqual(metrics.loopCoreWait, .milliseconds(5), "the main thread runs the loop")
        let threads = Strategy(kind: .threads(pool: nil))
        let threadsPlan = try HarnessPlan(scenario: scenario(), strategy: threads, profile: profile(), serverURL: "u")
        let spawner = RealTraceBuilder.metrics(result: result, plan: threadsPlan, strategy: threads)
        XCTAssertEqual(spawner.coreWait, .microseconds(8_250))
        XCTAssertNil(spawner.loopCoreWait, "no loop")
        let unrecorded = try decode(json.replacingOccurrences(of: #""run_delay": {"101": [5000000, 40], "102": [3000000, 20], "103": [250000, 6]}, "#, with: ""))
        XCTAssertNil(RealTraceBuilder.metrics(result: unrecorded, plan: plan, strategy: asyncio).coreWait)
        XCTAssertThrowsError(try decode(json.replacingOccurrences(of: #""103""#, with: #""main""#)), "a key that is no thread id")
    }

    /// asyncio with its CPU in the executor: task a sleeps 3 ms, task b's 10 ms of Python runs in the executor.
    func sleepBesideAnExecutorJob() throws -> (HarnessPlan, Strategy) {
        let scenario = Scenario(name: "loop", tasks: [
            TaskGroup(name: "a", steps: [.sleep(.constant(.milliseconds(3)))]),
            TaskGroup(name: "b", steps: [.cpu(CPUStep(duration: .constant(.milliseconds(10))))]),
        ])
        let strategy = Strategy(kind: .asyncio(executorWorkers: nil, cpuInExecutor: true))
        return (try HarnessPlan(scenario: scenario, strategy: strategy, profile: profile(), serverURL: "u"), strategy)
    }

    /// A coroutine back from its sleep late, not run by the loop: the loop waited for the GIL only while an
    /// executor job ran (a thread that could hold it); with none running it was doing its own work. Task a
    /// sleeps 3 ms from 0.1 ms and ends at 4.1 ms (ready from 3.25 ms: the sleep's 150 µs own lateness).
    func testTheLoopWaitsForTheGILOnlyWhileAnExecutorJobRuns() throws {
        let (plan, strategy) = try sleepBesideAnExecutorJob()
        func trace(job: (Int64, Int64)) throws -> (Trace, RunMetrics) {
            try RealTraceBuilder.build(result: decode("""
                {"makespan": 16000000, "spawned": 100000, "python": "3.11.7", "tasks": [
                 {"task": 0, "lane": "Task-0", "pid": 7, "created": 50000, "begin": 60000, "end": 4100000,
                  "steps": [[0, 100000, 4100000]], "executor": []},
                 {"task": 1, "lane": "Task-1", "pid": 7, "created": 60000, "begin": 70000, "end": \(job.1 + 100000),
                  "steps": [[0, 120000, \(job.1 + 100000)]], "executor": [[0, "asyncio_0", \(job.0), \(job.1)]]}]}
                """), plan: plan, strategy: strategy)
        }
        let (during, _) = try trace(job: (200_000, 10_200_000))
        XCTAssertEqual(during.state(ofLane: 1, at: .microseconds(3_600)), .runnable)
        XCTAssertEqual(during.state(ofLane: 0, at: .microseconds(3_600)), .waitingGIL, "the executor's thread holds it")
        let (after, metrics) = try trace(job: (5_000_000, 15_000_000))
        XCTAssertEqual(after.state(ofLane: 1, at: .microseconds(3_600)), .runnable)
        XCTAssertEqual(after.state(ofLane: 0, at: .microseconds(3_600)), .running, "no other thread: the loop's own work")
        XCTAssertEqual(MechanismFigures(trace: after, metrics: metrics).handoffs, 0)
    }

    /// An executor job's stamped Python stalls twice: from 3.0 to 4.0 ms, while the loop ends coroutine a's
    /// sleep (its step's end, Python on the loop's thread, at 3.5 ms), a wait for the GIL with its hand-off; from
    /// 6.0 to 6.1 ms, with nothing of the process's Python recorded inside, off its core (the local server or
    /// the kernel took it): not a GIL wait, and no hand-off.
    func testAStallCountsAsAGILWaitOnlyWhereAnotherThreadRanPython() throws {
        let (plan, strategy) = try sleepBesideAnExecutorJob()
        let detail = #"{"stalls": [[3000000, 4000000], [6000000, 6100000]], "first": 250000, "last": 10150000}"#
        let (trace, metrics) = try RealTraceBuilder.build(result: decode("""
            {"makespan": 10400000, "spawned": 100000, "python": "3.11.7", "tasks": [
             {"task": 0, "lane": "Task-0", "pid": 7, "created": 50000, "begin": 60000, "end": 3500000,
              "steps": [[0, 100000, 3500000]], "executor": []},
             {"task": 1, "lane": "Task-1", "pid": 7, "created": 60000, "begin": 70000, "end": 10300000,
              "steps": [[0, 120000, 10300000]], "executor": [[0, "asyncio_0", 200000, 10200000, \(detail)]]}]}
            """), plan: plan, strategy: strategy)
        let executor = try XCTUnwrap(trace.lanes.firstIndex { $0.name == LaneNames.executorWorker(0) })
        XCTAssertEqual(trace.state(ofLane: executor, at: .microseconds(3_600)), .waitingGIL, "the loop ran Python in it")
        XCTAssertEqual(trace.state(ofLane: executor, at: .microseconds(6_050)), .runnable, "nobody's Python: off its core")
        XCTAssertEqual(MechanismFigures(trace: trace, metrics: metrics).handoffs, 2,
                       "the loop's wait before it ends a's sleep and the executor's at 4 ms; not the stall off its core")
    }

    /// A sleep is blocked for its length and the run's typical lateness (the 10th percentile of its sleeps'),
    /// then waits: for the GIL in threads, for a core alone, for the loop in asyncio. Here ten 3 ms sleeps of
    /// two threads, nine back 60 µs late, one 4 ms late: that one waited 4 ms - 60 µs for the GIL.
    func testASleepWaitsPastItsTime() throws {
        let tasks = [TaskGroup(name: "nap", count: 2, steps: [.repeat(count: 5, steps: [.sleep(.constant(.milliseconds(3)))])])]
        let late: [Int64] = [60_000, 60_000, 60_000, 60_000, 4_000_000, 60_000, 60_000, 60_000, 60_000, 60_000]
        func result(lanes: [String]) -> String {
            var records: [String] = []
            var at: Int64 = 1_000_000
            for (task, lane) in lanes.enumerated() {
                var steps: [String] = []
                for k in 0..<5 {
                    let end = at + 3_000_000 + late[task * 5 + k]
                    steps.append("[\(k), \(at), \(end)]")
                    at = end
                }
                records.append(#"{"task": \#(task), "lane": "\#(lane)", "pid": 7, "created": 0, "begin": 1000000, "end": \#(at), "steps": [\#(steps.joined(separator: ", "))], "executor": []}"#)
            }
            return #"{"makespan": \#(at), "spawned": 1000000, "python": "3.11.7", "tasks": [\#(records.joined(separator: ", "))]}"#
        }
        let scenario = Scenario(name: "naps", tasks: tasks)
        // The fifth sleep, of the first task: from 1 ms + 4 x 3.06 ms = 13.24 ms, back at 20.24 ms.
        let start: Int64 = 13_240_000, woke = start + 3_060_000, end = start + 7_000_000
        for (sync, waitState) in [(false, LaneState.waitingGIL), (true, .runnable)] {
            let kind: Strategy.Kind = sync ? .sync : .threads(pool: nil)
            let strategy = Strategy(kind: kind)
            let plan = try HarnessPlan(scenario: scenario, strategy: strategy, profile: profile(), serverURL: "u")
            let lanes = sync ? ["MainThread", "MainThread"] : ["Thread-1", "Thread-2"]
            let (trace, _) = RealTraceBuilder.build(result: try decode(result(lanes: lanes)), plan: plan, strategy: strategy)
            let lane = sync ? 0 : 1
            XCTAssertEqual(trace.state(ofLane: lane, at: .nanoseconds(woke - 1)), .blocked, "\(kind)")
            XCTAssertEqual(trace.state(ofLane: lane, at: .nanoseconds(woke + 1)), waitState, "\(kind)")
            XCTAssertEqual(trace.state(ofLane: lane, at: .nanoseconds(end - 1)), waitState, "\(kind)")
            XCTAssertEqual(trace.state(ofLane: lane, at: .nanoseconds(end - 10_000)), waitState, "\(kind)")
            XCTAssertEqual(trace.state(ofLane: lane, at: .nanoseconds(start + 3_050_000)), .blocked, "on time: blocked all through")
        }
    }

    /// The hub is busy between two greenlets' pieces while one of them is ready (its own pass and switch),
    /// idle in its selector only when none is: greenlet a computes 0.1-10.1 ms; b, back from a 2 ms sleep long
    /// before, runs from 10.3 ms; after 18.3 ms nothing is left.
    func testTheHubIsBusyWhileAGreenletIsReady() throws {
        let scenario = Scenario(name: "hub", tasks: [
            TaskGroup(name: "a", steps: [.cpu(CPUStep(duration: .constant(.milliseconds(10))))]),
            TaskGroup(name: "b", steps: [.sleep(.constant(.milliseconds(2))), .cpu(CPUStep(duration: .constant(.milliseconds(8))))]),
        ])
        let strategy = Strategy(kind: .gevent)
        let plan = try HarnessPlan(scenario: scenario, strategy: strategy, profile: profile(), serverURL: "u")
        let result = try decode("""
            {"makespan": 20000000, "spawned": 0, "python": "3.11.7", "tasks": [
             {"task": 0, "lane": "Greenlet-0", "pid": 7, "created": 0, "begin": 100000, "end": 10100000,
              "steps": [[0, 100000, 10100000]], "executor": []},
             {"task": 1, "lane": "Greenlet-1", "pid": 7, "created": 0, "begin": 200000, "end": 18300000,
              "steps": [[0, 200000, 10300000], [1, 10300000, 18300000]], "executor": []}]}
            """)
        let (trace, metrics) = RealTraceBuilder.build(result: result, plan: plan, strategy: strategy)
        XCTAssertEqual(trace.lanes[0].name, "MainThread (hub)")
        XCTAssertEqual(trace.state(ofLane: 2, at: .milliseconds(5)), .runnable, "b waits for the hub")
        XCTAssertEqual(trace.state(ofLane: 0, at: .microseconds(10_200)), .running, "between a and b, with b ready: the hub's own work")
        XCTAssertEqual(trace.state(ofLane: 0, at: .milliseconds(19)), .idle, "nothing ready")
        let figures = MechanismFigures(trace: trace, metrics: metrics)
        XCTAssertEqual(try XCTUnwrap(figures.loopLongestBusy), .microseconds(18_300), "one stretch from the start to b's end")
    }

    /// gevent's resolver threads as the harness logs them (`pool_lookups`: thread, entered, left): a lane per
    /// thread named as the model's, in the order the threads first ran a lookup, each lookup `running without the
    /// GIL` (the call and its way back to the GIL), idle in between; a malformed entry is refused.
    func testThePoolsLookupsGetTheModelsLanes() throws {
        let scenario = Scenario(name: "hub", tasks: [
            TaskGroup(name: "a", steps: [.io(IOStep(latency: .constant(.milliseconds(5))))]),
            TaskGroup(name: "b", steps: [.io(IOStep(latency: .constant(.milliseconds(5))))]),
        ])
        let strategy = Strategy(kind: .gevent)
        let plan = try HarnessPlan(scenario: scenario, strategy: strategy, profile: profile(), serverURL: "u")
        func result(_ lookups: String) throws -> HarnessResult {
            try decode("""
                {"makespan": 8000000, "spawned": 0, "python": "3.11.7", "pool_lookups": \(lookups), "tasks": [
                 {"task": 0, "lane": "Greenlet-0", "pid": 7, "created": 0, "begin": 100000, "end": 7000000,
                  "steps": [[0, 100000, 7000000]], "executor": []},
                 {"task": 1, "lane": "Greenlet-1", "pid": 7, "created": 0, "begin": 200000, "end": 8000000,
                  "steps": [[0, 200000, 8000000]], "executor": []}]}
                """)
        }
        let logged = try result("[[41, 900000, 1000000], [40, 300000, 380000], [41, 450000, 500000]]")
        try logged.check(against: plan, path: "r")
        let (trace, _) = RealTraceBuilder.build(result: logged, plan: plan, strategy: strategy)
        let pool = trace.lanes.filter { LaneNames.isGeventThreadpoolWorker($0.name) }
        XCTAssertEqual(pool.map(\.name), ["threadpool-0", "threadpool-1"], "thread 40 ran the first lookup")
        XCTAssertEqual(trace.state(ofLane: pool[0].id, at: .microseconds(350)), .runningNoGIL)
        XCTAssertEqual(trace.state(ofLane: pool[1].id, at: .microseconds(470)), .runningNoGIL)
        XCTAssertEqual(trace.state(ofLane: pool[1].id, at: .microseconds(700)), .idle)
        XCTAssertEqual(trace.state(ofLane: pool[1].id, at: .microseconds(950)), .runningNoGIL)
        XCTAssertThrowsError(try result("[[41, 900000]]").check(against: plan, path: "r.json")) {
            XCTAssertTrue("\($0)".contains("a pool lookup is not [thread, entered, left]"), "\($0)")
        }
        XCTAssertTrue(try result("[]").poolLookups.isEmpty)
    }

    func testResultCheckRejectsMissingSteps() throws {
        let strategy = Strategy(kind: .sync)
        let plan = try HarnessPlan(scenario: scenario(), strategy: strategy, profile: profile(), serverURL: "u")
        let result = try decode("""
            {"makespan": 1, "spawned": 0, "python": "3", "tasks": [
             {"task": 0, "lane": "MainThread", "pid": 7, "created": 0, "begin": 0, "end": 1, "steps": [[0, 0, 1]], "executor": []}]}
            """)
        XCTAssertThrowsError(try result.check(against: plan, path: "r.json")) {
            XCTAssertTrue("\($0)".contains("ran 1 of its 2 operations"), "\($0)")
        }
    }

    /// Where the real CPU steps ran at another pace than the model's, the model runs again at theirs: one
    /// 100 ms step run sequentially at a median pace of 1.2 takes 20 ms more, exactly; at 1.01, within
    /// `PacedPrediction.threshold`, nothing is run again; the table says which.
    func testTheModelIsRunAgainAtTheRealStepsPace() throws {
        let scenario = Scenario(name: "s", tasks: [TaskGroup(name: "a", steps: [.cpu(CPUStep(duration: .constant(.milliseconds(100))))])])
        let strategy = Strategy(kind: .sync)
        let model = try Simulator.run(scenario, strategy: strategy, options: SimulationOptions(trace: false)).metrics
        XCTAssertEqual(model.cpuStepPace, 1)
        func measured(_ paces: [Double]) -> RealStrategyResult {
            RealStrategyResult(strategy: strategy, runs: paces.map { pace in
                RealRun(metrics: RunMetrics(strategy: "sync", kind: "sync", makespan: .milliseconds(125), cpuStepPace: pace),
                        trace: Trace(), python: "3", instrumented: true)
            })
        }
        let paced = try PacedPrediction.predictions(scenarios: ["sync": scenario], predicted: [model], measured: [measured([1.3, 1.2, 1.1])])
        let p = try XCTUnwrap(paced["sync"])
        XCTAssertEqual(p.measuredPace, 1.2)
        XCTAssertEqual(p.makespan, model.makespan + .milliseconds(20))
        XCTAssertEqual(p.errorPercent, Comparison.errorPercent(predicted: p.makespan, measured: .milliseconds(125)))
        let comparison = Comparison(scenario: "s", predicted: [model], measured: [measured([1.3, 1.2, 1.1])], tolerancePercent: 15,
                                    atMeasuredPace: paced)
        XCTAssertTrue(comparison.table().contains("100.0%/120.0%"), comparison.table())
        XCTAssertTrue(try PacedPrediction.predictions(scenarios: ["sync": scenario], predicted: [model], measured: [measured([1.01])]).isEmpty)
        XCTAssertFalse(Comparison(scenario: "s", predicted: [model], measured: [measured([1.01])], tolerancePercent: 15).table()
            .contains("model ms at the real pace"))
    }

    /// gevent's resolver threads' waits are the model's alone: a measured run shows the hub, its greenlets and the
    /// pool's lookups, not when a pool thread took the GIL, so `compare` leaves the hand-offs and the pool's GIL
    /// share out (a measured 0 by construction) and says so; a measurement that shows them keeps them.
    func testTheResolverThreadsTheHarnessDoesNotSeeAreLeftOut() throws {
        var scenario = ExampleScenarios.ioHeavy(tasks: 20, calls: 2)
        scenario.machine.cores = 2
        let strategy = Strategy(kind: .gevent)
        let model = try Simulator.run(scenario, strategy: strategy)
        let trace = try XCTUnwrap(model.trace)
        let pool = Set(trace.lanes.filter { LaneNames.isGeventThreadpoolWorker($0.name) }.map(\.id))
        XCTAssertFalse(pool.isEmpty)
        var seen = trace
        seen.segments.removeAll { pool.contains(Int($0.lane)) }
        func compared(_ measuredTrace: Trace) -> Comparison {
            Comparison(scenario: "s", predicted: [model.metrics], predictedTraces: ["gevent": trace],
                       measured: [RealStrategyResult(strategy: strategy, runs: [RealRun(metrics: model.metrics, trace: measuredTrace, python: "3", instrumented: true)])],
                       tolerancePercent: 15)
        }
        let harness = compared(seen)
        let figures = harness.rows[0].mechanisms.map(\.figure)
        XCTAssertFalse(figures.contains("GIL hand-offs/s"), "\(figures)")
        XCTAssertFalse(figures.contains { $0.contains("threadpool-") }, "\(figures)")
        XCTAssertEqual(harness.rows[0].resolverLeftOut, true)
        XCTAssertTrue(harness.mechanismTable().contains("not their waits for the GIL"), harness.mechanismTable())
        let all = compared(trace)
        XCTAssertTrue(all.rows[0].mechanisms.contains { $0.figure == "GIL hand-offs/s" })
        XCTAssertNil(all.rows[0].resolverLeftOut)
        XCTAssertFalse(all.mechanismTable().contains("not their waits for the GIL"))
    }

    /// `simulate real`'s table: each strategy's median CPU-step pace ("-" without one), its label whole.
    func testTheRealRunsTableShowsThePaceAndWholeLabels() {
        func run(_ pace: Double?) -> RealRun {
            RealRun(metrics: RunMetrics(strategy: "threads-pool16", kind: "threads", makespan: .milliseconds(10), cpuStepPace: pace),
                    trace: Trace(), python: "3", instrumented: pace != nil)
        }
        let table = RealResults(scenario: "s", results: [
            RealStrategyResult(strategy: Strategy(kind: .threads(pool: 16), label: "threads-pool16"), runs: [run(1.3), run(0.9), run(1.1)]),
            RealStrategyResult(strategy: Strategy(kind: .sync), runs: [run(nil)]),
        ]).table()
        let lines = table.split(separator: "\n")
        XCTAssertTrue(lines[1].hasPrefix("threads-pool16 ") && lines[1].hasSuffix("110.0%"), table)
        XCTAssertTrue(lines[2].hasPrefix("sync ") && lines[2].hasSuffix("-"), table)
    }

    func testComparisonErrorsAndTolerance() {
        func run(_ ms: Int64) -> RealRun {
            RealRun(metrics: RunMetrics(strategy: "threads", kind: "threads", makespan: .milliseconds(ms),
                                        taskLatencies: [.milliseconds(ms / 2), .milliseconds(ms)]), trace: Trace(), python: "3", instrumented: false)
        }
        let measured = RealStrategyResult(strategy: Strategy(kind: .threads(pool: nil)), runs: [run(110), run(100), run(90), run(200), run(95)])
        XCTAssertEqual(measured.makespan, MeasuredSpread([.milliseconds(90), .milliseconds(95), .milliseconds(100), .milliseconds(110), .milliseconds(200)]))
        XCTAssertEqual(measured.makespan.median, .milliseconds(100))
        XCTAssertEqual(measured.medianRun.metrics.makespan, .milliseconds(100))
        let close = Comparison(scenario: "s", predicted: [RunMetrics(strategy: "threads", kind: "threads", makespan: .milliseconds(110))],
                               measured: [measured], tolerancePercent: 15)
        XCTAssertEqual(close.rows[0].errorPercent, 10, accuracy: 1e-9)
        XCTAssertTrue(close.passed)
        let far = Comparison(scenario: "s", predicted: [RunMetrics(strategy: "threads", kind: "threads", makespan: .milliseconds(80))],
                             measured: [measured], tolerancePercent: 15)
        XCTAssertEqual(far.rows[0].errorPercent, -20, accuracy: 1e-9)
        XCTAssertFalse(far.passed)
        XCTAssertTrue(far.table().contains("OVER"), far.table())
        XCTAssertTrue(far.table().contains("100.0 (90.0-200.0)"), far.table())
    }
}
