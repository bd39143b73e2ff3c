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

    /// Checks one machine's recorded measurements (`folder`: measurements.json and known_misses.json) of the
    /// matrix in `matrix` (the validation matrix unless given), predicted with `profile` if given (as `simulate
    /// validate --profile`), else with the profile recorded with them.
    @discardableResult
    func assertEveryPredictionStaysInItsBand(folder: String, matrix matrixFolder: String = FidelityTests.folder, profile: String? = nil,
                                             minimumCases: Int? = nil,
                                             file: StaticString = #filePath, line: UInt = #line) throws -> FidelityReport {
        let matrix = try ValidationMatrix.load(folder: matrixFolder)
        var recorded = try MatrixMeasurements.load(from: folder + "/measurements.json")
        if let profile { recorded.predictEveryRun(with: try MachineProfile.load(from: profile)) }
        let misses = try KnownMisses.load(from: folder + "/known_misses.json")
        let report = try FidelityReport.evaluate(matrix: matrix, measurements: recorded, tolerancePercent: 10, knownMisses: misses)
        // The issue's matrix has at least 40 cases; the workloads never tuned on (validation/unseen-all) 16.
        XCTAssertGreaterThanOrEqual(matrix.cases.count, minimumCases ?? (matrixFolder == Self.folder ? 40 : 16),
                                    file: file, line: line)
        XCTAssertTrue(report.unmeasured.isEmpty, "cases not measured: \(report.unmeasured)", file: file, line: line)
        XCTAssertTrue(report.newMisses.isEmpty, report.summary(), file: file, line: line)
        XCTAssertTrue(report.fixedMisses.isEmpty, report.summary(), file: file, line: line)
        return report
    }

    /// Every measured prediction stays within the measured min..max widened by 10%, except the listed known
    /// misses, each of which still misses (so the list says exactly where the model is off).
    func testEveryRecordedPredictionStaysInItsBand() throws {
        try assertEveryPredictionStaysInItsBand(folder: Self.folder)
    }

    /// The same check on a second machine of this class (validation/second-host/: its sessions pooled, predicted
    /// with the median of that machine's four calibrations): the model is judged on a machine it was not built
    /// on, and its misses there are a list of their own.
    func testEveryPredictionOnTheSecondHostStaysInItsBand() throws {
        let host = Self.folder + "/second-host"
        try assertEveryPredictionStaysInItsBand(folder: host, profile: host + "/cal-median.json")
    }

    /// The same check on a fifth host, measured with the harness as it runs now (`urlopen(url)`, no timeout:
    /// validation/fifth-host/, its README), predicted with the calibration recorded with its sessions; its
    /// misses are a list of their own.
    func testEveryPredictionOnTheFifthHostStaysInItsBand() throws {
        try assertEveryPredictionStaysInItsBand(folder: Self.folder + "/fifth-host")
    }

    /// The same host's six later sessions, each measured just after a calibration of its own
    /// (validation/fifth-host/own-calibration/): each run predicted with its own session's profile.
    func testEveryPredictionOnTheFifthHostWithEachSessionsOwnCalibrationStaysInItsBand() throws {
        let folder = Self.folder + "/fifth-host/own-calibration"
        XCTAssertEqual(try MatrixMeasurements.load(from: folder + "/measurements.json").sessionProfiles?.count, 6)
        try assertEveryPredictionStaysInItsBand(folder: folder)
    }

    /// The same host's sessions that record each run's CPU-step pace (validation/fifth-host/paced/: sessions 21-23,
    /// each measured just after a calibration of its own): each run predicted with its own session's profile.
    func testEveryPredictionOnTheFifthHostsPacedPoolStaysInItsBand() throws {
        try assertEveryPredictionStaysInItsBand(folder: Self.folder + "/fifth-host/paced")
    }

    /// Three later sessions there whose calibrations measured the kept-alive wait (validation/fifth-host/kept-alive/:
    /// sessions 24-26, each just after a calibration of its own), so their asyncio runs are predicted with it.
    func testEveryPredictionOnTheFifthHostsKeptAlivePoolStaysInItsBand() throws {
        try assertEveryPredictionStaysInItsBand(folder: Self.folder + "/fifth-host/kept-alive")
    }

    /// Three sessions measured after the harness sized its CPU steps where they run (validation/fifth-host/
    /// sized-where-run/: sessions 27-29, each just after a calibration of its own; docs/model.md, "Where a step
    /// is sized").
    func testEveryPredictionOnTheFifthHostsSizedWhereRunPoolStaysInItsBand() throws {
        try assertEveryPredictionStaysInItsBand(folder: Self.folder + "/fifth-host/sized-where-run")
    }

    /// Three sessions measured after the processes' steps too were sized where they run, by a trial in a fork of
    /// the harness (validation/fifth-host/processes-sized/: sessions 30-32, each just after a calibration of its
    /// own; docs/model.md, "The processes sized where they run").
    func testEveryPredictionOnTheFifthHostsProcessesSizedPoolStaysInItsBand() throws {
        _ = try assertThreeSessionPoolStaysInItsBands("processes-sized")
    }

    /// Three sessions measured with each calibration's first-Pool extra (validation/fifth-host/pool-first-start/:
    /// sessions 33-35; docs/model.md, "A program's first Pool"): every prediction stays in its band, and each
    /// `processes-pool2` point is within 5% of its median (−5.8% for `cpu-pow-1` with pools charged the first
    /// Process start's extra, as before).
    func testEveryPredictionOnTheFifthHostsFirstPoolPoolStaysInItsBand() throws {
        let folder = Self.folder + "/fifth-host/pool-first-start"
        let recorded = try MatrixMeasurements.load(from: folder + "/measurements.json")
        XCTAssertEqual(recorded.sessionProfiles?.count, 3)
        XCTAssertTrue(recorded.sessionProfiles?.allSatisfy { $0.poolFirstStart != nil } == true)
        let report = try assertEveryPredictionStaysInItsBand(folder: folder)
        let pools = report.points.filter { $0.strategy == "processes-pool2" }
        XCTAssertEqual(pools.count, 6)
        for p in pools { XCTAssertLessThan(abs(p.errorPercent), 5, p.caseName) }
    }

    /// Three sessions measured after the model's call alone was matched to the call timed whole
    /// (validation/fifth-host/lone-call/: sessions 36-38, each just after a calibration of its own; docs/model.md,
    /// "A call alone lasts what it was measured to last"): every prediction stays in its band, the held-out half's
    /// 90th percentile is within the issue's 10% (8.0%; 10.8% with the pieces as timed apart), and
    /// `io-latency-50us` in threads, one thread's calls alone, within 10% (+5.0%; +19.1% before).
    func testEveryPredictionOnTheFifthHostsLoneCallPoolStaysInItsBand() throws {
        try assertPool("lone-call", meetsTheIssuesP90In: "held-out", point: ("io-latency-50us", "threads"), within: 10)
    }

    /// The pool of three sessions measured after a kept-alive session's close moved to its task's end, each
    /// after a calibration that timed the close (`validation/fifth-host/session-close/`): every point in its
    /// band, the fit half's 90th percentile within 10%, and 50 asyncio tasks opening their sessions at once
    /// within 3% (+4.7% with the close paid before the first send; docs/model.md, "An aiohttp session is closed
    /// at its task's end").
    func testEveryPredictionOnTheFifthHostsSessionClosePoolStaysInItsBand() throws {
        try assertPool("session-close", meetsTheIssuesP90In: "fit", point: ("io-concurrent-50", "asyncio"), within: 3)
    }

    /// The sixteen workloads written after the matrix and never tuned on (`validation/unseen`, `unseen-2`,
    /// `unseen-3`, all held out), measured together as a matrix of their own in three sessions on the fifth host,
    /// each after a calibration of its own (`validation/unseen-all/`): every prediction stays in its band except
    /// the listed misses, so a change that fits the matrix at the cost of workloads nobody tuned on shows here;
    /// and the median error stays within the issue's 5%.
    func testEveryPredictionOfTheWorkloadsNeverTunedOnStaysInItsBand() throws {
        let folder = Self.folder + "/unseen-all"
        XCTAssertEqual(try MatrixMeasurements.load(from: folder + "/measurements.json").sessionProfiles?.count, 3)
        let report = try assertEveryPredictionStaysInItsBand(folder: folder, matrix: folder)
        let all = try XCTUnwrap(report.summaries.first { $0.label == "all" })
        XCTAssertGreaterThanOrEqual(all.count, 90)
        XCTAssertLessThanOrEqual(all.medianAbsErrorPercent, 5, report.summary())
    }

    /// The thirteen workloads written after `unseen-all` was measured (`validation/unseen-4`, `unseen-5`, `unseen-6`,
    /// all held out; `validation/unseen-later/`, its README), measured as a matrix in three sessions on the sixth
    /// host, each after a calibration of its own, with the harness's notes of waiting for a core taken without
    /// releasing the GIL: every prediction in its band but the listed misses, and the median error within the
    /// issue's 5% (4.4%; the sessions 4.5-4.7% apart). `unseen-6` was predicted by no one before its first
    /// measurement.
    func testEveryPredictionOfTheLaterWorkloadsNeverTunedOnStaysInItsBand() throws {
        let folder = Self.folder + "/unseen-later"
        XCTAssertEqual(try MatrixMeasurements.load(from: folder + "/measurements.json").sessionProfiles?.count, 3)
        let report = try assertEveryPredictionStaysInItsBand(folder: folder, matrix: folder, minimumCases: 13)
        let all = try XCTUnwrap(report.summaries.first { $0.label == "all" })
        XCTAssertGreaterThanOrEqual(all.count, 70)
        XCTAssertLessThanOrEqual(all.medianAbsErrorPercent, 5, report.summary())
    }

    /// The same workloads' first three sessions (`validation/unseen-later/with-releasing-notes/`), measured while the
    /// harness's notes released the GIL four times after each executor job and each blocking task (docs/model.md,
    /// "The harness's notes of waiting for a core, taken without releasing the GIL"): the model is held to them as
    /// recorded, misses and all (median 6.2%, the sessions 4.8-5.9% apart).
    func testEveryPredictionOfTheLaterWorkloadsAsFirstMeasuredStaysInItsBand() throws {
        let folder = Self.folder + "/unseen-later"
        let report = try assertEveryPredictionStaysInItsBand(folder: folder + "/with-releasing-notes", matrix: folder, minimumCases: 13)
        let all = try XCTUnwrap(report.summaries.first { $0.label == "all" })
        XCTAssertGreaterThanOrEqual(all.count, 70)
        XCTAssertLessThanOrEqual(all.medianAbsErrorPercent, 6.5, report.summary())
    }

    /// A sixth host, a VM the model was never built or tuned on, measured with the model as it stood before
    /// anything was changed for it (`validation/sixth-host/`, its README: three sessions of the matrix, each just after a calibration of its
    /// own, and two of the workloads never tuned on): every prediction in its band but the listed misses, and
    /// the median error of both within the issue's 5%.
    func testEveryPredictionOnTheSixthHostStaysInItsBand() throws {
        let host = Self.folder + "/sixth-host"
        XCTAssertEqual(try MatrixMeasurements.load(from: host + "/measurements.json").sessionProfiles?.count, 3)
        let matrix = try assertEveryPredictionStaysInItsBand(folder: host)
        let unseen = try assertEveryPredictionStaysInItsBand(folder: host + "/unseen", matrix: Self.folder + "/unseen-all")
        for report in [matrix, unseen] {
            let all = try XCTUnwrap(report.summaries.first { $0.label == "all" })
            XCTAssertLessThanOrEqual(all.medianAbsErrorPercent, 5, report.summary())
        }
    }

    /// A seventh host, a VM new to the project, measured with the model as it stood (a161034) before anything was
    /// changed for it (`validation/seventh-host/`, its README: three sessions of the matrix and two of the later
    /// workloads never tuned on, each just after a calibration of its own): every prediction in its band but the
    /// listed misses; the matrix within the issue's 5% at the median (2.8%) and its fit half within 10% at the 90th
    /// percentile (9.0%), the later workloads within 6% at the median (5.4%, the sessions 5.4% apart).
    func testEveryPredictionOnTheSeventhHostStaysInItsBand() throws {
        let host = Self.folder + "/seventh-host"
        XCTAssertEqual(try MatrixMeasurements.load(from: host + "/measurements.json").sessionProfiles?.count, 3)
        let matrix = try assertEveryPredictionStaysInItsBand(folder: host)
        // Every point was measured in the three sessions, each error against that session's own prediction.
        XCTAssertTrue(matrix.points.allSatisfy { $0.sessionErrorPercents.count == 3 }, matrix.table())
        let all = try XCTUnwrap(matrix.summaries.first { $0.label == "all" })
        XCTAssertLessThanOrEqual(all.medianAbsErrorPercent, 5, matrix.summary())
        let fit = try XCTUnwrap(matrix.summaries.first { $0.label == "fit" })
        XCTAssertLessThanOrEqual(fit.p90AbsErrorPercent, 10, matrix.summary())
        let later = try assertEveryPredictionStaysInItsBand(folder: host + "/unseen-later", matrix: Self.folder + "/unseen-later",
                                                            minimumCases: 13)
        let laterAll = try XCTUnwrap(later.summaries.first { $0.label == "all" })
        XCTAssertGreaterThanOrEqual(laterAll.count, 70)
        XCTAssertLessThanOrEqual(laterAll.medianAbsErrorPercent, 6, later.summary())
    }

    /// The fifth host's pool in `folder` (three sessions, each predicted with its own calibration): every
    /// prediction in its band; its report.
    func assertThreeSessionPoolStaysInItsBands(_ folder: String) throws -> FidelityReport {
        let path = Self.folder + "/fifth-host/" + folder
        XCTAssertEqual(try MatrixMeasurements.load(from: path + "/measurements.json").sessionProfiles?.count, 3, folder)
        return try assertEveryPredictionStaysInItsBand(folder: path)
    }

    /// `assertThreeSessionPoolStaysInItsBands`, and `half`'s 90th percentile within the issue's 10%, and the
    /// prediction of `point` within `within` percent of its measured median.
    func assertPool(_ folder: String, meetsTheIssuesP90In half: String, point: (caseName: String, strategy: String),
                    within: Double) throws {
        let report = try assertThreeSessionPoolStaysInItsBands(folder)
        let summary = try XCTUnwrap(report.summaries.first { $0.label == half })
        XCTAssertLessThanOrEqual(summary.p90AbsErrorPercent, 10, report.summary())
        let p = try XCTUnwrap(report.points.first { $0.caseName == point.caseName && $0.strategy == point.strategy })
        XCTAssertLessThan(abs(p.errorPercent), within, "\(point)")
    }

    /// The harness cases' halves are balanced (the plain programs are all held out), and every case is
    /// recorded with its half as in the matrix.
    func testHalvesAreBalancedAndRecorded() throws {
        let matrix = try ValidationMatrix.load(folder: Self.folder)
        let harness = matrix.cases.filter { $0.program == nil }
        let fit = harness.filter { $0.half == .fit }.count
        XCTAssertLessThanOrEqual(abs(2 * fit - harness.count), 1)
        XCTAssertTrue(matrix.cases.filter { $0.program != nil }.allSatisfy { $0.half == .heldOut })
        let recorded = try MatrixMeasurements.load(from: Self.folder + "/measurements.json")
        for c in matrix.cases { XCTAssertEqual(recorded.cases[c.name]?.half, c.half, c.name) }
    }

    func point(_ error: Double, half: MatrixHalf = .fit, min: Int64 = 90, max: Int64 = 110, predicted: Int64 = 100) -> FidelityPoint {
        FidelityPoint(caseName: "c\(error)", half: half, strategy: "threads", kind: "threads", predicted: .milliseconds(predicted),
                      measured: MeasuredSpread(median: .milliseconds(100), min: .milliseconds(min), max: .milliseconds(max)),
                      errorPercent: error, band: SimTime.milliseconds(min).scaled(by: 0.9)...SimTime.milliseconds(max).scaled(by: 1.1))
    }

    /// Nearest-rank median and 90th percentile of |error|, and the worst point.
    func testSummaryFigures() {
        let points = (1...10).map { point(Double($0) * ($0 % 2 == 0 ? 1 : -1)) }
        let s = FidelitySummary(half: .fit, points: points)
        XCTAssertEqual(s.medianAbsErrorPercent, 5)
        XCTAssertEqual(s.p90AbsErrorPercent, 9)
        XCTAssertEqual(s.worst?.errorPercent, 10)
    }

    /// A matrix whose cases are all held out (workloads nothing was fitted on) reports that half and all, not
    /// an empty fit half.
    func testAHalfWithoutPointsHasNoSummary() {
        let report = FidelityReport(points: [point(4, half: .heldOut), point(-8, half: .heldOut)], tolerancePercent: 10, unmeasured: [])
        XCTAssertEqual(report.summaries.map(\.label), ["held-out", "all"])
        XCTAssertEqual(report.summaries.map(\.half), [.heldOut, nil])
        XCTAssertEqual(report.summaries.map(\.p90AbsErrorPercent), [8, 8])
        XCTAssertFalse(report.summary().contains("fit "))
    }

    /// A point is a persistent miss when each of two or more sessions, against its own prediction, misses it the
    /// same way by 10% or more: sessions that disagree in sign, a miss under 10% in one session, or a single
    /// session do not make one; the table shows each session's error and the summary names the persistent ones.
    func testAPersistentMissIsMissedTheSameWayInEverySession() {
        func sessions(_ errors: [Double], _ name: String) -> FidelityPoint {
            var p = point(errors.first ?? 0)
            p.caseName = name
            p.sessionErrorPercents = errors
            return p
        }
        let report = FidelityReport(points: [sessions([17, 22, 32], "slow"), sessions([-29, -49, -10], "fast"),
                                             sessions([25, -40, 14], "noisy"), sessions([12, 9.9], "under"),
                                             sessions([30], "one")], tolerancePercent: 10, unmeasured: [])
        XCTAssertEqual(report.persistentMisses.map(\.caseName), ["slow", "fast"])
        XCTAssertTrue(report.summary().contains("2 points missed the same way by 10% or more in each of their sessions"), report.summary())
        XCTAssertTrue(report.summary().contains("slow/threads (+17/+22/+32), fast/threads (-29/-49/-10)"), report.summary())
        XCTAssertTrue(report.table().contains("by session") && report.table().contains("+25/-40/+14"), report.table())
        // Measurements with one profile have no session column and no such line.
        let plain = FidelityReport(points: [point(30)], tolerancePercent: 10, unmeasured: [])
        XCTAssertFalse(plain.table().contains("by session") || plain.summary().contains("same way"))
    }

    /// The band is the measured min..max widened by the tolerance; a known miss inside it must be removed.
    func testBandAndKnownMisses() {
        XCTAssertTrue(point(0, predicted: 81).inBand)
        XCTAssertFalse(point(0, predicted: 80).inBand)
        XCTAssertTrue(point(0, predicted: 121).inBand)
        XCTAssertFalse(point(0, predicted: 122).inBand)
        let outside = point(-30, predicted: 70), inside = point(1, predicted: 101)
        var report = FidelityReport(points: [outside, inside], tolerancePercent: 10, unmeasured: [])
        XCTAssertEqual(report.newMisses.map(\.key), [outside.key])
        report.knownMisses = report.currentMisses
        XCTAssertTrue(report.passed)
        report.knownMisses.misses[inside.key] = 1
        XCTAssertEqual(report.fixedMisses.map(\.key), [inside.key])
        XCTAssertFalse(report.passed)
    }
}

