import Foundation
import SimEngine
import SimModel
import SimScenario
import SimTrace
import XCTest

@testable import SimRealRuns

#if canImport(Glibc)
import Glibc
#endif

/// The real harness on this machine: step realisation, every strategy, cleanup, error messages.
/// The venv (.venv/) is set up once, and the machine calibrated once, for the whole class.
final class HarnessTests: XCTestCase {
    static let fixture: Result<(PythonEnvironment, MachineProfile), Error> = Result {
        let environment = PythonEnvironment.locate()
        try environment.prepare()
        return (environment, try Calibrator.measure(environment: environment, log: { _ in }))
    }

    func setUpFixture() throws -> (PythonEnvironment, MachineProfile) { try Self.fixture.get() }

    func testStepsTakeTheirPlannedDurations() throws {
        let (environment, profile) = try setUpFixture()
        let steps: [Step] = [
            .cpu(CPUStep(duration: .constant(.milliseconds(30)), kind: .python)),
            .cpu(CPUStep(duration: .constant(.milliseconds(30)), kind: .cHoldsGIL)),
            .cpu(CPUStep(duration: .constant(.milliseconds(30)), kind: .cReleasesGIL)),
            .io(IOStep(latency: .constant(.milliseconds(40)))),
            .sleep(.constant(.milliseconds(20))),
        ]
        let scenario = Scenario(name: "steps", tasks: [TaskGroup(name: "t", steps: steps)])
        let runner = RealRunner(environment: environment, profile: profile)
        let server = try LatencyServer(environment: environment)
        defer { server.stop() }
        let strategy = Strategy(kind: .sync)
        // Uninstrumented: each step is one segment (stamps would cut out the VM's own ~0.1 ms stalls).
        let plan = try HarnessPlan(scenario: RealRunner.scenarioForComparison(scenario, strategy: strategy, profile: profile),
                                   strategy: strategy, profile: profile, serverURL: server.baseURL, instrument: false)
        // CPU steps: sized by calibration; a busy 2-core machine can slow them, never by 2.5x, never halve them.
        // I/O: the server's delay plus a connection and a request over loopback; sleep: time.sleep's accuracy.
        let bounds: [(low: Double, high: Double, what: String)] = [
            (15, 75, "CPU step 0 (30 ms)"), (15, 75, "CPU step 1 (30 ms)"), (15, 75, "CPU step 2 (30 ms)"),
            (40, 55, "I/O step (40 ms latency)"), (20, 30, "sleep (20 ms)"),
        ]
        // This VM stalls now and then for tens of milliseconds (a 40 ms call once took 64 ms in CI; a thread
        // woken from its sleep once waited 3.1 ms for a core, a sixth segment): a run that misses a bound or
        // shows such a wait is measured again, up to three runs in all, as `compare` measures again a run that
        // saw the machine change speed; a step that misses in all three is a fault.
        var run = try runner.runOnce(plan, strategy: strategy, timeout: 60)
        var durations: [Double] = []
        var segments: [Segment] = []
        for attempt in 1...3 {
            if attempt > 1 { run = try runner.runOnce(plan, strategy: strategy, timeout: 60) }
            segments = run.trace.segments(ofLane: 0).filter { $0.state != .starting }
            durations = segments.filter { $0.duration > .milliseconds(2) }.map(\.duration.milliseconds)
            if durations.count == 5 && zip(durations, bounds).allSatisfy({ $0 >= $1.low && $0 < $1.high }) { break }
        }
        XCTAssertEqual(durations.count, 5, "\(segments)")
        guard durations.count == 5 else { return }
        for (d, bound) in zip(durations, bounds) {
            XCTAssertGreaterThanOrEqual(d, bound.low, "\(bound.what) took \(d) ms")
            XCTAssertLessThan(d, bound.high, "\(bound.what) took \(d) ms")
        }
        let lane = run.trace.segments(ofLane: 0).filter { $0.state != .starting }
        XCTAssertEqual(run.trace.lanes[0].name, "MainThread")
        XCTAssertFalse(run.sizedWhereRun, "an uninstrumented run records no step's CPU time: the probe sizes its steps")
        XCTAssertEqual(lane.filter { $0.duration > .milliseconds(2) }.map(\.state), [.running, .running, .runningNoGIL, .blocked, .blocked])
    }

