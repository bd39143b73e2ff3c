import Foundation
import SimEngine
import SimRealRuns
import SimScenario
import XCTest

/// What a profile puts into `costs.gil_release_call` and what the harness hashes for it (docs/model.md, "A
/// GIL-releasing step is a run of calls").
final class GILReleaseCallProfileTests: XCTestCase {
    let profile = try! MachineProfile.fromCalibration(Data(CostFitTests.calibrationJSON.utf8), path: "c")

    func hashing(_ call: SimTime?) -> Scenario {
        var s = Scenario(name: "h", machine: Machine(cores: 2), tasks: [
            TaskGroup(name: "h", steps: [.cpu(CPUStep(duration: .constant(.milliseconds(10)), kind: .cReleasesGIL))]),
        ])
        s.costs.gilReleaseCall = call
        return s
    }

    /// The calibration's sha256 runs 0.5 ns a byte, its chunk is 4 MiB: a call of 2,097,152 ns, given to a scenario
    /// that does not say its own; one that does keeps it. NumPy's call is its chunk of elements; numba's kernel
    /// releases the GIL for the whole step (0).
    func testTheProfileGivesItsHashlibChunkUnlessTheScenarioSaysItsCalls() throws {
        let threads = Strategy(kind: .threads(pool: nil))
        XCTAssertEqual(profile.gilReleaseCall(.hashlib), .nanoseconds(2_097_152))
        XCTAssertEqual(RealRunner.scenarioForComparison(hashing(nil), strategy: threads, profile: profile).costs.gilReleaseCall,
                       .nanoseconds(2_097_152))
        XCTAssertEqual(profile.apply(to: hashing(nil)).costs.gilReleaseCall, .nanoseconds(2_097_152))
        XCTAssertEqual(profile.apply(to: hashing(.microseconds(300))).costs.gilReleaseCall, .microseconds(300))
        XCTAssertEqual(RealRunner.scenarioForComparison(hashing(nil), strategy: threads, profile: profile, releaseSource: .numba)
                        .costs.gilReleaseCall, .zero)
        XCTAssertNil(profile.gilReleaseCall(.numpy), "not measured by this calibration")
    }

    /// The harness hashes the profile's chunk for the profile's own call (or none said), as many bytes as a said
    /// call takes, and a whole step at once (up to its largest chunk) for 0.
    func testTheHarnessHashesChunksOfTheCallsLength() throws {
        func chunk(_ call: SimTime?) throws -> Int {
            let asRun = RealRunner.scenarioForComparison(hashing(call), strategy: Strategy(kind: .threads(pool: nil)), profile: profile)
            return try HarnessPlan(scenario: asRun, strategy: Strategy(kind: .threads(pool: nil)), profile: profile, serverURL: "x").shaChunk
        }
        XCTAssertEqual(try chunk(nil), 4_194_304)
        XCTAssertEqual(try chunk(.microseconds(500)), 1_000_000)
        XCTAssertEqual(try chunk(.nanoseconds(10)), 2048, "never below hashlib's GIL-release size")
        XCTAssertEqual(try chunk(.zero), 1 << 26)
        XCTAssertEqual(try chunk(.milliseconds(1000)), 1 << 26, "at most the harness's largest buffer")
    }
}

/// What a profile's `timer_wake_ns` puts into a scenario's `timer_wake_cpu` (docs/model.md, "A sleep's wake-up").
final class TimerWakeProfileTests: XCTestCase {
    func testTheProfilesWakeUpsReplaceTheDefaultsItMeasured() throws {
        var raw = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(CostFitTests.calibrationJSON.utf8)) as? [String: Any])
        let older = try MachineProfile.fromCalibration(JSONSerialization.data(withJSONObject: raw), path: "c")
        XCTAssertNil(older.timerWake)
        XCTAssertEqual(older.apply(to: Scenario(name: "s", tasks: [])).costs.timerWakeCPU, Defaults.timerWakeCPU)
        raw["timer_wake_ns"] = ["threads": 21_000, "trio": 70_000, "tokio": 5]
        let profile = try MachineProfile.fromCalibration(JSONSerialization.data(withJSONObject: raw), path: "c")
        let costs = profile.apply(to: Scenario(name: "s", tasks: [])).costs.timerWakeCPU
        XCTAssertEqual(costs[.threads], .microseconds(21))
        XCTAssertEqual(costs[.trio], .microseconds(70))
        XCTAssertEqual(costs[.asyncio], Defaults.timerWakeCPU[.asyncio], "not measured: the default")
        XCTAssertEqual(costs.count, TimerWaker.allCases.count, "an unknown waker is left out")
    }
}
