import SimEngine
import SimScenario

/// What a CPU burst is, which decides what it needs from the GIL.
enum BurstKind: UInt8, Sendable, CaseIterable {
    /// Bytecode: needs the GIL, notices a drop request within `checkLatency`.
    case python
    /// One C call holding the GIL to its end (long_pow): notices a drop request only when it returns.
    case cHoldsGIL
    /// C code between Py_BEGIN/END_ALLOW_THREADS: runs without the GIL.
    case cReleasesGIL
    /// A system call shorter than the wake-up latency: the thread stays on its core, GIL released.
    case syscall
    /// A forked child's, or an interpreter's, start-up before any Python runs.
    case starting
    /// A spawned child's start-up: a new interpreter from exec, which runs the parent's main script again (its
    /// imports and page faults), slowed by busy cores as `machine.startEfficiency` says rather than as bytecode.
    case startingImports
    /// A forkserver child's start-up: forked from the server, it runs the parent's main script again (Python
    /// 3.11's server does not preload it), slowed by the start-ups sharing each core (`startingFromServer`
    /// counts them), not by busy cores: two at once on two cores run as one alone (docs/model.md, "A
    /// forkserver child's start-up beside others").
    case startingFromServer

    @inline(__always) var needsGIL: Bool { self == .python || self == .cHoldsGIL }
    /// A start-up, shown as `starting` on and off its core.
    @inline(__always) var isStartUp: Bool { self == .starting || self == .startingImports || self == .startingFromServer }

    /// The start-up of a child started with `method` (nil: a thread with its own interpreter).
    static func startUp(of method: StartMethod?) -> BurstKind {
        switch method {
        case .spawn: return .startingImports
        case .forkserver: return .startingFromServer
        case .fork, nil: return .starting
        }
    }
}

/// What a thread does when it next gets a core.
enum ResumeAction: UInt8, Sendable {
    /// Continue its program (a paused burst, the next action).
    case proceed
    /// It is inside take_gil and was woken (signal or timeout): check the GIL.
    case gilCheck
    /// It dropped the GIL with a drop request pending and waited for the switch; now it goes on with
    /// the block or GIL-free burst it was about to start (or takes the GIL back).
    case afterSwitch
}

/// Where an OS thread is.
enum ThreadStatus: UInt8, Sendable {
    case onCore, runnable, waking, waitingGIL, waitingSwitch, blocked, finished
}

/// What an OS thread's program is.
enum Role: UInt8, Sendable {
    /// `sync`: the main thread runs every foreground task in turn.
    case sequential
    /// Runs one task (threads strategy, or a child process's main thread), or pool tasks from the queue.
    case taskRunner
    /// The main thread of `threads`/`processes`: starts the workers, then joins them.
    case spawner
    /// gevent: the main thread, running the hub and every greenlet.
    case hub
    /// asyncio: the main thread, running the event loop and every coroutine.
    case loop
    /// A `ThreadPoolExecutor` worker of the asyncio loop.
    case executorWorker
    /// The local latency server's process (`costs.server_answer_new`/`_reuse` set): runs each request's
    /// turn of CPU on a core, competing with the program's threads. Another process, so it never takes
    /// the program's GIL, and it has no lane: the measured side has none (docs/model.md, "The local
    /// server's turn on a core").
    case localServer
    /// A process Pool's result handler in the parent (`Pool._handle_results`): reads each result from the
    /// result pipe, unpickles and sets it. Hidden (no lane): the measured side does not see the Pool's threads.
    case poolResultHandler
    /// A process Pool's worker handler in the parent (`Pool._handle_workers`): wakes at each result written to
    /// the pipe and goes round its loop until the result handler has read it (docs/model.md, "A process
    /// Pool's result pipe and its worker handler"). Hidden, as the result handler.
    case poolWorkerHandler
}

/// A kernel thread of some Python process.
// The fields most events touch come first, packed into the first 64 bytes (one or two cache lines of the
// 1,000-thread table, which does not fit in the L1 cache), the scheduling and program state next, what only
// some roles use last.
struct OSThread: Sendable {
    /// Bumped to invalidate this thread's pending events.
    var epoch: UInt32 = 0
    var status: ThreadStatus = .waking
    var resumeAction: ResumeAction = .proceed
    // GIL
    var holdsGIL = false
    /// Must (re)take the GIL before its next action (after a release, or at thread start).
    var needsGIL = true
    var core: Int32 = -1
    /// The `PyProcess` whose GIL it takes: its process's, or its own interpreter's (`ownsInterpreter`).
    var process: Int32
    /// Its position in its GIL's waiter order while it sleeps in take_gil (`GILState.waitOrder`), -1 otherwise.
    var waitPosition: Int64 = -1
    var gilTimedOut = false

