import ArgumentParser
import Foundation
import SimEngine
import SimRealRuns
import SimRendering
import SimScenario
import SimTrace

/// How timelines are drawn.
struct PictureOptions: ParsableArguments {
    @Flag(help: "Do not draw timelines.")
    var noPictures = false

    @Option(help: ArgumentHelp("Picture size in pixels.", valueName: "WxH"))
    var size = "1920x1080"

    @Option(help: "Scale factor (2 for high-DPI screens).")
    var scale: Double = 1

    @Option(help: "light or dark.")
    var theme: String = "light"

    @Option(help: ArgumentHelp("Zoom into a time window, e.g. 0ms..40ms.", valueName: "start..end"))
    var window: String?

    @Option(help: "png, svg or pdf.")
    var format: String = "png"

    @Option(help: "Lanes shown before the rest collapse into a density band.")
    var maxLanes: Int = 24

    @Flag(help: "Hide the per-core lanes.")
    var noCores = false

    /// Checked before anything runs, so a mistake in a picture option writes nothing.
    func validate() throws {
        do { _ = try renderOptions() } catch let error as UserError { throw ValidationError(error.description) }
    }

    /// The options as the renderer takes them, or a message saying what to write instead.
    func renderOptions() throws -> RenderOptions {
        let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts[0] >= 320, parts[1] >= 240, parts[0] <= 16_384, parts[1] <= 16_384 else {
            throw UserError("--size \(size): write width x height in pixels, e.g. 1920x1080 (at least 320x240)")
        }
        guard let themeName = ThemeName(rawValue: theme) else {
            throw UserError("--theme \(theme): write light or dark")
        }
        guard let picture = PictureFormat(rawValue: format.lowercased()) else {
            throw UserError("--format \(format): write png, svg or pdf")
        }
        guard scale > 0, scale <= 8 else { throw UserError("--scale \(scale): write a factor between 0 and 8, e.g. 2") }
        guard maxLanes >= 1 else { throw UserError("--max-lanes \(maxLanes): show at least 1 lane") }
        return RenderOptions(width: parts[0], height: parts[1], scale: scale, theme: themeName, window: try timeWindow(),
                             format: picture, showCores: !noCores, maxLanes: maxLanes)
    }

    func timeWindow() throws -> TimeWindow? {
        guard let window else { return nil }
        let bounds = window.components(separatedBy: "..")
        guard bounds.count == 2,
              case .success(let start) = DurationSyntax.parse(bounds[0]),
              case .success(let end) = DurationSyntax.parse(bounds[1]), start < end
        else {
            throw UserError("--window \(window): write start..end with units, e.g. 0ms..40ms or 1.2s..1.5s")
        }
        return TimeWindow(start: start, end: end)
    }

    /// Draws a timeline per strategy and the comparison; returns the paths written.
    func render(scenario: Scenario, runs: [StrategyRun], folder: String) throws -> [String] {
        guard !noPictures else { return [] }
        let options = try renderOptions()
        let ext = options.format?.rawValue ?? "png"
        var written: [String] = []
        for r in runs {
            guard let trace = r.run.trace else { continue }
            let chart = TimelineChart(scenario: scenario.name, metrics: r.run.metrics, trace: trace, subtitle: subtitle(scenario, r.strategy))
            let path = "\(folder)/\(fileName(r.strategy.label)).\(ext)"
            try TimelineRenderer.renderTimeline(chart: chart, options: options, to: path)
            written.append(path)
        }
        let rows = runs.map { ComparisonRow(strategy: $0.strategy.label, makespan: $0.run.metrics.makespan, trace: $0.run.trace) }
        let path = "\(folder)/comparison.\(ext)"
        try TimelineRenderer.renderComparison(title: "\(scenario.name): every strategy", subtitle: comparisonSubtitle(scenario), rows: rows, options: options, to: path)
        written.append(path)
        return written
    }

    func subtitle(_ scenario: Scenario, _ strategy: Strategy) -> String {
        let s = scenario.settings(for: strategy)
        let gil = s.python.gil ? "GIL, switch interval \(DurationSyntax.format(s.python.switchInterval))" : "no GIL (free-threaded)"
        let policy: String
        switch s.machine.scheduler {
        case .roundRobin(let t): policy = "round robin \(DurationSyntax.format(t))"
        case .linux: policy = "Linux-like scheduler"
        }
        return "\(s.machine.cores) cores · \(policy) · \(gil) · model prediction"
    }

    func comparisonSubtitle(_ scenario: Scenario) -> String {
        let n = scenario.foregroundTaskCount
        return "\(n) \(n == 1 ? "task" : "tasks") · \(scenario.machine.cores) cores · model prediction, same time axis"
    }
}

extension PictureOptions {
    /// Draws model and measured timelines of each strategy one above the other (<strategy>.compare.png)
    /// and the comparison with measured bars beside predicted ones; returns the paths written.
    func renderComparison(scenario: Scenario, predicted: [StrategyRun], measured: [RealStrategyResult], folder: String) throws -> [String] {
        guard !noPictures else { return [] }
        let options = try renderOptions()
        let ext = options.format?.rawValue ?? "png"
        var written: [String] = []
        var rows: [ComparisonRow] = []
        for (model, real) in zip(predicted, measured) {
            let spread = real.makespan
            rows.append(ComparisonRow(strategy: model.strategy.label, makespan: model.run.metrics.makespan, trace: model.run.trace,
                                      measured: MeasuredMakespan(median: spread.median, min: spread.min, max: spread.max)))
            guard let trace = model.run.trace else { continue }
            let median = real.medianRun
            let seen = median.instrumented ? "GIL waits from harness stamps, 50 µs resolution" : "steps only, no GIL waits (--no-instrument)"
            let modelMechanisms = MechanismFigures(trace: trace, metrics: model.run.metrics)
            let modelChart = TimelineChart(
                scenario: scenario.name, strategy: model.strategy.label, makespan: model.run.metrics.makespan,
                subtitle: "model above; measured below (Python \(median.python), median of \(real.runs.count) runs; \(seen))",
                trace: trace, keyFigures: KeyFigure.comparable(from: model.run.metrics, mechanisms: modelMechanisms))
            let realChart = TimelineChart(
                scenario: scenario.name, strategy: model.strategy.label, makespan: median.metrics.makespan,
                subtitle: "measured on this machine (\(median.python), median of \(real.runs.count) runs)", trace: median.trace,
                keyFigures: KeyFigure.comparable(from: median.metrics, mechanisms: median.mechanisms))
            let path = "\(folder)/\(fileName(model.strategy.label)).compare.\(ext)"
            try TimelineRenderer.renderSideBySide(model: modelChart, real: realChart, options: options, to: path)
            written.append(path)
        }
        let path = "\(folder)/comparison.\(ext)"
        try TimelineRenderer.renderComparison(title: "\(scenario.name): model and measurement",
                                              subtitle: "predicted makespan beside the measured median (min-max)", rows: rows, options: options, to: path)
        written.append(path)
        return written
    }
}
