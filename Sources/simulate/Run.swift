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
        "Predict the machine measured by `simulate calibrate` (e.g. output/machine.json) instead of the scenario's.", valueName: "file"))
    var machineProfile: String?

    func run() throws {
        try reportingErrors {
            var scenario = try model.loadScenario(scenario)
            if let machineProfile { scenario = try MachineProfile.load(from: machineProfile).apply(to: scenario) }
            let runs = try model.simulate(scenario, trace: !pictures.noPictures || output.perfetto)
            let metrics = runs.map(\.run.metrics)
            let reference = scenario.reference.map {
                ReferenceComparison(runs: metrics, referenceMakespans: $0.makespans, source: $0.source)
            }
            let folder = output.folder(for: scenario)
            var written = try ResultsWriter.write(scenario: scenario, runs: metrics, reference: reference, to: folder)
            let resolved = folder + "/scenario.json"
            try AtomicFile.write(ScenarioEncoder.json(scenario), to: resolved)
            written.append(resolved)
            written += try pictures.render(scenario: scenario, runs: runs, folder: folder)
            if output.perfetto {
                for r in runs {
                    guard let trace = r.run.trace else { continue }
                    let path = "\(folder)/\(fileName(r.strategy.label)).trace.json"
                    try PerfettoExport.write(trace: trace, scenario: scenario.name, strategy: r.strategy.label, to: path)
                    written.append(path)
                }
            }
            if json {
                print(try ResultsWriter.json(scenario: scenario, runs: metrics, reference: reference))
            } else {
                print(Report.render(scenario: scenario, runs: metrics, reference: reference, colour: isatty(STDOUT_FILENO) != 0))
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

    @Option(help: "Override the scenario's seed.")
    var seed: UInt64?

    @Option(name: .customLong("set"), help: ArgumentHelp(
        "Override a scenario value, e.g. python.switch_interval=1ms, machine.cores=8, tasks[0].count=20 (repeatable).",
        valueName: "key=value"))
    var overrides: [String] = []

    /// Reads the scenario with the overrides and the strategy filter applied.
    func loadScenario(_ path: String) throws -> Scenario {
        var all = overrides
        if let seed { all.append("seed=\(seed)") }
        var scenario = try ScenarioLoader.load(path: path, overrides: all)
        if let strategies {
            let wanted = strategies.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let known = scenario.strategies.map(\.label)
            for w in wanted where !scenario.strategies.contains(where: { $0.label == w || $0.kind.name == w }) {
                throw UserError("--strategies: '\(w)' is not a strategy of \(scenario.name); it has \(known.joined(separator: ", ")). Add it to the scenario's \"strategies\" or pick one of these.")
            }
            scenario.strategies = scenario.strategies.filter { s in wanted.contains { $0 == s.label || $0 == s.kind.name } }
        }
        return scenario
    }

    /// Simulates each strategy. A strategy the model refuses (e.g. gevent with a background task that never
    /// yields) is reported on stderr and left out; if none remains, that is an error.
    func simulate(_ scenario: Scenario, trace: Bool) throws -> [StrategyRun] {
        var runs: [StrategyRun] = []
        var problems: [String] = []
        for strategy in scenario.strategies {
            do {
                let run = try Simulator.run(scenario, strategy: strategy, options: SimulationOptions(trace: trace, coreLanes: trace))
                runs.append(StrategyRun(strategy: strategy, run: run))
            } catch let error as SimulationError {
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

    func folder(for scenario: Scenario) -> String {
        output ?? "output/\(fileName(scenario.name))"
    }
}

/// A label made safe as a file name.
func fileName(_ label: String) -> String {
    String(label.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
}
