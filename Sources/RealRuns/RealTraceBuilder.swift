import SimEngine
import SimScenario
import SimTrace

/// Turns a harness result into the same `Trace` and `RunMetrics` the model produces, so that a real run can
/// be drawn and compared beside a predicted one.
///
/// Lanes: the main thread first; then one lane per thread, process, greenlet or coroutine that ran tasks (a
/// pool's worker runs several, one after another); then, for asyncio, the executor's threads. States: a CPU
/// step is `running` (`runningNoGIL` for C code that releases the GIL), I/O and sleep are `blocked`, a
/// coroutine awaiting its executor call is `awaiting`, the time before a lane's first step is `starting`
/// (`runnable` for a greenlet or coroutine, which waits for the hub or loop to first run it),
/// a pool worker between tasks is `idle`; the short gaps between a task's steps are the task's own Python
/// and count as `running`. The main thread runs until every task is started and then awaits the joins; the
/// gevent hub's / asyncio loop's thread is `running` whenever one of its greenlets/coroutines runs.
/// A real run cannot see GIL waits or cores: those states never appear, and those metrics stay zero.
public enum RealTraceBuilder {
    /// The trace and metrics of one run.
    /// - Complexity: O(steps log steps).
    public static func build(result: HarnessResult, plan: HarnessPlan, strategy: Strategy) -> (trace: Trace, metrics: RunMetrics) {
        var lanes: [Lane] = []
        var segments: [Segment] = []
        func add(_ lane: Int, _ state: LaneState, _ start: Int64, _ end: Int64) {
            let s = max(0, start), e = max(0, end)
            if e > s { segments.append(Segment(lane: lane, state: state, start: .nanoseconds(s), end: .nanoseconds(e))) }
        }
        let kind = strategy.kind
        var processNames = ["main"]
        let guestKind: LaneKind? = {
            switch kind {
            case .gevent: return .greenlet
            case .asyncio: return .coroutine
            default: return nil
            }
        }()
        let isSync: Bool = { if case .sync = kind { return true } else { return false } }()
        let isPool: Bool = {
            switch kind {
            case .threads(let pool), .processes(let pool, _): return pool != nil
            default: return false
            }
        }()

        // The main thread (for sync it is the task lane itself).
        let mainName: String
        switch kind {
        case .gevent: mainName = "MainThread (hub)"
        case .asyncio: mainName = "MainThread (loop)"
        default: mainName = "MainThread"
        }
        let main = 0
        lanes.append(Lane(id: main, name: mainName, kind: .thread, process: 0))

        // Task lanes, in order of first appearance by task index.
        var laneOfWorker: [String: Int] = [:]
        var recordsOfLane: [Int: [HarnessResult.TaskRecord]] = [:]
        var processOfPid: [Int: Int] = [:]
        for record in result.tasks.sorted(by: { $0.task < $1.task }) {
            if isSync {
                recordsOfLane[main, default: []].append(record)
                continue
            }
            let key = "\(record.pid)/\(record.lane)"
            let lane: Int
            if let existing = laneOfWorker[key] {
                lane = existing
            } else {
                var process = 0
                if case .processes = kind {
                    if let p = processOfPid[record.pid] {
                        process = p
                    } else {
                        process = processNames.count
                        processOfPid[record.pid] = process
                        processNames.append(record.lane)
                    }
                }
                lane = lanes.count
                lanes.append(Lane(id: lane, name: record.lane, kind: guestKind ?? .thread, process: process,
                                  hostThread: guestKind == nil ? nil : main))
                laneOfWorker[key] = lane
            }
            recordsOfLane[lane, default: []].append(record)
        }

        // Executor threads (asyncio with CPU in the executor).
        var executorLane: [String: Int] = [:]
        var executorSteps: [Int: [(start: Int64, end: Int64, state: LaneState)]] = [:]
        for record in result.tasks.sorted(by: { $0.task < $1.task }) {
            for e in record.executor {
                let lane: Int
                if let l = executorLane[e.thread] {
                    lane = l
                } else {
                    lane = lanes.count
                    lanes.append(Lane(id: lane, name: e.thread, kind: .thread, process: 0))
                    executorLane[e.thread] = lane
                }
                let op = plan.operations[record.task][e.operation]
                executorSteps[lane, default: []].append((e.start, e.end, cpuState(op)))
            }
        }

        // Segments of the task lanes.
        let inExecutor: Bool = { if case .asyncio(_, let x) = kind { return x } else { return false } }()
        var guestRunning: [(Int64, Int64)] = []
        for (lane, records) in recordsOfLane {
            var cursor = records.map(\.created).min() ?? 0
            if isPool { cursor = 0 }
            var first = true
            for record in records.sorted(by: { $0.begin < $1.begin }) {
                for (k, step) in record.steps.enumerated() {
                    // A greenlet or coroutine exists at once but waits for the hub / loop to first run it.
                    let before: LaneState = guestKind == nil ? .starting : .runnable
                    let gapState: LaneState = first ? before : (k == 0 && isPool ? .idle : .running)
                    add(lane, gapState, cursor, step.start)
                    first = false
                    let op = plan.operations[record.task][step.operation]
                    var state: LaneState
                    switch op {
                    case .cpu: state = inExecutor ? .awaiting : cpuState(op)
                    case .io, .sleep: state = .blocked
                    }
                    add(lane, state, step.start, step.end)
                    if guestKind != nil, state == .running || state == .runningNoGIL { guestRunning.append((step.start, step.end)) }
                    cursor = max(cursor, step.end)
                }
                add(lane, .running, cursor, record.end)
                if guestKind != nil { guestRunning.append((cursor, record.end)) }
                cursor = max(cursor, record.end)
            }
        }
        for (lane, steps) in executorSteps {
            let sorted = steps.sorted { $0.start < $1.start }
            var cursor = sorted.first?.start ?? 0
            for s in sorted {
                add(lane, .idle, cursor, s.start)
                add(lane, s.state, s.start, s.end)
                cursor = max(cursor, s.end)
            }
        }

        // The main thread.
        if !isSync {
            if guestKind != nil {
                var cursor: Int64 = 0
                for (start, end) in merged(guestRunning) where end > cursor {
                    add(main, .idle, cursor, start)
                    add(main, .running, max(cursor, start), end)
                    cursor = end
                }
                add(main, .idle, cursor, result.makespan)
            } else {
                add(main, .running, 0, result.spawned)
                add(main, .awaiting, result.spawned, result.makespan)
            }
        }

        segments.sort { ($0.end, $0.lane, $0.start) < ($1.end, $1.lane, $1.start) }
        let end = max(result.makespan, segments.map(\.end.nanoseconds).max() ?? 0)
        let trace = Trace(lanes: lanes, segments: segments, instants: [], end: .nanoseconds(end), processNames: processNames)
        return (trace, metrics(result: result, plan: plan, strategy: strategy))
    }

