import Foundation
import XCTest

/// `simulate sweep --real`: refused up front when too large, and a tiny real sweep (two points of sync,
/// a few milliseconds each) that draws its measurements. The real sweep is skipped without the venv.
final class SweepRealTests: CommandTestCase {
    let tiny = #"{"name": "tiny", "tasks": [{"name": "io", "count": 1, "steps": [{"repeat": 3, "steps": [{"io": {"latency": "2ms", "cpu": "100us", "connection": "reuse"}}]}]}], "strategies": ["sync", "threads"]}"#

    func testTooLargeARealSweepIsRefusedBeforeAnythingRuns() throws {
        try tiny.write(to: folder.appendingPathComponent("tiny.json"), atomically: true, encoding: .utf8)
        let r = try simulate(["sweep", "tiny.json", "--vary", "tasks[0].count=1..21", "--real", "--machine", "nowhere/machine.json"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("21 points x 2 strategies = 42 real points, more than 40"), r.err)
        XCTAssertTrue(r.err.contains("--max-real-points 42"), r.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("output").path), "nothing written")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("nowhere").path), "no calibration started")
        let shard = try simulate(["sweep", "tiny.json", "--vary", "tasks[0].count=1,2", "--real", "--shard", "1/2"])
        XCTAssertEqual(shard.status, 1)
        XCTAssertTrue(shard.err.contains("drop --shard"), shard.err)
    }

    func testATinyRealSweepWritesAndDrawsItsMeasurements() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let venv = ProcessInfo.processInfo.environment["SIMULATE_VENV"] ?? root + "/.venv"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: venv + "/bin/python"), "no venv at \(venv): run `simulate real` once to make it")
        try tiny.write(to: folder.appendingPathComponent("tiny.json"), atomically: true, encoding: .utf8)
        try KillTests.profile.write(to: folder.appendingPathComponent("machine.json"), atomically: true, encoding: .utf8)
        let r = try simulate(["sweep", "tiny.json", "--vary", "tasks[0].count=1,2", "--strategies", "sync", "--real", "--runs", "2",
                              "--machine", "machine.json", "-o", "out"])
        XCTAssertEqual(r.status, 0, r.err)
        // A B A B: point 0, point 1, point 0, point 1 (a run measured again after a change of the VM's speed
        // says so on a line of its own, which is not a run of the order).
        let order = r.err.split(separator: "\n").filter { $0.contains("sync run") && !$0.contains("measuring it again") }.map { $0.contains("point 0") ? 0 : 1 }
        XCTAssertEqual(order, [0, 1, 0, 1], r.err)
        let out = folder.appendingPathComponent("out")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("sweep.json"))) as? [String: Any]
        let measured = try XCTUnwrap(json?["measured"] as? [[String: Any]])
        XCTAssertEqual(measured.map { $0["point"] as? Int }, [0, 1])
        for m in measured {
            XCTAssertEqual(m["runs"] as? Int, 2)
            let makespan = try XCTUnwrap(m["makespan_s"] as? [String: Double])
            // Three round trips of at least 2 ms each per task, one task after another.
            XCTAssertGreaterThan(makespan["min"]!, 0.006 * Double((m["point"] as! Int) + 1) * 0.9)
            XCTAssertLessThanOrEqual(makespan["min"]!, makespan["median"]!)
            XCTAssertLessThanOrEqual(makespan["median"]!, makespan["max"]!)
        }
        let csv = try String(contentsOf: out.appendingPathComponent("sweep.csv"), encoding: .utf8)
        XCTAssertTrue(csv.hasPrefix("point,"))
        XCTAssertTrue(csv.split(separator: "\n")[0].hasSuffix("measured_throughput_ops_per_s"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("sweep.png").path))
    }
}
