import Foundation
import SimEngine
import SimModel
import SimScenario
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
    /// The mechanism figures, model against the measured median.
    public var mechanisms: [MechanismComparison]
    /// The model again at the pace the real CPU steps ran at, where that was not the model's; nil otherwise.
    public var atMeasuredPace: PacedPrediction?
    /// True where the model's gevent resolver threads were left out of `mechanisms`, the harness not seeing
    /// them (`MechanismComparison.resolverUnseen`); nil otherwise.
    public var resolverLeftOut: Bool?
}

/// The model's makespan with the tasks' CPU steps run at the pace the real runs' steps ran at
/// (`SimulationOptions.stepPace`: the measured median `RunMetrics.cpuStepPace` over the model's): what the
/// model predicts for the machine as it was during the runs, so that what is left of the error is the model's.
public struct PacedPrediction: Sendable, Codable, Equatable {
    /// The CPU steps' pace, the model's (at the calibrated speed) and the median of the runs'.
    public var modelPace: Double
    public var measuredPace: Double
    public var makespan: SimTime
    /// Against the measured median makespan, as `StrategyComparison.errorPercent`.
    public var errorPercent: Double

    /// The departure of the measured pace from the model's below which the model is not run again: the
    /// pace of one speed of this VM moves by about that much from run to run.
    public static let threshold = 0.02

    /// The pace to run the model's steps at (`SimulationOptions.stepPace`) for a measured pace against the
    /// model's own: their ratio; nil where it is within `threshold` of 1, or a pace is missing.
    public static func stepPace(measured: Double?, model: Double?) -> Double? {
        guard let measured, let model, model > 0 else { return nil }
        let ratio = measured / model
        return abs(ratio - 1) >= threshold ? ratio : nil
    }

