import ArgumentParser
import Foundation
import SimEngine
import SimModel
import SimRealRuns
import SimScenario
import SimTrace

/// Options shared by `real` and `compare`.
struct RealRunArguments: ParsableArguments {
    @Argument(help: "The scenario file (e.g. scenarios/cpu_heavy.json), or the name of a shipped one.")
    var scenario: String

    @OptionGroup var model: ModelOptions

    @Option(help: "Repetitions of each strategy (the median is reported, with min and max).")
    var runs: Int = 5

    @Option(name: .customLong("machine"), help: ArgumentHelp(
        "Machine profile from `simulate calibrate` (this machine is measured first if the file is missing).", valueName: "file"))
    var machine: String = "output/machine.json"

    @Option(help: "Seconds one real run may take before it is killed (default: estimated from the scenario).")
    var timeout: Double?

    @Option(name: .shortAndLong, help: ArgumentHelp("The output folder (default: output/<scenario name>).", valueName: "folder"))
    var output: String?

    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "Record what the GIL did: pure-Python steps stamp their progress every 50 µs, blocking I/O times each socket call (a cost below run-to-run noise; docs/model.md, Measured mechanisms).",
        valueName: "instrument"))
    var instrument = true

    @Option(help: ArgumentHelp(
        "Measure a run again, up to this many times, when the machine changed speed during it (a fixed probe timed before and after disagrees by more than \(Int(RealRunOptions.defaultSteadyTolerance * 100))%, or, instrumented, its CPU steps took more than \(Int(RealRunOptions.defaultPaceTolerance * 100))% more or less than planned on a core, as the model predicts them with `compare`); 0 keeps every run.",
        valueName: "n"))
    var steadyRetries: Int = RealRunOptions.defaultSteadyRetries

    /// The longest --timeout accepted: a day.
    static let maxTimeout = 86_400.0
    /// The default event budget of a real run: its plan lists every operation, and the harness runs them
    /// for real, so the scenario must be far smaller than one that is only simulated.
    static let defaultRealEvents = 10_000_000

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        guard runs <= 1000 else { throw ValidationError("--runs \(runs): at most 1000 repetitions") }
        try checkSteadyRetries(steadyRetries)
        if let timeout, !(timeout > 0 && timeout <= Self.maxTimeout) {
            throw ValidationError("--timeout \(timeout): give the seconds one real run may take, more than 0 and at most \(Int(Self.maxTimeout)) (a day), e.g. --timeout 60")
        }
        try checkOutputFolder(output)
        // The real runs use this machine's cores whatever the scenario says, and the model is given the same
        // (the profile's): a --set of another count would be silently ignored, so say where that question goes.
        let cores = ProcessInfo.processInfo.activeProcessorCount
        // (A value that is not a number is left to the scenario's loading, which names the mistake.)
        for text in model.overrides {
            guard let o = try? ScenarioOverride(parsing: text), o.path.description == "machine.cores",
                  case .number(let n) = o.value.value, Int(n) != cores else { continue }
            throw ValidationError("--set \(text): real runs use this machine's \(cores) cores, and the model is compared on the same; to ask what \(n) cores would do, predict it: simulate run \(scenario) --machine \(machine) --set machine.cores=\(n)")
        }
    }

    /// The scenario (with --set, --seed and --strategies applied) and the strategies to run.
    func load() throws -> (Scenario, [Strategy]) {
        // A `simulate` killed by SIGKILL could not remove its temporary folders: remove them now.
        ChildProcessRegistry.sweepLeftoverFolders()
        let scenario = try model.loadScenario(self.scenario)
        var budget = model.budget(tracing: false)
        if model.maxEvents == nil { budget.events = Self.defaultRealEvents }
        try budget.check(scenario, tracing: false)
        // Strategies the venv's Python cannot run (free-threaded, another version, subinterpreters) are
        // predictions only: left out of the real runs, each with its reason.
        let reasons = scenario.strategies.map {
            HarnessPlan.unsupportedReason($0, in: scenario, venvPython: Defaults.pythonVersion.rawValue)
        }
        let runnable = zip(scenario.strategies, reasons).filter { $0.1 == nil }.map(\.0)
        for (s, reason) in zip(scenario.strategies, reasons) {
            if let reason { printError("simulate: left out \(s.label): \(reason)") }
        }
        guard !runnable.isEmpty else { throw UserError("no strategy of \(scenario.name) can run for real here (why each was left out is above); choose others with --strategies, or the venv's Python with --set python.version=\(Defaults.pythonVersion.rawValue)") }
        // Before any real run: minutes of measurement must not end in a folder that cannot be written.
        try checkWritable(resultsFolder(scenario), option: "-o")
        if !FileManager.default.fileExists(atPath: machine) {
            try checkWritable((machine as NSString).deletingLastPathComponent, option: "--machine")
        }
        return (scenario, runnable)
    }

    /// The saved machine profile, or a fresh calibration saved where it was looked for.
    func profile(_ environment: PythonEnvironment) throws -> MachineProfile {
        try Calibrator.profile(at: machine, environment: environment, log: { printError($0) })
    }

    func resultsFolder(_ scenario: Scenario) -> String { output ?? "output/\(fileName(scenario.name))" }

    var realRunOptions: RealRunOptions { RealRunOptions(runs: runs, timeout: timeout, instrument: instrument, steadyRetries: steadyRetries) }
}