    /// Makespan, each foreground task's latency (its end), and its operations: I/O round trips, or CPU steps
    /// for a task without I/O (as the model counts them).
    public static func metrics(result: HarnessResult, plan: HarnessPlan, strategy: Strategy) -> RunMetrics {
        var latencies: [SimTime] = []
        var operations = 0
        for record in result.tasks.sorted(by: { $0.task < $1.task }) where !plan.tasks[record.task].background {
            latencies.append(.nanoseconds(record.end))
            let ops = plan.operations[record.task]
            let hasIO = ops.contains { if case .io = $0 { return true } else { return false } }
            operations += record.steps.filter { step in
                switch ops[step.operation] {
                case .io: return true
                case .cpu: return !hasIO
                case .sleep: return false
                }
            }.count
        }
        return RunMetrics(strategy: strategy.label, kind: strategy.kind.name, makespan: .nanoseconds(result.makespan),
                          taskLatencies: latencies, operations: operations)
    }

    static func cpuState(_ op: SimScenario.Operation) -> LaneState {
        if case .cpu(_, .cReleasesGIL) = op { return .runningNoGIL }
        return .running
    }

    /// Sorted, merged intervals.
    static func merged(_ intervals: [(Int64, Int64)]) -> [(Int64, Int64)] {
        var out: [(Int64, Int64)] = []
        for (s, e) in intervals.sorted(by: { $0.0 < $1.0 }) where e > s {
            if let last = out.last, s <= last.1 {
                out[out.count - 1].1 = max(last.1, e)
            } else {
                out.append((s, e))
            }
        }
        return out
    }
}
