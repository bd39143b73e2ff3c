import SimEngine
import SimScenario
import SimTrace

/// What each strategy's threads do: the article's programs, as state machines over `TaskStep`s.
extension Simulation {
    /// The next action of thread `t`'s program; after a wait, first the cold wake-up's CPU.
    // Inlined, with `programAction`, `runnerAction`, `taskStep` and (Simulation+Threads) `beginBurst`: a thread's
    // next action went through five calls, each saving and restoring registers (1.9% of the benchmark's
    // instructions together). `startSegment` inlined as well made it 1% more.
    @inline(__always) mutating func nextAction(_ t: Int) -> Action {
        if threads[t].waitingSince != .never {
            // A thread back from a wait runs its first work slower (its vCPU halted and its caches went cold:
            // docs/model.md, "The cold wake-up"): paid as Python, before whatever it does next.
            var cold = costs.coldWake(after: now - threads[t].waitingSince)
            threads[t].waitingSince = .never
            if threads[t].wokenByTimer {
                // Its poll returned for a timer: the wake-up and the pass that runs the due timers (`hostTimerWake`).
                threads[t].wokenByTimer = false
                cold += hostTimerWake
            }
            if cold > .zero { return .burst(cold, .python) }
        }
        actingThread = Int32(id: t)
        let action = programAction(t)
        switch action {
        // Only a thread idle for want of work (a loop in its selector, a hub, a pool's worker on its queue):
        // the costs of the other waits were measured with their wake-up in them (an I/O call's CPU around
        // its wait, `Thread.start()` and `join()`), and a long I/O wait's wake-up from idle is `io_idle_overhead`.
        case .wait(.idle): threads[t].waitingSince = now
        case .wait, .block, .burst, .step, .finish, .continueInNewThread: break
        }
        return action
    }

    /// The next action of thread `t`'s program, by its role.
    @inline(__always) mutating func programAction(_ t: Int) -> Action {
        if !threads[t].started { signalStarted(t) }
        let awaited = Int(threads[t].awaitingStartOf)
        if awaited >= 0 {
            // Thread.start() waits on the new thread's `_started` event (Lib/threading.py).
            guard threads[awaited].started else { return .wait(.awaiting) }
            threads[t].awaitingStartOf = -1
        }
        switch threads[t].role {
        case .sequential: return sequentialAction(t)
        case .taskRunner: return runnerAction(t)
        case .spawner: return spawnerAction(t)
        case .hub: return hubAction(t)
        case .loop: return loopAction(t)
        case .executorWorker: return executorWorkerAction(t)
        case .localServer: return serverAction(t)
        case .poolResultHandler: return poolResultAction(t)
        case .poolWorkerHandler: return poolWorkerHandlerAction(t)
        }
    }

    // MARK: Tasks

    /// The next step of closing task `k`'s kept-alive connection after its last step, nil when there is none
    /// left: the client's own CPU closing it (`costs.session_close_cpu`: aiohttp's `ClientSession.close()`,
    /// which the harness's task awaits in its `finally`), then the socket's `close()`. A connection kept
    /// alive is closed there, not after the call that opened it (docs/model.md, "An aiohttp session is
    /// closed at its task's end").
    @inline(__always) mutating func closeStep(_ k: Int) -> TaskStep? {
        guard tasks[k].reuseConnections && tasks[k].connected else { return nil }
        tasks[k].closeSteps += 1
        switch tasks[k].closeSteps {
        case 1 where costs.sessionCloseCPU > .zero: return .ioCPU(costs.sessionCloseCPU)
        case 1, 2:
            tasks[k].closeSteps = 2
            tasks[k].connected = false
            return .syscall(costs.syscall)
        default: return nil
        }
    }

