import Foundation
import SimEngine
import SimRealRuns
import SimScenario
import XCTest

/// calibrate.py's `call_shape_ns` (urlopen's Python between its GIL-releasing calls) becomes the scenario's
/// `io_call_shape` for urlopen's clients only (docs/model.md, "The shape of an I/O call").
final class CallShapeProfileTests: XCTestCase {
    let measured: [Double] = [58_863, 2_103, 2_319, 3_916, 17_421, 99_678, 5_659]

    func profile(_ shape: [Double]?) throws -> MachineProfile {
        var raw = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(CostFitTests.calibrationJSON.utf8)) as? [String: Any])
        if let shape { raw["call_shape_ns"] = shape }
        return try MachineProfile.fromCalibration(JSONSerialization.data(withJSONObject: raw), path: "c")
    }

    func shape(_ profile: MachineProfile, _ kind: Strategy.Kind) -> IOCallShape {
        RealRunner.scenarioForComparison(ExampleScenarios.ioHeavy(tasks: 2, calls: 3), strategy: Strategy(kind: kind), profile: profile).costs.ioCallShape
    }

    func testMeasuredShapeForUrlopenOnly() throws {
        let p = try profile(measured)
        for kind in [Strategy.Kind.sync, .threads(pool: nil), .gevent, .processes(pool: nil, startMethod: .fork)] {
            XCTAssertEqual(shape(p, kind).new, measured, "\(kind)")
            XCTAssertEqual(shape(p, kind).reuse, Defaults.ioCallShape.reuse, "\(kind): urlopen never reuses")
        }
        for kind in [Strategy.Kind.asyncio(executorWorkers: nil, cpuInExecutor: true), .tornado(maxClients: 10, executorWorkers: nil, cpuInExecutor: true)] {
            XCTAssertEqual(shape(p, kind), Defaults.ioCallShape, "\(kind) has its own HTTP client")
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("shape-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try p.save(to: path)
        XCTAssertEqual(try MachineProfile.load(from: path).callShape, measured)
    }

    /// An older profile, or a shape with a wrong length or nothing in it, leaves the scenario's shape.
    func testMissingOrMalformedShapeChangesNothing() throws {
        for bad in [nil, [1.0, 2, 3], [0.0, 0, 0, 0, 0, 0, 0]] {
            XCTAssertEqual(shape(try profile(bad), .threads(pool: nil)), Defaults.ioCallShape, "\(String(describing: bad))")
        }
    }
}
