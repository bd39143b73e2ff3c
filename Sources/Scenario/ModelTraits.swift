import SimEngine

/// How the model sets a strategy up: the few mechanisms every kind is built from, with the costs and sizes
/// its options and the scenario's costs give them. `Sources/Model` builds threads, greenlets, loops and
/// thread pools from these and nothing else, so a new runtime is a new combination of traits (plus a new
/// mechanism only where none fits).
public struct ModelTraits: Sendable, Equatable {
    public enum Scheduling: Sendable, Equatable {
        /// One thread runs every foreground task to its end, one after another.
        case sequential
        /// An OS thread per task, or a pool of `pool` threads taking tasks from a queue.
        case osThreads(pool: Int?)
        /// A process per task, or a pool of `pool` processes.
        case osProcesses(pool: Int?, startMethod: StartMethod)
        /// A pool of `pool` OS threads of the main process, each running its own interpreter with its own GIL
        /// (PEP 684): started as threads, isolated as processes are. Each worker pays `interpreter_start`
        /// once, and each task `interpreter_handoff` in and out.
        case interpreters(pool: Int)
        /// Green threads (greenlets) on the main thread, switched by a hub or by each other.
        case greenlets(GreenletTraits)
        /// Coroutines on an event loop run by the main thread.
        case eventLoop(LoopTraits)
    }

    public var scheduling: Scheduling
    /// Whether a task's I/O calls share one connection (only the first connects), as the harness's client does.
    public var reusesConnections: Bool
    /// The lane the main thread gets.
    public var host: HostLane
    /// What the loop's or hub's thread pays once a wake-up from its poll by a timer, however many sleepers that
    /// pass resumes (`Costs.timerWakeCPU`): as Python, before the pass (docs/model.md, "A sleep's wake-up"). Zero
    /// where threads sleep on their own: their wake-up is inside the GIL race measured after a sleep.
    public var timerWake: SimTime = .zero
}

/// Green threads: who switches, what a switch costs, and what blocking I/O does.
public struct GreenletTraits: Sendable, Equatable {
    /// Creating one green thread (`gevent.spawn`).
    public var spawn: SimTime
    /// One switch between green threads (through the hub, or directly).
    public var switchCost: SimTime
    /// Whether blocking calls are patched to wait on the hub (gevent's and eventlet's monkey patching). If
    /// not, an I/O call or sleep blocks the one OS thread and every green thread with it.
    public var monkeyPatched = true
    /// Whether a green thread gives the others a turn after each of its steps (Stackless's `schedule()` in
    /// the task's loop): round robin at step boundaries. Otherwise it runs until it waits.
    public var yieldsBetweenSteps = false
    /// The thread pool CPU steps are handed to (eventlet's tpool), nil when they run inline.
    public var offload: ThreadOffload?
    /// The thread pool a new connection's getaddrinfo is handed to (gevent's default resolver,
    /// gevent.resolver.thread: `self.pool.apply(_socket.getaddrinfo, ...)` on the hub's thread pool), nil when
    /// the lookup runs on the calling thread. Its native threads need the GIL, which the hub holds while it
    /// runs greenlets: a lookup waits until the hub goes idle, or a switch interval.
    public var resolverPool: ThreadOffload?
    /// Whether the hub runs each ready green thread from a callback that takes the GIL and releases it after
    /// (gevent's libev loop: callbacks.c, `gevent_callback`'s `GIL_ENSURE` ... `GIL_RELEASE`, around an
    /// `ev_run` that runs without it). A thread waiting for the GIL is signalled at each, and wakes to find the
    /// hub holding it again: its timed wait starts over, so it gets the GIL only when the hub goes idle.
    public var callbacksReleaseGIL = false
    /// The hub's poll waits for its next timer in whole units of this, rounded up from when it began to wait
    /// (`Defaults.pollTimeoutResolution`); zero: to the nanosecond.
    public var pollResolution = Defaults.pollTimeoutResolution
}

