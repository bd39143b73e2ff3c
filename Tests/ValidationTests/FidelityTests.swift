import Foundation
import SimEngine
import SimRealRuns
import SimTrace
import XCTest
@testable import SimValidation

/// The model against the validation matrix's recorded measurements (validation/measurements.json): a
/// regression test of fidelity that runs only the model, in seconds.
final class FidelityTests: XCTestCase {
    /// The repository's validation folder.
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("validation").path

    func testEveryRecordedPredictionStaysInItsBand() throws {
        let matrix = try ValidationMatrix.load(folder: Self.folder)
        let recorded = try MatrixMeasurements.load(from: Self.folder + "/measurements.json")
        let report = try FidelityReport.evaluate(matrix: matrix, measurements: recorded, tolerancePercent: 10)
        XCTAssertGreaterThanOrEqual(report.points.count, 40)
        XCTAssertTrue(report.unmeasured.isEmpty, "cases not measured: \(report.unmeasured)")
        XCTAssertTrue(report.passed, report.summary())
    }
}
