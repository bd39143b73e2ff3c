import SimEngine
import SimTrace

/// A figure shown under the title, e.g. ("p95 latency", "45 ms").
public struct KeyFigure: Sendable, Equatable {
    public var label: String
    public var value: String
    public init(_ label: String, _ value: String) {
        self.label = label
        self.value = value
    }

    /// The usual figures of a run: makespan, p95 latency, GIL switches, drop requests, forced switches, CPU busy.
    public static func standard(from m: RunMetrics) -> [KeyFigure] {
        var out = [KeyFigure("makespan", Format.duration(m.makespan))]
        if !m.taskLatencies.isEmpty { out.append(KeyFigure("p95 latency", Format.duration(m.latencyPercentile(95)))) }
        if m.makespan.nanoseconds > 0, m.operations > 0 {
            out.append(KeyFigure("throughput", Format.grouped(Int(m.throughput.rounded())) + " ops/s"))
        }
        out.append(KeyFigure("GIL switches", Format.grouped(m.gilSwitches)))
        out.append(KeyFigure("drop requests", Format.grouped(m.dropRequests)))
        if m.forcedSwitches > 0 { out.append(KeyFigure("forced switches", Format.grouped(m.forcedSwitches))) }
        if !m.coreBusy.isEmpty, m.makespan.nanoseconds > 0 {
            let busy = m.coreBusy.reduce(SimTime.zero, +)
            let share = busy.seconds / (Double(m.coreBusy.count) * m.makespan.seconds)
            let cores = m.coreBusy.count == 1 ? "1 core" : "\(m.coreBusy.count) cores"
            out.append(KeyFigure("CPU busy (\(cores))", "\(Format.duration(busy)) (\(Format.percent(share)))"))
        }
        return out
    }

    /// The figures a predicted and a measured run can both show, computed the same way from either trace
    /// (`MechanismFigures`): makespan, throughput, GIL hand-offs after a wait, the wait to resume after I/O
    /// per round trip, CPU busy. For the model-against-measurement picture.
    public static func comparable(from m: RunMetrics, mechanisms f: MechanismFigures) -> [KeyFigure] {
        var out = [KeyFigure("makespan", Format.duration(m.makespan))]
        if m.makespan.nanoseconds > 0, m.operations > 0 {
            out.append(KeyFigure("throughput", Format.grouped(Int(m.throughput.rounded())) + " ops/s"))
        }
        out.append(KeyFigure("GIL hand-offs", Format.grouped(f.handoffs)))
        if f.ioWaits > 0 { out.append(KeyFigure("resume wait / round trip", Format.duration(f.ioWaitPerRoundTrip))) }
        if !f.coreUtilisation.isEmpty {
            let share = f.coreUtilisation.reduce(0, +) / Double(f.coreUtilisation.count)
            out.append(KeyFigure("CPU busy", Format.percent(share)))
        }
        return out
    }
}

/// One timeline picture: a run's trace with its title and key figures.
public struct TimelineChart: Sendable {
    /// The scenario's name, e.g. "web-scraper".
    public var scenario: String
    /// The strategy's label, e.g. "threads".
    public var strategy: String
    /// Shown in the title when known.
    public var makespan: SimTime?
    /// A second line under the title (e.g. "model, seed 1, 2 cores, Python 3.12").
    public var subtitle: String
    public var trace: Trace
    public var keyFigures: [KeyFigure]

    public init(scenario: String, strategy: String, makespan: SimTime? = nil, subtitle: String = "", trace: Trace,
                keyFigures: [KeyFigure] = []) {
        self.scenario = scenario
        self.strategy = strategy
        self.makespan = makespan
        self.subtitle = subtitle
        self.trace = trace
        self.keyFigures = keyFigures
    }

    /// A chart with the standard key figures of `metrics`.
    public init(scenario: String, metrics: RunMetrics, trace: Trace, subtitle: String = "") {
        self.init(scenario: scenario, strategy: metrics.strategy, makespan: metrics.makespan, subtitle: subtitle,
                  trace: trace, keyFigures: KeyFigure.standard(from: metrics))
    }

    /// "scenario — strategy — makespan 1.2 s".
    var title: String {
        var t = "\(scenario) — \(strategy)"
        if let makespan { t += " — makespan \(Format.duration(makespan))" }
        return t
    }
}

/// Measured makespans of repeated real runs: median, min and max.
public typealias MeasuredMakespan = MeasuredSpread

/// One strategy in the comparison picture.
public struct ComparisonRow: Sendable {
    /// The strategy's label.
    public var strategy: String
    /// Predicted makespan.
    public var makespan: SimTime
    /// The predicted trace, drawn as a compact band; nil draws none.
    public var trace: Trace?
    /// Real runs, drawn beside the predicted bar when present.
    public var measured: MeasuredMakespan?
    /// A short line under the strategy's name, e.g. "Python 3.14, predicted" for a row the others' machine
    /// cannot run; nil for none.
    public var note: String?

    public init(strategy: String, makespan: SimTime, trace: Trace? = nil, measured: MeasuredMakespan? = nil, note: String? = nil) {
        self.strategy = strategy
        self.makespan = makespan
        self.trace = trace
        self.measured = measured
        self.note = note
    }
}
