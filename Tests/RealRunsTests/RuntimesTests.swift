import Foundation
import SimEngine
import SimScenario
import XCTest

@testable import SimRealRuns

/// The article's other runtimes in the harness (uvloop, trio, curio, eventlet, Tornado, Twisted, tasklets),
/// the GIL-releasing kernels (NumPy, numba) and the profile fields that size and describe them.
final class RuntimesTests: XCTestCase {
    /// calibrate.py's output with round numbers, the new measurements included.
    static let calibrationJSON: String = {
        let base = CostFitTests.calibrationJSON.trimmingCharacters(in: .whitespacesAndNewlines).dropLast()
        return base + """
            , "numpy_sin": [[32768, 262144], [1048576, 8388608]], "numpy_chunk": 32768,
            "numba_loop": [[1000000, 500000], [10000000, 5000000]],
            "gil_release_speedup": {"py": 1.0, "np": 1.9},
            "trio_checkpoint_ns": 4000, "tornado_fetch_cpu_ns": 600000, "tasklet_switch_ns": 200}
            """
    }()

    func testOlderProfileLoadsAndRefusesAnUnmeasuredKernel() throws {
        let profile = try MachineProfile.fromCalibration(Data(CostFitTests.calibrationJSON.utf8), path: "c")
        XCTAssertNil(profile.numpySin)
        XCTAssertNil(profile.numbaLoop)
        XCTAssertNil(profile.runtimes)
        XCTAssertNil(profile.releasingAmount(.numba, for: .milliseconds(1)))
        XCTAssertEqual(profile.releasingAmount(.hashlib, for: .milliseconds(5)), profile.shaBytes(for: .milliseconds(5)))
        // A profile saved before these fields existed has none of their keys: it still loads.
        var json = try JSONSerialization.jsonObject(with: try profile.encoded()) as! [String: Any]
        XCTAssertNil(json["numpySin"], "nil fields are not written")
        json["runtimes"] = nil
        let path = NSTemporaryDirectory() + "old-profile-\(getpid()).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try MachineProfile.load(from: path), profile)

        let scenario = Self.releasingScenario()
        XCTAssertThrowsError(try HarnessPlan(scenario: scenario, strategy: Strategy(kind: .sync), profile: profile,
                                             serverURL: "x", releaseSource: .numpy)) { error in
            XCTAssertTrue("\(error)".contains("numpy"), "\(error)")
            XCTAssertTrue("\(error)".contains("simulate calibrate"), "\(error)")
        }
    }

    func testReleaseSourcesSizeTheirKernelsAndTheRuntimeCostsLoad() throws {
        let profile = try MachineProfile.fromCalibration(Data(Self.calibrationJSON.utf8), path: "c")
        XCTAssertEqual(profile.releasingAmount(.numpy, for: .milliseconds(1)), 125_000, "8 ns per element")
        XCTAssertEqual(profile.releasingAmount(.numpy, for: .nanoseconds(10)), 501, "a ufunc loop of 500 or fewer keeps the GIL")
        XCTAssertEqual(profile.releasingAmount(.numba, for: .milliseconds(1)), 2_000_000, "0.5 ns per iteration")
        XCTAssertEqual(profile.releasingAmount(.numba, for: .zero), 0)
        XCTAssertEqual(profile.numpyChunk, 32_768)
        XCTAssertEqual(profile.gilReleaseSpeedup?["np"], 1.9)
        XCTAssertEqual(profile.runtimes?.trioCheckpoint, .nanoseconds(4_000))
        XCTAssertEqual(profile.runtimes?.tornadoFetchCPU, .nanoseconds(600_000))
        XCTAssertEqual(profile.runtimes?.taskletSwitch, .nanoseconds(200))
        XCTAssertNil(profile.runtimes?.twistedRequestCPU, "not measured")

        let path = NSTemporaryDirectory() + "profile-runtimes-\(getpid()).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try profile.save(to: path)
        XCTAssertEqual(try MachineProfile.load(from: path), profile)

        let scenario = Self.releasingScenario()
        for (source, code) in [(ReleaseSource.hashlib, "sha"), (.numpy, "np"), (.numba, "nb")] {
            let plan = try HarnessPlan(scenario: scenario, strategy: Strategy(kind: .sync), profile: profile,
                                       serverURL: "x", releaseSource: source)
            let expected = profile.releasingAmount(source, for: .milliseconds(3))!
            let op: HarnessOperation = source == .numpy ? .numpy(elements: expected)
                : source == .numba ? .numba(iterations: expected) : .sha(bytes: expected)
            XCTAssertEqual(plan.tasks[0].ops, [op], "\(source)")
            XCTAssertEqual(Set(plan.probes.keys), [code], "\(source)")
            let json = String(decoding: try plan.encoded(), as: UTF8.self)
            XCTAssertTrue(json.contains("[\"\(code)\",\(expected)]"), json)
            XCTAssertTrue(json.contains("\"release_source\":\"\(source.rawValue)\""), json)
        }
    }

