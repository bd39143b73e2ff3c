import Foundation
import SimEngine
import SimScenario
import SimTrace

/// Options of real runs.
public struct RealRunOptions: Sendable {
    /// Repetitions of each strategy (results are the median with min and max).
    public var runs: Int
    /// Seconds one harness run may take before it is killed; nil estimates it from the scenario
    /// (30 s plus five times the sum of every foreground operation's duration).
    public var timeout: Double?
    /// Whether the harness records what the GIL did (progress stamps, socket calls; ~1% of the makespan).
    public var instrument: Bool
    /// What runs the `c_releases_gil` steps: hashlib.sha256, NumPy or numba (`HarnessPlan.releaseSource`).
    public var releaseSource: ReleaseSource
    /// How many times a run is repeated when the machine changed speed during it (its steadiness probe after
    /// the run is more than `steadyTolerance` away from the one before); the last attempt is kept either way.
    public var steadyRetries: Int
    /// The largest change of the steadiness probe (after / before, either way) a run may see and be kept.
    public var steadyTolerance: Double
    /// The CPU steps' pace each strategy's run should have (`RunMetrics.cpuStepPace`), by label: the model's,
    /// which is above 1 only where cores busy at once slow each other; a label not in it is expected at 1.
    public var expectedPace: [String: Double]
    /// The largest departure (measured / expected − 1, either way) of an instrumented run's CPU steps' pace
    /// from the expected one for it to be kept as run at the calibrated speed.
    public var paceTolerance: Double
    /// Progress messages (to stderr by default).
    public var log: @Sendable (String) -> Void

    public init(runs: Int = 5, timeout: Double? = nil, instrument: Bool = true, releaseSource: ReleaseSource = .hashlib,
                steadyRetries: Int = RealRunOptions.defaultSteadyRetries, steadyTolerance: Double = RealRunOptions.defaultSteadyTolerance,
                expectedPace: [String: Double] = [:], paceTolerance: Double = RealRunOptions.defaultPaceTolerance,
                log: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
        self.runs = runs
        self.timeout = timeout
        self.instrument = instrument
        self.releaseSource = releaseSource
        self.steadyRetries = steadyRetries
        self.steadyTolerance = steadyTolerance
        self.expectedPace = expectedPace
        self.paceTolerance = paceTolerance
        self.log = log
    }

    public static let defaultSteadyRetries = 2
    public static let defaultSteadyTolerance = 0.15
    /// The VM's two speeds are ~1.5x apart: a run that spent half its CPU work at the other speed than the one
    /// its steps were sized at is ~25% off. Measured on the unseen workloads (docs/model.md, "The CPU steps'
    /// pace"): 6 of 189 runs beyond 30%, 13 beyond 25%, 32 beyond 15%.
    public static let defaultPaceTolerance = 0.25

    /// Whether a run whose steadiness probe changed by `change` (after / before) ran at one speed throughout.
    /// This VM runs at two speeds ~1.6x apart, switching over seconds (docs/model.md, "The validation matrix");
    /// the probe's own jitter within one speed is a few percent.
    public func isSteady(_ change: Double?) -> Bool {
        guard let change else { return true }
        return max(change, 1 / change) <= 1 + steadyTolerance
    }

    /// Why `run` of the strategy labelled `label` did not run at one speed, the one its steps were sized for,
    /// or nil when it did: its steadiness probe moved (`isSteady`), or its CPU steps ran at a pace more than
    /// `paceTolerance` away from the expected one. The probes see the machine only before and after the run;
    /// the pace sees it during the run, through the work itself.
    public func unsteadiness(of run: RealRun, label: String) -> String? {
        if !isSteady(run.speedChange) {
            return String(format: "probe x%.2f after", run.speedChange ?? 1)
        }
        if let pace = run.metrics.cpuStepPace {
            let expected = expectedPace[label] ?? 1
            let ratio = pace / expected
            if max(ratio, 1 / ratio) > 1 + paceTolerance {
                return String(format: "CPU steps at %.0f%% of their planned time, %.0f%% expected", pace * 100, expected * 100)
            }
        }
        return nil
    }
}