    // The burst in progress (possibly paused by a preemption or a forced drop).
    var inBurst = false
    var segmentActive = false
    var burstKind = BurstKind.python
    /// Whether the burst is a task's CPU step (`Action.step`), whose time on a core `Simulation` counts.
    var burstIsStep = false
    var gilSavedSwitch = 0
    var gilWaitSince = SimTime.never
    var burstRemaining = SimTime.zero
    /// What is left of a `c_releases_gil` step after the call running now (`Costs.gilReleaseCall`): the next
    /// call starts once the thread has the GIL back.
    var releaseCallsLeft = SimTime.zero
    /// A loop's or hub's thread woken from its poll by a timer: its next action pays `hostTimerWake` first.
    var wokenByTimer = false
    var segmentStart = SimTime.zero
    /// Work done per nanosecond of the running segment (below 1 while other cores are busy too).
    var segmentSpeed = 1.0

    // Scheduling
    var dispatchedAt = SimTime.zero
    /// When it last became runnable (before its dispatch: the wait for a core is the difference).
    var runnableSince = SimTime.zero
    /// When its wait for a core began, summed in `Simulation.coreWaited` at its dispatch: what woke it (a GIL
    /// signal, a call's end, an answer, its creation: the kernel queues it then, so the wake-up latency is in the
    /// wait), set where the wake is scheduled, or its preemption; `.never` once a counted thread has a core.
    var coreWaitSince = SimTime.never
    /// Whether its waits for a core count in `Simulation.coreWaited`: a thread of the program's main process
    /// that runs its work (its tasks, its loop or hub, its executor's jobs), as the harness notes them
    /// (harness.py `note_run_delay`); not the local server, a Pool's handler threads or gevent's resolver
    /// threads (`submitLookup` clears it). Stored, not derived: `dispatch` reads it on every turn.
    var countsCoreWait: Bool
    /// It runs an event loop or a hub: its waits are `Simulation.loopCoreWaited` as well.
    let hostsLoop: Bool
    /// When it last went idle in its selector (an event loop's or hub's thread): its poll's timeout counts from here.
    var idleSince = SimTime.zero
    var vruntime = SimTime.zero
    /// Its lag when it last left a core (fair policy): its core's average virtual runtime then, less its own
    /// (EEVDF's `vlag`, `update_entity_lag()` in kernel/sched/fair.c). Positive: it was owed time.
    var vlag: Int64 = 0
    /// The virtual runtime up to which its turn on a core is protected from wake-up preemption (EEVDF's
    /// `vprot`, RUN_TO_PARITY): a slice past its virtual runtime when it was dispatched.
    var vprot = SimTime.zero
    /// The core it last ran on (-1: none yet), where the kernel wakes it, and when it left it.
    var lastCore: Int32 = -1
    var leftCoreAt = SimTime.zero
    /// The idle core its wake-up claimed (fair policy; -1: none): it runs there when the wake-up ends.
    var claimedCore: Int32 = -1
    /// A thread just created by clone() that has not had a core yet: the fair policy queues it behind the
    /// running threads and it does not preempt (`becomeRunnable`).
    var isNewTask = true
    /// In its start-up burst (a child's interpreter start, an interpreter's creation).
    @inline(__always) var inStartUp: Bool { inBurst && burstKind.isStartUp }

    // Program state
    /// The task it runs (index into `tasks`), -1 for none.
    var task: Int32 = -1
    var role: Role
    /// Whether this thread has run its bootstrap (`_started.set()`, which needs the GIL).
    var started = false
    /// The thread this one waits for in `Thread.start()`, -1 for none.
    var awaitingStartOf: Int32 = -1
    /// The greenlet or coroutine it is running now (hub, loop), -1 for none.
    var currentGreen: Int32 = -1
    var lane: Int32

    // A block it will start once the GIL switch it waits for has happened (-1: none; `.never`: wait).
    var pendingBlock = SimTime(nanoseconds: -1)
    var pendingBlockState: UInt8 = 0

