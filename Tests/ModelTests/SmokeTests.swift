import XCTest
import SimEngine
import SimModel
import SimScenario
import SimTrace

final class SmokeTests: XCTestCase {
    func testPrintAll() throws {
        for sc in [Fixtures.cpu(10, .milliseconds(218), kind: .cHoldsGIL), Fixtures.io(10, calls: 4, latency: .lognormal(median: .milliseconds(180), sigma: 0.6))] {
            for s in Fixtures.all {
                let r = try Simulator.run(sc, strategy: s)
                let m = r.metrics
                print(sc.name, s.label, m.makespan, "ops", m.operations, "sw", m.gilSwitches, "drops", m.dropRequests, "forced", m.forcedSwitches, "cs", m.contextSwitches, "events", m.events, "segs", r.trace!.segments.count)
            }
        }
    }
}