/// The pictures: PNG files of the requested size, the same bytes for the same report.
final class FidelityChartTests: XCTestCase {
    func testPicturesArePNGsOfTheirSizeAndDeterministic() throws {
        let matrix = try ValidationMatrix.load(folder: FidelityTests.folder)
        let recorded = try MatrixMeasurements.load(from: FidelityTests.folder + "/measurements.json")
        // One seed: the pictures' bytes, not the predictions, are under test.
        let report = try FidelityReport.evaluate(matrix: matrix, measurements: recorded, tolerancePercent: 10, seeds: 1)
        for png in [try FidelityChart.png(report, title: "t", width: 640, height: 480), try FidelityChart.convoyPNG(report, width: 640, height: 480)] {
            XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            // IHDR: width and height, big-endian, at bytes 16-23.
            let bytes = [UInt8](png)
            func bigEndian(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
            XCTAssertEqual(bigEndian(16), 640)
            XCTAssertEqual(bigEndian(20), 480)
        }
        XCTAssertEqual(try FidelityChart.png(report, title: "t"), try FidelityChart.png(report, title: "t"))
    }

    /// The picture's legend names the halves the matrix has: both for the validation matrix, only the held-out
    /// rings for the workloads never tuned on.
    func testTheLegendNamesOnlyTheHalvesThere() throws {
        func labels(_ folder: String) throws -> [String] {
            let matrix = try ValidationMatrix.load(folder: folder)
            let recorded = try MatrixMeasurements.load(from: folder + "/measurements.json")
            let report = try FidelityReport.evaluate(matrix: matrix, measurements: recorded, tolerancePercent: 10, seeds: 1)
            return FidelityChart.halfLegend(report).map(\.label)
        }
        XCTAssertEqual(try labels(FidelityTests.folder), ["fit (filled)", "held-out (ring)"])
        XCTAssertEqual(try labels(FidelityTests.folder + "/unseen-all"), ["held-out (ring)"])
    }
}

/// The convoy curve: the matrix's convoy cases by CPU threads and switch interval, as the picture draws them
/// and `simulate validate` prints them.
final class ConvoyCurveTests: XCTestCase {
    func testCaseNamesGiveIntervalAndThreads() {
        XCTAssertEqual(ConvoyCurve.convoyCase("convoy-0.1ms-cpu4")?.interval, .microseconds(100))
        XCTAssertEqual(ConvoyCurve.convoyCase("convoy-0.1ms-cpu4")?.cpuThreads, 4)
        XCTAssertEqual(ConvoyCurve.convoyCase("convoy-50ms-cpu1")?.interval, .milliseconds(50))
        for other in ["convoy-asyncio-1ms", "cpu-py-1", "convoy-0ms-cpu1", "convoy-1ms-cpux"] { XCTAssertNil(ConvoyCurve.convoyCase(other), other) }
    }

