import SimEngine
import SimModel
import SimScenario
import SimTrace

/// Small scenarios built in code for the model's tests.
enum Fixtures {
    static func ms(_ v: Int64) -> SimTime { .milliseconds(v) }
    static func us(_ v: Int64) -> SimTime { .microseconds(v) }

    /// `count` tasks of one CPU step each.
    static func cpu(_ count: Int, _ d: SimTime, kind: CPUKind = .python, cores: Int = 2, seed: UInt64 = 1) -> Scenario {
        Scenario(
            name: "cpu", seed: seed, machine: Machine(cores: cores),
            tasks: [TaskGroup(name: "cpu", count: count, steps: [.cpu(CPUStep(duration: .constant(d), kind: kind))])])
    }

    /// `count` tasks each doing `calls` I/O calls one after another.
    static func io(_ count: Int, calls: Int, latency: Distribution, cpu: SimTime = .microseconds(200), cores: Int = 2, seed: UInt64 = 1) -> Scenario {
        Scenario(
            name: "io", seed: seed, machine: Machine(cores: cores),
            tasks: [TaskGroup(name: "download", count: count, steps: [
                .repeat(count: calls, steps: [.io(IOStep(latency: latency, cpu: .constant(cpu), connection: .new))]),
            ])])
    }

    static let sync = Strategy(kind: .sync)
    static let threads = Strategy(kind: .threads(pool: nil))
    static let processes = Strategy(kind: .processes(pool: nil, startMethod: .fork))
    static let gevent = Strategy(kind: .gevent)
    static let asyncio = Strategy(kind: .asyncio(executorWorkers: nil, cpuInExecutor: true))
    static let all = [sync, threads, processes, gevent, asyncio]
}
