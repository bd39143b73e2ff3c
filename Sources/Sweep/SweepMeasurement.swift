import Foundation
import SimRendering
import SimReport
import SimScenario
import SimTrace

extension SweepDocument {
    /// A strategy measured for real at a point (`simulate sweep --real`): the median of the repetitions with
    /// their smallest and largest value, for the figures a real run measures well.
    public struct Measured: Codable, Sendable, Equatable {
        /// A median with the smallest and largest of the repetitions (as drawn).
        public typealias Spread = SweepChart.Measured

        public var point: Int
        public var values: [String]
        public var strategy: String
        /// Repetitions measured.
        public var runs: Int
        public var makespanS: Spread
        public var latencyP95S: Spread
        public var throughputOpsPerS: Spread

        enum CodingKeys: String, CodingKey {
            case point, values, strategy, runs
            case makespanS = "makespan_s"
            case latencyP95S = "latency_p95_s"
            case throughputOpsPerS = "throughput_ops_per_s"
        }

        /// The spread of repetitions of one strategy at one point.
        public init(point: Int, values: [String], strategy: String, runs: [RunMetrics]) {
            self.point = point
            self.values = values
            self.strategy = strategy
            self.runs = runs.count
            makespanS = Spread(runs.map(\.makespan.seconds))
            latencyP95S = Spread(runs.map { $0.latencyPercentile(95).seconds })
            throughputOpsPerS = Spread(runs.map(\.throughput))
        }
    }
}

/// `simulate sweep --real`: a small sweep measured for real, beside the model's lines.
///
/// The measuring itself (the harness, the latency server, the venv) is given as a closure, so that this
/// library only decides what runs in which order and how the measurements join the sweep's files.
public enum SweepMeasurement {
    /// The most real points x strategies a sweep measures unless `--max-real-points` allows more: each is
    /// a real program run `--runs` times, seconds each, where the model takes milliseconds.
    public static let defaultMaxRealPoints = 40

    /// The CSV columns `--real` adds after sweep.csv's own (empty where a row was not measured).
    public static let csvColumns = [
        "measured_runs", "measured_makespan_s", "measured_makespan_min_s", "measured_makespan_max_s",
        "measured_latency_p95_s", "measured_throughput_ops_per_s",
    ]

    /// Refuses, before anything runs, a real sweep larger than `maxRealPoints` points x strategies.
    public static func check(points: Int, strategies: Int, maxRealPoints: Int) throws {
        let total = points * strategies
        guard total <= maxRealPoints else {
            throw SweepError("--real measures \(points) points x \(strategies) strategies = \(total) real points, more than \(maxRealPoints); each runs a real program --runs times. Measure fewer (fewer --vary values, --strategies) or raise the bound with --max-real-points \(total)")
        }
    }

    /// Measures every point of `plan` `runs` times. Repetitions are interleaved across points (A B A B: every
    /// point once, then every point again), so that a change in the machine's load spreads over the whole
    /// sweep instead of bending one end of it. `measure(point, scenario)` runs the point's scenario once
    /// for each of its strategies and returns their metrics by strategy label (in the scenario's order).
    public static func measure(_ plan: SweepPlan, runs: Int,
                               measure: (Int, Scenario) throws -> [(strategy: String, metrics: RunMetrics)]) throws -> [SweepDocument.Measured] {
        let points = plan.points
        let scenarios = try points.map { try plan.scenario(atPoint: $0) }
        var byPoint: [[(strategy: String, runs: [RunMetrics])]] = points.map { _ in [] }
        for _ in 0..<max(1, runs) {
            for (i, p) in points.enumerated() {
                for (strategy, metrics) in try measure(p, scenarios[i]) {
                    if let k = byPoint[i].firstIndex(where: { $0.strategy == strategy }) {
                        byPoint[i][k].runs.append(metrics)
                    } else {
                        byPoint[i].append((strategy, [metrics]))
                    }
                }
            }
        }
        return zip(points, byPoint).flatMap { p, strategies in
            strategies.map { SweepDocument.Measured(point: p, values: plan.values(ofPoint: p), strategy: $0.strategy, runs: $0.runs) }
        }
    }

    /// The sweep's files with the measurements joined: sweep.json gains `measured`, every row of sweep.csv
    /// the `csvColumns` (filled where its point and strategy were measured).
    public static func join(_ measured: [SweepDocument.Measured], into output: SweepOutput) -> SweepOutput {
        var out = output
        out.document.measured = measured
        var lines = output.csv.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard !lines.isEmpty else { return out }
        lines[0] += "," + csvColumns.joined(separator: ",")
        // The CSV's lines are the document's rows, in the same order (SweepRunner writes both from one list).
        for (i, row) in output.document.rows.enumerated() where i + 1 < lines.count {
            if let m = measured.first(where: { $0.point == row.point && $0.strategy == row.result.strategy }) {
                let fields = [String(m.runs)] + [m.makespanS.median, m.makespanS.min, m.makespanS.max, m.latencyP95S.median, m.throughputOpsPerS.median]
                    .map { String(format: "%.6f", $0) }
                lines[i + 1] += "," + fields.joined(separator: ",")
            } else {
                lines[i + 1] += String(repeating: ",", count: csvColumns.count)
            }
        }
        out.csv = lines.map { $0 + "\n" }.joined()
        return out
    }
}
