import Foundation
import SimEngine

/// A workload, a machine and a Python runtime, and the strategies to compare: a scenario file after
/// parsing, validation and defaults (see `Defaults.swift` for every default value in one place).
public struct Scenario: Sendable, Equatable {
    public var name: String
    public var description: String
    /// Seed of every random draw (durations drawn from distributions, the OS choice of GIL waiter).
    public var seed: UInt64
    public var machine: Machine
    public var python: PythonRuntime
    public var costs: Costs
    public var tasks: [TaskGroup]
    public var strategies: [Strategy]
    /// Where the scenario was read from, for messages; nil when built in code.
    public var sourcePath: String?
    /// Published or measured figures to compare the simulation with (e.g. the seed article's timings).
    public var reference: Reference?

    public init(
        name: String, description: String = "", seed: UInt64 = Defaults.seed,
        machine: Machine = Machine(), python: PythonRuntime = PythonRuntime(), costs: Costs = Costs(),
        tasks: [TaskGroup], strategies: [Strategy] = Defaults.strategies, sourcePath: String? = nil,
        reference: Reference? = nil
    ) {
        self.name = name
        self.description = description
        self.seed = seed
        self.machine = machine
        self.python = python
        self.costs = costs
        self.tasks = tasks
        self.strategies = strategies
        self.sourcePath = sourcePath
        self.reference = reference
    }

    /// The machine, runtime and costs in force for one strategy, after its overrides.
    public func settings(for strategy: Strategy) -> (machine: Machine, python: PythonRuntime, costs: Costs) {
        (strategy.machine ?? machine, strategy.python ?? python, strategy.costs ?? costs)
    }

    /// The number of foreground task instances (background groups excluded).
    public var foregroundTaskCount: Int { tasks.filter { !$0.background }.reduce(0) { $0 + $1.count } }
}

/// The hardware and operating system.
public struct Machine: Sendable, Equatable {
    /// Number of CPU cores that run threads in parallel.
    public var cores: Int
    public var scheduler: SchedulerPolicy
    /// Cost of switching a core from one thread to another (charged to the incoming thread).
    public var contextSwitch: SimTime
    /// Delay between a thread being made runnable (futex wake, I/O completion) and it running on a free core.
    public var wakeLatency: SimTime
    /// Spread of each wake-up latency: wakeLatency x (1 - jitter + jitter x E), E exponential of mean 1
    /// (0: always wakeLatency; 1: exponential). Real wake-ups vary; without it, threads woken at equal times
    /// stay in lock-step forever.
    public var wakeJitter: Double
    /// Per CPU kind, the speed of each busy core when every core is busy, as a fraction of one core's speed
    /// alone (1: cores are independent). Cores share execution units, caches, memory bandwidth and power.
    public var parallelEfficiency: [CPUKind: Double]
    /// Per CPU kind, with every core busy, the fastest busy core's speed over the slowest's (1: one speed).
    /// The cores' speeds are spread evenly between the two around a mean of 1, which `parallelEfficiency`
    /// then scales: on this VM two processes released together run 1.0-1.6x apart (docs/model.md, "Two busy
    /// cores, two speeds").
    public var coreSpeedSpread: [CPUKind: Double]
    /// The share of GIL drops, noticed within `checkLatency` of the drop request, whose condvar signal the
    /// thread that set the request takes before it sleeps, instead of the oldest sleeper (glibc's race between
    /// releasing the mutex and blocking in the futex; a property of the OS and CPU timing).
    public var requesterTakesSignal: Double
    /// How late a timed wait's timer fires after its deadline on a quiet core (the thread's timer slack): each
    /// take_gil timeout comes this much after its switch interval.
    public var timerSlack: SimTime
    /// How much later still a thread whose timed wait expired is back, beyond `timerSlack`, `wakeLatency` and
    /// `contextSwitch`, by the wait's length: its vCPU halted while it slept and is woken through the host.
    /// Points of [wait, delay], linear between them from zero at zero, level after the last (`rise(after:)`).
    public var timeoutIdleWake: [IdleRisePoint]
    /// Each busy core's speed, with every core busy, for a spawn or forkserver child's start-up (spawn's new
    /// interpreter from exec, and both start methods' run of the main script again, its imports: the child's
    /// share of `costs.process_start`), as a fraction of its speed alone. Not bytecode's `parallelEfficiency`:
    /// a start-up faults in pages and reads files, and slows more when both cores work (docs/model.md, "A
    /// spawned child's start-up beside another"). A spawned child's runs at it whenever every core is busy; a
    /// forkserver child's only as `Defaults.startCrowd` start-ups at once do, less with fewer (docs/model.md,
    /// "A forkserver child's start-up beside others"). nil: as bytecode, `parallelEfficiency[.python]`.
    public var startEfficiency: Double?

