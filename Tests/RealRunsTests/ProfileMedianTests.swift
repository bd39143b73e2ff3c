import Foundation
import SimEngine
import SimRealRuns
import XCTest

/// `simulate calibrate --median-of`: several calibrations of one machine combined figure by figure.
final class ProfileMedianTests: XCTestCase {
    func profile(_ changes: [String: Any], removing: [String] = []) throws -> MachineProfile {
        var raw = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(CostFitTests.calibrationJSON.utf8)) as? [String: Any])
        for (k, v) in changes { raw[k] = v }
        for k in removing { raw[k] = nil }
        return try MachineProfile.fromCalibration(JSONSerialization.data(withJSONObject: raw), path: "c")
    }

    /// Each figure is the median of the three, whichever profile it comes from: a slow urlopen in one and a
    /// slow process start in another do not move the result; lists combine element by element; a figure only
    /// two profiles measured is the lower of those two (a median is one of the values, as for every spread of
    /// repeated measurements); `7777 ** n` is fitted through the median points.
    func testEachFigureIsItsMedian() throws {
        let a = try profile(["urlopen_cpu_ns": 300_000, "thread_start_ns": 100_000, "cold_request_ratio": 1.4,
                             "wait_costs": [[0, 500_000], [5000, 1_200_000]], "pow": [[1000, 30_000], [10000, 1_200_000], [100000, 50_000_000]]])
        let b = try profile(["urlopen_cpu_ns": 480_000, "thread_start_ns": 130_000, "cold_request_ratio": 2.2,
                             "wait_costs": [[0, 450_000], [5000, 800_000]], "pow": [[1000, 40_000], [10000, 1_000_000], [100000, 70_000_000]]])
        let c = try profile(["urlopen_cpu_ns": 310_000, "thread_start_ns": 400_000,
                             "wait_costs": [[0, 520_000], [5000, 1_000_000]], "pow": [[1000, 35_000], [10000, 1_500_000], [100000, 60_000_000]]],
                            removing: ["cold_request_ratio"])
        let m = try MachineProfile.median(of: [a, b, c], paths: ["a", "b", "c"])
        XCTAssertEqual(m.urlopenCPU, .nanoseconds(310_000))
        XCTAssertEqual(m.threadStart, .nanoseconds(130_000))
        XCTAssertEqual(m.coldRequestRatio, 1.4)
        XCTAssertEqual(m.waitCosts, [[0, 500_000], [5000, 1_000_000]])
        XCTAssertEqual(m.bigPower.points.map(\.nanoseconds), [35_000, 1_200_000, 60_000_000])
        XCTAssertEqual(m.bigPower, PowerLawCost.fit(m.bigPower.points))
        // The same profiles in another order give the same bytes.
        XCTAssertEqual(try MachineProfile.median(of: [c, a, b], paths: ["c", "a", "b"]).encoded(), try m.encoded())
        // A profile combined with itself is itself.
        XCTAssertEqual(try MachineProfile.median(of: [a, a], paths: ["a", "a"]), a)
    }

    /// A calibration of another Python or another machine is refused, naming its file.
    func testAnotherMachineIsRefused() throws {
        let a = try profile([:]), b = try profile(["python": "3.12.1"]), c = try profile(["cores": 8])
        for (other, what) in [(b, "Python 3.12.1"), (c, "8 cores")] {
            XCTAssertThrowsError(try MachineProfile.median(of: [a, other], paths: ["a.json", "other.json"])) {
                XCTAssertTrue("\($0)".contains("other.json") && "\($0)".contains(what), "\($0)")
            }
        }
    }
}
