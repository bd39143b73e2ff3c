import ArgumentParser
import Foundation
import SimEngine
import SimRealRuns
import SimRendering
import SimReport
import SimScenario
import SimTrace

/// How timelines are drawn.
struct PictureOptions: ParsableArguments {
    @Flag(help: "Do not draw timelines.")
    var noPictures = false

    @Option(help: ArgumentHelp("Picture size in pixels (\(RenderOptions.Limits.width.lowerBound)x\(RenderOptions.Limits.height.lowerBound) to \(RenderOptions.Limits.width.upperBound)x\(RenderOptions.Limits.height.upperBound)).", valueName: "WxH"))
    var size = "1920x1080"

    @Option(help: "Scale factor (2 for high-DPI screens; \(RenderOptions.Limits.scale.lowerBound) to \(RenderOptions.Limits.scale.upperBound)).")
    var scale: Double = 1

    @Option(help: "The colour theme.")
    var theme: ThemeName = .light

    // Unconditional parsing so that "--window -5ms..10ms" reaches the check below instead of "Missing value".
    @Option(parsing: .unconditional, help: ArgumentHelp("Zoom into a time window, e.g. 0ms..40ms.", valueName: "start..end"))
    var window: String?

    @Option(help: "The picture format.")
    var format: PictureFormat = .png

    @Option(help: "Lanes shown before the rest collapse into a density band.")
    var maxLanes: Int = 24

    @Flag(help: "Hide the per-core lanes.")
    var noCores = false

    @Flag(help: "Point at what explains each timeline: the first convoy wait, a forced switch, the loop blocked by CPU, a process start.")
    var explain = false

    @Option(help: ArgumentHelp("Also write N frames per strategy stepping a window through the run (or the --window), <strategy>.frame-001.png ..., for slides (1 to \(FrameSequence.Limits.count.upperBound)).", valueName: "N"))
    var frames: Int?

    @Option(help: ArgumentHelp("Each frame's width, e.g. 20ms (default: the run cut into N consecutive frames).", valueName: "duration"))
    var frameWidth: String?

    /// Checked before anything runs, so a mistake in a picture option writes nothing. The limits are the
    /// renderer's own (`RenderOptions.Limits`), checked by `RenderOptions.problem()`.
    func validate() throws {
        do { _ = try renderOptions() } catch let error as UserError { throw ValidationError(error.description) }
    }

    /// The options as the renderer takes them, or a message saying what to write instead.
    func renderOptions() throws -> RenderOptions {
        let parts = size.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 2, let width = parts[0], let height = parts[1] else {
            throw UserError("--size \(clipped(size)): write width x height in pixels, e.g. 1920x1080")
        }
        let options = RenderOptions(width: width, height: height, scale: scale, theme: theme, window: try timeWindow(),
                                    format: format, showCores: !noCores, maxLanes: maxLanes, explain: explain)
        if let problem = options.problem() { throw UserError("--\(problem.description)") }
        if let problem = try frameSequence()?.problem(span: options.window) { throw UserError("--\(problem.description)") }
        return options
    }

    /// The --frames sequence, if asked for.
    func frameSequence() throws -> FrameSequence? {
        guard let frames else {
            if frameWidth != nil { throw UserError("--frame-width: give --frames N too, e.g. --frames 10 --frame-width 20ms") }
            return nil
        }
        var width: SimTime?
        if let frameWidth {
            guard case .success(let w) = DurationSyntax.parse(frameWidth) else {
                throw UserError("--frame-width \(clipped(frameWidth)): write a duration with its unit, e.g. 20ms")
            }
            width = w
        }
        return FrameSequence(count: frames, width: width)
    }

    /// Writes the frames of one strategy's timeline (`<stem>.frame-001.<ext>` ...) over the --window or the
    /// whole run; returns the paths written.
    func renderFrames(_ sequence: FrameSequence, chart: TimelineChart, options: RenderOptions, folder: String, stem: String) throws -> [String] {
        let span = options.window ?? TimeWindow(start: .zero, end: max(chart.trace.end, .nanoseconds(1)))
        var written: [String] = []
        for (i, window) in sequence.windows(over: span).enumerated() {
            var frame = options
            frame.window = window
            let path = "\(folder)/\(FrameSequence.fileName(stem: stem, index: i, ext: options.format?.rawValue ?? "png"))"
            try TimelineRenderer.renderTimeline(chart: chart, options: frame, to: path)
            written.append(path)
        }
        return written
    }