    public init(
        cores: Int = Defaults.cores, scheduler: SchedulerPolicy = Defaults.scheduler,
        contextSwitch: SimTime = Defaults.contextSwitch, wakeLatency: SimTime = Defaults.wakeLatency,
        wakeJitter: Double = Defaults.wakeJitter, parallelEfficiency: [CPUKind: Double] = Defaults.parallelEfficiency,
        requesterTakesSignal: Double = Defaults.requesterTakesSignal,
        coreSpeedSpread: [CPUKind: Double] = Defaults.coreSpeedSpread, timerSlack: SimTime = Defaults.timerSlack,
        timeoutIdleWake: [IdleRisePoint] = Defaults.timeoutIdleWake, startEfficiency: Double? = Defaults.startEfficiency
    ) {
        self.startEfficiency = startEfficiency
        self.timeoutIdleWake = timeoutIdleWake
        self.timerSlack = timerSlack
        self.requesterTakesSignal = requesterTakesSignal
        self.coreSpeedSpread = coreSpeedSpread
        self.wakeJitter = wakeJitter
        self.parallelEfficiency = parallelEfficiency
        self.cores = cores
        self.scheduler = scheduler
        self.contextSwitch = contextSwitch
        self.wakeLatency = wakeLatency
    }
}

/// How the OS shares cores among runnable threads.
public enum SchedulerPolicy: Sendable, Equatable {
    /// The seed article's model: FIFO run queue, a thread runs until it blocks or its slice ends.
    case roundRobin(timeslice: SimTime)
    /// Fair scheduling in the manner of EEVDF (Linux): a run queue per core, slice = baseSlice * (1 +
    /// log2(min(cores, 8))), least virtual runtime first; a woken thread placed by its lag preempts its core's
    /// thread if it is eligible and that thread is not or has used its slice; a new thread does not preempt.
    /// With a `tick` (zero: none), a used-up slice ends only at the core's next tick: the kernel checks the
    /// running task's slice from its tick (`task_tick_fair` → `update_curr` → `update_deadline`,
    /// kernel/sched/fair.c; HRTICK, which would end it on time, is off by default in kernel/sched/features.h).
    case linux(baseSlice: SimTime, tick: SimTime = .zero)

    /// The slice a thread gets on a core before it may be preempted, on a machine with `cores` cores.
    public func effectiveSlice(cores: Int) -> SimTime {
        switch self {
        case .roundRobin(let slice): return slice
        case .linux(let base, _):
            // kernel/sched/fair.c: sysctl_sched_base_slice scaled by get_update_sysctl_factor(),
            // 1 + ilog2(min(ncpus, 8)) under the default SCHED_TUNABLESCALING_LOG.
            var factor: Int64 = 1
            var n = min(max(cores, 1), 8)
            while n > 1 { n >>= 1; factor += 1 }
            return base * factor
        }
    }

    /// The scheduler tick, zero for none (slices then end exactly).
    public var tick: SimTime {
        if case .linux(_, let tick) = self { return tick }
        return .zero
    }

    /// How long a thread that keeps its core runs between two chances for a waiting thread to take it: the
    /// slice, rounded up to whole ticks (on a 250 Hz kernel, a 1.5 ms slice lasts 4 ms).
    public func slicePeriod(cores: Int) -> SimTime {
        let slice = effectiveSlice(cores: cores)
        let tick = self.tick
        guard tick > .zero else { return slice }
        return tick * ((slice.nanoseconds + tick.nanoseconds - 1) / tick.nanoseconds)
    }
}

/// The CPython runtime's settings.
public struct PythonRuntime: Sendable, Equatable {
    /// The CPython version (`PythonVersion`): its defaults for `gil`, `free_threading_overhead` and the
    /// start method, and the GIL's behaviour where versions differ.
    public var version: PythonVersion
    /// `sys.setswitchinterval`: how long a GIL waiter waits before it asks the holder to drop.
    public var switchInterval: SimTime
    /// false models the free-threaded build (PEP 703, python3.13t): no GIL at all.
    public var gil: Bool
    /// Extra single-thread cost of free-threaded Python, as a fraction of CPU time (0.08 = 8% slower).
    public var freeThreadingOverhead: Double
    /// How long `python` bytecode runs before its next eval-breaker check notices a drop request.
    public var checkLatency: SimTime

    public init(
        version: PythonVersion = Defaults.pythonVersion, switchInterval: SimTime = Defaults.switchInterval, gil: Bool = true,
        freeThreadingOverhead: Double = Defaults.freeThreadingOverhead, checkLatency: SimTime = Defaults.checkLatency
    ) {
        self.version = version
        self.switchInterval = switchInterval
        self.gil = gil
        self.freeThreadingOverhead = freeThreadingOverhead
        self.checkLatency = checkLatency
    }
}

/// Start methods of `multiprocessing`.
public enum StartMethod: String, Sendable, Equatable, CaseIterable, Codable {
    case fork, forkserver, spawn

    /// The start of its `Process` class's name (`ForkProcess`, `ForkServerProcess`, `SpawnProcess` in
    /// Lib/multiprocessing/context.py), which a `Pool` turns into its workers' names
    /// (`w.name.replace('Process', 'PoolWorker')` in Lib/multiprocessing/pool.py: `SpawnPoolWorker-1`).
    public var processClassPrefix: String {
        switch self {
        case .fork: return "Fork"
        case .forkserver: return "ForkServer"
        case .spawn: return "Spawn"
        }
    }
}

