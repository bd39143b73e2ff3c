import XCTest
import SimEngine
import SimModel
import SimScenario
import SimTrace

/// Properties that must hold for every scenario, checked over many generated ones.
final class InvariantTests: XCTestCase {
    /// The model's own consistency checks after every event, and the trace's, over 40 seeds x 9 strategies.
    func testInvariantsHoldOverManySeeds() throws {
        for seed in UInt64(1)...40 {
            var gen = ScenarioGenerator(seed: seed)
            let scenario = gen.scenario(seed: seed, background: seed % 3 == 0)
            for strategy in allStrategyVariants {
                let run = try Simulator.run(scenario, strategy: strategy, options: SimulationOptions(checkInvariants: true))
                let trace = try XCTUnwrap(run.trace)
                let context = "seed \(seed), \(strategy.label)"
                TraceChecks.lanesAreWellFormed(trace, context)
                TraceChecks.atMostCoresRunning(trace, cores: scenario.settings(for: strategy).machine.cores, context)
                // The trace knows processes, not interpreters: an interpreter pool's threads share the main
                // process but each holds its own GIL (the model's own checks above count holders per GIL).
                if case .interpreters = strategy.kind {} else if scenario.settings(for: strategy).python.gil {
                    TraceChecks.atMostOneGILHolderPerProcess(trace, context)
                }
                XCTAssertEqual(run.metrics.taskLatencies.count, scenario.foregroundTaskCount, context)
                XCTAssertTrue(run.metrics.taskLatencies.allSatisfy { $0 <= run.metrics.makespan }, context)
                XCTAssertEqual(trace.end, run.metrics.makespan, context)
            }
        }
    }

    /// With every fixed cost at zero, the CPU time the threads ran equals the tasks' CPU demand exactly:
    /// nothing is lost when bursts are preempted or interrupted by forced switches, nothing is run twice.
    func testCPUWorkIsConserved() throws {
        for seed in UInt64(1)...30 {
            var gen = ScenarioGenerator(seed: seed)
            let scenario = gen.scenario(seed: seed, zeroCosts: true)
            let demand = cpuDemand(of: scenario)
            for strategy in allStrategyVariants where strategy.python?.gil != false {
                let run = try Simulator.run(scenario, strategy: strategy, options: SimulationOptions(checkInvariants: true))
                let trace = try XCTUnwrap(run.trace)
                var served = SimTime.zero
                for seg in trace.segments where trace.lanes[Int(seg.lane)].kind == .thread {
                    if seg.state == .running || seg.state == .runningNoGIL { served += seg.duration }
                }
                XCTAssertEqual(served, demand, "seed \(seed), \(strategy.label): served \(served), demand \(demand)")
            }
        }
    }

    /// The same scenario and seed give identical metrics and traces; another seed gives other draws.
    func testDeterministic() throws {
        var gen = ScenarioGenerator(seed: 7)
        let scenario = gen.scenario(seed: 7, background: true)
        for strategy in allStrategyVariants {
            let a = try Simulator.run(scenario, strategy: strategy)
            let b = try Simulator.run(scenario, strategy: strategy)
            XCTAssertEqual(a.metrics, b.metrics, strategy.label)
            XCTAssertEqual(a.trace, b.trace, strategy.label)
        }
        var other = scenario
        other.seed = 8
        let a = try Simulator.run(scenario, strategy: Fixtures.sync)
        let b = try Simulator.run(other, strategy: Fixtures.sync)
        XCTAssertNotEqual(a.metrics.makespan, b.metrics.makespan)
    }

    /// Tracing off changes nothing but the trace.
    func testTracingDoesNotChangeResults() throws {
        var gen = ScenarioGenerator(seed: 11)
        let scenario = gen.scenario(seed: 11, background: true)
        for strategy in allStrategyVariants {
            let a = try Simulator.run(scenario, strategy: strategy, options: SimulationOptions(trace: true))
            let b = try Simulator.run(scenario, strategy: strategy, options: SimulationOptions(trace: false))
            XCTAssertEqual(a.metrics, b.metrics, strategy.label)
            XCTAssertNil(b.trace)
        }
    }