    func timeWindow() throws -> TimeWindow? {
        guard let window else { return nil }
        let bounds = window.components(separatedBy: "..")
        let hint = "write start..end with units, from 0, e.g. 0ms..40ms or 1.2s..1.5s"
        guard bounds.count == 2 else { throw UserError("--window \(clipped(window)): \(hint)") }
        var times: [SimTime] = []
        for (name, text) in zip(["start", "end"], bounds) {
            switch DurationSyntax.parse(text) {
            case .success(let t): times.append(t)
            case .failure(.negative): throw UserError("--window \(clipped(window)): the \(name) is negative; times count from the start of the run, \(hint)")
            case .failure(.tooLarge): throw UserError("--window \(clipped(window)): the \(name) is too large; \(hint)")
            case .failure: throw UserError("--window \(clipped(window)): the \(name) '\(clipped(text))' is not a duration; \(hint)")
            }
        }
        guard times[0] < times[1] else { throw UserError("--window \(clipped(window)): the end must come after the start; \(hint)") }
        return TimeWindow(start: times[0], end: times[1])
    }

    /// Draws a timeline per strategy, the comparison and, given advice, its summary (advice.<ext>); returns
    /// the paths written.
    func render(scenario: Scenario, runs: [StrategyRun], advice: Advice? = nil, folder: String) throws -> [String] {
        guard !noPictures else { return [] }
        let options = try renderOptions()
        let ext = options.format?.rawValue ?? "png"
        var pictures: [(path: String, draw: () throws -> Void)] = []
        let frames = FramesWritten()
        for r in runs {
            guard let trace = r.run.trace else { continue }
            let chart = TimelineChart(scenario: scenario.name, metrics: r.run.metrics, trace: trace, subtitle: subtitle(scenario, r.strategy))
            let path = "\(folder)/\(fileName(r.strategy.label)).\(ext)"
            let stem = fileName(r.strategy.label)
            pictures.append((path, {
                try TimelineRenderer.renderTimeline(chart: chart, options: options, to: path)
                if let sequence = try frameSequence() {
                    frames.set(path, try renderFrames(sequence, chart: chart, options: options, folder: folder, stem: stem))
                }
            }))
        }
        let rows = runs.map { ComparisonRow(strategy: $0.strategy.label, makespan: $0.run.metrics.makespan, trace: $0.run.trace,
                                            note: versionNote(scenario, $0.strategy).map { "\($0) (prediction)" }) }
        let title = "\(scenario.name): every strategy", comparisonSubtitle = comparisonSubtitle(scenario)
        let path = "\(folder)/comparison.\(ext)"
        pictures.append((path, { try TimelineRenderer.renderComparison(title: title, subtitle: comparisonSubtitle, rows: rows, options: options, to: path) }))
        if let advice {
            let path = "\(folder)/advice.\(ext)"
            let chart = adviceChart(scenario: scenario, advice: advice, runs: runs.map(\.run.metrics))
            pictures.append((path, { try AdviceChartRenderer.render(chart, options: options, to: path) }))
        }
        // Drawn on worker threads, side by side; the list of files keeps this order.
        let errors = PictureJobs.run(pictures.map(\.draw))
        let written = zip(pictures, errors).filter { $1 == nil }.flatMap { [$0.0.path] + frames.paths(after: $0.0.path) }
        removeStalePictures(folder: folder, keeping: written)
        if let error = errors.lazy.compactMap({ $0 }).first { throw error }
        return written
    }