/// Who wakes when a sleep's timer expires, for `Costs.timerWakeCPU`: a thread in `time.sleep` (eventlet's hub
/// waits for its timers so), or the loop or hub that sleeps in its poll until its next timer (asyncio's, trio's,
/// curio's, gevent's).
public enum TimerWaker: String, Sendable, Equatable, CaseIterable, Codable {
    case threads, asyncio, trio, curio, gevent
}

/// Fixed costs of the runtime and libraries, all charged as CPU time of the thread that pays them.
public struct Costs: Sendable, Equatable {
    /// `Thread.start()` + `join()` bookkeeping, paid by the starting thread.
    public var threadStart: SimTime
    /// Process start per start method, until the child runs its target.
    public var processStart: [StartMethod: SimTime]
    /// Pickling and sending a task's arguments to a `Process` child, and its result back (a process Pool's
    /// workers pay `poolTaskCPU` instead).
    public var pickle: SimTime
    /// One greenlet switch through the gevent hub.
    public var greenletSwitch: SimTime
    /// Spawning one greenlet.
    public var greenletSpawn: SimTime
    /// One `_run_once` iteration of the asyncio loop (poll bookkeeping, not counting callbacks).
    public var loopIteration: SimTime
    /// Creating and first scheduling an asyncio task.
    public var taskCreate: SimTime
    /// Handing a call to the executor and its result back through `call_soon_threadsafe` (loop side).
    public var executorHandoff: SimTime
    /// A `ThreadPoolExecutor` worker's Python from its job's end until the result is handed to the loop
    /// (`future.set_result`, `call_soon_threadsafe` and its self-pipe write).
    public var executorResultCPU: SimTime
    /// The same worker's Python from there to a next job already queued: the idle semaphore, the queue's get,
    /// `set_running_or_notify_cancel`.
    public var executorWorkerCPU: SimTime
    /// What the worker's way to its next job costs more when its queue is empty: the sleep in the queue's get
    /// and the wake-up (system time, the GIL released).
    public var executorWakeCPU: SimTime
    /// trio's `to_thread.run_sync` worker's own CPU per job (its thread cache's `_handle_job` around the job,
    /// `deliver`'s `run_sync_soon`, the wake-up from its lock), as a multiple of the three above; curio's
    /// `run_in_thread` worker's (`run_callable`'s `set_result` and its callback's `wake`, the way back from
    /// `done_evt.wait()`, the wake-up from `start_evt`) likewise.
    public var trioThreadWorker: Double
    public var curioThreadWorker: Double
    /// `connect()` of an I/O step that opens a new connection: a wait with the GIL released.
    public var connectionSetup: SimTime
    /// Python-side CPU cost of opening a new connection, on top of the call's cost.
    public var connectionCPU: SimTime
    /// One short system call of an I/O call that releases the GIL without sleeping (getaddrinfo, socket,
    /// send, close): a window in which a woken GIL waiter can take the GIL from the caller.
    public var syscall: SimTime
    /// recv() when the answer is already queued (the caller came back late, after the answer arrived): it copies
    /// and returns without sleeping, a shorter window than `syscall` for a woken GIL waiter.
    public var readyRecv: SimTime
    /// How long one call of C code that releases the GIL runs before it returns and takes the GIL back
    /// (hashlib's `update` of one chunk, one NumPy ufunc call): a `c_releases_gil` step longer than this is a
    /// run of such calls, and between two of them the thread needs the GIL for a moment, as the harness's
    /// chunked `burn_sha` does. Zero: the whole step is one call (a numba `nogil` kernel). Nil: unsaid, the
    /// harness's hashlib chunk (a machine profile's, or `Defaults.gilReleaseCall`); see `releaseCall`.
    public var gilReleaseCall: SimTime?
    /// The worker thread's CPU for one getaddrinfo in gevent's hub thread pool (gevent.resolver.thread), the
    /// lookup's own `syscall` aside; the hub's side of the hand-off is in the call's CPU.
    public var resolverJob: SimTime
    /// Wall time every I/O wait takes beyond its latency (the server's and the network stack's own work).
    public var ioOverhead: SimTime
    /// The same for a call on a kept-alive connection; nil: `ioOverhead`. A new connection's request is read
    /// by a server thread that has just been started for it, a kept-alive one's by a thread already waiting
    /// in recv, so its wait is shorter (`ioOverhead(reusing:)`).
    public var ioOverheadReuse: SimTime?
    /// The parent's serial share of `Process.start()` per start method (fork() copying its page tables;
    /// spawn's fork and exec; forkserver's request), paid before each child starts, on top of `pickle`.
    public var processSpawn: [StartMethod: SimTime]
    /// CPU a child process's first blocking I/O call (urlopen) costs beyond the same call made again, per start
    /// method: a new process builds urllib's opener and resolver state on its first call, and a forked child
    /// of a parent that never called also copies (copy-on-write) every page that work writes. Paid once per
    /// child (a pool's worker: once, on its first task's first call). Zero unless a machine profile measures it.
    public var processFirstCall: [StartMethod: SimTime]
    /// What a program's first `Process.start()` of a start method costs beyond its later ones, paid by the parent
    /// before its first child: forkserver's first start starts the server, a new interpreter, and waits until it
    /// accepts the request (`ForkServer.ensure_running`, Lib/multiprocessing/forkserver.py). Zero unless a
    /// machine profile measures it.
    public var processFirstStart: [StartMethod: SimTime]
    /// What a program's first `Pool()` of a start method costs beyond its later ones, paid by the parent before
    /// its first worker, instead of `processFirstStart`: `BaseContext.Pool` imports multiprocessing.pool (with
    /// .connection and .util, Lib/multiprocessing/context.py), which a later Pool finds done, beside what a first
    /// `Process.start()` costs (forkserver's server). Zero unless a machine profile measures it.
    public var poolFirstStart: [StartMethod: SimTime]
    /// What a `Pool()` worker's start costs beyond a `Process` child's, in the worker before its first task: a
    /// spawn or forkserver worker imports multiprocessing.pool as it unpickles its target (`worker`,
    /// Lib/multiprocessing/pool.py), which a fork worker inherits from its parent. Zero unless a machine profile
    /// measures it.
    public var poolWorkerStart: [StartMethod: SimTime]
    /// The part of `processStart` that is the child's exit, after its target ran, until `join()` returns: a spawn
    /// child leaves by `sys.exit` and finalizes its interpreter (Lib/multiprocessing/spawn.py `spawn_main`); fork
    /// and forkserver children by `os._exit`. A pool's workers exit when the pool is closed, after the results a
    /// program waits for, so a pool worker's start leaves it out. Zero unless a machine profile measures it.
    public var processExit: [StartMethod: SimTime]
    /// The CPU a wake-up from a sleep's timer costs the thread it wakes, beyond what the model charges
    /// already (a loop's pass, `loop_iteration`; the cold wake-up of a long idle): the timer's expiry on a halted
    /// vCPU, the return from the kernel's wait, and the pass that finds the timer and resumes the sleeper. A loop
    /// or hub pays it once a wake-up by a timer, however many sleepers that timer's pass resumes, as Python. Per
    /// `TimerWaker`; `threads` (a thread's `time.sleep`) is what eventlet's hub pays, whose poll is a time.sleep:
    /// a thread sleeping on its own is not charged (`ModelTraits.timerWake`).
    public var timerWakeCPU: [TimerWaker: SimTime]
    /// Wall time an I/O wait of at least `ioIdleAfter` takes beyond `ioOverhead`: long enough a wait lets
    /// the cores go idle, and waking an idle virtual CPU costs more than waking a busy one. A step; when
    /// `ioIdleRise` has points, that rise is used instead (`ioIdle(latency:)`).
    public var ioIdleOverhead: SimTime
    public var ioIdleAfter: SimTime
    /// The same wake-up cost as it rises with the wait: points (latency, wall beyond `ioOverhead`), latencies
    /// increasing; linear between points, from zero at latency zero, level after the last. Empty: the step.
    /// A machine profile sets it from `calibrate.py`'s `wait_costs` (`MachineProfile.idleRise`).
    public var ioIdleRise: [IdleRisePoint]
    /// The CPU a server on this machine spends between two answers, on a new connection and on a reused
    /// one: a local server answers one request at a time (one GIL), so answers due together leave this far
    /// apart. Zero for a remote server; a machine profile sets it for the real runs' latency server.
    public var serverAnswerNew: SimTime
    public var serverAnswerReuse: SimTime
    /// Client CPU an I/O call that opens a connection costs beyond its own when it starts while another
    /// call is in flight: urlopen calls that overlap cost more than the same calls one after another
    /// (measured here: ~1.5x with 20 threads at once). Zero unless a machine profile measures it.
    public var connectionOverlapCPU: SimTime
    /// Client CPU an I/O call costs beyond its own when it comes right after a CPU step of its task: the step
    /// (a bignum power, a hash over megabytes) evicted the caches the HTTP client's code and data were in.
    /// Zero unless a machine profile measures it (docs/model.md, "A request after CPU steps").
    public var coldRequestCPU: SimTime
    /// Client CPU a task with a kept-alive connection spends closing its client at its end, beyond the
    /// `close()` system call the model runs there: aiohttp's `ClientSession.close()` (its connector, the
    /// connection's transport), which the harness's asyncio task awaits after its last step. Zero unless a
    /// machine profile measures it (docs/model.md, "An aiohttp session is closed at its task's end").
    public var sessionCloseCPU: SimTime
    /// The client CPU of a connection from its opening to its close (`connection_cpu` and `session_close_cpu`):
    /// what the estimates count for each call that asks for a new one.
    public var connectionLifeCPU: SimTime { connectionCPU + sessionCloseCPU }
    /// CPU the program's first blocking I/O call in its main process costs beyond the same call made again: the
    /// first urlopen builds urllib's opener and loads the resolver's state, and under gevent it first creates
    /// the hub's resolver, importing `gevent.resolver.thread` and starting its thread pool (`Hub.resolver`,
    /// gevent/hub.py). Paid once per program, by whichever thread makes the first call that opens a connection;
    /// a child process pays `processFirstCall` instead. Zero unless a machine profile measures it.
    public var programFirstCall: SimTime
    /// Short GIL-releasing system calls the program's first call makes beyond the same call made again, each of
    /// `syscall` length, with `programFirstCall`'s CPU between them, before its `getaddrinfo` releases the GIL:
    /// `socket.getaddrinfo` encodes a host name with the "idna" codec (Modules/socketmodule.c,
    /// `socket_getaddrinfo`), so a program's first lookup imports `encodings.idna`, `stringprep` and
    /// `unicodedata`, and every `stat`, `open`, `read` and `close` of that import releases the GIL
    /// (Modules/posixmodule.c, Modules/_io/fileio.c). Beside a thread that wants the GIL, each release can lose
    /// it for a switch interval. A machine profile gives as many as lose as many races as `simulate calibrate`
    /// measures (docs/model.md, "The first call's import"); zero otherwise.
    public var programFirstCallReleases: Int
    /// Where an I/O call's Python-side CPU runs between its GIL-releasing calls (`IOCallShape`): by default half
    /// before the send, half after the answer; a machine profile sets the shape measured by `simulate calibrate`.
    public var ioCallShape: IOCallShape
    /// CPU a thread's first work after a long wait costs beyond the same work after a short one: an idle
    /// virtual CPU halts, and the longer it idled the longer its wake-up in the kernel and the colder the
    /// caches its next Python finds. After a wait of w it is `coldWakeCPU × (1 − exp(−(w / coldWakeAfter)²))`
    /// (`coldWake(after:)`): nothing for short waits, all of it for waits well beyond `coldWakeAfter`. Zero
    /// unless a machine profile measures it (`simulate calibrate`).
    public var coldWakeCPU: SimTime
    public var coldWakeAfter: SimTime
    /// One pass of uvloop's loop (libuv's poll and the ready callbacks' bookkeeping, in C), as `loopIteration`.
    public var uvloopLoopIteration: SimTime
    /// One pass of trio's scheduler (`unrolled_run`: poll I/O, then run the batch), as `loopIteration`.
    public var trioLoopIteration: SimTime
    /// One pass of curio's kernel loop (`Kernel.run`: select, then the ready tasks and their traps).
    public var curioLoopIteration: SimTime
    /// One iteration of Twisted's reactor (`runUntilCurrent` and `doIteration`).
    public var twistedLoopIteration: SimTime
    /// What Tornado adds to each resumed coroutine: its `IOLoop.add_callback` and future plumbing on top of
    /// the asyncio loop it runs on.
    public var tornadoCallback: SimTime
    /// One eventlet green-thread switch through its hub, and spawning one green thread.
    public var eventletSwitch: SimTime
    public var eventletSpawn: SimTime
    /// One explicit switch between tasklets (greenlet.switch, no hub), and creating one tasklet.
    public var taskletSwitch: SimTime
    public var taskletSpawn: SimTime
    /// Starting one worker's interpreter (`_interpreters.create()` and its init script), paid by the worker
    /// thread under its own new GIL.
    public var interpreterStart: SimTime
    /// Passing a task's call into a worker interpreter (`pickle.loads` of `(fn, args, kwargs)`), and its
    /// result back: paid by the worker before and after each task.
    public var interpreterHandoff: SimTime
    /// A `multiprocessing.Pool` worker's own CPU per task outside it: the task's `get` and unpickling, the
    /// result's pickling and its `put` on the result pipe, which it writes holding the pipe's lock
    /// (`SimpleQueue.put`, Lib/multiprocessing/queues.py). Half before the task, half after.
    public var poolTaskCPU: SimTime
    /// The parent's CPU per result of a process pool: its result handler thread reads and unpickles the
    /// result and sets it (`Pool._handle_results`, Lib/multiprocessing/pool.py), and the thread that waits
    /// for it wakes.
    public var poolResultCPU: SimTime
    /// One turn of the parent's worker handler thread (`Pool._handle_workers`): `_maintain_pool`, then
    /// `wait()` on the workers' sentinels and the result pipe's reader. While a result waits unread in the
    /// pipe, `wait()` returns at once and the thread goes round again, Python with the parent's GIL.
    public var poolHandlerTurn: SimTime
    /// The part of such a turn in system calls (a `waitpid` per worker, a `poll`), the GIL released.
    public var poolHandlerCalls: SimTime

