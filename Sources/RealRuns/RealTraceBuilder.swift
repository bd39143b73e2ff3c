import SimEngine
import SimModel
import SimScenario
import SimTrace

/// Turns a harness result into the same `Trace` and `RunMetrics` the model produces, so that a real run can
/// be drawn and compared beside a predicted one, lane by lane under the same names (`LaneNames`; a task's
/// lane is named after the task, as in the model).
///
/// Lanes: the main thread first; then one lane per thread, process, greenlet or coroutine that ran tasks (a
/// pool's worker runs several, one after another); then, for asyncio, the executor's threads. States: a CPU
/// step is `running` (`runningNoGIL` for C code that releases the GIL), I/O and sleep are `blocked`, a
/// coroutine awaiting its executor call is `awaiting`, the time before a lane's first step is `starting`
/// (`runnable` for a greenlet or coroutine, which waits for the hub or loop to first run it),
/// a pool worker between tasks is `idle`; the short gaps between a task's steps are the task's own Python
/// and count as `running`. The main thread runs until every task is started and then awaits the joins; the
/// gevent hub's / asyncio loop's thread is `running` whenever one of its greenlets/coroutines runs or one is
/// ready (the loop's own work between them), else idle in its selector.
///
/// An instrumented run (harness.py's stamps) shows the GIL too:
/// - a pure-Python step's stalls are `waitingGIL` where its process runs other Python threads (threads, a
///   thread pool, the asyncio executor) and one of them is known to have run Python inside the stall
///   (`GILEvidence`), else `runnable` (preempted); a hand-off mark ends each GIL wait;
/// - a blocking I/O step is split at its socket calls: `running` between them (Python, holding the GIL);
///   inside each call its own duration (the run's 10th percentile for that call, at most twice what the
///   machine profile says it costs alone: `blocked` for connect, `runningNoGIL` for the rest) and then, for
///   what is left, `waitingGIL` (or `runnable` without other threads); the answer's recv_into is `blocked`
///   until the server sent it, then waking up (the run's 10th percentile, at most `wakeUpLimit`);
/// - a coroutine's or greenlet's I/O step is `blocked` until the answer was sent, then `runnable` (waiting
///   for the loop or hub to resume it) but for its own parsing at the end.
/// Without instrumentation a step is one state, and GIL waits, hand-offs and core lanes do not appear; but a
/// sleep, whose length the plan gives, is `blocked` for that and the run's typical lateness, then waits: for
/// the GIL (a thread beside others of its process), a core, or the loop or hub.
/// The main thread of `threads` shows `running` from the start until the last start() returned, but for each
/// start()'s wait for the GIL the new thread holds (from the new thread's first stamp to the return); its
/// wait for the new thread's `_started` is not told apart from its own Python.
public enum RealTraceBuilder {
    /// The trace and metrics of one run.
    /// - Complexity: O(steps log steps + recorded stamps and calls).
    public static func build(result: HarnessResult, plan: HarnessPlan, strategy: Strategy) -> (trace: Trace, metrics: RunMetrics) {
        var lanes: [Lane] = []
        var segments: [Segment] = []
        // Parallel to `segments`: whether its thread is known to hold the GIL then (`isStamped`).
        var proven: [Bool] = []
        var instants: [InstantEvent] = []
        func add(_ lane: Int, _ state: LaneState, _ start: Int64, _ end: Int64, proven isProven: Bool = false) {
            let s = max(0, start), e = max(0, end)
            guard e > s else { return }
            segments.append(Segment(lane: lane, state: state, start: .nanoseconds(s), end: .nanoseconds(e)))
            proven.append(isProven && state == .running)
            if state == .waitingGIL { instants.append(InstantEvent(time: .nanoseconds(e), lane: lane, kind: .gilHandoff)) }
        }
        let kind = strategy.kind
        var processNames = ["main"]
        // How the model sets the kind up decides the lanes: the same traits, the same lane names.
        let traits = kind.modelTraits(costs: Costs(), cores: 1)
        let guestKind: LaneKind?
        let isSync: Bool
        let isPool: Bool
        let isProcesses: Bool
        // A thread that stops making progress waits for its process's GIL only where another Python thread
        // of that process can hold it; alone (sync, a child process, the hub's thread) it was preempted.
        let sharesGIL: Bool
        // CPU steps handed to a thread pool (the executor's lanes), not run on the task's own lane.
        var inExecutor = false
        switch traits.scheduling {
        case .sequential:
            (guestKind, isSync, isPool, isProcesses, sharesGIL) = (nil, true, false, false, false)
        case .osThreads(let pool):
            (guestKind, isSync, isPool, isProcesses, sharesGIL) = (nil, false, pool != nil, false, true)
        case .osProcesses(let pool, _):
            (guestKind, isSync, isPool, isProcesses, sharesGIL) = (nil, false, pool != nil, true, false)
        case .interpreters:
            // Pool threads of the main process, each with its own interpreter's GIL.
            (guestKind, isSync, isPool, isProcesses, sharesGIL) = (nil, false, true, false, false)
        case .greenlets(let green):
            (guestKind, isSync, isPool, isProcesses, sharesGIL) = (.greenlet, false, false, false, green.offload != nil)
            inExecutor = green.offload != nil
        case .eventLoop(let loop):
            (guestKind, isSync, isPool, isProcesses, sharesGIL) = (.coroutine, false, false, false, loop.offload != nil)
            inExecutor = loop.offload != nil
        }
        let stallState: LaneState = sharesGIL ? .waitingGIL : .runnable
        // Which of a stamped step's stalls another thread's Python fills (a GIL wait) and which none does (off
        // its core): `GILEvidence`.
        let evidence = sharesGIL ? GILEvidence(result: result) : nil
        let own = OwnDurations(result: result, plan: plan)
        let period = HarnessPlan.stampPeriod.nanoseconds

        // The main thread (for sync it is the task lane itself).
        let mainName = traits.host.laneName
        let main = 0
        lanes.append(Lane(id: main, name: mainName, kind: .thread, process: 0))

        // Task lanes, in order of first appearance by task index.
        var laneOfWorker: [String: Int] = [:]
        var recordsOfLane: [Int: [HarnessResult.TaskRecord]] = [:]
        var processOfPid: [Int: Int] = [:]
        // A pool's workers in the order the pool started them, as the model's lanes are; other lanes by task.
        let inLaneOrder = result.tasks.sorted {
            isPool ? (LaneNames.poolWorkerNumber($0.lane) ?? Int.max, $0.task) < (LaneNames.poolWorkerNumber($1.lane) ?? Int.max, $1.task)
                   : $0.task < $1.task
        }
        for record in inLaneOrder {
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
                if isProcesses {
                    if let p = processOfPid[record.pid] {
                        process = p
                    } else {
                        process = processNames.count
                        processOfPid[record.pid] = process
                        processNames.append(record.lane)
                    }
                }
                lane = lanes.count
                // A pool worker keeps its own name (the model names it the same way); a task's lane is the task's.
                let name = isPool ? record.lane : plan.tasks[record.task].name
                lanes.append(Lane(id: lane, name: name, kind: guestKind ?? .thread, process: process,
                                  hostThread: guestKind == nil ? nil : main))
                laneOfWorker[key] = lane
            }
            recordsOfLane[lane, default: []].append(record)
        }

