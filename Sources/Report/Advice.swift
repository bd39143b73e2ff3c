import Foundation
import SimEngine
import SimScenario
import SimTrace

/// Which strategy to choose for a scenario, and why, from the runs' own accounting: the share of time
/// threads waited for the GIL, how busy the cores were, coroutines kept waiting by a busy loop, time blocked
/// on I/O, time spent starting threads and processes.
///
/// ```
/// Choose processes (1.10 s, 2.0x faster than sync): the 2 cores are busy 100% of the time.
/// threads lose: 64% of their time holding or waiting for the GIL is waiting (the GIL serialises them).
/// ```
///
/// The figures come from `RunMetrics` and, where traces are given, from the time each lane spent in each
/// state; without traces, the waiting share comes from the workload's own means (`WorkloadProfile`).
public struct Advice: Sendable, Equatable {
    /// What decided a run's speed.
    public enum Mechanism: String, Sendable, Equatable, Codable {
        /// Threads waited for the GIL (ceval_gil.c's take_gil): no parallelism for Python code.
        case gilWait = "gil_wait"
        /// The cores were busy: CPU work ran in parallel.
        case coresBusy = "cores_busy"
        /// The cores were mostly idle while CPU work waited: one thread ran it all.
        case coresIdle = "cores_idle"
        /// Ready coroutines waited for the event loop, which was running someone's CPU step.
        case loopBlocked = "loop_blocked"
        /// The run's time was mostly waiting on I/O; concurrency overlaps the waits.
        case ioWait = "io_wait"
        /// Thread, process or interpreter start-up took a noticeable share of the run.
        case startUp = "start_up"
        /// Short I/O beside CPU work: each return from I/O waits up to a switch interval for the GIL.
        case convoy
    }

    /// One piece of evidence: a strategy, the mechanism and the figure that shows it.
    public struct Evidence: Sendable, Equatable {
        public var strategy: String
        public var mechanism: Mechanism
        /// The figure as a fraction (a share of time) where it is one.
        public var share: Double
        /// The mechanism in a few words, read with `share` after it ("waits for the GIL" 64%): the label
        /// beside the strategy's bar in the summary picture.
        public var phrase: String
        /// The sentence, e.g. "threads lose: 64% of their time holding or waiting for the GIL is waiting".
        public var text: String
    }

    /// The strategy to choose (the fastest; nil without runs).
    public var choice: String?
    /// Strategies within 5% of the choice's makespan (as good for practical purposes).
    public var asGood: [String]
    /// Why the choice wins and why the others lose, most important first.
    public var evidence: [Evidence]
    /// Warnings that hold whatever is chosen (the convoy effect).
    public var warnings: [Evidence]
    /// The seed article's rule of thumb for this workload, and whether the model agrees with it.
    public var ruleOfThumb: RuleOfThumb
    /// The rule set beside the choice, as a sentence (the last of `lines` before the warnings).
    public var ruleOfThumbVerdict: String
    /// Everything as lines of prose: the choice with its reason, the losers, the rule of thumb, the warnings.
    public var lines: [String]

    /// Makespans within this factor of the best count as "as good".
    public static let asGoodFactor = 1.05