    /// For the executor worker: the coroutine whose CPU step it runs, -1 for none.
    var job: Int32 = -1
    /// For a worker running a lookup job (`GreenTask.jobIsLookup`): the part it is in (0: its Python before
    /// the call, 1: getaddrinfo, 2: its Python after it, which hands the result back); for a CPU step's job,
    /// as `Simulation.executorWorkerAction` numbers them.
    var jobPart: UInt8 = 0
    /// An executor worker woken from its queue's wait for the job it takes next (it pays the wake-up).
    var wokeForJob = false
    /// A curio worker that its task has let go (`done_evt` set): on its way back to `start_evt.wait()`.
    var backFromTask = false
    /// Program counter of roles with phases (spawner, loop start-up, child start and result).
    var phase: Int32 = 0
    /// The main thread of a child process (pays start-up and result pickling).
    var isChildMain = false
    /// A thread of the main process running its own interpreter (`interpreters`): its `process` is that
    /// interpreter's GIL, its lane stays in the main process. Pays `interpreter_start` and the handoffs.
    var ownsInterpreter = false
    /// Takes its tasks from `taskQueue` (a pool worker) rather than running one task.
    var pooled = false
    /// How far a worker is in sending its task's result back: an interpreter's 0 (not yet) or 1 (pickled); a
    /// process Pool worker's 0, 1 (pickled), 2 (writing it, holding the pipe's lock).
    var resultPhase: UInt8 = 0
    /// A child process's main thread has made its first blocking I/O call (`costs.process_first_call`).
    var firstCallMade = false
    /// The spawner has paid the start cost of its next worker, which it began to pay at `startCallAt`.
    var startPaid = false
    var startCallAt = SimTime.zero
    /// A thread woken by a write to a pipe it reads (a process Pool's handler, by a worker's result): the writer,
    /// whose core the kernel prefers for it (a synchronous wake-up, `WF_SYNC`); -1 otherwise.
    var syncWaker: Int32 = -1
    /// An executor worker listed in `idleWorkers`.
    var listedIdle = false
    /// The thread that started this one and waits in `Thread.start()` until it has started, -1 for none.
    var starter: Int32 = -1
    /// When its program last asked to block or wait (`.never`: it has not since it last ran): its first work
    /// after the wait pays the cold wake-up (`costs.coldWake(after:)`).
    var waitingSince = SimTime.never

    /// Whether it takes its process's GIL: every thread but the local server's (whose own GIL no one else
    /// wants).
    @inline(__always) var takesGIL: Bool { role != .localServer }

    init(process: Int32, lane: Int32, role: Role) {
        self.process = process
        self.lane = lane
        self.role = role
        countsCoreWait = process == 0 && role != .localServer && role != .poolResultHandler && role != .poolWorkerHandler
        hostsLoop = role == .loop || role == .hub
    }
}

/// One task instance's progress through its program.
struct TaskRun: Sendable {
    var cursor: TaskCursor
    var instance: Int32
    var background: Bool
    var op: Operation? = nil
    var part: UInt8 = 0
    var finished = false
    /// asyncio's aiohttp session keeps connections alive: only the task's first request connects.
    var reuseConnections = false
    var connected = false
    /// The steps of closing a kept-alive connection at the task's end run so far (`Simulation.closeStep`).
    var closeSteps: UInt8 = 0
    /// Whether the I/O call in progress opens a connection.
    var connects = false
    /// The part of the call's CPU its lookup's pool thread runs instead of it (`costs.resolver_job`, at most
    /// what the call has): zero when the lookup is the caller's.
    var lookupCPU = SimTime.zero
    /// Whether its last finished step was a CPU step (its next I/O call pays `costs.cold_request_cpu`).
    var afterCPUStep = false
    /// Pieces of the program's first call still to run before its `getaddrinfo` (the idna codec's import:
    /// `costs.program_first_call_releases` short system calls, each followed by its share of the CPU).
    var firstCallPiecesLeft: Int32 = 0
    /// When the answer to the request just sent is in the socket: the request left during `send()`, so
    /// the latency runs from there, not from when the caller got the GIL back after it.
    var answerAt: SimTime = .zero
    /// With the local server: when the request is in the server's socket, and how long after the server
    /// reads it the answer is in this task's (latency, `io_overhead`, the idle wake-up). `answerAt` is
    /// `.never` until the server's thread has read it (`Simulation.serverAction`).
    var requestAt: SimTime = .zero
    var answerDelay: SimTime = .zero
    /// When the operation in progress began (for `Simulation.answerLate`).
    var opStart: SimTime = .zero
    /// The thread, or the green task when `waiterIsGreen`, asleep until the server has read the request
    /// (-1: none); the server wakes it at the answer.
    var answerWaiter: Int32 = -1
    var waiterIsGreen = false
    /// Steps (operations) finished so far: tasklets switch when this moves.
    var opsFinished: Int32 = 0
    /// Its I/O call holds one of the HTTP client's `max_clients` slots (Tornado).
    var holdsClientSlot = false
}

