import ArgumentParser

@main
struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Predict how Python concurrency strategies run a workload.")
    func run() throws {}
}
