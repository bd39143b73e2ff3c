import Foundation
import SimEngine
import SimScenario
import SimTrace

/// One simulated run of one strategy: the machine's cores, the OS run queue, the Python processes and
/// their GILs, the threads, and the greenlets or coroutines, advanced by a discrete-event loop on an
/// integer-nanosecond clock.
///
/// The parts live in one file each, as extensions: `Simulation+Scheduler` (cores, run queue, time slices),
/// `Simulation+GIL` (take_gil / drop_gil), `Simulation+Threads` (bursts, blocks, wake-ups),
/// `Simulation+Programs` (what each strategy's threads do), `Simulation+Setup` (building a strategy).
struct Simulation {
    // Configuration
    let machine: Machine
    let python: PythonRuntime
    let costs: Costs
    /// `costs.ioCallShape` with its fractions worked out once (every I/O call is cut by it).
    let ioPieces: IOCallPieces
    /// `costs.releaseCall`, worked out once: the length of one call of a `c_releases_gil` step.
    let releaseCall: SimTime
    /// What the loop's or hub's thread pays once a wake-up from its poll by a timer (`ModelTraits.timerWake`).
    let hostTimerWake: SimTime
    let strategy: Strategy
    /// How this strategy is built (`Strategy.Kind.modelTraits`): what runs the tasks, and at what costs.
    let traits: ModelTraits
    /// The green-thread or event-loop traits when the strategy has them (read on every switch and pass).
    let green: GreenletTraits?
    let loop: LoopTraits?
    let workload: Workload
    let slice: SimTime
    /// A dispatched thread's slice ends this long after its dispatch: the context switch, then the slice
    /// (then at the next tick, with one).
    let sliceAfterSwitch: SimTime
    /// The scheduler tick (zero: none), and a running thread's slices back to back: the slice in whole ticks.
    let tick: SimTime
    let slicePeriod: SimTime
    /// take_gil's timed wait ends this long after it began: the switch interval, the timer slack, and the
    /// halted vCPU's way back (`machine.timeoutIdleWake` at the switch interval).
    let gilTimeout: SimTime
    let gilEnabled: Bool
    let maxEvents: Int
    let checksInvariants: Bool
    let coreLanes: Bool
    /// Per burst kind (`BurstKind.rawValue`), the speed lost on each busy core when every core is busy:
    /// 1 − parallel efficiency (`Simulation+Scheduler.swift`); nil when cores are independent.
    let parallelLoss: [Double]?
    /// Per burst kind (`BurstKind.rawValue`), how far a child process's speed sits from the busy cores' mean
    /// with every core busy, faster for the first child, slower for the second, and so on
    /// (`machine.coreSpeedSpread` r: (r − 1) / (r + 1)); nil when every process runs at one speed.
    let childDeviation: [Double]?
    /// Cores with a thread on them.
    var busyCores = 0
    /// Idle cores claimed by a thread's wake-up (`Core.claimedBy`).
    var claimedCores = 0
    /// The thread whose next step is being worked out (`nextAction`).
    var actingThread: Int32 = -1
    /// A sender whose send() wakes the local server once the send's burst starts (after its GIL release).
    var serverWaker: Int32 = -1
    /// Forkserver children in their start-up, from their creation to the end of their `startingFromServer`
    /// burst: on a core or waiting for one.
    var startingFromServer = 0
    /// ln(`Defaults.startCrowd` / cores): the start-ups a core at which a forkserver child's start-up runs at
    /// `start_efficiency` (0 when there are as many cores as that: then at any crowd above one a core).
    let startCrowdSpan: Double

    // Engine
    var now = SimTime.zero
    var queue: EventQueue<Event>
    /// The run's seeded generator, with the next wake-up latency (`machine.wakeLatency` with its jitter,
    /// `drawWakeLatency`) computed ahead.
    var rng: DelayDrawing
    var recorder: TraceRecorder
    var eventsHandled = 0
    /// Queue length at which stale events are next removed (see `EventQueue.removeAll(where:)`).
    var compactAt = 1 << 16

    // Machine and OS
    var cores: SlotTable<Core>
    /// Runnable threads without a core under round robin: one queue all cores share. Under the fair policy
    /// (`runQueue.fair`) each core has its own (`coreQueues`, the kernel's per-CPU runqueues) and this one
    /// stays empty.
    var runQueue = RunQueue()
    /// The threads waiting for each core under the fair policy, by core (none under round robin).
    var coreQueues = SlotTable<RunQueue>()

