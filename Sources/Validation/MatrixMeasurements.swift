import Foundation
import SimEngine
import SimRealRuns
import SimTrace

/// One strategy of one case, measured: every repetition's makespan in the order it ran, and their spread.
public struct MeasuredPoint: Sendable, Codable, Equatable {
    public var median: SimTime
    public var min: SimTime
    public var max: SimTime
    public var runs: [SimTime]
    /// For each of `runs`, the index in `MatrixMeasurements.sessionProfiles` of the profile its session was
    /// measured with; nil when every run was measured with `MatrixMeasurements.machine`.
    public var profiles: [Int]?
    /// For each of `runs`, its CPU steps' pace (`RunMetrics.cpuStepPace`); nil when a run had none (not
    /// instrumented, no CPU steps, or measured before the pace was recorded).
    public var paces: [Double]?

    public init(runs: [SimTime], profiles: [Int]? = nil, paces: [Double]? = nil) {
        precondition(profiles == nil || profiles?.count == runs.count, "one profile index per run")
        precondition(paces == nil || paces?.count == runs.count, "one pace per run")
        let spread = MeasuredSpread(runs)
        median = spread.median
        min = spread.min
        max = spread.max
        self.runs = runs
        self.profiles = profiles
        self.paces = paces
    }

    /// The median (the lower middle one) of the paces of the runs `selected` picks (all by default); nil without paces.
    public func medianPace(of selected: (Int) -> Bool = { _ in true }) -> Double? {
        guard let paces else { return nil }
        return RunMetrics.medianPace(paces.indices.filter(selected).map { paces[$0] })
    }

    public var spread: MeasuredSpread { MeasuredSpread(median: median, min: min, max: max) }

    /// The mean of the runs (the median when there are none recorded).
    public var mean: SimTime {
        runs.isEmpty ? median : SimTime(nanoseconds: runs.reduce(Int64(0)) { $0 + $1.nanoseconds } / Int64(runs.count))
    }
}

/// A case's measurements: its half (copied from the matrix when it was measured) and each strategy's point.
public struct MeasuredCase: Sendable, Codable, Equatable {
    public var half: MatrixHalf
    /// The day it was measured (UTC, yyyy-MM-dd).
    public var date: String
    /// By strategy label.
    public var strategies: [String: MeasuredPoint]
    /// The median of the noise probe timed just before the case (nil in files from before it was).
    public var speedProbe: SimTime?
    /// A plain program's time of one task alone (its `one` runs), which the model is told; nil for harness cases.
    public var oneTask: MeasuredPoint?
}

/// The machine's noise during one measuring session: the fixed probe of calibrate.py timed before and after.
public struct NoiseRecord: Sendable, Codable, Equatable {
    public var date: String
    /// The cases measured in that session.
    public var cases: [String]
    public var probe: [SimTime]

    public init(date: String, cases: [String], probe: [SimTime]) {
        self.date = date
        self.cases = cases
        self.probe = probe
    }

    /// (max − min) / median of the probe's timings, in percent.
    public var spreadPercent: Double {
        let s = MeasuredSpread(probe)
        guard s.median.nanoseconds > 0 else { return 0 }
        return Double((s.max - s.min).nanoseconds) / Double(s.median.nanoseconds) * 100
    }
}

/// validation/measurements.json: the matrix measured on one machine, so that the model can be checked
/// against it in seconds without running anything real.
public struct MatrixMeasurements: Sendable, Codable, Equatable {
    public var version = 1
    /// The machine profile the real runs were sized with (and the model is applied with). In a pool of
    /// sessions calibrated apart, the first session's.
    public var machine: MachineProfile
    /// In a pool of sessions measured with different profiles (each calibrated just before it), those profiles,
    /// each once, in the order the sessions were pooled; a run is predicted with its own session's
    /// (`MeasuredPoint.profiles`). nil when every session had `machine`.
    public var sessionProfiles: [MachineProfile]?
    /// Repetitions of each strategy, interleaved (A B A B ...).
    public var repetitions: Int
    public var noise: [NoiseRecord]
    /// By case name.
    public var cases: [String: MeasuredCase]

    public init(machine: MachineProfile, repetitions: Int) {
        self.machine = machine
        self.repetitions = repetitions
        noise = []
        cases = [:]
    }

    /// Every run predicted with `profile`, whatever its session was measured with (`simulate validate --profile`).
    public mutating func predictEveryRun(with profile: MachineProfile) {
        machine = profile
        sessionProfiles = nil
    }

    /// The file's bytes: sorted keys, one indentation level per object, so that a re-measured case changes
    /// only its own lines.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    public func save(to path: String) throws { try AtomicFile.write(try encoded(), to: path) }