    /// Advances task `k` to its next step.
    ///
    /// An I/O call is what `urlopen(url).read()` does (strace on this machine): with a new connection,
    /// getaddrinfo, socket, connect, send, then recv waits for the answer, then close; with a reused one,
    /// send and recv. Every one of these releases the GIL (Py_BEGIN_ALLOW_THREADS in socketmodule.c).
    /// The step's Python CPU (plus `connectionCPU` before the send) runs in pieces between them, as
    /// `costs.io_call_shape` weighs them (`IOCallShape`; docs/model.md, "The shape of an I/O call").
    @inline(__always) mutating func taskStep(_ k: Int) -> TaskStep {
        while true {
            if tasks[k].op == nil {
                if tasks[k].closeSteps > 0 { return closeStep(k) ?? .done }
                guard let op = tasks[k].cursor.next() else { return closeStep(k) ?? .done }
                tasks[k].op = op
                tasks[k].part = 0
                tasks[k].opStart = now
            }
            let part = tasks[k].part
            tasks[k].part += 1
            switch tasks[k].op! {
            case .cpu(let d, let kind):
                if part == 0 { return .cpu(d, Self.burstKind(kind)) }
                if !tasks[k].background && !countsIO { operations += 1 }
                tasks[k].afterCPUStep = true
            case .io(var cpu, let latency, let newConnection):
                if part == 0 && !takeClientSlot(k) {
                    tasks[k].part = 0
                    return .waitForClientSlot
                }
                if part == 0 {
                    // A kept-alive connection (a session's pool, or `connection: reuse`) is opened by the
                    // task's first call, like any other.
                    tasks[k].connects = !tasks[k].connected || (newConnection && !tasks[k].reuseConnections)
                    tasks[k].connected = true
                    // A call that opens a connection while another call is in flight costs more client CPU
                    // than the same call alone (`costs.connection_overlap_cpu`, measured by calibrate.py's
                    // `overlapping_calls`); a call on a kept-alive connection does not (docs/model.md).
                    var surcharge = tasks[k].connects && callsInFlight > 0 ? costs.connectionOverlapCPU : .zero
                    // A call right after a CPU step of its task finds the client's code and data evicted
                    // (`costs.cold_request_cpu`, measured by calibrate.py's `cold_request`; docs/model.md).
                    if tasks[k].afterCPUStep { surcharge += costs.coldRequestCPU }
                    // The program's first call builds urllib's opener and the resolver (under gevent, the
                    // hub's resolver and its thread pool): `costs.program_first_call`, once. A child
                    // process's tasks pay `process_first_call` in their own process instead. With releases,
                    // that CPU runs between them, before getaddrinfo (`firstCallPiece`).
                    if programFirstCallDue && tasks[k].connects {
                        programFirstCallDue = false
                        let releases = Int32(costs.programFirstCallReleases)
                        if releases > 0 { tasks[k].firstCallPiecesLeft = 2 * releases } else { surcharge += costs.programFirstCall }
                    }
                    tasks[k].afterCPUStep = false
                    // The pool's worker runs part of the call's measured CPU (`costs.resolver_job`): the rest
                    // stays the caller's, so the call costs the process what calibrate.py measured.
                    tasks[k].lookupCPU = lookupsInPool && tasks[k].connects
                        ? min(costs.resolverJob, max(.zero, cpu + surcharge - .microseconds(1))) : .zero
                    surcharge -= tasks[k].lookupCPU
                    if surcharge != .zero {
                        cpu += surcharge
                        tasks[k].op = .io(cpu: cpu, latency: latency, newConnection: newConnection)
                    }
                    callsInFlight += 1
                }
                let connects = tasks[k].connects
                let extra = connects ? costs.connectionCPU : .zero
                func piece(_ i: Int) -> SimTime { ioPieces.piece(i, cpu: cpu, extra: extra, connects: connects) }
                // Before the wait: CPU, call, CPU, call... ending with send: 4 calls with a new connection
                // (getaddrinfo, socket, connect, send), 1 with a reused one (send).
                let calls: UInt8 = connects ? 4 : 1
                if part == 1 && tasks[k].firstCallPiecesLeft > 0 {
                    tasks[k].part = 1  // getaddrinfo waits for the import inside it
                    if let piece = firstCallPiece(k) { return piece }
                    continue
                }
                if part < 2 * calls {
                    if part % 2 == 0 { return .ioCPU(piece(Int(part / 2))) }
                    // connect() waits for the handshake; the others return without sleeping.
                    if connects && part == 5 { return .wait(costs.connectionSetup) }
                    if connects && part == 1 { return .lookup(costs.syscall) }
                    if part == 2 * calls - 1 {
                        // send(): the request leaves now; its answer comes a latency after the call returns.
                        // A wait long enough for the cores to go idle costs a wake-up from idle on top,
                        // more the longer it idled (docs/model.md, "The idle wake-up of a long wait").
                        let idle = costs.ioIdle(latency: latency)
                        let sent = now + costs.syscall
                        let turn = connects ? costs.serverAnswerNew : costs.serverAnswerReuse
                        let overhead = costs.ioOverhead(reusing: !connects)
                        if turn > .zero && serverThread >= 0 {
                            // A server on this machine (server.py) reads the request in its thread for
                            // the connection and counts the latency from then (`received` in its serve()):
                            // the answer's time is set when that thread has run (`serverAction`).
                            tasks[k].requestAt = sent
                            tasks[k].answerDelay = latency + overhead + idle
                            tasks[k].answerAt = .never
                            serverRequests.push(Int32(id: k))
                            if threads[Int(serverThread)].status == .blocked {
                                serverWoken = true
                                // send() wakes it once the call has released the GIL (`startSegment`); one
                                // wake-up reads every request queued by then.
                                if serverWaker < 0 { serverWaker = actingThread }
                            }
                        } else {
                            tasks[k].answerAt = sent + latency + overhead + idle
                            answerTimeSet(k)
                        }
                    }
                    return .syscall(costs.syscall)
                }
                // After the send: CPU before recv (http.client's getresponse), recv, CPU after it, and with a
                // new connection close and CPU after it. The pieces the even shape leaves empty are skipped.
                let sent = Int(calls)
                switch part - 2 * calls {
                case 0:
                    let d = piece(sent)
                    if d > .zero { return .ioCPU(d) }
                case 1:
                    // The answer arrives on its own clock. A caller that lost the GIL during send() and
                    // waited for it to come back may find the answer already there: recv() (or the loop's
                    // select) then returns at once, a short system call, with no wait and no wake-up
                    // (measured: an asyncio round trip beside a CPU-bound executor thread loses about one
                    // switch interval, not one for send() and another after the wait). Such a recv only copies
                    // what is queued: `ready_recv` (~5 us here), where a send wakes the server (`syscall`).
                    let answerAt = tasks[k].answerAt
                    if answerAt == .never {
                        // The local server has not read the request: sleep until it wakes this caller at
                        // the answer, then come back to this recv.
                        tasks[k].part = part
                        return .awaitAnswer
                    }
                    let remaining = answerAt - now
                    if tasks[k].answerWaiter >= 0 {
                        // Woken at the answer (or the server read it before the caller slept): recv
                        // returns it as after any wait.
                        tasks[k].answerWaiter = -1
                        if remaining <= .zero { continue }
                    }
                    return remaining > .zero ? .wait(remaining) : .syscall(costs.readyRecv)
                case 2: return .ioCPU(piece(sent + 1))
                case 3 where connects && !tasks[k].reuseConnections: return .syscall(costs.syscall)  // close
                case 4 where connects:
                    let d = piece(sent + 2)
                    if d > .zero { return .ioCPU(d) }
                default:
                    callsInFlight -= 1
                    if !tasks[k].background && countsIO { operations += 1 }
                    if tasks[k].holdsClientSlot { releaseClientSlot(k) }
                    tasks[k].op = nil
                    tasks[k].opsFinished &+= 1
                }
                continue
            case .sleep(let d):
                if part == 0 { tasks[k].afterCPUStep = false; return .wait(d) }
            }
            tasks[k].op = nil
            tasks[k].opsFinished &+= 1
        }
    }

    /// The next piece of the program's first call's import, inside its `getaddrinfo` before the GIL is
    /// released for the lookup: socketmodule.c's `socket_getaddrinfo` encodes the host with the "idna" codec, whose
    /// first use imports `encodings.idna`, `stringprep` and `unicodedata` (strace here, Python 3.11: 29 calls,
    /// `stat`, `openat`, `fstat`, `ioctl`, `lseek`, `read` and `close`, each inside Py_BEGIN_ALLOW_THREADS in
    /// posixmodule.c or _io/fileio.c; the extension module's dlopen holds the GIL). A short call, then its
    /// share of `program_first_call`'s CPU (less the calls' own time, which the measured thread CPU
    /// includes), `program_first_call_releases` times; the last share takes what rounding leaves, and an empty
    /// share is skipped (nil). Beside a thread that wants the GIL each call can lose it, as any short call.
    mutating func firstCallPiece(_ k: Int) -> TaskStep? {
        let left = tasks[k].firstCallPiecesLeft
        tasks[k].firstCallPiecesLeft = left - 1
        if left % 2 == 0 { return .syscall(costs.syscall) }
        let releases = Int64(costs.programFirstCallReleases)
        let cpu = max(0, costs.programFirstCall.nanoseconds - releases * costs.syscall.nanoseconds)
        let share = cpu / releases
        let piece = left == 1 ? cpu - share * (releases - 1) : share
        return piece > 0 ? .ioCPU(.nanoseconds(piece)) : nil
    }

