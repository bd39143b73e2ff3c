import Foundation
import SimEngine
import SimScenario
import SimTrace

/// The content of results.json (and of `simulate SCENARIO --json`).
///
/// Time scheme: every single time appears twice, as `<name>_ns`, an integer number of nanoseconds (exact:
/// the model's own clock), and as `<name>_s`, the same time in seconds as a floating-point number for
/// convenience. Lists of times (`task_latencies_ns`, `core_busy_ns`) are in integer nanoseconds only.
/// Keys are snake_case and sorted; strategies are in run (scenario) order; the bytes depend only on the
/// scenario and the runs (no dates, no host names).
public struct ResultsDocument: Codable, Sendable, Equatable {
    public struct ScenarioInfo: Codable, Sendable, Equatable {
        public var name: String
        public var description: String
        public var seed: UInt64
    }

    public struct WorkloadInfo: Codable, Sendable, Equatable {
        /// "CPU-bound", "I/O-bound" or "mixed".
        public var bound: String
        /// Mean CPU time / (mean CPU time + mean waiting time) of the foreground tasks.
        public var cpuShare: Double
        /// "python", "c_holds_gil" or "c_releases_gil"; absent without CPU work.
        public var dominantCpuKind: String?

        enum CodingKeys: String, CodingKey {
            case bound
            case cpuShare = "cpu_share"
            case dominantCpuKind = "dominant_cpu_kind"
        }
    }

    /// One strategy's run: every `RunMetrics` field plus the derived figures.
    public struct StrategyResult: Codable, Sendable, Equatable {
        public var strategy: String
        public var kind: String
        public var makespanNs: Int64
        public var makespanS: Double
        /// Baseline makespan / this makespan (0 when this makespan is 0).
        public var speedup: Double
        public var taskLatenciesNs: [Int64]
        public var latencyP50Ns: Int64
        public var latencyP50S: Double
        public var latencyP95Ns: Int64
        public var latencyP95S: Double
        public var latencyMaxNs: Int64
        public var latencyMaxS: Double
        public var operations: Int
        /// Operations per second of makespan.
        public var throughputOpsPerS: Double
        public var coreBusyNs: [Int64]
        public var cores: Int
        public var cpuBusyNs: Int64
        public var cpuBusyS: Double
        /// cpu_busy / (cores x makespan), a fraction 0...1.
        public var cpuUtilisation: Double
        public var gilHeldNs: Int64
        public var gilHeldS: Double
        public var gilWaitedNs: Int64
        public var gilWaitedS: Double
        public var gilSwitches: Int
        public var dropRequests: Int
        public var forcedSwitches: Int
        public var contextSwitches: Int
        public var events: Int

        enum CodingKeys: String, CodingKey {
            case strategy
            case kind
            case makespanNs = "makespan_ns"
            case makespanS = "makespan_s"
            case speedup
            case taskLatenciesNs = "task_latencies_ns"
            case latencyP50Ns = "latency_p50_ns"
            case latencyP50S = "latency_p50_s"
            case latencyP95Ns = "latency_p95_ns"
            case latencyP95S = "latency_p95_s"
            case latencyMaxNs = "latency_max_ns"
            case latencyMaxS = "latency_max_s"
            case operations
            case throughputOpsPerS = "throughput_ops_per_s"
            case coreBusyNs = "core_busy_ns"
            case cores
            case cpuBusyNs = "cpu_busy_ns"
            case cpuBusyS = "cpu_busy_s"
            case cpuUtilisation = "cpu_utilisation"
            case gilHeldNs = "gil_held_ns"
            case gilHeldS = "gil_held_s"
            case gilWaitedNs = "gil_waited_ns"
            case gilWaitedS = "gil_waited_s"
            case gilSwitches = "gil_switches"
            case dropRequests = "drop_requests"
            case forcedSwitches = "forced_switches"
            case contextSwitches = "context_switches"
            case events
        }

        init(_ f: StrategyFigures) {
            let m = f.metrics
            strategy = m.strategy
            kind = m.kind
            makespanNs = m.makespan.nanoseconds
            makespanS = m.makespan.seconds
            speedup = f.speedUp
            taskLatenciesNs = m.taskLatencies.map(\.nanoseconds)
            latencyP50Ns = f.latencyP50.nanoseconds
            latencyP50S = f.latencyP50.seconds
            latencyP95Ns = f.latencyP95.nanoseconds
            latencyP95S = f.latencyP95.seconds
            latencyMaxNs = f.latencyMax.nanoseconds
            latencyMaxS = f.latencyMax.seconds
            operations = m.operations
            throughputOpsPerS = f.throughput
            coreBusyNs = m.coreBusy.map(\.nanoseconds)
            cores = f.cores
            cpuBusyNs = f.cpuBusy.nanoseconds
            cpuBusyS = f.cpuBusy.seconds
            cpuUtilisation = f.utilisation
            gilHeldNs = m.gilHeld.nanoseconds
            gilHeldS = m.gilHeld.seconds
            gilWaitedNs = m.gilWaited.nanoseconds
            gilWaitedS = m.gilWaited.seconds
            gilSwitches = m.gilSwitches
            dropRequests = m.dropRequests
            forcedSwitches = m.forcedSwitches
            contextSwitches = m.contextSwitches
            events = m.events
        }