/// One real run of one strategy.
public struct RealRun: Sendable {
    public var metrics: RunMetrics
    public var trace: Trace
    /// The Python version that ran it.
    public var python: String
    /// Who held the GIL, who waited, how busy the loop and cores were (from the instrumented trace).
    public var mechanisms: MechanismFigures
    /// Whether the harness recorded the GIL (progress stamps, socket calls).
    public var instrumented: Bool
    /// The steadiness probe after the run over the one before (nil when not recorded).
    public var speedChange: Double?
    /// Whether its CPU steps were sized where they run, by a trial of its strategy (`HarnessResult.sizedWhereRun`).
    public var sizedWhereRun: Bool

    public init(metrics: RunMetrics, trace: Trace, python: String, instrumented: Bool, speedChange: Double? = nil,
                sizedWhereRun: Bool = false) {
        self.metrics = metrics
        self.trace = trace
        self.python = python
        self.instrumented = instrumented
        self.speedChange = speedChange
        self.sizedWhereRun = sizedWhereRun
        mechanisms = MechanismFigures(trace: trace, metrics: metrics)
    }
}

public struct RealStrategyResult: Sendable {
    public var strategy: Strategy
    /// In the order they ran.
    public var runs: [RealRun]

    /// Makespan over the runs.
    public var makespan: MeasuredSpread { MeasuredSpread(runs.map(\.metrics.makespan)) }
    /// Median over the runs of each run's task-latency p50 and p95.
    public var latencyP50: SimTime { MeasuredSpread(runs.map { $0.metrics.latencyPercentile(50) }).median }
    public var latencyP95: SimTime { MeasuredSpread(runs.map { $0.metrics.latencyPercentile(95) }).median }
    /// The run whose makespan is the median: the one to draw.
    public var medianRun: RealRun {
        let order = runs.indices.sorted { runs[$0].metrics.makespan < runs[$1].metrics.makespan }
        return runs[order[(order.count - 1) / 2]]
    }
}

/// Runs a scenario's strategies as real Python programs (python/harness.py) against a local latency server.
///
/// Each strategy runs `runs` times; the repetitions are interleaved (run 1 of every strategy, then run 2, …)
/// so that a change in the machine's load spreads over all strategies rather than landing on one.
/// Every child runs in its own process group; on success, failure, timeout or Ctrl-C all are stopped.
public struct RealRunner: Sendable {
    public var environment: PythonEnvironment
    public var profile: MachineProfile

    public init(environment: PythonEnvironment, profile: MachineProfile) {
        self.environment = environment
        self.profile = profile
    }

    /// The scenario both the model and the harness use for `strategy`: what the harness really does
    /// (`HarnessPlan.scenarioAsRun`) with this machine's measured costs (`MachineProfile.apply`), its
    /// GIL-releasing steps cut into calls as `releaseSource`'s kernel runs them.
    public static func scenarioForComparison(_ scenario: Scenario, strategy: Strategy, profile: MachineProfile,
                                             releaseSource: ReleaseSource = .hashlib) -> Scenario {
        var s = profile.apply(to: HarnessPlan.scenarioAsRun(scenario, for: strategy), client: strategy.kind.kindName)
        if releaseSource != .hashlib, let call = profile.gilReleaseCall(releaseSource) {
            s.costs.gilReleaseCall = call
            s.strategies = s.strategies.map { t in
                var t = t
                t.costs?.gilReleaseCall = call
                return t
            }
        }
        return s
    }