    static func burstKind(_ kind: CPUKind) -> BurstKind {
        switch kind {
        case .python: return .python
        case .cHoldsGIL: return .cHoldsGIL
        case .cReleasesGIL: return .cReleasesGIL
        }
    }

    /// The thread runs its bootstrap, holding the GIL: `_bootstrap_inner` sets `_started`, which wakes the
    /// thread waiting in `Thread.start()`. That waiter then needs the GIL back, which the new thread
    /// holds: with `7777 ** n` as its first step, until the call ends. Threads therefore start one by one.
    mutating func signalStarted(_ t: Int) {
        threads[t].started = true
        let starter = Int(threads[t].starter)
        if starter >= 0 { wakeThread(starter) }
    }

    /// A task finished: its latency is now; when the last foreground task is done, the joiner wakes.
    mutating func taskDone(_ k: Int) {
        tasks[k].finished = true
        taskFinish[Int(tasks[k].instance)] = now
        guard !tasks[k].background else { return }
        foregroundRemaining -= 1
        if foregroundRemaining == 0 { wakeThread(Int(mainThread)) }
    }

    /// A thread's program ended.
    mutating func threadFinished(_ t: Int) {
        if t == Int(mainThread) { finished = true }
    }

    /// Maps a task step of task `k` onto its blocking OS thread `t`.
    mutating func threadAction(_ step: TaskStep, task k: Int, thread t: Int) -> Action? {
        switch step {
        case .cpu(let d, let kind): return .step(d, kind)
        case .ioCPU(let d): return .burst(d, .python)
        case .syscall(let d), .lookup(let d): return .burst(d, .syscall)
        case .wait(let d): return .block(d, .blocked)
        case .awaitAnswer:
            tasks[k].answerWaiter = Int32(id: t)
            tasks[k].waiterIsGreen = false
            return .wait(.blocked)
        case .done: return nil
        case .waitForClientSlot: preconditionFailure("only an event loop's HTTP client limits its fetches")
        }
    }

    // MARK: sync

    /// `sync`: the main thread runs each foreground task to its end, one after another.
    mutating func sequentialAction(_ t: Int) -> Action {
        while Int(threads[t].phase) < startOrder.count {
            let k = Int(startOrder[Int(threads[t].phase)])
            if let a = threadAction(taskStep(k), task: k, thread: t) { return a }
            taskDone(k)
            threads[t].phase += 1
        }
        return .finish
    }

    // MARK: threads and processes

    /// The main thread of `threads` and `processes`: start every worker (paying `Thread.start()` or
    /// `Process.start()`), then join the foreground ones.
    mutating func spawnerAction(_ t: Int) -> Action {
        while Int(threads[t].phase) < startOrder.count {
            if !threads[t].startPaid {
                threads[t].startPaid = true
                threads[t].startCallAt = now
                guard isProcesses else { return .burst(costs.threadStart, .python) }
                // The program's first start also starts what later ones reuse: forkserver's server, a new
                // interpreter the parent waits for (`ForkServer.ensure_running`). Its CPU is the server's, the
                // parent only waits; run on the parent's core, it is as serial and as costly. A first Pool
                // also imports multiprocessing.pool (`BaseContext.Pool`), its own measured cost.
                let first = threads[t].phase == 0 ? (isProcessPool ? poolFirstStartCost : processFirstStartCost) : .zero
                return .burst(costs.pickle + processSpawnCost + first, .python)
            }
            threads[t].startPaid = false
            let entry = startOrder[Int(threads[t].phase)]
            threads[t].phase += 1
            let worker = startWorker(task: entry, starter: t)
            if startWaitsForWorker {
                threads[t].awaitingStartOf = Int32(worker)
                return .wait(.awaiting)
            }
        }
        return foregroundRemaining > 0 ? .wait(.awaiting) : .finish
    }

    /// A worker thread, a child process's main thread or a thread with its own interpreter: runs its task
    /// (or pool tasks). An isolated worker (a process, an interpreter) first starts its interpreter, then
    /// receives each pool task's call and sends its result back through pickle.
    @inline(__always) mutating func runnerAction(_ t: Int) -> Action {
        let isolated = threads[t].isChildMain || threads[t].ownsInterpreter
        if isolated && threads[t].phase == 0 {
            threads[t].phase = 1
            // WorkerContext.initialize (Lib/concurrent/futures/interpreter.py): _interpreters.create() and the
            // init script, in the worker thread, before its first task.
            if threads[t].ownsInterpreter { return .burst(costs.interpreterStart, .starting) }
            // Imports and page faults slow more than bytecode when every core is busy (docs/model.md, "A spawn or
            // forkserver child runs the main script again").
            // A pool's worker also imports multiprocessing.pool as it unpickles its target (spawn, forkserver), and
            // exits only when the pool is closed, after the results: its start is without the child's exit.
            let start = threads[t].pooled
                ? max(.zero, processStartCost - processExitCost) + poolWorkerStartCost
                : processStartCost
            return .burst(start, .startUp(of: processStartMethod))
        }
        let handoff = threads[t].ownsInterpreter ? costs.interpreterHandoff : costs.pickle
        let poolWorker = threads[t].isChildMain && threads[t].pooled
        while true {
            var k = Int(threads[t].task)
            if k < 0 {
                guard threads[t].pooled, let next = taskQueue.pop() else { break }
                threads[t].task = next
                k = Int(next)
                // A process Pool's worker gets and unpickles each task (half its own CPU of a task; the other
                // half sends the result, below); an interpreter's worker runs `_run_pickled_func`: pickle.loads
                // of (fn, args, kwargs).
                if poolWorker { return .burst(costs.poolTaskCPU.scaled(by: 0.25), .python) }
                if isolated { return .burst(handoff, .python) }
            }
            var step = taskStep(k)
            if threads[t].isChildMain && !threads[t].firstCallMade, case .ioCPU(let d) = step, tasks[k].part == 1 {
                // The child's first I/O call builds what the parent never built for it (urllib's opener, the
                // resolver's state) and, forked, copies the pages that work writes: docs/model.md, "A child's
                // first call".
                threads[t].firstCallMade = true
                step = .ioCPU(d + processFirstCallCost)
            }
            if let a = threadAction(step, task: k, thread: t) { return a }
            if poolWorker {
                // The parent sees the task done when its result handler has read the result (`poolResultAction`).
                if let a = sendPoolResult(t, task: k) { return a }
                threads[t].task = -1
                continue
            }
            // A child process (an interpreter) pickles its result and sends it back before the parent sees
            // the task done (`_interpqueues.put`, pickled when not shareable).
            if isolated && threads[t].resultPhase == 0 {
                threads[t].resultPhase = 1
                return .burst(handoff, .python)
            }
            threads[t].resultPhase = 0
            taskDone(k)
            threads[t].task = -1
            if !threads[t].pooled { break }
        }
        return .finish
    }

