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
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard cores >= 2 else { throw XCTSkip("needs two cores") }
        let object = try CalibrationStep.run("cores at once", timeout: 180).result
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