    /// - Parameter traces: traces by strategy label, where the runs were traced (more mechanisms can be named).
    public init(scenario: Scenario, runs: [RunMetrics], traces: [String: Trace] = [:]) {
        let comparison = RunComparison(scenario: scenario, runs: runs)
        let profile = WorkloadProfile(scenario: scenario)
        let candidates = comparison.fastestFirst.filter { Self.isCandidate(kind: $0.metrics.kind, in: scenario) }
        let best = candidates.first
        choice = best?.label
        let limit = best.map { Double($0.makespan.nanoseconds) * Self.asGoodFactor } ?? 0
        asGood = candidates.dropFirst().filter { Double($0.makespan.nanoseconds) <= limit }.map(\.label)
        var evidence: [Evidence] = []
        var warnings: [Evidence] = []
        ruleOfThumb = RuleOfThumb(scenario: scenario)
        ruleOfThumbVerdict = ruleOfThumb.verdict(choice: best, asGood: asGood, runs: candidates)
        guard let best else {
            self.evidence = []
            self.warnings = []
            lines = ["No strategy was run."]
            return
        }
        let accounts = traces.mapValues(StateAccount.init)
        let ioShare = Self.ioShare(profile: profile, baseline: comparison.baselineFigures, accounts: accounts)

        // Why the fastest wins.
        let contended = comparison.figures.filter {
            let strategy = scenario.strategy(labelled: $0.label, kind: $0.metrics.kind)
            return Self.mechanism(of: strategy, in: scenario) == .threads && scenario.settings(for: strategy).python.gil
        }.max { Self.gilWaitShare($0.metrics) < Self.gilWaitShare($1.metrics) }
        if let reason = Self.winReason(best, scenario: scenario, ioShare: ioShare, contended: contended) {
            evidence.append(reason)
        }
        // Why the others lose: the mechanisms that cost them the most.
        for run in candidates.dropFirst() where !asGood.contains(run.label) {
            if let reason = Self.loseReason(run, best: best, scenario: scenario, profile: profile, accounts: accounts, ioShare: ioShare) {
                evidence.append(reason)
            }
        }
        for run in comparison.figures {
            if let w = Self.convoy(run, scenario: scenario) { warnings.append(w) }
        }
        self.evidence = evidence
        self.warnings = warnings

        var head = "Choose \(best.label) (\(Format.duration(best.makespan))"
        if let base = comparison.baselineFigures, base.label != best.label, let f = Verdict.rounded(best.speedUp), f > 1 {
            head += ", \(Format.shortFactor(f))x faster than \(base.label)"
        }
        head += ")"
        if !asGood.isEmpty { head += "; \(Verdict.list(asGood)) within 5%" }
        if let sync = comparison.figures.first(where: { !Self.isCandidate(kind: $0.metrics.kind, in: scenario) }) {
            head += " (\(sync.label) is not a candidate: it runs only the foreground tasks)"
        }
        var out: [String] = []
        if let first = evidence.first, first.strategy == best.label {
            out.append(head + ": " + first.text + ".")
            out += evidence.dropFirst().map { $0.text + "." }
        } else {
            out.append(head + ".")
            out += evidence.map { $0.text + "." }
        }
        out.append(ruleOfThumbVerdict)
        out += warnings.map { "Warning: " + $0.text + "." }
        lines = out
    }

    /// Whether a strategy of this kind can be the choice. sync runs only the foreground tasks (there is no
    /// concurrency to run background work beside them), so with background tasks its time answers another
    /// question.
    public static func isCandidate(kind: String, in scenario: Scenario) -> Bool {
        kind != StrategyKindName.sync.rawValue || !scenario.tasks.contains { $0.background }
    }

    /// What runs a strategy's tasks, in the terms the advice reasons with.
    enum Runner: Equatable {
        case sequential, threads, processes, interpreters, greenlets, eventLoop
    }

    static func mechanism(of strategy: Strategy, in scenario: Scenario) -> Runner {
        let settings = scenario.settings(for: strategy)
        switch strategy.kind.modelTraits(costs: settings.costs, cores: settings.machine.cores).scheduling {
        case .sequential: return .sequential
        case .osThreads: return .threads
        case .osProcesses: return .processes
        case .interpreters: return .interpreters
        case .greenlets: return .greenlets
        case .eventLoop: return .eventLoop
        }
    }

