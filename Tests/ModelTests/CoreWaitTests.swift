import SimEngine
import SimModel
import SimScenario
import SimTrace
import XCTest

/// The time the program's threads wait for a core (`RunMetrics.coreWait`): what the harness reads from each
/// thread's schedstat `run_delay`, counted in the model from its run queue (docs/model.md, "Waiting for a core, measured").
final class CoreWaitTests: XCTestCase {
    let ms = Fixtures.ms

    /// Three threads of 10 ms of GIL-free C on one core under round robin with a slice longer than the work: each
    /// started thread takes the core from the main thread at its bootstrap (the main thread waits in `start()`
    /// for it) and keeps it for its whole step, so the main thread waits about 10 ms for the core after each of
    /// its three starts, 30 ms in all (less the little the threads' own starts take), in seven turns: the main
    /// thread's first and one after each start, one for each worker. On four cores (the main thread's too) none
    /// waits. Processes wait as much, but in their own processes: the figure is the main process's threads',
    /// as the harness sees them.
    func testQueuedThreadsWaitForTheWorkAheadOfThem() throws {
        func run(_ strategy: Strategy, cores: Int) throws -> RunMetrics {
            var s = Fixtures.cpu(3, ms(10), kind: .cReleasesGIL, cores: cores)
            s.machine.scheduler = .roundRobin(timeslice: ms(100))
            s.costs.gilReleaseCall = .zero
            return try Simulator.run(s, strategy: strategy, options: SimulationOptions(checkInvariants: true)).metrics
        }
        let oneCore = try run(Fixtures.threads, cores: 1)
        XCTAssertEqual(oneCore.coreTurns, 7)
        let queued = try XCTUnwrap(oneCore.coreWait)
        XCTAssertGreaterThanOrEqual(queued, ms(29), "three steps of 10 ms ahead of the main thread")
        XCTAssertLessThanOrEqual(queued, ms(32), "and the main thread's starts and joins at most")
        XCTAssertLessThan(try XCTUnwrap(run(Fixtures.threads, cores: 4).coreWait), ms(1), "a core each")
        XCTAssertLessThan(try XCTUnwrap(run(Fixtures.processes, cores: 1).coreWait), ms(5), "children's waits are theirs")
        XCTAssertNil(try run(Fixtures.threads, cores: 1).loopCoreWait, "no loop")
        XCTAssertNil(try run(Strategy(kind: .tasklets), cores: 1).loopCoreWait, "tasklets switch on the main thread: no loop or hub")
        XCTAssertNotNil(try run(Fixtures.gevent, cores: 1).loopCoreWait, "gevent's hub")
    }

    /// asyncio hands two 10 ms GIL-free steps to its executor on one core: the loop, woken by each result
    /// while the other job holds the core, waits for it, and its wait is part of the threads' total. Over
    /// seeds the figure never exceeds what the cores could have kept them waiting.
    func testTheLoopsWaitIsPartOfTheThreads() throws {
        for seed: UInt64 in 1...5 {
            var s = Fixtures.cpu(2, ms(10), kind: .cReleasesGIL, cores: 1, seed: seed)
            s.costs.gilReleaseCall = .zero
            let metrics = try Simulator.run(s, strategy: Fixtures.asyncio, options: SimulationOptions(checkInvariants: true)).metrics
            let all = try XCTUnwrap(metrics.coreWait)
            let loop = try XCTUnwrap(metrics.loopCoreWait)
            XCTAssertGreaterThan(loop, .zero, "seed \(seed): the loop woke while a job held the only core")
            XCTAssertLessThanOrEqual(loop, all)
            XCTAssertGreaterThanOrEqual(all, ms(10), "seed \(seed): one job waits behind the other")
            XCTAssertLessThanOrEqual(all, metrics.makespan * 3, "seed \(seed): three threads at most wait all along")
        }
    }
}