    /// - Throws: `MatrixError.badFile` naming the file and the problem.
    public static func load(from path: String) throws -> MatrixMeasurements {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MatrixError.badFile(path: path, reason: "it does not exist or cannot be read; measure the matrix with simulate validate --measure")
        }
        let measurements: MatrixMeasurements
        do { measurements = try JSONDecoder().decode(MatrixMeasurements.self, from: data) } catch {
            throw MatrixError.badFile(path: path, reason: "not a measurements file written by simulate validate --measure: \(error)")
        }
        // Each run's profile index names one of `sessionProfiles`, one index a run; a pace is a positive number, one a run.
        let profiles = measurements.sessionProfiles?.count ?? 0
        for (name, c) in measurements.cases.sorted(by: { $0.key < $1.key }) {
            for (label, point) in c.strategies.sorted(by: { $0.key < $1.key }) + (c.oneTask.map { [("one task", $0)] } ?? []) {
                if let paces = point.paces, paces.count != point.runs.count || !paces.allSatisfy({ $0 > 0 && $0.isFinite }) {
                    throw MatrixError.badFile(path: path, reason: "cases.\(name).strategies.\(label).paces: \(paces.count) paces for \(point.runs.count) runs, each above 0; measure the case again with simulate validate --measure")
                }
                guard let indices = point.profiles else { continue }
                guard indices.count == point.runs.count, indices.allSatisfy({ (0..<profiles).contains($0) }) else {
                    throw MatrixError.badFile(path: path, reason: "cases.\(name).strategies.\(label).profiles: \(indices.count) profile indices for \(point.runs.count) runs, each to be below the \(profiles) of sessionProfiles; pool the sessions again with simulate validate --pool")
                }
            }
        }
        return measurements
    }

    /// Today in UTC as yyyy-MM-dd.
    public static func today() -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: Date())
    }
}

/// Measures cases of the matrix with the harness (`RealRunner`), each strategy `repetitions` times
/// interleaved, with the noise probe timed before each case and after the last.
public struct MatrixMeasurer: Sendable {
    public var runner: RealRunner
    public var repetitions: Int
    /// `RealRunOptions.steadyRetries` for the harness's runs.
    public var steadyRetries: Int
    public var log: @Sendable (String) -> Void

    public init(runner: RealRunner, repetitions: Int, steadyRetries: Int = RealRunOptions.defaultSteadyRetries, log: @escaping @Sendable (String) -> Void) {
        self.runner = runner
        self.repetitions = repetitions
        self.steadyRetries = steadyRetries
        self.log = log
    }

    /// Measures `cases` into `measurements` (replacing what it held for them), saving the file at `path`
    /// after each case so that an interrupted session keeps what it measured.
    /// - Throws: `MatrixError.otherMachine` if `measurements` was taken with another profile; any
    ///   `RealRunError` of a run (nothing is added then for the case that failed).
    public func measure(_ cases: [ValidationCase], into measurements: inout MatrixMeasurements, path: String) throws {
        guard measurements.machine == runner.profile else { throw MatrixError.otherMachine(path: path) }
        let date = MatrixMeasurements.today()
        var probe: [SimTime] = []
        for (i, c) in cases.enumerated() {
            log("[\(i + 1)/\(cases.count)] \(c.name) (\(c.half.rawValue))")
            let before = try Calibrator.noiseProbe(environment: runner.environment)
            probe += before
            var points: [String: MeasuredPoint] = [:]
            var oneTask: MeasuredPoint?
            if c.program != nil {
                (points, oneTask) = try ProgramRunner(environment: runner.environment).measure(c, repetitions: repetitions, log: log)
            } else {
                let results = try runner.run(c.scenario, strategies: c.scenario.strategies,
                                             options: RealRunOptions(runs: repetitions, steadyRetries: steadyRetries, log: log))
                for r in results {
                    let paces = r.runs.compactMap(\.metrics.cpuStepPace)
                    points[r.strategy.label] = MeasuredPoint(runs: r.runs.map(\.metrics.makespan),
                                                             paces: paces.count == r.runs.count ? paces : nil)
                }
            }
            measurements.cases[c.name] = MeasuredCase(half: c.half, date: date, strategies: points,
                                                      speedProbe: MeasuredSpread(before).median, oneTask: oneTask)
            try measurements.save(to: path)
        }
        probe += try Calibrator.noiseProbe(environment: runner.environment)
        measurements.noise.append(NoiseRecord(date: date, cases: cases.map(\.name), probe: probe))
        try measurements.save(to: path)
    }
}
