import SimEngine

/// What simulating a scenario will cost, estimated from its expected (mean) durations before anything runs,
/// so that a scenario far too big for the machine is refused with a message instead of running for minutes
/// or exhausting memory.
///
/// The figures are estimates of the foreground work (background groups loop for as long as the foreground
/// runs and are caught by the running budget instead). The event count per operation follows the model's
/// programs (`Simulation+Programs.swift`): an I/O call with a new connection is about a dozen events
/// (getaddrinfo, socket, connect, send, the wait, recv, close, with their GIL hand-offs), a CPU step or a
/// sleep a few, plus one slice or GIL hand-off per `min(timeslice, switch_interval)` of CPU.
public struct WorkEstimate: Sendable, Equatable {
    /// Expected simulated time if every foreground task ran one after another (an upper estimate of every
    /// strategy's makespan, before contention overheads).
    public var serialTime: SimTime
    /// Expected events of one strategy's run, summed over the scenario's strategies.
    public var events: Double
    /// Foreground and background task instances (each is a lane of the trace in most strategies).
    public var taskInstances: Int

    /// Events of one operation, by kind (see the type's documentation).
    static let eventsPerIO = 12.0
    static let eventsPerCPU = 3.0
    static let eventsPerSleep = 3.0

    /// Estimates `scenario` with each of its strategies' settings.
    public init(_ scenario: Scenario) {
        var serial = SimTime.zero
        var events = 0.0
        for strategy in scenario.strategies {
            let (machine, python, costs) = scenario.settings(for: strategy)
            // CPU is cut at each slice end and, with a GIL, at each forced switch.
            let slice = machine.scheduler.effectiveSlice(cores: machine.cores)
            let quantum = python.gil ? min(slice, python.switchInterval) : slice
            let perTask = Self.startCost(strategy.kind, costs, cores: machine.cores)
            var strategySerial = SimTime.zero
            for group in scenario.tasks where !group.background {
                let program = Self.measure(group.steps, costs: costs)
                let one = program.time + perTask
                strategySerial = strategySerial + one * Int64(group.count)
                let cpuEvents = Double(program.cpu.nanoseconds) / Double(max(quantum.nanoseconds, 1))
                events += Double(group.count) * (program.events + cpuEvents + 4)
            }
            serial = max(serial, strategySerial)
        }
        self.serialTime = serial
        self.events = events
        self.taskInstances = scenario.tasks.reduce(0) { $0 + $1.count }
    }

    /// Expected time, CPU time and events of one run through `steps`.
    struct Program {
        var time = SimTime.zero
        var cpu = SimTime.zero
        var events = 0.0
    }

    static func measure(_ steps: [Step], costs: Costs) -> Program {
        var p = Program()
        for step in steps {
            switch step {
            case .cpu(let c):
                let d = c.duration.mean
                p.time = p.time + d
                p.cpu = p.cpu + d
                p.events += eventsPerCPU
            case .io(let io):
                // A connection's opening and its close (a kept-alive one's at its task's end), counted per call
                // that asks for a new one: an estimate's upper side.
                let connect = io.connection == .new ? costs.connectionSetup + costs.connectionLifeCPU + costs.syscall * 3 : .zero
                let cpu = io.cpu.mean
                p.time = p.time + cpu + io.latency.mean + costs.syscall + costs.ioOverhead + connect
                p.cpu = p.cpu + cpu
                p.events += eventsPerIO
            case .sleep(let d):
                p.time = p.time + d.mean
                p.events += eventsPerSleep
            case .repeat(let count, let body):
                let b = measure(body, costs: costs)
                p.time = p.time + b.time * Int64(count)
                p.cpu = p.cpu + b.cpu * Int64(count)
                p.events += b.events * Double(count)
            }
        }
        return p
    }

