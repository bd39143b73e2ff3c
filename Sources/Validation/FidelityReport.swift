import Foundation
import SimEngine
import SimModel
import SimRealRuns
import SimScenario
import SimTrace

/// The model's prediction of one measured strategy of one case.
public struct FidelityPoint: Sendable, Equatable {
    public var caseName: String
    public var half: MatrixHalf
    public var strategy: String
    /// The strategy's kind (sync, threads, processes, gevent, asyncio): the picture's colour.
    public var kind: String
    public var predicted: SimTime
    public var measured: MeasuredSpread
    /// (predicted − measured median) / measured median × 100.
    public var errorPercent: Double
    /// The recorded band: measured min × (1 − tolerance) ... max × (1 + tolerance).
    public var band: ClosedRange<SimTime>

    public var inBand: Bool { band.contains(predicted) }
}

/// Figures over a set of points: the absolute makespan errors' median, 90th percentile (nearest rank) and
/// the worst point.
public struct FidelitySummary: Sendable, Equatable {
    public var label: String
    public var count: Int
    public var medianAbsErrorPercent: Double
    public var p90AbsErrorPercent: Double
    public var worst: FidelityPoint?

    public init(label: String, points: [FidelityPoint]) {
        self.label = label
        count = points.count
        let errors = points.map { abs($0.errorPercent) }.sorted()
        func rank(_ p: Double) -> Double {
            guard !errors.isEmpty else { return 0 }
            return errors[max(0, Int((p / 100 * Double(errors.count)).rounded(.up)) - 1)]
        }
        medianAbsErrorPercent = rank(50)
        p90AbsErrorPercent = rank(90)
        worst = points.max { abs($0.errorPercent) < abs($1.errorPercent) }
    }
}

/// The model run against every recorded measurement of the matrix: per point predicted against measured,
/// whether it stays in its recorded band, and summary figures per half.
public struct FidelityReport: Sendable {
    public var points: [FidelityPoint]
    /// How far beyond the measured min...max a prediction may fall, in percent.
    public var tolerancePercent: Double
    /// Cases of the matrix with no measurement (not checked).
    public var unmeasured: [String]

    /// The points outside their band.
    public var outside: [FidelityPoint] { points.filter { !$0.inBand } }
    public var passed: Bool { outside.isEmpty }

    /// Summaries for the fit half, the held-out half and all points.
    public var summaries: [FidelitySummary] {
        [FidelitySummary(label: "fit", points: points.filter { $0.half == .fit }),
         FidelitySummary(label: "held-out", points: points.filter { $0.half == .heldOut }),
         FidelitySummary(label: "all", points: points)]
    }

    /// Runs the model (no trace) on every measured strategy of every case, with the recorded machine profile
    /// applied exactly as `simulate compare` applies it. The half is the matrix's (the one that decides fitting).
    /// - Throws: a model error, naming the strategy.
    public static func evaluate(matrix: ValidationMatrix, measurements: MatrixMeasurements,
                                tolerancePercent: Double) throws -> FidelityReport {
        var points: [FidelityPoint] = []
        var unmeasured: [String] = []
        let widen = tolerancePercent / 100
        for c in matrix.cases {
            guard let measured = measurements.cases[c.name] else { unmeasured.append(c.name); continue }
            for strategy in c.scenario.strategies {
                guard let m = measured.strategies[strategy.label] else { continue }
                let applied = RealRunner.scenarioForComparison(c.scenario, strategy: strategy, profile: measurements.machine)
                let run = try Simulator.run(applied, strategy: strategy, options: SimulationOptions(trace: false))
                let predicted = run.metrics.makespan
                let band = m.min.scaled(by: 1 - widen)...m.max.scaled(by: 1 + widen)
                points.append(FidelityPoint(
                    caseName: c.name, half: c.half, strategy: strategy.label, kind: strategy.kind.name,
                    predicted: predicted, measured: m.spread,
                    errorPercent: Comparison.errorPercent(predicted: predicted, measured: m.median), band: band))
            }
        }
        return FidelityReport(points: points, tolerancePercent: tolerancePercent, unmeasured: unmeasured)
    }

    /// One line per point: case, half, strategy, model, measured median (min-max), error, band verdict.
    public func table() -> String {
        func ms(_ t: SimTime) -> String { String(format: "%.1f", t.milliseconds) }
        var rows = [["case", "half", "strategy", "model ms", "measured ms (min-max)", "error", "band"]]
        for p in points {
            rows.append([p.caseName, p.half.rawValue, p.strategy, ms(p.predicted),
                         "\(ms(p.measured.median)) (\(ms(p.measured.min))-\(ms(p.measured.max)))",
                         String(format: "%+.1f%%", p.errorPercent), p.inBand ? "ok" : "OUT"])
        }
        return Self.aligned(rows)
    }

    /// The summary figures per half, and the points outside their band.
    public func summary() -> String {
        var rows = [["half", "points", "median |error|", "p90 |error|", "worst"]]
        for s in summaries {
            let worst = s.worst.map { String(format: "%@ %@ %+.1f%%", $0.caseName, $0.strategy, $0.errorPercent) } ?? "-"
            rows.append([s.label, "\(s.count)", String(format: "%.1f%%", s.medianAbsErrorPercent),
                         String(format: "%.1f%%", s.p90AbsErrorPercent), worst])
        }
        var out = Self.aligned(rows)
        let verdict = passed
            ? String(format: "every prediction is inside its recorded band (measured min..max widened by %.0f%%)", tolerancePercent)
            : String(format: "%d of %d predictions leave their recorded band (measured min..max widened by %.0f%%): %@",
                     outside.count, points.count, tolerancePercent,
                     outside.map { "\($0.caseName) \($0.strategy)" }.joined(separator: ", "))
        out += "\n" + verdict
        if !unmeasured.isEmpty { out += "\nnot measured (not checked): " + unmeasured.joined(separator: ", ") }
        return out
    }

    /// Columns padded to their widest cell; the first three left-aligned, the rest right-aligned.
    static func aligned(_ rows: [[String]]) -> String {
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        var lines = rows.map { row in
            row.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return c < 3 || c == row.count - 1 && rows[0].count == 5 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        lines.insert(String(repeating: "-", count: lines[0].count), at: 1)
        return lines.map { $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }.joined(separator: "\n")
    }
}
