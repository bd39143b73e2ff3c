import Foundation
import SimEngine
import SimScenario
import SimTrace

/// What a thread's program asks for next.
enum Action: Sendable {
    /// CPU work of a kind.
    case burst(SimTime, BurstKind)
    /// A task's CPU step: a burst whose time on a core is counted against its duration
    /// (`RunMetrics.cpuStepPace`), where a `burst` is the program's or runtime's own work.
    case step(SimTime, BurstKind)
    /// A blocking call or sleep of known length (the GIL is released around it); the lane shows `state`.
    case block(SimTime, LaneState)
    /// Sleep until another part of the program wakes it (join, an idle loop or pool worker).
    case wait(LaneState)
    /// The thread ends.
    case finish
    /// It leaves its core and goes on as a thread just created by clone() (the local server's thread for a
    /// new connection), queued as a new task.
    case continueInNewThread
}

/// Threads: running bursts on cores, blocking, waking, and what their lanes show.
extension Simulation {
    /// Continues thread `t` on its core: take the GIL back if it must, resume a paused burst, or ask the
    /// program for its next action.
    mutating func continueThread(_ t: Int) {
        if threads[t].inBurst {
            if gilEnabled && threads[t].burstKind.needsGIL && !threads[t].holdsGIL {
                guard takeGIL(t) else { return }
            }
            startSegment(t)
            return
        }
        if gilEnabled && threads[t].needsGIL && !threads[t].holdsGIL {
            guard takeGIL(t) else { return }
        }
        threads[t].needsGIL = false
        if threads[t].releaseCallsLeft > .zero {
            // Between two calls of a GIL-releasing step: the loop around them ran with the GIL, the next releases it.
            let d = min(threads[t].releaseCallsLeft, releaseCall)
            threads[t].releaseCallsLeft -= d
            threads[t].burstIsStep = true
            beginBurst(t, d, .cReleasesGIL)
            return
        }
        while true {
            switch nextAction(t) {
            case .burst(let d, let kind):
                if d.nanoseconds <= 0 { continue }
                threads[t].burstIsStep = false
                beginBurst(t, d, kind)
            case .step(let d, let kind):
                if d.nanoseconds <= 0 { continue }
                threads[t].burstIsStep = true
                cpuStepPlanned += d
                var work = stepPace == 1 ? d : d.scaled(by: stepPace)
                if kind == .cReleasesGIL && releaseCall > .zero && work > releaseCall {
                    // A run of calls, each taking the GIL back when it returns (hashlib's update of one chunk,
                    // one ufunc call: Py_END_ALLOW_THREADS), as the harness's `burn_sha` hashes in chunks.
                    threads[t].releaseCallsLeft = work - releaseCall
                    work = releaseCall
                }
                beginBurst(t, work, kind)
            case .block(let d, let state):
                if d.nanoseconds <= 0 { continue }
                beginBlock(t, d, state)
            case .wait(let state):
                beginBlock(t, .never, state)
            case .finish:
                finishThread(t)
            case .continueInNewThread:
                threads[t].epoch &+= 1
                leaveCore(t)
                threads[t].isNewTask = true
                threads[t].resumeAction = .proceed
                becomeRunnable(t)
            }
            return
        }
    }

    /// Starts a burst: with the GIL for Python and GIL-holding C; releasing it first for GIL-free C.
    @inline(__always) mutating func beginBurst(_ t: Int, _ d: SimTime, _ kind: BurstKind) {
        threads[t].inBurst = true
        threads[t].burstKind = kind
        threads[t].burstRemaining = (kind == .python && !gilEnabled) ? d.scaled(by: 1 + python.freeThreadingOverhead) : d
        if kind.needsGIL {
            if gilEnabled && !threads[t].holdsGIL { guard takeGIL(t) else { return } }
        } else if threads[t].holdsGIL {
            // Py_BEGIN_ALLOW_THREADS: a voluntary release; with a drop request pending it waits for the switch.
            threads[t].needsGIL = true
            if dropGIL(t) {
                threads[t].pendingBlock = SimTime(nanoseconds: -1)
                waitForSwitch(t)
                return
            }
        }
        startSegment(t)
    }

