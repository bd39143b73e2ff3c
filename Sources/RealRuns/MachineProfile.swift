import Foundation
import SimEngine
import SimScenario
import SimTrace

/// This machine, measured by `simulate calibrate` (python/calibrate.py): the cost of the harness's work
/// units, which size the real runs' CPU steps, and the runtime's mechanism costs, which `apply(to:)` puts
/// into a scenario so that the model predicts this machine. Saved as output/machine.json.
public struct MachineProfile: Sendable, Codable, Equatable {
    /// The Python version measured (the venv's).
    public var python: String
    /// CPUs this process may run on (sched_getaffinity).
    public var cores: Int
    /// `sys.getswitchinterval()`.
    public var switchInterval: SimTime

    /// A pure-Python loop, per iteration (`burn_python` in harness.py).
    public var pythonLoop: LinearCost
    /// `7777 ** n` by exponent n (`burn_pow`).
    public var bigPower: PowerLawCost
    /// hashlib.sha256 per byte (`burn_sha`, hashing in chunks of `shaChunk` bytes).
    public var sha256: LinearCost
    public var shaChunk: Int
    /// numpy.sin per element (`burn_numpy`, a ufunc call per `numpyChunk` elements, each releasing the GIL);
    /// nil in a profile from before NumPy was measured.
    public var numpySin: LinearCost?
    public var numpyChunk: Int?
    /// The numba `@njit(nogil=True)` kernel per iteration (`burn_numba`); nil in an older profile.
    public var numbaLoop: LinearCost?
    /// Per CPU kind (`py`, `sha`, `np`, `nb`), how many times faster 4 threads run 4 equal pieces of work at
    /// once than one after another (calibrate.py, `gil_release`): about the cores for a kernel that releases
    /// the GIL, about 1 for bytecode. Information (the model's `parallelEfficiency` is what it uses).
    public var gilReleaseSpeedup: [String: Double]?

