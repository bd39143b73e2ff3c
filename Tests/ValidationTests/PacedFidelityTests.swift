import Foundation
import SimEngine
import SimTrace
import XCTest
@testable import SimValidation

/// The matrix's points judged again at the pace their real CPU steps ran at (`MeasuredPoint.paces`,
/// `FidelityPoint.pacedErrorPercent`): what is left of an error once the machine's change of speed is out.
final class PacedFidelityTests: XCTestCase {
    /// `cpu-py-2` alone, its sync and threads points with a pace per run (the other points without).
    func measured(syncPace: Double, threadsPace: Double) throws -> (ValidationMatrix, MatrixMeasurements) {
        var matrix = try ValidationMatrix.load(folder: FidelityTests.folder)
        matrix.cases = matrix.cases.filter { $0.name == "cpu-py-2" }
        var recorded = try MatrixMeasurements.load(from: FidelityTests.folder + "/measurements.json")
        recorded.cases = recorded.cases.filter { $0.key == "cpu-py-2" }
        for (label, pace) in [("sync", syncPace), ("threads", threadsPace)] {
            let p = try XCTUnwrap(recorded.cases["cpu-py-2"]?.strategies[label])
            recorded.cases["cpu-py-2"]!.strategies[label] = MeasuredPoint(runs: p.runs, paces: p.runs.map { _ in pace })
        }
        return (matrix, recorded)
    }

    /// At a measured pace of 1.2 the sequential run of two 200 ms CPU-bound tasks is predicted 20% of its CPU
    /// longer; at 1.01, within `PacedPrediction.threshold`, its paced error is its error; a point without paces
    /// has none; the summary adds the paced figures.
    func testAPointIsPredictedAgainAtItsRunsPace() throws {
        let (matrix, recorded) = try measured(syncPace: 1.2, threadsPace: 1.01)
        let report = try FidelityReport.evaluate(matrix: matrix, measurements: recorded, tolerancePercent: 10, seeds: 3)
        let sync = try XCTUnwrap(report.points.first { $0.strategy == "sync" })
        let paced = try XCTUnwrap(sync.pacedErrorPercent)
        let median = Double(sync.measured.median.nanoseconds)
        let pacedMakespan = (1 + paced / 100) * median, makespan = (1 + sync.errorPercent / 100) * median
        XCTAssertEqual(pacedMakespan / makespan, 1.2, accuracy: 0.01, "sync is all CPU steps: 20% longer")
        let threads = try XCTUnwrap(report.points.first { $0.strategy == "threads" })
        XCTAssertEqual(threads.pacedErrorPercent, threads.errorPercent)
        XCTAssertNil(try XCTUnwrap(report.points.first { $0.strategy == "processes" }).pacedErrorPercent)
        XCTAssertEqual(report.pacedSummaries.last?.count, report.points.count)
        XCTAssertTrue(report.summary().contains("2 points with a recorded pace"), report.summary())
        let processesRow = try XCTUnwrap(report.table().split(separator: "\n").first { $0.contains(" processes ") })
        XCTAssertTrue(report.table().hasPrefix("case") && report.table().contains("at pace"), report.table())
        XCTAssertTrue(processesRow.contains(" - "), "a point without a pace shows none: \(processesRow)")
        let plain = try FidelityReport.evaluate(matrix: matrix, measurements: try MatrixMeasurements.load(from: FidelityTests.folder + "/measurements.json"),
                                                tolerancePercent: 10, seeds: 3)
        XCTAssertFalse(plain.summary().contains("at the pace"), "no paces recorded, no paced figures")
        XCTAssertFalse(plain.table().contains("at pace"))
    }

    /// Sessions pool their paces run by run, as their runs; a session without them leaves the pool without.
    func testPacesArePooledWhereEverySessionHasThem() throws {
        let (_, a) = try measured(syncPace: 1.1, threadsPace: 0.9)
        let (_, b) = try measured(syncPace: 1.3, threadsPace: 1.0)
        let pool = try MatrixMeasurements.pooled([("a", a), ("b", b)])
        let runs = try XCTUnwrap(a.cases["cpu-py-2"]?.strategies["sync"]?.runs.count)
        let sync = try XCTUnwrap(pool.cases["cpu-py-2"]?.strategies["sync"])
        XCTAssertEqual(sync.paces, Array(repeating: 1.1, count: runs) + Array(repeating: 1.3, count: runs))
        XCTAssertEqual(sync.medianPace(), 1.1)
        var bare = b
        bare.cases["cpu-py-2"]!.strategies["sync"] = MeasuredPoint(runs: sync.runs.prefix(runs).map { $0 })
        XCTAssertNil(try MatrixMeasurements.pooled([("a", a), ("bare", bare)]).cases["cpu-py-2"]?.strategies["sync"]?.paces)
    }

    /// A file whose paces do not match its runs is refused, naming the point.
    func testAFileWithAPaceMissingIsRefused() throws {
        var (_, m) = try measured(syncPace: 1.1, threadsPace: 1.1)
        var p = try XCTUnwrap(m.cases["cpu-py-2"]?.strategies["sync"])
        p.paces = Array((p.paces ?? []).dropLast())
        m.cases["cpu-py-2"]!.strategies["sync"] = p
        let path = NSTemporaryDirectory() + "paced-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try JSONEncoder().encode(m).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try MatrixMeasurements.load(from: path)) {
            XCTAssertTrue("\($0)".contains("cases.cpu-py-2.strategies.sync.paces"), "\($0)")
        }
    }
}
