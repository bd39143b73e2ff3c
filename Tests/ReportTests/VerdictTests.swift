import SimEngine
import SimReport
import SimScenario
import SimTrace
import XCTest

final class VerdictTests: XCTestCase {
    func testCPUBoundNamesProcessesAsWinnerAndTheGILForThreads() {
        let verdict = Verdict(scenario: Fixtures.cpuBoundScenario(), runs: Fixtures.cpuBoundRuns)
        XCTAssertEqual(verdict.profile.bound, .cpu)
        XCTAssertEqual(
            verdict.text,
            "CPU-bound (pure Python): processes 1.9x faster than sync; gevent and asyncio about as fast as sync; "
                + "threads 1.1x slower (the GIL serialises them).")
    }

    func testIOBoundListsEveryFasterStrategyInOrder() {
        let verdict = Verdict(scenario: Fixtures.ioBoundScenario(), runs: Fixtures.ioBoundRuns)
        XCTAssertEqual(verdict.profile.bound, .io)
        XCTAssertEqual(verdict.text, "I/O-bound: asyncio 7.2x faster than sync, gevent 4.6x, processes 4.3x, threads 4.0x.")
    }

    func testMixedWorkload() {
        let scenario = Fixtures.mixedScenario()
        let profile = WorkloadProfile(scenario: scenario)
        XCTAssertEqual(profile.cpuShare, 0.5 / 1.1, accuracy: 1e-9)
        XCTAssertEqual(profile.bound, .mixed)
        let runs = [
            Fixtures.run("sync", seconds: 0.88), Fixtures.run("threads", seconds: 0.52),
            Fixtures.run("processes", seconds: 0.35), Fixtures.run("gevent", seconds: 0.47),
            Fixtures.run("asyncio", seconds: 0.9),
        ]
        let text = Verdict(scenario: scenario, runs: runs).text
        XCTAssertTrue(text.hasPrefix("mixed (pure Python): processes 2.5x faster than sync, gevent 1.9x, threads 1.7x;"), text)
        XCTAssertTrue(text.hasSuffix("; asyncio about as fast as sync."), text)
    }

    func testCReleasingTheGILLetsThreadsWin() {
        let scenario = Fixtures.cpuBoundScenario(kind: .cReleasesGIL)
        let runs = [Fixtures.run("sync", seconds: 2.18), Fixtures.run("threads", seconds: 1.15),
                    Fixtures.run("processes", seconds: 1.2)]
        XCTAssertEqual(
            Verdict(scenario: scenario, runs: runs).text,
            "CPU-bound (C code releasing the GIL): threads 1.9x faster than sync (the C code releases the GIL), processes 1.8x.")
    }

    func testSyncFastestAndNoSync() {
        let scenario = Fixtures.cpuBoundScenario(kind: .cHoldsGIL)
        let runs = [Fixtures.run("sync", seconds: 2.0), Fixtures.run("threads", seconds: 2.6)]
        XCTAssertEqual(Verdict(scenario: scenario, runs: runs).text,
                       "CPU-bound (C code holding the GIL): sync is fastest; threads 1.3x slower (the GIL serialises them).")
        let noSync = [Fixtures.run("threads", seconds: 2.6), Fixtures.run("processes", seconds: 1.3)]
        XCTAssertEqual(Verdict(scenario: scenario, runs: noSync).text,
                       "CPU-bound (C code holding the GIL): processes 2.0x faster than threads (the slowest).")
        XCTAssertEqual(Verdict(scenario: scenario, runs: [Fixtures.run("sync", seconds: 2.0)]).text,
                       "CPU-bound (C code holding the GIL): only sync was run (2.00 s).")
    }

    func testFreeThreadedThreadsAreNotBlamedOnTheGIL() {
        let nogil = Strategy(kind: .threads(pool: nil), label: "threads-nogil", python: PythonRuntime(gil: false))
        let scenario = Fixtures.cpuBoundScenario(strategies: [Strategy(kind: .sync), nogil])
        let runs = [Fixtures.run("sync", seconds: 2.18), Fixtures.run("threads-nogil", kind: "threads", seconds: 1.2)]
        XCTAssertEqual(Verdict(scenario: scenario, runs: runs).text,
                       "CPU-bound (pure Python): threads-nogil 1.8x faster than sync (no GIL).")
    }

    func testProfileCountsRepeatsGroupsConnectionsAndSkipsBackground() {
        let costs = Costs(connectionSetup: .milliseconds(1), connectionCPU: .milliseconds(2))
        let scenario = Scenario(
            name: "profile", costs: costs,
            tasks: [
                TaskGroup(name: "a", count: 2, steps: [
                    .repeat(count: 3, steps: [
                        .cpu(CPUStep(duration: .constant(.milliseconds(10)), kind: .cReleasesGIL)),
                        .io(IOStep(latency: .constant(.milliseconds(30)), cpu: .constant(.milliseconds(1)), connection: .new)),
                    ]),
                    .sleep(.constant(.milliseconds(5))),
                ]),
                TaskGroup(name: "noise", count: 4, background: true, steps: [.cpu(CPUStep(duration: .constant(.milliseconds(10_000))))]),
            ])
        let profile = WorkloadProfile(scenario: scenario)
        XCTAssertEqual(profile.cpuNanoseconds[.cReleasesGIL], 2 * 3 * 10e6)
        XCTAssertEqual(profile.cpuNanoseconds[.python], 2 * 3 * (1e6 + 2e6))
        XCTAssertEqual(profile.waitNanoseconds, 2 * (3 * (30e6 + 1e6) + 5e6))
        XCTAssertEqual(profile.dominantCPUKind, .cReleasesGIL)
        XCTAssertEqual(profile.bound, .mixed)
    }
}
