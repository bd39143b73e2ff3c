import Foundation
import SimEngine
import SimScenario
import SimTrace

/// The OS: cores, run queues, time slices, preemption.
///
/// A thread needs a core to do anything, including checking the GIL after a wake-up. Threads asleep in
/// take_gil, in a system call or on a condition are not runnable and use no core. When runnable threads
/// outnumber cores, the policy decides: round robin (one queue; a thread keeps its core until it blocks or
/// its slice ends while others wait) or Linux-like, after EEVDF (kernel/sched/fair.c): a queue per core, a
/// woken thread claiming an idle core when its wake-up begins, else queued on the core it last ran on (or its
/// waker's; a `send()` wakes the local server synchronously), placed by the lag
/// it kept, preempting only a thread that is not eligible or has used its protected slice; least virtual
/// runtime first, slice scaled by 1 + log2(min(cores, 8)); a core left idle pulls a waiter that is not
/// cache-hot from another core's queue (docs/model.md, "A queue per core").
extension Simulation {
    /// Whether the fair (Linux-like) policy runs: a queue per core (`coreQueues`), `runQueue` unused.
    @inline(__always) var fairPolicy: Bool { runQueue.fair }

    /// Whether a thread waits for core `c`: in its own queue under the fair policy, in the shared one else.
    @inline(__always) func threadsWait(for c: Int) -> Bool { fairPolicy ? !coreQueues[c].isEmpty : !runQueue.isEmpty }

    /// Whether any thread waits for a core. O(cores).
    var anyThreadWaiting: Bool {
        guard fairPolicy else { return !runQueue.isEmpty }
        for c in coreQueues.indices where !coreQueues[c].isEmpty { return true }
        return false
    }

    /// Whether core `c` can take a thread that becomes runnable: idle, and not claimed by a wake-up.
    @inline(__always) func isFree(core c: Int) -> Bool { cores[c].thread < 0 && cores[c].claimedBy < 0 }

    /// Whether some core is free (`isFree`). O(1).
    @inline(__always) var anyCoreFree: Bool { busyCores &+ claimedCores < cores.count }

    /// The core a thread that becomes runnable now would take: `preferred` if it is free, else the
    /// lowest-numbered free core; nil with none free. O(1) when no core is free (`anyCoreFree` first: under
    /// load, the common case, no core is looked at), O(cores) else.
    @inline(__always) func firstFreeCore(preferring preferred: Int = -1) -> Int? {
        guard anyCoreFree else { return nil }
        if preferred >= 0 && isFree(core: preferred) { return preferred }
        return cores.indices.first { isFree(core: $0) }
    }

    /// A thread's wake-up begins (fair policy): it claims a free core, the one it last ran on if that one is
    /// free (select_idle_sibling(), kernel/sched/fair.c), and runs there when the wake-up ends. From now on
    /// the core is no longer idle to a thread woken meanwhile (`idle_cpu()` counts the pending wake-up), which
    /// then queues behind a running thread: traced, the latency server woken by an asyncio loop's `send()`
    /// while the GIL's waiter was being woken onto the idle core took the sender's core 256 times in 373
    /// (docs/model.md, "A wake-up claims its core").
    mutating func claimIdleCore(_ t: Int) {
        guard threads[t].claimedCore < 0, let c = firstFreeCore(preferring: Int(threads[t].lastCore)) else { return }
        cores[c].claimedBy = Int32(id: t)
        threads[t].claimedCore = Int32(id: c)
        claimedCores &+= 1
    }