    public init(
        threadStart: SimTime = Defaults.threadStart, processStart: [StartMethod: SimTime] = Defaults.processStart,
        pickle: SimTime = Defaults.pickle, greenletSwitch: SimTime = Defaults.greenletSwitch,
        greenletSpawn: SimTime = Defaults.greenletSpawn, loopIteration: SimTime = Defaults.loopIteration,
        taskCreate: SimTime = Defaults.taskCreate, executorHandoff: SimTime = Defaults.executorHandoff,
        connectionSetup: SimTime = Defaults.connectionSetup, connectionCPU: SimTime = Defaults.connectionCPU,
        syscall: SimTime = Defaults.syscall, readyRecv: SimTime = Defaults.readyRecv, gilReleaseCall: SimTime? = nil, resolverJob: SimTime = Defaults.resolverJob,
        ioOverhead: SimTime = Defaults.ioOverhead, ioOverheadReuse: SimTime? = Defaults.ioOverheadReuse,
        processSpawn: [StartMethod: SimTime] = Defaults.processSpawn,
        processFirstCall: [StartMethod: SimTime] = Defaults.processFirstCall,
        processFirstStart: [StartMethod: SimTime] = Defaults.processFirstStart,
        poolFirstStart: [StartMethod: SimTime] = Defaults.poolFirstStart,
        poolWorkerStart: [StartMethod: SimTime] = Defaults.poolWorkerStart,
        processExit: [StartMethod: SimTime] = Defaults.processExit,
        timerWakeCPU: [TimerWaker: SimTime] = Defaults.timerWakeCPU, ioIdleOverhead: SimTime = Defaults.ioIdleOverhead,
        ioIdleAfter: SimTime = Defaults.ioIdleAfter, ioIdleRise: [IdleRisePoint] = Defaults.ioIdleRise,
        serverAnswerNew: SimTime = Defaults.serverAnswerNew,
        serverAnswerReuse: SimTime = Defaults.serverAnswerReuse, connectionOverlapCPU: SimTime = Defaults.connectionOverlapCPU,
        coldRequestCPU: SimTime = Defaults.coldRequestCPU, sessionCloseCPU: SimTime = Defaults.sessionCloseCPU,
        programFirstCall: SimTime = Defaults.programFirstCall,
        programFirstCallReleases: Int = Defaults.programFirstCallReleases,
        ioCallShape: IOCallShape = Defaults.ioCallShape,
        coldWakeCPU: SimTime = Defaults.coldWakeCPU, coldWakeAfter: SimTime = Defaults.coldWakeAfter,
        uvloopLoopIteration: SimTime = Defaults.uvloopLoopIteration,
        trioLoopIteration: SimTime = Defaults.trioLoopIteration, curioLoopIteration: SimTime = Defaults.curioLoopIteration,
        twistedLoopIteration: SimTime = Defaults.twistedLoopIteration, tornadoCallback: SimTime = Defaults.tornadoCallback,
        eventletSwitch: SimTime = Defaults.eventletSwitch, eventletSpawn: SimTime = Defaults.eventletSpawn,
        taskletSwitch: SimTime = Defaults.taskletSwitch, taskletSpawn: SimTime = Defaults.taskletSpawn,
        interpreterStart: SimTime = Defaults.interpreterStart, interpreterHandoff: SimTime = Defaults.interpreterHandoff,
        executorResultCPU: SimTime = Defaults.executorResultCPU, executorWorkerCPU: SimTime = Defaults.executorWorkerCPU,
        executorWakeCPU: SimTime = Defaults.executorWakeCPU,
        trioThreadWorker: Double = Defaults.trioThreadWorker, curioThreadWorker: Double = Defaults.curioThreadWorker,
        poolTaskCPU: SimTime = Defaults.poolTaskCPU, poolResultCPU: SimTime = Defaults.poolResultCPU,
        poolHandlerTurn: SimTime = Defaults.poolHandlerTurn, poolHandlerCalls: SimTime = Defaults.poolHandlerCalls
    ) {
        self.poolTaskCPU = poolTaskCPU
        self.poolResultCPU = poolResultCPU
        self.poolHandlerTurn = poolHandlerTurn
        self.poolHandlerCalls = poolHandlerCalls
        self.interpreterStart = interpreterStart
        self.interpreterHandoff = interpreterHandoff
        self.serverAnswerNew = serverAnswerNew
        self.serverAnswerReuse = serverAnswerReuse
        self.connectionOverlapCPU = connectionOverlapCPU
        self.coldRequestCPU = coldRequestCPU
        self.sessionCloseCPU = sessionCloseCPU
        self.programFirstCall = programFirstCall
        self.programFirstCallReleases = programFirstCallReleases
        self.ioCallShape = ioCallShape
        self.coldWakeCPU = coldWakeCPU
        self.coldWakeAfter = coldWakeAfter
        self.uvloopLoopIteration = uvloopLoopIteration
        self.trioLoopIteration = trioLoopIteration
        self.curioLoopIteration = curioLoopIteration
        self.twistedLoopIteration = twistedLoopIteration
        self.tornadoCallback = tornadoCallback
        self.eventletSwitch = eventletSwitch
        self.eventletSpawn = eventletSpawn
        self.taskletSwitch = taskletSwitch
        self.taskletSpawn = taskletSpawn
        self.processSpawn = processSpawn
        self.processFirstCall = processFirstCall
        self.processFirstStart = processFirstStart
        self.poolFirstStart = poolFirstStart
        self.poolWorkerStart = poolWorkerStart
        self.processExit = processExit
        self.timerWakeCPU = timerWakeCPU
        self.ioIdleOverhead = ioIdleOverhead
        self.ioIdleAfter = ioIdleAfter
        self.ioIdleRise = ioIdleRise
        self.syscall = syscall
        self.readyRecv = readyRecv
        self.gilReleaseCall = gilReleaseCall
        self.resolverJob = resolverJob
        self.ioOverhead = ioOverhead
        self.ioOverheadReuse = ioOverheadReuse
        self.threadStart = threadStart
        self.processStart = processStart
        self.pickle = pickle
        self.greenletSwitch = greenletSwitch
        self.greenletSpawn = greenletSpawn
        self.loopIteration = loopIteration
        self.taskCreate = taskCreate
        self.executorHandoff = executorHandoff
        self.executorResultCPU = executorResultCPU
        self.executorWorkerCPU = executorWorkerCPU
        self.executorWakeCPU = executorWakeCPU
        self.trioThreadWorker = trioThreadWorker
        self.curioThreadWorker = curioThreadWorker
        self.connectionSetup = connectionSetup
        self.connectionCPU = connectionCPU
    }
}