    /// On the recorded matrix: lines for 0, 1, 2 and 4 CPU threads; the one-thread line has the five intervals
    /// of the issue's target in order, each its case's point; the summary prints each error and the worst.
    func testTheRecordedMatrixGivesOneLinePerThreadCount() throws {
        let matrix = try ValidationMatrix.load(folder: FidelityTests.folder)
        let recorded = try MatrixMeasurements.load(from: FidelityTests.folder + "/measurements.json")
        let report = try FidelityReport.evaluate(matrix: matrix, measurements: recorded, tolerancePercent: 10, seeds: 1)
        let curve = ConvoyCurve(report)
        XCTAssertEqual(curve.lines.map(\.cpuThreads), [0, 1, 2, 4])
        let one = try XCTUnwrap(curve.lines.first { $0.cpuThreads == 1 })
        XCTAssertEqual(one.points.map(\.interval), [.microseconds(100), .milliseconds(1), .milliseconds(5), .milliseconds(20), .milliseconds(50)])
        for p in one.points { XCTAssertEqual(ConvoyCurve.convoyCase(p.point.caseName)?.interval, p.interval) }
        let worst = one.points.map { abs($0.point.errorPercent) }.max()!
        XCTAssertEqual(one.worstAbsErrorPercent, worst)
        let printed = curve.summary()
        XCTAssertTrue(printed.contains("1 CPU thread:  " + String(format: "%+.1f%% at 100us", one.points[0].point.errorPercent)), printed)
        XCTAssertTrue(printed.contains(String(format: "(worst %.1f%%)", worst)), printed)
    }
}