        // Executor threads (asyncio with CPU in the executor), named in the order they first ran.
        var executorSteps: [String: [(start: Int64, end: Int64, op: SimScenario.Operation, detail: HarnessResult.StepDetail?)]] = [:]
        for record in result.tasks {
            for e in record.executor {
                executorSteps[e.thread, default: []].append((e.start, e.end, plan.operations[record.task][e.operation], e.detail))
            }
        }
        // A pool thread's lane in the main process.
        func poolLane(_ name: String) -> Int {
            lanes.append(Lane(id: lanes.count, name: name, kind: .thread, process: 0))
            return lanes.count - 1
        }
        for (k, steps) in Self.inFirstRunOrder(executorSteps, start: \.start).enumerated() {
            let lane = poolLane(LaneNames.executorWorker(k))
            var cursor = steps[0].start
            for s in steps {
                add(lane, .idle, cursor, s.start)
                for piece in cpuPieces(s.op, start: s.start, end: s.end, detail: s.detail, stallState: stallState, period: period,
                                       evidence: evidence) {
                    add(lane, piece.state, piece.start, piece.end, proven: isStamped(s.op, s.detail))
                }
                cursor = max(cursor, s.end)
            }
        }

        // gevent's resolver threads (instrumented runs): each getaddrinfo a pool thread ran, from the moment it
        // held the GIL to call it until it held the GIL again after it (`running without the GIL`: the call and
        // its way back to the GIL), named in the order the threads first ran one, as the model names them.
        // What they waited for before a lookup is not seen.
        var lookupsOfThread: [Int64: [(entered: Int64, left: Int64)]] = [:]
        for lookup in result.poolLookups { lookupsOfThread[lookup[0], default: []].append((lookup[1], lookup[2])) }
        for (k, lookups) in Self.inFirstRunOrder(lookupsOfThread, start: \.entered).enumerated() {
            let lane = poolLane(LaneNames.geventThreadpoolWorker(k))
            var cursor = lookups[0].entered
            for lookup in lookups {
                add(lane, .idle, cursor, lookup.entered)
                add(lane, .runningNoGIL, max(cursor, lookup.entered), lookup.left)
                cursor = max(cursor, lookup.left)
            }
        }