/// One point of a rise with the length of a wait (`Costs.ioIdleRise`, `Machine.timeoutIdleWake`): a wait of
/// `latency` takes `overhead` longer than its length.
public struct IdleRisePoint: Sendable, Equatable {
    public var latency: SimTime
    public var overhead: SimTime
    public init(latency: SimTime, overhead: SimTime) {
        self.latency = latency
        self.overhead = overhead
    }
}

extension Array where Element == IdleRisePoint {
    /// The rise after a wait of `wait`: linear between the points (increasing latencies), from zero at zero,
    /// level after the last; zero without points. O(points).
    public func rise(after wait: SimTime) -> SimTime {
        guard let last else { return .zero }
        guard wait < last.latency else { return last.overhead }
        var previous = IdleRisePoint(latency: .zero, overhead: .zero)
        for point in self {
            if wait < point.latency {
                let span = (point.latency - previous.latency).nanoseconds
                let along = Double((wait - previous.latency).nanoseconds) / Double(span)
                return previous.overhead + (point.overhead - previous.overhead).scaled(by: along)
            }
            previous = point
        }
        return last.overhead
    }
}

extension Costs {
    /// The wall an I/O wait of `latency` takes beyond its latency and `ioOverhead` because the cores idled
    /// through it: by `ioIdleRise` where it has points (linear between them, from zero at latency zero,
    /// level after the last), else the step `ioIdleOverhead` from `ioIdleAfter` on.
    /// What an I/O wait takes beyond its latency on a new connection or on a kept-alive one (`reusing`).
    @inline(__always) public func ioOverhead(reusing: Bool) -> SimTime {
        reusing ? ioOverheadReuse ?? ioOverhead : ioOverhead
    }