    /// What keeps a runtime's I/O from overlapping: a client limit (Tornado's max_clients) below the tasks,
    /// or blocking calls that block every green thread (tasklets, nothing monkey patched).
    static func ioLimit(of strategy: Strategy, in scenario: Scenario) -> (phrase: String, text: String)? {
        let settings = scenario.settings(for: strategy)
        switch strategy.kind.modelTraits(costs: settings.costs, cores: settings.machine.cores).scheduling {
        case .eventLoop(let loop):
            guard let limit = loop.connectionLimit, limit < scenario.foregroundTaskCount else { return nil }
            return ("\(limit) fetches at a time (max_clients); waiting on I/O",
                    "its HTTP client runs at most \(limit) fetches at once (max_clients) for \(scenario.foregroundTaskCount) tasks")
        case .greenlets(let green):
            guard !green.monkeyPatched else { return nil }
            return ("blocking calls block all; waiting on I/O", "nothing is monkey patched, so each blocking call blocks every green thread")
        case .sequential, .osThreads, .osProcesses, .interpreters:
            return nil
        }
    }

    /// The share of the baseline's time spent waiting on I/O (from its trace), else the workload's mean share.
    static func ioShare(profile: WorkloadProfile, baseline: StrategyFigures?, accounts: [String: StateAccount]) -> Double {
        if let baseline, let a = accounts[baseline.label], baseline.makespan.nanoseconds > 0 {
            return min(1, a.blocked.seconds / baseline.makespan.seconds)
        }
        return 1 - profile.cpuShare
    }

    static func gilWaitShare(_ m: RunMetrics) -> Double {
        let wanted = m.gilWaited + m.gilHeld
        return wanted.nanoseconds > 0 ? m.gilWaited.seconds / wanted.seconds : 0
    }

    static func winReason(_ run: StrategyFigures, scenario: Scenario, ioShare: Double, contended: StrategyFigures?) -> Evidence? {
        let label = run.label
        let strategy = scenario.strategy(labelled: label, kind: run.metrics.kind)
        let gil = scenario.settings(for: strategy).python.gil
        let cores = run.cores
        let runner = mechanism(of: strategy, in: scenario)
        // CPU in parallel: processes or interpreters (a GIL each) or free-threaded threads keep several cores busy.
        let ownGIL = runner == .processes || runner == .interpreters
        let isolation = runner == .interpreters ? "interpreter" : "process"
        if cores > 1, run.utilisation >= 0.6, ownGIL || (runner == .threads && !gil) {
            let why = gil ? "each \(isolation) has its own GIL" : "no GIL"
            return Evidence(strategy: label, mechanism: .coresBusy, share: run.utilisation,
                            phrase: "cores busy",
                            text: "the \(cores) cores are busy \(Format.percent(run.utilisation)) of the time (\(why))")
        }
        // No shared GIL while threads with one wait for it much of the time: that is the difference.
        if ownGIL || (runner == .threads && !gil), let contended {
            let share = gilWaitShare(contended.metrics)
            if share >= 0.3 {
                let why = gil ? "each \(isolation) has its own GIL" : "no GIL"
                return Evidence(strategy: label, mechanism: .gilWait, share: share,
                                phrase: "\(gil ? "a GIL per \(isolation)" : "no GIL"); GIL wait in \(contended.label)",
                                text: "\(why), while \(contended.label) waits for its GIL \(Format.percent(share)) of the time it holds or wants it")
            }
        }
        if ioShare >= 0.5, runner != .sequential {
            return Evidence(strategy: label, mechanism: .ioWait, share: ioShare,
                            phrase: "work waiting on I/O",
                            text: "\(Format.percent(ioShare)) of the sequential run is waiting on I/O, and \(label) overlaps the waits")
        }
        if runner == .threads, gil, run.metrics.gilWaited.nanoseconds > 0 {
            let share = gilWaitShare(run.metrics)
            return Evidence(strategy: label, mechanism: .gilWait, share: share,
                            phrase: "waits for the GIL only",
                            text: "its threads wait for the GIL only \(Format.percent(share)) of the time they want it")
        }
        return nil
    }

