import ArgumentParser
import SimScenario

/// `simulate`: predict, draw and measure how Python concurrency strategies run a workload.
@main
struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Predict how a Python workload runs sequentially, in threads, processes, gevent and asyncio.",
        discussion: """
            Examples:
              simulate scenarios/io_heavy.json
              simulate scenarios/convoy.json --set python.switch_interval=1ms --set machine.cores=8
              simulate scenarios/cpu_heavy.json --strategies threads,processes --theme dark --window 0ms..40ms
            """,
        version: "simulate 1.0 (scenario format version \(Defaults.version))",
        subcommands: [Run.self, Real.self, Compare.self, Calibrate.self, Validate.self, Sweep.self, Schema.self],
        defaultSubcommand: Run.self)
}

/// `simulate schema`: prints the JSON Schema of the scenario format (schema/scenario.schema.json is a copy).
struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the JSON Schema of the scenario format, for editors.",
        discussion: "Scenario files point an editor at it with \"$schema\": \"../schema/scenario.schema.json\".")

    func run() throws {
        print(ScenarioSchema.text(), terminator: "")
    }
}