    /// Puts a thread on a free core, or in the run queue (maybe preempting, under the fair policy).
    mutating func becomeRunnable(_ t: Int) {
        threads[t].runnableSince = now
        // The wait for a core counts from what woke it, where that set it; else from now.
        if threads[t].coreWaitSince == .never { threads[t].coreWaitSince = now }
        let waker = Int(threads[t].syncWaker)
        threads[t].syncWaker = -1
        let claimed = Int(threads[t].claimedCore)
        if claimed >= 0 {
            threads[t].claimedCore = -1
            cores[claimed].claimedBy = -1
            claimedCores &-= 1
            dispatch(t, onto: claimed)
            return
        }
        if let c = firstFreeCore() {
            dispatch(t, onto: c)
            return
        }
        threads[t].status = .runnable
        showWaitingForCore(t)
        guard fairPolicy else {
            // While threads wait for a core, every busy core's slice end is pending (see `armSliceTimers`):
            // only the first waiter has slices to arm.
            let firstWaiter = runQueue.isEmpty
            runQueue.push(Int32(id: t), vruntime: .zero)
            if firstWaiter { armSliceTimers() }
            return
        }
        // The core it waits for (select_task_rq_fair, kernel/sched/fair.c, with no core idle): its waker's for a
        // synchronous wake-up (wake_affine), else the one it last ran on; a new thread the one with the fewest
        // waiting (find_idlest_cpu for SD_BALANCE_FORK).
        var q: Int
        if waker >= 0 && threads[waker].core >= 0 {
            q = Int(threads[waker].core)
        } else if !threads[t].isNewTask && threads[t].lastCore >= 0 {
            q = Int(threads[t].lastCore)
        } else {
            q = 0
            for c in cores.indices where coreQueues[c].count < coreQueues[q].count { q = c }
        }
        if threads[t].isNewTask {
            // A thread just created has slept no time to be credited for (EEVDF places it with no lag,
            // place_entity() with ENQUEUE_INITIAL, kernel/sched/fair.c) and, measured here, it waits for a
            // busy core's slice to end: started while both cores ran CPU-bound processes, a thread first
            // ran 2.8 ms later (median; 89 µs with a core free), where a thread woken from a wait ran in
            // 55 µs (docs/model.md, "A new thread waits for a core"). So it preempts no one. It is placed at
            // the queue's least virtual runtime (half a slice to its deadline, PLACE_DEADLINE_INITIAL, picks it
            // before most of the threads already waiting): it takes its core when that core's slice ends.
            // Queued behind every waiter instead, a spawn parent, which waits for each child's exec, took 248
            // ms to start 16 children beside their start-ups, measured 90-102.
            var place = SimTime.zero
            if let least = coreQueues[q].minVruntime {
                place = least
            } else if cores[q].thread >= 0 {
                let r = Int(cores[q].thread)
                place = threads[r].vruntime + now.since(threads[r].dispatchedAt)
            }  // (else a core claimed by a wake-up, with no one on it or waiting: nothing to place against)
            threads[t].vruntime = max(threads[t].vruntime, place)
            let firstWaiter = coreQueues[q].isEmpty
            coreQueues[q].push(Int32(id: t), vruntime: threads[t].vruntime)
            if firstWaiter { armSlice(core: q) }
            return
        }
        // EEVDF places a woken task at its queue's average virtual runtime less the lag it kept when it left a
        // core (place_entity(), kernel/sched/fair.c; PLACE_LAG scales it by (n + 1) / n), bounded by a tick or two
        // slices. One that left owing time (negative lag) stays queued until the others catch up (DELAY_DEQUEUE,
        // Linux 6.12+): woken before, it still owes what they have not caught up; after, it starts at the average.
        if let (average, n) = averageVruntime(core: q) {
            let limit = max(slice * 2, tick).nanoseconds
            var lag = threads[t].vlag > 0 ? min(threads[t].vlag, limit)
                : max(-limit, min(0, average - threads[t].vruntime.nanoseconds))
            lag = lag * (n + 1) / n
            threads[t].vruntime = SimTime(nanoseconds: max(0, average - lag))
        }
        let firstWaiter = coreQueues[q].isEmpty
        coreQueues[q].push(Int32(id: t), vruntime: threads[t].vruntime)
        if firstWaiter { armSlice(core: q) }
        preemptForWakeup(t, core: q)
    }

    /// The end of a counted thread's wait for a core (`OSThread.countsCoreWait`), if it waited: added to
    /// `coreWaited` (and the loop's or hub's part).
    mutating func noteCoreWait(_ t: Int) {
        guard threads[t].coreWaitSince != .never else { return }
        let waited = now - threads[t].coreWaitSince
        threads[t].coreWaitSince = .never
        coreWaited += waited
        if threads[t].hostsLoop { loopCoreWaited += waited }
    }

    /// Someone waits for a core (round robin's shared queue): make sure every busy core's slice end is an event.
    ///
    /// After it, and as long as the run queue is not empty, every busy core stays armed: a core is
    /// disarmed only by its slice end (`sliceEnded`), which arms it again or preempts (and `preempt` calls
    /// this), and a core taken while threads wait is armed by `dispatch`. So `becomeRunnable` calls it
    /// only for the first waiter, and `dispatch` looks at its own core only: the other cores' state cannot
    /// have changed (checked by `checkInvariants`). It ran on half the events, mostly finding nothing to arm.
    mutating func armSliceTimers() {
        for c in cores.indices where cores[c].thread >= 0 && !cores[c].sliceArmed { armSlice(core: c) }
    }

