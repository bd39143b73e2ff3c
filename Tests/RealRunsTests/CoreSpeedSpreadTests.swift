import Foundation
import SimEngine
import SimRealRuns
import SimScenario
import XCTest

/// `core_speed_spread` as `simulate calibrate` measures it (calibrate.py's "cores at once" step) and as a profile
/// hands it to the model (docs/model.md, "Two busy cores, two speeds").
final class CoreSpeedSpreadTests: XCTestCase {
    /// calibrate.py's keys become the profile's `coreSpeedSpread`, which sets the machine's per CPU kind (values
    /// below 1 read as 1, one speed), and `simulate calibrate` prints it beside the efficiency.
    func testTheCalibrationsSpreadSetsTheMachinesPerKind() throws {
        var raw = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(CostFitTests.calibrationJSON.utf8)) as? [String: Any])
        raw["parallel_efficiency"] = ["py": [[2, 0.97]], "pow": [[2, 0.95]], "sha": [[2, 0.99]]]
        raw["core_speed_spread"] = ["py": 1.09, "pow": 1.16, "sha": 0.98]
        let profile = try MachineProfile.fromCalibration(JSONSerialization.data(withJSONObject: raw), path: "c")
        XCTAssertEqual(profile.coreSpeedSpread, ["py": 1.09, "pow": 1.16, "sha": 0.98])
        let machine = profile.apply(to: ExampleScenarios.ioHeavy(tasks: 1, calls: 1)).machine
        XCTAssertEqual(machine.coreSpeedSpread, [CPUKind.python: 1.09, .cHoldsGIL: 1.16, .cReleasesGIL: 1])
        XCTAssertEqual(machine.parallelEfficiency, [CPUKind.python: 0.97, .cHoldsGIL: 0.95, .cReleasesGIL: 0.99])
        let summary = Calibrator.summary(profile)
        XCTAssertTrue(summary.contains("pow 0.95, slower / faster 1.16; py 0.97, slower / faster 1.09; sha 0.99, slower / faster 0.98"), summary)
    }

    /// The step run for real: per kind, an efficiency point at every core busy and the spread of the same runs,
    /// the slower process's time over the faster's (at least 1; this VM's medians were 1.0-1.4).
    func testTheCoresAtOnceStepMeasuresTheSpreadOfItsOwnRuns() throws {
        let environment = try RuntimesTests.environment.get()
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard cores >= 2 else { throw XCTSkip("needs two cores") }
        let folder = try ChildProcessRegistry.shared.makeTemporaryFolder("spread-test")
        defer { ChildProcessRegistry.shared.removeTemporaryFolder(folder) }
        let outPath = folder + "/out.json", errPath = folder + "/stderr"
        let child = try ChildProcess(executable: environment.python,
                                     arguments: [environment.calibration, "--server", "http://127.0.0.1:1/", "--out", outPath,
                                                 "--only", "cores at once"],
                                     stdoutPath: folder + "/stdout", stderrPath: errPath)
        XCTAssertEqual(child.wait(timeout: 180), .exited(0), ChildProcess.text(of: errPath))
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: XCTUnwrap(FileManager.default.contents(atPath: outPath))) as? [String: Any])
        let efficiency = try XCTUnwrap(object["parallel_efficiency"] as? [String: [[Double]]])
        let spread = try XCTUnwrap(object["core_speed_spread"] as? [String: Double])
        XCTAssertEqual(Set(efficiency.keys), ["py", "pow", "sha"])
        XCTAssertEqual(Set(spread.keys), ["py", "pow", "sha"])
        for (kind, points) in efficiency {
            XCTAssertEqual(points.last?.first, Double(cores), "\(kind): the last point has every core busy")
        }
        for (kind, r) in spread { XCTAssertTrue(r >= 1 && r < 4, "\(kind): \(r)") }
    }
}

/// When a profile was calibrated (`MachineProfile.calibratedAt`), and how old `compare` says it is.
final class CalibrationTimeTests: XCTestCase {
    func profile(at time: String?) throws -> MachineProfile {
        var p = try MachineProfile.fromCalibration(Data(CostFitTests.calibrationJSON.utf8), path: "c")
        p.calibratedAt = time
        return p
    }

    func testTheProfileSaysHowOldItIs() throws {
        let now = try XCTUnwrap(ISO8601DateFormatter().date(from: "2026-12-04T16:16:30Z"))
        XCTAssertEqual(MachineProfile.calibrationTime(now), "2026-12-04T16:16:30Z")
        func said(_ time: String?) throws -> String { try profile(at: time).provenance(path: "m.json", now: now) }
        XCTAssertEqual(try said("2026-12-04T07:04:10Z"), "m.json, calibrated 2026-12-04 07:04 UTC (9 h 12 min ago)")
        XCTAssertEqual(try said("2026-12-04T16:04:00Z"), "m.json, calibrated 2026-12-04 16:04 UTC (12 min ago)")
        XCTAssertEqual(try said("2026-12-04T16:16:00Z"), "m.json, calibrated 2026-12-04 16:16 UTC (just now)")
        XCTAssertEqual(try said("2026-11-30T16:00:00Z"), "m.json, calibrated 2026-11-30 16:00 UTC (4 days ago)")
        XCTAssertEqual(try said("2026-12-05T16:00:00Z"), "m.json, calibrated 2026-12-05 16:00 UTC (in the future: check this machine's clock)")
        XCTAssertTrue(try said(nil).contains("a time it does not record"))
        XCTAssertEqual(try said("yesterday"), #"m.json, calibratedAt "yesterday" is not a time like "2026-12-04T16:53:12Z" (UTC): its age is unknown"#)
        XCTAssertTrue(Calibrator.summary(try profile(at: "2026-12-04T07:04:10Z")).hasPrefix("python 3.11.7, 2 cores, switch interval 5ms, calibrated 2026-12-04 07:04 UTC"))
        // Saved and loaded, the time stays; a profile without it loads as before.
        let path = NSTemporaryDirectory() + "calibrated-\(getpid()).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try profile(at: "2026-12-04T07:04:10Z").save(to: path)
        XCTAssertEqual(try MachineProfile.load(from: path).calibratedAt, "2026-12-04T07:04:10Z")
        try profile(at: nil).save(to: path)
        XCTAssertNil(try MachineProfile.load(from: path).calibratedAt)
    }

    /// `--median-of`: the lower median of the times recorded, nil when none is.
    func testAMediansTimeIsTheMedianOfItsCalibrations() throws {
        let times = ["2026-12-04T16:57:00Z", nil, "2026-12-04T16:53:00Z", "2026-12-04T16:55:00Z"]
        let profiles = try times.map(profile(at:))
        let paths = times.indices.map { "cal-\($0).json" }
        XCTAssertEqual(try MachineProfile.median(of: profiles, paths: paths).calibratedAt, "2026-12-04T16:55:00Z")
        XCTAssertEqual(try MachineProfile.median(of: Array(profiles.prefix(2)), paths: Array(paths.prefix(2))).calibratedAt, "2026-12-04T16:57:00Z")
        XCTAssertNil(try MachineProfile.median(of: [profiles[1], profiles[1]], paths: ["a", "b"]).calibratedAt)
    }
}