/// Refuses, before anything runs, an output folder that cannot be written (a file in its place, /proc, a
/// read-only mount).
func checkWritable(_ folder: String, option: String) throws {
    do {
        try AtomicFile.checkWritableFolder(folder.isEmpty ? "." : folder)
    } catch let error as AtomicFile.WriteError {
        throw UserError("cannot write into \(folder.isEmpty ? "." : folder): \(error.reason). Choose a writable folder with \(option); nothing was run.")
    }
}

/// `--steady-retries` of `real`, `compare` and `validate --measure`: 0 to 10.
func checkSteadyRetries(_ n: Int) throws {
    guard (0...10).contains(n) else {
        throw ValidationError("--steady-retries \(n): give 0 to 10 repetitions of a run that saw the machine change speed, e.g. --steady-retries \(RealRunOptions.defaultSteadyRetries)")
    }
}

func printError(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

/// What `real` and `compare` are about to run, and where the harness runs the scenario's calls otherwise than
/// written (`HarnessPlan.connectionNotes`).
func announceRealRuns(_ scenario: Scenario, strategies: [Strategy], runs: Int) {
    printError("Running \(scenario.name) for real: \(strategies.map(\.label).joined(separator: ", ")), \(runs) runs each")
    for note in HarnessPlan.connectionNotes(scenario, strategies: strategies) { printError("  note: " + note) }
}

/// `simulate real SCENARIO`: runs the scenario's strategies as real Python programs and measures them.
struct Real: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a scenario for real as Python programs and measure it.",
        discussion: """
            Each strategy runs as the seed article writes it (threads, processes, gevent, asyncio + aiohttp), \
            its CPU steps sized by the machine profile and its I/O answered by a local latency server after \
            the very latencies the model draws. Writes <output>/<scenario>/real.json and real.csv.
            """)

    @OptionGroup var options: RealRunArguments

    func run() throws {
        try reportingErrors {
        let (scenario, strategies) = try options.load()
        let environment = PythonEnvironment.locate()
        let runner = RealRunner(environment: environment, profile: try options.profile(environment))
        announceRealRuns(scenario, strategies: strategies, runs: options.runs)
        let results = try runner.run(scenario, strategies: strategies, options: options.realRunOptions)
        let file = RealResults(scenario: scenario.name, results: results)
        print(file.table())
        for path in try file.write(to: options.resultsFolder(scenario)) { printError("wrote \(path)") }
        }
    }
}

/// `simulate calibrate`: measures this machine and saves the profile.
struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure this machine's Python costs and save a machine profile.",
        discussion: """
            Use the profile with --machine to predict this machine; real runs size their CPU work with it. \
            This VM's speed drifts over minutes, so one calibration is one draw: calibrate several times, \
            apart, and combine them with --median-of (figure by figure; nothing is measured then).
            """)

    @Option(help: "Where to save the profile.")
    var output: String = "output/machine.json"

    @Option(help: ArgumentHelp("Instead of measuring: the median of these saved profiles (at least 2, comma-separated), figure by figure.",
                               valueName: "profiles"))
    var medianOf: String?

    var combined: [String] { commaSeparated(medianOf ?? "") }

    func validate() throws {
        guard medianOf != nil else { return }
        guard combined.count >= 2, !combined.contains(where: \.isEmpty) else {
            throw ValidationError("--median-of \(medianOf ?? ""): give at least two saved profiles, comma-separated, e.g. --median-of output/cal-1.json,output/cal-2.json,output/cal-3.json")
        }
        for path in combined where !FileManager.default.isReadableFile(atPath: path) {
            throw ValidationError("--median-of: \(path) does not exist or cannot be read: give profiles saved by `simulate calibrate --output FILE`")
        }
    }

    func run() throws {
        try reportingErrors {
            try checkWritable((output as NSString).deletingLastPathComponent, option: "--output")
            let profile: MachineProfile
            if medianOf != nil {
                profile = try MachineProfile.median(of: combined.map { try MachineProfile.load(from: $0) }, paths: combined)
            } else {
                profile = try Calibrator.measure(environment: PythonEnvironment.locate())
            }
            print(Calibrator.summary(profile))
            try profile.save(to: output)
            printError("wrote \(output)")
        }
    }
}

