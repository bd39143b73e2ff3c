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
    /// The pace the tasks' CPU steps run at: each step is this many times its planned duration of work
    /// (`RunMetrics.cpuStepPace` then says the same, times any slowdown of cores busy at once). 1 predicts the
    /// machine as calibrated; `simulate compare` also predicts at the pace a real run's steps ran at, to part
    /// the machine's change of speed from the model's error.
    public var stepPace: Double

    public init(trace: Bool = true, coreLanes: Bool = false, maxEvents: Int = 2_000_000_000, checkInvariants: Bool = false,
                stepPace: Double = 1) {
        self.trace = trace
        self.coreLanes = coreLanes
        self.maxEvents = maxEvents
        self.checkInvariants = checkInvariants
        self.stepPace = stepPace
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
    ///
    /// A runtime whose scheduler is random in every real run (trio flips a coin per pass from an unseeded
    /// `random.Random()`, trio/_core/_run.py `_r`) has no single trajectory to predict: on scenarios/mixed.json
    /// sixteen draws of its coins gave 488-558 ms, median 547 (docs/model.md). It is predicted as the run with the median
    /// makespan of `randomTrajectories` coin sequences (the workload's draws the same in each), the statistic
    /// `simulate compare` measures; every other runtime runs once, as before. With tracing on, the median run
    /// is simulated again to record its trace; its metrics count its own events only.
    public static func run(_ scenario: Scenario, strategy: Strategy, options: SimulationOptions = SimulationOptions()) throws -> SimulationRun {
        let trajectories = trajectoryCount(scenario, strategy: strategy)
        guard trajectories > 1 else { return try run(scenario, strategy: strategy, options: options, trajectory: 0) }
        var quiet = options
        quiet.trace = false
        var runs: [(run: SimulationRun, trajectory: UInt64)] = []
        var events = 0
        for trajectory in 0..<UInt64(trajectories) {
            var budget = quiet
            budget.maxEvents = max(1, options.maxEvents - events)
            let run = try run(scenario, strategy: strategy, options: budget, trajectory: trajectory)
            events += run.metrics.events
            runs.append((run, trajectory))
        }
        let median = runs.sorted { ($0.run.metrics.makespan, $0.trajectory) < ($1.run.metrics.makespan, $1.trajectory) }[trajectories / 2]
        // Without a trace the quiet run is the run `options` asks for (the budget only decides whether it throws).
        guard options.trace else { return median.run }
        return try run(scenario, strategy: strategy, options: options, trajectory: median.trajectory)
    }

    /// How many coin sequences a prediction of this strategy takes the median of: `randomTrajectories` for a
    /// loop whose passes run their batch in a random order (trio), else 1.
    public static func trajectoryCount(_ scenario: Scenario, strategy: Strategy) -> Int {
        let settings = scenario.settings(for: strategy)
        guard case .eventLoop(let loop) = strategy.kind.modelTraits(costs: settings.costs, cores: settings.machine.cores).scheduling,
              loop.batch == .eitherWay else { return 1 }
        return randomTrajectories
    }

    /// The coin sequences a random scheduler's prediction is the median of: as many as `simulate compare`'s
    /// default runs, whose median it is set beside.
    public static let randomTrajectories = 5

    /// One trajectory: the run whose runtime draws its `trajectory`-th random sequence (0 is what `run`
    /// gives every runtime without a random scheduler).
    public static func run(_ scenario: Scenario, strategy: Strategy, options: SimulationOptions, trajectory: UInt64) throws -> SimulationRun {
        var simulation = Simulation(scenario: scenario, strategy: strategy, options: options, trajectory: trajectory)
        try simulation.setUp()
        try simulation.run()
        return simulation.result()
    }

    /// Simulates every strategy of the scenario, in order.
    public static func runAll(_ scenario: Scenario, options: SimulationOptions = SimulationOptions()) throws -> [SimulationRun] {
        try scenario.strategies.map { try run(scenario, strategy: $0, options: options) }
    }
}
