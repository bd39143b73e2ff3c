import SimEngine

/// The figures of one run of one strategy, predicted by the model (or measured, for the fields a real run has).
public struct RunMetrics: Sendable, Codable, Equatable {
    /// The strategy's label, e.g. "threads".
    public var strategy: String
    /// The strategy's kind: sync, threads, processes, gevent, asyncio.
    public var kind: String
    /// From the start of the run until the last foreground task finished (and the program could exit).
    public var makespan: SimTime
    /// Each foreground task's latency, from the start of the run to its finish, in task order.
    public var taskLatencies: [SimTime]
    /// Foreground operations (I/O round trips, or CPU steps where a task has no I/O) completed.
    public var operations: Int
    /// Busy time of each core (running any thread, including context switches).
    public var coreBusy: [SimTime]
    /// Time some thread held a GIL, summed over processes.
    public var gilHeld: SimTime
    /// Time threads spent waiting for a GIL, summed over threads.
    public var gilWaited: SimTime
    /// GIL hand-offs from one thread to another (switch_number in ceval_gil.c), summed over processes.
    public var gilSwitches: Int
    /// Drop requests set by waiters that timed out.
    public var dropRequests: Int
    /// Forced switches (a holder dropped on request and waited for another to take it).
    public var forcedSwitches: Int
    /// Context switches on the cores.
    public var contextSwitches: Int
    /// Events the simulator processed.
    public var events: Int
    /// The median, over foreground I/O calls, of how long after a call began its answer left the server,
    /// beyond the latency asked for: the client's way to send its request (its CPU, its waits for the GIL,
    /// the loop or a core, the connection) and the server's turn (reading it, its wake-up after the wait).
    /// Measured from the server's X-Sent-Ns stamp; nil without I/O calls.
    public var answerLate: SimTime?
    /// The CPU steps' time on a core over their planned durations (the scenario's, which calibration sized
    /// for one core alone at the machine's speed), summed over every task's steps: 1 when the work ran at
    /// the pace it was planned at; above 1 when it ran slower (cores busy at once, or, measured, a machine
    /// slower than at calibration); a wait for the GIL or a core is not in it. Nil without CPU steps (or, for
    /// a real run, without instrumentation).
    public var cpuStepPace: Double?
    /// Time the program's working threads in its main process waited for a core, summed over them: from each
    /// wake-up (what woke the thread: a GIL signal, a call's end, its creation) or preemption to its next turn
    /// on a core. Measured, each thread's `run_delay` from /proc/<pid>/task/<tid>/schedstat (harness.py
    /// `note_run_delay`), which the kernel counts from when it queues the woken task; the model's includes its
    /// wake-up latency for that reason. Nil when not recorded.
    public var coreWait: SimTime?
    /// The same threads' turns on a core (measured: schedstat's `pcount`; the model's dispatches); nil when not
    /// recorded.
    public var coreTurns: Int?
    /// The event loop's or hub's thread's part of `coreWait`; nil without a loop or hub (or not recorded).
    public var loopCoreWait: SimTime?

    public init(strategy: String, kind: String, makespan: SimTime = .zero, taskLatencies: [SimTime] = [], operations: Int = 0,
                coreBusy: [SimTime] = [], gilHeld: SimTime = .zero, gilWaited: SimTime = .zero, gilSwitches: Int = 0,
                dropRequests: Int = 0, forcedSwitches: Int = 0, contextSwitches: Int = 0, events: Int = 0,
                answerLate: SimTime? = nil, cpuStepPace: Double? = nil, coreWait: SimTime? = nil,
                coreTurns: Int? = nil, loopCoreWait: SimTime? = nil) {
        self.strategy = strategy
        self.kind = kind
        self.makespan = makespan
        self.taskLatencies = taskLatencies
        self.operations = operations
        self.coreBusy = coreBusy
        self.gilHeld = gilHeld
        self.gilWaited = gilWaited
        self.gilSwitches = gilSwitches
        self.dropRequests = dropRequests
        self.forcedSwitches = forcedSwitches
        self.contextSwitches = contextSwitches
        self.events = events
        self.answerLate = answerLate
        self.cpuStepPace = cpuStepPace
        self.coreWait = coreWait
        self.coreTurns = coreTurns
        self.loopCoreWait = loopCoreWait
    }

    /// Operations per second of makespan.
    public var throughput: Double { makespan.nanoseconds > 0 ? Double(operations) / makespan.seconds : 0 }

    /// A latency percentile (nearest rank), p in 0...100.
    public func latencyPercentile(_ p: Double) -> SimTime { Self.percentile(taskLatencies, p) }

    /// The median (nearest rank) of a list of times; nil for an empty list.
    public static func median(_ values: [SimTime]) -> SimTime? { values.isEmpty ? nil : percentile(values, 50) }

    /// The median of runs' CPU-step paces (`cpuStepPace`), by the same rule (the lower middle one for an even
    /// count); nil without any.
    public static func medianPace(_ paces: [Double]) -> Double? {
        paces.isEmpty ? nil : paces.sorted()[(paces.count - 1) / 2]
    }

    /// Nearest-rank percentile of a list of times; zero for an empty list.
    public static func percentile(_ values: [SimTime], _ p: Double) -> SimTime {
        guard !values.isEmpty else { return .zero }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank - 1, 0), sorted.count - 1)]
    }
}