    /// `Thread(target=noop).start(); join()`.
    public var threadStart: SimTime
    /// `Process(target=noop).start(); join()` per start method name (fork, forkserver, spawn).
    public var processStart: [String: SimTime]
    /// `Pool(1).apply(noop)` round trip (fork).
    public var poolApply: SimTime
    /// Half a pipe ping-pong round trip between two processes: waking a blocked thread.
    public var wakeLatency: SimTime
    /// Two threads handing a token back and forth with threading.Event (two wakes, two GIL hand-offs).
    public var eventRoundTrip: SimTime
    /// urlopen(url).read() with no server delay: this thread's CPU, and the wall time.
    public var urlopenCPU: SimTime
    public var urlopenWall: SimTime
    /// urlopen with a 20 ms server delay: wall time beyond the 20 ms. Its excess over `urlopenWall` is the
    /// cost of waking both sides after an idle wait (information: not applied to the model).
    public var delayedCallWall: SimTime
    /// socket.create_connection + close on loopback.
    public var connectCPU: SimTime
    public var connectWall: SimTime
    /// The median of urlopen's short GIL-releasing calls (getaddrinfo, socket, send, close), timed one by one.
    public var syscall: SimTime?
    /// One `connect()` to the server, timed alone.
    public var connectCall: SimTime?
    /// How much longer the wait for an answer takes than the delay asked of the server (its own work).
    public var ioOverhead: SimTime?
    /// The same on a kept-alive connection (calibrate.py `kept_alive_overhead`); nil in an older profile, whose
    /// kept-alive calls then wait `ioOverhead`.
    public var ioOverheadReuse: SimTime?
    /// The GIL race: one urlopen (no server delay) alone, and how many of its GIL releases lose the GIL to
    /// a woken waiter when a thread spins beside it (each costs a switch interval).
    public var raceCall: SimTime?
    public var raceLostPerCall: Double?
    /// One request on a reused aiohttp connection: the process's CPU (the loop included), and wall time.
    public var aiohttpCPU: SimTime
    public var aiohttpWall: SimTime
    /// One trip round the asyncio loop (`await asyncio.sleep(0)`).
    public var loopIteration: SimTime
    /// Creating, running and gathering one trivial task.
    public var taskCreate: SimTime
    /// `await loop.run_in_executor(None, noop)` round trip.
    public var executorRoundTrip: SimTime
    /// One greenlet switch through the hub (`gevent.sleep(0)` between two greenlets, per switch).
    public var greenletSwitch: SimTime
    /// gevent.spawn + run + join of one trivial greenlet.
    public var greenletSpawn: SimTime
    /// The article's other runtimes' costs (calibrate.py, "other runtimes"); nil in an older profile.
    public var runtimes: RuntimeCosts?
    /// Per CPU kind (`py`, `pow`, `sha`), how fast each of k processes runs when k run at once, as a
    /// fraction of its speed alone: [[k, fraction]] for k = 2 ... cores.
    public var parallelEfficiency: [String: [[Double]]]?
    /// The median time of calibrate.py's fixed noise probe (a pure-Python loop) at calibration: with the same
    /// probe timed later, how much faster or slower the machine runs than when these costs were measured.
    public var speedProbe: SimTime?
    /// urlopen with a server delay: [[delay in us, ns beyond the delay]] for delays from 0 to 20 ms.
    public var waitCosts: [[Double]]?
    /// Per start method, n no-op processes started then joined: [[n, ns in the start() calls, ns until the
    /// last join returned, the parent's CPU ns in the start() calls, the reaped children's CPU ns]] for each n
    /// measured (the last two since the children run harness.py as their main script; older profiles have
    /// the first three).
    public var processesAtScale: [String: [[Double]]]?
    /// The latency server's own CPU per answer with many clients at once (server.py's `/stats`: its
    /// process CPU time over the requests it served), on new connections and on kept-alive ones.
    public var serverAnswerNew: SimTime?
    public var serverAnswerReuse: SimTime?
    /// Client CPU of one urlopen call with 20 client threads calling at once, as a multiple of one call alone
    /// (calibrate.py `overlapping_calls`, the median of pairs measured one after the other).
    public var callOverlapRatio: Double?
    /// CPU of a new aiohttp ClientSession's first request and its close, as a multiple of a request on a
    /// reused connection (calibrate.py `aiohttp_session_ratio`).
    public var aiohttpSessionRatio: Double?
    /// CPU of that session's `close()`, as a multiple of a request on a reused connection (calibrate.py
    /// `aiohttp_session_ratio`'s second figure): part of the session's cost, paid at its task's end.
    public var aiohttpCloseRatio: Double?
    /// The same where a profile lacks it (calibrated before 2026-12-05): the median of six runs of the step and
    /// its probe on the fifth host then, 0.44-0.57 (docs/model.md, "An aiohttp session is closed at its task's end").
    public static let aiohttpCloseRatioMeasured = 0.54
    /// The loop thread's CPU per `run_in_executor` round trip whose job takes a millisecond, so that the loop
    /// waits in its selector and is woken by the result (calibrate.py `executor_loop_cpu_ns`).
    public var executorLoopCPU: SimTime?
    /// A ThreadPoolExecutor worker's own CPU per job outside the job: from the job's end until its result has
    /// been handed to the loop, from there to a next job already queued, and what it costs more to sleep on an
    /// empty queue and wake for the next (calibrate.py `executor_worker_costs`).
    public var executorResultCPU: SimTime?
    public var executorWorkerCPU: SimTime?
    public var executorWakeCPU: SimTime?
    /// A process Pool's own costs per task: the worker's CPU outside the task, the parent's per result (its
    /// worker handler's busy wait aside), the worker handler's turn while a result waits unread and the part of
    /// it in system calls (calibrate.py `pool_task_costs`).
    public var poolTaskCPU: SimTime?
    public var poolResultCPU: SimTime?
    public var poolHandlerTurn: SimTime?
    public var poolHandlerCalls: SimTime?
    /// Client CPU of one urlopen after gevent's (eventlet's) monkey patching, as a multiple of the same call
    /// unpatched (calibrate.py `patched_urlopen_ratio`).
    public var geventUrlopenRatio: Double?
    public var eventletUrlopenRatio: Double?
    /// Client CPU of one request on the harness's kept-alive raw socket under trio (curio), as a multiple of an
    /// aiohttp request on a reused connection on asyncio, timed in alternate rounds (calibrate.py
    /// `raw_socket_request_ratios`): each call's client CPU there (`clientCPU`).
    public var trioRequestRatio: Double?
    public var curioRequestRatio: Double?
    /// trio's `to_thread.run_sync` (curio's `run_in_thread`) round trip as multiples of asyncio's
    /// `run_in_executor` timed just before it: the loop's CPU per trip and the worker's outside the job
    /// (calibrate.py `thread_trip_ratios`). The worker's multiple becomes `costs.trio_thread_worker`
    /// (`curio_thread_worker`); the loop's is recorded, not applied: the model's loop pays a trip's own passes
    /// (docs/model.md, "trio's and curio's threads: a job handed to one thread, a result taken in a pass of its
    /// own").
    public var trioThreadTrip: ThreadTripScale?
    public var curioThreadTrip: ThreadTripScale?
    /// Client CPU of one urlopen right after ~3.5 ms of CPU steps (Python, `7777 ** n`, sha256 over 4 MiB), as
    /// a multiple of the same call right after another call (calibrate.py `cold_request_ratio`).
    public var coldRequestRatio: Double?
    /// The cold wake-up: [[wait in us, ns]], how much more CPU a thread's first work costs after that wait
    /// than after a 200 us one (calibrate.py `cold_wake`).
    public var coldWake: [[Double]]?
    /// The share of GIL drops whose signal the thread that asked for the drop takes before it sleeps
    /// (calibrate.py `requester_takes_signal`); nil in an older profile, which leaves the scenario's value.
    public var requesterTakesSignal: Double?
    /// Per CPU kind (`py`, `pow`, `sha`), with every core busy, the fastest busy core's speed over the slowest's:
    /// the slower's time over the faster's of processes released together (validation/pair_speeds.py); nil in
    /// an older profile, which leaves the scenario's value (1, one speed).
    public var coreSpeedSpread: [String: Double]?
    /// Per start method name, the CPU a child's first urlopen costs beyond its second, the child forked or
    /// started by a parent that never called (calibrate.py `first_call`); nil in an older profile.
    public var processFirstCall: [String: SimTime]?
    /// Per start method name, what a program's first start + join costs beyond its next ones (forkserver's
    /// server start; calibrate.py `first_start`); nil in an older profile.
    public var processFirstStart: [String: SimTime]?
    /// Per start method name, what a program's first Pool(2) + one task costs beyond its next ones (its imports,
    /// forkserver's server; calibrate.py `pool_first_start`); nil in an older profile, whose pools then pay
    /// `processFirstStart` as they did.
    public var poolFirstStart: [String: SimTime]?
    /// Per start method name, what a Pool worker's start + join costs beyond a Process child's, its parent having
    /// imported multiprocessing.pool (calibrate.py `pool_worker_costs`); nil in an older profile.
    public var poolWorkerStart: [String: SimTime]?
    /// Per start method name, a child's exit: from its target's end until its join returns (calibrate.py
    /// `process_exit`); nil in an older profile.
    public var processExit: [String: SimTime]?
    /// Per client (`urlopen`, `gevent`, `eventlet`: urlopen plain or after that library's monkey patching), the
    /// CPU a program's first urlopen costs beyond its next ones, in a new interpreter (calibrate.py
    /// `program_first_call`); nil in an older profile.
    public var programFirstCall: [String: SimTime]?
    /// Per waker (`TimerWaker`: a thread's `time.sleep`, asyncio's, trio's, curio's loop, gevent's hub), the CPU a
    /// wake-up from one sleeper's timer costs the thread it wakes (calibrate.py `timer_wake`); nil in an older
    /// profile, which leaves the scenario's `timer_wake_cpu`.
    public var timerWake: [String: SimTime]?
    /// How many more GIL races a program's first urlopen loses than its next calls, beside a thread spinning in
    /// bytecode, at `switchInterval` (calibrate.py `program_first_call_races`: its import of the idna codec);
    /// nil in an older profile.
    public var programFirstCallRaces: Double?
    /// recv() of an answer already queued on a loopback connection (calibrate.py `ready_recv_ns`); nil in an
    /// older profile, which leaves the scenario's `ready_recv`.
    public var readyRecv: SimTime?
    /// The CPU of one getaddrinfo on a worker of gevent's hub thread pool, the call aside (calibrate.py
    /// `resolver_job_ns`); nil in an older profile, which leaves the scenario's `resolver_job`.
    public var resolverJob: SimTime?
    /// How long a CPU-bound process keeps a core another one waits for (calibrate.py `scheduler_tick_ns`:
    /// two processes taking turns on one core), the scheduler's tick, since a used-up slice ends at the next
    /// tick; nil in an older profile, which leaves slices ending on time.
    public var schedulerTick: SimTime?
    /// The calibrating thread's timer slack (/proc/self/timerslack_ns); nil in an older profile or where the
    /// file does not exist, which leaves the scenario's `timer_slack`.
    public var timerSlack: SimTime?
    /// How late a thread is back from a timed wait that expired, by the wait's length: rows of [wait ns, late
    /// ns] (calibrate.py `timed_wait_late`, another core busy); nil in an older profile, which leaves the
    /// scenario's `timeout_idle_wake`.
    public var timedWaitLate: [[Double]]?
    /// One urlopen(url).read()'s Python CPU between the calls that release the GIL, ns, in the order of
    /// `IOCallShape.newPieces` (before getaddrinfo, socket(), connect(), send, recv; after recv; after close):
    /// calibrate.py `call_shape`; nil in an older profile, which leaves the scenario's shape.
    public var callShape: [Double]?
    /// When `simulate calibrate` measured it, UTC (ISO 8601, "2026-12-04T16:53:12Z"); nil in a profile from before
    /// calibrations were dated. This VM's library costs drift apart from its Python loop over half hours
    /// (docs/model.md, "Each session with its own calibration"), so the commands that run real programs say how
    /// old the profile is; a median of calibrations has the median of their times.
    public var calibratedAt: String?

    // MARK: - From calibrate.py's raw measurements