    static func loseReason(_ run: StrategyFigures, best: StrategyFigures, scenario: Scenario, profile: WorkloadProfile,
                           accounts: [String: StateAccount], ioShare: Double) -> Evidence? {
        let label = run.label
        let strategy = scenario.strategy(labelled: label, kind: run.metrics.kind)
        let settings = scenario.settings(for: strategy)
        let slower = best.makespan.nanoseconds > 0 ? run.makespan.seconds / best.makespan.seconds : 1
        let how = "\(label) is \(Format.shortFactor(slower))x slower"
        let account = accounts[label]
        let runner = mechanism(of: strategy, in: scenario)
        // Start-up first: it is the mechanism that makes an otherwise good strategy lose on short runs.
        if let account, run.makespan.nanoseconds > 0 {
            let starting = account.starting.seconds / run.makespan.seconds
            if starting >= 0.1, runner == .processes || runner == .threads || runner == .interpreters {
                // Lane time, summed over workers that start at once (on a core or waiting for one): its share of
                // the cores' time over the makespan, at most all of it.
                let share = min(1, starting / Double(max(run.cores, 1)))
                let workers = workersStarted(by: strategy, in: scenario, settings: settings)
                return Evidence(strategy: label, mechanism: .startUp, share: share,
                                phrase: "starting its workers takes",
                                text: "\(how): its \(workers == 1 ? "worker spends" : "\(workers) workers spend") \(Format.duration(account.starting)) starting in all, \(Format.percent(share)) of the \(run.cores) cores' time")
            }
        }
        // I/O that does not overlap: the runtime's own limits, where the waiting is most of the work.
        if ioShare >= 0.5, let why = ioLimit(of: strategy, in: scenario) {
            return Evidence(strategy: label, mechanism: .ioWait, share: ioShare, phrase: why.phrase,
                            text: "\(how): \(why.text), while \(Format.percent(ioShare)) of the sequential run is waiting on I/O")
        }
        switch runner {
        case .threads where settings.python.gil:
            let share = gilWaitShare(run.metrics)
            if share >= 0.3 {
                return Evidence(strategy: label, mechanism: .gilWait, share: share,
                                phrase: "waits for the GIL",
                                text: "\(how): \(Format.percent(share)) of its threads' time holding or waiting for the GIL is waiting (the GIL lets one run Python at a time)")
            }
        case .eventLoop:
            // CPU steps in the executor: its threads and the loop's share one GIL.
            let share = gilWaitShare(run.metrics)
            if share >= 0.3 {
                return Evidence(strategy: label, mechanism: .gilWait, share: share,
                                phrase: "loop and executor wait for the GIL",
                                text: "\(how): \(Format.percent(share)) of the time its loop and executor threads hold or want the GIL is waiting for it")
            }
            if let account, account.runnable.nanoseconds > 0, run.makespan.nanoseconds > 0 {
                let share = min(1, account.runnable.seconds / (account.runnable + account.blocked).seconds)
                if share >= 0.3 {
                    return Evidence(strategy: label, mechanism: .loopBlocked, share: share,
                                    phrase: "ready coroutines wait for the busy loop",
                                    text: "\(how): its ready coroutines wait \(Format.duration(account.runnable)) in all for the loop, busy with CPU steps (\(Format.percent(share)) of their waiting)")
                }
            }
        case .processes:
            var method = Defaults.startMethod
            if case .osProcesses(_, let m) = strategy.kind.modelTraits(costs: settings.costs, cores: settings.machine.cores).scheduling {
                method = m
            }
            let started = workersStarted(by: strategy, in: scenario, settings: settings)
            let start = settings.costs.processStart[method] ?? .zero
            // Starts spread over the cores: the share of the makespan they take at least.
            let share = start.seconds * Double(started) / Double(max(run.cores, 1)) / max(run.makespan.seconds, 1e-12)
            if share >= 0.05 {
                let what = started == 1 ? "1 process" : "\(started) processes"
                return Evidence(strategy: label, mechanism: .startUp, share: share,
                                phrase: "starting its processes takes",
                                text: "\(how): starting \(what) at \(Format.duration(start)) each takes \(Format.percent(share)) of its makespan over the \(run.cores) cores")
            }
        case .threads, .sequential, .greenlets, .interpreters:
            break
        }
        // CPU work that could have run in parallel but used one core.
        if run.cores > 1, profile.bound != .io, run.utilisation <= 1.2 / Double(run.cores), best.utilisation > run.utilisation * 1.3 {
            return Evidence(strategy: label, mechanism: .coresIdle, share: 1 - run.utilisation,
                            phrase: "cores idle",
                            text: "\(how): \(Format.percent(1 - run.utilisation)) of the \(run.cores) cores' time is idle (one thread runs all the CPU work)")
        }
        return nil
    }

