import SimEngine
import SimModel
import SimScenario
import XCTest

/// The io step cut by `costs.io_call_shape` (docs/model.md, "The shape of an I/O call"): the shape moves an
/// I/O call's CPU between its GIL-releasing calls, it never adds or removes any.
final class IOCallShapeModelTests: XCTestCase {
    let cpu = SimTime.microseconds(200)

    func run(_ shape: IOCallShape, _ strategy: Strategy, count: Int = 1) throws -> SimulationRun {
        var s = Fixtures.io(count, calls: 5, latency: .constant(Fixtures.ms(20)), cpu: cpu)
        s.machine.wakeJitter = 0
        s.costs.ioCallShape = shape
        return try Simulator.run(s, strategy: strategy)
    }

    /// Alone (sync), CPU run between the send and the recv overlaps the latency: with all of a call's CPU
    /// there, each of the five calls ends exactly its CPU sooner than with the even shape; the connection's
    /// CPU stays before the send. The GIL is held as long either way.
    func testCPUBeforeTheRecvRunsWithinTheLatency() throws {
        let even = try run(.even, Fixtures.sync)
        let beforeRecv = try run(IOCallShape(new: [0, 0, 0, 0, 1, 0, 0], reuse: [0, 1, 0]), Fixtures.sync)
        XCTAssertEqual(even.metrics.makespan - beforeRecv.metrics.makespan, cpu * 5)
        XCTAssertEqual(even.metrics.gilHeld, beforeRecv.metrics.gilHeld)
    }

    /// Any shape, any strategy: the GIL is held for the same CPU in total (threads and gevent, where the
    /// hub runs every piece).
    func testShapeKeepsTheTotalCPU() throws {
        let measured = IOCallShape(new: [59, 2, 2, 4, 17, 100, 6], reuse: [21, 15, 77])
        for strategy in [Fixtures.sync, Fixtures.threads, Fixtures.gevent] {
            let even = try run(.even, strategy, count: 4)
            let shaped = try run(measured, strategy, count: 4)
            XCTAssertEqual(even.metrics.gilHeld, shaped.metrics.gilHeld, "\(strategy.kind)")
        }
    }
}
