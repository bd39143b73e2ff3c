import SimEngine
import SimScenario
import SimTrace

/// What to record during a simulation.
public struct SimulationOptions: Sendable {
    /// Record the trace (lanes and state intervals). Off, the run only produces metrics.
    public var trace: Bool
    /// Add a lane per core showing which thread ran where.
    public var coreLanes: Bool
    /// Give up after this many events (a guard against scenarios that never end).
    public var maxEvents: Int
    /// Check the model's invariants after every event (O(threads) each; for tests).
    public var checkInvariants: Bool

    public init(trace: Bool = true, coreLanes: Bool = false, maxEvents: Int = 2_000_000_000, checkInvariants: Bool = false) {
        self.trace = trace
        self.coreLanes = coreLanes
        self.maxEvents = maxEvents
        self.checkInvariants = checkInvariants
    }
}

/// The outcome of simulating one strategy.
public struct SimulationRun: Sendable {
    public var metrics: RunMetrics
    /// nil when tracing was off.
    public var trace: Trace?
}

/// A simulation that could not complete.
public struct SimulationError: Error, CustomStringConvertible {
    public var message: String
    /// Events handled before the run stopped (counted against a command's shared event budget).
    public var events = 0
    public var description: String { message }
}

/// Runs the model.
public enum Simulator {
    /// Simulates `scenario` under one strategy. Deterministic: the same scenario, strategy and seed give
    /// the same metrics and trace.
    public static func run(_ scenario: Scenario, strategy: Strategy, options: SimulationOptions = SimulationOptions()) throws -> SimulationRun {
        var simulation = Simulation(scenario: scenario, strategy: strategy, options: options)
        try simulation.setUp()
        try simulation.run()
        return simulation.result()
    }

    /// Simulates every strategy of the scenario, in order.
    public static func runAll(_ scenario: Scenario, options: SimulationOptions = SimulationOptions()) throws -> [SimulationRun] {
        try scenario.strategies.map { try run(scenario, strategy: $0, options: options) }
    }
}