    // Python
    var processes = SlotTable<PyProcess>()
    var threads = SlotTable<OSThread>()
    var tasks = SlotTable<TaskRun>()
    var greens = SlotTable<GreenTask>()
    var readyGreens = FIFO()
    /// trio and curio: pool threads' results not yet taken by the loop's system task (trio's entry queue,
    /// curio's wake queue), and whether that task is in `readyGreens` (as `entryTask`).
    var threadResults = FIFO()
    var entryTaskReady = false
    /// The loop's system task that reads its wake-up socket, as an entry of `readyGreens`.
    static let entryTask: Int32 = -2
    /// Foreground task indices not yet taken by a pool worker, in order.
    var taskQueue = FIFO()
    /// A process Pool: the parent's result handler and worker handler threads (-1: none), the results written
    /// to the result pipe and not yet read (task indices), and the pipe's write lock (`SimpleQueue._wlock`,
    /// shared by the workers): its holder and the workers waiting for it.
    var poolResultHandler: Int32 = -1
    var poolWorkerHandler: Int32 = -1
    var resultsUnread = FIFO()
    var resultLockHolder: Int32 = -1
    var resultLockWaiters = FIFO()
    /// Coroutines whose CPU step waits for an executor worker.
    var executorJobs = FIFO()
    var idleWorkers: [Int32] = []
    var executorWorkerCount = 0
    var executorMaxWorkers = 0
    /// A new connection's getaddrinfo goes to the hub's thread pool (gevent's resolver), whose workers are
    /// the executor's (`executorJobs`, `idleWorkers`).
    var lookupsInPool = false
    var workerCount = 0
    /// For the loop: how many ready callbacks this `_run_once` iteration still runs.
    var loopBatchRemaining = 0
    /// For the loop: whether this iteration has begun running its callbacks (false from its poll, while its
    /// thread waits to take the GIL back and runs the pass's own work, until the first callback).
    var loopBatchRunning = false
    /// The HTTP client's fetches in flight at most (0: no limit), the fetches in flight, and the coroutines
    /// whose fetch waits for a slot (Tornado's max_clients).
    let clientLimit: Int
    var clientsActive = 0
    var clientQueue = FIFO()

    /// Instances to start, in order (the spawner and the hub/loop walk it).
    var startOrder: [Int32] = []
    var foregroundRemaining = 0
    var mainThread: Int32 = 0
    var finished = false
    /// The local server's thread (-1: none), the tasks whose requests it has not read yet, in the order
    /// they came, and whether it is on its way to run as the new thread of the first one's connection.
    var serverThread: Int32 = -1
    var serverRequests = FIFO()
    var serverStartingThread = false
    /// The server's thread was asleep when the first of `serverRequests` woke it.
    var serverWoken = false
    /// I/O calls started and not yet over, every task and process together (`costs.connection_overlap_cpu`).
    var callsInFlight = 0
    /// The program's first I/O call that opens a connection in its own process is still to come and costs
    /// `costs.program_first_call`, with `costs.program_first_call_releases` (set once at the start: never when
    /// both are zero, nor for processes or interpreters, whose tasks run elsewhere).
    var programFirstCallDue = false
    /// Whether foreground I/O round trips (else CPU steps) count as operations.
    let countsIO: Bool

    // Metrics
    var taskFinish: [SimTime]
    var operations = 0
    /// Per foreground I/O call, how long after the call began its answer left the server, beyond its latency
    /// (`RunMetrics.answerLate`: the client's way to send and the server's turn).
    var answerLate: [SimTime] = []
    /// The tasks' CPU steps: their time on a core so far and their planned durations (`RunMetrics.cpuStepPace`).
    var cpuStepOnCore = SimTime.zero
    var cpuStepPlanned = SimTime.zero
    /// Each step's work over its planned duration (`SimulationOptions.stepPace`).
    let stepPace: Double
    var gilHeld = SimTime.zero
    var gilWaited = SimTime.zero
    /// Time the main process's working threads were runnable without a core (`OSThread.countsCoreWait`), and the
    /// loop's or hub's part of it.
    var coreWaited = SimTime.zero
    var loopCoreWaited = SimTime.zero
    /// Their turns on a core (dispatches).
    var coreTurns = 0
    var gilSwitches = 0
    var dropRequests = 0
    var forcedSwitches = 0
    var contextSwitches = 0