    /// The length of one call of a `c_releases_gil` step (`gilReleaseCall`, unsaid: `Defaults.gilReleaseCall`).
    public var releaseCall: SimTime {
        gilReleaseCall ?? Defaults.gilReleaseCall
    }

    public func ioIdle(latency: SimTime) -> SimTime {
        ioIdleRise.isEmpty ? (latency >= ioIdleAfter ? ioIdleOverhead : .zero) : ioIdleRise.rise(after: latency)
    }

    /// The cold wake-up's CPU after a wait of `wait`: `coldWakeCPU × (1 − exp(−(wait / coldWakeAfter)²))`,
    /// the extra a thread's first work costs when its virtual CPU idled that long (calibrate.py `cold_wake`).
    /// Below a microsecond it is not worth an event: zero.
    public func coldWake(after wait: SimTime) -> SimTime {
        guard coldWakeCPU > .zero, wait > .zero, coldWakeAfter > .zero else { return .zero }
        let x = Double(wait.nanoseconds) / Double(coldWakeAfter.nanoseconds)
        let cold = coldWakeCPU.scaled(by: 1 - Foundation.exp(-x * x))
        return cold >= .microseconds(1) ? cold : .zero
    }
}

/// A group of identical tasks (`count` instances of the same program).
public struct TaskGroup: Sendable, Equatable {
    public var name: String
    public var count: Int
    /// A background group loops over its steps until every foreground task has finished.
    public var background: Bool
    public var steps: [Step]

