import ArgumentParser

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
        subcommands: [Run.self, Real.self, Compare.self, Calibrate.self, Validate.self],
        defaultSubcommand: Run.self)
}
