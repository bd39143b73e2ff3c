import ArgumentParser
import Foundation
import SimRealRuns
import SimRendering
import SimScenario
import SimSweep
import SimTrace

/// `simulate sweep`: what-if sweeps over any scenario keys, and the merge of sharded sweeps.
struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every strategy at every point of a cross product of scenario values; write sweep.csv, sweep.json and plots.",
        discussion: """
            Examples:
              simulate sweep scenarios/convoy.json --vary python.switch_interval=0.1ms..50ms/10 --vary tasks[1].count=1,2,4
              simulate sweep scenarios/io_heavy.json --vary tasks[0].count=1..1000/13
              simulate sweep scenarios/io_heavy.json --vary tasks[0].count=1..1000 --shard 2/8 -o out/shard2
              simulate sweep merge out/shard1 out/shard2 ... -o out/sweep
            Values: V1,V2,... ; LO..HI (every integer) ; LO..HI:STEP (linear) ; LO..HI/N (N log-spaced points).
            See docs/sweeps.md.
            """,
        subcommands: [SweepRun.self, SweepMerge.self],
        defaultSubcommand: SweepRun.self)
}

/// Where sweep outputs go and how they are drawn.
struct SweepOutputOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp("The output folder (default: output/<scenario name>-sweep).", valueName: "folder"))
    var output: String?

    /// Writes sweep.json, sweep.csv and the pictures; returns the paths written.
    func write(_ document: SweepDocument, csv: String, folder: String, pictures: PictureOptions) throws -> [String] {
        let options = try pictures.renderOptions()
        let json = try document.jsonText()
        var written: [String] = []
        for (name, text) in [("sweep.json", json), ("sweep.csv", csv)] {
            try AtomicFile.write(text, to: "\(folder)/\(name)")
            written.append("\(folder)/\(name)")
        }
        // A shard's pictures would show a slice: only whole sweeps are drawn.
        guard !pictures.noPictures, document.shard == nil else { return written }
        let ext = options.format?.rawValue ?? "png"
        for (suffix, chart) in document.charts() {
            let path = "\(folder)/sweep\(suffix.isEmpty ? "" : fileName(suffix)).\(ext)"
            try SweepChartRenderer.render(chart, options: options, to: path)
            written.append(path)
        }
        return written
    }
}

