import Foundation
import SimEngine
import SimTrace

/// The model's prediction beside the measurement, for one strategy.
public struct StrategyComparison: Sendable, Codable, Equatable {
    public var strategy: String
    public var predictedMakespan: SimTime
    public var measuredMakespan: MeasuredSpread
    /// (predicted − measured median) / measured median × 100: positive when the model is pessimistic.
    public var errorPercent: Double
    public var predictedP50: SimTime
    public var predictedP95: SimTime
    public var measuredP50: SimTime
    public var measuredP95: SimTime
    public var withinTolerance: Bool
}

/// Model against reality for a scenario's strategies.
public struct Comparison: Sendable, Codable, Equatable {
    public var scenario: String
    /// The largest |error %| accepted.
    public var tolerancePercent: Double
    public var rows: [StrategyComparison]

    /// Whether every strategy's makespan error is within the tolerance.
    public var passed: Bool { rows.allSatisfy(\.withinTolerance) }

    /// Pairs each measured strategy with the prediction of the same label.
    /// - Precondition: `predicted` has a metrics value for each measured strategy's label.
    public init(scenario: String, predicted: [RunMetrics], measured: [RealStrategyResult], tolerancePercent: Double) {
        self.scenario = scenario
        self.tolerancePercent = tolerancePercent
        let byLabel = Dictionary(predicted.map { ($0.strategy, $0) }, uniquingKeysWith: { a, _ in a })
        rows = measured.compactMap { m in
            guard let p = byLabel[m.strategy.label] else { return nil }
            let spread = m.makespan
            let error = Self.errorPercent(predicted: p.makespan, measured: spread.median)
            return StrategyComparison(
                strategy: m.strategy.label, predictedMakespan: p.makespan, measuredMakespan: spread, errorPercent: error,
                predictedP50: p.latencyPercentile(50), predictedP95: p.latencyPercentile(95),
                measuredP50: m.latencyP50, measuredP95: m.latencyP95,
                withinTolerance: abs(error) <= tolerancePercent)
        }
    }

    /// (predicted − measured) / measured × 100; 0 when both are zero, infinite when only the measurement is.
    public static func errorPercent(predicted: SimTime, measured: SimTime) -> Double {
        if measured.nanoseconds == 0 { return predicted.nanoseconds == 0 ? 0 : .infinity }
        return Double(predicted.nanoseconds - measured.nanoseconds) / Double(measured.nanoseconds) * 100
    }

    /// A fixed-width table: one row per strategy.
    public func table() -> String {
        func ms(_ t: SimTime) -> String { String(format: "%.1f", t.milliseconds) }
        let header = ["strategy", "model ms", "real ms (min-max)", "error", "p50 model/real", "p95 model/real", ""]
        var rows: [[String]] = [header]
        for r in self.rows {
            rows.append([
                r.strategy, ms(r.predictedMakespan),
                "\(ms(r.measuredMakespan.median)) (\(ms(r.measuredMakespan.min))-\(ms(r.measuredMakespan.max)))",
                String(format: "%+.1f%%", r.errorPercent),
                "\(ms(r.predictedP50))/\(ms(r.measuredP50))", "\(ms(r.predictedP95))/\(ms(r.measuredP95))",
                r.withinTolerance ? "ok" : "OVER",
            ])
        }
        let widths = (0..<header.count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        var out = rows.map { row in
            row.enumerated().map { c, cell in
                c == 0 ? cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[c] - cell.count) + cell
            }.joined(separator: "  ")
        }
        out.insert(String(repeating: "-", count: out[0].count), at: 1)
        out.append(String(format: "tolerance ±%.0f%%: %@", tolerancePercent, passed ? "all within" : "some strategies are over"))
        return out.joined(separator: "\n")
    }
}