    /// - Parameter trajectory: which of the runtime's own random sequences this run draws (`Simulator.run`:
    ///   0 for every runtime but one whose scheduler flips coins, trio's).
    init(scenario: Scenario, strategy: Strategy, options: SimulationOptions, trajectory: UInt64 = 0) {
        let settings = scenario.settings(for: strategy)
        machine = settings.machine
        python = settings.python
        costs = settings.costs
        ioPieces = IOCallPieces(settings.costs.ioCallShape)
        releaseCall = settings.costs.releaseCall
        self.strategy = strategy
        let traits = strategy.kind.modelTraits(costs: settings.costs, cores: settings.machine.cores)
        self.traits = traits
        hostTimerWake = traits.timerWake
        switch traits.scheduling {
        case .greenlets(let g): green = g; loop = nil
        case .eventLoop(let l): green = nil; loop = l
        case .sequential, .osThreads, .osProcesses, .interpreters: green = nil; loop = nil
        }
        clientLimit = loop?.connectionLimit ?? 0
        let workload = Workload(scenario)
        self.workload = workload
        slice = machine.scheduler.effectiveSlice(cores: machine.cores)
        sliceAfterSwitch = machine.contextSwitch + slice
        tick = machine.scheduler.tick
        slicePeriod = machine.scheduler.slicePeriod(cores: machine.cores)
        gilTimeout = python.switchInterval + machine.timerSlack + machine.timeoutIdleWake.rise(after: python.switchInterval)
        // Most events are due within a few wake-up latencies (a wake-up: exponential of mean wakeLatency, 99%
        // within five; a short burst, a system call): they go to the queue's near set, the rest to its far
        // heap. On the benchmark's standard scenario windows of 25 to 100 us gained 8-12%, 1 ms nothing.
        queue = EventQueue(lanes: EventKind.fixedDelayLanes, nearWindow: machine.wakeLatency * 5)
        gilEnabled = python.gil
        // Indexed by BurstKind.rawValue, each kind's loss and spread from one exhaustive switch: a system call is
        // never slowed; a forked child's start-up or an interpreter's runs as bytecode; a spawn or forkserver
        // child's has its own measured efficiency (`machine.start_efficiency`, absent: as bytecode; a forkserver
        // child's scaled by the start-ups per core, `speed(of:thread:)`) and
        // bytecode's spread (none measured apart).
        let efficiency = settings.machine.parallelEfficiency
        let kinds: [(loss: Double, spread: CPUKind?)] = BurstKind.allCases.map { kind in
            switch kind {
            case .python, .starting: return (1 - (efficiency[.python] ?? 1), .python)
            case .cHoldsGIL: return (1 - (efficiency[.cHoldsGIL] ?? 1), .cHoldsGIL)
            case .cReleasesGIL: return (1 - (efficiency[.cReleasesGIL] ?? 1), .cReleasesGIL)
            case .syscall: return (0, nil)
            case .startingImports, .startingFromServer:
                return (1 - (settings.machine.startEfficiency ?? efficiency[.python] ?? 1), .python)
            }
        }
        let loss = kinds.map(\.loss)
        // A fast child and a slow one, 1 ± (r − 1) / (r + 1) around the mean, so that slower / faster is the
        // spread r.
        let n = settings.machine.cores
        let spreads: [Double] = kinds.map { kind in kind.spread.map { settings.machine.coreSpeedSpread[$0] ?? 1 } ?? 1 }
        childDeviation = n > 1 && spreads.contains { $0 != 1 } ? spreads.map { ($0 - 1) / ($0 + 1) } : nil
        parallelLoss = n > 1 && (loss.contains { $0 > 0 } || childDeviation != nil) ? loss : nil
        startCrowdSpan = log(max(1, Double(Defaults.startCrowd) / Double(max(n, 1))))
        maxEvents = options.maxEvents
        checksInvariants = options.checkInvariants
        stepPace = options.stepPace
        coreLanes = options.coreLanes && options.trace
        rng = DelayDrawing(
            JitteredDelay(base: machine.wakeLatency, jitter: machine.wakeJitter),
            generator: SplitMix64(seed: scenario.seed, stream: 0xC0FFEE &+ trajectory))
        recorder = TraceRecorder(enabled: options.trace)
        cores = SlotTable(repeating: Core(), count: machine.cores)
        if case .linux = machine.scheduler {
            runQueue.fair = true
            // One `RunQueue()` each: copies of one would share its heap's storage.
            coreQueues = SlotTable((0..<machine.cores).map { _ in
                var q = RunQueue()
                q.fair = true
                return q
            })
        }
        taskFinish = Array(repeating: .never, count: workload.instances.count)
        countsIO = workload.instances.contains { inst in
            !inst.background && workload.programs[inst.group].instructions.contains {
                if case .leaf(.io) = $0 { return true } else { return false }
            }
        }
        queue.reserveCapacity(1024)
        programFirstCallDue = (costs.programFirstCall > .zero || costs.programFirstCallReleases > 0)
            && !isProcesses && !isInterpreters
    }