    /// Runs the (rest of the) burst on the core now, at `speed` (by default: the speed for the cores busy now).
    mutating func startSegment(_ t: Int, speed: Double? = nil) {
        let speed = speed ?? self.speed(of: threads[t].burstKind, thread: t)
        threads[t].segmentActive = true
        threads[t].segmentStart = now
        threads[t].segmentSpeed = speed
        show(t, burstState(threads[t].burstKind))
        schedule(.burstEnd, Int32(id: t), token: threads[t].epoch, after: wallTime(threads[t].burstRemaining, speed: speed))
        if serverWaker == Int32(id: t) { wakeServer(sender: t) }
        if threads[t].holdsGIL && processes[Int(threads[t].process)].gil.dropRequest {
            scheduleDropCheck(t)
        }
    }

    /// A send() to the local server, under way on `t`'s core since it released the GIL, wakes the server's
    /// thread. The socket wakes its reader synchronously (`sock_def_readable()` calls
    /// `wake_up_interruptible_sync_poll()`, net/core/sock.c): with no core free (one woken onto the other core
    /// claims it) the server waits on the sender's core (wake_affine) and may preempt it there, and the send
    /// lasts until the sender has its core back (docs/model.md, "A wake-up claims its core").
    mutating func wakeServer(sender t: Int) {
        serverWaker = -1
        let s = Int(serverThread)
        guard threads[s].status == .blocked else { return }
        threads[s].syncWaker = Int32(id: t)
        wakeThread(s)
    }

    /// Stops the running segment (preemption, forced drop), keeping what is left of the burst.
    mutating func pauseBurst(_ t: Int) {
        guard threads[t].segmentActive else { return }
        threads[t].burstRemaining -= workDone(t)
        threads[t].segmentActive = false
        if threads[t].burstIsStep { cpuStepOnCore += now.since(threads[t].segmentStart) }
    }

    /// The work the running segment of `t` has done so far.
    @inline(__always) func workDone(_ t: Int) -> SimTime {
        let elapsed = now.since(threads[t].segmentStart)
        let speed = threads[t].segmentSpeed
        return speed == 1 ? elapsed : min(threads[t].burstRemaining, elapsed.scaled(by: speed))
    }

    /// The wall time `work` takes at `speed` (rounded up, so that a segment never ends with work left).
    @inline(__always) func wallTime(_ work: SimTime, speed: Double) -> SimTime {
        speed == 1 ? work : SimTime(nanoseconds: Int64((Double(work.nanoseconds) / speed).rounded(.up)))
    }

    /// A burst is done. After C code that released the GIL the thread takes it back; at the eval-breaker
    /// check that follows a call, a pending drop request makes the holder drop.
    mutating func burstEnded(_ t: Int) {
        threads[t].segmentActive = false
        if threads[t].burstIsStep { cpuStepOnCore += now.since(threads[t].segmentStart) }
        threads[t].inBurst = false
        threads[t].burstRemaining = .zero
        if threads[t].burstKind == .startingFromServer { changeStartingFromServer(by: -1) }
        if !threads[t].burstKind.needsGIL { threads[t].needsGIL = threads[t].takesGIL }
        if threads[t].holdsGIL && processes[Int(threads[t].process)].gil.dropRequest {
            forcedDrop(t)
            return
        }
        continueThread(t)
    }

