import SimEngine
import SimScenario
import SimTrace

/// Building the threads, processes and tasks of a strategy.
extension Simulation {
    /// Prepares the run: the main process and thread, the task instances and what the main thread starts.
    mutating func setUp() throws {
        let fg = workload.instances.filter { !$0.background }.map { Int32($0.index) }
        let bg = workload.instances.filter { $0.background }.map { Int32($0.index) }
        foregroundRemaining = fg.count
        let reuse = traits.reusesConnections
        tasks = SlotTable(workload.instances.map {
            TaskRun(cursor: workload.cursor(for: $0.index), instance: Int32($0.index), background: $0.background, reuseConnections: reuse)
        })
        processes = [PyProcess()]
        if coreLanes {
            for c in cores.indices {
                cores[c].lane = Int32(recorder.addLane(name: "core \(c)", kind: .core, process: 0, state: nil, at: now))
            }
        }
        let role: Role
        switch traits.scheduling {
        case .sequential:
            role = .sequential
            startOrder = fg  // background groups need concurrency: sync does not run them
        case .osThreads(let pool), .osProcesses(let pool, _):
            role = .spawner
            if let pool {
                startOrder = bg + Array(repeating: -1, count: pool)  // Pool(n) starts all n workers
                for k in fg { taskQueue.push(k) }
                if case .osProcesses = traits.scheduling {
                    poolResultHandler = Int32(addLanelessThread(role: .poolResultHandler))
                    poolWorkerHandler = Int32(addLanelessThread(role: .poolWorkerHandler))
                }
            } else {
                startOrder = workload.instances.map { Int32($0.index) }
            }
        case .interpreters(let pool):
            role = .spawner
            // ThreadPoolExecutor._adjust_thread_count starts a worker per submit while none is idle, up to
            // max_workers: submitting every task at once starts min(pool, tasks) of them
            // (Lib/concurrent/futures/thread.py; InterpreterPoolExecutor inherits it).
            startOrder = bg + Array(repeating: -1, count: min(pool, fg.count))
            for k in fg { taskQueue.push(k) }
        case .greenlets(let green):
            role = .hub
            startOrder = workload.instances.map { Int32($0.index) }
            // Lookups and CPU steps share the pool where a runtime hands off both (none does yet).
            let lookupPool = green.monkeyPatched ? green.resolverPool : nil
            lookupsInPool = lookupPool != nil
            executorMaxWorkers = max(green.offload?.maxThreads ?? 0, lookupPool?.maxThreads ?? 0)
            if !green.yieldsBetweenSteps && green.offload == nil {
                try refuseNeverYielding(bg, "\(strategy.kind.name) switches greenlets only when one waits on the hub (I/O, sleep)")
            }
        case .eventLoop(let loop):
            role = .loop
            startOrder = workload.instances.map { Int32($0.index) }
            executorMaxWorkers = loop.poolSize
            if loop.offload == nil {
                try refuseNeverYielding(bg, "with CPU steps inline, a coroutine gives the loop back only when it awaits I/O or a sleep")
            }
        }
        let mainName = traits.host.laneName
        mainThread = Int32(addThread(process: 0, role: role, name: mainName, state: nil, wakeAt: .zero))
        processes[0].mainThread = mainThread
        if costs.serverAnswerNew > .zero || costs.serverAnswerReuse > .zero { startLocalServer() }
    }

    /// The local latency server: a thread without a lane or a GIL, asleep until a request comes (the first
    /// wakes it). Its process index is the main one's for bookkeeping only: it never takes a GIL, and a
    /// `PyProcess` of its own would shift the children's indices and their names ("Process-1"...), which
    /// the measured side shares.
    mutating func startLocalServer() {
        serverThread = Int32(addLanelessThread(role: .localServer))  // its accept loop, asleep in accept()
    }

    /// A thread of the main process without a lane (the measured side has none), long started and asleep
    /// until something wakes it: the local server's, or a process Pool's result handler and worker handler in
    /// the parent, asleep on the result pipe until the first result is written.
    mutating func addLanelessThread(role: Role) -> Int {
        let t = threads.count
        precondition(t < Event.targets, "more threads than an event can name")
        var th = OSThread(process: 0, lane: -1, role: role)
        th.needsGIL = gilEnabled && th.takesGIL
        th.started = true
        th.isNewTask = false
        th.status = .blocked
        threads.append(th)
        return t
    }