    func testEveryStrategyRunsWithABackgroundTask() throws {
        let (environment, profile) = try setUpFixture()
        let scenario = Scenario(name: "mixed", tasks: [
            TaskGroup(name: "fetch", count: 3, steps: [.io(IOStep(latency: .uniform(.milliseconds(20), .milliseconds(40)))),
                                                       .cpu(CPUStep(duration: .constant(.milliseconds(5))))]),
            TaskGroup(name: "tick", background: true, steps: [.sleep(.constant(.milliseconds(5))),
                                                              .cpu(CPUStep(duration: .constant(.milliseconds(1)), kind: .cReleasesGIL))]),
        ])
        let strategies = [
            Strategy(kind: .threads(pool: 2), label: "pool"), Strategy(kind: .processes(pool: nil, startMethod: .fork)),
            Strategy(kind: .gevent), Strategy(kind: .asyncio(executorWorkers: 2, cpuInExecutor: true)),
        ]
        let runner = RealRunner(environment: environment, profile: profile)
        let results = try runner.run(scenario, strategies: strategies, options: RealRunOptions(runs: 1, log: { _ in }))
        for result in results {
            let m = result.medianRun.metrics
            XCTAssertEqual(m.taskLatencies.count, 3, result.strategy.label)
            XCTAssertEqual(m.operations, 3, result.strategy.label)
            XCTAssertGreaterThan(m.makespan, .milliseconds(20), result.strategy.label)
            XCTAssertLessThan(m.makespan, .milliseconds(5_000), result.strategy.label)
            // The makespan ends after the joins: a child process's exit and join took 7 ms in one CI run here
            // (this VM runs at two speeds about 1.6x apart), threads' and greenlets' well under 1 ms.
            XCTAssertEqual(m.makespan.milliseconds, (m.taskLatencies.max() ?? .zero).milliseconds, accuracy: 15, result.strategy.label)
            let trace = result.medianRun.trace
            XCTAssertTrue(trace.lanes.contains { $0.name.hasPrefix("MainThread") })
            XCTAssertTrue(trace.segments.contains { $0.state == .blocked }, result.strategy.label)
        }
        // Instrumented runs size their CPU steps by a trial of their own strategy where it builds everything
        // afresh (harness.py `rescale_where_run`); processes' trial runs in a fork of the harness.
        XCTAssertEqual(results.map(\.medianRun.sizedWhereRun), [true, true, true, true], "\(results.map(\.strategy.label))")
        // Each working thread's schedstat run_delay (harness.py `note_run_delay`), the main thread's the loop's or hub's.
        XCTAssertEqual(results.map { $0.medianRun.metrics.coreWait != nil }, [true, true, true, true], "time waiting for a core")
        XCTAssertEqual(results.map { $0.medianRun.metrics.loopCoreWait != nil }, [false, false, true, true], "the loop's or hub's part")
        XCTAssertEqual(results[0].medianRun.trace.lanes.count, 3, "main + the pool's 2 worker threads")
        // The pool's threads carry the model's lane names, though the trial run made a pool before the timed one.
        let model = try Simulator.run(RealRunner.scenarioForComparison(scenario, strategy: strategies[0], profile: profile),
                                      strategy: strategies[0])
        let workers = { (trace: Trace) in trace.lanes.map(\.name).filter(LaneNames.isPoolWorker).sorted() }
        XCTAssertEqual(workers(results[0].medianRun.trace), try workers(XCTUnwrap(model.trace)))
        XCTAssertEqual(workers(results[0].medianRun.trace), [LaneNames.threadPoolWorker(0), LaneNames.threadPoolWorker(1)])
        XCTAssertEqual(results[1].medianRun.trace.processNames.count, 5, "main + 4 processes (3 tasks, 1 background)")
        XCTAssertTrue(results[3].medianRun.trace.lanes.contains { $0.kind == .coroutine })
        XCTAssertTrue(results[3].medianRun.trace.segments.contains { $0.state == .awaiting })
    }