    /// A process Pool worker's way from its task's end to the next task, nil once the result is sent:
    /// `SimpleQueue.put` (Lib/multiprocessing/queues.py) pickles the result, then writes it to the result pipe
    /// holding the pipe's lock, which every worker shares (`_wlock`). The write wakes the parent's result
    /// handler and worker handler, which can take this worker's core while it still holds the lock; a worker
    /// that finishes meanwhile sleeps on the lock, and its core may idle (docs/model.md, "A process Pool's
    /// result pipe and its worker handler").
    mutating func sendPoolResult(_ t: Int, task k: Int) -> Action? {
        switch threads[t].resultPhase {
        case 0:
            threads[t].resultPhase = 1
            return .burst(costs.poolTaskCPU.scaled(by: 0.25), .python)  // the result's pickling
        case 1:
            if resultLockHolder >= 0 {
                // Asleep on the lock between two tasks: idle, as the measured side shows a worker between tasks
                // (and, as after any idle wait, its next work pays the cold wake-up).
                resultLockWaiters.push(Int32(id: t))
                return .wait(.idle)
            }
            resultLockHolder = Int32(id: t)
            threads[t].resultPhase = 2
            // The write wakes the readers as it runs (pipe_write's wake-up); they may preempt the writer before
            // it returns and releases the lock.
            resultsUnread.push(Int32(k))
            wakePoolHandler(poolResultHandler, writer: t)
            wakePoolHandler(poolWorkerHandler, writer: t)
            return .burst(costs.poolTaskCPU.scaled(by: 0.5), .syscall)
        default:
            threads[t].resultPhase = 0
            resultLockHolder = -1
            if let next = resultLockWaiters.pop() { wakeThread(Int(next)) }
            return nil
        }
    }

    /// Wakes a Pool handler of the parent asleep on the result pipe, as the pipe's writer `writer` wakes it.
    @inline(__always) mutating func wakePoolHandler(_ h: Int32, writer: Int) {
        guard h >= 0, threads[Int(h)].status == .blocked else { return }
        threads[Int(h)].syncWaker = Int32(id: writer)
        wakeThread(Int(h))
    }

    /// The parent's result handler (`Pool._handle_results`): reads the next result from the pipe (it needs the
    /// parent's GIL for that), unpickles and sets it; the task is done for the program then.
    mutating func poolResultAction(_ t: Int) -> Action {
        let k = Int(threads[t].task)
        if k >= 0 {
            threads[t].task = -1
            taskDone(k)
        }
        guard let next = resultsUnread.pop() else { return .wait(.blocked) }
        threads[t].task = next
        return .burst(costs.poolResultCPU, .python)
    }

    /// The parent's worker handler (`Pool._handle_workers`): its `wait()` includes the result pipe's reader
    /// (`Pool._get_sentinels`, Lib/multiprocessing/pool.py since 3.8, bpo-35493), so each result written wakes
    /// it, and while the result waits unread `wait()` returns at once: it goes round `_maintain_pool` and
    /// `wait()` (Python with the GIL, then their system calls without) until the result handler has read it.
    mutating func poolWorkerHandlerAction(_ t: Int) -> Action {
        // A turn of no time would go round forever at one instant: no busy wait then.
        guard costs.poolHandlerTurn > .zero else { return .wait(.blocked) }
        switch threads[t].phase {
        case 1:
            threads[t].phase = 2
            return .burst(costs.poolHandlerCalls, .syscall)
        case 2 where resultsUnread.isEmpty:
            threads[t].phase = 0
            return .wait(.blocked)
        default:
            threads[t].phase = 1
            return .burst(costs.poolHandlerTurn - costs.poolHandlerCalls, .python)  // (calls ≤ a turn above zero: SettingsReader)
        }
    }

    /// Whether `start()` returns only once the new worker has run: a thread's and an interpreter's (the
    /// `_started` event, Lib/threading.py), and a spawned child's: spawn forks with vfork(), which suspends the
    /// parent until the child has run its exec (`_posixsubprocess.fork_exec` with `allow_vfork`, called by
    /// multiprocessing.util's `spawnv_passfds`). fork and forkserver children are not waited for.
    var startWaitsForWorker: Bool { !isProcesses || processStartMethod == .spawn }

    var isProcesses: Bool {
        if case .osProcesses = traits.scheduling { return true } else { return false }
    }

    var isInterpreters: Bool {
        if case .interpreters = traits.scheduling { return true } else { return false }
    }

    /// The parent's serial share of starting one child (`costs.process_spawn`).
    var processSpawnCost: SimTime { startMethodCost(costs.processSpawn) }

    /// The extra CPU of a child's first blocking I/O call (`costs.process_first_call`).
    var processFirstCallCost: SimTime { startMethodCost(costs.processFirstCall) }

    /// The extra of the program's first start (`costs.process_first_start`: forkserver's server).
    var processFirstStartCost: SimTime { startMethodCost(costs.processFirstStart) }

