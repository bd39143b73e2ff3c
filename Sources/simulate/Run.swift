import ArgumentParser
import Foundation
import SimModel
import SimRealRuns
import SimRendering
import SimReport
import SimScenario
import SimTrace

/// `simulate [run] SCENARIO`: simulate every strategy, print the comparison, write results and timelines.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate a scenario under each strategy; print the comparison; write results and timelines.")

    @Argument(help: "The scenario file (e.g. scenarios/io_heavy.json), or the name of a shipped one (io_heavy).")
    var scenario: String

    @OptionGroup var model: ModelOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var pictures: PictureOptions

    @Flag(help: "Print results as JSON on stdout (the content of results.json) instead of the table.")
    var json = false

    @Option(name: .customLong("machine"), help: ArgumentHelp(
        "Predict the machine measured by `simulate calibrate` (e.g. output/machine.json) instead of the scenario's; --set values still win (e.g. machine.cores=8).", valueName: "file"))
    var machineProfile: String?

    func run() throws {
        try reportingErrors {
            let scenario = try model.loadScenario(scenario, machineProfile: machineProfile)
            let runs = try model.simulate(scenario, trace: !pictures.noPictures || output.perfetto)
            let metrics = runs.map(\.run.metrics)
            let reference = scenario.reference.map {
                ReferenceComparison(runs: metrics, referenceMakespans: $0.makespans, source: $0.source)
            }
            var traces: [String: Trace] = [:]
            for r in runs { traces[r.strategy.label] = r.run.trace }
            let advice = Advice(scenario: scenario, runs: metrics, traces: traces)
            let folder = output.folder(for: scenario)
            var written = try ResultsWriter.write(scenario: scenario, runs: metrics, reference: reference, advice: advice, to: folder)
            let resolved = folder + "/scenario.json"
            try AtomicFile.write(ScenarioEncoder.json(scenario), to: resolved)
            written.append(resolved)
            written += try pictures.render(scenario: scenario, runs: runs, advice: advice, folder: folder)
            if output.perfetto {
                for r in runs {
                    guard let trace = r.run.trace else { continue }
                    let path = "\(folder)/\(fileName(r.strategy.label)).trace.json"
                    try PerfettoExport.write(trace: trace, scenario: scenario.name, strategy: r.strategy.label, to: path)
                    written.append(path)
                }
            }
            if json {
                print(try ResultsWriter.json(scenario: scenario, runs: metrics, reference: reference, advice: advice))
            } else {
                print(Report.render(scenario: scenario, runs: metrics, reference: reference, advice: advice, colour: isatty(STDOUT_FILENO) != 0))
                print("Wrote \(written.count) files to \(folder)/: \(written.map { ($0 as NSString).lastPathComponent }.joined(separator: ", "))")
            }
        }
    }
}

/// One strategy's simulation.
struct StrategyRun {
    var strategy: Strategy
    var run: SimulationRun
}