    /// Schedules an event `delay` from now.
    @inline(__always)
    mutating func schedule(_ kind: EventKind, _ target: Int32, token: UInt32, after delay: SimTime) {
        let event = Event(kind: kind, target: target, token: token)
        if let lane = kind.fixedDelayLane {
            queue.schedule(event, at: now.advanced(by: delay), lane: lane)
        } else {
            queue.schedule(event, at: now.advanced(by: delay))
        }
    }

    /// Runs until the main thread has finished. Throws if the run exceeds the event budget.
    mutating func run() throws {
        while !finished, let (time, event) = queue.popNext() {
            #if DEBUG
            precondition(time >= now, "time went back from \(now) to \(time)")
            #endif
            if time > SimTime.horizon {
                throw SimulationError(message: "strategy \(strategy.label): the run passed \(SimTime.horizon) of simulated time (about 3.2 years, the limit) at event \(eventsHandled); use fewer repeats or shorter steps")
            }
            now = time
            eventsHandled &+= 1  // below maxEvents, an Int
            handle(event)
            if checksInvariants { checkInvariants() }
            if queue.count >= compactAt {
                // Stale events (their thread's epoch moved on) would otherwise stay until their time comes.
                let threads = self.threads
                queue.removeAll { e in e.kind != .greenReady && e.kind != .sliceEnd && threads[Int(e.target)].epoch != e.token }
                compactAt = max(2 * queue.count, 1 << 16)
            }
            if eventsHandled >= maxEvents {
                throw SimulationError(message: "strategy \(strategy.label): the run did not finish within the budget of \(maxEvents) events (simulated \(now) so far); raise it with --max-events, or is a task looping forever?", events: eventsHandled)
            }
        }
        if !finished {
            throw SimulationError(message: "strategy \(strategy.label): the run stopped at \(now) with foreground tasks unfinished and nothing left to happen (a deadlock in the model); please report the scenario")
        }
    }

    /// `greenReady`'s token for a green thread back from a sleep (its loop's timer), not from I/O.
    static let timerToken: UInt32 = 1

    /// Dispatches one event to its handler.
    @inline(__always)
    mutating func handle(_ event: Event) {
        let target = Int(event.target)
        switch event.kind {
        case .resume:
            guard threads[target].epoch == event.token else { return }
            resume(target)
        case .burstEnd:
            guard threads[target].epoch == event.token else { return }
            burstEnded(target)
        case .dropNoticed:
            guard threads[target].epoch == event.token else { return }
            dropNoticed(target)
        case .wake:
            guard threads[target].epoch == event.token else { return }
            becomeRunnable(target)
        case .wakeBegins:
            guard threads[target].epoch == event.token else { return }
            beginWake(target)
        case .gilTimeout:
            guard threads[target].epoch == event.token, threads[target].status == .waitingGIL else { return }
            gilWaitTimedOut(target)
        case .greenReady:
            greenBecameReady(target, byTimer: event.token == Self.timerToken)
        case .pollTimeout:
            guard threads[target].epoch == event.token, threads[target].status == .blocked else { return }
            threads[target].wokenByTimer = threads[target].waitingSince != .never
            wakeLoop(target)
        case .sliceEnd:
            sliceEnded(core: target)
        }
    }