    /// Makes busy core `c`'s slice end an event, unless it is one already: a thread waits for that core.
    @inline(__always)
    mutating func armSlice(core c: Int) {
        guard !cores[c].sliceArmed else { return }
        var end = cores[c].sliceEnd
        if end < now {
            // Slices renew back to back while the thread runs alone: find the boundary to come.
            let behind = (now - end).nanoseconds
            let k = (behind + slicePeriod.nanoseconds - 1) / slicePeriod.nanoseconds
            end = end + slicePeriod * k
            cores[c].sliceEnd = end
        }
        cores[c].sliceArmed = true
        queue.schedule(Event(kind: .sliceEnd, target: Int32(id: c), token: 0), at: end)
    }

    /// The first scheduler tick at or after `time` (`time` itself without a tick). Every core ticks at the
    /// same instants, multiples of the tick from the run's start.
    @inline(__always) func nextTick(atOrAfter time: SimTime) -> SimTime {
        guard tick > .zero else { return time }
        let ticks = (time.nanoseconds + tick.nanoseconds - 1) / tick.nanoseconds
        return SimTime(nanoseconds: ticks * tick.nanoseconds)
    }

    /// EEVDF's V for core `c`'s queue: the average virtual runtime of its waiting threads and its running one
    /// (`avg_vruntime()`, kernel/sched/fair.c), with their number; nil with none. O(1).
    @inline(__always) func averageVruntime(core c: Int) -> (Int64, Int64)? {
        var sum = coreQueues[c].vruntimeSum
        var n = Int64(coreQueues[c].count)
        let r = Int(cores[c].thread)
        if r >= 0 {
            sum &+= (threads[r].vruntime + now.since(threads[r].dispatchedAt)).nanoseconds
            n += 1
        }
        return n > 0 ? (sum / n, n) : nil
    }

    /// Wake-up preemption (fair policy), after EEVDF (`check_preempt_wakeup_fair`, kernel/sched/fair.c): a
    /// woken thread queued on core `c` takes it if it is eligible (its virtual runtime at most the queue's
    /// average) and the running thread is not, or has used its protected slice (RUN_TO_PARITY: a thread just
    /// picked keeps its core until its deadline, a slice of virtual time on). Measured: a woken loop thread
    /// waits up to a tick behind an executor worker picked microseconds before (docs/model.md, "A queue per
    /// core"), where a sleeper beside a thread that has run long preempts it at once.
    mutating func preemptForWakeup(_ t: Int, core c: Int) {
        let r = Int(cores[c].thread)
        guard r >= 0, let (average, _) = averageVruntime(core: c), threads[t].vruntime.nanoseconds <= average else { return }
        let v = (threads[r].vruntime + now.since(threads[r].dispatchedAt)).nanoseconds
        let protected = v <= average && v < threads[r].vprot.nanoseconds
        if !protected { preempt(core: c) }
    }

    /// Gives core `c` to thread `t`; the context switch costs `machine.contextSwitch` before it runs.
    // Inlined, as `leaveCore`, the run queue's and FIFO's push and pop, `takeGIL`, `removeSleeper` and
    // `wakeAfterLatency`: each runs on most events, and a call's saving and restoring of registers was a
    // good part of it (3% of the instructions together). `becomeRunnable` or `acquireGIL` inlined made the
    // benchmark run 5% and 4% more instructions.
    @inline(__always)
    mutating func dispatch(_ t: Int, onto c: Int) {
        cores[c].busySince = now
        cores[c].thread = Int32(id: t)
        busyCores &+= 1  // (at most the cores)
        if cores[c].lastThread != Int32(id: t) { contextSwitches += 1 }
        cores[c].lastThread = Int32(id: t)
        threads[t].core = Int32(id: c)
        threads[t].status = .onCore
        threads[t].dispatchedAt = now
        if fairPolicy {
            threads[t].vprot = threads[t].vruntime + slice
            threads[t].lastCore = Int32(id: c)
        }
        if threads[t].countsCoreWait {
            noteCoreWait(t)
            coreTurns &+= 1
        }
        threads[t].epoch &+= 1
        showOnCore(t)
        if coreLanes {
            let state = threads[t].lane >= 0 ? recorder.state(of: Int(threads[t].lane)) : .runningNoGIL
            recorder.set(Int(cores[c].lane), state ?? .running, at: now)
        }
        schedule(.resume, Int32(id: t), token: threads[t].epoch, after: machine.contextSwitch)
        cores[c].sliceEnd = nextTick(atOrAfter: now.advanced(by: sliceAfterSwitch))
        threads[t].isNewTask = false
        // Threads wait for this core: its slice end must be pending (round robin: the others' already are).
        if !cores[c].sliceArmed && threadsWait(for: c) { armSlice(core: c) }
        if parallelLoss != nil { rerateSegments() }
    }

