import SimEngine
import SimReport
import SimScenario
import SimTrace
import XCTest

final class ReferenceComparisonTests: XCTestCase {
    let predicted = [
        Fixtures.run("sync", seconds: 2.0), Fixtures.run("threads", seconds: 2.7), Fixtures.run("processes", seconds: 1.0),
    ]
    let reference: [String: SimTime] = ["sync": .milliseconds(2_180), "threads": .milliseconds(2_470),
                                        "processes": .milliseconds(1_120), "thread": .milliseconds(1_000)]

    func testErrorsAndMeanAbsoluteError() throws {
        let comparison = ReferenceComparison(runs: predicted, referenceMakespans: reference, source: "luminousmen 2019")
        XCTAssertEqual(comparison.rows.map(\.strategy), ["sync", "threads", "processes"])
        let errors = comparison.rows.map { $0.errorPercent ?? .nan }
        XCTAssertEqual(errors[0], (2.0 - 2.18) / 2.18 * 100, accuracy: 1e-9)
        XCTAssertEqual(errors[1], (2.7 - 2.47) / 2.47 * 100, accuracy: 1e-9)
        XCTAssertEqual(errors[2], (1.0 - 1.12) / 1.12 * 100, accuracy: 1e-9)
        let mae = try XCTUnwrap(comparison.meanAbsoluteErrorPercent)
        XCTAssertEqual(mae, errors.map(abs).reduce(0, +) / 3, accuracy: 1e-9)
        XCTAssertEqual(comparison.unmatched, ["thread"])

        let text = comparison.render()
        XCTAssertTrue(text.hasPrefix("Predicted vs reference (luminousmen 2019)\n"))
        XCTAssertTrue(text.contains("-8.3%"))   // sync: 2.00 s against 2.18 s
        XCTAssertTrue(text.contains("+9.3%"))   // threads: 2.70 s against 2.47 s
        XCTAssertTrue(text.contains(String(format: "mean absolute error: %.1f%%", mae)))
        XCTAssertTrue(text.contains("reference figures without a run: thread"))
    }

    func testZeroReferenceHasNoError() {
        let comparison = ReferenceComparison(runs: predicted, referenceMakespans: ["sync": .zero], source: "x")
        XCTAssertNil(comparison.rows[0].errorPercent)
        XCTAssertNil(comparison.meanAbsoluteErrorPercent)
    }

    func testFullReportHasTitleTableVerdictAndReference() {
        let scenario = Fixtures.cpuBoundScenario()
        let comparison = ReferenceComparison(runs: Fixtures.cpuBoundRuns, referenceMakespans: reference, source: "article")
        let text = Report.render(scenario: scenario, runs: Fixtures.cpuBoundRuns, reference: comparison)
        XCTAssertTrue(text.hasPrefix("cpu_bound: 10 tasks on 2 cores, seed 7 - ten pure-Python computations\n"))
        XCTAssertTrue(text.contains(ComparisonTable(scenario: scenario, runs: Fixtures.cpuBoundRuns).render()))
        XCTAssertTrue(text.contains(Verdict(scenario: scenario, runs: Fixtures.cpuBoundRuns).text + "\n"))
        XCTAssertTrue(text.hasSuffix(comparison.render()))
        XCTAssertFalse(text.contains("\u{1B}"))
    }
}