    /// Builds the profile from calibrate.py's JSON (raw points and medians, all in ns).
    /// - Throws: `RealRunError.badResult` naming the missing or malformed field.
    public static func fromCalibration(_ data: Data, path: String) throws -> MachineProfile {
        guard let object = try? JSONSerialization.jsonObject(with: data), let raw = object as? [String: Any] else {
            throw RealRunError.badResult(path: path, reason: "not a JSON object")
        }
        func number(_ key: String) throws -> Double {
            guard let v = raw[key] as? NSNumber else { throw RealRunError.badResult(path: path, reason: "missing number \(key)") }
            return v.doubleValue
        }
        func time(_ key: String) throws -> SimTime { SimTime(nanoseconds: Int64(try number(key).rounded())) }
        func points(_ key: String) throws -> [CostPoint] {
            guard let list = raw[key] as? [[NSNumber]], !list.isEmpty, list.allSatisfy({ $0.count == 2 }) else {
                throw RealRunError.badResult(path: path, reason: "missing list of [amount, ns] pairs \(key)")
            }
            return list.map { CostPoint(amount: $0[0].doubleValue, nanoseconds: $0[1].doubleValue) }
        }
        func table(_ key: String) -> [String: [[Double]]]? {
            (raw[key] as? [String: [[NSNumber]]])?.mapValues { $0.map { $0.map(\.doubleValue) } }
        }
        guard let starts = raw["process_start_ns"] as? [String: NSNumber] else {
            throw RealRunError.badResult(path: path, reason: "missing process_start_ns")
        }
        var profile = MachineProfile(
            python: raw["python"] as? String ?? "?", cores: Int(try number("cores")),
            switchInterval: try time("switch_interval_ns"),
            pythonLoop: LinearCost.proportional(try points("python_loop")), bigPower: PowerLawCost.fit(try points("pow")),
            sha256: LinearCost.proportional(try points("sha256")), shaChunk: Int(try number("sha_chunk")),
            numpySin: (try? points("numpy_sin")).map(LinearCost.proportional), numpyChunk: (try? number("numpy_chunk")).map { Int($0) },
            numbaLoop: (try? points("numba_loop")).map(LinearCost.proportional),
            gilReleaseSpeedup: (raw["gil_release_speedup"] as? [String: NSNumber])?.mapValues(\.doubleValue),
            threadStart: try time("thread_start_ns"),
            processStart: starts.mapValues { SimTime(nanoseconds: $0.int64Value) },
            poolApply: try time("pool_apply_ns"), wakeLatency: try time("wake_ns"),
            eventRoundTrip: try time("event_round_trip_ns"),
            urlopenCPU: try time("urlopen_cpu_ns"), urlopenWall: try time("urlopen_wall_ns"),
            delayedCallWall: try time("delayed_call_wall_ns"),
            connectCPU: try time("connect_cpu_ns"), connectWall: try time("connect_wall_ns"),
            syscall: try? time("syscall_ns"), connectCall: try? time("connect_call_ns"), ioOverhead: try? time("io_overhead_ns"),
            raceCall: try? time("race_call_ns"), raceLostPerCall: try? number("race_lost_per_call"),
            aiohttpCPU: try time("aiohttp_cpu_ns"), aiohttpWall: try time("aiohttp_wall_ns"),
            loopIteration: try time("loop_iteration_ns"), taskCreate: try time("task_create_ns"),
            executorRoundTrip: try time("executor_round_trip_ns"),
            greenletSwitch: try time("greenlet_switch_ns"), greenletSpawn: try time("greenlet_spawn_ns"),
            runtimes: RuntimeCosts(raw),
            parallelEfficiency: table("parallel_efficiency"), speedProbe: try? time("speed_probe_ns"),
            waitCosts: (raw["wait_costs"] as? [[NSNumber]])?.map { $0.map(\.doubleValue) },
            processesAtScale: table("processes_at_scale"),
            serverAnswerNew: try? time("server_answer_new_ns"), serverAnswerReuse: try? time("server_answer_reuse_ns"))
        profile.callOverlapRatio = try? number("call_overlap_ratio")
        profile.aiohttpSessionRatio = try? number("aiohttp_session_ratio")
        profile.aiohttpCloseRatio = try? number("aiohttp_close_ratio")
        profile.executorLoopCPU = try? time("executor_loop_cpu_ns")
        profile.executorResultCPU = try? time("executor_result_cpu_ns")
        profile.executorWorkerCPU = try? time("executor_worker_cpu_ns")
        profile.executorWakeCPU = try? time("executor_wake_cpu_ns")
        profile.poolTaskCPU = try? time("pool_task_cpu_ns")
        profile.poolResultCPU = try? time("pool_result_cpu_ns")
        profile.poolHandlerTurn = try? time("pool_handler_turn_ns")
        profile.poolHandlerCalls = try? time("pool_handler_calls_ns")
        profile.geventUrlopenRatio = try? number("gevent_urlopen_ratio")
        profile.eventletUrlopenRatio = try? number("eventlet_urlopen_ratio")
        profile.trioRequestRatio = try? number("trio_request_ratio")
        profile.curioRequestRatio = try? number("curio_request_ratio")
        func trip(_ runtime: String) -> ThreadTripScale? {
            guard let loop = try? number("\(runtime)_thread_loop_ratio"), let worker = try? number("\(runtime)_thread_worker_ratio"),
                  ThreadTripScale.range.contains(loop), ThreadTripScale.range.contains(worker) else { return nil }
            return ThreadTripScale(loop: loop, worker: worker)
        }
        profile.trioThreadTrip = trip("trio")
        profile.curioThreadTrip = trip("curio")
        profile.coldRequestRatio = try? number("cold_request_ratio")
        profile.coldWake = (raw["cold_wake"] as? [[NSNumber]])?.map { $0.map(\.doubleValue) }
        profile.requesterTakesSignal = try? number("requester_takes_signal")
        profile.coreSpeedSpread = (raw["core_speed_spread"] as? [String: NSNumber])?.mapValues(\.doubleValue)
        /// Per start method name, a duration in ns (negative read as zero).
        func perMethod(_ key: String) -> [String: SimTime]? {
            (raw[key] as? [String: NSNumber])?.mapValues { SimTime(nanoseconds: max(0, $0.int64Value)) }
        }
        profile.processFirstCall = perMethod("process_first_call_ns")
        profile.processFirstStart = perMethod("process_first_start_ns")
        profile.poolFirstStart = perMethod("pool_first_start_ns")
        profile.poolWorkerStart = perMethod("pool_worker_start_ns")
        profile.processExit = perMethod("process_exit_ns")
        profile.programFirstCall = perMethod("program_first_call_ns")
        profile.timerWake = perMethod("timer_wake_ns")
        profile.programFirstCallRaces = try? number("program_first_call_races")
        profile.readyRecv = try? time("ready_recv_ns")
        profile.resolverJob = try? time("resolver_job_ns")
        profile.ioOverheadReuse = try? time("io_overhead_reuse_ns")
        profile.timerSlack = try? time("timer_slack_ns")
        profile.schedulerTick = try? time("scheduler_tick_ns")
        profile.timedWaitLate = (raw["timed_wait_late"] as? [[NSNumber]])?.map { $0.map(\.doubleValue) }
        profile.callShape = (raw["call_shape_ns"] as? [NSNumber])?.map(\.doubleValue)
        return profile
    }

    // MARK: - When it was measured

