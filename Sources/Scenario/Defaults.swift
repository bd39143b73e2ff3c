import SimEngine

/// Every default value of the scenario format, in one place (docs/scenario-format.md lists the same).
///
/// Costs follow the measurements gathered in shared/reference/concurrency-mechanics.md; `simulate calibrate`
/// measures this machine's own values.
public enum Defaults {
    public static let version = 1
    public static let seed: UInt64 = 1

    // machine
    public static let cores = 2
    /// The seed article's OS model: round robin with 100 ms slices (RR_TIMESLICE, include/linux/sched/rt.h).
    public static let roundRobinTimeslice = SimTime.milliseconds(100)
    public static let scheduler = SchedulerPolicy.roundRobin(timeslice: roundRobinTimeslice)
    /// EEVDF's sysctl_sched_base_slice (kernel/sched/fair.c, Linux 6.6).
    public static let linuxBaseSlice = SimTime.microseconds(750)
    public static let contextSwitch = SimTime.microseconds(3)
    /// A futex wake-up onto an idle core of a VM: about 10 us on average, measured here through the GIL race
    /// (how often a short system call loses the GIL to a woken waiter).
    public static let wakeLatency = SimTime.microseconds(10)
    /// Wake-ups are exponentially distributed around their mean.
    public static let wakeJitter = 1.0
    /// Cores independent of each other unless a machine profile says otherwise (`simulate calibrate`).
    public static let parallelEfficiency: [CPUKind: Double] = [.python: 1, .cHoldsGIL: 1, .cReleasesGIL: 1]
    /// Busy cores run at one speed unless a machine profile says otherwise.
    public static let coreSpeedSpread: [CPUKind: Double] = [.python: 1, .cHoldsGIL: 1, .cReleasesGIL: 1]
    /// The share of GIL drops, noticed at the holder's first bytecode check after the drop request, whose
    /// condvar signal the thread that set the request takes before it sleeps (glibc's `pthread_cond_timedwait`
    /// reads `__g_signals` once before its futex wait). 1 minus the share of waits in which a sleeping thread,
    /// first in line, gets the first switch beside spinning threads: 0.24-0.38 measured here, so 0.7
    /// (docs/model.md, "Which waiter gets the GIL"); `simulate calibrate` measures it.
    public static let requesterTakesSignal = 0.7
    /// A timed wait's timer slack: the kernel lets a futex wait's timer fire up to this much after its
    /// deadline (kernel/futex/core.c, `futex_setup_timer(..., current->timer_slack_ns)`), and on an otherwise
    /// quiet core it fires at the late end. 50 us is every normal thread's (init/init_task.c,
    /// `.timer_slack_ns = 50000`; /proc/self/timerslack_ns reads 50000 here).
    public static let timerSlack = SimTime.microseconds(50)
    /// A spawn or forkserver child's start-up on a busy machine: nil, as bytecode (`parallel_efficiency.python`), unless
    /// the scenario or a profile gives it.
    public static let startEfficiency: Double? = nil
    /// How many children start at once where `start_efficiency` is measured: `processes_at_scale` in calibrate.py
    /// starts 16 (on this machine class's 2 cores, 8 a core). A forkserver child's start-up slows by the number
    /// of start-ups sharing each core, from none at one a core to all of it at this many (docs/model.md, "A
    /// forkserver child's start-up beside others").
    public static let startCrowd = 16
    /// How much later than the timer slack, the wake-up and the switch a thread is back from a timed wait that
    /// expired, by the wait's length: the median of three `simulate calibrate` steps "timed wait" here
    /// (2026-12-02, another core busy: back 114, 103, 111, 114, 134, 180, 199 us late after 0.1, 0.5, 1, 2, 5,
    /// 20, 50 ms) less 63 us (`timerSlack` + `wakeLatency` + `contextSwitch`). docs/model.md, "The timed wait's
    /// idle wake-up".
    public static let timeoutIdleWake: [IdleRisePoint] = [
        (100, 51), (500, 40), (1_000, 48), (2_000, 51), (5_000, 71), (20_000, 117), (50_000, 136),
    ].map { IdleRisePoint(latency: .microseconds($0.0), overhead: .microseconds($0.1)) }

    // python
    /// DEFAULT_INTERVAL in Python/ceval_gil.c: 5000 us.
    public static let switchInterval = SimTime.milliseconds(5)
    /// Free-threaded 3.14 on x86-64 Linux: about 8% single-thread overhead (3.14 docs).
    public static let freeThreadingOverhead = 0.08
    /// The version this machine's real runs use and `simulate calibrate` measures (the venv's Python).
    public static let pythonVersion = PythonVersion.v3_11
    /// Bytecode reaches an eval-breaker check (backward jump, RESUME, after a call) within microseconds.
    public static let checkLatency = SimTime.microseconds(2)