        // Segments of the task lanes.
        var guestRunning: [(Int64, Int64)] = []
        // From an executor job's end (or an answer's arrival) to its coroutine's resumption: the loop, woken by
        // the job's call_soon_threadsafe (or by epoll), may wait for the GIL before it can run the coroutine; it
        // does where an executor job runs meanwhile (the main lane keeps only those parts, below).
        var loopWaits: [(Int64, Int64)] = []
        // When some coroutine or greenlet was ready (waiting for the loop or hub to run it).
        var guestReady: [(Int64, Int64)] = []
        for (lane, records) in recordsOfLane {
            // A thread exists from its start() on (the harness makes every Thread object first, then starts them).
            var cursor = records.map { $0.startCall ?? $0.created }.min() ?? 0
            if isPool { cursor = 0 }
            var first = true
            for record in records.sorted(by: { $0.begin < $1.begin }) {
                var jobs = record.executor.sorted { $0.start < $1.start }[...]
                for (k, step) in record.steps.enumerated() {
                    // A greenlet or coroutine exists at once but waits for the hub / loop to first run it.
                    let before: LaneState = guestKind == nil ? .starting : .runnable
                    let gapState: LaneState = first ? before : (k == 0 && isPool ? .idle : .running)
                    add(lane, gapState, cursor, step.start)
                    if guestKind != nil && gapState == .running { guestRunning.append((cursor, step.start)) }
                    if guestKind != nil && gapState == .runnable { guestReady.append((cursor, step.start)) }
                    first = false
                    let op = plan.operations[record.task][step.operation]
                    let pieces: [Piece]
                    switch op {
                    case .cpu where inExecutor:
                        let job = jobs.first { $0.operation == step.operation && $0.start >= step.start && $0.end <= step.end }
                        if let job, let i = jobs.firstIndex(where: { $0 == job }) { jobs.remove(at: i) }
                        let done = job?.detail != nil ? job!.end : step.end
                        pieces = [Piece(.awaiting, step.start, done), Piece(.runnable, done, step.end)].filter { $0.end > $0.start }
                        if step.end - done >= MechanismFigures.resolution.nanoseconds { loopWaits.append((done, step.end)) }
                    case .cpu:
                        pieces = cpuPieces(op, start: step.start, end: step.end, detail: step.detail, stallState: stallState,
                                           period: period, evidence: evidence)
                    case .io:
                        pieces = guestKind == nil ? blockingIOPieces(step, own: own, waitState: stallState) : guestIOPieces(step, own: own)
                    case .sleep(let duration):
                        // Past its time the sleeper waits for the GIL (a thread), or for the loop or hub.
                        pieces = sleepPieces(step, duration: duration, own: own, waitState: guestKind == nil ? stallState : .runnable)
                    }
                    // The loop, woken by the answer or the timer, waits for the GIL while an executor thread holds it.
                    if guestKind == .coroutine && sharesGIL, op.isWait {
                        for p in pieces where p.state == .runnable && p.end - p.start >= MechanismFigures.resolution.nanoseconds {
                            loopWaits.append((p.start, p.end))
                        }
                    }
                    for piece in pieces {
                        add(lane, piece.state, piece.start, piece.end, proven: !inExecutor && isStamped(op, step.detail))
                        if guestKind != nil, piece.state == .running || piece.state == .runningNoGIL {
                            guestRunning.append((piece.start, piece.end))
                        }
                        if guestKind != nil, piece.state == .runnable { guestReady.append((piece.start, piece.end)) }
                    }
                    cursor = max(cursor, step.end)
                }
                add(lane, .running, cursor, record.end)
                if guestKind != nil { guestRunning.append((cursor, record.end)) }
                cursor = max(cursor, record.end)
            }
        }