    /// The convoy measured: an I/O thread beside a pure-Python thread at a 1 ms switch interval. The
    /// instrumented run must show the I/O thread waiting for the GIL, and its resume wait per round trip and
    /// the GIL hand-off rate must agree with the model within a tolerance for a noisy shared 2-core VM
    /// (a factor of two either way; on a quiet machine, 5 runs: +15% and -7%; docs/model.md, "Measured
    /// mechanisms"). A model without the convoy (no wait for the GIL after a call) would miss by far more.
    func testMeasuredGILLaneAgreesWithTheModel() throws {
        let (environment, profile) = try setUpFixture()
        let scenario = Scenario(
            name: "convoy", python: PythonRuntime(switchInterval: .milliseconds(1)),
            tasks: [
                TaskGroup(name: "io", steps: [.repeat(count: 100, steps: [
                    .io(IOStep(latency: .constant(.microseconds(200)), cpu: .constant(.microseconds(30)), connection: .reuse))])]),
                TaskGroup(name: "cpu", background: true, steps: [.cpu(CPUStep(duration: .constant(.milliseconds(10))))]),
            ])
        let strategy = Strategy(kind: .threads(pool: nil))
        let results = try RealRunner(environment: environment, profile: profile)
            .run(scenario, strategies: [strategy], options: RealRunOptions(runs: 3, log: { _ in }))
        let measured = results[0].runs.map(\.mechanisms)
        let trace = results[0].medianRun.trace
        let io = try XCTUnwrap(trace.lanes.firstIndex { $0.name == "io" })
        XCTAssertTrue(trace.segments.contains { Int($0.lane) == io && $0.state == .waitingGIL }, "a measured GIL wait on the I/O lane")
        XCTAssertTrue(trace.instants.contains { Int($0.lane) == io && $0.kind == .gilHandoff })

        let applied = RealRunner.scenarioForComparison(scenario, strategy: strategy, profile: profile)
        let run = try Simulator.run(applied, strategy: strategy)
        let model = MechanismFigures(trace: try XCTUnwrap(run.trace), metrics: run.metrics)
        func median(_ values: [Double]) -> Double { values.sorted()[(values.count - 1) / 2] }
        let wait = median(measured.map { $0.ioWaitPerRoundTrip.milliseconds })
        XCTAssertGreaterThan(model.ioWaitPerRoundTrip.milliseconds, wait / 2, "resume wait per round trip, model against measured")
        XCTAssertLessThan(model.ioWaitPerRoundTrip.milliseconds, wait * 2, "resume wait per round trip, model against measured")
        // The hand-off rate follows the I/O thread's Python per call, which moves with the VM's speed (934 to
        // 1,421 per second in runs here against the model's 1,315-1,439): within a factor of two, which a
        // model with one hand-off per round trip instead of several would miss.
        let handoffs = median(measured.map(\.handoffsPerSecond))
        XCTAssertGreaterThan(model.handoffsPerSecond, handoffs / 2, "GIL hand-offs per second, model against measured")
        XCTAssertLessThan(model.handoffsPerSecond, handoffs * 2, "GIL hand-offs per second, model against measured")
    }

    /// C that releases the GIL beside a pure-Python thread: each call of the step (a sha256 chunk) takes the GIL
    /// back at its end, and there it waits until the spinning thread drops it. The instrumented run times every
    /// call (harness.py `TimedRelease`) and shows those waits on the step's lane, as many as the model's within a
    /// factor of two (a step of unstamped calls would show none).
    func testAStepOfCThatReleasesTheGILWaitsForItAfterEachCall() throws {
        let (environment, profile) = try setUpFixture()
        let scenario = Scenario(
            name: "hashing", python: PythonRuntime(switchInterval: .milliseconds(1)),
            tasks: [
                TaskGroup(name: "hash", steps: [.cpu(CPUStep(duration: .constant(.milliseconds(40)), kind: .cReleasesGIL))]),
                TaskGroup(name: "spin", background: true, steps: [.cpu(CPUStep(duration: .constant(.milliseconds(10))))]),
            ])
        let strategy = Strategy(kind: .threads(pool: nil))
        let results = try RealRunner(environment: environment, profile: profile)
            .run(scenario, strategies: [strategy], options: RealRunOptions(runs: 3, log: { _ in }))
        func waits(_ trace: Trace) throws -> Int {
            let hash = try XCTUnwrap(trace.lanes.firstIndex { $0.name == "hash" })
            return trace.segments(ofLane: hash).filter { $0.state == .waitingGIL && $0.duration >= MechanismFigures.resolution }.count
        }
        let run = try Simulator.run(RealRunner.scenarioForComparison(scenario, strategy: strategy, profile: profile), strategy: strategy)
        let predicted = try waits(XCTUnwrap(run.trace))
        let measured = try results[0].runs.map { try waits($0.trace) }.sorted()[1]
        XCTAssertGreaterThan(predicted, 2, "the model's step is a run of calls, each taking the GIL back")
        XCTAssertGreaterThan(measured, predicted / 2, "measured GIL waits of the step's calls against the model's \(predicted)")
        XCTAssertLessThan(measured, predicted * 2, "measured GIL waits of the step's calls against the model's \(predicted)")
    }

