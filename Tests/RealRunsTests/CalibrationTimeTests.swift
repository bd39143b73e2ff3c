import Foundation
import SimRealRuns
import XCTest

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