    /// Takes thread `t` off its core (it blocked, waits, finished or was preempted) and gives the core to
    /// the next runnable thread.
    @inline(__always)
    mutating func leaveCore(_ t: Int) {
        let c = Int(threads[t].core)
        guard c >= 0 else { return }
        if fairPolicy { noteLag(t, leaving: c) }
        threads[t].vruntime.accumulate(now.since(threads[t].dispatchedAt))
        threads[t].core = -1
        threads[t].segmentActive = false
        cores[c].busy.accumulate(now.since(cores[c].busySince))
        cores[c].thread = -1
        busyCores &-= 1
        if coreLanes { recorder.set(Int(cores[c].lane), nil, at: now) }
        if fairPolicy {
            dispatchNext(onto: c)
        } else if let next = runQueue.pop() {
            dispatch(Int(next), onto: c)
        } else if parallelLoss != nil {
            rerateSegments()
        }
    }

    // MARK: - Cores busy at once

    /// How much work a burst of `kind` does per nanosecond on thread `t` with `busyCores` cores busy: 1 alone,
    /// falling linearly to the kind's parallel efficiency when every core is busy. The cores of a machine share
    /// execution units (two vCPUs of a small VM are often hyperthreads of one physical core), caches, memory
    /// bandwidth and a power budget, so k busy cores do less than k times the work of one
    /// (`machine.parallel_efficiency`, measured by `simulate calibrate`: k processes running the same work
    /// at once against one alone). System calls are not slowed. Processes doing the same work at once need
    /// not run at one speed (`machine.core_speed_spread`): on this VM which of two is the slower changes from
    /// pair to pair, whatever core each is on, and a process alone varies as much, so the speed is each
    /// process's own (docs/model.md, "Two busy cores, two speeds"). The model gives the first child process the
    /// fast end and the second the slow one, alternately, by as much more as more cores are busy; the main
    /// process (the one the harness times its probe in) and subinterpreters run at the mean.
    @inline(__always) func speed(of kind: BurstKind, thread t: Int) -> Double {
        guard let parallelLoss, busyCores > 1 else { return 1 }
        // The same operations in the same order as before the spread, so that results stay the same to the bit.
        func byBusyCores(_ kind: BurstKind) -> Double {
            1 - parallelLoss[Int(kind.rawValue)] * Double(busyCores - 1) / Double(cores.count - 1)
        }
        var mean = byBusyCores(kind)
        if kind == .startingFromServer {
            // By the start-ups a core, not the busy cores: none lost at one a core, all of `start_efficiency`'s
            // at its calibration's crowd, log-linear between; never faster than bytecode with these cores busy.
            let perCore = Double(startingFromServer) / Double(cores.count)
            let share = perCore <= 1 ? 0 : startCrowdSpan > 0 ? min(1, log(perCore) / startCrowdSpan) : 1
            mean = min(byBusyCores(.python), 1 - parallelLoss[Int(kind.rawValue)] * share)
        }
        let p = Int(threads[t].process)
        guard let childDeviation, isProcesses, p > 0 else { return mean }
        let deviation = p & 1 == 1 ? childDeviation[Int(kind.rawValue)] : -childDeviation[Int(kind.rawValue)]
        return mean * (1 + deviation * Double(busyCores - 1) / Double(cores.count - 1))
    }

    /// A forkserver child was created (+1) or its start-up ended (-1): the running start-ups go on at their new
    /// speed.
    mutating func changeStartingFromServer(by delta: Int) {
        startingFromServer += delta
        if parallelLoss != nil { rerateSegments() }
    }

    /// The number of busy cores changed: every running segment goes on at its new speed. What it did so
    /// far is kept; its end (and a pending eval-breaker check) is scheduled again under a new epoch.
    mutating func rerateSegments() {
        for c in cores.indices where cores[c].thread >= 0 {
            let t = Int(cores[c].thread)
            guard threads[t].segmentActive else { continue }
            let speed = speed(of: threads[t].burstKind, thread: t)
            guard speed != threads[t].segmentSpeed else { continue }
            pauseBurst(t)
            threads[t].epoch &+= 1
            startSegment(t, speed: speed)
        }
    }