    // costs
    public static let threadStart = SimTime.microseconds(80)
    public static let processStart: [StartMethod: SimTime] = [
        .fork: .milliseconds(2), .forkserver: .milliseconds(10), .spawn: .milliseconds(45),
    ]
    public static let pickle = SimTime.microseconds(50)
    public static let greenletSwitch = SimTime.microseconds(2)
    public static let greenletSpawn = SimTime.microseconds(20)
    public static let loopIteration = SimTime.microseconds(5)
    public static let taskCreate = SimTime.microseconds(7)
    public static let executorHandoff = SimTime.microseconds(40)
    /// A `ThreadPoolExecutor` worker's own CPU per job, outside the job (calibrate.py `executor_worker_costs`,
    /// three runs here: 24-28 us until the result is handed to the loop, 9.2-10.0 us on to a job already queued,
    /// 12.6-14.1 us more to sleep on an empty queue and wake for the next).
    public static let executorResultCPU = SimTime.microseconds(25)
    public static let executorWorkerCPU = SimTime.microseconds(9)
    public static let executorWakeCPU = SimTime.microseconds(13)
    /// trio's (curio's) thread worker's own CPU outside each job as a multiple of the ThreadPoolExecutor worker's
    /// above (calibrate.py `thread_trip_ratios`, eight runs here on 2026-12-07: trio 0.86-1.35, median 0.89;
    /// curio 0.37-0.51, median 0.43).
    public static let trioThreadWorker = 0.89
    public static let curioThreadWorker = 0.43
    /// The multiples accepted: a worker's own CPU is something, and no library's is a hundred times another's.
    public static let threadWorkerRange = 0.0...100.0
    /// A process Pool's own costs (calibrate.py `pool_task_costs`: a fork Pool(2) of 120 jobs of 1 ms, the worker
    /// handler kept off the result pipe; six runs here on 2026-12-06): the worker's CPU outside its task 25-33 us
    /// a task, the parent's 53-58 us a result; the worker handler's turn 12.4-15.6 us, of it 1.8-1.9 us in its
    /// three system calls. docs/model.md, "A process Pool's result pipe and its worker handler".
    public static let poolTaskCPU = SimTime.microseconds(28)
    public static let poolResultCPU = SimTime.microseconds(55)
    public static let poolHandlerTurn = SimTime.nanoseconds(12_600)
    public static let poolHandlerCalls = SimTime.nanoseconds(1_900)
    public static let connectionSetup = SimTime.microseconds(100)
    public static let connectionCPU = SimTime.microseconds(100)
    /// getaddrinfo, socket, send, close on loopback: about 7-19 us each, measured here.
    public static let syscall = SimTime.microseconds(12)
    /// recv() of an answer already queued on a loopback TCP socket: 4.8-5.3 us here (median of 2000, three
    /// runs, 1 and 150 bytes; docs/model.md, "An answer already there"); `simulate calibrate` measures it.
    public static let readyRecv = SimTime.microseconds(5)
    /// One call of C code that releases the GIL, in a `c_releases_gil` step: the harness's hashlib.sha256
    /// `update` of its 4 MiB chunk, 2.3-2.4 ms at the 0.56-0.58 ns a byte calibrated on this machine class
    /// (docs/model.md, "A GIL-releasing step is a run of calls"). A longer step takes the GIL back between calls.
    public static let gilReleaseCall = SimTime.microseconds(2_400)
    /// The CPU of one getaddrinfo in gevent's hub thread pool, on the worker thread, the lookup aside (its
    /// Python around the call, its lock and futex calls; the lookup itself is `syscall`): 25.6-27.8 us here
    /// with the call's 1.4-1.9 (five runs of 2,000 `hub.threadpool.apply(getaddrinfo)` from a greenlet, process
    /// CPU less the hub thread's; docs/model.md, "gevent's resolver threads"); `simulate calibrate` measures it.
    public static let resolverJob = SimTime.microseconds(25)
    public static let ioOverhead = SimTime.zero
    /// Unset: a call on a kept-alive connection waits `ioOverhead` too. A machine profile measures it apart
    /// (the local server's thread for the connection is already waiting in recv; docs/model.md, "A kept-alive
    /// connection's wait").
    public static let ioOverheadReuse: SimTime? = nil
    /// Zero for every start method: the default of each per-method cost below, none of which the article or
    /// the reference sizes; `simulate calibrate` measures them.
    public static let nonePerMethod: [StartMethod: SimTime] =
        Dictionary(uniqueKeysWithValues: StartMethod.allCases.map { ($0, .zero) })
    /// None unless a machine profile measures them (`simulate calibrate`).
    public static let processSpawn: [StartMethod: SimTime] = nonePerMethod
    /// No extra CPU for a child's first blocking call unless a machine profile measures it (`simulate calibrate`).
    public static let processFirstCall: [StartMethod: SimTime] = nonePerMethod
    /// Nothing for a program's first start unless a machine profile measures it (`simulate calibrate`).
    public static let processFirstStart: [StartMethod: SimTime] = nonePerMethod
    /// Nothing for a program's first Pool unless a machine profile measures it (`simulate calibrate`).
    public static let poolFirstStart: [StartMethod: SimTime] = nonePerMethod
    /// Nothing more for a Pool worker's start than a Process child's unless a machine profile measures it.
    public static let poolWorkerStart: [StartMethod: SimTime] = nonePerMethod
    /// No exit set apart from a child's start unless a machine profile measures it.
    public static let processExit: [StartMethod: SimTime] = nonePerMethod
    /// A wake-up from a sleep's timer, per waker (`Costs.timerWakeCPU`): the sleeping thread's CPU per 0.1 ms and
    /// 1 ms sleep less a `sleep(0)` trip, medians of two runs of `validation/wake_cpu.py` here (2026-12-06, 21:3x
    /// UTC): a thread's `time.sleep` 20-26 µs, asyncio's loop 49-66, trio's 56-95, curio's 29-47, gevent's hub
    /// 30-55 (docs/model.md, "A sleep's wake-up"); `simulate calibrate` measures them.
    public static let timerWakeCPU: [TimerWaker: SimTime] = [
        .threads: .microseconds(22), .asyncio: .microseconds(55), .trio: .microseconds(80),
        .curio: .microseconds(40), .gevent: .microseconds(42),
    ]
    public static let ioIdleOverhead = SimTime.zero
    public static let ioIdleAfter = SimTime.milliseconds(1)
    public static let ioIdleRise: [IdleRisePoint] = []
    /// A remote server costs this machine nothing; `simulate calibrate` measures the real runs' local one.
    public static let serverAnswerNew = SimTime.zero
    public static let serverAnswerReuse = SimTime.zero
    /// No extra CPU for overlapping calls unless a machine profile measures it (`simulate calibrate`).
    public static let connectionOverlapCPU = SimTime.zero
    /// No extra CPU for a request right after a CPU step unless a machine profile measures it (`simulate calibrate`).
    public static let coldRequestCPU = SimTime.zero
    /// No CPU closing a kept-alive client beyond its `close()` unless a machine profile measures it (`simulate calibrate`).
    public static let sessionCloseCPU = SimTime.zero
    /// No extra CPU for a program's first call unless a machine profile measures it (`simulate calibrate`).
    public static let programFirstCall = SimTime.zero
    /// No GIL releases inside a program's first call unless a machine profile measures them (`simulate calibrate`).
    public static let programFirstCallReleases = 0
    /// The most `costs.program_first_call_releases` a scenario may give.
    public static let maxProgramFirstCallReleases = 100_000
    /// Half of an I/O call's CPU before its send, cut evenly over the calls before it, half after the answer,
    /// unless a machine profile measures the shape (`simulate calibrate`).
    public static let ioCallShape = IOCallShape.even
    /// No cold wake-up unless a machine profile measures it (`simulate calibrate`); its time constant then
    /// comes with it.
    public static let coldWakeCPU = SimTime.zero
    public static let coldWakeAfter = SimTime.milliseconds(8)
    // The other runtimes' own costs, measured on this machine (2-core VM, Python 3.11.7, the versions pinned in
    // requirements.txt) by `python docs/runtime-costs.py`: medians of 5 runs of the script, each a median of 5
    // timings (docs/model.md, "Runtimes"). The same script gives asyncio's `await asyncio.sleep(0)` (the probe
    // of `loopIteration` in `simulate calibrate`) 2.5 us here.
    /// uvloop: `await asyncio.sleep(0)` on uvloop, 1.25 us.
    public static let uvloopLoopIteration = SimTime.nanoseconds(1_250)
    /// trio: `await trio.lowlevel.checkpoint()`, 4.1 us.
    public static let trioLoopIteration = SimTime.nanoseconds(4_100)
    /// curio: `await curio.sleep(0)`, 2.3 us.
    public static let curioLoopIteration = SimTime.nanoseconds(2_300)
    /// Twisted: `reactor.callLater(0, f)` chained, 3.2 us.
    public static let twistedLoopIteration = SimTime.nanoseconds(3_200)
    /// Tornado: a future resolved through `IOLoop.add_callback` and awaited, 5.9 us, less asyncio's 2.5 us.
    public static let tornadoCallback = SimTime.nanoseconds(3_400)
    /// eventlet: `eventlet.sleep(0)` through the hub, 3.7 us; spawn + run + wait of a trivial green thread, 14.8 us.
    public static let eventletSwitch = SimTime.nanoseconds(3_700)
    public static let eventletSpawn = SimTime.nanoseconds(14_800)
    /// greenlet: one `switch()` between two greenlets, 0.2 us; creating and running a trivial one, 7.9 us.
    public static let taskletSwitch = SimTime.nanoseconds(200)
    public static let taskletSpawn = SimTime.nanoseconds(7_900)
    // Subinterpreters (not installable here: Python 3.11): published figures, not measured on this machine.
    /// One subinterpreter's start: 10,000 subinterpreters took 11.1 s on 16 cores (3.13 beta; discuss.python.org,
    /// "Expected performance characteristics of subinterpreters"), 1.11 ms each if started one after another;
    /// 10,000 processes took 7.3 s in the same test, so an interpreter costs about 1.5x a process there.
    public static let interpreterStart = SimTime.microseconds(1_110)
    /// Passing a task's call to a worker interpreter and its result back: InterpreterPoolExecutor pickles
    /// `(fn, args, kwargs)` and unpickles it in the worker (Lib/concurrent/futures/interpreter.py, 3.14:
    /// `resolve_task`, `_run_pickled_func`), and pickles a result that is not shareable: the same pickling as a
    /// process pool's task, so the same default as `pickle` (which also counts the pipe, an upper bound here).
    public static let interpreterHandoff = pickle

