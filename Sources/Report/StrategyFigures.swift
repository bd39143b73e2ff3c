import SimEngine
import SimScenario
import SimTrace

/// One strategy's run with the figures the report derives from it: latency percentiles, CPU busy time and
/// utilisation, and the speed-up against the baseline run.
public struct StrategyFigures: Sendable, Equatable {
    public var metrics: RunMetrics
    /// The strategy's label ("threads", "threads-nogil").
    public var label: String { metrics.strategy }
    public var makespan: SimTime { metrics.makespan }
    /// Baseline makespan / this makespan: above 1 is faster than the baseline. 0 when a makespan is 0.
    public var speedUp: Double
    public var latencyP50: SimTime
    public var latencyP95: SimTime
    public var latencyMax: SimTime
    /// Operations per second of makespan.
    public var throughput: Double { metrics.throughput }
    /// Busy time summed over the cores.
    public var cpuBusy: SimTime
    /// The number of cores the run had (from the run's per-core figures, else the scenario's machine).
    public var cores: Int
    /// cpuBusy / (cores x makespan), 0...1; 0 when the makespan is 0.
    public var utilisation: Double

    /// Derives the figures of `metrics`, with speed-up against a run of makespan `baseline`.
    public init(metrics: RunMetrics, baseline: SimTime, cores fallbackCores: Int) {
        self.metrics = metrics
        speedUp = metrics.makespan.nanoseconds > 0 ? baseline.seconds / metrics.makespan.seconds : 0
        latencyP50 = metrics.latencyPercentile(50)
        latencyP95 = metrics.latencyPercentile(95)
        latencyMax = metrics.taskLatencies.max() ?? .zero
        cpuBusy = metrics.coreBusy.reduce(SimTime.zero, +)
        cores = metrics.coreBusy.isEmpty ? max(fallbackCores, 1) : metrics.coreBusy.count
        let capacity = Double(cores) * metrics.makespan.seconds
        utilisation = capacity > 0 ? cpuBusy.seconds / capacity : 0
    }
}

/// The runs of one scenario, with the baseline every speed-up is measured against.
public struct RunComparison: Sendable, Equatable {
    /// Every run in the order given (the scenario's strategy order).
    public var figures: [StrategyFigures]
    /// The label of the baseline run: the one of kind `sync` (preferring the label "sync"), else the slowest.
    public var baseline: String?
    /// True when the baseline is a sync run, false when it is the slowest run for want of one.
    public var baselineIsSync: Bool

    public init(scenario: Scenario, runs: [RunMetrics]) {
        let syncName = StrategyKindName.sync.rawValue
        let sync = runs.first { $0.kind == syncName && $0.strategy == syncName } ?? runs.first { $0.kind == syncName }
        // Ties on the slowest go to the earlier run, so the choice does not depend on sort stability.
        let slowest = runs.reduce(nil as RunMetrics?) { worst, run in
            guard let worst else { return run }
            return run.makespan > worst.makespan ? run : worst
        }
        let base = sync ?? slowest
        baseline = base?.strategy
        baselineIsSync = sync != nil
        figures = runs.map { run in
            StrategyFigures(
                metrics: run, baseline: base?.makespan ?? .zero,
                cores: scenario.settings(for: scenario.strategy(labelled: run.strategy, kind: run.kind)).machine.cores)
        }
    }

    /// The runs fastest first (ties keep the given order).
    ///
    /// - Complexity: O(n log n).
    public var fastestFirst: [StrategyFigures] {
        figures.enumerated().sorted { a, b in
            a.element.makespan != b.element.makespan ? a.element.makespan < b.element.makespan : a.offset < b.offset
        }.map(\.element)
    }

    /// The baseline run's figures.
    public var baselineFigures: StrategyFigures? { figures.first { $0.label == baseline } }
}

extension Scenario {
    /// The scenario's strategy with this label; else a strategy of this kind name with the scenario's defaults.
    func strategy(labelled label: String, kind: String) -> Strategy {
        if let found = strategies.first(where: { $0.label == label }) { return found }
        // A kind this build does not know (results from a newer one) counts as sync: no mechanism is claimed.
        let fallbackKind = (StrategyKindName(name: kind) ?? .sync).defaultKind
        return Strategy(kind: fallbackKind, label: label)
    }
}
