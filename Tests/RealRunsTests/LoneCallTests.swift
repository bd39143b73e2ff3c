import Foundation
import SimEngine
import SimModel
import SimRealRuns
import SimScenario
import XCTest

/// A call alone lasts in the model what calibrate.py timed it lasting whole (docs/model.md, "A call alone
/// lasts what it was measured to last").
final class LoneCallTests: XCTestCase {
    /// The fixture with urlopen's system calls timed one by one and `wait_costs` (us of delay -> ns beyond it).
    func profile(waits: [[Double]]?, reuse: Double? = nil) throws -> MachineProfile {
        var raw = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(CostFitTests.calibrationJSON.utf8)) as? [String: Any])
        raw["syscall_ns"] = 13_000
        raw["connect_call_ns"] = 50_000
        raw["io_overhead_ns"] = 220_000
        raw["server_answer_new_ns"] = 210_000
        if let waits { raw["wait_costs"] = waits }
        if let reuse { raw["io_overhead_reuse_ns"] = reuse }
        return try MachineProfile.fromCalibration(JSONSerialization.data(withJSONObject: raw), path: "c")
    }

    /// What one more urlopen at `delay` adds to a program of calls one after another, beyond the delay, as the
    /// model predicts it with `profile` (the difference of 30 and 60 calls, so the first call's import cancels).
    func modelledCall(_ profile: MachineProfile, delay: SimTime) throws -> SimTime {
        func makespan(_ calls: Int) throws -> SimTime {
            let s = profile.apply(to: Scenario(name: "calls", tasks: [TaskGroup(name: "client", steps: [
                .repeat(count: calls, steps: [.io(IOStep(latency: .constant(delay)))]),
            ])], strategies: [Strategy(kind: .sync)]))
            return try Simulator.run(s, strategy: s.strategies[0], options: SimulationOptions(trace: false)).metrics.makespan
        }
        return (try makespan(60) - makespan(30)) / 30 - delay
    }

    /// Whether the pieces sum to more than the whole (here) or to less, the model's call at 200 us lasts the
    /// measured call's excess there, to a microsecond; at a longer delay, that plus the idle rise.
    func testTheModelsCallAloneLastsWhatItWasMeasuredToLast() throws {
        for base: Double in [300_000, 700_000] {
            let p = try profile(waits: [[0, base], [50, base], [200, base], [1_000, base + 100_000], [5_000, base + 400_000]])
            let overhead = try XCTUnwrap(p.loneCallIOOverhead)
            XCTAssertEqual(overhead < .microseconds(220), base == 300_000, "the wait shrinks only where the pieces sum to more")
            XCTAssertEqual(try modelledCall(p, delay: .microseconds(200)).nanoseconds, Int64(base), accuracy: 1_000, "\(base)")
            XCTAssertEqual(try modelledCall(p, delay: .milliseconds(5)).nanoseconds, Int64(base) + 400_000, accuracy: 1_000, "\(base)")
            XCTAssertTrue(Calibrator.summary(p).contains("a call alone"), "simulate calibrate shows it")
        }
    }

    /// The excesses are made non-decreasing before they are matched: a dip at 200 us is pooled with the
    /// delays before it (here 500, 480 and 460 us: 480 us).
    func testTheMatchedExcessIsTheMonotoneOne() throws {
        let p = try profile(waits: [[0, 500_000], [50, 480_000], [200, 460_000], [1_000, 600_000], [5_000, 900_000]])
        XCTAssertEqual(try modelledCall(p, delay: .microseconds(200)).nanoseconds, 480_000, accuracy: 1_000)
    }

    /// Without `wait_costs` the wait is the raw socket's, as measured; a kept-alive call not measured apart keeps
    /// that raw wait when the new connection's is matched, and one measured apart keeps its own.
    func testWithoutTheWholeCallTheWaitIsAsMeasured() throws {
        let plain = try profile(waits: nil)
        XCTAssertNil(plain.loneCallIOOverhead)
        XCTAssertEqual(plain.apply(to: ExampleScenarios.ioHeavy()).costs.ioOverhead, .microseconds(220))
        let waits: [[Double]] = [[0, 300_000], [200, 300_000], [1_000, 400_000], [5_000, 700_000]]
        let matched = try profile(waits: waits).apply(to: ExampleScenarios.ioHeavy()).costs
        XCTAssertLessThan(matched.ioOverhead, .microseconds(220))
        XCTAssertEqual(matched.ioOverhead(reusing: true), .microseconds(220))
        XCTAssertEqual(try profile(waits: waits, reuse: 90_000).apply(to: ExampleScenarios.ioHeavy()).costs.ioOverhead(reusing: true),
                       .microseconds(90))
    }
}
