import SimEngine
import SimModel
import SimScenario
import XCTest

/// An I/O call that opens a connection while another call is in flight costs `costs.connection_overlap_cpu`
/// of client CPU beyond its own; calls one after another, and calls on a kept-alive connection, do not.
final class OverlappingCallsTests: XCTestCase {
    let ms = Fixtures.ms
    let extra = SimTime.microseconds(150)

    func scenario(count: Int, calls: Int, overlap: SimTime) -> Scenario {
        var s = Fixtures.io(count, calls: calls, latency: .constant(ms(20)))
        s.machine.wakeJitter = 0
        s.costs.connectionOverlapCPU = overlap
        return s
    }

    /// sync makes one call at a time: none ever overlaps, so the cost changes nothing.
    func testCallsOneAfterAnotherPayNothing() throws {
        let with = try Simulator.run(scenario(count: 3, calls: 4, overlap: extra), strategy: Fixtures.sync)
        let without = try Simulator.run(scenario(count: 3, calls: 4, overlap: .zero), strategy: Fixtures.sync)
        XCTAssertEqual(with.metrics.makespan, without.metrics.makespan)
        XCTAssertEqual(with.metrics.gilHeld, without.metrics.gilHeld)
    }

    /// Ten greenlets each make one call of 20 ms: the hub starts the first with nothing in flight, the nine
    /// others while it waits, so the hub's Python (it holds the GIL only for it) grows by exactly nine extras.
    func testEveryCallButTheFirstOfABurstPaysOnce() throws {
        let with = try Simulator.run(scenario(count: 10, calls: 1, overlap: extra), strategy: Fixtures.gevent)
        let without = try Simulator.run(scenario(count: 10, calls: 1, overlap: .zero), strategy: Fixtures.gevent)
        XCTAssertEqual(with.metrics.gilHeld - without.metrics.gilHeld, extra * 9)
    }

    /// asyncio's tasks keep their connection alive (one aiohttp session each): of ten tasks' three calls,
    /// only the nine first calls opened while another was in flight pay, not the twenty on open connections.
    func testCallsOnKeptAliveConnectionsDoNotPay() throws {
        let with = try Simulator.run(scenario(count: 10, calls: 3, overlap: extra), strategy: Fixtures.asyncio)
        let without = try Simulator.run(scenario(count: 10, calls: 3, overlap: .zero), strategy: Fixtures.asyncio)
        XCTAssertEqual(with.metrics.gilHeld - without.metrics.gilHeld, extra * 9)
    }
}