    /// Every start method runs: spawn and forkserver children import the harness afresh (forkserver ones
    /// after being forked by the forkserver, not by the harness), and lifeline.py must let them live.
    func testEveryStartMethodRuns() throws {
        let (environment, profile) = try setUpFixture()
        let scenario = Scenario(name: "starts", tasks: [TaskGroup(name: "nap", count: 2, steps: [
            .sleep(.constant(.milliseconds(5))), .cpu(CPUStep(duration: .constant(.milliseconds(2)))),
        ])])
        let strategies = StartMethod.allCases.map { Strategy(kind: .processes(pool: nil, startMethod: $0), label: $0.rawValue) }
        let results = try RealRunner(environment: environment, profile: profile)
            .run(scenario, strategies: strategies, options: RealRunOptions(runs: 1, log: { _ in }))
        XCTAssertEqual(results.map(\.strategy.label), ["fork", "forkserver", "spawn"])
        for result in results {
            XCTAssertEqual(result.medianRun.metrics.taskLatencies.count, 2, result.strategy.label)
            XCTAssertEqual(result.medianRun.trace.processNames.count, 3, "main + 2 processes: \(result.strategy.label)")
            // A child's lane begins at its start() call, as the model's does: the second after the first's
            // start() returned, though the harness made both Process objects first.
            let trace = result.medianRun.trace
            let begins = trace.lanes.filter { $0.kind == .thread && $0.process != 0 }.map { lane in
                trace.segments.filter { Int($0.lane) == lane.id }.map(\.start).min() ?? .never
            }.sorted()
            XCTAssertEqual(begins.count, 2, result.strategy.label)
            if begins.count == 2 {
                XCTAssertGreaterThan(begins[1] - begins[0], .microseconds(100), "staggered starts: \(result.strategy.label)")
            }
            XCTAssertNotNil(result.medianRun.mechanisms.startWait, result.strategy.label)
            // The CPU steps were sized by a trial before the clock, in a fork of the harness (harness.py
            // `trial_in_a_fork`), so the run's first forkserver start still starts the server: 41 ms more than
            // a later start here (`processFirstStart`), against 2-5 ms had the trial left its server running.
            XCTAssertTrue(result.medianRun.sizedWhereRun, result.strategy.label)
            if result.strategy.label == "forkserver", begins.count == 2 {
                XCTAssertGreaterThan(begins[1] - begins[0], .milliseconds(15), "the first start starts the server")
            }
        }
    }