    /// A slice ended: preempt the thread if another waits for a core, else give it a new slice.
    ///
    /// At most one slice event is pending per core: if the core changed threads since it was armed, the
    /// event re-arms itself for the current thread's slice end, so dispatches cost no events.
    mutating func sliceEnded(core c: Int) {
        cores[c].sliceArmed = false
        if fairPolicy && !coreQueues[c].isEmpty, let o = firstFreeCore() {
            // A core left idle while this one's waiters were cache-hot: the busy core's tick kicks its balancing
            // (nohz_balancer_kick(), kernel/sched/fair.c), and it takes one.
            if let waiter = coreQueues[c].pop() { dispatch(Int(waiter), onto: o) }
        }
        guard cores[c].thread >= 0, threadsWait(for: c) else { return }
        if now < cores[c].sliceEnd {
            cores[c].sliceArmed = true
            queue.schedule(Event(kind: .sliceEnd, target: Int32(id: c), token: 0), at: cores[c].sliceEnd)
            return
        }
        preempt(core: c)
    }

    /// The OS takes the core from its thread, which goes back to the run queue with its burst paused
    /// (and, if it held the GIL, still holding it: every other thread of its process then waits).
    mutating func preempt(core c: Int) {
        let t = Int(cores[c].thread)
        guard t >= 0 else { return }
        pauseBurst(t)
        // A start-up's lane shows `starting` on and off its core (`showWaitingForCore`): its turns are the
        // cores' lanes' to show, not a mark every slice on every starting child.
        if recorder.enabled && threads[t].lane >= 0 && !threads[t].inStartUp {
            recorder.mark(.preempted, lane: Int(threads[t].lane), at: now)
        }
        threads[t].epoch &+= 1
        leaveCore(t)
        threads[t].status = .runnable
        threads[t].coreWaitSince = now
        showWaitingForCore(t)
        if fairPolicy {
            coreQueues[c].push(Int32(id: t), vruntime: threads[t].vruntime)
            armSlice(core: c)
        } else {
            runQueue.push(Int32(id: t), vruntime: threads[t].vruntime)
            armSliceTimers()
        }
    }

    /// Thread `t` leaves core `c` (fair policy): its lag then, the core's average virtual runtime less its own
    /// with this turn counted (`update_entity_lag()`, kernel/sched/fair.c), where and when it left.
    mutating func noteLag(_ t: Int, leaving c: Int) {
        let ran = now.since(threads[t].dispatchedAt)
        if let (average, _) = averageVruntime(core: c) { threads[t].vlag = average - (threads[t].vruntime + ran).nanoseconds }
        threads[t].leftCoreAt = now
    }

    /// Core `c` is free (fair policy): the next thread of its own queue takes it, else one pulled from another
    /// core's (`pullWaiter`). Out of line: round robin's `leaveCore` stays as small as it was.
    mutating func dispatchNext(onto c: Int) {
        if let next = coreQueues[c].pop() ?? pullWaiter(to: c) {
            dispatch(Int(next), onto: c)
        } else if parallelLoss != nil {
            rerateSegments()
        }
    }

    /// A core left idle takes a waiter from the other core with the most waiting (newidle balancing,
    /// `sched_balance_newidle()`), unless that waiter is cache-hot there: it left that core less than the
    /// migration cost ago (task_hot(): sysctl_sched_migration_cost, 0.5 ms; kernel/sched/fair.c). Measured: an
    /// idle core left a woken loop thread waiting behind a worker on the core it had left 240 µs before
    /// (docs/model.md, "A queue per core"). Fair policy only (round robin's queue is shared). O(cores + log n).
    mutating func pullWaiter(to c: Int) -> Int32? {
        var from = -1
        for o in cores.indices where o != c && !coreQueues[o].isEmpty {
            if from < 0 || coreQueues[o].count > coreQueues[from].count { from = o }
        }
        guard from >= 0, let waiter = coreQueues[from].peek else { return nil }
        let w = Int(waiter)
        if threads[w].lastCore == Int32(id: from) && now - threads[w].leftCoreAt < Self.migrationCost { return nil }
        return coreQueues[from].pop()
    }

    /// sysctl_sched_migration_cost (kernel/sched/fair.c): a task that left its core less than this ago is
    /// cache-hot there, and balancing leaves it.
    static let migrationCost = SimTime.microseconds(500)

    /// The context switch is done: the thread starts or continues its work.
    mutating func resume(_ t: Int) {
        switch threads[t].resumeAction {
        case .gilCheck:
            threads[t].resumeAction = .proceed
            gilCheck(t)
        case .afterSwitch:
            threads[t].resumeAction = .proceed
            continueAfterSwitch(t)
        case .proceed:
            continueThread(t)
        }
    }
}
