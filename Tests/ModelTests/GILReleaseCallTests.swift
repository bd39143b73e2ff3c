import SimEngine
import SimModel
import SimScenario
import XCTest

/// A `c_releases_gil` step is a run of calls of `costs.gil_release_call`, each taking the GIL back when it
/// returns (hashlib's `update` of one chunk: Py_END_ALLOW_THREADS; docs/model.md, "A GIL-releasing step is a run
/// of calls").
final class GILReleaseCallTests: XCTestCase {
    let ms = Fixtures.ms
    let us = Fixtures.us

    /// One task hashing for `hash` beside `spinners` threads of Python (none: the step alone).
    func scenario(hash: SimTime, call: SimTime?, spinners: Int = 1, seed: UInt64 = 1) -> Scenario {
        var tasks = [TaskGroup(name: "hash", steps: [.cpu(CPUStep(duration: .constant(hash), kind: .cReleasesGIL))])]
        if spinners > 0 {
            tasks.append(TaskGroup(name: "spin", count: spinners, background: true, steps: [.cpu(CPUStep(duration: .constant(ms(50))))]))
        }
        var s = Scenario(name: "calls", seed: seed, machine: Machine(cores: 2), tasks: tasks)
        s.python.switchInterval = ms(5)
        s.costs.gilReleaseCall = call
        return s
    }

    /// With the GIL free between calls, cutting a step into calls costs nothing: the same makespan to the
    /// nanosecond, in every strategy, whatever the call's length.
    func testAStepAloneTakesItsTimeWhateverItsCalls() throws {
        for strategy in Fixtures.all {
            let whole = try Simulator.run(scenario(hash: ms(10), call: .zero, spinners: 0), strategy: strategy).metrics.makespan
            for call in [us(300), ms(1), ms(3), ms(10), ms(20)] {
                let cut = try Simulator.run(scenario(hash: ms(10), call: call, spinners: 0), strategy: strategy).metrics.makespan
                XCTAssertEqual(cut, whole, "\(strategy.label), calls of \(call)")
            }
        }
    }

    /// Beside a thread running Python, each return from a call waits for the GIL: the spinner holds it until its
    /// interval runs out and the hashing thread's drop request makes it let go (take_gil's timed wait, then
    /// SET_GIL_DROP_REQUEST). A 6 ms step in calls of 2 ms returns twice more than in one call, so it ends
    /// about two switch intervals (5 ms each) later; unsaid, the calls are `Defaults.gilReleaseCall` long.
    func testEachReturnWaitsForTheGILBesideAPythonThread() throws {
        for seed: UInt64 in 1...5 {
            func hashDone(_ call: SimTime?) throws -> SimTime {
                try Simulator.run(scenario(hash: ms(6), call: call, seed: seed), strategy: Fixtures.threads).metrics.taskLatencies[0]
            }
            let whole = try hashDone(.zero), cut = try hashDone(ms(2))
            XCTAssertGreaterThan(cut - whole, ms(10) - us(500), "seed \(seed): two more waits of an interval")
            XCTAssertLessThan(cut - whole, ms(10) + us(500), "seed \(seed)")
            // 2.4 ms calls: 2.4 + 2.4 + 1.2, two returns before the last, as with 2 ms.
            XCTAssertEqual(try hashDone(nil), try hashDone(Defaults.gilReleaseCall))
            XCTAssertGreaterThan(try hashDone(nil) - whole, ms(10) - us(500), "seed \(seed)")
        }
    }

    /// Unsaid, a scenario is written as before the key existed; said, it round-trips, and a negative length is
    /// refused with its key's name.
    func testTheKeyIsReadAndWrittenOnlyWhenSaid() throws {
        XCTAssertFalse(ScenarioEncoder.json(scenario(hash: ms(1), call: nil)).contains("gil_release_call"))
        let text = ScenarioEncoder.json(scenario(hash: ms(1), call: us(250)))
        XCTAssertEqual(try ScenarioLoader.parse(text: text, sourceName: "s.json").costs.gilReleaseCall, us(250))
        let zero = ScenarioEncoder.json(scenario(hash: ms(1), call: .zero))
        XCTAssertEqual(try ScenarioLoader.parse(text: zero, sourceName: "s.json").costs.gilReleaseCall, .zero)
        let bad = text.replacingOccurrences(of: "\"gil_release_call\": \"250us\"", with: "\"gil_release_call\": \"-1ms\"")
        XCTAssertNotEqual(bad, text)
        XCTAssertThrowsError(try ScenarioLoader.parse(text: bad, sourceName: "s.json")) { error in
            XCTAssertTrue("\(error)".contains("gil_release_call"), "\(error)")
        }
    }
}
