import Foundation
import SimEngine
import SimScenario
import XCTest

@testable import SimRealRuns

/// Calibration fitting and the machine profile, as pure functions on synthetic measurements.
final class CostFitTests: XCTestCase {
    func testLinearFitRecoversLineAndInverts() {
        let points = [1_000.0, 10_000, 100_000].map { CostPoint(amount: $0, nanoseconds: 500 + 31.5 * $0) }
        let fit = LinearCost.fit(points)
        XCTAssertEqual(fit.fixedNanoseconds, 500, accuracy: 1e-6)
        XCTAssertEqual(fit.nanosecondsPerUnit, 31.5, accuracy: 1e-9)
        XCTAssertEqual(fit.amount(for: fit.nanoseconds(for: 12_345)), 12_345, accuracy: 1e-6)
        XCTAssertEqual(fit.amount(for: 100), 0, "a time below the fixed part needs no work")
    }

    func testLinearFitNeverHasNegativeFixedCost() {
        // Noise that would put the intercept below zero: the line goes through zero instead.
        let fit = LinearCost.fit([CostPoint(amount: 1, nanoseconds: 5), CostPoint(amount: 2, nanoseconds: 20)])
        XCTAssertEqual(fit.fixedNanoseconds, 0)
        XCTAssertEqual(fit.nanosecondsPerUnit, (5 + 40) / 5.0, accuracy: 1e-9)
    }

    func testProportionalFitIgnoresOneDisturbedPoint() {
        var points = [10_000.0, 30_000, 100_000, 300_000, 1_000_000].map { CostPoint(amount: $0, nanoseconds: 30 * $0) }
        points[1].nanoseconds *= 3  // another program ran during this measurement
        let fit = LinearCost.proportional(points)
        XCTAssertEqual(fit.nanosecondsPerUnit, 30, accuracy: 1e-9)
        XCTAssertEqual(fit.fixedNanoseconds, 0)
        XCTAssertNotEqual(LinearCost.fit(points).nanosecondsPerUnit, 30, accuracy: 0.01, "least squares is skewed")
    }

    func testPowerLawFitRecoversCoefficientAndExponent() {
        let points = [1_000.0, 4_000, 16_000, 64_000, 256_000].map { CostPoint(amount: $0, nanoseconds: 0.3 * pow($0, 1.58)) }
        let fit = PowerLawCost.fit(points)
        XCTAssertEqual(fit.exponent, 1.58, accuracy: 1e-9)
        XCTAssertEqual(fit.coefficient, 0.3, accuracy: 1e-9)
        for amount in [500.0, 3_000, 200_000, 2_000_000] {  // inside and outside the measured range
            XCTAssertEqual(fit.nanoseconds(for: amount), 0.3 * pow(amount, 1.58), accuracy: 0.3 * pow(amount, 1.58) * 1e-9)
            XCTAssertEqual(fit.amount(for: fit.nanoseconds(for: amount)), amount, accuracy: amount * 1e-9)
        }
    }

    func testPowerLawInterpolatesBetweenRegimes() {
        // Slope 2 (schoolbook) up to 10 000, slope 1.5 beyond: a single power law would miss both ends.
        func cost(_ x: Double) -> Double { x <= 10_000 ? x * x : 1e8 * pow(x / 10_000, 1.5) }
        let fit = PowerLawCost.fit([1_000.0, 3_000, 10_000, 30_000, 100_000].map { CostPoint(amount: $0, nanoseconds: cost($0)) })
        XCTAssertEqual(fit.nanoseconds(for: 2_000), cost(2_000), accuracy: cost(2_000) * 1e-9)
        XCTAssertEqual(fit.nanoseconds(for: 50_000), cost(50_000), accuracy: cost(50_000) * 1e-9)
        XCTAssertEqual(fit.amount(for: cost(300_000)), 300_000, accuracy: 1e-3, "extrapolates with the last slope")
        XCTAssertEqual(fit.amount(for: cost(500)), 500, accuracy: 1e-6, "extrapolates with the first slope")
    }

    func testProfileFromCalibrationAndSizing() throws {
        let profile = try MachineProfile.fromCalibration(Data(Self.calibrationJSON.utf8), path: "calibration.json")
        XCTAssertEqual(profile.cores, 2)
        XCTAssertEqual(profile.pythonIterations(for: .milliseconds(30)), 1_000_000)
        XCTAssertEqual(profile.shaBytes(for: .milliseconds(5)), 10_000_000)
        XCTAssertEqual(profile.pythonIterations(for: .microseconds(3)), 100)
        XCTAssertEqual(profile.shaBytes(for: .nanoseconds(10)), 2048, "never below hashlib's GIL-release size")
        XCTAssertEqual(profile.shaBytes(for: .zero), 0)
        let e = profile.powerExponent(for: .milliseconds(100))
        XCTAssertEqual(Double(e), pow(1e8 / 0.5, 1 / 1.6), accuracy: 2)
        // Saved and loaded unchanged, with the same bytes each time.
        let path = NSTemporaryDirectory() + "profile-\(getpid()).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try profile.save(to: path)
        XCTAssertEqual(try MachineProfile.load(from: path), profile)
        XCTAssertEqual(try profile.encoded(), try MachineProfile.load(from: path).encoded())
    }

