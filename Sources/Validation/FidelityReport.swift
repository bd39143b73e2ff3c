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
    /// The model's foreground operations (I/O round trips, or CPU steps without I/O): the same count ran for real.
    public var operations: Int = 0
    /// The error of the model run again at the pace the point's real CPU steps ran at (`PacedPrediction`),
    /// where their median pace was `PacedPrediction.threshold` or more from the model's; `errorPercent` where
    /// it was not; nil when the measurement has no paces.
    public var pacedErrorPercent: Double? = nil
    /// In a pool of sessions each calibrated apart (`MatrixMeasurements.sessionProfiles`), one error per session
    /// the point was measured in, in the order of the profiles: the model with that session's profile against
    /// the median of that session's runs. Empty for measurements with one profile.
    public var sessionErrorPercents: [Double] = []

    public var inBand: Bool { band.contains(predicted) }
    /// "case/strategy", as the known-misses file names it.
    public var key: String { caseName + "/" + strategy }
}

/// validation/known_misses.json: the points the model is known to miss (outside their band), each with the
/// error it had when recorded. The check fails for a miss not listed, and for a listed one that is now in
/// its band (remove it: the model got better), so the list always says exactly where the model misses.
public struct KnownMisses: Sendable, Codable, Equatable {
    /// By "case/strategy": the error in percent when it was recorded.
    public var misses: [String: Double]

    public init(misses: [String: Double] = [:]) { self.misses = misses }

    /// An absent file is an empty list.
    /// - Throws: `MatrixError.badFile` for a file that is not such a list.
    public static func load(from path: String) throws -> KnownMisses {
        guard let data = FileManager.default.contents(atPath: path) else { return KnownMisses() }
        do { return try JSONDecoder().decode(KnownMisses.self, from: data) } catch {
            throw MatrixError.badFile(path: path, reason: "not a known-misses file {\"misses\": {\"case/strategy\": error %}}; write it with simulate validate --record-misses: \(error)")
        }
    }

    public func save(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(self), to: path)
    }
}

/// Figures over a set of points: the absolute makespan errors' median, 90th percentile (nearest rank) and
/// the worst point.
public struct FidelitySummary: Sendable, Equatable {
    /// The half of the matrix summarised; nil for all the points.
    public var half: MatrixHalf?
    /// The half's name ("fit", "held-out"), or "all".
    public var label: String { half?.rawValue ?? "all" }
    public var count: Int
    public var medianAbsErrorPercent: Double
    public var p90AbsErrorPercent: Double
    public var worst: FidelityPoint?
    /// The worst point's error (its `errorPercent`, or the error the summary was made of).
    public var worstErrorPercent: Double?

    /// - Parameter error: each point's error in percent (by default its makespan error); a point without one
    ///   is left out.
    public init(half: MatrixHalf?, points: [FidelityPoint], error: (FidelityPoint) -> Double? = { $0.errorPercent }) {
        self.half = half
        let errors = points.compactMap { p in error(p).map { (point: p, percent: $0) } }
        let figures = AbsolutePercentFigures(errors.map(\.percent))
        count = figures.count
        medianAbsErrorPercent = figures.median
        p90AbsErrorPercent = figures.p90
        let most = errors.max { abs($0.percent) < abs($1.percent) }
        worst = most?.point
        worstErrorPercent = most?.percent
    }

