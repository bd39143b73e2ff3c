import Foundation
import SimEngine
import SimRealRuns
import SimTrace

/// Several measurements of the matrix, taken in separate sessions with one machine profile, pooled run by
/// run; and how far the sessions agree with each other, which on a noisy machine is the floor under any
/// model's error.
extension MatrixMeasurements {
    /// The sessions' runs pooled case by case and strategy by strategy (runs in the order of `sessions`),
    /// so that each point's median and band come from every run. A case or strategy that only some
    /// sessions measured keeps the runs those have. A case's date is its latest session's; its speed probe
    /// is the median of the sessions' probes; the noise records are kept side by side.
    /// - Complexity: O(total runs · log).
    /// - Throws: `MatrixError.otherMachine` naming the first session sized with another profile than the
    ///   first one (pooled runs must have been sized alike); `MatrixError.badFile` for no sessions.
    public static func pooled(_ sessions: [(path: String, measurements: MatrixMeasurements)]) throws -> MatrixMeasurements {
        guard let first = sessions.first else {
            throw MatrixError.badFile(path: "--pool", reason: "no measurements to pool; give two or more files")
        }
        var pool = MatrixMeasurements(machine: first.measurements.machine, repetitions: 0)
        for (path, session) in sessions {
            guard session.machine == pool.machine else { throw MatrixError.otherMachine(path: path) }
            pool.repetitions += session.repetitions
            pool.noise += session.noise
            for (name, measured) in session.cases {
                guard var into = pool.cases[name] else {
                    pool.cases[name] = measured
                    continue
                }
                for (label, point) in measured.strategies {
                    into.strategies[label] = MeasuredPoint(runs: (into.strategies[label]?.runs ?? []) + point.runs)
                }
                if let one = measured.oneTask {
                    into.oneTask = MeasuredPoint(runs: (into.oneTask?.runs ?? []) + one.runs)
                }
                into.date = max(into.date, measured.date)
                into.half = measured.half
                pool.cases[name] = into
            }
        }
        // The speed probe: the median of the sessions' (each a median of the probe timed before the case).
        for name in pool.cases.keys {
            let probes = sessions.compactMap { $0.measurements.cases[name]?.speedProbe }
            pool.cases[name]?.speedProbe = MeasuredSpread.lowerMedianAndExtremes(probes)?.median
        }
        return pool
    }
}

/// How far one measurement of the matrix reproduces another: for every point both measured,
/// |median − reference median| / reference median.
public struct MeasurementAgreement: Sendable {
    public var reference: String
    public var other: String
    public var figures: AbsolutePercentFigures
    /// The point that moved most: "case/strategy" and its change in percent.
    public var worst: (key: String, percent: Double)?

    public init(reference: String, _ a: MatrixMeasurements, other: String, _ b: MatrixMeasurements) {
        self.reference = reference
        self.other = other
        var changes: [(key: String, percent: Double)] = []
        for (name, ca) in a.cases.sorted(by: { $0.key < $1.key }) {
            guard let cb = b.cases[name] else { continue }
            for (label, pa) in ca.strategies.sorted(by: { $0.key < $1.key }) {
                guard let pb = cb.strategies[label] else { continue }
                changes.append((name + "/" + label, Comparison.errorPercent(predicted: pb.median, measured: pa.median)))
            }
        }
        figures = AbsolutePercentFigures(changes.map(\.percent))
        worst = changes.max { abs($0.percent) < abs($1.percent) }
    }

    /// One line: "B against A: 120 points, median 4.2%, p90 18.0%, worst case/strategy +40.1%".
    public var line: String {
        let w = worst.map { String(format: ", worst %@ %+.1f%%", $0.key, $0.percent) } ?? ""
        return String(format: "%@ against %@: %d points, median %.1f%%, p90 %.1f%%%@",
                      other, reference, figures.count, figures.median, figures.p90, w)
    }
}
