import ArgumentParser
import Foundation
import SimEngine
import SimRealRuns
import SimScenario
import SimTrace

/// Options shared by `real` and `compare`.
struct RealRunArguments: ParsableArguments {
    @Argument(help: "The scenario file.")
    var scenario: String

    @Option(help: "Repetitions of each strategy (the median is reported, with min and max).")
    var runs: Int = 5

    @Option(help: "Only these strategies (comma-separated labels, e.g. threads,asyncio).")
    var strategies: String?

    @Option(name: .customLong("machine"), help: "Machine profile from `simulate calibrate` (measured now if missing).")
    var machine: String = "output/machine.json"

    @Option(help: "Seconds one real run may take before it is killed (default: estimated from the scenario).")
    var timeout: Double?

    @Option(help: "Folder for results: <output>/<scenario>/real.json and real.csv.")
    var output: String = "output"

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be positive") }
    }

    /// The scenario and the strategies to run.
    func load() throws -> (Scenario, [Strategy]) {
        let scenario = try RealCommandsWiring.loadScenario(self.scenario)
        guard let wanted = strategies else { return (scenario, scenario.strategies) }
        let labels = wanted.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var chosen: [Strategy] = []
        for label in labels {
            guard let s = scenario.strategies.first(where: { $0.label == label }) else {
                let known = scenario.strategies.map(\.label).joined(separator: ", ")
                throw ValidationError("--strategies: \(scenario.name) has no strategy \"\(label)\" (it has: \(known))")
            }
            chosen.append(s)
        }
        return (scenario, chosen)
    }

    /// The saved machine profile, or a fresh calibration saved where it was looked for.
    func profile(_ environment: PythonEnvironment) throws -> MachineProfile {
        if FileManager.default.fileExists(atPath: machine) { return try MachineProfile.load(from: machine) }
        printError("No machine profile at \(machine): calibrating this machine first.")
        let profile = try Calibrator.measure(environment: environment)
        try profile.save(to: machine)
        printError("Saved \(machine).")
        return profile
    }

    func resultsFolder(_ scenario: Scenario) -> String { "\(output)/\(scenario.name)" }
}

func printError(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

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
        let (scenario, strategies) = try options.load()
        let environment = PythonEnvironment.locate()
        let runner = RealRunner(environment: environment, profile: try options.profile(environment))
        printError("Running \(scenario.name) for real: \(strategies.map(\.label).joined(separator: ", ")), \(options.runs) runs each")
        let results = try runner.run(scenario, strategies: strategies, options: RealRunOptions(runs: options.runs, timeout: options.timeout))
        let file = RealResults(scenario: scenario.name, results: results)
        print(file.table())
        for path in try file.write(to: options.resultsFolder(scenario)) { printError("wrote \(path)") }
    }
}

/// `simulate calibrate`: measures this machine and saves the profile.
struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure this machine's Python costs and save a machine profile.",
        discussion: "Use the profile with --machine to predict this machine; real runs size their CPU work with it.")

    @Option(help: "Where to save the profile.")
    var output: String = "output/machine.json"

    func run() throws {
        let profile = try Calibrator.measure(environment: PythonEnvironment.locate())
        print(Calibrator.summary(profile))
        try profile.save(to: output)
        printError("wrote \(output)")
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

    @Option(help: "Largest accepted makespan error, in percent.")
    var tolerance: Double = 15

    func run() throws {
        let (scenario, strategies) = try options.load()
        let environment = PythonEnvironment.locate()
        let profile = try options.profile(environment)
        var predicted: [RunMetrics] = []
        for strategy in strategies {
            let applied = RealRunner.scenarioForComparison(scenario, strategy: strategy, profile: profile)
            predicted.append(try RealCommandsWiring.predict(applied, strategy: strategy).metrics)
        }
        let runner = RealRunner(environment: environment, profile: profile)
        printError("Running \(scenario.name) for real: \(strategies.map(\.label).joined(separator: ", ")), \(options.runs) runs each")
        let results = try runner.run(scenario, strategies: strategies, options: RealRunOptions(runs: options.runs, timeout: options.timeout))
        for path in try RealResults(scenario: scenario.name, results: results).write(to: options.resultsFolder(scenario)) {
            printError("wrote \(path)")
        }
        let comparison = Comparison(scenario: scenario.name, predicted: predicted, measured: results, tolerancePercent: tolerance)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let path = options.resultsFolder(scenario) + "/compare.json"
        try AtomicFile.write(try encoder.encode(comparison), to: path)
        printError("wrote \(path)")
        print(comparison.table())
        if !comparison.passed { throw ExitCode(1) }
    }
}