/// `simulate sweep SCENARIO --vary KEY=VALUES ...`.
struct SweepRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a sweep (the default: `simulate sweep SCENARIO --vary ...`).")

    @Argument(help: "The scenario file (e.g. scenarios/io_heavy.json), or the name of a shipped one.")
    var scenario: String

    @Option(name: .customLong("vary"), help: ArgumentHelp(
        "A key and its values: machine.cores=1..16, python.switch_interval=0.1ms..50ms/10, tasks[0].count=10,100,1000 (repeatable; the cross product is run).",
        valueName: "key=values"))
    var vary: [String] = []

    @Option(help: ArgumentHelp("Run only slice i of n (1-based); join the slices with `simulate sweep merge`.", valueName: "i/n"))
    var shard: String?

    @Option(help: "Worker threads (default: every core).")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Also measure every point for real (the harness, as `simulate real`) and draw the measurements beside the predicted lines.")
    var real = false

    @Option(help: "With --real: repetitions of each point (interleaved across points; the median and min-max are drawn).")
    var runs: Int = 3

    @Option(help: ArgumentHelp("With --real: the most points x strategies measured (each is a real program run --runs times).", valueName: "n"))
    var maxRealPoints: Int = SweepMeasurement.defaultMaxRealPoints

    @Option(name: .customLong("machine"), help: ArgumentHelp(
        "Predict the machine measured by `simulate calibrate` (--set and --vary values still win, e.g. machine.cores); with --real it defaults to output/machine.json, measured first if missing.", valueName: "file"))
    var machine: String?

    @OptionGroup var model: ModelOptions
    @OptionGroup var output: SweepOutputOptions
    @OptionGroup var pictures: PictureOptions

    func run() throws {
        try reportingErrors {
            guard workers >= 1 else { throw UserError("--workers \(workers): give at least 1") }
            guard (1...1000).contains(runs) else { throw UserError("--runs \(runs): give 1 to 1000 repetitions") }
            guard maxRealPoints >= 1 else { throw UserError("--max-real-points \(maxRealPoints): give at least 1") }
            // Everything is checked before any run: the scenario with --set, --strategies, every --vary value.
            let base = try model.loadScenario(scenario)
            let axes = try vary.map { try SweepAxis(parsing: $0) }
            let shard = try shard.map { try SweepShard(parsing: $0) }
            let path = ScenarioLoader.resolvePath(scenario)
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw UserError("\(scenario): cannot be read")
            }
            var overrides = model.overrides
            if let seed = model.seed { overrides.append("seed=\(seed)") }
            // Without --real, a profile makes the scenario this machine (as `simulate run --machine`) before the
            // --set and --vary values, which therefore still win: "this machine with 8 cores".
            var scenarioText = text
            if let machine, !real {
                let profile = try MachineProfile.load(from: machine)
                scenarioText = ScenarioEncoder.json(profile.apply(to: try ScenarioLoader.parse(text: text, sourceName: path)))
            }
            let plan = try SweepPlan(sourceName: path, scenarioText: scenarioText, overrides: overrides,
                                     strategyLabels: model.strategies == nil ? nil : base.strategies.map(\.label),
                                     axes: axes, shard: shard)
            _ = try pictures.renderOptions()
            let folder = output.output ?? "output/\(fileName(base.name))-sweep"
            // The venv's python has a GIL: free-threaded strategies can only be predicted.
            let realStrategies = base.strategies.filter { base.settings(for: $0).python.gil }
            if real {
                guard shard == nil else { throw UserError("--real with --shard: measure a small sweep whole (real points cannot be merged); drop --shard") }
                guard !realStrategies.isEmpty else { throw UserError("--real: no strategy of \(base.name) can run for real (all ask for free-threaded Python); choose others with --strategies") }
                try SweepMeasurement.check(points: plan.points.count, strategies: realStrategies.count, maxRealPoints: maxRealPoints)
                try checkWritable(folder, option: "-o")
            }

            // With --real the lines predict this machine, as `simulate compare` does: each strategy's scenario
            // as the harness runs it, with the machine profile's measured costs.
            var adjust: SweepRunner.Adjustment?
            var runner: RealRunner?
            if real {
                let environment = PythonEnvironment.locate()
                let profile = try Calibrator.profile(at: machine ?? "output/machine.json", environment: environment, log: { printError($0) })
                runner = RealRunner(environment: environment, profile: profile)
                adjust = { scenario, strategy in RealRunner.scenarioForComparison(scenario, strategy: strategy, profile: profile) }
            }

            let started = Date()
            let progress: ProgressLine? = isatty(STDERR_FILENO) != 0 ? ProgressLine(started: started) : nil
            var report: (@Sendable (Int, Int) -> Void)?
            if let progress { report = { done, total in progress.update(done: done, total: total) } }
            var result = try SweepRunner.run(plan, workers: workers, adjust: adjust, progress: report)
            progress?.finish()
            let wall = Date().timeIntervalSince(started)
            if let runner { result = try measure(plan, with: runner, into: result) }
            let written = try output.write(result.document, csv: result.csv, folder: folder, pictures: pictures)
            let points = plan.points.count
            let slice = shard.map { " (shard \($0))" } ?? ""
            let strategies = result.document.strategies.count, runs = result.document.rows.count
            print("\(base.name): \(points) points x \(strategies) strategies = \(runs) runs in \(String(format: "%.2f", wall)) s on \(min(workers, max(points, 1))) workers\(slice)")
            for line in result.document.advice ?? [] { print("  " + line) }
            for l in result.document.leftOut.prefix(3) { print("  left out at point \(l.point): \(l.strategy): \(l.reason)") }
            if result.document.leftOut.count > 3 { print("  ... \(result.document.leftOut.count - 3) more left out (sweep.json, left_out)") }
            print("Wrote \(written.count) files to \(folder)/: \(written.map { ($0 as NSString).lastPathComponent }.joined(separator: ", "))")
        }
    }
}