    // MARK: - Real runs of the harness

    static let environment: Result<PythonEnvironment, Error> = Result {
        let environment = PythonEnvironment.locate()
        try environment.prepare()
        return environment
    }

    /// Runs harness.py on `plan` with the strategy kind `kind` (the Swift strategies for these runtimes are
    /// another change's): returns the checked result.
    func runHarness(_ plan: HarnessPlan, environment: PythonEnvironment) throws -> HarnessResult {
        let folder = try ChildProcessRegistry.shared.makeTemporaryFolder("runtimes-test")
        defer { ChildProcessRegistry.shared.removeTemporaryFolder(folder) }
        let planPath = folder + "/plan.json", outPath = folder + "/result.json", errPath = folder + "/stderr"
        try plan.encoded().write(to: URL(fileURLWithPath: planPath))
        let child = try ChildProcess(executable: environment.python, arguments: [environment.harness, "--plan", planPath, "--out", outPath],
                                     stdoutPath: folder + "/stdout", stderrPath: errPath)
        let end = child.wait(timeout: 120)
        guard end == .exited(0) else {
            throw RealRunError.harnessFailed(strategy: plan.strategy.kind, status: "\(end)", stderr: ChildProcess.text(of: errPath))
        }
        return try HarnessResult.load(path: outPath, plan: plan)
    }

    /// Every new runtime runs three tasks (I/O, bytecode, a GIL-releasing kernel, a sleep) beside a background
    /// task and records every step. The concurrent runtimes overlap the tasks' I/O waits; tasklets, whose I/O
    /// blocks every tasklet, never run two steps at once; with CPU in threads, it ran on threads other than
    /// the loop's, recorded as executor steps.
    func testEveryRuntimeRunsAndRecordsItsSteps() throws {
        let environment = try Self.environment.get()
        let profile = try MachineProfile.fromCalibration(Data(Self.calibrationJSON.utf8), path: "c")
        let server = try LatencyServer(environment: environment)
        defer { server.stop() }
        let scenario = Scenario(name: "runtimes", tasks: [
            TaskGroup(name: "fetch", count: 3, steps: [
                .io(IOStep(latency: .constant(.milliseconds(40)))), .cpu(CPUStep(duration: .constant(.milliseconds(3)))),
                .cpu(CPUStep(duration: .constant(.milliseconds(2)), kind: .cReleasesGIL)), .sleep(.constant(.milliseconds(5))),
            ]),
            TaskGroup(name: "tick", background: true, steps: [.sleep(.constant(.milliseconds(5))), .cpu(CPUStep(duration: .constant(.milliseconds(1))))]),
        ])
        let runs: [(kind: String, inThreads: Bool, source: ReleaseSource)] = [
            ("uvloop", true, .numpy), ("uvloop", false, .hashlib), ("trio", true, .numba), ("trio", false, .numpy),
            ("curio", true, .hashlib), ("curio", false, .numpy), ("eventlet", false, .numpy), ("eventlet", true, .numba), ("tornado", true, .numba),
            ("tornado", false, .hashlib), ("twisted", true, .numpy), ("twisted", false, .hashlib), ("tasklets", false, .numba),
        ]
        for run in runs {
            let label = "\(run.kind) (CPU \(run.inThreads ? "in threads" : "inline"), \(run.source))"
            var plan = try HarnessPlan(scenario: scenario, strategy: Strategy(kind: .asyncio(executorWorkers: nil, cpuInExecutor: run.inThreads)),
                                       profile: profile, serverURL: server.baseURL, instrument: false, releaseSource: run.source)
            plan.strategy.kind = run.kind
            // The runtimes with a pool of their own take its size from the plan (trio's limiter, curio's
            // MAX_WORKER_THREADS, the reactor's pool, eventlet's tpool).
            let limited = ["trio", "curio", "twisted", "eventlet"].contains(run.kind)
            if limited { plan.strategy.threadLimit = 2 }
            let result = try runHarness(plan, environment: environment)
            let foreground = result.tasks.filter { !plan.tasks[$0.task].background }
            XCTAssertEqual(foreground.count, 3, label)
            let ioSteps = foreground.compactMap { record in record.steps.first { $0.operation == 0 } }
            XCTAssertEqual(ioSteps.count, 3, label)
            for step in ioSteps {
                XCTAssertGreaterThanOrEqual(step.end - step.start, 40_000_000, "\(label): an I/O step ends after the server's delay")
            }
            let steps = result.tasks.flatMap { record in record.steps.map { (record.task, $0.start, $0.end) } }.sorted { $0.1 < $1.1 }
            let overlapping = zip(steps, steps.dropFirst()).contains { $0.0 != $1.0 && $1.1 < $0.2 }
            if run.kind == "tasklets" {
                XCTAssertFalse(overlapping, "\(label): one tasklet runs at a time, and its blocking calls block the others")
                XCTAssertGreaterThanOrEqual(result.makespan, 3 * 45_000_000, label)
            } else {
                XCTAssertTrue(overlapping, "\(label): the tasks' waits overlap")
                // The three 40 ms waits ran at once: the last one started before the first one ended. (The makespan
                // is no test of it: on this VM a run in its slow phase, with another program on the cores, has taken
                // 130 ms with its waits overlapping.)
                let lastStart = ioSteps.map(\.start).max() ?? 0, firstEnd = ioSteps.map(\.end).min() ?? 0
                XCTAssertLessThan(lastStart, firstEnd, "\(label): three 40 ms waits at once")
            }
            let executorSteps = foreground.flatMap(\.executor)
            if run.inThreads {
                XCTAssertEqual(executorSteps.count, 6, "\(label): both CPU steps of each task ran in threads")
                XCTAssertFalse(executorSteps.contains { $0.thread.hasPrefix("MainThread") }, label)
                if limited {
                    let workers = Set(executorSteps.map(\.thread))
                    XCTAssertLessThanOrEqual(workers.count, 2, "\(label): a pool of 2, ran on \(workers.sorted())")
                }
            } else {
                XCTAssertTrue(executorSteps.isEmpty, label)
            }
        }
    }