/// What the next piece of a task is, before a strategy maps it onto threads or green tasks.
enum TaskStep: Sendable {
    /// A CPU step of the task.
    case cpu(SimTime, BurstKind)
    /// The Python-side CPU of an I/O call (between its system calls).
    case ioCPU(SimTime)
    /// A short system call that releases the GIL without sleeping (the thread keeps its core).
    case syscall(SimTime)
    /// A new connection's getaddrinfo: a `syscall` on the calling thread, unless the runtime hands it to a
    /// thread pool (gevent's resolver: `GreenletTraits.resolverPool`).
    case lookup(SimTime)
    /// Waiting for an I/O answer (blocked) or a sleep.
    case wait(SimTime)
    /// The task has finished.
    case done
    /// Its next I/O call waits for a slot of the HTTP client (Tornado's max_clients).
    case waitForClientSlot
    /// Its recv() waits for an answer whose time is not known yet: the local server has not read the
    /// request. The caller sleeps until the server's thread wakes it at the answer (`Simulation.serverAction`).
    case awaitAnswer
}

extension TaskStep {
    var isDone: Bool {
        if case .done = self { return true } else { return false }
    }
}

/// A greenlet or coroutine: a lane and a task, run by a host thread.
struct GreenTask: Sendable {
    var task: Int32
    var lane: Int32
    /// Waiting for its executor job's result to be handed back (costs the loop the hand-off).
    var returningFromExecutor = false
    /// The worker waiting for this task to take its job's result (curio's `done_evt`), -1 for none.
    var jobWorker: Int32 = -1
    var finished = false
    /// The CPU step handed to the executor.
    var jobDuration = SimTime.zero
    var jobKind = BurstKind.python
    /// The job handed to the pool is its getaddrinfo (`jobDuration` long), not a CPU step.
    var jobIsLookup = false
    /// A tasklet that switched away after finishing a step: the first piece of its next step.
    var pendingStep: TaskStep? = nil
}

/// A Python process: an interpreter with its own GIL (also a subinterpreter of the main process, which has
/// its own GIL from 3.12: PEP 684).
struct PyProcess: Sendable {
    var gil = GILState()
    var mainThread: Int32 = -1
}

/// A CPU core.
struct Core: Sendable {
    var thread: Int32 = -1
    var lastThread: Int32 = -1
    var busySince = SimTime.zero
    var busy = SimTime.zero
    /// When the running thread's current slice ends (slices renew back to back while it keeps the core).
    var sliceEnd = SimTime.zero
    /// Whether a `sliceEnd` event is pending. Timers are armed only while threads wait for a core, so a
    /// core whose thread runs alone costs no events.
    var sliceArmed = false
    /// The thread being woken onto this idle core (fair policy; -1: none). The kernel picks a woken task's
    /// core when it wakes it, and from then the core is not idle to anyone else (`idle_cpu()` counts a
    /// pending wake-up, kernel/sched/core.c), though the task runs only when the core is out of idle.
    var claimedBy: Int32 = -1
    /// The core's own lane when core lanes are on, -1 otherwise.
    var lane: Int32 = -1
}

extension Int32 {
    /// A table index (a thread's, core's, process's) as the `Int32` the tables store: the simulation's
    /// indices are its own, below 2^31 by construction, so without `Int32(_:)`'s overflow test (four
    /// instructions, several times an event).
    @inline(__always) init(id: Int) {
        assert(id >= Int(Int32.min) && id <= Int(Int32.max), "index \(id) out of Int32's range")
        self.init(truncatingIfNeeded: id)
    }
}
