import SimEngine
import SimScenario

/// What a scenario's foreground tasks spend their time on, on average: CPU work (by kind) or waiting
/// (I/O latency, connection set-up, sleeps). Computed from the distributions' means and the repeat and
/// group counts, so it describes the workload itself, before any strategy runs it.
public struct WorkloadProfile: Sendable, Equatable {
    /// How the workload is classified, from the CPU share of its time.
    public enum Bound: String, Sendable, Equatable, Codable {
        case cpu = "CPU-bound"
        case io = "I/O-bound"
        case mixed
    }

    /// Mean CPU time of all foreground tasks together, in nanoseconds, by kind. The Python-side CPU of I/O
    /// calls (and of opening connections) counts as `python`: it holds the GIL.
    public var cpuNanoseconds: [CPUKind: Double]
    /// Mean waiting time of all foreground tasks together (I/O latency, connection set-up, sleeps), in ns.
    public var waitNanoseconds: Double

    /// A workload is CPU-bound at or above this CPU share, I/O-bound at or below `ioBoundShare`.
    public static let cpuBoundShare = 0.8
    public static let ioBoundShare = 0.2

    public init(scenario: Scenario) {
        var cpu: [CPUKind: Double] = [:]
        var wait = 0.0
        let costs = scenario.costs
        for group in scenario.tasks where !group.background {
            Step.forEachLeaf(in: group.steps, times: Double(max(group.count, 0))) { leaf, times in
                switch leaf {
                case .cpu(let s):
                    cpu[s.kind, default: 0] += Double(s.duration.mean.nanoseconds) * times
                case .io(let s):
                    let opens = s.connection == .new
                    let connection = Double(costs.connectionLifeCPU.nanoseconds)
                    cpu[.python, default: 0] += (Double(s.cpu.mean.nanoseconds) + (opens ? connection : 0)) * times
                    wait += (Double(s.latency.mean.nanoseconds) + (opens ? Double(costs.connectionSetup.nanoseconds) : 0)) * times
                case .sleep(let d):
                    wait += Double(d.mean.nanoseconds) * times
                }
            }
        }
        cpuNanoseconds = cpu
        waitNanoseconds = wait
    }

    /// Total mean CPU time, ns.
    public var totalCPUNanoseconds: Double { cpuNanoseconds.values.reduce(0, +) }

    /// CPU time / (CPU time + waiting time), 0...1; 0 for an empty workload.
    public var cpuShare: Double {
        let total = totalCPUNanoseconds + waitNanoseconds
        return total > 0 ? totalCPUNanoseconds / total : 0
    }

    public var bound: Bound {
        if cpuShare >= Self.cpuBoundShare { return .cpu }
        if cpuShare <= Self.ioBoundShare { return .io }
        return .mixed
    }

    /// The kind of CPU work with the most time (ties: python, then C holding, then C releasing the GIL);
    /// nil when there is no CPU work.
    public var dominantCPUKind: CPUKind? {
        let order: [CPUKind] = [.python, .cHoldsGIL, .cReleasesGIL]
        var best: CPUKind?
        for kind in order {
            let t = cpuNanoseconds[kind] ?? 0
            if t > 0, t > (best.flatMap { cpuNanoseconds[$0] } ?? 0) { best = kind }
        }
        return best
    }

    /// "CPU-bound (pure Python)", "I/O-bound", "mixed (C code releasing the GIL)": the class, with the kind
    /// of CPU work where CPU matters.
    public var description: String {
        guard bound != .io, let kind = dominantCPUKind else { return bound.rawValue }
        let what: String
        switch kind {
        case .python: what = "pure Python"
        case .cHoldsGIL: what = "C code holding the GIL"
        case .cReleasesGIL: what = "C code releasing the GIL"
        }
        return "\(bound.rawValue) (\(what))"
    }
}