    /// Blocks in a system call for `d` (`.never`: until woken), releasing the GIL around it. A call shorter
    /// than the wake-up latency keeps its core (the kernel returns before it would reschedule).
    mutating func beginBlock(_ t: Int, _ d: SimTime, _ state: LaneState) {
        if threads[t].holdsGIL {
            threads[t].needsGIL = true
            if dropGIL(t) {
                // A wait (d == .never) asks the program again after the switch: what it waited for may
                // have happened meanwhile.
                threads[t].pendingBlock = d == .never ? SimTime(nanoseconds: -1) : d
                threads[t].pendingBlockState = state.rawValue
                waitForSwitch(t)
                return
            }
        }
        if gilEnabled { threads[t].needsGIL = threads[t].takesGIL }
        if d != .never && d <= machine.wakeLatency {
            threads[t].inBurst = true
            threads[t].burstKind = .syscall
            threads[t].burstRemaining = d
            startSegment(t)
            return
        }
        threads[t].epoch &+= 1
        leaveCore(t)
        threads[t].status = .blocked
        if state == .idle { threads[t].idleSince = now }
        show(t, state)
        if d != .never {
            threads[t].coreWaitSince = now + d
            threads[t].status = .waking
            scheduleWake(t, after: d)
        }
    }

    /// After waiting on switch_cond: start the block it was about to start, or go on (taking the GIL back).
    mutating func continueAfterSwitch(_ t: Int) {
        let d = threads[t].pendingBlock
        let goesOnWithoutGIL = d.nanoseconds >= 0 || (threads[t].inBurst && !threads[t].burstKind.needsGIL)
        if goesOnWithoutGIL && threads[t].gilWaitSince != .never {
            // The GIL wait ends here: the thread goes on without the GIL (a block or a GIL-free burst).
            gilWaited += now.since(threads[t].gilWaitSince)
            threads[t].gilWaitSince = .never
        }
        if d.nanoseconds >= 0 {
            threads[t].pendingBlock = SimTime(nanoseconds: -1)
            beginBlock(t, d, LaneState(rawValue: threads[t].pendingBlockState) ?? .blocked)
        } else {
            continueThread(t)
        }
    }

    /// Wakes a thread sleeping in `.wait` (a join, an idle loop or worker). Does nothing if it is not asleep.
    mutating func wakeThread(_ t: Int) {
        guard threads[t].status == .blocked else { return }
        wakeAfterLatency(t, then: .proceed)
    }

    /// The thread becomes runnable after the wake-up latency, then does `action` on a core.
    @inline(__always)
    mutating func wakeAfterLatency(_ t: Int, then action: ResumeAction) {
        threads[t].epoch &+= 1
        threads[t].status = .waking
        threads[t].resumeAction = action
        threads[t].coreWaitSince = now
        beginWake(t)
    }

    /// `t`'s wake-up begins now: under the fair policy it claims a free core (`claimIdleCore`), and it becomes
    /// runnable a wake-up latency later (`wake`).
    mutating func beginWake(_ t: Int) {
        if fairPolicy { claimIdleCore(t) }
        schedule(.wake, Int32(id: t), token: threads[t].epoch, after: drawWakeLatency())
    }

    /// `t` (already `.waking`) is woken `delay` from now, by a timer or an arrival: under the fair policy its
    /// wake-up begins then (`wakeBegins`: it claims a free core, as `wakeAfterLatency` does at once), and it
    /// becomes runnable a wake-up latency later.
    @inline(__always)
    mutating func scheduleWake(_ t: Int, after delay: SimTime) {
        if fairPolicy {
            schedule(.wakeBegins, Int32(id: t), token: threads[t].epoch, after: delay)
        } else {
            schedule(.wake, Int32(id: t), token: threads[t].epoch, after: delay + drawWakeLatency())
        }
    }

    /// One wake-up latency, from the run's seeded generator: `wakeLatency` x (1 - j + j x E) with E
    /// exponential of mean 1 and j = `wakeJitter`. The mean stays `wakeLatency`; j = 1 is a pure exponential,
    /// the shape measured here (a 1.5 us syscall loses the GIL race 13% of the time, a 13 us one 75%).
    /// E is -log(1 - u) for a uniform u; `JitteredDelay` gives the values libm's `log` gives, faster.
    @inline(__always) mutating func drawWakeLatency() -> SimTime {
        rng.drawDelay()
    }