    /// The extra of the program's first `Pool()` (`costs.pool_first_start`: its imports, forkserver's server).
    var poolFirstStartCost: SimTime { startMethodCost(costs.poolFirstStart) }

    /// What a pool worker's start costs beyond a Process child's (`costs.pool_worker_start`).
    var poolWorkerStartCost: SimTime { startMethodCost(costs.poolWorkerStart) }

    /// The part of a child's start that is its exit (`costs.process_exit`).
    var processExitCost: SimTime { startMethodCost(costs.processExit) }

    /// Whether this strategy's processes are a `Pool(n)`'s workers.
    var isProcessPool: Bool {
        if case .osProcesses(.some, _) = traits.scheduling { return true } else { return false }
    }

    /// The child's own share of its start (`costs.process_start`).
    var processStartCost: SimTime { startMethodCost(costs.processStart) }

    /// How this strategy starts its child processes; nil for a strategy without them.
    @inline(__always) var processStartMethod: StartMethod? {
        if case .osProcesses(_, let method) = traits.scheduling { return method }
        return nil
    }

    /// A per-start-method cost for this strategy's processes; zero for any other strategy.
    @inline(__always) func startMethodCost(_ perMethod: [StartMethod: SimTime]) -> SimTime {
        processStartMethod.map { perMethod[$0] ?? .zero } ?? .zero
    }

    // MARK: gevent

    /// gevent and eventlet: the main thread spawns a greenlet per task, then runs the hub. A greenlet runs
    /// until it waits on the hub (I/O, sleep); CPU steps never yield, unless handed to a thread pool
    /// (eventlet's `tpool.execute`: the greenlet waits on the hub for the worker's result).
    /// Tasklets: no hub and no monkey patching. A tasklet's I/O call or sleep blocks the one thread (every
    /// tasklet waits); after each step it calls `schedule()` and the next ready tasklet runs, round robin.
    mutating func hubAction(_ t: Int) -> Action {
        let green = self.green!
        if Int(threads[t].phase) < startOrder.count {
            let k = startOrder[Int(threads[t].phase)]
            threads[t].phase += 1
            addGreen(task: k, kind: .greenlet)
            return .burst(green.spawn, .python)
        }
        while true {
            let g = Int(threads[t].currentGreen)
            if g >= 0 {
                if greens[g].returningFromExecutor {
                    // tpool's worker signals the hub through its pipe; the greenlet takes the result.
                    greens[g].returningFromExecutor = false
                    return .burst(costs.executorHandoff / 2, .python)
                }
                let k = Int(greens[g].task)
                let step: TaskStep
                if let pending = greens[g].pendingStep {
                    greens[g].pendingStep = nil
                    step = pending
                } else {
                    let finishedBefore = tasks[k].opsFinished
                    step = taskStep(k)
                    if green.yieldsBetweenSteps && tasks[k].opsFinished != finishedBefore, !step.isDone {
                        // stackless.schedule() after the step: to the back of the run queue.
                        greens[g].pendingStep = step
                        suspendGreen(g, host: t, state: .runnable)
                        readyGreens.push(Int32(g))
                        continue
                    }
                }
                switch step {
                case .cpu(let d, let kind):
                    guard green.offload != nil else { return .step(d, kind) }
                    let startsWorker = submitToExecutor(g, d, kind)
                    suspendGreen(g, host: t, state: .awaiting)
                    return .burst(green.switchCost + costs.executorHandoff / 2 + (startsWorker ? costs.threadStart : .zero), .python)
                case .ioCPU(let d): return .burst(d, .python)
                case .syscall(let d): return .burst(d, .syscall)
                case .lookup(let d):
                    guard lookupsInPool else { return .burst(d, .syscall) }
                    // gevent.resolver.thread: `pool.apply(getaddrinfo)` queues the job, starts a native
                    // thread if none is idle (gevent/threadpool.py, `spawn` and `adjust`; start_new_thread does
                    // not wait for it to run), and the greenlet waits on its AsyncResult through the hub.
                    submitLookup(g, d)
                    suspendGreen(g, host: t, state: .blocked)
                    return .burst(green.switchCost, .python)
                case .wait(let d):
                    // Not monkey patched: the blocking call blocks the thread, with the tasklet on it.
                    guard green.monkeyPatched else { return .block(d, .blocked) }
                    suspendGreen(g, host: t, state: .blocked)
                    schedule(.greenReady, Int32(g), token: readyToken(k), after: d)
                    return .burst(green.switchCost, .python)
                case .awaitAnswer:
                    guard green.monkeyPatched else {
                        tasks[k].answerWaiter = Int32(id: t)
                        tasks[k].waiterIsGreen = false
                        return .wait(.blocked)
                    }
                    tasks[k].answerWaiter = Int32(id: g)
                    tasks[k].waiterIsGreen = true
                    suspendGreen(g, host: t, state: .blocked)
                    return .burst(green.switchCost, .python)
                case .done:
                    finishGreen(g, host: t)
                    return .burst(green.switchCost, .python)
                case .waitForClientSlot:
                    preconditionFailure("only an event loop's HTTP client limits its fetches")
                }
            }
            if foregroundRemaining == 0 { return .finish }
            guard let next = readyGreens.pop() else { return .wait(.idle) }
            threads[t].currentGreen = next
            if green.callbacksReleaseGIL { callbackReleasesGIL(t) }
            return .burst(green.switchCost, .python)
        }
    }

    /// The hub's callback ended and the next one began: `GIL_RELEASE` then `GIL_ENSURE` (gevent's callbacks.c),
    /// a few microseconds of libev apart. drop_gil signals a thread asleep in take_gil, which wakes to find the
    /// GIL taken again and waits anew (a whole interval before it may ask for a drop). Taken as instantaneous:
    /// no waiter wakes within it. A pending drop request is honoured at the end of the hub's burst instead.
    mutating func callbackReleasesGIL(_ t: Int) {
        let p = Int(threads[t].process)
        guard processes[p].gil.sleeperCount > 0, !processes[p].gil.dropRequest else { return }
        signalOneSleeper(process: p)
    }

    // MARK: asyncio