/// Which of the ready tasks a loop pass runs, and in which order.
public enum BatchOrder: Sendable, Equatable {
    /// The ones ready when the pass starts, in the order they became ready (asyncio's `_run_once` runs
    /// `len(self._ready)` callbacks; curio's kernel `len(ready)` tasks).
    case asReady
    /// The ones ready when the pass starts, in that order or reversed with probability 1/2 each pass
    /// (trio/_core/_run.py, `unrolled_run`: `batch = list(runner.runq)`, `if _r.random() < 0.5:
    /// batch.reverse()`, then `batch.pop()` from the end).
    case eitherWay
}

/// An event loop: what one pass costs, which ready tasks a pass runs, and where CPU steps go.
public struct LoopTraits: Sendable, Equatable {
    /// Creating and first scheduling a task (`asyncio.create_task`).
    public var taskCreate: SimTime
    /// One pass of the loop (`_run_once`'s poll and bookkeeping), not counting the callbacks it runs.
    public var iteration: SimTime
    /// The pool CPU steps are handed to, nil when they run inline on the loop.
    public var offload: ThreadOffload?
    /// The offload pool's size when CPU steps are inline (kept so that setting it has the same effect).
    public var poolSize: Int
    /// What the runtime adds to each task it resumes (Tornado's callbacks and futures), on the loop thread.
    public var perCallback: SimTime = .zero
    public var batch: BatchOrder = .asReady
    /// At most this many I/O calls in flight; the others wait in a queue (Tornado's max_clients).
    public var connectionLimit: Int?
    /// The loop's poll waits for its next timer in whole units of this, rounded up from when it began to
    /// wait (`Defaults.pollTimeoutResolution`); zero: to the nanosecond.
    public var pollResolution = Defaults.pollTimeoutResolution
    /// Whether a pool thread's result enters the loop's ready queue at once, ahead of the I/O its next poll
    /// finds: asyncio's `call_soon_threadsafe` appends its handle to `_ready` (base_events.py, `_call_soon`)
    /// before `_process_events` appends the poll's readers, as uvloop's (loop.pyx, `_append_ready_handle`);
    /// Twisted's `callFromThread` queues it for `runUntilCurrent`, which runs before `doIteration` polls
    /// (twisted/internet/base.py, `mainLoop`). Otherwise it comes back through the loop's wake-up socket to a
    /// system task that reads the socket in a pass of its own and wakes the result's task for the pass after:
    /// trio's `run_sync_soon` (trio/_core/_entry_queue.py, `EntryQueue.task`), curio's `wake`
    /// (curio/kernel.py, `_kernel_task`).
    public var threadResultsBeforePoll = false
}

extension LoopTraits {
    /// A loop whose CPU steps go to a pool of at most `size` threads when `offloads`, else run inline; the pool
    /// is asyncio's default executor (a ThreadPoolExecutor costing what `executor` says) when given.
    static func pool(_ taskCreate: SimTime, _ iteration: SimTime, _ size: Int, _ offloads: Bool,
                     executor costs: Costs? = nil) -> LoopTraits {
        let pool = costs.map { ThreadOffload.threadPoolExecutor(size, $0) } ?? ThreadOffload(maxThreads: size)
        return LoopTraits(taskCreate: taskCreate, iteration: iteration, offload: offloads ? pool : nil, poolSize: size)
    }
}