    public init(name: String, count: Int = 1, background: Bool = false, steps: [Step]) {
        self.name = name
        self.count = count
        self.background = background
        self.steps = steps
    }
}

/// What a task does, in order.
public indirect enum Step: Sendable, Equatable {
    case cpu(CPUStep)
    case io(IOStep)
    case sleep(Distribution)
    case `repeat`(count: Int, steps: [Step])
}

/// How CPU work interacts with the GIL.
public enum CPUKind: String, Sendable, Equatable, Codable, CaseIterable {
    /// Bytecode: notices a drop request at its next eval-breaker check (microseconds).
    case python
    /// One C call that holds the GIL to its end, e.g. `7777 ** 200000` (long_pow).
    case cHoldsGIL = "c_holds_gil"
    /// C code that releases the GIL while it works, e.g. hashlib on large buffers, zlib.
    case cReleasesGIL = "c_releases_gil"
}

public struct CPUStep: Sendable, Equatable {
    public var duration: Distribution
    public var kind: CPUKind
    public init(duration: Distribution, kind: CPUKind = .python) {
        self.duration = duration
        self.kind = kind
    }
}

/// Whether an I/O call opens a new connection (urlopen) or reuses one (a session's pool).
public enum ConnectionMode: String, Sendable, Equatable, Codable {
    case new, reuse
}

