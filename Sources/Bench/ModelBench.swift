import Foundation
import SimEngine
import SimModel
import SimScenario
import SimTrace

/// The standard large scenario: 1,000 threads each doing 1,000 short I/O calls beside 4 CPU-bound threads,
/// all under one GIL, on 2 cores.
func standardBenchScenario(threads: Int = 1_000, calls: Int = 1_000) -> Scenario {
    Scenario(
        name: "bench", seed: 1, machine: Machine(cores: 2),
        tasks: [
            TaskGroup(name: "io", count: threads, steps: [
                .repeat(count: calls, steps: [
                    .io(IOStep(latency: .exponential(mean: .milliseconds(2)), cpu: .constant(.microseconds(20)), connection: .reuse)),
                ]),
            ]),
            TaskGroup(name: "cpu", count: 4, background: true, steps: [.cpu(CPUStep(duration: .constant(.milliseconds(50)), kind: .python))]),
        ],
        strategies: [Strategy(kind: .threads(pool: nil))])
}

/// Peak resident memory of this process so far, in MiB (ru_maxrss is in KiB on Linux).
func peakMemoryMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// Runs the model on the standard scenario with tracing off, then on, and prints the figures.
func runModelBenchmark(threads: Int, calls: Int, tracing modes: [Bool]) throws {
    let scenario = standardBenchScenario(threads: threads, calls: calls)
    let strategy = scenario.strategies[0]
    print("model: \(threads) threads x \(calls) I/O calls beside 4 CPU-bound threads, GIL, 2 cores")
    for tracing in modes {
        let clock = ContinuousClock()
        var run: SimulationRun?
        let elapsed = try clock.measure {
            run = try Simulator.run(scenario, strategy: strategy, options: SimulationOptions(trace: tracing))
        }
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let m = run!.metrics
        let segments = run!.trace?.segments.count ?? 0
        print(String(format: "  tracing %@: %d events in %.2f s wall = %.2f M events/s; %.1f simulated s (%.1f simulated s per wall s); %d segments; peak memory %.0f MiB",
                     tracing ? "on " : "off", m.events, wall, Double(m.events) / wall / 1e6, m.makespan.seconds,
                     m.makespan.seconds / wall, segments, peakMemoryMiB()))
    }
}
