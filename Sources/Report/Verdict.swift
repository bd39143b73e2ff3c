import SimEngine
import SimScenario
import SimTrace

/// A one-line verdict on a scenario in the seed article's spirit: what kind of workload it is and which
/// strategy wins by how much, e.g.
/// "CPU-bound (pure Python): processes 1.9x faster than sync; threads 1.1x slower (the GIL serialises them)."
/// or "I/O-bound: asyncio 7.2x faster than sync, threads 6.9x, processes 6.1x."
///
/// Factors are rounded to two significant digits; a strategy whose rounded factor is 1.0 is "about as fast".
public struct Verdict: Sendable, Equatable {
    public var profile: WorkloadProfile
    /// The verdict line, ending with a full stop, without a newline.
    public var text: String

    public init(scenario: Scenario, runs: [RunMetrics]) {
        self.init(scenario: scenario, comparison: RunComparison(scenario: scenario, runs: runs))
    }

    public init(scenario: Scenario, comparison: RunComparison) {
        let profile = WorkloadProfile(scenario: scenario)
        self.profile = profile
        let head = profile.description
        guard let base = comparison.baselineFigures else {
            text = "\(head): no strategy was run."
            return
        }
        let others = comparison.fastestFirst.filter { $0.label != base.label }
        guard !others.isEmpty else {
            text = "\(head): only \(base.label) was run (\(Format.duration(base.makespan)))."
            return
        }
        let baseName = comparison.baselineIsSync ? base.label : "\(base.label) (the slowest)"

        var faster: [(StrategyFigures, String)] = []
        var same: [StrategyFigures] = []
        var slower: [(StrategyFigures, String)] = []
        for run in others {
            if let f = Self.rounded(run.speedUp), f > 1.0 {
                faster.append((run, Format.shortFactor(f)))
            } else if run.speedUp > 0, let f = Self.rounded(1 / run.speedUp), f > 1.0 {
                slower.append((run, Format.shortFactor(f)))
            } else {
                same.append(run)
            }
        }
        let reason = { (run: StrategyFigures, isFaster: Bool) -> String in
            Self.reason(for: scenario.strategy(labelled: run.label, kind: run.metrics.kind), in: scenario,
                        profile: profile, faster: isFaster).map { " (\($0))" } ?? ""
        }

        var clauses: [String] = []
        if let (best, factor) = faster.first {
            var clause = "\(best.label) \(factor)x faster than \(baseName)\(reason(best, true))"
            for (run, f) in faster.dropFirst() { clause += ", \(run.label) \(f)x\(reason(run, true))" }
            clauses.append(clause)
        } else {
            clauses.append("\(base.label) is fastest")
        }
        if !same.isEmpty {
            clauses.append("\(Self.list(same.map(\.label))) about as fast as \(base.label)")
        }
        if !slower.isEmpty {
            clauses.append(slower.map { "\($0.0.label) \($0.1)x slower\(reason($0.0, false))" }.joined(separator: ", "))
        }
        text = "\(head): " + clauses.joined(separator: "; ") + "."
    }

    /// A factor rounded as it is printed (two significant digits); nil when not a positive finite number.
    static func rounded(_ factor: Double) -> Double? {
        guard factor.isFinite, factor > 0 else { return nil }
        return Double(Format.shortFactor(factor))
    }

    /// "a", "a and b", "a, b and c".
    static func list(_ names: [String]) -> String {
        guard names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " and " + names.last!
    }

    /// Why a strategy did as it did, where the mechanism is the article's point; nil otherwise.
    static func reason(for strategy: Strategy, in scenario: Scenario, profile: WorkloadProfile, faster: Bool) -> String? {
        let gil = scenario.settings(for: strategy).python.gil
        let kind = profile.dominantCPUKind
        switch strategy.kind {
        case .threads:
            guard profile.bound != .io else { return nil }
            if !gil { return faster ? "no GIL" : nil }
            if kind == .cReleasesGIL { return faster ? "the C code releases the GIL" : nil }
            return faster ? nil : "the GIL serialises them"
        case .tasklets where profile.bound == .io:
            return faster ? nil : "blocking I/O blocks every tasklet"
        case .gevent, .eventlet(_, false), .tasklets:
            return profile.bound == .cpu && !faster ? "one thread runs all the CPU work" : nil
        case .processes:
            // The article: I/O "took slightly more time because processes are more heavyweight than threads".
            return profile.bound == .io && !faster ? "processes are heavier to start" : nil
        case .interpreters:
            // A GIL per interpreter (PEP 684), but a start-up per worker, as processes.
            if profile.bound == .io { return faster ? nil : "each worker starts an interpreter" }
            return faster && kind == .python && gil ? "a GIL per interpreter" : nil
        case .sync, .asyncio, .uvloop, .trio, .curio, .eventlet, .tornado, .twisted:
            return nil
        }
    }
}