    // steps
    /// Python-side CPU of one I/O call when the scenario does not say.
    public static let ioCPU = SimTime.microseconds(200)
    public static let cpuKind = CPUKind.python
    public static let connection = ConnectionMode.new

    // strategies
    /// The seed article's five, when a scenario does not list its strategies (the other runtimes are asked for
    /// by name).
    public static let strategies: [Strategy] = [StrategyKindName.sync, .threads, .processes, .gevent, .asyncio].map {
        Strategy(kind: $0.defaultKind)
    }
    public static let startMethod = StartMethod.fork
    /// asyncio runs CPU steps through `run_in_executor`, as the seed article does.
    public static let asyncioCPUInExecutor = true

    /// `trio.to_thread.run_sync`'s default limiter: `CapacityLimiter(40)` (trio/_threads.py, DEFAULT_LIMIT).
    public static let trioThreadLimit = 40
    /// curio's `run_in_thread` pool: MAX_WORKER_THREADS = 64 (curio/workers.py).
    public static let curioThreadLimit = 64
    /// The reactor's thread pool for `deferToThread`: `ThreadPool(0, 10)` (twisted/internet/base.py,
    /// `ReactorBase._initThreadPool`).
    public static let twistedThreadLimit = 10
    /// gevent's hub thread pool, where its default resolver runs getaddrinfo: `Hub.threadpool_size = 10`
    /// (gevent/hub.py), native threads started on demand (gevent/threadpool.py, `ThreadPool.adjust`).
    public static let geventThreadpoolSize = 10
    /// eventlet's tpool: `EVENTLET_THREADPOOL_SIZE`, default 20 (eventlet/tpool.py, `_nthreads`).
    public static let eventletTpoolSize = 20
    /// Tornado's `SimpleAsyncHTTPClient(max_clients=10)` (tornado/simple_httpclient.py, `initialize`).
    public static let tornadoMaxClients = 10

