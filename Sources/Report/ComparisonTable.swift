import SimEngine
import SimScenario
import SimTrace

/// The terminal table comparing the strategies, fastest first: makespan, speed-up against the baseline,
/// task latency p50/p95/max, throughput, CPU busy time and utilisation, GIL held/waited, GIL switches,
/// drop requests and events simulated.
///
/// About 110 columns wide for the default strategies; every line has the same width.
public struct ComparisonTable: Sendable {
    public var comparison: RunComparison

    public init(comparison: RunComparison) { self.comparison = comparison }

    public init(scenario: Scenario, runs: [RunMetrics]) {
        self.init(comparison: RunComparison(scenario: scenario, runs: runs))
    }

    /// The rows' strategy labels in table order (fastest first).
    public var order: [String] { comparison.fastestFirst.map(\.label) }

    /// The table's lines, without the explanatory footnote. `colour` adds ANSI bold/colour (use only when
    /// stdout is a terminal): the fastest row green, rows slower than the baseline red.
    public func lines(colour: Bool = false) -> [String] {
        typealias Column = TextTable.Column
        var table = TextTable(columns: [
            Column(header: "strategy", alignment: .left),
            Column(header: "makespan"),
            Column(header: "speed-up"),
            Column(header: "p50", group: "task latency"),
            Column(header: "p95", group: "task latency"),
            Column(header: "max", group: "task latency"),
            Column(header: "ops/s"),
            Column(header: "busy", group: "CPU"),
            Column(header: "util", group: "CPU"),
            Column(header: "held", group: "GIL"),
            Column(header: "waited", group: "GIL"),
            Column(header: "switches", group: "GIL"),
            Column(header: "drops", group: "GIL"),
            Column(header: "events"),
        ])
        let rows = comparison.fastestFirst
        for (index, row) in rows.enumerated() {
            let style: TextTable.Style
            if index == 0 && rows.count > 1 { style = .boldGreen }
            else if row.speedUp > 0 && row.speedUp < 0.95 { style = .red }
            else { style = .plain }
            table.append([
                row.label,
                Format.duration(row.makespan),
                Format.factor(row.speedUp),
                Format.duration(row.latencyP50),
                Format.duration(row.latencyP95),
                Format.duration(row.latencyMax),
                Format.rate(row.throughput),
                Format.duration(row.cpuBusy),
                Format.percent(row.utilisation),
                Format.duration(row.metrics.gilHeld),
                Format.duration(row.metrics.gilWaited),
                Format.count(row.metrics.gilSwitches),
                Format.count(row.metrics.dropRequests),
                Format.count(row.metrics.events),
            ], style: style)
        }
        return table.lines(colour: colour)
    }

    /// What the columns mean, in one line: the baseline, and how busy and utilisation are computed.
    public var footnote: String {
        let base: String
        if let label = comparison.baseline {
            base = comparison.baselineIsSync ? "speed-up vs \(label)" : "speed-up vs \(label) (the slowest; no sync run)"
        } else {
            base = "no runs"
        }
        return "\(base); ops/s = operations / makespan; CPU busy summed over cores, util = busy / (cores x makespan)"
    }

    /// The table and its footnote, lines ended by newlines.
    public func render(colour: Bool = false) -> String {
        (lines(colour: colour) + [footnote]).map { $0 + "\n" }.joined()
    }
}