/// A thread pool the loop hands CPU steps to (`run_in_executor`, `to_thread.run_sync`, `deferToThread`).
public struct ThreadOffload: Sendable, Equatable {
    /// At most this many threads, started on demand (`ThreadPoolExecutor._adjust_thread_count`).
    public var maxThreads: Int
    /// A worker's own CPU per job, outside the job: its Python until the result is handed to the loop
    /// (`resultCPU`), its Python from there to the next job waiting in its queue (`workerCPU`), and, when the
    /// queue was empty, its sleep there and wake-up (`wakeCPU`, system time with the GIL released). Measured for
    /// concurrent.futures' ThreadPoolExecutor (`costs.executor_result_cpu`, `executor_worker_cpu`,
    /// `executor_wake_cpu`); trio's and curio's as multiples of those (`threadCache`); zero for the pools not
    /// measured (Twisted's, eventlet's tpool, gevent's resolver).
    public var resultCPU: SimTime = .zero
    public var workerCPU: SimTime = .zero
    public var wakeCPU: SimTime = .zero
    /// Whether each job is handed to one thread, which runs that job and no other: trio's thread cache gives
    /// it to the idle thread listed last, or to a new one (trio/_core/_thread_cache.py, `start_thread_soon`:
    /// `_idle_workers.popitem()`, then that worker's own lock released), curio's WorkerPool the same way
    /// (curio/workers.py, `WorkerPool.reserve`: `workers.pop()`, then `start_evt.set()`). Otherwise the jobs
    /// share one queue, and a worker finishing a job takes the next queued one without sleeping, ahead of the
    /// thread woken for it (concurrent.futures' `_worker`: `work_queue.get`).
    public var handsToOneWorker = false
    /// Whether a worker, its result handed over, waits until the task has taken it, then runs its way back:
    /// curio's `run_callable` ends in `done_evt.wait()`, which the task's `apply` sets once it resumes, and the
    /// task puts the worker back in the pool (`worker.release()`) there (curio/workers.py, `ThreadWorker.apply`).
    /// The way back is `workerCPU` of Python.
    public var waitsForTheTask = false
}

extension ThreadOffload {
    /// concurrent.futures' ThreadPoolExecutor of at most `size` threads, whose workers cost what `costs` says.
    static func threadPoolExecutor(_ size: Int, _ costs: Costs) -> ThreadOffload {
        ThreadOffload(maxThreads: size, resultCPU: costs.executorResultCPU, workerCPU: costs.executorWorkerCPU,
                      wakeCPU: costs.executorWakeCPU)
    }

    /// At most `size` threads that each take one job at a time, handed to them (trio's thread cache, curio's
    /// WorkerPool), whose workers cost `scale` times a ThreadPoolExecutor's, part by part (`costs.trio_thread_worker`,
    /// `curio_thread_worker`: measured as a whole against asyncio's executor, calibrate.py `thread_trip_ratios`).
    static func threadCache(_ size: Int, _ costs: Costs, scale: Double) -> ThreadOffload {
        ThreadOffload(maxThreads: size, resultCPU: costs.executorResultCPU.scaled(by: scale),
                      workerCPU: costs.executorWorkerCPU.scaled(by: scale), wakeCPU: costs.executorWakeCPU.scaled(by: scale),
                      handsToOneWorker: true)
    }
}