    /// The model run again, for each strategy whose median measured pace is `threshold` or more from the
    /// model's, at that pace.
    /// - Parameter scenarios: the scenario the model ran for each strategy's label (as `RealRunner.scenarioForComparison` makes it).
    /// - Throws: the model's `SimulationError`.
    public static func predictions(scenarios: [String: Scenario], predicted: [RunMetrics], measured: [RealStrategyResult]) throws -> [String: PacedPrediction] {
        let byLabel = Dictionary(predicted.map { ($0.strategy, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [String: PacedPrediction] = [:]
        for m in measured {
            guard let model = byLabel[m.strategy.label], let modelPace = model.cpuStepPace,
                  let measuredPace = RunMetrics.medianPace(m.runs.compactMap(\.metrics.cpuStepPace)),
                  let scenario = scenarios[m.strategy.label] else { continue }
            guard let ratio = stepPace(measured: measuredPace, model: modelPace) else { continue }
            let run = try Simulator.run(scenario, strategy: m.strategy, options: SimulationOptions(trace: false, stepPace: ratio))
            out[m.strategy.label] = PacedPrediction(
                modelPace: modelPace, measuredPace: measuredPace, makespan: run.metrics.makespan,
                errorPercent: Comparison.errorPercent(predicted: run.metrics.makespan, measured: m.makespan.median))
        }
        return out
    }
}

/// One mechanism figure of one strategy (`MechanismFigures`), the model's against the median of the runs.
public struct MechanismComparison: Sendable, Codable, Equatable {
    /// What it is, e.g. "GIL hand-offs/s", "resume wait per round trip", "GIL share: io".
    public var figure: String
    /// How to print it: "ms" (values in milliseconds), "%" (shares, 0...100), "/s".
    public var unit: String
    public var predicted: Double
    public var measuredMedian: Double
    public var measuredMin: Double
    public var measuredMax: Double
    /// (predicted − measured median) / measured median × 100; nil where the measurement is below the
    /// figure's floor (a relative error of a near-zero figure says nothing).
    public var errorPercent: Double?
    /// Whether it is within the mechanism tolerance; nil when no tolerance was asked for or there is no error.
    public var withinTolerance: Bool?

    /// Whether the model's run has gevent resolver threads holding the GIL and no measured run shows them
    /// holding it: the harness logs each lookup a pool thread runs, not what the thread waited for before it
    /// or when it took the GIL, so their hand-offs with the hub (a measured 0 by construction) and their GIL
    /// share are left out rather than compared (docs/model.md, "gevent's resolver threads").
    public static func resolverUnseen(predicted p: MechanismFigures, measured runs: [MechanismFigures]) -> Bool {
        func resolver(_ f: MechanismFigures) -> Bool { f.gilShare.contains { LaneNames.isGeventThreadpoolWorker($0.lane) } }
        return resolver(p) && !runs.contains(where: resolver)
    }

    /// The rows of one strategy: hand-offs, I/O waits where there is I/O, each thread's GIL share where it
    /// is at least 1% on either side (at most eight threads, the largest), the loop, a started thread's or
    /// process's wait to run, the cores (all of them together and the busiest). `leavingOutResolver`: without
    /// the hand-offs and the GIL share of gevent's resolver threads (`resolverUnseen`).
    public static func rows(predicted p: MechanismFigures, measured runs: [MechanismFigures], tolerancePercent: Double?,
                            leavingOutResolver unseenResolver: Bool) -> [MechanismComparison] {
        guard !runs.isEmpty else { return [] }
        var out: [MechanismComparison] = []
        func add(_ figure: String, _ unit: String, floor: Double, _ value: (MechanismFigures) -> Double?) {
            guard let predicted = value(p) else { return }
            let values = runs.compactMap(value).sorted()
            guard !values.isEmpty else { return }
            let median = values[(values.count - 1) / 2]
            guard max(abs(predicted), abs(median)) >= floor else { return }
            let error = median >= floor ? (predicted - median) / median * 100 : nil
            out.append(MechanismComparison(
                figure: figure, unit: unit, predicted: predicted, measuredMedian: median, measuredMin: values.first!,
                measuredMax: values.last!, errorPercent: error,
                withinTolerance: tolerancePercent.flatMap { t in error.map { abs($0) <= t } }))
        }
        func ms(_ t: SimTime) -> Double { t.milliseconds }
        add("CPU steps' pace", "%", floor: 1) { $0.cpuStepPace.map { $0 * 100 } }
        if !unseenResolver { add("GIL hand-offs/s", "/s", floor: 1) { $0.handoffsPerSecond } }
        add("answer late (median)", "ms", floor: 0.05) { $0.answerLate.map(ms) }
        add("resume wait per round trip", "ms", floor: 0.05) { ms($0.ioWaitPerRoundTrip) }
        add("resume wait p95", "ms", floor: 0.05) { ms($0.ioWaitP95) }
        add("GIL idle while wanted", "ms", floor: 0.05) { $0.gilIdleWhileWanted.map(ms) }
        add("GIL idle while wanted, per gap", "µs", floor: 1) { $0.gilIdlePerGap.map { $0.milliseconds * 1_000 } }
        // The executor's threads are interchangeable (which idle worker takes a job is the OS's choice), so
        // they are compared together.
        let executor = "executor threads"
        func group(_ lane: String) -> String { lane.hasPrefix(LaneNames.executorWorker(0).dropLast()) ? executor : lane }
        let lanes = Set(p.gilShare.map { group($0.lane) }).union(runs.flatMap { $0.gilShare.map { group($0.lane) } })
            .filter { !(unseenResolver && LaneNames.isGeventThreadpoolWorker($0)) }
        func share(_ f: MechanismFigures, _ lane: String) -> Double {
            f.gilShare.filter { group($0.lane) == lane }.reduce(0) { $0 + $1.share } * 100
        }
        let largest = lanes.sorted { (-share(p, $0), $0) < (-share(p, $1), $1) }.prefix(8)
        for lane in largest.sorted() { add("GIL share: \(lane)", "%", floor: 1) { share($0, lane) } }
        add("loop busy", "%", floor: 1) { $0.loopBusyShare.map { $0 * 100 } }
        add("loop longest busy", "ms", floor: 0.1) { $0.loopLongestBusy.map(ms) }
        add("start to first run (median)", "ms", floor: 0.05) { $0.startWait.map(ms) }
        add("waiting for a core", "ms", floor: 0.05) { $0.coreWait.map(ms) }
        add("waiting for a core, per turn", "µs", floor: 1) { $0.coreWaitPerTurn.map { $0.milliseconds * 1_000 } }
        add("loop waiting for a core", "ms", floor: 0.05) { $0.loopCoreWait.map(ms) }
        // Cores by how busy they were, not by number: the OS, not the program, chooses which core a thread runs on.
        func cores(_ f: MechanismFigures, _ pick: ([Double]) -> Double?) -> Double? {
            f.coreUtilisation.isEmpty ? nil : pick(f.coreUtilisation).map { $0 * 100 }
        }
        add("CPU busy (all cores)", "%", floor: 1) { cores($0) { $0.reduce(0, +) / Double($0.count) } }
        add("busiest core", "%", floor: 1) { cores($0) { $0.max() } }
        return out
    }
}

/// Model against reality for a scenario's strategies.
public struct Comparison: Sendable, Codable, Equatable {
    public var scenario: String
    /// The largest |error %| accepted.
    public var tolerancePercent: Double
    /// The largest |error %| accepted of a mechanism figure; nil: reported, not held to one.
    public var mechanismTolerancePercent: Double?
    public var rows: [StrategyComparison]

    /// Whether every strategy's makespan error is within the tolerance, and every mechanism figure within
    /// its own where one was asked for.
    public var passed: Bool {
        rows.allSatisfy { $0.withinTolerance && $0.mechanisms.allSatisfy { $0.withinTolerance != false } }
    }

    /// Pairs each measured strategy with the prediction of the same label.
    /// - Parameters:
    ///   - predictedTraces: the model's trace of each label, for the mechanism figures (none without).
    ///   - atMeasuredPace: the model again at the real steps' pace, by label (`PacedPrediction.predictions`).
    /// - Precondition: `predicted` has a metrics value for each measured strategy's label.
    public init(scenario: String, predicted: [RunMetrics], predictedTraces: [String: Trace] = [:],
                measured: [RealStrategyResult], tolerancePercent: Double, mechanismTolerancePercent: Double? = nil,
                atMeasuredPace: [String: PacedPrediction] = [:]) {
        self.scenario = scenario
        self.tolerancePercent = tolerancePercent
        self.mechanismTolerancePercent = mechanismTolerancePercent
        let byLabel = Dictionary(predicted.map { ($0.strategy, $0) }, uniquingKeysWith: { a, _ in a })
        rows = measured.compactMap { m in
            guard let p = byLabel[m.strategy.label] else { return nil }
            let figures = predictedTraces[m.strategy.label].map { MechanismFigures(trace: $0, metrics: p) }
            let measuredFigures = m.runs.map(\.mechanisms)
            let resolverLeftOut = figures.map { MechanismComparison.resolverUnseen(predicted: $0, measured: measuredFigures) } ?? false
            let mechanisms = figures.map {
                MechanismComparison.rows(predicted: $0, measured: measuredFigures, tolerancePercent: mechanismTolerancePercent,
                                         leavingOutResolver: resolverLeftOut)
            } ?? []
            let spread = m.makespan
            let error = Self.errorPercent(predicted: p.makespan, measured: spread.median)
            return StrategyComparison(
                strategy: m.strategy.label, predictedMakespan: p.makespan, measuredMakespan: spread, errorPercent: error,
                predictedP50: p.latencyPercentile(50), predictedP95: p.latencyPercentile(95),
                measuredP50: m.latencyP50, measuredP95: m.latencyP95,
                withinTolerance: abs(error) <= tolerancePercent, mechanisms: mechanisms,
                atMeasuredPace: atMeasuredPace[m.strategy.label], resolverLeftOut: resolverLeftOut ? true : nil)
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
        var out = Self.aligned(rows, leftColumns: 1)
        out.append(String(format: "tolerance ±%.0f%%: %@", tolerancePercent,
                          self.rows.allSatisfy(\.withinTolerance) ? "all within" : "some strategies are over"))
        let paced = self.rows.compactMap { r in r.atMeasuredPace.map { (r.strategy, $0) } }
        if !paced.isEmpty {
            var table = [["strategy", "CPU steps' pace model/real", "model ms at the real pace", "error"]]
            for (strategy, p) in paced {
                table.append([strategy, String(format: "%.1f%%/%.1f%%", p.modelPace * 100, p.measuredPace * 100),
                              ms(p.makespan), String(format: "%+.1f%%", p.errorPercent)])
            }
            out += ["", "The real CPU steps ran at another pace than the model's: the machine was not at its calibrated speed.",
                    "The model again at their pace (what is left of the error is the model's own):"]
            out += Self.aligned(table, leftColumns: 1)
        }
        let mechanisms = mechanismTable()
        return (out + (mechanisms.isEmpty ? [] : ["", mechanisms])).joined(separator: "\n")
    }

    /// Fixed-width lines of `rows` (the first is the header, followed by a rule): the first `leftColumns`
    /// columns left-aligned, the rest right-aligned, two spaces apart.
    static func aligned(_ rows: [[String]], leftColumns: Int) -> [String] {
        let widths = (0..<(rows.first?.count ?? 0)).map { c in rows.map { $0[c].count }.max() ?? 0 }
        var out = rows.map { row in
            row.enumerated().map { c, cell in
                c < leftColumns ? cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[c] - cell.count) + cell
            }.joined(separator: "  ")
        }
        if !out.isEmpty { out.insert(String(repeating: "-", count: out[0].count), at: 1) }
        return out
    }

    /// The mechanism figures, model against measured, one row per strategy and figure.
    public func mechanismTable() -> String {
        func value(_ v: Double, _ unit: String) -> String {
            switch unit {
            case "ms": return v >= 10 ? String(format: "%.1f ms", v) : String(format: "%.2f ms", v)
            case "%": return String(format: "%.1f%%", v)
            case "µs": return String(format: "%.0f µs", v)
            default: return String(format: "%.1f%@", v, unit)
            }
        }
        let header = ["strategy", "mechanism", "model", "real median (min-max)", "error", ""]
        var table: [[String]] = [header]
        for r in rows {
            for m in r.mechanisms {
                table.append([
                    r.strategy, m.figure, value(m.predicted, m.unit),
                    "\(value(m.measuredMedian, m.unit)) (\(value(m.measuredMin, m.unit))-\(value(m.measuredMax, m.unit)))",
                    m.errorPercent.map { String(format: "%+.0f%%", $0) } ?? "-",
                    m.withinTolerance.map { $0 ? "ok" : "OVER" } ?? "",
                ])
            }
        }
        guard table.count > 1 else { return "" }
        var out = Self.aligned(table, leftColumns: 2)
        out.append(String(format: "waits of at least %.0f µs (the measurement's resolution); hand-offs: waits for the GIL that end with "
                          + "taking it; answer late: from an I/O call's start to its answer leaving the server, beyond its "
                          + "latency (the client's way to send, the server's turn); resume wait: a lane that does I/O waiting "
                          + "for the GIL, its loop or hub, or a core; GIL idle while wanted: no thread holds a GIL while "
                          + "one of its threads waits for it (any length; the hand-offs' cost); "
                          + "GIL share: time holding the GIL / makespan; CPU steps' pace: their time on a core (measured: "
                          + "the thread's CPU time) over their planned durations, 100%% as calibrated; "
                          + "waiting for a core: the main process's threads that ran the work, from each wake-up (or "
                          + "preemption) to their next turn on a core, summed (measured: their schedstat run_delay; the "
                          + "model's wake-up latency is in it); cores from /proc/stat (the whole machine)",
                          Double(MechanismFigures.resolution.nanoseconds) / 1_000))
        let leftOut = rows.filter { $0.resolverLeftOut == true }.map(\.strategy)
        if !leftOut.isEmpty {
            out.append("\(leftOut.joined(separator: ", ")): the harness sees gevent's resolver threads' lookups, not their "
                       + "waits for the GIL, so their hand-offs with the hub and their GIL share are left out")
        }
        if let t = mechanismTolerancePercent {
            let within = rows.allSatisfy { $0.mechanisms.allSatisfy { $0.withinTolerance != false } }
            out.append(String(format: "mechanism tolerance ±%.0f%%: %@", t, within ? "all within" : "some figures are over"))
        }
        return out.joined(separator: "\n")
    }
}