    /// asyncio and the loops built like it: the main thread creates a task per coroutine (`gather`), then
    /// runs passes: poll, then run exactly the tasks ready at that moment (in that order, or for trio in
    /// either order). Awaited I/O parks the coroutine; CPU steps go to the loop's thread pool (or run inline,
    /// blocking the loop). Tornado adds a cost to every resumed coroutine and at most `max_clients` fetches
    /// at once.
    mutating func loopAction(_ t: Int) -> Action {
        let loop = self.loop!
        if Int(threads[t].phase) < startOrder.count {
            let k = startOrder[Int(threads[t].phase)]
            threads[t].phase += 1
            addGreen(task: k, kind: .coroutine)
            return .burst(loop.taskCreate, .python)
        }
        while true {
            let g = Int(threads[t].currentGreen)
            if g >= 0 {
                if greens[g].returningFromExecutor {
                    // The future's result, set through call_soon_threadsafe, wakes the task.
                    greens[g].returningFromExecutor = false
                    if greens[g].jobWorker >= 0 { releaseWorker(Int(greens[g].jobWorker)); greens[g].jobWorker = -1 }
                    return .burst(costs.executorHandoff / 2, .python)
                }
                let k = Int(greens[g].task)
                switch taskStep(k) {
                case .cpu(let d, let kind):
                    guard loop.offload != nil else { return .step(d, kind) }
                    let startsWorker = submitToExecutor(g, d, kind)
                    suspendGreen(g, host: t, state: .awaiting)
                    return .burst(costs.executorHandoff / 2 + (startsWorker ? costs.threadStart : .zero), .python)
                case .ioCPU(let d):
                    return .burst(d, .python)
                case .syscall(let d), .lookup(let d):
                    return .burst(d, .syscall)
                case .wait(let d):
                    suspendGreen(g, host: t, state: .blocked)
                    schedule(.greenReady, Int32(g), token: readyToken(k), after: d)
                case .awaitAnswer:
                    tasks[k].answerWaiter = Int32(id: g)
                    tasks[k].waiterIsGreen = true
                    suspendGreen(g, host: t, state: .blocked)
                case .done:
                    finishGreen(g, host: t)
                case .waitForClientSlot:
                    clientQueue.push(Int32(g))
                    suspendGreen(g, host: t, state: .awaiting)
                }
                continue
            }
            if loopBatchRemaining > 0, let next = readyGreens.pop() {
                loopBatchRemaining -= 1
                loopBatchRunning = true
                if next == Self.entryTask {
                    // The system task reads the wake-up socket (a recv whose bytes are there, the GIL released)
                    // and wakes the results' tasks for the next pass.
                    entryTaskReady = false
                    while let r = threadResults.pop() { readyGreens.push(r) }
                    return .burst(costs.readyRecv, .syscall)
                }
                threads[t].currentGreen = next
                if loop.perCallback > .zero { return .burst(loop.perCallback, .python) }
                continue
            }
            if foregroundRemaining == 0 { return .finish }
            if readyGreens.isEmpty { return .wait(.idle) }
            loopBatchRemaining = readyGreens.count
            loopBatchRunning = false
            // trio runs its batch with batch.pop() from the end, reversed first half the time: the tasks
            // that became ready last go first unless the coin says otherwise.
            if loop.batch == .eitherWay && rng.nextUnit() >= 0.5 { readyGreens.reverse() }
            return .burst(loop.iteration, .python)
        }
    }

    /// Tornado's AsyncHTTPClient (tornado/simple_httpclient.py, `fetch_impl`): a fetch starts while fewer than
    /// `max_clients` are active, else it waits in the client's queue until one finishes (`_release_fetch`
    /// then `_process_queue` hands the slot on). Returns false when task `k`'s fetch must wait for a slot.
    mutating func takeClientSlot(_ k: Int) -> Bool {
        guard clientLimit > 0, !tasks[k].holdsClientSlot else { return true }
        guard clientsActive < clientLimit else { return false }
        clientsActive += 1
        tasks[k].holdsClientSlot = true
        return true
    }

    /// Task `k`'s fetch is over: its slot goes to the first queued fetch, or is free.
    mutating func releaseClientSlot(_ k: Int) {
        tasks[k].holdsClientSlot = false
        if let g = clientQueue.pop() {
            tasks[Int(greens[Int(g)].task)].holdsClientSlot = true
            greenBecameReady(Int(g))
        } else {
            clientsActive -= 1
        }
    }

    /// `run_in_executor`: queue the job; wake an idle worker, or start a new one while fewer than
    /// max_workers exist (ThreadPoolExecutor._adjust_thread_count). Returns whether a thread was started.
    mutating func submitToExecutor(_ g: Int, _ d: SimTime, _ kind: BurstKind) -> Bool {
        greens[g].jobDuration = d
        greens[g].jobKind = kind
        guard let worker = queueForWorker(g, name: LaneNames.executorWorker, toOneWorker: loop?.offload?.handsToOneWorker ?? false) else { return false }
        // ThreadPoolExecutor._adjust_thread_count calls t.start(), which waits until the worker has started.
        threads[worker].starter = mainThread
        threads[Int(mainThread)].awaitingStartOf = Int32(worker)
        return true
    }

    /// gevent's resolver: green thread `g`'s getaddrinfo (`d` long) goes to the hub's thread pool; an idle
    /// worker is woken, or a new one started while fewer than the pool's size exist. The hub goes on: the pool
    /// starts its threads with start_new_thread, which does not wait for them.
    mutating func submitLookup(_ g: Int, _ d: SimTime) {
        greens[g].jobDuration = d
        greens[g].jobIsLookup = true
        if let started = queueForWorker(g, name: LaneNames.geventThreadpoolWorker) { threads[started].countsCoreWait = false }
    }

    /// Queues `g`'s job for the pool's workers: wakes an idle one, or starts the k-th, named `name(k)`, while
    /// fewer than `executorMaxWorkers` exist. Returns the started thread, nil if none was. `toOneWorker`
    /// (`ThreadOffload.handsToOneWorker`: trio, curio): the job is that thread's own, no other worker takes it;
    /// otherwise it joins the pool's queue. With every worker busy and none to start it waits in the queue.
    mutating func queueForWorker(_ g: Int, name: (Int) -> String, toOneWorker: Bool = false) -> Int? {
        let worker: Int
        var started: Int?
        if let w = idleWorkers.popLast() {
            worker = Int(w)
            threads[worker].listedIdle = false
            // (A curio worker listed on its way back from its task has not gone to sleep yet: no wake-up to pay.)
            threads[worker].wokeForJob = threads[worker].status == .blocked
        } else if executorWorkerCount < executorMaxWorkers {
            let k = executorWorkerCount
            executorWorkerCount += 1
            worker = addThread(process: 0, role: .executorWorker, name: name(k))
            started = worker
        } else {
            executorJobs.push(Int32(g))
            return nil
        }
        if toOneWorker { giveJob(Int32(g), to: worker) } else { executorJobs.push(Int32(g)) }
        if started == nil { wakeThread(worker) }
        return started
    }