    func testBadCalibrationAndProfileMessagesNameTheProblem() {
        XCTAssertThrowsError(try MachineProfile.fromCalibration(Data("{\"cores\": 2}".utf8), path: "c.json")) { error in
            XCTAssertTrue("\(error)".contains("c.json"), "\(error)")
            XCTAssertTrue("\(error)".contains("missing"), "\(error)")
        }
        XCTAssertThrowsError(try MachineProfile.load(from: "/nonexistent/machine.json")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/machine.json"))
            XCTAssertTrue("\(error)".contains("simulate calibrate"))
        }
    }

    func testApplyPutsMeasuredCostsIntoTheScenario() throws {
        let profile = try MachineProfile.fromCalibration(Data(Self.calibrationJSON.utf8), path: "c")
        var scenario = ExampleScenarios.ioHeavy(tasks: 2, calls: 3)
        scenario.machine.cores = 8
        scenario.strategies = [Strategy(kind: .threads(pool: nil), costs: Costs())]
        let applied = profile.apply(to: scenario)
        XCTAssertEqual(applied.machine.cores, 2)
        XCTAssertEqual(applied.machine.wakeLatency, Defaults.wakeLatency, "without the GIL race measured, the scenario's wake-up latency stays")
        XCTAssertEqual(applied.costs.threadStart, .nanoseconds(90_000))
        XCTAssertEqual(applied.costs.processStart[.spawn], .nanoseconds(90_000_000))
        XCTAssertEqual(applied.costs.pickle, .nanoseconds(150_000 - 30_000))
        XCTAssertEqual(applied.costs.executorHandoff, .nanoseconds((60_000 - 30_000) / 2))
        XCTAssertEqual(applied.costs.connectionCPU, .nanoseconds(40_000))
        XCTAssertEqual(applied.costs.connectionSetup, .nanoseconds(400_000 - 210_000), "urlopen wall not spent in its CPU")
        XCTAssertEqual(applied.strategies[0].costs?.threadStart, .nanoseconds(90_000), "overrides get the values too")
        guard case .repeat(_, let body) = applied.tasks[0].steps[0], case .io(let io) = body[0] else {
            return XCTFail("unexpected steps \(applied.tasks[0].steps)")
        }
        XCTAssertEqual(io.cpu, .constant(.nanoseconds(210_000 - 40_000)), "urlopen's CPU less the connect's")

        let asyncio = RealRunner.scenarioForComparison(scenario, strategy: Strategy(kind: .asyncio(executorWorkers: nil, cpuInExecutor: true)), profile: profile)
        guard case .repeat(_, let body2) = asyncio.tasks[0].steps[0], case .io(let io2) = body2[0] else { return XCTFail() }
        XCTAssertEqual(io2.connection, .reuse)
        XCTAssertEqual(io2.cpu, .constant(.nanoseconds(130_000)), "aiohttp's CPU on a reused connection")
    }