    /// The advice as the summary picture takes it: each run's makespan, its standing and the mechanism the
    /// advice names for it; the choice's sentence as the subtitle.
    func adviceChart(scenario: Scenario, advice: Advice, runs: [RunMetrics]) -> AdviceChart {
        let bars = runs.map { run in
            let standing: AdviceChart.Standing =
                run.strategy == advice.choice ? .choice
                : advice.asGood.contains(run.strategy) ? .asGood
                : Advice.isCandidate(kind: run.kind, in: scenario) ? .slower : .notCandidate
            let evidence = advice.evidence.first { $0.strategy == run.strategy }
            return AdviceChart.Bar(strategy: run.strategy, makespan: run.makespan, standing: standing,
                                   mechanism: evidence?.phrase, share: evidence?.share)
        }
        return AdviceChart(title: "\(scenario.name): which strategy and why", subtitle: advice.lines.first ?? "",
                           bars: bars, warnings: advice.warnings.map(\.text))
    }

    func subtitle(_ scenario: Scenario, _ strategy: Strategy) -> String {
        let s = scenario.settings(for: strategy)
        let gil = s.python.gil ? "GIL, switch interval \(DurationSyntax.format(s.python.switchInterval))" : "no GIL (free-threaded)"
        let policy: String
        switch s.machine.scheduler {
        case .roundRobin(let t): policy = "round robin \(DurationSyntax.format(t))"
        case .linux: policy = "Linux-like scheduler"
        }
        let version = versionNote(scenario, strategy).map { "\($0), not measured on this machine · " } ?? ""
        return "\(s.machine.cores) cores · \(policy) · \(gil) · \(version)model prediction"
    }

    /// "Python 3.14" for a strategy whose version is not the one calibrated here, so a prediction without a
    /// measurement (docs/model.md, "Python versions"); nil for one that is.
    func versionNote(_ scenario: Scenario, _ strategy: Strategy) -> String? {
        let version = scenario.settings(for: strategy).python.version
        return version.measuredHere ? nil : "Python \(version.rawValue)"
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
        defer { removeStalePictures(folder: folder, keeping: written) }
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

/// The frames (`--frames`) each timeline's job wrote, by the timeline's path; filled from the picture workers.
final class FramesWritten: @unchecked Sendable {
    private let lock = NSLock()
    private var byTimeline: [String: [String]] = [:]

    func set(_ timeline: String, _ frames: [String]) {
        lock.lock()
        byTimeline[timeline] = frames
        lock.unlock()
    }

    func paths(after timeline: String) -> [String] {
        lock.lock()
        defer { lock.unlock() }
        return byTimeline[timeline] ?? []
    }
}

extension ThemeName: ExpressibleByArgument {}
extension PictureFormat: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

extension PictureOptions {
    /// Removes pictures an earlier run wrote into `folder` that this run did not write again (e.g. a
    /// strategy left out with --strategies), so the folder never shows a stale timeline beside fresh results.
    /// Only files named like this command's pictures are touched, in a folder holding our results:
    /// `comparison.<png|svg|pdf>`, `advice.<ext>`, and `<label>.<ext>`, `<label>.compare.<ext>` or `<label>.frame-NNN.<ext>` where the label is a
    /// strategy kind (sync, threads, ...) or starts with one and a '-' or '_' (threads-nogil).
    func removeStalePictures(folder: String, keeping written: [String]) {
        let fm = FileManager.default
        let kept = Set(written.map { ($0 as NSString).lastPathComponent })
        guard let names = try? fm.contentsOfDirectory(atPath: folder) else { return }
        let extensions = Set(PictureFormat.allCases.map(\.rawValue))
        for name in names where !kept.contains(name) {
            let ext = (name as NSString).pathExtension
            guard extensions.contains(ext), !name.hasPrefix(".") else { continue }
            var stem = (name as NSString).deletingPathExtension
            if stem.hasSuffix(".compare") { stem.removeLast(".compare".count) }
            if let frame = stem.range(of: #"\.frame-[0-9]+$"#, options: .regularExpression) { stem.removeSubrange(frame) }
            let kinds = StrategyKindName.names
            guard stem == "comparison" || stem == "advice" || kinds.contains(where: { stem == $0 || stem.hasPrefix($0 + "-") || stem.hasPrefix($0 + "_") }),
                  fileName(stem) == stem else { continue }
            guard fm.fileExists(atPath: folder + "/results.json") || fm.fileExists(atPath: folder + "/real.json") else { continue }
            try? fm.removeItem(atPath: folder + "/" + name)
        }
    }
}