/// `simulate compare SCENARIO`: the model's prediction against real runs, per strategy.
struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare the model's predictions with real runs of a scenario.",
        discussion: """
            The model predicts the scenario as the harness really runs it on this machine (the machine profile \
            applied; urlopen in blocking strategies, one aiohttp session per task in asyncio). Exits with \
            status 1 if any strategy's makespan error exceeds the tolerance.
            """)

    @OptionGroup var options: RealRunArguments
    @OptionGroup var pictures: PictureOptions

    @Option(help: ArgumentHelp("Largest accepted makespan error, in percent (15 or 15%).", valueName: "percent"),
            transform: { text in
                let number = text.hasSuffix("%") ? String(text.dropLast()) : text
                guard let v = Double(number), v.isFinite, v >= 0 else {
                    throw ValidationError("write a percentage of 0 or more, e.g. --tolerance 15 or --tolerance 15%")
                }
                return v
            })
    var tolerance: Double = 15

    @Option(help: ArgumentHelp(
        "Largest accepted error of a mechanism figure (GIL hand-offs, waits, shares, loop, cores), in percent; without it they are reported only.",
        valueName: "percent"))
    var mechanismTolerance: Double?

    func run() throws {
        var passed = true
        try reportingErrors {
            let (scenario, strategies) = try options.load()
            let environment = PythonEnvironment.locate()
            let profile = try options.profile(environment)
            var predicted: [StrategyRun] = []
            var applied: [String: Scenario] = [:]
            for strategy in strategies {
                let asRun = RealRunner.scenarioForComparison(scenario, strategy: strategy, profile: profile,
                                                             releaseSource: options.realRunOptions.releaseSource)
                applied[strategy.label] = asRun
                predicted.append(StrategyRun(strategy: strategy, run: try Simulator.run(asRun, strategy: strategy, options: SimulationOptions(coreLanes: true))))
            }
            let runner = RealRunner(environment: environment, profile: profile)
            announceRealRuns(scenario, strategies: strategies, runs: options.runs)
            var runOptions = options.realRunOptions
            // A run is measured again where its CPU steps' pace is off the model's (cores busy at once slow them there).
            for p in predicted { runOptions.expectedPace[p.strategy.label] = p.run.metrics.cpuStepPace }
            let results = try runner.run(scenario, strategies: strategies, options: runOptions)
            let folder = options.resultsFolder(scenario)
            var written = try RealResults(scenario: scenario.name, results: results).write(to: folder)
            var traces: [String: Trace] = [:]
            for p in predicted { traces[p.strategy.label] = p.run.trace }
            let paced = try PacedPrediction.predictions(scenarios: applied, predicted: predicted.map(\.run.metrics), measured: results)
            let comparison = Comparison(scenario: scenario.name, predicted: predicted.map(\.run.metrics), predictedTraces: traces,
                                        measured: results, tolerancePercent: tolerance, mechanismTolerancePercent: mechanismTolerance,
                                        atMeasuredPace: paced)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let path = folder + "/compare.json"
            try AtomicFile.write(try encoder.encode(comparison), to: path)
            written.append(path)
            written += try pictures.renderComparison(scenario: scenario, predicted: predicted, measured: results, folder: folder)
            print(comparison.table())
            print("Wrote \(written.count) files to \(folder)/: \(written.map { ($0 as NSString).lastPathComponent }.joined(separator: ", "))")
            passed = comparison.passed
        }
        if !passed {
            printError("simulate: an error is larger than --tolerance \(tolerance)% (makespans) or --mechanism-tolerance (mechanisms)")
            throw ExitCode(1)
        }
    }
}