    func testTimedOutRunLeavesNoProcessBehind() throws {
        let (environment, profile) = try setUpFixture()
        let scenario = Scenario(name: "long", tasks: [TaskGroup(name: "wait", count: 3, steps: [.sleep(.constant(.milliseconds(30_000)))])])
        let strategy = Strategy(kind: .processes(pool: nil, startMethod: .fork))
        let plan = try HarnessPlan(scenario: scenario, strategy: strategy, profile: profile, serverURL: "http://127.0.0.1:9/")
        let runner = RealRunner(environment: environment, profile: profile)
        let start = Date()
        XCTAssertThrowsError(try runner.runOnce(plan, strategy: strategy, timeout: 1.5)) { error in
            XCTAssertTrue("\(error)".contains("did not finish within 1.5 s"), "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
        XCTAssertTrue(ChildProcessRegistry.shared.liveGroups.isEmpty)
        // Nothing of any group this test started is alive: look for harness processes of this plan.
        XCTAssertEqual(Self.harnessProcesses(), [], "harness processes left behind")
    }

    func testKilledHarnessTakesItsChildrenAlong() throws {
        let (environment, profile) = try setUpFixture()
        let scenario = Scenario(name: "long", tasks: [TaskGroup(name: "wait", count: 2, steps: [.sleep(.constant(.milliseconds(30_000)))])])
        let strategy = Strategy(kind: .processes(pool: nil, startMethod: .fork))
        let plan = try HarnessPlan(scenario: scenario, strategy: strategy, profile: profile, serverURL: "http://127.0.0.1:9/")
        let folder = NSTemporaryDirectory() + "killed-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try plan.encoded().write(to: URL(fileURLWithPath: folder + "/plan.json"))
        let child = try ChildProcess(executable: environment.python,
                                     arguments: [environment.harness, "--plan", folder + "/plan.json", "--out", folder + "/out.json"],
                                     stdoutPath: folder + "/stdout", stderrPath: folder + "/stderr")
        // Wait until the two task processes exist, then kill the harness alone (as a crash would).
        var members: [pid_t] = []
        for _ in 0..<300 where members.count < 3 {
            usleep(10_000)
            members = livingProcesses(inGroup: child.pid)
        }
        XCTAssertGreaterThanOrEqual(members.count, 3, "harness and its two processes")
        kill(child.pid, SIGKILL)
        XCTAssertEqual(child.wait(timeout: 5), .signalled(SIGKILL))
        usleep(50_000)
        XCTAssertEqual(livingProcesses(inGroup: child.pid), [], "the harness's children outlived it")
    }

    func testServerStopsAndFailingRunReportsStderr() throws {
        let (environment, profile) = try setUpFixture()
        let server = try LatencyServer(environment: environment)
        let group = server.processGroup
        XCTAssertEqual(livingProcesses(inGroup: group).count, 1)
        server.stop()
        XCTAssertEqual(livingProcesses(inGroup: group), [])

        // Port 9 refuses connections: urlopen raises, the harness exits non-zero, its stderr is reported.
        let scenario = Scenario(name: "refused", tasks: [TaskGroup(name: "get", steps: [.io(IOStep(latency: .constant(.milliseconds(1))))])])
        let strategy = Strategy(kind: .sync)
        let plan = try HarnessPlan(scenario: scenario, strategy: strategy, profile: profile, serverURL: "http://127.0.0.1:9/")
        XCTAssertThrowsError(try RealRunner(environment: environment, profile: profile).runOnce(plan, strategy: strategy, timeout: 30)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("the real run of sync failed (exit code 1)"), text)
            XCTAssertTrue(text.contains("Connection refused"), text)
        }
    }

    func testMissingPythonAndFailedSetupMessages() {
        XCTAssertThrowsError(try PythonEnvironment.systemPython(environment: ["PATH": "/nonexistent/bin"])) { error in
            XCTAssertEqual(error as? RealRunError, .pythonNotFound(searched: "PATH=/nonexistent/bin"))
            XCTAssertTrue("\(error)".contains("apt-get install python3 python3-venv"), "\(error)")
        }
        XCTAssertThrowsError(try PythonEnvironment.systemPython(environment: ["SIMULATE_PYTHON": "/nonexistent/python3"])) { error in
            XCTAssertTrue("\(error)".contains("SIMULATE_PYTHON=/nonexistent/python3"), "\(error)")
        }
        let scripts = PythonEnvironment.locate().scriptsFolder
        let broken = PythonEnvironment(scriptsFolder: scripts, venvFolder: NSTemporaryDirectory() + "no-venv-\(getpid())")
        XCTAssertThrowsError(try broken.prepare(systemPython: "/bin/false", log: { _ in })) { error in
            XCTAssertTrue("\(error)".contains("setting up the Python environment failed"), "\(error)")
            XCTAssertTrue("\(error)".contains("exited(1)"), "\(error)")
        }
    }

    /// Live (non-zombie) processes running harness.py with a plan under this test process's temp folders.
    static func harnessProcesses() -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry),
                  let cmd = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                  String(decoding: cmd, as: UTF8.self).contains("simulate-real-\(getpid())-"),
                  ChildProcess.state(of: pid) != "Z" else { return nil }
            return pid
        }
    }
}

/// What a comparison says when the harness's HTTP client cannot run the scenario's connections as written.
final class ConnectionNoteTests: XCTestCase {
    private func notes(_ connection: String, _ strategies: String) throws -> [String] {
        let scenario = try ScenarioLoader.parse(text: """
            {"tasks": [{"steps": [{"cpu": "1ms"}, {"repeat": 2, "steps": [{"io": {"latency": "5ms", "connection": "\(connection)"}}]}]}],
             "strategies": \(strategies)}
            """)
        return HarnessPlan.connectionNotes(scenario, strategies: scenario.strategies)
    }

    func testKeptAliveCallsRunByUrlopenAreNamedOnce() throws {
        let lines = try notes("reuse", #"["sync", "threads", "gevent", "asyncio"]"#)
        XCTAssertEqual(lines.count, 1, "\(lines)")
        XCTAssertTrue(lines[0].hasPrefix("sync, threads, gevent: urlopen opens a new connection every call"), lines[0])
    }

    func testNewConnectionsOfAnAiohttpSessionAreNamed() throws {
        let lines = try notes("new", #"["threads", "asyncio", "uvloop"]"#)
        XCTAssertEqual(lines, ["asyncio, uvloop: an aiohttp session per task keeps its connection, so the scenario's `connection: new` calls are run, and predicted beside them, on a kept-alive connection"])
    }

    func testNothingToSayWhenEveryCallRunsAsWritten() throws {
        XCTAssertEqual(try notes("new", #"["sync", "threads", "processes", "gevent"]"#), [])
        let cpuOnly = try ScenarioLoader.parse(text: #"{"tasks": [{"steps": [{"cpu": "1ms"}]}], "strategies": ["threads", "asyncio"]}"#)
        XCTAssertEqual(HarnessPlan.connectionNotes(cpuOnly, strategies: cpuOnly.strategies), [])
    }
}
