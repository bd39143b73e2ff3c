import SimEngine
import SimModel
import SimScenario
import SimTrace
import XCTest

/// What `python.version` changes: defaults read from the version, and the GIL's behaviour where CPython's
/// versions differ.
final class PythonVersionTests: XCTestCase {
    func load(_ python: String, strategies: String = #"["processes", {"kind": "processes", "label": "spawn", "start_method": "spawn"}]"#) throws -> Scenario {
        try ScenarioLoader.parse(text: #"{"python": \#(python), "tasks": [{"name": "a", "steps": [{"cpu": "1ms"}]}], "strategies": \#(strategies)}"#)
    }

    func testTheVersionSetsItsDefaultsAndExplicitKeysWin() throws {
        let t13 = try load(#"{"version": "3.13t"}"#)
        XCTAssertFalse(t13.python.gil)
        XCTAssertEqual(t13.python.freeThreadingOverhead, 0.40)
        let t14 = try load(#"{"version": "3.14t"}"#)
        XCTAssertEqual(t14.python.freeThreadingOverhead, 0.08)
        // A free-threaded build with a C extension that re-enables the GIL.
        let reenabled = try load(#"{"version": "3.13t", "gil": true}"#)
        XCTAssertTrue(reenabled.python.gil)
        XCTAssertTrue(try load(#"{"version": 3.12}"#).python.gil, "a number reads as the version")
        // forkserver is the default start method from 3.14; a start method given stays.
        XCTAssertEqual(try load(#"{"version": "3.14"}"#).strategies.map(\.kind),
                       [.processes(pool: nil, startMethod: .forkserver), .processes(pool: nil, startMethod: .spawn)])
        XCTAssertEqual(try load(#"{"version": "3.13"}"#).strategies.first?.kind, .processes(pool: nil, startMethod: .fork))
        // A strategy's own python decides for it.
        let mixed = try load(#"{"version": "3.11"}"#, strategies: #"["processes", {"kind": "processes", "label": "p314", "python": {"version": "3.14"}}]"#)
        XCTAssertEqual(mixed.strategies.map(\.kind), [.processes(pool: nil, startMethod: .fork), .processes(pool: nil, startMethod: .forkserver)])
    }

    func testAnUnknownVersionListsTheKnownOnes() {
        XCTAssertThrowsError(try load(#"{"version": "3.9"}"#)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("python.version"), text)
            XCTAssertTrue(text.contains("3.11, 3.12, 3.13, 3.13t, 3.14, 3.14t"), text)
        }
    }

    /// Free-threaded Python runs three 12 ms pure-Python threads on 2 cores in parallel, each slowed by its
    /// version's single-thread overhead: two at once, then the third.
    func testFreeThreadedOverheadPerVersion() throws {
        for (version, overhead) in [("3.13t", 0.40), ("3.14t", 0.08)] {
            let s = try ScenarioLoader.parse(text: #"{"machine": {"wake_jitter": 0}, "python": {"version": "\#(version)"}, "tasks": [{"name": "spin", "count": 3, "steps": [{"cpu": "12ms"}]}], "strategies": ["threads"]}"#)
            let run = try Simulator.run(s, strategy: s.strategies[0])
            let burst = 12e-3 * (1 + overhead)
            XCTAssertEqual(run.metrics.makespan.seconds, 2 * burst, accuracy: 0.5e-3, version)
        }
    }
}