    /// The thread ends: its final release of the GIL does not wait for a switch. That is 3.13's
    /// `drop_gil(..., final_release)` (gh-112175); before 3.13 drop_gil waits on switch_cond if a drop
    /// request is pending, but here none can be: the end of the thread's last burst is its last eval-breaker
    /// check, which honours a pending request first, and nothing runs between it and the end (in CPython, a
    /// few bytecodes of the thread's bootstrap). So the versions do not differ in this model.
    mutating func finishThread(_ t: Int) {
        if threads[t].holdsGIL { _ = dropGIL(t, final: true) }
        threads[t].epoch &+= 1
        leaveCore(t)
        threads[t].status = .finished
        show(t, nil)
        threadFinished(t)
    }

    // MARK: What lanes show

    func burstState(_ kind: BurstKind) -> LaneState {
        switch kind {
        // Without a GIL (free-threaded) no one holds it: Python runs in the same state as released-GIL C.
        case .python, .cHoldsGIL: return gilEnabled ? .running : .runningNoGIL
        case .cReleasesGIL, .syscall: return .runningNoGIL
        case .starting, .startingImports, .startingFromServer: return .starting
        }
    }

    /// Sets a thread's lane (and that of the greenlet or coroutine it is running) to `state`.
    // Every `show` returns at once with tracing off: the recorder's calls are in another module and are
    // not inlined, so three calls that do nothing would otherwise be paid on most events.
    @inline(__always) mutating func show(_ t: Int, _ state: LaneState?) {
        if recorder.enabled { record(t, state) }
    }

    /// `show` with tracing on.
    mutating func record(_ t: Int, _ state: LaneState?) {
        if threads[t].lane >= 0 { recorder.set(Int(threads[t].lane), state, at: now) }
        let g = Int(threads[t].currentGreen)
        if g >= 0 { recorder.set(Int(greens[g].lane), state, at: now) }
        // A core's lane shows the state of the thread it runs (threads leave their core before they show
        // an off-core state).
        let c = Int(threads[t].core)
        if coreLanes && c >= 0 { recorder.set(Int(cores[c].lane), state, at: now) }
    }

    /// A thread got a core: it shows what it is about to do.
    @inline(__always) mutating func showOnCore(_ t: Int) {
        if recorder.enabled { recordOnCore(t) }
    }

    /// `showOnCore` with tracing on.
    mutating func recordOnCore(_ t: Int) {
        let th = threads[t]
        guard th.lane >= 0 else { show(t, .runningNoGIL); return }  // the local server: its core's lane only
        if th.resumeAction == .gilCheck { show(t, .waitingGIL); return }
        let mustTakeGIL = gilEnabled && !th.holdsGIL && (th.inBurst ? th.burstKind.needsGIL : th.needsGIL)
        if mustTakeGIL {
            // On its way into take_gil: not running Python yet.
            if recorder.state(of: Int(th.lane)) != .starting { show(t, .waitingGIL) }
            return
        }
        if th.inBurst { show(t, burstState(th.burstKind)); return }
        if recorder.state(of: Int(th.lane)) == .starting { return }
        show(t, gilEnabled ? .running : .runningNoGIL)
    }

    /// A runnable thread without a core. One that has never had a core, or a child process preempted in
    /// its interpreter's start-up, still shows `starting`: the measured side shows a thread or a child from
    /// its `start()` to its task's first stamp, and cannot tell a start-up's turns on a core from its waits.
    @inline(__always) mutating func showWaitingForCore(_ t: Int) {
        guard recorder.enabled, !threads[t].isNewTask, !threads[t].inStartUp else { return }
        show(t, threads[t].resumeAction == .gilCheck ? .waitingGIL : .runnable)
    }
}