    /// "NumPy releases the GIL on long operations", measured: calibrate.py's `gil_release` runs 4 equal pieces
    /// of work on 4 threads at once and one after another. On 2 or more cores numpy.sin and the numba nogil
    /// kernel (like sha256) run on two cores at once, about twice as fast; bytecode, which holds the GIL, not.
    /// A change of the VM's speed between the two halves of a measurement moves a ratio by 10-30% (a full
    /// suite once measured sha 1.29x beside bytecode's 1.16x), so it is measured up to three times and the
    /// first measurement that shows the property passes; the last one is held to it.
    func testKernelsThatReleaseTheGILRunOnEveryCore() throws {
        guard ProcessInfo.processInfo.activeProcessorCount >= 2 else { throw XCTSkip("needs two cores") }
        // Two cores: 2x at best. Work that held the GIL would be at 1x or below, as bytecode is. This VM's two
        // vCPUs can run at speeds up to 1.6x apart (docs/model.md, "Two busy cores, two speeds"), and then the
        // pieces at once end with the slower core: 1.25x (a fresh-clone CI run measured nb at 1.21x, np 1.52x,
        // sha 1.57x), so the bound is 1.15x, and 0.2 above bytecode's.
        func violations(_ speedup: [String: Double]) -> [String] {
            let py = speedup["py"] ?? 9
            var out = py < 1.2 ? [] : ["bytecode ran on both cores (it holds the GIL)"]
            for kind in ["np", "nb", "sha"] {
                if (speedup[kind] ?? 0) <= 1.15 { out.append("\(kind) did not run on both cores") }
                if (speedup[kind] ?? 0) - py <= 0.2 { out.append("\(kind) was not 0.2 faster than bytecode (it runs beside the GIL)") }
            }
            return out
        }
        var speedup: [String: Double] = [:]
        for _ in 0..<3 {
            speedup = try measureGILReleaseSpeedups()
            if violations(speedup).isEmpty { break }
        }
        XCTAssertEqual(violations(speedup), [], "\(speedup)")
    }

    /// One run of calibrate.py's "GIL release" step: each kind's speed-up on threads at once.
    func measureGILReleaseSpeedups() throws -> [String: Double] {
        try XCTUnwrap(CalibrationStep.run("GIL release").result["gil_release_speedup"] as? [String: Double])
    }

    /// One task with one 3 ms GIL-releasing step.
    static func releasingScenario() -> Scenario {
        Scenario(name: "release", tasks: [TaskGroup(name: "t", steps: [.cpu(CPUStep(duration: .constant(.milliseconds(3)), kind: .cReleasesGIL))])])
    }
}
