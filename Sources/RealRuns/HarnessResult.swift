import Foundation
import SimEngine

/// What the harness measured in one run (its result JSON). Times are nanoseconds of CLOCK_MONOTONIC from
/// the start of the timed section.
public struct HarnessResult: Sendable, Decodable, Equatable {
    /// From the start until the last foreground task was joined (awaited, waited for).
    public var makespan: Int64
    /// When the main thread had started every task (thread/process start(), spawn, task creation).
    public var spawned: Int64
    /// The Python version that ran.
    public var python: String
    public var tasks: [TaskRecord]
    /// The main thread's native id (`threading.get_native_id()`), 0 when not recorded.
    public var mainThreadID: Int
    /// Each core's busy time over `coresWindow` (from /proc/stat, 10 ms ticks); empty when not recorded.
    public var coresBusy: [Int64]
    /// The time over which `coresBusy` was measured (the timed section and a little around it).
    public var coresWindow: Int64
    /// The fixed steadiness probe timed before the clock started and after the run (ns); empty when not
    /// recorded.
    public var steadyProbe: [Int64]
    /// gevent's resolver threads, instrumented: each getaddrinfo one of them ran, as [native thread id, entered,
    /// left] (harness.py `time_pool_lookups`); empty otherwise.
    public var poolLookups: [[Int64]]
    /// Whether the CPU steps were sized by a trial of the run's own strategy before the clock, where they run
    /// (harness.py `rescale_where_run`), rather than by a probe on the main thread (`sized`: "where run").
    public var sizedWhereRun: Bool
    /// Each thread of the main process that ran the program's work, by native thread id: its time runnable
    /// without a core since the timed section began and its turns on a core (its schedstat `run_delay` and
    /// `pcount`, harness.py `note_run_delay`); empty when not recorded.
    public var runDelay: [Int: RunDelay]

    /// One thread's waits for a core.
    public struct RunDelay: Sendable, Equatable {
        /// Nanoseconds runnable without a core.
        public var waited: Int64
        /// Turns on a core.
        public var turns: Int64
    }

    enum CodingKeys: String, CodingKey {
        case makespan, spawned, python, tasks, sized
        case mainThreadID = "main_tid"
        case coresBusy = "cores_busy"
        case coresWindow = "cores_window"
        case steadyProbe = "steady_probe_ns"
        case poolLookups = "pool_lookups"
        case runDelay = "run_delay"
    }

    /// How much slower (> 1) or faster (< 1) the machine ran the steadiness probe after the run than before;
    /// nil when it was not recorded.
    public var speedChange: Double? {
        guard steadyProbe.count == 2, steadyProbe[0] > 0, steadyProbe[1] > 0 else { return nil }
        return Double(steadyProbe[1]) / Double(steadyProbe[0])
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        makespan = try c.decode(Int64.self, forKey: .makespan)
        spawned = try c.decode(Int64.self, forKey: .spawned)
        python = try c.decode(String.self, forKey: .python)
        tasks = try c.decode([TaskRecord].self, forKey: .tasks)
        mainThreadID = try c.decodeIfPresent(Int.self, forKey: .mainThreadID) ?? 0
        coresBusy = try c.decodeIfPresent([Int64].self, forKey: .coresBusy) ?? []
        coresWindow = try c.decodeIfPresent(Int64.self, forKey: .coresWindow) ?? 0
        steadyProbe = try c.decodeIfPresent([Int64].self, forKey: .steadyProbe) ?? []
        poolLookups = try c.decodeIfPresent([[Int64]].self, forKey: .poolLookups) ?? []
        sizedWhereRun = try c.decodeIfPresent(String.self, forKey: .sized) == "where run"
        // JSON object keys are strings: the thread ids as the harness wrote them.
        let delays = try c.decodeIfPresent([String: [Int64]].self, forKey: .runDelay) ?? [:]
        runDelay = [:]
        for (key, pair) in delays {
            guard let tid = Int(key), pair.count == 2 else {
                throw DecodingError.dataCorruptedError(forKey: .runDelay, in: c,
                                                       debugDescription: "run_delay \(key): \(pair) is not a thread id with [waited ns, turns]")
            }
            runDelay[tid] = RunDelay(waited: pair[0], turns: pair[1])
        }
    }