    /// Fixed-width lines of `summaries`: half, points, median and p90 of the absolute errors, the worst point.
    static func table(_ summaries: [FidelitySummary]) -> String {
        var rows = [["half", "points", "median |error|", "p90 |error|", "worst"]]
        for s in summaries {
            let worst = s.worst.map { String(format: "%@ %@ %+.1f%%", $0.caseName, $0.strategy, s.worstErrorPercent ?? 0) } ?? "-"
            rows.append([s.label, "\(s.count)", String(format: "%.1f%%", s.medianAbsErrorPercent),
                         String(format: "%.1f%%", s.p90AbsErrorPercent), worst])
        }
        return FidelityReport.aligned(rows, leftColumns: 1)
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
    public var knownMisses = KnownMisses()

    /// The points outside their band.
    public var outside: [FidelityPoint] { points.filter { !$0.inBand } }
    /// Outside their band and not a known miss: a regression.
    public var newMisses: [FidelityPoint] { outside.filter { knownMisses.misses[$0.key] == nil } }
    /// Known misses now inside their band: the list must lose them.
    public var fixedMisses: [FidelityPoint] { points.filter { $0.inBand && knownMisses.misses[$0.key] != nil } }
    public var passed: Bool { newMisses.isEmpty && fixedMisses.isEmpty }

    /// How far each session's prediction of a point must miss, all the same way, for `persistentMisses`.
    public static let persistentMissPercent = 10.0
    /// The points measured in two or more sessions that each session's own prediction misses the same way by
    /// `persistentMissPercent` or more: a bias of the model, where a point whose sessions disagree in sign is
    /// missed by the machine's noise (on this VM a session's median of a convoy moves by a third or more from
    /// one session to the next: docs/model.md, "Each session against its own prediction").
    public var persistentMisses: [FidelityPoint] {
        points.filter { p in
            let e = p.sessionErrorPercents
            return e.count >= 2 && (e.allSatisfy { $0 >= Self.persistentMissPercent } || e.allSatisfy { $0 <= -Self.persistentMissPercent })
        }
    }
    /// Whether any point was measured in two or more sessions calibrated apart.
    var hasSessions: Bool { points.contains { $0.sessionErrorPercents.count >= 2 } }
    /// The known misses as they are now.
    public var currentMisses: KnownMisses {
        KnownMisses(misses: Dictionary(uniqueKeysWithValues: outside.map { ($0.key, ($0.errorPercent * 10).rounded() / 10) }))
    }

    /// Summaries for the fit half, the held-out half and all points; a half without points (a matrix of
    /// workloads nothing was fitted on is all held out) has none.
    public var summaries: [FidelitySummary] { summaries { $0.errorPercent } }

    /// The same, of the points' errors at the pace their real CPU steps ran at (`pacedErrorPercent`), and
    /// their plain errors where no pace was recorded (no CPU steps, or a run without instrumentation).
    public var pacedSummaries: [FidelitySummary] { summaries { $0.pacedErrorPercent ?? $0.errorPercent } }

    func summaries(_ error: (FidelityPoint) -> Double?) -> [FidelitySummary] {
        let halves = MatrixHalf.allCases.compactMap { half -> FidelitySummary? in
            let inHalf = points.filter { $0.half == half }
            return inHalf.isEmpty ? nil : FidelitySummary(half: half, points: inHalf, error: error)
        }
        return halves + [FidelitySummary(half: nil, points: points, error: error)]
    }

    /// How many seeds each prediction is the median of, by default: the measured figure is a median of runs
    /// (15 a point in the pooled measurement), and a few cases (the GIL races of several CPU threads beside an
    /// I/O thread, the 50 ms convoys of four round trips) move by a third from one seed to the next, so one
    /// seed is one draw where the measurement is a median; with 5 the 50 ms cases still swung by 10-20 points.
    public static let defaultSeeds = 15

    /// Runs the model (no trace) on every measured strategy of every case, with the recorded machine profile
    /// applied exactly as `simulate compare` applies it, once per seed (the case's seed and the `seeds - 1`
    /// after it); the prediction is the median makespan. In a pool of sessions calibrated apart, once per
    /// profile a point's runs were measured with, each run predicted with its own
    /// (`MatrixMeasurements.sessionProfiles`), the point's prediction the median over its runs. The half is the
    /// matrix's (the one that decides fitting).
    /// - Throws: a model error, naming the strategy.
    public static func evaluate(matrix: ValidationMatrix, measurements: MatrixMeasurements,
                                tolerancePercent: Double, knownMisses: KnownMisses = KnownMisses(),
                                seeds: Int = defaultSeeds) throws -> FidelityReport {
        var points: [FidelityPoint] = []
        var unmeasured: [String] = []
        let widen = tolerancePercent / 100
        for c in matrix.cases {
            guard let measured = measurements.cases[c.name] else { unmeasured.append(c.name); continue }
            // The recorded profile as calibrated. (Scaling its fixed costs by the speed probe timed before the
            // case, against the one at calibration, was tried and judged on the fit half: the 90th percentile
            // went from 21% to 31%, so the costs stay as measured; docs/model.md, "The validation matrix".)
            // A program's one task as the mean of its timings, not the median: a run of many tasks sums them
            // across the VM's two speeds, and the median of a few short timings picks whichever speed most of
            // them met (docs/model.md, "Plain programs": handlers.py's `one` 2.6 ms at the fast speed, its
            // parses 2.6-5.5 ms through a run).
            let scenario = try c.scenario(oneTask: measured.oneTask?.mean)
            for strategy in scenario.strategies {
                guard let m = measured.strategies[strategy.label] else { continue }
                let ownClient = c.program.map { !$0.calibratedClient } ?? false
                // The model's median run over the seeds, with `profile` applied as `simulate compare` applies it,
                // its CPU steps at `stepPace`.
                func predict(_ profile: MachineProfile, stepPace: Double = 1) throws -> SimulationRun {
                    let applied = ownClient ? profile.applyWithOwnClient(to: scenario)
                        : RealRunner.scenarioForComparison(scenario, strategy: strategy, profile: profile)
                    // The seeds run side by side (each run is independent and deterministic).
                    let runs = ParallelMap.run(max(1, seeds)) { i in
                        var seeded = applied
                        seeded.seed = applied.seed &+ UInt64(i)
                        return try Simulator.run(seeded, strategy: strategy, options: SimulationOptions(trace: false, stepPace: stepPace))
                    }
                    // The median run (the lower middle one for an even count); the first seed's error, if any.
                    let sorted = try runs.map { try $0.get() }.sorted { $0.metrics.makespan < $1.metrics.makespan }
                    return sorted[(sorted.count - 1) / 2]
                }
                // The model run again where the runs' CPU steps ran at another pace than its own (`PacedPrediction`):
                // at the median pace of the runs measured with `profile`'s session.
                func atMeasuredPace(_ profile: MachineProfile, _ model: SimulationRun, runs: (Int) -> Bool) throws -> SimulationRun? {
                    guard let measuredPace = m.medianPace(of: runs), model.metrics.cpuStepPace != nil else { return nil }
                    return try PacedPrediction.stepPace(measured: measuredPace, model: model.metrics.cpuStepPace)
                        .map { try predict(profile, stepPace: $0) } ?? model
                }
                let run: SimulationRun
                var paced: SimulationRun?
                var sessionErrors: [Double] = []
                if let list = measurements.sessionProfiles, let indices = m.profiles {
                    // A pool of sessions each calibrated apart: each run is predicted with its own session's
                    // profile, and the point's prediction is the median of the runs' (the lower middle one), as
                    // its measured figure is the median of the runs.
                    // (The indices are in range: `MatrixMeasurements.load` checks them, `pooled` makes them so.)
                    var byProfile: [Int: SimulationRun] = [:]
                    var pacedByProfile: [Int: SimulationRun] = [:]
                    for i in Set(indices).sorted() {
                        let model = try predict(list[i])
                        byProfile[i] = model
                        pacedByProfile[i] = try atMeasuredPace(list[i], model, runs: { indices[$0] == i })
                        // The session against its own prediction: the median of its runs, as every spread of runs.
                        let own = MeasuredSpread(indices.indices.filter { indices[$0] == i }.map { m.runs[$0] })
                        sessionErrors.append(Comparison.errorPercent(predicted: model.metrics.makespan, measured: own.median))
                    }
                    func median(_ runs: [SimulationRun]) -> SimulationRun? {
                        runs.sorted { $0.metrics.makespan < $1.metrics.makespan }.dropFirst((runs.count - 1) / 2).first
                    }
                    run = median(indices.compactMap { byProfile[$0] })!
                    let pacedRuns = indices.compactMap { pacedByProfile[$0] }
                    paced = pacedRuns.count == indices.count ? median(pacedRuns) : nil
                } else {
                    run = try predict(measurements.machine)
                    paced = try atMeasuredPace(measurements.machine, run, runs: { _ in true })
                }
                let predicted = run.metrics.makespan
                let band = m.min.scaled(by: 1 - widen)...m.max.scaled(by: 1 + widen)
                points.append(FidelityPoint(
                    caseName: c.name, half: c.half, strategy: strategy.label, kind: strategy.kind.name,
                    predicted: predicted, measured: m.spread,
                    errorPercent: Comparison.errorPercent(predicted: predicted, measured: m.median), band: band,
                    operations: run.metrics.operations,
                    pacedErrorPercent: paced.map { Comparison.errorPercent(predicted: $0.metrics.makespan, measured: m.median) },
                    sessionErrorPercents: sessionErrors))
            }
        }
        return FidelityReport(points: points, tolerancePercent: tolerancePercent, unmeasured: unmeasured, knownMisses: knownMisses)
    }

    /// One line per point: case, half, strategy, model, measured median (min-max), error, band verdict.
    /// With a column of the error at the measured pace where any point has one, and one of each session's
    /// error against its own prediction (`sessionErrorPercents`, "+17/+22/+32") in a pool of sessions.
    public func table() -> String {
        func ms(_ t: SimTime) -> String { String(format: "%.1f", t.milliseconds) }
        let paced = points.contains { $0.pacedErrorPercent != nil }
        let sessions = hasSessions
        var rows = [["case", "half", "strategy", "model ms", "measured ms (min-max)", "error"] + (paced ? ["at pace"] : [])
                    + (sessions ? ["by session"] : []) + ["band"]]
        for p in points {
            rows.append([p.caseName, p.half.rawValue, p.strategy, ms(p.predicted),
                         "\(ms(p.measured.median)) (\(ms(p.measured.min))-\(ms(p.measured.max)))",
                         String(format: "%+.1f%%", p.errorPercent)]
                        + (paced ? [p.pacedErrorPercent.map { String(format: "%+.1f%%", $0) } ?? "-"] : [])
                        + (sessions ? [Self.bySession(p)] : [])
                        + [p.inBand ? (knownMisses.misses[p.key] == nil ? "ok" : "ok, was a known miss") : (knownMisses.misses[p.key] == nil ? "OUT" : "known miss")])
        }
        return Self.aligned(rows)
    }

    /// The summary figures per half, and the points outside their band.
    public func summary() -> String {
        var out = FidelitySummary.table(summaries)
        let paced = points.filter { $0.pacedErrorPercent != nil }.count
        if paced > 0 {
            out += "\n\nthe model at the pace each point's real CPU steps ran at, the machine's speed during its runs (\(paced) points"
                + " with a recorded pace; the others as above):\n" + FidelitySummary.table(pacedSummaries)
        }
        out += String(format: "\n%d of %d predictions inside their recorded band (measured min..max widened by %.0f%%); %d known misses",
                      points.count - outside.count, points.count, tolerancePercent, outside.count - newMisses.count)
        if !newMisses.isEmpty {
            out += "\nnew misses (outside their band, not in known_misses.json): " + newMisses.map(\.key).joined(separator: ", ")
        }
        if !fixedMisses.isEmpty {
            out += "\nknown misses now inside their band (remove them from known_misses.json, or --record-misses): "
                + fixedMisses.map(\.key).joined(separator: ", ")
        }
        if hasSessions {
            let persistent = persistentMisses
            out += String(format: "\n%d %@ missed the same way by %.0f%% or more in each of their sessions (each against its own calibration: the model's bias, not the machine's noise)",
                          persistent.count, persistent.count == 1 ? "point" : "points", Self.persistentMissPercent)
                + (persistent.isEmpty ? "" : ": " + persistent.map { "\($0.key) (\(Self.bySession($0)))" }.joined(separator: ", "))
        }
        if !unmeasured.isEmpty { out += "\nnot measured (not checked): " + unmeasured.joined(separator: ", ") }
        return out
    }

    /// A point's session errors as "+17/+22/+32" (percent, rounded), or "-" for fewer than two sessions.
    static func bySession(_ p: FidelityPoint) -> String {
        p.sessionErrorPercents.count < 2 ? "-" : p.sessionErrorPercents.map { String(format: "%+.0f", $0) }.joined(separator: "/")
    }

    /// Columns padded to their widest cell: the first `leftColumns` and the last left-aligned, the others
    /// right-aligned.
    static func aligned(_ rows: [[String]], leftColumns: Int = 3) -> String {
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        var lines = rows.map { row in
            row.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return c < leftColumns || c == row.count - 1 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        lines.insert(String(repeating: "-", count: lines[0].count), at: 1)
        return lines.map { $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }.joined(separator: "\n")
    }
}
