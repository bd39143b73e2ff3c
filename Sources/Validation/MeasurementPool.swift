import Foundation
import SimEngine
import SimRealRuns
import SimTrace

/// Several measurements of the matrix, taken in separate sessions, pooled run by run; and how far the sessions
/// agree with each other, which on a noisy machine is the floor under any model's error.
extension MatrixMeasurements {
    /// The sessions' runs pooled case by case and strategy by strategy (runs in the order of `sessions`),
    /// so that each point's median and band come from every run. A case or strategy that only some
    /// sessions measured keeps the runs those have. A case's date is its latest session's; its speed probe
    /// is the median of the sessions' probes; the noise records are kept side by side.
    ///
    /// Sessions may have been measured with different profiles, each calibrated just before its session: this
    /// VM's library code (urlopen, aiohttp, process starts) runs up to 1.5 times slower in one half hour than in
    /// another while its Python loop keeps its speed, so a calibration describes the runs of its own half hour
    /// best (docs/model.md, "Each session with its own calibration"). Then the pool keeps every profile once
    /// (`sessionProfiles`) and each run the index of its own (`MeasuredPoint.profiles`), and the first session's
    /// profile is `machine`. Sessions measured with one profile pool as before, with no indices.
    /// - Complexity: O(total runs · log + sessions · profiles) (profiles compared by value, once per session).
    /// - Throws: `MatrixError.badFile` for no sessions.
    public static func pooled(_ sessions: [(path: String, measurements: MatrixMeasurements)]) throws -> MatrixMeasurements {
        guard let first = sessions.first else {
            throw MatrixError.badFile(path: "--pool", reason: "no measurements to pool; give two or more files")
        }
        var pool = MatrixMeasurements(machine: first.measurements.machine, repetitions: 0)
        // Every profile a run was measured with, each once, in the order met.
        var profiles: [MachineProfile] = []
        func index(of profile: MachineProfile) -> Int {
            if let i = profiles.firstIndex(of: profile) { return i }
            profiles.append(profile)
            return profiles.count - 1
        }
        // A session's profiles as indices into `profiles`, worked out once per session: its own (`machine`), and
        // those of its `sessionProfiles` if it is itself a pool (`load` checks a file's indices against them).
        typealias Mapping = (own: Int, listed: [Int])
        func joined(_ a: MeasuredPoint?, _ b: MeasuredPoint, _ m: Mapping) -> MeasuredPoint {
            let indices = b.profiles.map { $0.map { m.listed[$0] } } ?? Array(repeating: m.own, count: b.runs.count)
            // Paces only where every run pooled has one.
            let paces = b.paces.flatMap { p in a == nil ? p : a?.paces.map { $0 + p } }
            return MeasuredPoint(runs: (a?.runs ?? []) + b.runs, profiles: (a?.profiles ?? []) + indices, paces: paces)
        }
        for (_, session) in sessions {
            let m: Mapping = (index(of: session.machine), (session.sessionProfiles ?? []).map(index(of:)))
            pool.repetitions += session.repetitions
            pool.noise += session.noise
            for (name, measured) in session.cases {
                var into = pool.cases[name] ?? MeasuredCase(half: measured.half, date: measured.date, strategies: [:],
                                                            speedProbe: nil, oneTask: nil)
                for (label, point) in measured.strategies {
                    into.strategies[label] = joined(into.strategies[label], point, m)
                }
                if let one = measured.oneTask { into.oneTask = joined(into.oneTask, one, m) }
                into.date = max(into.date, measured.date)
                into.half = measured.half
                pool.cases[name] = into
            }
        }
        // One profile throughout: no indices, the file as it was before sessions could differ.
        if profiles.count > 1 {
            pool.sessionProfiles = profiles
        } else {
            pool.cases = pool.cases.mapValues { measured in
                var c = measured
                c.strategies = c.strategies.mapValues { MeasuredPoint(runs: $0.runs, paces: $0.paces) }
                c.oneTask = c.oneTask.map { MeasuredPoint(runs: $0.runs, paces: $0.paces) }
                return c
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