    /// `InterpreterPoolExecutor` is a `ThreadPoolExecutor` subclass and keeps its `max_workers` default.
    public static func interpreterWorkers(cores: Int) -> Int { executorWorkers(cores: cores) }

    /// `ThreadPoolExecutor`'s default size since Python 3.8: min(32, cpu_count + 4).
    public static func executorWorkers(cores: Int) -> Int { min(32, cores + 4) }
    /// The unit an event loop's or hub's poll waits in for its next timer, rounded up: `select.epoll.poll`
    /// turns its timeout into whole milliseconds, "round towards infinity to wait at least timeout seconds"
    /// (CPython Modules/selectmodule.c, `select_epoll_poll_impl`: `_PyTime_ROUND_CEILING`; Lib/selectors.py's
    /// `EpollSelector.select` rounds the same way first), which asyncio, Tornado, trio, curio and Twisted's
    /// epoll reactor call; libev, under gevent, waits `EV_TS_TO_MSEC(timeout)` = timeout × 1e3 + 0.9999 ms
    /// (ev_epoll.c). Measured (one task sleeping 5 × 10.3 ms, `simulate compare --runs 5`): 56.6-58.2 ms for
    /// these, 51.8 ms for uvloop, 53.1 ms for eventlet (docs/model.md, "A loop's timer waits whole milliseconds").
    public static let pollTimeoutResolution = SimTime.milliseconds(1)
}
