import ArgumentParser

@main
struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Predict how Python concurrency strategies run a workload.",
        subcommands: [Real.self, Compare.self, Calibrate.self])
    func run() throws {}
}