    /// One task's run.
    public struct TaskRecord: Sendable, Decodable, Equatable {
        /// Index among the plan's tasks.
        public var task: Int
        /// The thread, process, greenlet or coroutine that ran it ("Thread-3 (run_blocking_task)",
        /// "ForkPoolWorker-1", "Greenlet-0", "Task-2", "MainThread").
        public var lane: String
        public var pid: Int
        /// The native id of the thread that ran it (0 when not recorded).
        public var tid: Int
        /// When the main thread created it (before start()/spawn), when it began, when it ended.
        public var created: Int64
        public var begin: Int64
        public var end: Int64
        public var steps: [StepRecord]
        /// CPU steps a coroutine ran through the executor: where and when they really ran.
        public var executor: [ExecutorRecord]
        /// A thread's `start()` in the main thread: when it was called and when it returned (threads without
        /// a pool; nil otherwise). Between the new thread's `begin` and the return, the main thread waited for
        /// the GIL, which the new thread held.
        public var startCall: Int64?
        public var startReturn: Int64?

        enum CodingKeys: String, CodingKey {
            case task, lane, pid, tid, created, begin, end, steps, executor
            case startCall = "start_call"
            case startReturn = "start_return"
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            task = try c.decode(Int.self, forKey: .task)
            lane = try c.decode(String.self, forKey: .lane)
            pid = try c.decode(Int.self, forKey: .pid)
            tid = try c.decodeIfPresent(Int.self, forKey: .tid) ?? 0
            created = try c.decode(Int64.self, forKey: .created)
            begin = try c.decode(Int64.self, forKey: .begin)
            end = try c.decode(Int64.self, forKey: .end)
            steps = try c.decode([StepRecord].self, forKey: .steps)
            executor = try c.decode([ExecutorRecord].self, forKey: .executor)
            startCall = try c.decodeIfPresent(Int64.self, forKey: .startCall)
            startReturn = try c.decodeIfPresent(Int64.self, forKey: .startReturn)
        }
    }

    /// What an instrumented step recorded of the GIL (see harness.py): a pure-Python step's stalls (gaps
    /// between progress stamps longer than the plan's `stall_ns`), a GIL-holding C call, each call of a step of
    /// C that releases the GIL, a blocking I/O step's socket calls, and when the server sent the answer.
    public struct StepDetail: Sendable, Decodable, Equatable {
        /// [from, to]: the last stamp before the gap and the first after it.
        public var stalls: [[Int64]]
        /// A stamped pure-Python step's first and last stamps.
        public var first: Int64?
        public var last: Int64?
        /// A GIL-holding C call's [end, CPU time, a stamp before it]: it ran up to its end, from no earlier
        /// than the stamp and than its end minus its CPU time.
        public var call: [Int64]?
        /// A step of C that releases the GIL, one call each (harness.py `TimedRelease`): [entered, left, size]. It
        /// held the GIL at both ends; what `left - entered` exceeds its share of the step's CPU time (`cpu`, by
        /// size) it waited: for a core (its share of `releaseDelay`), and for the GIL at its end.
        public var releases: [[Int64]]
        /// A step of `releases`: its thread's schedstat run_delay over the step (its waits for a core); nil where
        /// not read (a process child).
        public var releaseDelay: Int64?
        /// One socket call each: [code (index in `SocketCall`), entered, left].
        public var calls: [[Int64]]
        /// When the server sent the answer (X-Sent-Ns), relative to the start; nil if not an I/O step.
        public var sent: Int64?
        /// The executor thread's native id, for a step run by the executor.
        public var tid: Int?
        /// A CPU step's time on a core: its thread's CPU time over it (CLOCK_THREAD_CPUTIME_ID), which waits
        /// for the GIL or a core do not advance.
        public var cpu: Int64?

        public init(stalls: [[Int64]] = [], first: Int64? = nil, last: Int64? = nil, call: [Int64]? = nil,
                    releases: [[Int64]] = [], releaseDelay: Int64? = nil, calls: [[Int64]] = [], sent: Int64? = nil,
                    tid: Int? = nil, cpu: Int64? = nil) {
            self.stalls = stalls
            self.first = first
            self.last = last
            self.call = call
            self.releases = releases
            self.releaseDelay = releaseDelay
            self.calls = calls
            self.sent = sent
            self.tid = tid
            self.cpu = cpu
        }