    /// Closes the run: metrics and trace.
    mutating func result() -> SimulationRun {
        for c in cores.indices where cores[c].thread >= 0 {
            cores[c].busy += now - cores[c].busySince
        }
        for p in processes.indices where processes[p].gil.locked {
            gilHeld += now - processes[p].gil.heldSince
        }
        // A step still running (a background task's) counts up to now: its time so far, the work it did.
        for t in threads.indices where threads[t].inBurst && threads[t].burstIsStep {
            pauseBurst(t)
            let scale = (threads[t].burstKind == .python && !gilEnabled) ? 1 + python.freeThreadingOverhead : 1
            cpuStepPlanned -= threads[t].burstRemaining.scaled(by: 1 / (scale * stepPace))
        }
        for t in threads.indices where threads[t].countsCoreWait && threads[t].status == .runnable { noteCoreWait(t) }
        let latencies = workload.instances.filter { !$0.background }.map { taskFinish[$0.index] }
        // The loop's or hub's part where the main thread runs one (tasklets' main thread runs neither).
        let hostsLoop = strategy.kind.descriptor.host != .mainThread
        let metrics = RunMetrics(
            strategy: strategy.label, kind: strategy.kind.name, makespan: now, taskLatencies: latencies,
            operations: operations, coreBusy: cores.map(\.busy), gilHeld: gilHeld, gilWaited: gilWaited,
            gilSwitches: gilSwitches, dropRequests: dropRequests, forcedSwitches: forcedSwitches,
            contextSwitches: contextSwitches, events: eventsHandled,
            answerLate: RunMetrics.median(answerLate),
            cpuStepPace: cpuStepPlanned > .zero ? Double(cpuStepOnCore.nanoseconds) / Double(cpuStepPlanned.nanoseconds) : nil,
            coreWait: coreWaited, coreTurns: coreTurns, loopCoreWait: hostsLoop ? loopCoreWaited : nil)
        let trace: Trace? = recorder.enabled ? recorder.finish(at: now) : nil
        return SimulationRun(metrics: metrics, trace: trace)
    }
}

/// A first-in first-out queue of indices: a ring buffer (a power-of-two capacity) that reuses its storage,
/// a `SlotTable` written in place (an array here cost a copy-on-write check, a runtime call, per push; the
/// run queue takes one at almost every dispatch). A copy shares the original's ring: the simulation never
/// copies its queues.
///
/// - Complexity: O(1) amortized push and pop.
struct FIFO: Sendable {
    private var ring = SlotTable<Int32>()
    private var head = 0
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// The first item, nil when empty.
    var first: Int32? { count > 0 ? ring[head] : nil }

    @inline(__always)
    mutating func push(_ x: Int32) {
        if count == ring.count { grow() }
        ring[(head &+ count) & (ring.count &- 1)] = x
        count &+= 1
    }

    @inline(__always)
    mutating func pop() -> Int32? {
        guard count > 0 else { return nil }
        let x = ring[head]
        head = (head &+ 1) & (ring.count &- 1)
        count &-= 1
        return x
    }

    /// Puts `x` at position `index` (0 is first; at most `count`), the items from there on one later.
    /// - Complexity: O(n) in the items after `index`.
    mutating func insert(_ x: Int32, at index: Int) {
        precondition(index >= 0 && index <= count)
        push(x)
        var i = count - 1
        while i > index {
            ring[(head &+ i) & (ring.count &- 1)] = ring[(head &+ i &- 1) & (ring.count &- 1)]
            i -= 1
        }
        ring[(head &+ index) & (ring.count &- 1)] = x
    }

    /// Reverses the queued items' order.
    mutating func reverse() {
        let reversed = Array(items.reversed())
        for i in reversed.indices { ring[i] = reversed[i] }
        head = 0
    }

    /// The queued items, first to last.
    private var items: [Int32] { (0..<count).map { ring[(head &+ $0) & (ring.count &- 1)] } }

    /// Doubles the capacity (at least 16), the items first.
    private mutating func grow() {
        var bigger = SlotTable(items)
        for _ in count..<Swift.max(16, 2 * ring.count) { bigger.append(0) }
        ring = bigger
        head = 0
    }
}