    /// `date` as `calibratedAt` writes it.
    public static func calibrationTime(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date)
    }

    /// `calibratedAt` to the minute, for people: "2026-12-04 07:04 UTC".
    public var calibratedAtShown: String? {
        calibratedAt.map { "\($0.replacingOccurrences(of: "T", with: " ").prefix(16)) UTC" }
    }

    /// One line on where the profile comes from and how old it is at `now`, e.g. "output/machine.json,
    /// calibrated 2026-12-04 07:04 UTC (9 h 12 min ago)".
    public func provenance(path: String, now: Date = Date()) -> String {
        guard let calibratedAt else {
            return "\(path), calibrated at a time it does not record (a profile from before calibrations were dated)"
        }
        guard let date = ISO8601DateFormatter().date(from: calibratedAt) else {
            return "\(path), calibratedAt \"\(calibratedAt)\" is not a time like \"2026-12-04T16:53:12Z\" (UTC): its age is unknown"
        }
        let minutes = Int((now.timeIntervalSince(date) / 60).rounded(.down))
        let age: String
        switch minutes {
        case ..<0: age = "in the future: check this machine's clock"
        case ..<1: age = "just now"
        case ..<60: age = "\(minutes) min ago"
        case ..<(48 * 60): age = "\(minutes / 60) h \(minutes % 60) min ago"
        default: age = "\(minutes / (24 * 60)) days ago"
        }
        return "\(path), calibrated \(calibratedAtShown ?? calibratedAt) (\(age))"
    }

    // MARK: - Saving and loading

    /// The profile as JSON (sorted keys, so the same profile gives the same bytes).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Writes the profile atomically.
    public func save(to path: String) throws { try AtomicFile.write(try encoded(), to: path) }

    /// Reads a profile saved by `save(to:)`.
    /// - Throws: `RealRunError.badProfile` naming the file and the problem.
    public static func load(from path: String) throws -> MachineProfile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RealRunError.badProfile(path: path, reason: "the file does not exist or cannot be read")
        }
        do {
            return try JSONDecoder().decode(MachineProfile.self, from: data)
        } catch let error as DecodingError {
            throw RealRunError.badProfile(path: path, reason: Self.explain(error))
        } catch {
            throw RealRunError.badProfile(path: path, reason: "\(error)")
        }
    }

    /// A decoding error in words: the key path and what was wrong, instead of the raw `DecodingError` dump.
    static func explain(_ error: DecodingError) -> String {
        func place(_ path: [CodingKey]) -> String {
            let text = path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "the file" : String(text.drop(while: { $0 == "." }))
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(place(context.codingPath + [key])) is missing"
        case .typeMismatch(let type, let context):
            return "\(place(context.codingPath)) is not \(type == String.self ? "a string" : "a \(type)")"
        case .valueNotFound(_, let context):
            return "\(place(context.codingPath)) is null"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "it is not valid JSON" : "\(place(context.codingPath)) is not valid: \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    // MARK: - Onto a scenario

    /// The wake-up latency of a Python thread: half a threading.Event round trip.
    public var threadWake: SimTime { eventRoundTrip / 2 }

    /// The parent's serial share of `Process.start()` per child, from the most processes started at once: its
    /// own CPU in the start() calls where measured, else (older profiles) its time in them. The time also
    /// holds the waits for a core that the children already started cause, which the model runs itself
    /// (docs/model.md, "The parent's share of starting a process").
    public func parentShareOfStart(_ method: StartMethod) -> SimTime? {
        guard let row = processesAtScale?[method.rawValue]?.filter({ $0.count >= 3 && $0[0] > 0 }).max(by: { $0[0] < $1[0] }) else {
            return nil
        }
        let parent = row.count >= 4 && row[3] > 0 ? row[3] : row[1]
        return SimTime(nanoseconds: Int64((parent / row[0]).rounded()))
    }

    /// The server delay at which calibrate.py's `socket_call_costs` measured `ioOverhead` (its `delay_us`):
    /// that wait's own idle wake-up is in `ioOverhead`, so the rise counts from there.
    public static let ioOverheadDelay = SimTime.microseconds(200)

    /// `waitCosts` by delay, each excess made non-decreasing in the delay (pooled adjacent violators: a longer
    /// wait never wakes faster, so a dip is noise): [(delay in us, fitted ns beyond it)]. Nil without rows.
    /// O(n) amortised in the rows.
    var fittedWaitCosts: [(delay: Double, excess: Double)]? {
        guard let rows = waitCosts?.filter({ $0.count == 2 && $0[0] >= 0 }).sorted(by: { $0[0] < $1[0] }), !rows.isEmpty else { return nil }
        // Blocks of (mean, size), merged while a block's mean is below the previous one's.
        var blocks: [(mean: Double, size: Int)] = []
        for row in rows {
            blocks.append((row[1], 1))
            while blocks.count > 1, blocks[blocks.count - 1].mean < blocks[blocks.count - 2].mean {
                let b = blocks.removeLast(), a = blocks.removeLast()
                blocks.append(((a.mean * Double(a.size) + b.mean * Double(b.size)) / Double(a.size + b.size), a.size + b.size))
            }
        }
        let fitted = blocks.flatMap { Array(repeating: $0.mean, count: $0.size) }
        return zip(rows, fitted).map { (delay: $0[0], excess: $1) }
    }

    /// The fitted excess (`fittedWaitCosts`) of the last delay at or below `ioOverheadDelay`, and that row's
    /// index: what a call alone took beyond a delay too short for the cores to go idle. Nil without such a
    /// row and two longer ones.
    var waitCostAtOverheadDelay: (index: Int, excess: Double)? {
        guard let rows = fittedWaitCosts else { return nil }
        let baseDelay = Double(Self.ioOverheadDelay.nanoseconds) / 1_000
        guard let index = rows.lastIndex(where: { $0.delay <= baseDelay }), rows.count - index > 2 else { return nil }
        return (index, rows[index].excess)
    }

    /// From `waitCosts`: how much longer than its delay a call takes the longer the delay (the cores go idle,
    /// and an idle vCPU's wake-up costs more), as `costs.io_idle_overhead` points: the fitted excesses
    /// (`fittedWaitCosts`) less the one at `ioOverheadDelay`, at each longer delay. Nil without a delay at
    /// or below `ioOverheadDelay` and two above it, or without a rise of at least 1 us.
    public var idleRise: [IdleRisePoint]? {
        guard let rows = fittedWaitCosts, let base = waitCostAtOverheadDelay else { return nil }
        let points = [IdleRisePoint(latency: Self.ioOverheadDelay, overhead: .zero)] + rows.dropFirst(base.index + 1).map {
            IdleRisePoint(latency: SimTime(nanoseconds: Int64(($0.delay * 1_000).rounded())),
                          overhead: SimTime(nanoseconds: Int64(max(0, $0.excess - base.excess).rounded())))
        }
        guard let last = points.last, last.overhead >= .microseconds(1) else { return nil }
        return points
    }

    /// From `coldWake`: the `costs.cold_wake_cpu` and `cold_wake_after` of `E × (1 − exp(−(w / τ)²))` closest
    /// to the measured points (least squares: τ over a log grid from 0.5 to 100 ms, E in closed form for
    /// each). Nil without at least three points or with nothing above zero.
    public var coldWakeFit: (cpu: SimTime, after: SimTime)? {
        guard let rows = coldWake?.filter({ $0.count == 2 && $0[0] > 0 }), rows.count >= 3 else { return nil }
        var best: (sse: Double, cpu: Double, after: Double)?
        for step in 0...200 {
            let tau = 500.0 * Foundation.pow(200.0, Double(step) / 200)  // us: 0.5 ms ... 100 ms
            let f = rows.map { 1 - Foundation.exp(-($0[0] / tau) * ($0[0] / tau)) }
            let ff = f.reduce(0) { $0 + $1 * $1 }
            guard ff > 0 else { continue }
            let e = max(0, zip(f, rows).reduce(0) { $0 + $1.0 * $1.1[1] } / ff)
            let sse = zip(f, rows).reduce(0) { $0 + (e * $1.0 - $1.1[1]) * (e * $1.0 - $1.1[1]) }
            if sse < best?.sse ?? .infinity { best = (sse, e, tau) }
        }
        guard let best, best.cpu >= 1_000 else { return nil }
        return (SimTime(nanoseconds: Int64(best.cpu.rounded())), SimTime(nanoseconds: Int64((best.after * 1_000).rounded())))
    }

    /// The mean wake-up latency that makes the model lose urlopen's GIL races as often as this machine does.
    ///
    /// In the model a call of length d loses when the woken waiter's wake-up W plus a context switch c is
    /// shorter than d (W exponential of mean m: P = 1 - exp(-(d - c) / m), `Machine.shortCallLoss`). urlopen
    /// makes four short calls of `syscall` each (getaddrinfo, socket, send, close) and two that always lose
    /// (connect and the wait for the answer, longer than any wake-up): 2 + 4 P = lost per call, so m is
    /// `Machine.wakeLatency(losing: P, call: syscall)` on the default machine (c = 3 us, exponential).
    /// What matters for the GIL is this race on idle cores, not a pipe ping-pong between busy processes.
    /// `apply` makes it the machine's `wake_latency` (its jitter stays the scenario's, 1 by default), so it is
    /// kept within `gilWakeRange`, what an idle core of this VM takes to wake: two measurements taken in a
    /// noisy moment (a race count near 2, a long `syscall`) would otherwise give hundreds of microseconds, and a
    /// model whose short waits all keep their core (one CI calibration did).
    public var gilWake: SimTime? {
        guard let raceLostPerCall, let syscall else { return nil }
        let p = min(0.95, max(0.02, (raceLostPerCall - 2) / 4))
        guard let wake = Machine(cores: cores).wakeLatency(losing: p, call: syscall)?.nanoseconds else { return nil }
        return SimTime(nanoseconds: min(Self.gilWakeRange.upperBound, max(Self.gilWakeRange.lowerBound, wake)))
    }

    /// The wake-ups `gilWake` may give, ns: an idle core of this VM wakes in 2 to 50 µs depending on how deeply
    /// it sleeps (docs/model.md, "Model against measurements").
    public static let gilWakeRange: ClosedRange<Int64> = 2_000...50_000

    /// The scenario with this machine's measurements in place of the defaults:
    /// - machine: `cores` and Linux's fair scheduler with its base slice
    ///   (this machine runs Linux, not the seed's 100 ms round robin), and each CPU kind's parallel
    ///   efficiency with every core busy;
    /// - costs: thread and process start, greenlet switch and spawn, loop iteration, task creation, measured
    ///   directly; `pickle` = a Pool.apply round trip less its two wake-ups; `executorHandoff` = the loop's
    ///   half of a run_in_executor round trip less its two wake-ups; `connectionCPU` = a loopback TCP
    ///   connect's CPU; `connectionSetup` = the wall time of a no-delay urlopen not spent in its own CPU
    ///   (handshake, the server's thread start and answer), at least a bare connect's wall time;
    /// - every I/O step's Python-side CPU: with a new connection, one urlopen's CPU less the connect's (which
    ///   the model adds as `connectionCPU`); with a reused one, one aiohttp request's CPU.
    /// Strategy overrides of machine and costs get the same values. The switch interval and the GIL are the
    /// scenario's (the harness sets `sys.setswitchinterval` from the scenario).
    /// Replacing an I/O step's CPU distribution by a constant changes which random numbers later draws use:
    /// model and real runs must both draw from the applied scenario (`RealRunner` and compare do).
    /// - Parameter client: the strategy whose HTTP client the I/O steps use (`compare` applies the profile
    ///   per strategy: Tornado's and Twisted's clients cost more CPU per request than urlopen, uvloop's less
    ///   than aiohttp on asyncio); nil for urlopen (new connections) and aiohttp (reused ones).
    public func apply(to scenario: Scenario, client: StrategyKindName? = nil) -> Scenario {
        var s = scenario
        s.machine = apply(to: s.machine)
        s.costs = apply(to: s.costs, client: client, machine: s.machine)
        s.strategies = s.strategies.map { strategy in
            var t = strategy
            t.machine = t.machine.map(apply(to:))
            t.costs = t.costs.map { apply(to: $0, client: client, machine: t.machine ?? s.machine) }
            return t
        }
        s.tasks = s.tasks.map { group in
            var g = group
            g.steps = g.steps.map { apply(to: $0, client: client) }
            return g
        }
        return s
    }

    /// The profile applied to a program that brings its own client and server (validation/programs' raw
    /// sockets): the machine and its costs, but the io steps as written, and nothing measured of the harness's
    /// latency server (its overhead per wait, its answer turns) or of urlopen's overlapping calls: the
    /// program's call latency, timed alone, already holds its own server's work.
    public func applyWithOwnClient(to scenario: Scenario) -> Scenario {
        var s = apply(to: scenario)
        s.tasks = scenario.tasks
        func own(_ c: inout Costs) {
            c.ioOverhead = .zero
            c.ioOverheadReuse = nil
            c.serverAnswerNew = .zero
            c.serverAnswerReuse = .zero
            c.connectionOverlapCPU = .zero
            c.coldRequestCPU = .zero
            c.programFirstCall = .zero
            c.programFirstCallReleases = 0
        }
        own(&s.costs)
        for i in s.strategies.indices where s.strategies[i].costs != nil { own(&s.strategies[i].costs!) }
        return s
    }

    /// The key of `programFirstCall` for `client`: urlopen's plain, or after gevent's or eventlet's patching;
    /// nil for the other clients, whose first request is their session's or loop's (measured apart).
    static func firstCallClient(_ client: StrategyKindName?) -> String? {
        guard let client else { return "urlopen" }
        switch client {
        case .gevent: return "gevent"
        case .eventlet: return "eventlet"
        default: return client.descriptor.harness.client == .urlopen ? "urlopen" : nil
        }
    }

    /// One request's whole client CPU for `client`'s HTTP client where calibrate.py measured it.
    func clientCPU(_ client: StrategyKindName?) -> SimTime? {
        guard let client else { return nil }
        switch client {
        case .tornado: return runtimes?.tornadoFetchCPU
        case .twisted: return runtimes?.twistedRequestCPU
        case .uvloop: return runtimes?.uvloopAiohttpCPU
        // urlopen through the patched socket module: each call waits on the hub and switches greenlets.
        case .gevent: return geventUrlopenRatio.map { urlopenCPU.scaled(by: $0) }
        case .eventlet: return eventletUrlopenRatio.map { urlopenCPU.scaled(by: $0) }
        // The harness's kept-alive raw socket, measured against aiohttp's request (a quarter to two fifths of it).
        // Applied once their thread trips were modelled as they run (docs/model.md, "trio's and curio's threads:
        // a job handed to one thread, a result taken in a pass of its own"): before, aiohttp's figure stood in
        // for the call and for what their trips missed.
        case .trio: return trioRequestRatio.map { aiohttpCPU.scaled(by: $0) }
        case .curio: return curioRequestRatio.map { aiohttpCPU.scaled(by: $0) }
        case .sync, .threads, .processes, .asyncio, .tasklets, .interpreters: return nil
        }
    }

    /// `machine.start_efficiency`: a spawned child's CPU alone over each one's when `processes_at_scale` started
    /// many at once (the rows' largest count, 16 in calibrate.py, at least one a core), from the rows'
    /// reaped-children CPU column (`RUSAGE_CHILDREN`: the child's interpreter start, imports and exit, all of it
    /// start-up here since its target does nothing). A profile without that column (rows of three) gives it
    /// from the times until the last join: n children at once keep the cores busy, so n × (one alone's time) /
    /// (cores × n's time); on twelve calibrations with both the two agree within 0.02 (docs/model.md, "A
    /// spawned child's start-up beside another"). nil without such rows.
    public var startEfficiency: Double? {
        guard let rows = processesAtScale?["spawn"]?.filter({ $0.count >= 3 && $0[0] > 0 && $0[2] > 0 }),
              let alone = rows.first(where: { $0[0] == 1 }),
              let most = rows.max(by: { $0[0] < $1[0] }), most[0] >= Double(max(2, cores)) else { return nil }
        let ratio = alone.count >= 5 && most.count >= 5 && alone[4] > 0 && most[4] > 0
            ? (alone[4] / alone[0]) / (most[4] / most[0])
            : most[0] * alone[2] / (Double(cores) * most[2])
        return min(1, max(0.05, ratio))
    }

    func apply(to machine: Machine) -> Machine {
        var m = machine
        m.cores = cores
        // The wake-up latency (below) is fitted to the race the model uses it for, urlopen beside a spinning
        // thread: an idle core of this VM wakes in anything from 2 to 50 us depending on how deeply it sleeps,
        // and pipe ping-pongs, Event round trips and race probes disagree by 10x (docs/model.md, "Model
        // against measurements"), so the pipe's `wakeLatency` is reported for information only.
        m.scheduler = .linux(baseSlice: Defaults.linuxBaseSlice, tick: schedulerTick ?? .zero)
        // Each busy core's speed with every core busy, per CPU kind (the probe's point at k = cores).
        // And how far apart their speeds are (`core_speed_spread`).
        for (key, kind) in [("py", CPUKind.python), ("pow", .cHoldsGIL), ("sha", .cReleasesGIL)] {
            if let point = parallelEfficiency?[key]?.last(where: { $0.count == 2 }) {
                m.parallelEfficiency[kind] = min(1, max(0.05, point[1]))
            }
            if let spread = coreSpeedSpread?[key] { m.coreSpeedSpread[kind] = min(4, max(1, spread)) }
        }
        if let requesterTakesSignal { m.requesterTakesSignal = min(1, max(0, requesterTakesSignal)) }
        // A spawn or forkserver child's start-up with every core busy; without rows at scale, the scenario's, by
        // default bytecode's efficiency, what the model used before.
        if let startEfficiency { m.startEfficiency = startEfficiency }
        // The wake-up latency with which the model loses urlopen's GIL races as often as this machine does
        // (docs/model.md, "The wake-up from urlopen's races").
        if let gilWake { m.wakeLatency = gilWake }
        if let timerSlack { m.timerSlack = timerSlack }
        if let idle = timeoutIdleWake(on: m) { m.timeoutIdleWake = idle }
        return m
    }

    /// `machine.timeout_idle_wake` from `timedWaitLate`: how late each measured wait was back, less what the
    /// model already puts after a GIL wait's deadline on `machine` (its timer slack, mean wake-up and context
    /// switch), never below zero; nil without the measurement.
    func timeoutIdleWake(on machine: Machine) -> [IdleRisePoint]? {
        guard let rows = timedWaitLate?.filter({ $0.count == 2 && $0[0] >= 1 }).sorted(by: { $0[0] < $1[0] }), !rows.isEmpty else { return nil }
        let modelled = machine.timerSlack + machine.wakeLatency + machine.contextSwitch
        var points: [IdleRisePoint] = []
        for row in rows {
            let wait = SimTime(nanoseconds: Int64(row[0].rounded()))
            // A rise needs increasing waits; a second row of the same wait is dropped.
            guard wait > (points.last?.latency ?? .zero) else { continue }
            points.append(IdleRisePoint(latency: wait, overhead: max(.zero, SimTime(nanoseconds: Int64(row[1].rounded())) - modelled)))
        }
        return points
    }

    /// The short GIL releases of a program's first urlopen (`costs.program_first_call_releases`) on `machine`:
    /// as many `syscall`-long calls as lose, in the model's race (`Machine.shortCallLoss`), as many races as the
    /// first call was measured to lose beyond its next calls (`programFirstCallRaces`). Real file system calls
    /// are shorter and lose less often (29 of them lose about 7, docs/model.md "The first call's import"); the
    /// count stands for them. Nil without the measurement or `syscall`.
    func programFirstCallReleases(on machine: Machine) -> Int? {
        guard let programFirstCallRaces, let syscall else { return nil }
        let loss = max(0.02, machine.shortCallLoss(syscall))
        return min(Defaults.maxProgramFirstCallReleases, Int((max(0, programFirstCallRaces) / loss).rounded()))
    }

    /// The costs, and for a client with one aiohttp session per task what opening a session costs.
    /// - Parameter machine: the machine the costs run on (the scenario's, with this profile applied): the
    ///   first call's releases depend on its GIL race.
    func apply(to costs: Costs, client: StrategyKindName?, machine: Machine) -> Costs {
        var c = apply(to: costs)
        // A request right after a CPU step costs its client (ratio - 1) of its CPU more: the ratio is urlopen's,
        // taken as every client's (the HTTP clients' code and data are evicted alike; docs/model.md).
        if let coldRequestRatio {
            let request = clientCPU(client) ?? (client?.descriptor.harness.connection == .reuse ? aiohttpCPU : urlopenCPU)
            c.coldRequestCPU = request.scaled(by: min(4, max(0, coldRequestRatio - 1)))
        }
        let firstCallClient = Self.firstCallClient(client)
        if let key = firstCallClient, let first = programFirstCall?[key] { c.programFirstCall = first }
        // Only plain urlopen: under gevent the lookup runs in the hub's resolver thread pool and eventlet's
        // greendns imports up front; the races were measured for urlopen.
        if firstCallClient == "urlopen", let releases = programFirstCallReleases(on: machine) {
            c.programFirstCallReleases = releases
        }
        if let client, client == .gevent || client == .eventlet, clientCPU(client) != nil {
            // A patched call measured alone (`clientCPU`) already costs what green calls cost at once: they
            // share one thread, so the OS threads' contention `overlapping_calls` measures is not theirs.
            c.connectionOverlapCPU = .zero
        }
        if let client, client.descriptor.harness.client != .urlopen {
            // The shape measured is urlopen's; another client (an aiohttp session, Tornado's, Twisted's, raw
            // sockets) keeps the scenario's.
            c.ioCallShape = costs.ioCallShape
        }
        guard client?.descriptor.harness.client == .aiohttpSession else { return c }
        // A task's first request opens its session and connection, and the task closes the session at its end:
        // together CPU beyond a reused connection's request and the short calls the model already runs for a
        // new connection (getaddrinfo, socket, close). The close's own share is paid at the end, the rest
        // before the first request's send (docs/model.md, "An aiohttp session is closed at its task's end").
        if let aiohttpSessionRatio, let syscall {
            let request = clientCPU(client) ?? aiohttpCPU
            let session = max(.zero, request.scaled(by: max(0, aiohttpSessionRatio - 1)) - syscall * 3)
            let closeRatio = max(0, aiohttpCloseRatio ?? Self.aiohttpCloseRatioMeasured)
            c.sessionCloseCPU = min(session, request.scaled(by: closeRatio))
            c.connectionCPU = session - c.sessionCloseCPU
        }
        // aiohttp's connections opened together cost no more than one alone (docs/model.md).
        c.connectionOverlapCPU = .zero
        return c
    }

    func apply(to costs: Costs) -> Costs {
        var c = applyMeasured(to: costs)
        if let overhead = loneCallIOOverhead {
            // A kept-alive call not measured apart keeps the wait as measured: the pieces matched are a new
            // connection's.
            if c.ioOverheadReuse == nil { c.ioOverheadReuse = c.ioOverhead }
            c.ioOverhead = overhead
        }
        return c
    }

    /// The measured costs, each piece as it was measured on its own: `apply(to:)` before the wait beyond a
    /// call's delay is matched to the call measured whole (`loneCallIOOverhead`).
    func applyMeasured(to costs: Costs) -> Costs {
        var c = costs
        c.threadStart = threadStart
        for method in StartMethod.allCases {
            guard let t = processStart[method.rawValue] else { continue }
            c.processStart[method] = t
            if let parent = parentShareOfStart(method) {
                // The start of one process, split: the parent's serial share, and the child's own.
                c.processSpawn[method] = min(parent, t)
                c.processStart[method] = t - min(parent, t)
            }
        }
        for (measured, cost) in [(processFirstCall, \Costs.processFirstCall), (processFirstStart, \.processFirstStart),
                                 (poolFirstStart ?? processFirstStart, \.poolFirstStart), (poolWorkerStart, \.poolWorkerStart),
                                 (processExit, \.processExit)] {
            for (name, extra) in measured ?? [:] {
                if let method = StartMethod(rawValue: name) { c[keyPath: cost][method] = extra }
            }
        }
        if let idleRise { c.ioIdleRise = idleRise }
        // Real runs talk to server.py on this machine: it answers one request at a time.
        if let serverAnswerNew { c.serverAnswerNew = serverAnswerNew }
        if let serverAnswerReuse { c.serverAnswerReuse = serverAnswerReuse }
        // Overlapping calls cost more client CPU than calls alone: the excess of one urlopen's CPU.
        if let callOverlapRatio { c.connectionOverlapCPU = urlopenCPU.scaled(by: max(0, callOverlapRatio - 1)) }
        // Where urlopen's Python runs between its GIL-releasing calls (docs/model.md, "The shape of an I/O call").
        if let callShape, callShape.count == IOCallShape.newPieces.count, callShape.allSatisfy({ $0 >= 0 }),
           callShape.contains(where: { $0 > 0 }) {
            c.ioCallShape.new = callShape
        }
        // The other runtimes' own costs, where calibrate.py measured them (docs/model.md, "Measured runtime
        // costs"): a pass of each loop, eventlet's switch and spawn, a tasklet's switch.
        if let r = runtimes {
            if let v = r.uvloopLoopIteration { c.uvloopLoopIteration = v }
            if let v = r.trioCheckpoint { c.trioLoopIteration = v }
            if let v = r.curioSwitch { c.curioLoopIteration = v }
            if let v = r.eventletSwitch { c.eventletSwitch = v }
            if let v = r.eventletSpawn { c.eventletSpawn = v }
            if let v = r.taskletSwitch { c.taskletSwitch = v }
        }
        c.pickle = max(.microseconds(1), poolApply - threadWake * 2)
        c.greenletSwitch = greenletSwitch
        c.greenletSpawn = greenletSpawn
        c.loopIteration = loopIteration
        c.taskCreate = taskCreate
        // The loop's side of a round trip: its own CPU, measured, where the profile has it (a wall-time round
        // trip less two wake-ups left out the wake-up's own CPU: 20 us against 90 us measured here).
        c.executorHandoff = executorLoopCPU ?? max(.microseconds(1), (executorRoundTrip - threadWake * 2) / 2)
        // The worker's side of it, where measured (docs/model.md, "The executor worker's own CPU").
        if let executorResultCPU { c.executorResultCPU = executorResultCPU }
        if let executorWorkerCPU { c.executorWorkerCPU = executorWorkerCPU }
        if let executorWakeCPU { c.executorWakeCPU = executorWakeCPU }
        // trio's and curio's thread workers, as multiples of it (docs/model.md, "trio's and curio's threads: a job
        // handed to one thread, a result taken in a pass of its own").
        if let worker = trioThreadTrip?.worker { c.trioThreadWorker = min(Defaults.threadWorkerRange.upperBound, max(0, worker)) }
        if let worker = curioThreadTrip?.worker { c.curioThreadWorker = min(Defaults.threadWorkerRange.upperBound, max(0, worker)) }
        // A process Pool's own costs, where measured (docs/model.md, "A process Pool's result pipe and its worker
        // handler"); the handler's calls stay within its turn.
        if let poolTaskCPU { c.poolTaskCPU = poolTaskCPU }
        if let poolResultCPU { c.poolResultCPU = poolResultCPU }
        if let poolHandlerTurn, let poolHandlerCalls {
            c.poolHandlerTurn = poolHandlerTurn
            c.poolHandlerCalls = min(poolHandlerCalls, poolHandlerTurn)
        }
        if let (cpu, after) = coldWakeFit { c.coldWakeCPU = cpu; c.coldWakeAfter = after }
        if let readyRecv { c.readyRecv = readyRecv }
        for (name, wake) in timerWake ?? [:] {
            if let waker = TimerWaker(rawValue: name) { c.timerWakeCPU[waker] = wake }
        }
        // The harness hashes a `c_releases_gil` step in chunks, taking the GIL back after each; a scenario that
        // says its calls' length keeps it (the harness then hashes chunks of that length).
        if c.gilReleaseCall == nil, let call = gilReleaseCall(.hashlib) { c.gilReleaseCall = call }
        if let resolverJob { c.resolverJob = resolverJob }
        if let syscall, let connectCall, let ioOverhead {
            // urlopen's system calls timed one by one: the model releases the GIL around each of them.
            c.syscall = syscall
            c.connectionSetup = connectCall
            c.ioOverhead = ioOverhead
            if let ioOverheadReuse { c.ioOverheadReuse = ioOverheadReuse }
            c.connectionCPU = .zero  // in the measured urlopen CPU already
        } else {
            // A profile from before these were measured.
            c.connectionSetup = max(connectWall, urlopenWall - urlopenCPU)
            c.connectionCPU = connectCPU
        }
        return c
    }

    func apply(to step: Step, client: StrategyKindName? = nil) -> Step {
        step.mappingIO { call in
            var io = call
            if let syscall {
                // The thread's CPU of a whole call, less the system calls the model runs on their own.
                // connect() mostly waits (its wall time is the model's connect wait); its CPU is small.
                let calls = io.connection == .new ? syscall * 4 : syscall
                let whole = clientCPU(client) ?? (io.connection == .new ? urlopenCPU : aiohttpCPU)
                io.cpu = .constant(max(.microseconds(1), whole - calls))
            } else {
                io.cpu = .constant(io.connection == .new ? max(.microseconds(1), urlopenCPU - connectCPU) : aiohttpCPU)
            }
            return io
        }
    }

    // MARK: - Sizing the harness's work

    /// Loop iterations of `burn_python` that take `duration`.
    public func pythonIterations(for duration: SimTime) -> Int64 {
        Int64(pythonLoop.amount(for: Double(duration.nanoseconds)).rounded())
    }

    /// The exponent n for which `7777 ** n` takes `duration` (0 for no time).
    public func powerExponent(for duration: SimTime) -> Int64 {
        guard duration.nanoseconds > 0 else { return 0 }
        return max(1, Int64(bigPower.amount(for: Double(duration.nanoseconds)).rounded()))
    }

    /// Bytes for `burn_sha` to take `duration`: at least 2048 (below that hashlib keeps the GIL), 0 for none.
    public func shaBytes(for duration: SimTime) -> Int64 {
        guard duration.nanoseconds > 0 else { return 0 }
        return max(2048, Int64(sha256.amount(for: Double(duration.nanoseconds)).rounded()))
    }

    /// One call of the harness's GIL-releasing kernel, as this machine runs it (`Costs.gilReleaseCall`): sha256's
    /// `update` of one `shaChunk`, one `numpy.sin` over `numpyChunk` elements, or zero for numba's kernel,
    /// which releases the GIL for the whole step. Nil where the profile has not measured the kernel.
    public func gilReleaseCall(_ source: ReleaseSource) -> SimTime? {
        let (cost, units): (LinearCost?, Int?)
        switch source {
        case .hashlib: (cost, units) = (sha256, shaChunk)
        case .numpy: (cost, units) = (numpySin, numpyChunk)
        case .numba: return .zero
        }
        guard let cost, let units, units > 0 else { return nil }
        let nanoseconds = cost.nanoseconds(for: Double(units))
        return nanoseconds >= 1 ? .nanoseconds(Int64(nanoseconds.rounded())) : nil
    }

    /// The amount of a GIL-releasing kernel that takes `duration` (0 for none), nil when the profile has not
    /// measured that kernel: sha256 bytes, numpy.sin elements (at least 501, below which a ufunc loop keeps
    /// the GIL: NPY_BEGIN_THREADS_THRESHOLDED in numpy's ndarraytypes.h), numba iterations.
    public func releasingAmount(_ source: ReleaseSource, for duration: SimTime) -> Int64? {
        let cost: LinearCost?, least: Int64
        switch source {
        case .hashlib: return shaBytes(for: duration)
        case .numpy: (cost, least) = (numpySin, 501)
        case .numba: (cost, least) = (numbaLoop, 1)
        }
        guard let cost else { return nil }
        guard duration.nanoseconds > 0 else { return 0 }
        return max(least, Int64(cost.amount(for: Double(duration.nanoseconds)).rounded()))
    }
}

/// Where the harness's GIL-releasing CPU work (`c_releases_gil`) comes from: hashlib.sha256 (the default),
/// NumPy's `numpy.sin` in chunks, or a numba `@njit(nogil=True)` kernel. Each releases the GIL while it
/// computes; which one runs is a choice of the measurement, the model's step is the same.
public enum ReleaseSource: String, Sendable, Codable, CaseIterable {
    case hashlib, numpy, numba

    /// The harness's operation code for this source's work (harness.py, `cpu_call`).
    public var operationCode: String {
        switch self {
        case .hashlib: return "sha"
        case .numpy: return "np"
        case .numba: return "nb"
        }
    }
}

/// A runtime's own thread round trip as multiples of asyncio's `run_in_executor`, timed one after the other
/// (calibrate.py `thread_trip_ratios`, jobs that sleep 1 ms): the same steps (hand the call to a waiting worker,
/// wake the loop with the result, resume the task) in another library's code (trio/_core/_thread_cache.py,
/// curio/workers.py).
public struct ThreadTripScale: Sendable, Codable, Equatable {
    /// The loop thread's CPU per trip over asyncio's.
    public var loop: Double
    /// The worker's CPU per trip outside the job over asyncio's.
    public var worker: Double

    public init(loop: Double, worker: Double) {
        self.loop = loop
        self.worker = worker
    }

    /// The multiples taken for measurements: a trip costs something, and no library's differs a hundredfold.
    public static let range = 0.01...100.0
}

/// The other runtimes' costs measured by calibrate.py (each nil when that probe did not run), for the model
/// of each runtime to use in place of its defaults.
public struct RuntimeCosts: Sendable, Codable, Equatable {
    /// One trip round uvloop's loop (`await asyncio.sleep(0)`), against asyncio's `loopIteration`.
    public var uvloopLoopIteration: SimTime?
    /// One aiohttp request on a reused connection on uvloop: the process's CPU (the loop included).
    public var uvloopAiohttpCPU: SimTime?
    /// One `trio.lowlevel.checkpoint()` of a lone task: a pass of trio's scheduler.
    public var trioCheckpoint: SimTime?
    /// `trio.to_thread.run_sync(noop)` round trip.
    public var trioToThread: SimTime?
    /// One `await curio.sleep(0)`: a trip through curio's kernel.
    public var curioSwitch: SimTime?
    /// `curio.run_in_thread(noop)` round trip.
    public var curioRunInThread: SimTime?
    /// The process CPU of one Tornado AsyncHTTPClient fetch (a new connection each).
    public var tornadoFetchCPU: SimTime?
    /// The process CPU of one Twisted Agent request and readBody (a new connection each).
    public var twistedRequestCPU: SimTime?
    /// `deferToThread(noop)` round trip through the reactor's pool.
    public var twistedDeferToThread: SimTime?
    /// An eventlet green-thread switch through its hub, and spawn + run + wait of one.
    public var eventletSwitch: SimTime?
    public var eventletSpawn: SimTime?
    /// One explicit greenlet switch (a tasklet's `schedule()`).
    public var taskletSwitch: SimTime?

    /// calibrate.py's keys, each with the field it fills.
    static var keys: [(String, WritableKeyPath<RuntimeCosts, SimTime?>)] { [
        ("uvloop_loop_iteration_ns", \.uvloopLoopIteration), ("uvloop_aiohttp_cpu_ns", \.uvloopAiohttpCPU),
        ("trio_checkpoint_ns", \.trioCheckpoint), ("trio_to_thread_ns", \.trioToThread),
        ("curio_switch_ns", \.curioSwitch), ("curio_run_in_thread_ns", \.curioRunInThread),
        ("tornado_fetch_cpu_ns", \.tornadoFetchCPU), ("twisted_request_cpu_ns", \.twistedRequestCPU),
        ("twisted_defer_to_thread_ns", \.twistedDeferToThread), ("eventlet_switch_ns", \.eventletSwitch),
        ("eventlet_spawn_ns", \.eventletSpawn), ("tasklet_switch_ns", \.taskletSwitch),
    ] }

    public init() {}

    /// From calibrate.py's raw JSON; nil when it measured none of them.
    init?(_ raw: [String: Any]) {
        var found = false
        for (key, path) in Self.keys {
            guard let value = raw[key] as? NSNumber else { continue }
            self[keyPath: path] = SimTime(nanoseconds: Int64(value.doubleValue.rounded()))
            found = true
        }
        if !found { return nil }
    }
}
