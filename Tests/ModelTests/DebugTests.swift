import XCTest
import SimEngine
@testable import SimModel
import SimScenario
import SimTrace

final class DebugTests: XCTestCase {
    func testDebugBench() throws {
        for (n, calls) in [(2, 3), (5, 5), (10, 10), (30, 10)] {
        let sc = Scenario(
            name: "bench", seed: 1, machine: Machine(cores: 2),
            tasks: [
                TaskGroup(name: "io", count: n, steps: [.repeat(count: calls, steps: [
                    .io(IOStep(latency: .exponential(mean: .milliseconds(2)), cpu: .constant(.microseconds(20)), connection: .reuse))])]),
                TaskGroup(name: "cpu", count: 4, background: true, steps: [.cpu(CPUStep(duration: .constant(.milliseconds(50)), kind: .python))]),
            ])
        var sim = Simulation(scenario: sc, strategy: Strategy(kind: .threads(pool: nil)), options: SimulationOptions(maxEvents: 200_000, checkInvariants: true))
        try sim.setUp()
        do { try sim.run(); print(n, "ok", sim.now, sim.eventsHandled) } catch {
            print(n, error, "fg remaining", sim.foregroundRemaining)
            for (i, t) in sim.threads.enumerated() { print(i, t.role, t.status, "core", t.core, "holds", t.holdsGIL, "needs", t.needsGIL, "inBurst", t.inBurst, t.burstKind, "resume", t.resumeAction, "task", t.task) }
            print(sim.processes[0].gil)
            let tr = sim.recorder.trace
            var runs = [Int: Int]()
            for seg in tr.segments where seg.state == .running && seg.start > SimTime.seconds(Int64(1)) { runs[Int(seg.lane), default: 0] += 1 }
            print("running segments per lane after 1s", runs.sorted { $0.key < $1.key })
            let main = tr.segments.filter { $0.lane == 0 && $0.start > SimTime.seconds(Int64(1)) }.prefix(12)
            for m in main { print(m.state, m.start, m.end) }
            for i in tr.instants where i.time > SimTime.seconds(Int64(10)) && i.time < SimTime.seconds(Int64(10)) + .milliseconds(30) { print(i.time, i.kind, i.lane) }
            for seg in tr.segments where seg.end > SimTime.seconds(Int64(10)) && seg.start < SimTime.seconds(Int64(10)) + .milliseconds(12) { print("  seg lane", seg.lane, seg.state, seg.start, seg.end) }
            break
        }
        }
    }
}
