import SimEngine
import SimScenario

/// The seed article's rule of thumb ("Making the Right Choice"), applied to a workload and checked against
/// what the model finds for it:
///
/// - CPU-bound -> multiprocessing
/// - I/O-bound, fast I/O, limited number of connections -> multithreading
/// - I/O-bound, slow I/O, many connections -> asyncio
///
/// The article gives no numbers; this reading takes "fast I/O" as a mean latency under `fastIOLimit` and
/// "limited connections" as at most `connectionLimit` concurrent tasks, and "CPU-bound"/"I/O-bound" as
/// `WorkloadProfile.bound` does (at least 80% / at most 20% of the time on CPU). Where the rule's
/// conditions disagree (fast I/O but many connections) or the workload is mixed, the rule says nothing.
public struct RuleOfThumb: Sendable, Equatable {
    /// Below this mean I/O latency the I/O counts as fast: a LAN service or a database, not the internet.
    public static let fastIOLimit = SimTime.milliseconds(10)
    /// Up to this many concurrent tasks the connections count as limited: aiohttp's default connection
    /// limit (`TCPConnector(limit=100)`), and several times a typical thread pool.
    public static let connectionLimit = 100

    /// The strategy kind the rule picks (processes, threads or asyncio); nil where it says nothing.
    public var pick: String?
    /// Which line of the rule applies, or why none does, e.g. "I/O-bound, slow I/O (180 ms), many
    /// connections (500)".
    public var reading: String

    public init(profile: WorkloadProfile, concurrency: Int, meanLatency: SimTime?) {
        switch profile.bound {
        case .cpu:
            pick = "processes"
            reading = "CPU-bound (\(Format.percent(profile.cpuShare)) of its time on CPU)"
        case .mixed:
            pick = nil
            reading = "neither CPU-bound nor I/O-bound (\(Format.percent(profile.cpuShare)) of its time on CPU)"
        case .io:
            let latency = meanLatency ?? .zero
            let fast = latency < Self.fastIOLimit
            let limited = concurrency <= Self.connectionLimit
            let io = "\(fast ? "fast" : "slow") I/O (\(Format.duration(latency)))"
            let connections = "\(limited ? "limited" : "many") connections (\(concurrency))"
            reading = "I/O-bound, \(io), \(connections)"
            switch (fast, limited) {
            case (true, true): pick = "threads"
            case (false, false): pick = "asyncio"
            default: pick = nil  // fast and many, or slow and few: the rule's conditions disagree
            }
        }
    }

    /// The rule for a scenario's foreground tasks.
    public init(scenario: Scenario) {
        self.init(profile: WorkloadProfile(scenario: scenario), concurrency: scenario.foregroundTaskCount,
                  meanLatency: Advice.meanIOLatency(scenario))
    }

    /// The rule set beside the model's choice, as one sentence: agreement, or how much slower the rule's
    /// pick is. `runs` are the model's figures, fastest first; `asGood` the strategies within 5% of the choice.
    public func verdict(choice: StrategyFigures?, asGood: [String], runs: [StrategyFigures]) -> String {
        let rule = "The article's rule of thumb"
        guard let pick else { return "\(rule) does not decide here: the workload is \(reading)." }
        guard let choice else { return "\(rule) picks \(pick): \(reading)." }
        let picked = runs.filter { $0.metrics.kind == pick }
        let good = [choice.label] + asGood
        if let plain = picked.first(where: { $0.label == pick }), !good.contains(plain.label),
           let variant = picked.first(where: { good.contains($0.label) }) {
            // The rule's kind wins only in a variant (threads-nogil, a pool): the plain one does not.
            let factor = Double(plain.makespan.nanoseconds) / Double(max(1, choice.makespan.nanoseconds))
            return "\(rule) agrees only through \(variant.label) (\(reading) -> \(pick)): plain \(pick) is \(Format.shortFactor(factor))x slower than \(choice.label)."
        }
        if picked.contains(where: { good.contains($0.label) }) {
            return "\(rule) agrees (\(reading) -> \(pick))."
        }
        guard let best = picked.min(by: { $0.makespan < $1.makespan }) else {
            return "\(rule) picks \(pick) (\(reading)), which was not run."
        }
        let factor = Double(best.makespan.nanoseconds) / Double(max(1, choice.makespan.nanoseconds))
        return "\(rule) picks \(pick) (\(reading)), but \(best.label) is \(Format.shortFactor(factor))x slower than \(choice.label) here: the rule is too coarse for this workload."
    }
}