    func testPlanUsesTheModelsDrawsAndSizesThem() throws {
        let profile = try MachineProfile.fromCalibration(Data(Self.calibrationJSON.utf8), path: "c")
        let scenario = ExampleScenarios.ioHeavy(tasks: 3, calls: 4)
        let plan = try HarnessPlan(scenario: scenario, strategy: Strategy(kind: .gevent), profile: profile, serverURL: "http://127.0.0.1:1/")
        let workload = Workload(scenario)
        XCTAssertEqual(plan.tasks.count, 3)
        for i in 0..<3 {
            XCTAssertEqual(plan.operations[i], workload.operations(of: i))
            for (op, drawn) in zip(plan.tasks[i].ops, plan.operations[i]) {
                guard case .io(_, let latency, _) = drawn else { return XCTFail() }
                XCTAssertEqual(op, .io(delayMicroseconds: (latency.nanoseconds + 500) / 1000))
            }
        }
        let json = String(decoding: try plan.encoded(), as: UTF8.self)
        XCTAssertTrue(json.contains("\"kind\":\"gevent\""), json)
        XCTAssertTrue(json.contains("[\"io\","), json)

        var nogil = scenario
        nogil.python.gil = false
        XCTAssertThrowsError(try HarnessPlan(scenario: nogil, strategy: Strategy(kind: .threads(pool: nil)), profile: profile, serverURL: "x")) {
            XCTAssertTrue("\($0)".contains("free-threaded"), "\($0)")
        }
        // Another CPython version than the venv's (3.11.7 here) is a prediction only.
        var later = scenario
        later.python.version = .v3_13
        XCTAssertThrowsError(try HarnessPlan(scenario: later, strategy: Strategy(kind: .threads(pool: nil)), profile: profile, serverURL: "x")) {
            XCTAssertTrue("\($0)".contains("asks for Python 3.13; the harness runs the venv's Python 3.11.7"), "\($0)")
        }
        XCTAssertNoThrow(try HarnessPlan(scenario: scenario, strategy: Strategy(kind: .threads(pool: nil)), profile: profile, serverURL: "x"))
        // Subinterpreters need 3.12+ (the reader refuses them at 3.11): refused at 3.14 for the version, and
        // refused even at the venv's version (a scenario built in code) for want of a runner.
        let interpreters = Strategy(kind: .interpreters(pool: 2), python: PythonRuntime(version: .v3_14))
        XCTAssertThrowsError(try HarnessPlan(scenario: scenario, strategy: interpreters, profile: profile, serverURL: "x")) {
            XCTAssertTrue("\($0)".contains("asks for Python 3.14; the harness runs the venv's Python 3.11.7"), "\($0)")
        }
        XCTAssertThrowsError(try HarnessPlan(scenario: scenario, strategy: Strategy(kind: .interpreters(pool: 2)), profile: profile, serverURL: "x")) {
            XCTAssertTrue("\($0)".contains("no InterpreterPoolExecutor runner"), "\($0)")
            XCTAssertTrue("\($0)".contains("a prediction without a measurement here"), "\($0)")
        }
    }

    /// calibrate.py's output shape with round numbers.
    static let calibrationJSON = """
        {"python": "3.11.7", "cores": 2, "switch_interval_ns": 5000000,
         "python_loop": [[10000, 300000], [100000, 3000000], [1000000, 30000000]],
         "pow": [[1000, 31547.867224009682], [10000, 1255943.2157547912], [100000, 50000000]],
         "sha256": [[65536, 32768], [1048576, 524288], [16777216, 8388608]], "sha_chunk": 4194304,
         "thread_start_ns": 90000, "process_start_ns": {"fork": 2000000, "forkserver": 50000000, "spawn": 90000000},
         "pool_apply_ns": 150000, "wake_ns": 3000, "event_round_trip_ns": 30000,
         "urlopen_cpu_ns": 210000, "urlopen_wall_ns": 400000, "delayed_call_wall_ns": 900000, "connect_cpu_ns": 40000, "connect_wall_ns": 40000,
         "aiohttp_cpu_ns": 130000, "aiohttp_wall_ns": 200000, "loop_iteration_ns": 2500, "task_create_ns": 8000,
         "executor_round_trip_ns": 60000, "greenlet_switch_ns": 1200, "greenlet_spawn_ns": 13000}
        """

    /// With urlopen's GIL race measured (`race_lost_per_call` beside a spinning thread, `syscall_ns` a short
    /// call), the machine's wake-up latency becomes `gilWake`, so that the model's short calls lose as often as
    /// measured: 2 sure losses (connect, the answer's wait) and 4 short calls, each lost with the model's chance.
    func testTheWakeUpLatencyLosesUrlopensRacesAsMeasured() throws {
        var raw = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(Self.calibrationJSON.utf8)) as? [String: Any])
        raw["race_lost_per_call"] = 4.24
        raw["syscall_ns"] = 14_407
        let profile = try MachineProfile.fromCalibration(JSONSerialization.data(withJSONObject: raw), path: "c")
        let machine = profile.apply(to: ExampleScenarios.ioHeavy(tasks: 2, calls: 3)).machine
        XCTAssertEqual(machine.wakeLatency, profile.gilWake)
        XCTAssertEqual(machine.wakeLatency.seconds, 13.9e-6, accuracy: 0.1e-6)
        XCTAssertEqual(2 + 4 * machine.shortCallLoss(.nanoseconds(14_407)), 4.24, accuracy: 0.001)
        // A race measured in a noisy moment (hardly any short call lost, or a long system call) stays within an
        // idle core's wake-up, 2-50 µs: the model keeps its convoy.
        for (lost, syscall, expected) in [(2.05, 14_407, 50_000), (4.24, 300_000, 50_000), (5.9, 3_500, 2_000)] as [(Double, Int, Int64)] {
            raw["race_lost_per_call"] = lost
            raw["syscall_ns"] = syscall
            let noisy = try MachineProfile.fromCalibration(JSONSerialization.data(withJSONObject: raw), path: "c")
            XCTAssertEqual(noisy.apply(to: ExampleScenarios.ioHeavy(tasks: 2, calls: 3)).machine.wakeLatency, .nanoseconds(expected), "\(lost), \(syscall)")
        }
    }
}