    /// Worker `t` runs green thread `g`'s job next, from its first part.
    @inline(__always) mutating func giveJob(_ g: Int32, to t: Int) {
        threads[t].job = g
        threads[t].jobPart = 0
    }

    /// curio: the task that took its job's result sets the worker's `done_evt` and puts it back in the pool
    /// (`ThreadWorker.apply`'s `finally`, then `run_in_thread`'s `worker.release()`): the worker is listed
    /// idle at once and woken for its way back to `start_evt.wait()`.
    mutating func releaseWorker(_ w: Int) {
        threads[w].backFromTask = true
        // A job waiting for a worker (beyond the pool's size) is handed to it at once.
        if let g = executorJobs.pop() {
            giveJob(g, to: w)
        } else if !threads[w].listedIdle {
            threads[w].listedIdle = true
            idleWorkers.append(Int32(w))
        }
        wakeThread(w)
    }

    /// The local server (server.py, on this machine): its accept loop starts a thread for each new
    /// connection (`threading.Thread(target=serve).start()`), and that thread reads the request and only
    /// then counts the latency; a kept-alive connection's thread is already there, asleep in recv. One
    /// thread stands for them all, since they run one at a time under server.py's GIL: for a new connection
    /// it first goes on as a thread just created (`.continueInNewThread`: it waits for a core as a new
    /// thread does), then reads the request (the answer's time is set, and its caller woken at it), then
    /// runs the request's turn, the server's CPU for it (measured with its wake-ups in it: no cold
    /// wake-up). Its CPU is Python and system calls, released from the program's GIL (another process).
    mutating func serverAction(_ t: Int) -> Action {
        guard let first = serverRequests.first else { return .wait(.blocked) }
        let k = Int(first)
        if tasks[k].connects {
            // The accept loop blocks in start() until the new thread runs: with no thread waiting for a
            // core, the new one takes the loop's; otherwise it queues behind them as a new thread.
            if !serverStartingThread && anyThreadWaiting {
                serverStartingThread = true
                serverWoken = false
                return .continueInNewThread
            }
            serverStartingThread = false
        }
        _ = serverRequests.pop()
        // Woken by this request, it reads it on time (its wake-up is in the call's measured costs) unless it
        // waited for a core; going on from an earlier request, it reads now.
        var received = max(now, tasks[k].requestAt)
        if serverWoken {
            serverWoken = false
            received = tasks[k].requestAt + threads[t].dispatchedAt.since(threads[t].runnableSince)
        }
        tasks[k].answerAt = received + tasks[k].answerDelay
        answerTimeSet(k)
        deliverAnswer(k)
        return .burst(tasks[k].connects ? costs.serverAnswerNew : costs.serverAnswerReuse, .cReleasesGIL)
    }

    /// Task `k`'s answer time is set: a foreground call's lateness is kept (`RunMetrics.answerLate`).
    @inline(__always) mutating func answerTimeSet(_ k: Int) {
        guard !tasks[k].background, case .io(_, let latency, _)? = tasks[k].op else { return }
        answerLate.append(tasks[k].answerAt - tasks[k].opStart - latency)
    }

    /// Task `k`'s answer time is set: its caller, if asleep waiting for it, wakes at it.
    mutating func deliverAnswer(_ k: Int) {
        let w = Int(tasks[k].answerWaiter)
        guard w >= 0 else { return }
        let delay = max(.zero, tasks[k].answerAt - now)
        if tasks[k].waiterIsGreen {
            schedule(.greenReady, Int32(id: w), token: 0, after: delay)
        } else if threads[w].status == .blocked {
            // (Not yet asleep, it waits for a GIL switch first, then asks its program again and finds the answer.)
            threads[w].status = .waking
            threads[w].resumeAction = .proceed
            threads[w].coreWaitSince = now + delay
            scheduleWake(w, after: delay)
        }
    }