    /// Total CPU of the foreground tasks' drawn operations (I/O calls count their Python-side CPU).
    func cpuDemand(of scenario: Scenario) -> SimTime {
        let workload = Workload(scenario)
        var total = SimTime.zero
        for inst in workload.instances where !inst.background {
            for op in workload.operations(of: inst.index) {
                switch op {
                case .cpu(let d, _): total += d
                case .io(let cpu, _, _): total += cpu
                case .sleep: break
                }
            }
        }
        return total
    }
}

/// Checks over a trace.
enum TraceChecks {
    /// Each lane's segments are non-empty, in order, non-overlapping, and within the run.
    static func lanesAreWellFormed(_ trace: Trace, _ context: String, file: StaticString = #filePath, line: UInt = #line) {
        var last = [SimTime](repeating: .zero, count: trace.lanes.count)
        var byLane = [[Segment]](repeating: [], count: trace.lanes.count)
        for s in trace.segments { byLane[Int(s.lane)].append(s) }
        for (lane, segs) in byLane.enumerated() {
            for s in segs.sorted(by: { $0.start < $1.start }) {
                XCTAssertLessThan(s.start, s.end, "\(context): empty segment on lane \(lane)", file: file, line: line)
                XCTAssertGreaterThanOrEqual(s.start, last[lane], "\(context): overlap on lane \(lane)", file: file, line: line)
                XCTAssertLessThanOrEqual(s.end, trace.end, "\(context): segment past the end", file: file, line: line)
                last[lane] = s.end
            }
        }
        // Segments are appended as intervals close, so their ends never go back: time is monotonic.
        for (a, b) in zip(trace.segments, trace.segments.dropFirst()) where b.end < a.end {
            XCTFail("\(context): trace time went back from \(a.end) to \(b.end)", file: file, line: line)
            break
        }
    }

    /// Sweeps the OS-thread lanes: never more running at once than cores.
    static func atMostCoresRunning(_ trace: Trace, cores: Int, _ context: String, file: StaticString = #filePath, line: UInt = #line) {
        let running = trace.segments.filter {
            trace.lanes[Int($0.lane)].kind == .thread && ($0.state == .running || $0.state == .runningNoGIL)
        }
        let peak = peakOverlap(running)
        XCTAssertLessThanOrEqual(peak, cores, "\(context): \(peak) threads running on \(cores) cores", file: file, line: line)
    }

    /// Within each process, never more than one thread running Python (holding the GIL) at once.
    static func atMostOneGILHolderPerProcess(_ trace: Trace, _ context: String, file: StaticString = #filePath, line: UInt = #line) {
        for p in Set(trace.lanes.map(\.process)) {
            let holding = trace.segments.filter {
                let lane = trace.lanes[Int($0.lane)]
                return lane.kind == .thread && lane.process == p && $0.state == .running
            }
            let peak = peakOverlap(holding)
            XCTAssertLessThanOrEqual(peak, 1, "\(context): \(peak) GIL holders in process \(p)", file: file, line: line)
        }
    }

    /// The most intervals overlapping at any instant (ends before starts at the same time).
    static func peakOverlap(_ segments: [Segment]) -> Int {
        var edges: [(SimTime, Int)] = []
        for s in segments { edges.append((s.start, 1)); edges.append((s.end, -1)) }
        edges.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var current = 0, peak = 0
        for (_, d) in edges { current += d; peak = max(peak, current) }
        return peak
    }
}

/// Core lanes show, at every moment, whether a core runs a thread: their busy time is the metrics' core
/// busy time, and they never show more busy cores than there are.
final class CoreLaneTests: XCTestCase {
    func testCoreLanesMatchCoreBusyTime() throws {
        for seed in UInt64(1)...15 {
            var gen = ScenarioGenerator(seed: seed)
            let scenario = gen.scenario(seed: seed, background: seed % 2 == 0)
            for strategy in allStrategyVariants {
                let run = try Simulator.run(scenario, strategy: strategy, options: SimulationOptions(coreLanes: true))
                let trace = try XCTUnwrap(run.trace)
                let coreLanes = trace.lanes.filter { $0.kind == .core }
                XCTAssertEqual(coreLanes.count, scenario.settings(for: strategy).machine.cores)
                for (c, lane) in coreLanes.enumerated() {
                    let busy = trace.segments(ofLane: lane.id).reduce(SimTime.zero) { $0 + $1.duration }
                    XCTAssertEqual(busy, run.metrics.coreBusy[c], "seed \(seed), \(strategy.label), core \(c)")
                }
            }
        }
    }
}