    /// The start-up cost a strategy pays per task (charged in the estimate as serial time).
    static func startCost(_ kind: Strategy.Kind, _ costs: Costs, cores: Int) -> SimTime {
        switch kind.modelTraits(costs: costs, cores: cores).scheduling {
        case .sequential: return .zero
        case .osThreads: return costs.threadStart
        case .osProcesses(_, let method): return (costs.processStart[method] ?? .zero) + costs.pickle
        case .interpreters: return costs.threadStart + costs.interpreterStart + costs.interpreterHandoff
        case .greenlets(let g): return g.spawn + g.switchCost
        case .eventLoop(let loop): return loop.taskCreate + costs.executorHandoff + loop.iteration
        }
    }
}

/// Work budgets of one command: how much a scenario may make the model do, with the option that raises each.
public struct WorkBudget: Sendable, Equatable {
    /// Events of all strategies together.
    public var events: Int
    /// Task instances when a trace is recorded (each becomes a lane, in memory and in pictures).
    public var tracedTasks: Int

    /// The default event budget without a trace: measured here (release build, 2 CPU-bound threads), the model
    /// handles about 7 M events/s, so 150 M events stop within about 21 s.
    public static let defaultEvents = 150_000_000
    /// The default event budget with a trace (pictures or --perfetto): each event can add a trace segment,
    /// and 30 M events of a looping background task peaked at 1.6 GB here, so 20 M stay near 1.1 GB.
    public static let defaultTracedEvents = 20_000_000
    /// Default bound on traced task instances (lanes). Pictures draw the first lanes and a sample of the rest
    /// beside density bands, so lanes cost memory only in the trace: 100,000 one-round-trip tasks under all five
    /// strategies peaked at 0.56 GB in 4.5 s here (release build, pictures on).
    public static let defaultTracedTasks = 100_000

    public init(events: Int, tracedTasks: Int = defaultTracedTasks) {
        self.events = events
        self.tracedTasks = tracedTasks
    }

    /// The default budget for a run with or without a trace.
    public static func defaults(tracing: Bool) -> WorkBudget {
        WorkBudget(events: tracing ? defaultTracedEvents : defaultEvents)
    }

    /// Refuses `scenario` if its estimate exceeds the budget; the message names the budget, the estimate and
    /// the option that raises it.
    public func check(_ scenario: Scenario, tracing: Bool) throws {
        let estimate = WorkEstimate(scenario)
        if estimate.events > Double(events) {
            let n = scenario.strategies.count
            throw BudgetExceeded(
                "\(scenario.name) would take about \(Self.count(estimate.events)) events to simulate (\(n) \(n == 1 ? "strategy" : "strategies")), "
                + "beyond the budget of \(Self.count(Double(events))) events\(tracing ? " with a trace for pictures" : ""). "
                + "Raise it with --max-events \(Self.suggestion(estimate.events))\(tracing ? " (and expect memory to grow with the trace; --no-pictures needs less)" : ""), "
                + "or make the scenario smaller (fewer repeats or tasks, fewer strategies with --strategies).")
        }
        if tracing && estimate.taskInstances > tracedTasks {
            throw BudgetExceeded(
                "\(scenario.name) has \(estimate.taskInstances) task instances, beyond the budget of \(tracedTasks) traced tasks "
                + "(each is a lane held in memory for the pictures). Use --no-pictures, or raise it with --max-traced-tasks \(estimate.taskInstances).")
        }
    }

    /// A count in a short form: 1200 -> "1,200", 3.4e9 -> "3.4 billion".
    static func count(_ x: Double) -> String {
        if !(x < 1e12) { return "more than a trillion" }
        if x >= 1e9 { return shortDecimal(x / 1e9) + " billion" }
        if x >= 1e6 { return shortDecimal(x / 1e6) + " million" }
        return String(Int(x.rounded()))
    }

    static func shortDecimal(_ x: Double) -> String {
        x >= 100 || x == x.rounded() ? String(Int(x.rounded())) : String((x * 10).rounded() / 10)
    }

    /// A value of --max-events that fits the estimate (rounded up to 2 significant digits).
    static func suggestion(_ x: Double) -> String {
        guard x < 9e18 else { return String(Int.max) }
        var scale = 1.0
        while x / scale >= 100 { scale *= 10 }
        return String(Int((x / scale).rounded(.up) * scale))
    }
}

/// A scenario refused because its estimated work exceeds a budget.
public struct BudgetExceeded: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ message: String) { description = message }
}
