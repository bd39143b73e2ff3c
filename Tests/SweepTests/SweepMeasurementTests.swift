import XCTest
import SimEngine
import SimReport
import SimRendering
import SimScenario
import SimTrace
@testable import SimSweep

/// `--real` without Python: measurements come from a stand-in, so what is checked is the order the points
/// are measured in, how the measurements join sweep.json and sweep.csv, and how they are drawn.
final class SweepMeasurementTests: XCTestCase {
    /// A measured run whose makespan encodes the point and repetition (so the spread is known exactly).
    func fakeRun(strategy: String, point: Int, repetition: Int) -> RunMetrics {
        let makespan = SimTime.milliseconds(Int64(100 * (point + 1) + 10 * repetition))
        return RunMetrics(strategy: strategy, kind: strategy, makespan: makespan, taskLatencies: [makespan], operations: 10)
    }

    func testRepetitionsAreInterleavedAcrossPointsAndSummedUpAsMedianAndExtremes() throws {
        let p = try plan(["tasks[0].count=1,2,3"])
        var calls: [Int] = []
        var repetitionOf: [Int: Int] = [:]
        let measured = try SweepMeasurement.measure(p, runs: 3) { point, scenario in
            calls.append(point)
            let r = repetitionOf[point, default: 0]
            repetitionOf[point] = r + 1
            XCTAssertEqual(scenario.tasks[0].count, point + 1, "the point's own scenario")
            return ["sync", "threads"].map { ($0, self.fakeRun(strategy: $0, point: point, repetition: r)) }
        }
        XCTAssertEqual(calls, [0, 1, 2, 0, 1, 2, 0, 1, 2], "A B C A B C: every point once, then again")
        XCTAssertEqual(measured.map(\.point), [0, 0, 1, 1, 2, 2])
        XCTAssertEqual(measured.map(\.strategy), ["sync", "threads", "sync", "threads", "sync", "threads"])
        let m = measured[2]
        XCTAssertEqual(m.values, ["2"])
        XCTAssertEqual(m.runs, 3)
        XCTAssertEqual(m.makespanS, .init([0.2, 0.21, 0.22]))
        XCTAssertEqual(m.makespanS.median, 0.21, accuracy: 1e-12)
        XCTAssertEqual(m.makespanS.min, 0.2, accuracy: 1e-12)
        XCTAssertEqual(m.makespanS.max, 0.22, accuracy: 1e-12)
        XCTAssertEqual(m.throughputOpsPerS.max, 10 / 0.2, accuracy: 1e-9)
    }

    func testMeasurementsJoinTheDocumentAndEveryCSVRow() throws {
        let p = try plan(["tasks[0].count=1,2"])
        let output = try SweepRunner.run(p, workers: 2)
        let measured = [SweepDocument.Measured(point: 1, values: ["2"], strategy: "threads",
                                               runs: [fakeRun(strategy: "threads", point: 1, repetition: 0), fakeRun(strategy: "threads", point: 1, repetition: 1)])]
        let joined = SweepMeasurement.join(measured, into: output)
        XCTAssertEqual(joined.document.measured, measured)
        XCTAssertEqual(joined.document.rows, output.document.rows, "the predicted rows do not change")
        let lines = joined.csv.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, output.csv.split(separator: "\n").count)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(Array(header.suffix(SweepMeasurement.csvColumns.count)), SweepMeasurement.csvColumns)
        for (i, row) in output.document.rows.enumerated() {
            let fields = lines[i + 1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            XCTAssertEqual(fields.count, header.count)
            let extra = Array(fields.suffix(SweepMeasurement.csvColumns.count))
            if row.point == 1 && row.result.strategy == "threads" {
                XCTAssertEqual(extra[0], "2")
                XCTAssertEqual(Double(extra[1])!, 0.2, accuracy: 1e-6, "median makespan (the lower of two)")
                XCTAssertEqual(Double(extra[3])!, 0.21, accuracy: 1e-6, "max makespan")
            } else {
                XCTAssertEqual(extra, Array(repeating: "", count: extra.count))
            }
        }
        // sweep.json carries the measurements, and reads back equal; without --real it has no "measured" key.
        let text = try joined.document.jsonText()
        XCTAssertTrue(text.contains("\"measured\""))
        XCTAssertEqual(try SweepDocument.read(Data(text.utf8), name: "sweep.json"), joined.document)
        XCTAssertFalse(try output.document.jsonText().contains("\"measured\""))
    }

    func testMeasuredPointsAreDrawnInsideTheirPanelsWithTheirWhiskers() throws {
        let p = try plan(["tasks[0].count=1,2,4"])
        let output = try SweepRunner.run(p, workers: 2)
        let measured = (0..<3).map { point in
            SweepDocument.Measured(point: point, values: p.values(ofPoint: point), strategy: "threads",
                                   runs: (0..<3).map { fakeRun(strategy: "threads", point: point, repetition: $0) })
        }
        let chart = try XCTUnwrap(SweepMeasurement.join(measured, into: output).document.charts().first?.chart)
        let layout = try SweepChartRenderer.layout(chart, options: RenderOptions(), format: .png)
        // Makespan, p95 latency and throughput are measured; GIL wait share and CPU utilisation are not.
        XCTAssertEqual(layout.panels.map(\.measured.count), [3, 3, 3, 0, 0])
        let threads = try XCTUnwrap(chart.strategies.firstIndex(of: "threads"))
        for panel in layout.panels {
            for mark in panel.measured {
                XCTAssertEqual(mark.strategy, threads)
                XCTAssertTrue(mark.top <= mark.median && mark.median <= mark.bottom, "the whisker spans the median")
                XCTAssertTrue(mark.x >= panel.frame.x - 0.5 && mark.x <= panel.frame.maxX + 0.5)
                XCTAssertTrue(mark.top >= panel.frame.y - 0.05 * panel.frame.height && mark.bottom <= panel.frame.maxY + 0.5)
            }
        }
        XCTAssertNotNil(layout.measuredKey)
        XCTAssertTrue(layout.texts.contains { $0.text.hasPrefix("hollow: measured") })
        assertNoTextOverlaps(layout)
        // Without measurements nothing of this is drawn.
        let plain = try SweepChartRenderer.layout(try XCTUnwrap(output.document.charts().first?.chart), options: RenderOptions(), format: .png)
        XCTAssertTrue(plain.panels.allSatisfy(\.measured.isEmpty))
        XCTAssertNil(plain.measuredKey)
    }

    func testTooManyRealPointsAreRefusedNamingTheBound() {
        XCTAssertNoThrow(try SweepMeasurement.check(points: 10, strategies: 4, maxRealPoints: 40))
        let message = sweepError { try SweepMeasurement.check(points: 11, strategies: 4, maxRealPoints: 40) }
        XCTAssertTrue(message.contains("11 points x 4 strategies = 44"), message)
        XCTAssertTrue(message.contains("--max-real-points 44"), message)
    }
}