extension Strategy.Kind {
    /// The model's set-up of this kind with these costs on a machine of `cores` cores.
    public func modelTraits(costs: Costs, cores: Int) -> ModelTraits {
        let descriptor = self.descriptor
        let scheduling: ModelTraits.Scheduling
        switch self {
        case .sync: scheduling = .sequential
        case .threads(let pool): scheduling = .osThreads(pool: pool)
        case .processes(let pool, let method): scheduling = .osProcesses(pool: pool, startMethod: method)
        case .gevent:
            scheduling = .greenlets(GreenletTraits(spawn: costs.greenletSpawn, switchCost: costs.greenletSwitch,
                                                   resolverPool: ThreadOffload(maxThreads: Defaults.geventThreadpoolSize),
                                                   callbacksReleaseGIL: true))
        case .asyncio(let workers, let inExecutor):
            var loop = LoopTraits.pool(costs.taskCreate, costs.loopIteration, workers ?? Defaults.executorWorkers(cores: cores),
                                       inExecutor, executor: costs)
            loop.threadResultsBeforePoll = true
            scheduling = .eventLoop(loop)
        case .uvloop(let workers, let inExecutor):
            // uvloop/loop.pyx: the same asyncio Task objects; run_in_executor hands the call to a
            // concurrent.futures.ThreadPoolExecutor like asyncio's; only the loop's own pass is cheaper.
            var loop = LoopTraits.pool(costs.taskCreate, costs.uvloopLoopIteration,
                                       workers ?? Defaults.executorWorkers(cores: cores), inExecutor, executor: costs)
            // libuv's timers count in the loop's own milliseconds (uv_now), not epoll's rounded timeout: not
            // measured here, so not modelled.
            loop.pollResolution = .zero
            loop.threadResultsBeforePoll = true
            scheduling = .eventLoop(loop)
        case .trio(let limit, let inThread):
            var loop = LoopTraits.pool(costs.taskCreate, costs.trioLoopIteration, limit, inThread)
            loop.offload = inThread ? .threadCache(limit, costs, scale: costs.trioThreadWorker) : nil
            loop.batch = .eitherWay
            scheduling = .eventLoop(loop)
        case .curio(let limit, let inThread):
            var loop = LoopTraits.pool(costs.taskCreate, costs.curioLoopIteration, limit, inThread)
            var pool = ThreadOffload.threadCache(limit, costs, scale: costs.curioThreadWorker)
            pool.waitsForTheTask = true
            loop.offload = inThread ? pool : nil
            scheduling = .eventLoop(loop)
        case .twisted(let limit, let inThread):
            var loop = LoopTraits.pool(costs.taskCreate, costs.twistedLoopIteration, limit, inThread)
            loop.threadResultsBeforePoll = true
            scheduling = .eventLoop(loop)
        case .tornado(let clients, let workers, let inExecutor):
            // tornado/platform/asyncio.py: BaseAsyncIOLoop.run_in_executor calls the asyncio loop's, so the
            // default executor is asyncio's.
            var loop = LoopTraits.pool(costs.taskCreate, costs.loopIteration, workers ?? Defaults.executorWorkers(cores: cores),
                                       inExecutor, executor: costs)
            loop.perCallback = costs.tornadoCallback
            loop.threadResultsBeforePoll = true
            loop.connectionLimit = clients
            scheduling = .eventLoop(loop)
        case .eventlet(let size, let inTpool):
            // eventlet/hubs/epolls.py (`Hub.wait`): with no socket to watch the hub waits in time.sleep, to the
            // microsecond, and polls (rounding to milliseconds) only while one is registered: taken as never.
            scheduling = .greenlets(GreenletTraits(spawn: costs.eventletSpawn, switchCost: costs.eventletSwitch,
                                                   offload: inTpool ? ThreadOffload(maxThreads: size) : nil,
                                                   pollResolution: .zero))
        case .interpreters(let pool):
            scheduling = .interpreters(pool: pool ?? Defaults.interpreterWorkers(cores: cores))
        case .tasklets:
            // No hub: a sleep blocks the thread in time.sleep (clock_nanosleep, to the microsecond).
            scheduling = .greenlets(GreenletTraits(spawn: costs.taskletSpawn, switchCost: costs.taskletSwitch,
                                                   monkeyPatched: false, yieldsBetweenSteps: true, pollResolution: .zero))
        }
        let timerWake: SimTime
        let wake = costs.timerWakeCPU
        switch self {
        // A thread sleeps on its own (Stackless's tasklets block theirs in time.sleep): its wake-up, the
        // `threads` figure, is inside the GIL race after a sleep as `simulate calibrate` measured it
        // ("Which waiter gets the GIL"); charged again it moved the sleeper's first switch from 0.15+ to 0.09.
        case .sync, .threads, .processes, .interpreters, .tasklets: timerWake = .zero
        case .gevent: timerWake = wake[.gevent] ?? .zero
        // eventlet's hub waits for its next timer in time.sleep (eventlet/hubs/epolls.py, above): a thread's sleep.
        case .eventlet: timerWake = wake[.threads] ?? .zero
        // uvloop, Tornado (asyncio's loop) and Twisted (its reactor's poll) not measured apart: taken as asyncio's.
        case .asyncio, .uvloop, .tornado, .twisted: timerWake = wake[.asyncio] ?? .zero
        case .trio: timerWake = wake[.trio] ?? .zero
        case .curio: timerWake = wake[.curio] ?? .zero
        }
        return ModelTraits(scheduling: scheduling, reusesConnections: descriptor.harness.connection == .reuse,
                           host: descriptor.host, timerWake: timerWake)
    }
}