        /// The run's metrics, rebuilt from the exact (nanosecond) fields.
        public var metrics: RunMetrics {
            RunMetrics(
                strategy: strategy, kind: kind, makespan: .nanoseconds(makespanNs),
                taskLatencies: taskLatenciesNs.map(SimTime.nanoseconds), operations: operations,
                coreBusy: coreBusyNs.map(SimTime.nanoseconds), gilHeld: .nanoseconds(gilHeldNs),
                gilWaited: .nanoseconds(gilWaitedNs), gilSwitches: gilSwitches, dropRequests: dropRequests,
                forcedSwitches: forcedSwitches, contextSwitches: contextSwitches, events: events)
        }
    }

    public struct ReferenceRow: Codable, Sendable, Equatable {
        public var strategy: String
        public var predictedNs: Int64
        public var predictedS: Double
        public var referenceNs: Int64
        public var referenceS: Double
        public var errorPercent: Double?

        enum CodingKeys: String, CodingKey {
            case strategy
            case predictedNs = "predicted_ns"
            case predictedS = "predicted_s"
            case referenceNs = "reference_ns"
            case referenceS = "reference_s"
            case errorPercent = "error_percent"
        }
    }

    public struct ReferenceInfo: Codable, Sendable, Equatable {
        public var source: String
        public var rows: [ReferenceRow]
        public var meanAbsoluteErrorPercent: Double?

        enum CodingKeys: String, CodingKey {
            case source
            case rows
            case meanAbsoluteErrorPercent = "mean_absolute_error_percent"
        }
    }

    /// "simulate 0.1".
    public var tool: String
    public var scenario: ScenarioInfo
    /// The label every speed-up is measured against; absent without runs.
    public var baseline: String?
    public var workload: WorkloadInfo
    public var verdict: String
    public var strategies: [StrategyResult]
    public var reference: ReferenceInfo?
    /// Which strategy to choose and why (`Advice`); absent when none was given.
    public var advice: AdviceInfo?

    public struct AdviceInfo: Codable, Sendable, Equatable {
        public var choice: String?
        public var asGood: [String]
        /// The reasons and warnings as sentences, most important first.
        public var lines: [String]
        /// The seed article's rule of thumb: the kind it picks (absent where it says nothing), why, and the
        /// verdict against the model's choice.
        public var ruleOfThumb: RuleOfThumbInfo?

        public struct RuleOfThumbInfo: Codable, Sendable, Equatable {
            public var pick: String?
            public var reading: String
            public var verdict: String
        }

        enum CodingKeys: String, CodingKey {
            case choice, lines
            case asGood = "as_good"
            case ruleOfThumb = "rule_of_thumb"
        }
    }

    public init(scenario: Scenario, runs: [RunMetrics], reference: ReferenceComparison? = nil, advice: Advice? = nil) {
        let comparison = RunComparison(scenario: scenario, runs: runs)
        let verdict = Verdict(scenario: scenario, comparison: comparison)
        tool = Report.toolVersion
        self.scenario = ScenarioInfo(name: scenario.name, description: scenario.description, seed: scenario.seed)
        baseline = comparison.baseline
        workload = WorkloadInfo(
            bound: verdict.profile.bound.rawValue, cpuShare: verdict.profile.cpuShare,
            dominantCpuKind: verdict.profile.dominantCPUKind?.rawValue)
        self.verdict = verdict.text
        strategies = comparison.figures.map(StrategyResult.init)
        self.reference = reference.map { r in
            ReferenceInfo(
                source: r.source,
                rows: r.rows.map {
                    ReferenceRow(strategy: $0.strategy, predictedNs: $0.predicted.nanoseconds, predictedS: $0.predicted.seconds,
                                 referenceNs: $0.reference.nanoseconds, referenceS: $0.reference.seconds,
                                 errorPercent: $0.errorPercent)
                },
                meanAbsoluteErrorPercent: r.meanAbsoluteErrorPercent)
        }
        self.advice = advice.map {
            AdviceInfo(choice: $0.choice, asGood: $0.asGood, lines: $0.lines,
                       ruleOfThumb: .init(pick: $0.ruleOfThumb.pick, reading: $0.ruleOfThumb.reading, verdict: $0.ruleOfThumbVerdict))
        }
    }

    /// The encoder of results.json: keys sorted, pretty-printed (the snake_case keys are the types' CodingKeys).
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return encoder
    }

    /// The decoder that reads results.json back.
    public static func makeDecoder() -> JSONDecoder {
        JSONDecoder()
    }

    /// The document as JSON text ending with a newline.
    public func jsonText() throws -> String {
        let data = try Self.makeEncoder().encode(self)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