        // The main thread.
        if !isSync {
            if guestKind != nil {
                var cursor: Int64 = 0
                // Between the coroutines' running pieces: idle in the selector, or waiting for the GIL.
                // Only while an executor job runs is there a thread to hold the GIL; a loop with none (no CPU
                // step, or between jobs) that has a ready coroutine and does not run it is doing its own work.
                let jobs = result.tasks.flatMap { $0.executor.map { ($0.start, $0.end) } }
                let waits = overlap(merged(loopWaits), merged(jobs))
                let ready = merged(guestReady)
                // The loop or hub goes back to its selector only when nothing is ready (asyncio's _run_once,
                // gevent's hub running its callbacks): while a coroutine or greenlet is ready, a gap between
                // their pieces is the loop's own work (its pass, timers, the switch), not idle. A gap shorter
                // than the resolution is that too.
                // [from, to) on the main lane: `state` where `intervals` (merged, in order) cover it, `rest` elsewhere.
                func cover(_ from: Int64, _ to: Int64, _ intervals: [(Int64, Int64)], _ state: LaneState,
                           rest: (Int64, Int64) -> Void) {
                    var at = from
                    for (s, e) in intervals where e > at && s < to {
                        rest(at, max(at, s))
                        add(main, state, max(at, s), min(to, e))
                        at = min(to, e)
                    }
                    rest(at, to)
                }
                func gap(_ from: Int64, _ to: Int64) {
                    add(main, to - from < MechanismFigures.resolution.nanoseconds ? .running : .idle, from, to)
                }
                func between(_ from: Int64, _ to: Int64) {
                    cover(from, to, waits, .waitingGIL) { cover($0, $1, ready, .running, rest: gap) }
                }
                for (start, end) in merged(guestRunning) where end > cursor {
                    between(cursor, start)
                    add(main, .running, max(cursor, start), end)
                    cursor = end
                }
                between(cursor, result.makespan)
            } else {
                // Each thread's start(): its own work (the run's quickest start, the 10th percentile from the call
                // to the new thread's first stamp: the Python, the clone, the new thread's bootstrap), then the
                // wait on `_started` (Lib/threading.py) while the new thread waits for the GIL (`awaiting`, as
                // the model's spawner), then, from the new thread's first stamp to the return, the wait for the
                // GIL the new thread holds.
                var cursor: Int64 = 0
                let resolution = MechanismFigures.resolution.nanoseconds
                let starts = result.tasks.compactMap { r -> (call: Int64, begin: Int64, back: Int64)? in
                    guard let call = r.startCall, let back = r.startReturn, r.begin > call, back > r.begin else { return nil }
                    return (call, r.begin, back)
                }.sorted { $0.call < $1.call }
                let own = OwnDurations.tenthPercentile(starts.map { $0.begin - $0.call })
                for (call, begin, back) in starts where call >= cursor {
                    let booted = min(begin, call + own)
                    add(main, .running, cursor, booted)
                    add(main, begin - booted >= resolution ? .awaiting : .running, booted, begin)
                    add(main, back - begin >= resolution ? .waitingGIL : .running, begin, back)
                    cursor = back
                }
                add(main, .running, cursor, result.spawned)
                add(main, .awaiting, max(cursor, result.spawned), result.makespan)
            }
        }

