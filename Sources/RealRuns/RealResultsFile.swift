import Foundation
import SimEngine
import SimTrace

/// What `simulate real` and `simulate compare` save: output/<scenario>/real.json and real.csv.
/// Times are integer nanoseconds in the JSON, milliseconds in the CSV.
public struct RealResults: Sendable, Codable, Equatable {
    public struct StrategyEntry: Sendable, Codable, Equatable {
        public var strategy: String
        public var kind: String
        public var makespan: MeasuredSpread
        public var latencyP50: SimTime
        public var latencyP95: SimTime
        /// Each run's metrics, in the order they ran.
        public var runs: [RunMetrics]
        /// Each run's mechanism figures (GIL shares, hand-offs, waits, loop, cores), in the same order.
        public var mechanisms: [MechanismFigures]
    }

    public var scenario: String
    public var python: String
    public var strategies: [StrategyEntry]

    public init(scenario: String, results: [RealStrategyResult]) {
        self.scenario = scenario
        python = results.first?.runs.first?.python ?? "?"
        strategies = results.map {
            StrategyEntry(strategy: $0.strategy.label, kind: $0.strategy.kind.name, makespan: $0.makespan,
                          latencyP50: $0.latencyP50, latencyP95: $0.latencyP95, runs: $0.runs.map(\.metrics),
                          mechanisms: $0.runs.map(\.mechanisms))
        }
    }

    /// One row per run: strategy, run, makespan, p50, p95, operations, throughput.
    public func csv() -> String {
        var lines = ["strategy,kind,run,makespan_ms,latency_p50_ms,latency_p95_ms,operations,throughput_per_s"]
        for s in strategies {
            for (i, m) in s.runs.enumerated() {
                lines.append(String(format: "%@,%@,%d,%.3f,%.3f,%.3f,%d,%.3f", s.strategy, s.kind, i + 1, m.makespan.milliseconds,
                                    m.latencyPercentile(50).milliseconds, m.latencyPercentile(95).milliseconds,
                                    m.operations, m.throughput))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `<folder>/real.json` and `<folder>/real.csv` atomically; returns their paths.
    @discardableResult
    public func write(to folder: String) throws -> [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = folder + "/real.json", csvPath = folder + "/real.csv"
        try AtomicFile.write(try encoder.encode(self), to: json)
        try AtomicFile.write(csv(), to: csvPath)
        return [json, csvPath]
    }

    /// A table of the measurements for the terminal.
    public func table() -> String {
        func ms(_ t: SimTime) -> String { String(format: "%.1f", t.milliseconds) }
        // The strategy column as wide as the longest label (at least the header's "strategy" and a space).
        let width = max(11, (strategies.map(\.strategy.count).max() ?? 0) + 1)
        var lines = ["strategy".padding(toLength: width, withPad: " ", startingAt: 0) + " real ms median (min-max)   p50 ms   p95 ms   ops    CPU steps' pace"]
        for s in strategies {
            let spread = "\(ms(s.makespan.median)) (\(ms(s.makespan.min))-\(ms(s.makespan.max)))"
            // The median of the runs' paces: 100% is the speed the steps were sized for.
            let pace = RunMetrics.medianPace(s.runs.compactMap(\.cpuStepPace))
            lines.append(s.strategy.padding(toLength: width, withPad: " ", startingAt: 0) + " "
                + spread.padding(toLength: 26, withPad: " ", startingAt: 0)
                + ms(s.latencyP50).padding(toLength: 9, withPad: " ", startingAt: 0)
                + ms(s.latencyP95).padding(toLength: 9, withPad: " ", startingAt: 0)
                + "\(s.runs.first?.operations ?? 0)".padding(toLength: 7, withPad: " ", startingAt: 0)
                + (pace.map { String(format: "%.1f%%", $0 * 100) } ?? "-"))
        }
        return lines.joined(separator: "\n")
    }
}
