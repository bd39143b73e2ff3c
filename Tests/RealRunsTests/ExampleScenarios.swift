import SimEngine
import SimScenario

/// Small scenarios built in code, shaped like the seed article's two experiments, for the harness tests.
enum ExampleScenarios {
    /// The article's `cpu_bound` ten times: each task one `a ** b` C call (holds the GIL) of `duration`.
    static func cpuHeavy(tasks: Int = 10, duration: SimTime = .milliseconds(100)) -> Scenario {
        Scenario(name: "cpu_heavy", description: "\(tasks) tasks, each one big-integer power (7777 ** n)",
                 tasks: [TaskGroup(name: "power", count: tasks, steps: [.cpu(CPUStep(duration: .constant(duration), kind: .cHoldsGIL))])])
    }

    /// The article's `io_bound` ten times: each task downloads `calls` URLs one after another, each answering
    /// after a latency drawn uniformly between `low` and `high`.
    static func ioHeavy(tasks: Int = 10, calls: Int = 5, low: SimTime = .milliseconds(50),
                               high: SimTime = .milliseconds(150)) -> Scenario {
        Scenario(name: "io_heavy", description: "\(tasks) tasks, each \(calls) HTTP GETs",
                 tasks: [TaskGroup(name: "download", count: tasks,
                                   steps: [.repeat(count: calls, steps: [.io(IOStep(latency: .uniform(low, high)))])])])
    }

    /// A scenario by example name, or nil.
    static func named(_ name: String) -> Scenario? {
        switch name {
        case "cpu_heavy": return cpuHeavy()
        case "io_heavy": return ioHeavy()
        default: return nil
        }
    }
}