        if sharesGIL && proven.contains(true) {
            (segments, instants) = reconciled(segments, proven: proven, instants: instants, lanes: lanes)
        }
        segments.sort { ($0.end, $0.lane, $0.start) < ($1.end, $1.lane, $1.start) }
        instants.sort { ($0.time, $0.lane) < ($1.time, $1.lane) }
        let end = max(result.makespan, segments.map(\.end.nanoseconds).max() ?? 0)
        let trace = Trace(lanes: lanes, segments: segments, instants: instants, end: .nanoseconds(end), processNames: processNames)
        return (trace, metrics(result: result, plan: plan, strategy: strategy))
    }

    /// A pool's threads' work, each thread's in time order, the threads in the order they first ran (ties by
    /// the thread's key): the order the model names its pool lanes in.
    static func inFirstRunOrder<Key: Comparable, Item>(_ work: [Key: [Item]], start: (Item) -> Int64) -> [[Item]] {
        work.map { (key: $0.key, items: $0.value.sorted { start($0) < start($1) }) }
            .filter { !$0.items.isEmpty }
            .sorted { (start($0.items[0]), $0.key) < (start($1.items[0]), $1.key) }
            .map(\.items)
    }

    /// Whether a step's `running` pieces are known to hold the GIL: a pure-Python step that stamped its
    /// progress, or a GIL-holding C call of an instrumented run (its call, after its wait: `cpuPieces`).
    static func isStamped(_ op: SimScenario.Operation, _ detail: HarnessResult.StepDetail?) -> Bool {
        switch op {
        case .cpu(_, .python), .cpu(_, .cHoldsGIL): return detail != nil
        default: return false
        }
    }

    /// One GIL, one holder: where a thread's `running` (inferred: Python between socket calls, between
    /// steps) overlaps a stamped step of another thread of the same process that was making progress, the
    /// first cannot have held the GIL, so it waited for it (a forced switch while it ran Python: the eval
    /// breaker dropped it at a drop request). Overlaps shorter than the resolution stay as they are: a stamp
    /// covers up to one period of not running.
    /// - Parameter proven: parallel to `segments`, whether a segment's thread is known to hold the GIL.
    static func reconciled(_ segments: [Segment], proven isProven: [Bool], instants: [InstantEvent],
                           lanes: [Lane]) -> ([Segment], [InstantEvent]) {
        let proven = zip(segments, isProven).filter(\.1).map { (lane: Int($0.0.lane), start: $0.0.start.nanoseconds, end: $0.0.end.nanoseconds) }
            .sorted { $0.start < $1.start }
        let minimum = MechanismFigures.resolution.nanoseconds
        let longest = proven.map { $0.end - $0.start }.max() ?? 0
        var out: [Segment] = []
        var marks = instants
        for (s, known) in zip(segments, isProven) {
            let lane = Int(s.lane), start = s.start.nanoseconds, end = s.end.nanoseconds
            guard s.state == .running, lanes[lane].kind == .thread, !known else {
                out.append(s)
                continue
            }
            // Overlaps with other threads' proven running, merged.
            var overlaps: [(Int64, Int64)] = []
            // The first proven interval that can reach `start`: none is longer than `longest`.
            var i = proven.partitionPoint { $0.start >= start - longest }
            while i < proven.count, proven[i].start < end {
                let p = proven[i]
                i += 1
                guard p.lane != lane, lanes[p.lane].process == lanes[lane].process else { continue }
                let from = max(start, p.start), to = min(end, p.end)
                if to - from >= minimum { overlaps.append((from, to)) }
            }
            var cursor = start
            for (from, to) in merged(overlaps) {
                if from > cursor { out.append(Segment(lane: lane, state: .running, start: .nanoseconds(cursor), end: .nanoseconds(from))) }
                out.append(Segment(lane: lane, state: .waitingGIL, start: .nanoseconds(from), end: .nanoseconds(to)))
                marks.append(InstantEvent(time: .nanoseconds(to), lane: lane, kind: .gilHandoff))
                cursor = to
            }
            if end > cursor { out.append(Segment(lane: lane, state: .running, start: .nanoseconds(cursor), end: .nanoseconds(end))) }
        }
        return (out, marks)
    }

    /// A piece of a step in one state.
    struct Piece: Equatable {
        var state: LaneState
        var start: Int64
        var end: Int64
        init(_ state: LaneState, _ start: Int64, _ end: Int64) {
            self.state = state
            self.start = start
            self.end = end
        }
    }

    /// A CPU step: one state, or, in an instrumented run, the step with its waits cut out.
    ///
    /// A stamped pure-Python step runs from its first stamp to its last but for its stalls: a gap of `g`
    /// between two stamps held one period of work and `g - period` of not running, placed in the middle of
    /// the gap (the stall began somewhere inside the period). A GIL-holding C call ran up to its end, from
    /// the later of its CPU time before that end and the stamp before it (`burn_pow_timed`). A step of C that
    /// releases the GIL ran each of its calls' CPU time from where the call entered, and waited the rest of the
    /// call (`TimedRelease`). What lies before and after (the step's own eval-breaker
    /// checks, where a drop request is honoured and the thread then waits) is a wait where it lasts at least
    /// the resolution, and the step's own Python otherwise.
    /// With `evidence`, a stall counts as a GIL wait (`stallState` `.waitingGIL`) only where another thread
    /// is known to have run Python inside it; otherwise the thread was off its core (`runnable`).
    static func cpuPieces(_ op: SimScenario.Operation, start: Int64, end: Int64, detail: HarnessResult.StepDetail?,
                          stallState: LaneState, period: Int64, evidence: GILEvidence? = nil) -> [Piece] {
        let state = cpuState(op)
        guard let detail else { return [Piece(state, start, end)] }
        let minimum = MechanismFigures.resolution.nanoseconds
        var pieces: [Piece] = []
        var cursor = start
        func stalled(_ from: Int64, _ to: Int64) -> LaneState {
            guard stallState == .waitingGIL, let evidence else { return stallState }
            return evidence.someoneRanPython(after: from, before: to) ? .waitingGIL : .runnable
        }
        func edge(upTo to: Int64) {
            let to = min(max(to, cursor), end)
            pieces.append(Piece(to - cursor >= minimum ? stalled(cursor, to) : .running, cursor, to))
            cursor = to
        }
        if !detail.releases.isEmpty {
            // Each call of C that releases the GIL worked its share of the step's CPU time (by its size) from where
            // it entered; the rest, up to where it left holding the GIL again, it waited: for a core (its share of
            // the step's run_delay, by its wait, where recorded), and for the GIL at its end
            // (Py_END_ALLOW_THREADS). Without the run_delay it can have waited for the GIL only while another
            // thread had it: from the first instant another thread is seen running Python in that rest; before
            // it, it was off its core. Between the calls, the step's own Python.
            let calls = detail.releases.filter { $0.count >= 3 }
            let size = calls.reduce(Int64(0)) { $0 + max(0, $1[2]) }
            func work(_ call: [Int64]) -> Int64 {
                guard let cpu = detail.cpu, size > 0 else { return call[1] - call[0] }
                return Int64(Double(cpu) * Double(max(0, call[2])) / Double(size))
            }
            let waits = calls.map { max(0, $0[1] - $0[0] - work($0)) }
            let waited = waits.reduce(0, +)
            let offCore = detail.releaseDelay.map { min(max(0, $0), waited) }
            for (call, wait) in zip(calls, waits) {
                let entered = min(max(call[0], cursor), end), left = min(max(call[1], entered), end)
                edge(upTo: entered)
                let worked = min(left, max(entered, left - wait))
                pieces.append(Piece(state, entered, worked))
                if left - worked < minimum {
                    pieces.append(Piece(state, worked, left))
                } else if let offCore {
                    let off = waited > 0 ? Int64(Double(offCore) * Double(wait) / Double(waited)) : 0
                    let slept = left - worked - min(off, left - worked)
                    let waitingFrom = slept >= minimum && stallState == .waitingGIL ? left - slept : left
                    pieces.append(Piece(.runnable, worked, waitingFrom))
                    pieces.append(Piece(.waitingGIL, waitingFrom, left))
                } else if stallState == .waitingGIL, let other = evidence?.firstPython(after: worked, before: left) {
                    pieces.append(Piece(.runnable, worked, other))
                    pieces.append(Piece(.waitingGIL, other, left))
                } else {
                    pieces.append(Piece(stallState == .waitingGIL && evidence != nil ? .runnable : stallState, worked, left))
                }
                cursor = left
            }
            edge(upTo: end)
            return pieces.filter { $0.end > $0.start }
        }
        if let call = detail.call, call.count == 3 {
            let callEnd = min(max(call[0], start), end)
            let callStart = min(callEnd, max(start, call[2], callEnd - max(0, call[1])))
            edge(upTo: callStart)
            pieces.append(Piece(state, callStart, callEnd))
            cursor = callEnd
            edge(upTo: end)
            return pieces.filter { $0.end > $0.start }
        }
        if let first = detail.first { edge(upTo: first) }
        for stall in detail.stalls where stall.count == 2 {
            let gap = stall[1] - stall[0], waited = gap - period
            guard waited > 0 else { continue }
            let from = max(cursor, stall[0] + period / 2), to = min(end, from + waited)
            guard to > from else { continue }
            pieces.append(Piece(state, cursor, from))
            pieces.append(Piece(stalled(stall[0], stall[1]), from, to))
            cursor = to
        }
        if let last = detail.last, last > cursor {
            pieces.append(Piece(state, cursor, min(last, end)))
            cursor = min(last, end)
        }
        if detail.first != nil { edge(upTo: end) } else { pieces.append(Piece(state, cursor, end)) }
        return pieces.filter { $0.end > $0.start }
    }

    /// A blocking I/O step (urlopen) split at its socket calls; one `blocked` piece without them.
    static func blockingIOPieces(_ step: HarnessResult.StepRecord, own: OwnDurations, waitState: LaneState) -> [Piece] {
        guard let detail = step.detail, !detail.calls.isEmpty else { return [Piece(.blocked, step.start, step.end)] }
        var pieces: [Piece] = []
        var cursor = step.start
        let answer = answerCall(detail)
        for (i, call) in detail.calls.enumerated() where call.count == 3 {
            let code = HarnessResult.SocketCall(rawValue: call[0]) ?? .sendall
            let entered = max(cursor, call[1]), left = max(entered, call[2])
            pieces.append(Piece(.running, cursor, entered))
            var from = entered
            var ownState: LaneState = code == .connect ? .blocked : .runningNoGIL
            var ownDuration = own.call[code] ?? 0
            if i == answer, let sent = detail.sent {
                // Blocked until the answer left the server; then waking up (the run's typical wake-up) and
                // waiting for the GIL.
                let arrived = min(left, max(entered, sent))
                pieces.append(Piece(.blocked, entered, arrived))
                from = arrived
                ownState = .runnable
                ownDuration = own.wakeUp
            }
            let ownEnd = min(left, from + ownDuration)
            pieces.append(Piece(ownState, from, ownEnd))
            pieces.append(Piece(left - ownEnd >= MechanismFigures.resolution.nanoseconds ? waitState : ownState, ownEnd, left))
            cursor = left
        }
        pieces.append(Piece(.running, cursor, step.end))
        return pieces.filter { $0.end > $0.start }
    }

    /// A sleep step: `blocked` for its duration and the run's typical lateness of a sleep (the timer's slack and
    /// the wake-up: `OwnDurations.sleepLate`), then, for what is left, waiting (`waitState`): time.sleep takes
    /// the GIL back before it returns (Py_END_ALLOW_THREADS in Modules/timemodule.c's pysleep), a coroutine's or
    /// greenlet's sleep waits for the loop or hub to run it again. Left under the resolution, it stays `blocked`.
    static func sleepPieces(_ step: HarnessResult.StepRecord, duration: SimTime, own: OwnDurations, waitState: LaneState) -> [Piece] {
        let woke = min(step.end, step.start + duration.nanoseconds + own.sleepLate)
        let late = step.end - woke >= MechanismFigures.resolution.nanoseconds
        return [Piece(.blocked, step.start, late ? woke : step.end), Piece(waitState, woke, late ? step.end : woke)]
            .filter { $0.end > $0.start }
    }

    /// A coroutine's or greenlet's I/O step: blocked until the answer was sent, then ready (waiting for the
    /// loop or hub to resume it), then its own parsing (the run's typical time from the answer to the end).
    static func guestIOPieces(_ step: HarnessResult.StepRecord, own: OwnDurations) -> [Piece] {
        guard let sent = step.detail?.sent, sent > 0 else { return [Piece(.blocked, step.start, step.end)] }
        let arrived = min(step.end, max(step.start, sent))
        let resumed = max(arrived, step.end - own.guestResume)
        return [Piece(.blocked, step.start, arrived), Piece(.runnable, arrived, resumed), Piece(.running, resumed, step.end)]
            .filter { $0.end > $0.start }
    }

    /// The call that waited for the answer: the first recv_into after the last sendall.
    static func answerCall(_ detail: HarnessResult.StepDetail) -> Int? {
        guard let send = detail.calls.lastIndex(where: { $0.first == HarnessResult.SocketCall.sendall.rawValue }) else { return nil }
        return detail.calls[send...].firstIndex { $0.first == HarnessResult.SocketCall.recvInto.rawValue }
    }

    /// A run's own typical durations, its 10th percentiles: of each socket call (what the call costs when
    /// nothing else runs), of the time from an answer's send to its recv_into's return (a wake-up), and of
    /// the time from an answer's send to a coroutine's or greenlet's step end (its parsing). What goes
    /// beyond them is waiting for the GIL, the loop or the hub.
    struct OwnDurations {
        var call: [HarnessResult.SocketCall: Int64] = [:]
        var wakeUp: Int64 = 0
        var guestResume: Int64 = 0
        /// How late a sleep returns when nothing holds it up: the run's 10th percentile past the sleep's
        /// duration, at most `sleepLateLimit`.
        var sleepLate: Int64 = 0

        /// The longest wake-up after an answer not counted as a wait: a loopback answer wakes its reader in
        /// 10-60 µs here (calibration's wake-up and race probes), far below a switch interval.
        static let wakeUpLimit: Int64 = 100_000
        /// The longest time from an answer to a coroutine's or greenlet's step end counted as its own parsing
        /// (an aiohttp response costs ~150 µs of CPU here: calibration's aiohttp request).
        static let resumeLimit: Int64 = 500_000
        /// The longest lateness of a sleep not counted as a wait: the timed wait's slack (50 µs here,
        /// /proc/self/timerslack_ns) and a wake-up (`wakeUpLimit`).
        static let sleepLateLimit: Int64 = 150_000

        init(result: HarnessResult, plan: HarnessPlan) {
            var calls: [HarnessResult.SocketCall: [Int64]] = [:]
            var wakeUps: [Int64] = [], resumes: [Int64] = [], sleepsLate: [Int64] = []
            for record in result.tasks {
                for step in record.steps {
                    if case .sleep(let duration) = plan.operations[record.task][step.operation] {
                        sleepsLate.append(step.end - step.start - duration.nanoseconds)
                    }
                    guard let detail = step.detail else { continue }
                    let answer = RealTraceBuilder.answerCall(detail)
                    for (i, c) in detail.calls.enumerated() where c.count == 3 {
                        guard let code = HarnessResult.SocketCall(rawValue: c[0]) else { continue }
                        if i == answer, let sent = detail.sent {
                            wakeUps.append(c[2] - max(c[1], sent))
                        } else {
                            calls[code, default: []].append(c[2] - c[1])
                        }
                    }
                    if detail.calls.isEmpty, let sent = detail.sent, sent > 0 { resumes.append(step.end - max(step.start, sent)) }
                }
            }
            let p10 = Self.tenthPercentile
            // In a convoy nearly every call loses the GIL, so even the run's 10th percentile can hold a switch
            // interval: the profile's cost of the call alone bounds it.
            for (code, values) in calls {
                let alone = code == .connect ? plan.connectCallCost : plan.socketCallCost
                call[code] = min(p10(values), 2 * alone.nanoseconds)
            }
            wakeUp = min(p10(wakeUps), Self.wakeUpLimit)
            guestResume = min(p10(resumes), Self.resumeLimit)
            sleepLate = min(p10(sleepsLate), Self.sleepLateLimit)
        }

        /// The 10th percentile of `values` (the run's own, typical time of something), at least 0; 0 without values.
        /// - Complexity: O(n log n).
        static func tenthPercentile(_ values: [Int64]) -> Int64 {
            guard !values.isEmpty else { return 0 }
            return max(0, values.sorted()[values.count / 10])
        }
    }

    /// Makespan, each foreground task's latency (its end), and its operations: I/O round trips, or CPU steps
    /// for a task without I/O (as the model counts them).
    public static func metrics(result: HarnessResult, plan: HarnessPlan, strategy: Strategy) -> RunMetrics {
        var latencies: [SimTime] = []
        var operations = 0
        var answerLate: [SimTime] = []
        for record in result.tasks.sorted(by: { $0.task < $1.task }) where !plan.tasks[record.task].background {
            latencies.append(.nanoseconds(record.end))
            let ops = plan.operations[record.task]
            // The server's X-Sent-Ns against the call's start and the delay it asked for.
            for step in record.steps {
                if case .io(_, let latency, _) = ops[step.operation], let sent = step.detail?.sent, sent > 0 {
                    answerLate.append(.nanoseconds(sent - step.start) - latency)
                }
            }
            let hasIO = ops.contains { if case .io = $0 { return true } else { return false } }
            operations += record.steps.filter { step in
                switch ops[step.operation] {
                case .io: return true
                case .cpu: return !hasIO
                case .sleep: return false
                }
            }.count
        }
        // Every task's CPU steps, background ones too (as the model counts them), inline or in an executor.
        var onCore: Int64 = 0, planned: Int64 = 0
        for record in result.tasks {
            let ops = plan.operations[record.task]
            let timed = record.steps.map { ($0.operation, $0.detail) } + record.executor.map { ($0.operation, $0.detail) }
            for (operation, detail) in timed {
                guard case .cpu(let d, _) = ops[operation], let cpu = detail?.cpu else { continue }
                onCore += cpu
                planned += d.nanoseconds
            }
        }
        // /proc/stat's busy time, over the window it was read across, scaled to the makespan.
        let window = max(result.coresWindow, 1)
        let coreBusy = result.coresBusy.map { SimTime.nanoseconds(Int64(Double($0) * Double(result.makespan) / Double(window))) }
        // The run queue's waits of the threads that ran the work, and the loop's or hub's (the main thread's) part.
        var coreWait: SimTime?, loopCoreWait: SimTime?, coreTurns: Int?
        if !result.runDelay.isEmpty {
            coreWait = .nanoseconds(result.runDelay.values.reduce(0) { $0 + max(0, $1.waited) })
            coreTurns = Int(result.runDelay.values.reduce(0) { $0 + max(0, $1.turns) })
            if strategy.kind.descriptor.host != .mainThread {
                loopCoreWait = .nanoseconds(max(0, result.runDelay[result.mainThreadID]?.waited ?? 0))
            }
        }
        return RunMetrics(strategy: strategy.label, kind: strategy.kind.name, makespan: .nanoseconds(result.makespan),
                          taskLatencies: latencies, operations: operations, coreBusy: coreBusy,
                          answerLate: RunMetrics.median(answerLate),
                          cpuStepPace: planned > 0 ? Double(onCore) / Double(planned) : nil,
                          coreWait: coreWait, coreTurns: coreTurns, loopCoreWait: loopCoreWait)
    }

    static func cpuState(_ op: SimScenario.Operation) -> LaneState {
        if case .cpu(_, .cReleasesGIL) = op { return .runningNoGIL }
        return .running
    }

    /// The parts of sorted, merged intervals `a` that lie inside sorted, merged intervals `b`.
    /// - Complexity: O(a + b).
    static func overlap(_ a: [(Int64, Int64)], _ b: [(Int64, Int64)]) -> [(Int64, Int64)] {
        var out: [(Int64, Int64)] = []
        var j = 0
        for (s, e) in a {
            while j < b.count && b[j].1 <= s { j += 1 }
            var k = j
            while k < b.count && b[k].0 < e {
                out.append((max(s, b[k].0), min(e, b[k].1)))
                k += 1
            }
        }
        return out
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

fileprivate extension SimScenario.Operation {
    /// An I/O call or a sleep: the task waits, then its thread, loop or hub must take it up again.
    var isWait: Bool {
        if case .cpu = self { return false }
        return true
    }
}