    /// An executor worker: run queued CPU steps; hand each result back with call_soon_threadsafe (which
    /// needs the GIL, and wakes the loop through its self-pipe); sleep on the queue when it is empty.
    /// A ThreadPoolExecutor's worker runs code of its own around each job (`ThreadOffload`): the wake-up from
    /// its queue's wait if it slept there (system time, the GIL released), its Python out of the queue (the way
    /// back to it after its last job, `set_running_or_notify_cancel`), the job, then `set_result` and
    /// `call_soon_threadsafe`, whose self-pipe write makes the task ready (Lib/concurrent/futures/thread.py
    /// `_worker`, `_WorkItem.run`; Lib/asyncio/futures.py `_chain_future`). A curio worker then waits for its
    /// task (`ThreadOffload.waitsForTheTask`) and runs the `workerCPU` part on its way back (`backFromTask`).
    ///
    /// A lookup job (gevent's resolver) runs in three parts, the worker's share of the call's CPU
    /// (`TaskRun.lookupCPU`: `resolver_job`, at most what the call has) split around the call: its Python
    /// after the queue woke it (gevent/threadpool.py, `_WorkerGreenlet.run`), getaddrinfo (the GIL released),
    /// then `ThreadResult.set`, whose async watcher wakes the hub, and the rest of its Python back to the
    /// queue. Each part that runs Python first takes the GIL.
    mutating func executorWorkerAction(_ t: Int) -> Action {
        if threads[t].backFromTask {
            threads[t].backFromTask = false
            if let cpu = loop?.offload?.workerCPU, cpu > .zero { return .burst(cpu, .python) }
        }
        var done = Int(threads[t].job)
        if done >= 0 && greens[done].jobIsLookup {
            threads[t].jobPart &+= 1
            switch threads[t].jobPart {
            case 1: return .burst(greens[done].jobDuration, .syscall)
            case 2:
                greenBecameReady(done)
                let job = tasks[Int(greens[done].task)].lookupCPU
                return .burst(job - job / 2, .python)
            default:
                threads[t].job = -1
                greens[done].jobIsLookup = false
                done = -1
            }
        }
        if done < 0, !threads[t].listedIdle, let g = executorJobs.pop() {
            giveJob(g, to: t)
            if greens[Int(g)].jobIsLookup {
                threads[t].wokeForJob = false  // gevent's resolver pool: its wake-up is in `resolver_job`
                return .burst(tasks[Int(greens[Int(g)].task)].lookupCPU / 2, .python)
            }
            done = Int(g)
        }
        if done >= 0 {
            // A CPU step's job, part by part: 1 the wake-up from the queue's wait (if it slept there), 2 the
            // worker's Python out of the queue, 3 the step, 4 the Python that hands the result back; a part
            // that costs nothing is skipped.
            let pool = loop?.offload ?? green?.offload
            while true {
                threads[t].jobPart &+= 1
                switch threads[t].jobPart {
                case 1:
                    let woke = threads[t].wokeForJob
                    threads[t].wokeForJob = false
                    if woke, let cpu = pool?.wakeCPU, cpu > .zero { return .burst(cpu, .syscall) }
                // (curio's worker runs that Python on its way back from the task, `releaseWorker`.)
                case 2: if let cpu = pool?.workerCPU, cpu > .zero, pool?.waitsForTheTask != true { return .burst(cpu, .python) }
                case 3: return .step(greens[done].jobDuration, greens[done].jobKind)
                case 4: if let cpu = pool?.resultCPU, cpu > .zero { return .burst(cpu, .python) }
                default:
                    threads[t].job = -1
                    greens[done].returningFromExecutor = true
                    greenBecameReady(done, threadsafe: true)
                    if pool?.waitsForTheTask == true {
                        // curio's `done_evt.wait()`, until the task resumes (`releaseWorker`).
                        greens[done].jobWorker = Int32(t)
                        return .wait(.idle)
                    }
                    return executorWorkerAction(t)
                }
            }
        }
        if !threads[t].listedIdle {
            threads[t].listedIdle = true
            idleWorkers.append(Int32(t))
        }
        return .wait(.idle)
    }

    // MARK: Greenlets and coroutines

    /// Parks the running greenlet or coroutine: its lane shows `state`, the host thread goes on alone.
    mutating func suspendGreen(_ g: Int, host t: Int, state: LaneState) {
        recorder.set(Int(greens[g].lane), state, at: now)
        threads[t].currentGreen = -1
    }

    mutating func finishGreen(_ g: Int, host t: Int) {
        greens[g].finished = true
        recorder.set(Int(greens[g].lane), nil, at: now)
        threads[t].currentGreen = -1
        taskDone(Int(greens[g].task))
    }

    /// A greenlet's or coroutine's wait is over (or its executor job is done): it is ready, and the hub or
    /// loop thread wakes if it sleeps in the selector.
    mutating func greenBecameReady(_ g: Int, byTimer: Bool = false, threadsafe: Bool = false) {
        if threadsafe, loop?.threadResultsBeforePoll == true {
            // The result goes ahead of the I/O that no poll has handed over yet (`LoopTraits.
            // threadResultsBeforePoll`). The pool thread holds the GIL here, so the loop does not: either its
            // pass has not begun (it waits to take the GIL back from its poll, whose events `_process_events`
            // then appends after this), and the result runs first in it; or the pass runs its callbacks, and
            // the result runs first in the next, ahead of the answers that came in meanwhile.
            if loopBatchRemaining > 0 && !loopBatchRunning {
                readyGreens.insert(Int32(g), at: 0)
                loopBatchRemaining += 1
            } else {
                readyGreens.insert(Int32(g), at: min(loopBatchRemaining, readyGreens.count))
            }
        } else if threadsafe, loop != nil {
            // trio's `run_sync_soon` and curio's `wake` queue the result and write to the loop's wake-up socket
            // (trio/_core/_entry_queue.py, `EntryQueue`; curio/kernel.py, `wake`): a system task woken by the
            // socket takes the queued results in a pass of its own (`EntryQueue.task`'s `run_all_bounded`,
            // curio's `_kernel_task`), and the tasks they wake run in the pass after it.
            threadResults.push(Int32(g))
            if !entryTaskReady {
                entryTaskReady = true
                readyGreens.push(Self.entryTask)
            }
        } else {
            readyGreens.push(Int32(g))
        }
        // Tested here, as the GIL's marks: the recorder is in another module, and its call costs even when it
        // does nothing.
        if recorder.enabled { recorder.set(Int(greens[g].lane), .runnable, at: now) }
        let host = Int(mainThread)
        guard threads[host].status == .blocked else { return }
        let resolution = loop?.pollResolution ?? green?.pollResolution ?? .zero
        if byTimer && resolution > .zero {
            // The loop went to sleep in its poll with this timer's time as its timeout, which the poll rounds up
            // to whole milliseconds from when it began to wait (`Defaults.pollTimeoutResolution`): it returns
            // then, not at the timer. An I/O event or another wake-up before that wakes it at once.
            let slept = now.since(threads[host].idleSince)
            let units = (slept.nanoseconds + resolution.nanoseconds - 1) / resolution.nanoseconds
            let returns = threads[host].idleSince.advanced(by: SimTime(nanoseconds: units * resolution.nanoseconds))
            if returns > now {
                schedule(.pollTimeout, Int32(id: host), token: threads[host].epoch, after: returns - now)
                return
            }
        }
        // Idle in its poll (not blocked in a call of its own): the wake-up is the timer's.
        if byTimer && threads[host].waitingSince != .never { threads[host].wokenByTimer = true }
        wakeLoop(host)
    }

    /// The loop's or hub's thread, asleep in its selector, is woken.
    mutating func wakeLoop(_ host: Int) {
        if recorder.enabled { recorder.mark(.loopWakeup, lane: Int(threads[host].lane), at: now) }
        wakeThread(host)
    }

    /// `greenReady`'s token: whether the green thread's wait is a sleep (a timer of its loop or hub, which the
    /// poll's rounding delays) or I/O (an event that ends the poll at once).
    @inline(__always) func readyToken(_ k: Int) -> UInt32 {
        if case .sleep = tasks[k].op { return Self.timerToken }
        return 0
    }
}