extension SweepRun {
    /// Measures every point for real (its strategies that can run: those with a GIL) and joins the
    /// measurements to the sweep's output.
    func measure(_ plan: SweepPlan, with runner: RealRunner, into result: SweepOutput) throws -> SweepOutput {
        printError("Measuring \(plan.points.count) points for real, \(runs) runs each, interleaved across points")
        let measured = try SweepMeasurement.measure(plan, runs: runs) { point, scenario in
            let strategies = scenario.strategies.filter { scenario.settings(for: $0).python.gil }
            let values = zip(plan.axes, plan.values(ofPoint: point)).map { "\($0.key)=\($1)" }.joined(separator: " ")
            let options = RealRunOptions(runs: 1, log: { printError("  point \(point) (\(values)):" + $0) })
            return try runner.run(scenario, strategies: strategies, options: options).map { ($0.strategy.label, $0.runs[0].metrics) }
        }
        return SweepMeasurement.join(measured, into: result)
    }
}

/// `simulate sweep merge FOLDER...`: the shards of one sweep joined into the whole sweep's files.
struct SweepMerge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the outputs of `simulate sweep ... --shard i/n` (folders or sweep.json files) into one sweep.")

    @Argument(help: "Each shard's output folder (or its sweep.json; sweep.csv must be beside it).")
    var shards: [String]

    @OptionGroup var output: SweepOutputOptions
    @OptionGroup var pictures: PictureOptions

    func run() throws {
        try reportingErrors {
            guard !shards.isEmpty else { throw UserError("sweep merge: give the output folders of the shards") }
            _ = try pictures.renderOptions()
            var parts: [(document: SweepDocument, csv: String, name: String)] = []
            for shard in shards {
                let folder = shard.hasSuffix(".json") ? (shard as NSString).deletingLastPathComponent : shard
                let json = "\(folder.isEmpty ? "." : folder)/sweep.json", csv = "\(folder.isEmpty ? "." : folder)/sweep.csv"
                guard let data = FileManager.default.contents(atPath: json), let csvData = FileManager.default.contents(atPath: csv) else {
                    throw UserError("sweep merge: \(shard): no sweep.json and sweep.csv there; give the folder a `simulate sweep --shard i/n -o FOLDER` wrote")
                }
                parts.append((try SweepDocument.read(data, name: json), String(decoding: csvData, as: UTF8.self), shard))
            }
            let merged = try SweepDocument.merge(parts)
            let folder = output.output ?? "output/\(fileName(merged.document.scenario))-sweep"
            let written = try output.write(merged.document, csv: merged.csv, folder: folder, pictures: pictures)
            print("Merged \(parts.count) shards: \(merged.document.points) points, \(merged.document.rows.count) runs")
            for line in merged.document.advice ?? [] { print("  " + line) }
            print("Wrote \(written.count) files to \(folder)/: \(written.map { ($0 as NSString).lastPathComponent }.joined(separator: ", "))")
        }
    }
}

/// "sweep: 420/1000 points (42%), 3.1 s, about 4.3 s left" on one terminal line, at most 10 times a second.
/// Only made when stderr is a terminal, so logs and pipes stay quiet.
final class ProgressLine: @unchecked Sendable {
    private let started: Date
    private var last = Date.distantPast
    // Called under the sweep's own lock (one call at a time), so no lock here.
    init(started: Date) { self.started = started }

    func update(done: Int, total: Int) {
        let now = Date()
        guard done == total || now.timeIntervalSince(last) >= 0.1 else { return }
        last = now
        let elapsed = now.timeIntervalSince(started)
        let left = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let line = String(format: "\rsweep: %d/%d points (%.0f%%), %.1f s, about %.1f s left  ", done, total,
                          Double(done) / Double(max(total, 1)) * 100, elapsed, left)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() { FileHandle.standardError.write(Data("\n".utf8)) }
}