    /// A background task with no I/O or sleep would hold a cooperative scheduler forever.
    func refuseNeverYielding(_ background: [Int32], _ why: String) throws {
        for k in background {
            let inst = workload.instances[Int(k)]
            let yields = workload.programs[inst.group].instructions.contains {
                switch $0 {
                case .leaf(.io), .leaf(.sleep): return true
                default: return false
                }
            }
            if !yields {
                throw SimulationError(message: "strategy \(strategy.label): background task '\(inst.name)' has no I/O or sleep step, so it never yields and the other tasks would never run (\(why)). Give it an io or sleep step, or leave \(strategy.kind.name) out of this scenario's strategies.")
            }
        }
    }

    /// Adds an OS thread with its lane; it becomes runnable after `wakeAt` (default: the wake-up latency,
    /// as for a thread just created by clone()).
    @discardableResult
    mutating func addThread(process p: Int, laneProcess: Int? = nil, role: Role, name: String, state: LaneState? = .starting, wakeAt: SimTime? = nil, laneSince: SimTime? = nil) -> Int {
        let t = threads.count
        precondition(t < Event.targets, "more threads than an event can name")
        let lane = recorder.addLane(name: name, kind: .thread, process: laneProcess ?? p, state: state, at: laneSince ?? now)
        var th = OSThread(process: Int32(p), lane: Int32(lane), role: role)
        th.needsGIL = gilEnabled
        threads.append(th)
        threads[t].status = .waking
        threads[t].coreWaitSince = now
        schedule(.wake, Int32(t), token: threads[t].epoch, after: wakeAt ?? drawWakeLatency())
        return t
    }

    /// Starts the worker for a `startOrder` entry: a thread, a process or a thread with its own interpreter
    /// for task `entry`, or a pool worker when `entry` is -1.
    @discardableResult
    mutating func startWorker(task entry: Int32, starter: Int) -> Int {
        let pooled = entry < 0
        let name: String
        if pooled {
            workerCount += 1
            name = isProcesses
                ? LaneNames.processPoolWorker(workerCount, prefix: (processStartMethod ?? .fork).processClassPrefix)
                : LaneNames.threadPoolWorker(workerCount - 1)
        } else {
            name = workload.instances[Int(entry)].name
        }
        if isProcesses {
            let p = processes.count
            processes.append(PyProcess())
            recorder.nameProcess(p, pooled ? name : "Process-\(p)")
            // Its lane begins at the call to start(), as a thread's does (and the measured child's).
            let t = addThread(process: p, role: .taskRunner, name: name, laneSince: threads[starter].startCallAt)
            processes[p].mainThread = Int32(t)
            threads[t].isChildMain = true
            threads[t].task = entry
            threads[t].pooled = pooled
            // A spawn parent waits for this child's first turn on a core (`startWaitsForWorker`): it wakes it.
            if startWaitsForWorker { threads[t].starter = Int32(starter) }
            // Forked from the server, it is runnable at once: it shares the cores with the other start-ups
            // from now, before its first turn.
            if processStartMethod == .forkserver { changeStartingFromServer(by: 1) }
            return t
        } else if isInterpreters {
            // A thread of the main process (its lane is there) whose interpreter has its own GIL.
            let p = processes.count
            processes.append(PyProcess())
            let t = addThread(process: p, laneProcess: 0, role: .taskRunner, name: name)
            processes[p].mainThread = Int32(t)
            threads[t].ownsInterpreter = true
            threads[t].task = entry
            threads[t].pooled = pooled
            threads[t].starter = Int32(starter)
            return t
        } else {
            // Its lane begins at the call to start(), whose own CPU (`thread_start`) came first, as the
            // measured side's begins at the harness's stamp before the call.
            let t = addThread(process: 0, role: .taskRunner, name: name, laneSince: threads[starter].startCallAt)
            threads[t].task = entry
            threads[t].pooled = pooled
            threads[t].starter = Int32(starter)
            return t
        }
    }

    /// Adds a greenlet or coroutine for task `k`, ready to run.
    mutating func addGreen(task k: Int32, kind: LaneKind) {
        let g = greens.count
        precondition(g < Event.targets, "more green tasks than an event can name")
        let host = threads[Int(mainThread)].lane
        let name = workload.instances[Int(k)].name
        let lane = recorder.addLane(name: name, kind: kind, process: 0, hostThread: Int(host), state: .runnable, at: now)
        greens.append(GreenTask(task: k, lane: Int32(lane)))
        readyGreens.push(Int32(g))
    }
}