/// A blocking (or awaited) call: Python-side CPU to make it, then waiting for the answer.
public struct IOStep: Sendable, Equatable {
    /// Wall time from the request leaving to the answer arriving (the server's latency).
    public var latency: Distribution
    /// Python-side CPU cost of making the call and reading the answer (holds the GIL).
    public var cpu: Distribution
    public var connection: ConnectionMode
    public init(latency: Distribution, cpu: Distribution = .constant(Defaults.ioCPU), connection: ConnectionMode = .new) {
        self.latency = latency
        self.cpu = cpu
        self.connection = connection
    }
}

/// A strategy to run the scenario's tasks with, and its options.
public struct Strategy: Sendable, Equatable {
    public var kind: Kind
    /// The name used in tables, file names and titles (e.g. "threads", "threads-nogil").
    public var label: String
    /// Overrides for this strategy alone; nil means the scenario's own.
    public var machine: Machine?
    public var python: PythonRuntime?
    public var costs: Costs?

    public enum Kind: Sendable, Equatable {
        /// Every task one after another on the main thread.
        case sync
        /// A `threading.Thread` per task (`pool` nil), or a `ThreadPoolExecutor` of `pool` workers.
        case threads(pool: Int?)
        /// A `multiprocessing.Process` per task (`pool` nil) or a `Pool` of `pool` workers.
        case processes(pool: Int?, startMethod: StartMethod)
        /// `gevent.spawn` per task after `monkey.patch_all()`.
        case gevent
        /// `asyncio.gather` of one coroutine per task; CPU steps through `run_in_executor` or inline.
        case asyncio(executorWorkers: Int?, cpuInExecutor: Bool)
        /// asyncio's API on uvloop (libuv); CPU steps through run_in_executor (concurrent.futures) or inline.
        case uvloop(executorWorkers: Int?, cpuInExecutor: Bool)
        /// A trio nursery with a task per task; CPU steps through `trio.to_thread.run_sync` (at most
        /// `threadLimit` threads) or inline.
        case trio(threadLimit: Int, cpuInThread: Bool)
        /// curio tasks on its kernel; CPU steps through `run_in_thread` (at most `threadLimit`) or inline.
        case curio(threadLimit: Int, cpuInThread: Bool)
        /// `eventlet.spawn` per task after `monkey_patch()`; CPU steps inline or through `tpool.execute`.
        case eventlet(tpoolSize: Int, cpuInTpool: Bool)
        /// Tornado coroutines on its IOLoop (asyncio); AsyncHTTPClient with at most `maxClients` fetches at
        /// once; CPU steps through `IOLoop.run_in_executor(None, ...)` or inline.
        case tornado(maxClients: Int, executorWorkers: Int?, cpuInExecutor: Bool)
        /// Deferreds on Twisted's reactor; CPU steps through `deferToThread` (a pool of at most `threadLimit`)
        /// or inline.
        case twisted(threadLimit: Int, cpuInThread: Bool)
        /// Stackless-style tasklets: explicit switches, no monkey patching (greenlet, here).
        case tasklets
        /// `concurrent.futures.InterpreterPoolExecutor` (3.14, PEP 734) of `pool` workers (nil: its default,
        /// min(32, cores + 4)): worker threads of the main process, each running its own interpreter with its
        /// own GIL (PEP 684, 3.12).
        case interpreters(pool: Int?)

        /// The kind's name (its descriptor says everything else about it).
        public var kindName: StrategyKindName {
            switch self {
            case .sync: return .sync
            case .threads: return .threads
            case .processes: return .processes
            case .gevent: return .gevent
            case .asyncio: return .asyncio
            case .uvloop: return .uvloop
            case .trio: return .trio
            case .curio: return .curio
            case .eventlet: return .eventlet
            case .tornado: return .tornado
            case .twisted: return .twisted
            case .tasklets: return .tasklets
            case .interpreters: return .interpreters
            }
        }

        /// The short name of the kind: sync, threads, processes, gevent, asyncio, ...
        public var name: String { kindName.rawValue }

        public var descriptor: StrategyDescriptor { kindName.descriptor }
    }

    public init(kind: Kind, label: String? = nil, machine: Machine? = nil, python: PythonRuntime? = nil, costs: Costs? = nil) {
        self.kind = kind
        self.label = label ?? kind.name
        self.machine = machine
        self.python = python
        self.costs = costs
    }
}
