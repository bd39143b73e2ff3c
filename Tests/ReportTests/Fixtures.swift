import SimEngine
import SimScenario
import SimTrace

/// Scenarios and runs built in code, with the seed article's measured times (luminousmen, 2019).
enum Fixtures {
    /// The article's cpu_bound: ten tasks of pure-Python arithmetic.
    static func cpuBoundScenario(kind: CPUKind = .python, strategies: [Strategy] = Defaults.strategies) -> Scenario {
        Scenario(
            name: "cpu_bound", description: "ten pure-Python computations", seed: 7,
            tasks: [TaskGroup(name: "compute", count: 10, steps: [.cpu(CPUStep(duration: .constant(.milliseconds(218)), kind: kind))])],
            strategies: strategies)
    }

    /// The article's io_bound: ten tasks downloading ten pages each.
    static func ioBoundScenario() -> Scenario {
        Scenario(
            name: "io_bound", description: "ten tasks downloading pages", seed: 7,
            tasks: [TaskGroup(name: "download", count: 10, steps: [
                .repeat(count: 10, steps: [.io(IOStep(latency: .exponential(mean: .milliseconds(300))))]),
            ])])
    }

    /// Half computing, half waiting.
    static func mixedScenario() -> Scenario {
        Scenario(
            name: "mixed", seed: 7,
            tasks: [TaskGroup(name: "handler", count: 8, steps: [
                .cpu(CPUStep(duration: .uniform(.milliseconds(40), .milliseconds(60)))),
                .io(IOStep(latency: .constant(.milliseconds(60)), cpu: .constant(.zero), connection: .reuse)),
            ])])
    }

    static func run(_ label: String, kind: String? = nil, seconds: Double, latencies: [Double]? = nil,
                    operations: Int = 10, busy: [Double] = [], gilHeld: Double = 0, gilWaited: Double = 0,
                    gilSwitches: Int = 0, dropRequests: Int = 0, events: Int = 1000) -> RunMetrics {
        RunMetrics(
            strategy: label, kind: kind ?? label, makespan: .seconds(seconds),
            taskLatencies: (latencies ?? [seconds]).map { SimTime.seconds($0) }, operations: operations,
            coreBusy: busy.map { SimTime.seconds($0) }, gilHeld: .seconds(gilHeld), gilWaited: .seconds(gilWaited),
            gilSwitches: gilSwitches, dropRequests: dropRequests, forcedSwitches: dropRequests / 2,
            contextSwitches: gilSwitches * 2, events: events)
    }

    /// The article's cpu_bound times, in the scenario's strategy order.
    static let cpuBoundRuns: [RunMetrics] = [
        run("sync", seconds: 2.18, latencies: (1...10).map { 0.218 * Double($0) }, busy: [2.18, 0.001], gilHeld: 2.18),
        run("threads", seconds: 2.47, latencies: [2.2, 2.3, 2.4, 2.41, 2.42, 2.43, 2.44, 2.45, 2.46, 2.47],
            busy: [1.3, 1.25], gilHeld: 2.4, gilWaited: 19.5, gilSwitches: 480, dropRequests: 470, events: 123_456),
        run("processes", seconds: 1.12, busy: [1.11, 1.12]),
        run("gevent", seconds: 2.23, busy: [2.23, 0]),
        run("asyncio", seconds: 2.23, busy: [2.0, 0.3]),
    ]

    /// The article's io_bound times.
    static let ioBoundRuns: [RunMetrics] = [
        run("sync", seconds: 31.4, operations: 100),
        run("threads", seconds: 7.9, operations: 100),
        run("processes", seconds: 7.22, operations: 100),
        run("gevent", seconds: 6.85, operations: 100),
        run("asyncio", seconds: 4.37, operations: 100),
    ]
}