        enum CodingKeys: String, CodingKey { case stalls, first, last, call, releases, releaseDelay = "release_delay", calls, sent, tid, cpu }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            stalls = try c.decodeIfPresent([[Int64]].self, forKey: .stalls) ?? []
            first = try c.decodeIfPresent(Int64.self, forKey: .first)
            last = try c.decodeIfPresent(Int64.self, forKey: .last)
            call = try c.decodeIfPresent([Int64].self, forKey: .call)
            releases = try c.decodeIfPresent([[Int64]].self, forKey: .releases) ?? []
            releaseDelay = try c.decodeIfPresent(Int64.self, forKey: .releaseDelay)
            calls = try c.decodeIfPresent([[Int64]].self, forKey: .calls) ?? []
            sent = try c.decodeIfPresent(Int64.self, forKey: .sent)
            tid = try c.decodeIfPresent(Int.self, forKey: .tid)
            cpu = try c.decodeIfPresent(Int64.self, forKey: .cpu)
        }
    }

    /// The socket calls the harness times, by their code in `StepDetail.calls`.
    public enum SocketCall: Int64, Sendable, CaseIterable {
        case getaddrinfo = 0, socket, connect, sendall, recvInto, close
    }

    /// One operation: its index in the task's operation list, its start and end.
    public struct StepRecord: Sendable, Decodable, Equatable {
        public var operation: Int
        public var start: Int64
        public var end: Int64
        /// What an instrumented run recorded inside the step.
        public var detail: StepDetail?

        public init(operation: Int, start: Int64, end: Int64, detail: StepDetail? = nil) {
            self.operation = operation
            self.start = start
            self.end = end
            self.detail = detail
        }

        public init(from decoder: Decoder) throws {
            var c = try decoder.unkeyedContainer()
            operation = try c.decode(Int.self)
            start = try c.decode(Int64.self)
            end = try c.decode(Int64.self)
            detail = c.isAtEnd ? nil : try c.decode(StepDetail.self)
        }
    }

    /// A CPU operation run by an executor thread for a coroutine.
    public struct ExecutorRecord: Sendable, Decodable, Equatable {
        public var operation: Int
        public var thread: String
        public var start: Int64
        public var end: Int64
        public var detail: StepDetail?

        public init(from decoder: Decoder) throws {
            var c = try decoder.unkeyedContainer()
            operation = try c.decode(Int.self)
            thread = try c.decode(String.self)
            start = try c.decode(Int64.self)
            end = try c.decode(Int64.self)
            detail = c.isAtEnd ? nil : try c.decode(StepDetail.self)
        }
    }

    /// Reads and checks a result file against the plan it ran.
    /// - Throws: `RealRunError.badResult` naming what is wrong.
    public static func load(path: String, plan: HarnessPlan) throws -> HarnessResult {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RealRunError.badResult(path: path, reason: "the harness exited without writing it")
        }
        let result: HarnessResult
        do {
            result = try JSONDecoder().decode(HarnessResult.self, from: data)
        } catch {
            throw RealRunError.badResult(path: path, reason: "\(error)")
        }
        try result.check(against: plan, path: path)
        return result
    }

    func check(against plan: HarnessPlan, path: String) throws {
        for record in tasks {
            guard record.task >= 0, record.task < plan.tasks.count else {
                throw RealRunError.badResult(path: path, reason: "task index \(record.task) is not in the plan")
            }
            let count = plan.tasks[record.task].ops.count
            for step in record.steps where step.operation < 0 || step.operation >= count || step.end < step.start {
                throw RealRunError.badResult(path: path, reason: "task \(record.task) has an impossible step \(step)")
            }
            if !plan.tasks[record.task].background && record.steps.count != count {
                throw RealRunError.badResult(
                    path: path, reason: "task \(record.task) ran \(record.steps.count) of its \(count) operations")
            }
        }
        for lookup in poolLookups where lookup.count != 3 || lookup[2] < lookup[1] {
            throw RealRunError.badResult(path: path, reason: "a pool lookup is not [thread, entered, left]: \(lookup)")
        }
    }
}