    /// How many workers `strategy` starts: a pool's workers once, however many tasks it is given (at most one a
    /// task, as the model starts them), else one per foreground task.
    static func workersStarted(by strategy: Strategy, in scenario: Scenario,
                               settings: (machine: Machine, python: PythonRuntime, costs: Costs)) -> Int {
        let tasks = scenario.foregroundTaskCount
        switch strategy.kind.modelTraits(costs: settings.costs, cores: settings.machine.cores).scheduling {
        case .osProcesses(let pool?, _), .osThreads(let pool?), .interpreters(let pool): return min(pool, tasks)
        case .osProcesses(nil, _), .osThreads(nil), .sequential, .greenlets, .eventLoop: return tasks
        }
    }

    /// The convoy effect (bpo-7946): a GIL-holding thread beside threads doing short I/O makes every return
    /// from I/O wait in take_gil until the holder drops the GIL on request, up to a switch interval
    /// (Python/ceval_gil.c: the waiter's timed wait, then SET_GIL_DROP_REQUEST).
    static func convoy(_ run: StrategyFigures, scenario: Scenario) -> Evidence? {
        let strategy = scenario.strategy(labelled: run.label, kind: run.metrics.kind)
        let python = scenario.settings(for: strategy).python
        guard mechanism(of: strategy, in: scenario) == .threads, python.gil, run.metrics.dropRequests > 0, run.metrics.operations > 0 else { return nil }
        guard let io = Self.meanIOLatency(scenario), io.nanoseconds > 0 else { return nil }
        let perOperation = SimTime.nanoseconds(run.metrics.gilWaited.nanoseconds / Int64(run.metrics.operations))
        // Only when the wait is large against the I/O itself: then the GIL, not the network, sets the pace.
        guard perOperation.seconds >= 0.5 * io.seconds, perOperation.seconds >= 0.1 * python.switchInterval.seconds else { return nil }
        return Evidence(strategy: run.label, mechanism: .convoy, share: perOperation.seconds / (perOperation + io).seconds,
                        phrase: "convoy: waits for the GIL after I/O",
                        text: "convoy in \(run.label): after each I/O call (\(Format.duration(io)) on average) a thread waits \(Format.duration(perOperation)) for the GIL held by CPU work (switch interval \(Format.duration(python.switchInterval))); a shorter switch interval, the CPU work in processes or the I/O in asyncio avoid it")
    }

    /// The mean latency of the scenario's I/O calls (weighted by how often each runs), nil without I/O.
    static func meanIOLatency(_ scenario: Scenario) -> SimTime? {
        var total = 0.0, count = 0.0
        for g in scenario.tasks {
            Step.forEachLeaf(in: g.steps, times: Double(max(g.count, 0))) { leaf, times in
                guard case .io(let s) = leaf else { return }
                total += Double(s.latency.mean.nanoseconds) * times
                count += times
            }
        }
        return count > 0 ? .nanoseconds(Int64(total / count)) : nil
    }
}

/// Time summed over a run's thread, greenlet and coroutine lanes, by state (cores left out).
struct StateAccount: Sendable, Equatable {
    var runnable = SimTime.zero
    var blocked = SimTime.zero
    var starting = SimTime.zero
    var waitingGIL = SimTime.zero