/// Options shared by every command that reads a scenario and runs the model.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Only these strategies (labels or kinds, comma-separated).", valueName: "list"))
    var strategies: String?

    // Unconditional parsing so that "--seed -1" reaches the check below instead of "Missing value".
    @Option(parsing: .unconditional, help: "Override the scenario's seed (a whole number from 0 to 2^64 - 1).",
            transform: { text in
                guard let v = UInt64(text) else {
                    throw ValidationError("write a whole number from 0 to \(UInt64.max), e.g. --seed 7")
                }
                return v
            })
    var seed: UInt64?

    @Option(help: ArgumentHelp(
        "Stop (or refuse up front) a simulation that would handle more events than this, all strategies together (default: \(WorkBudget.defaultTracedEvents) with pictures or --perfetto, \(WorkBudget.defaultEvents) without).",
        valueName: "n"))
    var maxEvents: Int?

    @Option(help: ArgumentHelp(
        "Refuse a traced run (pictures, --perfetto) of more task instances than this.",
        valueName: "n"))
    var maxTracedTasks: Int = WorkBudget.defaultTracedTasks

    func validate() throws {
        if let maxEvents, maxEvents < 1 { throw ValidationError("--max-events \(maxEvents): give at least 1") }
        if maxTracedTasks < 1 { throw ValidationError("--max-traced-tasks \(maxTracedTasks): give at least 1") }
        if let strategies, parsedStrategies(strategies).isEmpty {
            throw ValidationError("--strategies '\(clipped(strategies))' names no strategy; give labels or kinds separated by commas, e.g. --strategies sync,threads")
        }
    }

    /// The work budget of this command, with or without a trace.
    func budget(tracing: Bool) -> WorkBudget {
        WorkBudget(events: maxEvents ?? WorkBudget.defaults(tracing: tracing).events, tracedTasks: maxTracedTasks)
    }

    func parsedStrategies(_ list: String) -> [String] {
        commaSeparated(list).filter { !$0.isEmpty }
    }

    @Option(name: .customLong("set"), help: ArgumentHelp(
        "Override a scenario value, e.g. python.switch_interval=1ms, machine.cores=8, tasks[0].count=20 (repeatable).",
        valueName: "key=value"))
    var overrides: [String] = []

    /// Reads the scenario with the overrides, the machine profile if given, and the strategy filter applied.
    func loadScenario(_ path: String, machineProfile: String? = nil) throws -> Scenario {
        var all = overrides
        if let seed { all.append("seed=\(seed)") }
        var scenario = try ScenarioLoader.load(path: path, overrides: all)
        if let machineProfile {
            scenario = try MachineProfile.load(from: machineProfile).apply(to: scenario)
            // What the user sets wins over the profile: a what-if on the calibrated machine ("8 cores?"). Set again
            // on the file's whole list of strategies, before --strategies picks from it, so that `strategies[3]`
            // names the same strategy with or without --machine.
            if !overrides.isEmpty {
                scenario = try ScenarioLoader.parse(text: ScenarioEncoder.json(scenario), sourceName: machineProfile,
                                                    overrides: overrides)
            }
        }
        if let strategies {
            let wanted = parsedStrategies(strategies)
            let known = scenario.strategies.map(\.label)
            for w in wanted where !scenario.strategies.contains(where: { $0.label == w || $0.kind.name == w }) {
                throw UserError("--strategies: '\(clipped(w))' is not a strategy of \(scenario.name); it has \(known.joined(separator: ", ")). Add it to the scenario's \"strategies\" or pick one of these.")
            }
            scenario.strategies = scenario.strategies.filter { s in wanted.contains { $0 == s.label || $0 == s.kind.name } }
        }
        return scenario
    }

    /// Simulates each strategy. A strategy the model refuses (e.g. gevent with a background task that never
    /// yields) is reported on stderr and left out; if none remains, that is an error.
    ///
    /// The scenario is refused before anything runs if its estimated work exceeds the budget, and the
    /// strategies share one running event budget, so a run far beyond the estimate also stops in time.
    func simulate(_ scenario: Scenario, trace: Bool) throws -> [StrategyRun] {
        let budget = budget(tracing: trace)
        try budget.check(scenario, tracing: trace)
        var runs: [StrategyRun] = []
        var problems: [String] = []
        var eventsLeft = budget.events
        for strategy in scenario.strategies {
            guard eventsLeft > 0 else {
                let message = "strategy \(strategy.label): not simulated, the budget of \(budget.events) events was used by the strategies before it; raise it with --max-events"
                problems.append(message)
                warn("left out: \(message)")
                continue
            }
            do {
                let options = SimulationOptions(trace: trace, coreLanes: trace, maxEvents: eventsLeft)
                let run = try Simulator.run(scenario, strategy: strategy, options: options)
                eventsLeft -= run.metrics.events
                runs.append(StrategyRun(strategy: strategy, run: run))
            } catch let error as SimulationError {
                eventsLeft -= error.events
                problems.append(error.message)
                warn("left out: \(error.message)")
            }
        }
        if runs.isEmpty {
            throw UserError("no strategy of \(scenario.name) could be simulated:\n  " + problems.joined(separator: "\n  "))
        }
        return runs
    }
}

/// Where results go.
struct OutputOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp("The output folder (default: output/<scenario name>).", valueName: "folder"))
    var output: String?

    @Flag(help: "Also write <strategy>.trace.json for ui.perfetto.dev / chrome://tracing.")
    var perfetto = false

    func validate() throws {
        try checkOutputFolder(output)
    }

    func folder(for scenario: Scenario) -> String {
        output ?? "output/\(fileName(scenario.name))"
    }
}

/// Refuses an output folder given as an empty string (which would write into the working directory).
func checkOutputFolder(_ folder: String?) throws {
    if let folder, folder.trimmingCharacters(in: .whitespaces).isEmpty {
        throw ValidationError("-o '\(folder)': give a folder name, e.g. -o output/mine (use -o . to write into the working directory)")
    }
}

/// A label made safe as a file name: letters, digits, '-', '_' and '.' are kept, anything else becomes '_',
/// and a name made only of dots ("." or "..", which name folders) becomes underscores.
func fileName(_ label: String) -> String {
    let safe = String(label.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
    return safe.isEmpty || safe.allSatisfy({ $0 == "." }) ? String(repeating: "_", count: max(safe.count, 1)) : safe
}

/// User text as echoed in a message: at most 80 characters, so that a 10 MB argument is not printed back.
func clipped(_ text: String) -> String {
    text.count > 80 ? String(text.prefix(77)) + "..." : text
}