    /// Runs every strategy `options.runs` times.
    /// - Throws: `RealRunError` for set-up problems, an unsupported strategy, a failed or timed-out run.
    public func run(_ scenario: Scenario, strategies: [Strategy], options: RealRunOptions = RealRunOptions()) throws -> [RealStrategyResult] {
        try environment.prepare()
        ChildProcessRegistry.shared.installInterruptHandlers()
        let server = try LatencyServer(environment: environment)
        defer { server.stop() }
        let plans = try strategies.map { strategy in
            try HarnessPlan(scenario: Self.scenarioForComparison(scenario, strategy: strategy, profile: profile,
                                                                 releaseSource: options.releaseSource),
                            strategy: strategy, profile: profile, serverURL: server.baseURL, instrument: options.instrument,
                            releaseSource: options.releaseSource)
        }
        var results = strategies.map { RealStrategyResult(strategy: $0, runs: []) }
        for repetition in 0..<max(1, options.runs) {
            for (i, strategy) in strategies.enumerated() {
                var run: RealRun
                do {
                    let timeout = options.timeout ?? Self.estimatedTimeout(plans[i])
                    run = try runOnce(plans[i], strategy: strategy, timeout: timeout)
                    var attempts = 0
                    while let reason = options.unsteadiness(of: run, label: strategy.label), attempts < options.steadyRetries {
                        attempts += 1
                        options.log(String(format: "  %@ run %d/%d: the machine changed speed during it (%@): measuring it again",
                                           strategy.label, repetition + 1, max(1, options.runs), reason))
                        run = try runOnce(plans[i], strategy: strategy, timeout: timeout)
                    }
                } catch let error as RealRunError {
                    // A server that died makes the harness fail on its requests (a traceback of refused or reset
                    // connections, or tasks cut short): name the real cause. A SIGKILLed server closes its
                    // sockets before it becomes a zombie, so give it a moment to be seen dead.
                    for _ in 0..<50 where server.death == nil { usleep(2_000) }
                    if let death = server.death {
                        throw RealRunError.serverDied(during: "the real run of \(strategy.label)", status: death.explained, stderr: server.stderr)
                    }
                    throw error
                }
                results[i].runs.append(run)
                options.log(String(format: "  %@ run %d/%d: %.3f s", strategy.label, repetition + 1, max(1, options.runs),
                                   run.metrics.makespan.seconds))
            }
        }
        return results
    }

    /// Runs the harness once on a plan (the latency server must be running).
    public func runOnce(_ plan: HarnessPlan, strategy: Strategy, timeout: Double) throws -> RealRun {
        let folder = try ChildProcessRegistry.shared.makeTemporaryFolder("real")
        defer { ChildProcessRegistry.shared.removeTemporaryFolder(folder) }
        let planPath = folder + "/plan.json", outPath = folder + "/result.json", errPath = folder + "/stderr"
        try plan.encoded().write(to: URL(fileURLWithPath: planPath))
        var arguments = [environment.harness, "--plan", planPath, "--out", outPath]
        if case .gevent = strategy.kind { arguments.append("--gevent") }
        let child = try ChildProcess(executable: environment.python, arguments: arguments,
                                     stdoutPath: folder + "/stdout", stderrPath: errPath)
        switch child.wait(timeout: timeout) {
        case .exited(0):
            break
        case .timedOut:
            throw RealRunError.timedOut(what: "the real run of \(strategy.label)", seconds: timeout, stderr: ChildProcess.text(of: errPath))
        case let end:
            throw RealRunError.harnessFailed(strategy: strategy.label, status: end.explained, stderr: ChildProcess.text(of: errPath))
        }
        let result: HarnessResult
        do {
            result = try HarnessResult.load(path: outPath, plan: plan)
        } catch RealRunError.badResult(_, let reason) {
            // E.g. a task's thread raised (threading prints the traceback and the harness goes on): show it.
            throw RealRunError.harnessFailed(strategy: strategy.label, status: "it exited normally, but its result is unusable: \(reason)",
                                             stderr: ChildProcess.text(of: errPath))
        }
        let built = RealTraceBuilder.build(result: result, plan: plan, strategy: strategy)
        return RealRun(metrics: built.metrics, trace: built.trace, python: result.python, instrumented: plan.instrument,
                       speedChange: result.speedChange, sizedWhereRun: result.sizedWhereRun)
    }

    /// 30 s plus five times the sum of every foreground operation's duration (a sync run's makespan).
    public static func estimatedTimeout(_ plan: HarnessPlan) -> Double {
        var total: Int64 = 0
        for (task, ops) in zip(plan.tasks, plan.operations) where !task.background {
            for op in ops {
                switch op {
                case .cpu(let d, _), .sleep(let d): total += d.nanoseconds
                case .io(let cpu, let latency, _): total += cpu.nanoseconds + latency.nanoseconds
                }
            }
        }
        return 30 + 5 * Double(total) / 1e9
    }
}