    init(_ trace: Trace) {
        var isCore = [Bool](repeating: false, count: trace.lanes.count)
        var isCoroutine = [Bool](repeating: false, count: trace.lanes.count)
        for lane in trace.lanes where lane.id < isCore.count {
            isCore[lane.id] = lane.kind == .core
            isCoroutine[lane.id] = lane.kind == .coroutine
        }
        for s in trace.segments {
            let lane = Int(s.lane)
            guard lane < isCore.count, !isCore[lane] else { continue }
            switch s.state {
            // Only a coroutine's "ready" is the loop's doing; a thread's is the OS scheduler's.
            case .runnable where isCoroutine[lane]: runnable += s.duration
            case .blocked: blocked += s.duration
            case .starting: starting += s.duration
            case .waitingGIL: waitingGIL += s.duration
            default: break
            }
        }
    }
}

extension Advice {
    /// One point of a sweep for `flips`: the varied key's value there and the runs.
    public struct SeriesPoint: Sendable {
        public var value: String
        public var runs: [RunMetrics]
        public init(value: String, runs: [RunMetrics]) {
            self.value = value
            self.runs = runs
        }
    }

    /// Where the answer flips along a sweep of `key`, in order: first where the fastest strategy changes
    /// ("asyncio overtakes threads above tasks[0].count=100 (fastest from tasks[0].count=200)"), or that one
    /// strategy is fastest throughout; then where one strategy overtakes another that was faster before
    /// (at most `maxCrossings`), e.g. "threads-1ms overtakes threads above python.switch_interval=1ms".
    ///
    /// A change counts only beyond `asGoodFactor` (5%), so noise-level ties do not flip the answer.
    public static func flips(key: String, along points: [SeriesPoint], maxCrossings: Int = 3) -> [String] {
        var out: [String] = []
        var current: String?
        var lastValue: String?
        func makespan(_ s: String, _ p: SeriesPoint) -> Double? {
            p.runs.first { $0.strategy == s }.map { Double($0.makespan.nanoseconds) }
        }
        for p in points {
            guard let best = p.runs.min(by: { $0.makespan < $1.makespan }) else { continue }
            if let previous = current, previous != best.strategy {
                let stillAsGood = makespan(previous, p).map { $0 <= Double(best.makespan.nanoseconds) * asGoodFactor } ?? false
                if !stillAsGood {
                    out.append("\(best.strategy) overtakes \(previous) above \(key)=\(lastValue ?? "?") (fastest from \(key)=\(p.value))")
                    current = best.strategy
                }
            } else if current == nil {
                current = best.strategy
            }
            lastValue = p.value
        }
        if out.isEmpty, let current, points.count > 1 {
            out.append("\(current) is fastest (or within 5% of it) at every \(key) from \(points.first!.value) to \(points.last!.value)")
        }
        // Crossings between any two strategies: b overtakes a where a was faster by more than 5% at an
        // earlier point and b is faster by more than 5% here (the first such place for each pair).
        guard let first = points.first else { return out }
        var crossings: [(index: Int, text: String)] = []
        let names = first.runs.map(\.strategy)
        for a in names {
            for b in names where b != a {
                var aWasAhead = false
                for (i, p) in points.enumerated() {
                    guard let ai = makespan(a, p), let bi = makespan(b, p) else { continue }
                    if ai * asGoodFactor < bi { aWasAhead = true }
                    if aWasAhead, bi * asGoodFactor < ai {
                        crossings.append((i, "\(b) overtakes \(a) above \(key)=\(points[i - 1].value)"))
                        break
                    }
                }
            }
        }
        let known = Set(out)
        for c in crossings.sorted(by: { ($0.index, $0.text) < ($1.index, $1.text) }).prefix(maxCrossings) {
            if !known.contains(where: { $0.hasPrefix(c.text) }) { out.append(c.text) }
        }
        return out
    }
}
