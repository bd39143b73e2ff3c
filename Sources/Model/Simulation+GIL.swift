import SimEngine
import SimScenario
import SimTrace

/// The GIL as Python/ceval_gil.c implements it (3.2+ "new GIL", FORCE_SWITCHING on).
///
/// - take_gil: free, take it. Otherwise sleep in a timed wait of one switch interval; on a timeout with
///   the GIL still locked and switch_number unchanged, set the drop request; wait again.
/// - The holder notices a request at its next eval-breaker check: within `checkLatency` in bytecode,
///   only at the end of a C call that holds the GIL (long_pow).
/// - drop_gil: unlock and COND_SIGNAL one sleeper: glibc's condvar gives it to the oldest waiter of its
///   group G1, unless the waiter that asked for the drop takes it before it sleeps (`signalOneSleeper`).
///   If a drop request is pending, the dropper then sleeps on switch_cond until another thread holds the
///   GIL (FORCE_SWITCHING) - for a forced drop and for a voluntary release alike (the code does not tell
///   them apart; only a thread's final release skips it).
/// - A voluntary release (Py_BEGIN_ALLOW_THREADS around a blocking call) otherwise does not wait: if its
///   call returns before the woken sleeper has run (the wake-up latency), the releaser takes it back.
///
/// This file touches only the GIL state of `processes`, the GIL fields of `threads`, and the GIL metrics;
/// it asks the scheduler (`leaveCore`, `wakeAfterLatency`) to move threads.
extension Simulation {
    /// Thread `t` (on a core) wants the GIL. Returns true if it holds it now; otherwise it went to sleep
    /// in take_gil and will continue when it gets it.
    @inline(__always)
    mutating func takeGIL(_ t: Int) -> Bool {
        let p = Int(threads[t].process)
        if !processes[p].gil.locked {
            acquireGIL(t)
            return true
        }
        if threads[t].gilWaitSince == .never { threads[t].gilWaitSince = now }
        sleepInTakeGIL(t)
        return false
    }

    /// The thread sleeps in COND_TIMED_WAIT for one switch interval, remembering switch_number. Its timer fires
    /// the machine's timer slack after the interval: the futex wait's hrtimer may expire anywhere in that
    /// window (kernel/futex/core.c, `futex_setup_timer`; `hrtimer_set_expires_range_ns`), and with no other
    /// timer on the core it fires at the late end. Its vCPU halted meanwhile and is woken through the host, which
    /// takes `machine.timeoutIdleWake` at the interval more (docs/model.md, "The timed wait's idle wake-up"): the
    /// thread stays queued on the futex until it runs (kernel/futex/waitwake.c, `futex_wait`), so it counts here
    /// as a sleeper that long. A fixed delay, so the timeouts stay in their first-in first-out lane (drawn ±25%
    /// each, most went to the heap and the model ran 25% slower); the wake-up after it keeps its own spread.
    mutating func sleepInTakeGIL(_ t: Int) {
        let p = Int(threads[t].process)
        threads[t].gilSavedSwitch = processes[p].gil.switchNumber
        threads[t].gilTimedOut = false
        threads[t].epoch &+= 1
        leaveCore(t)
        threads[t].status = .waitingGIL
        threads[t].waitPosition = processes[p].gil.addSleeper(Int32(id: t))
        show(t, .waitingGIL)
        // Straight into the timeouts' lane: through `schedule`, the compiler made this a call (not inlined),
        // whose saving of registers and look-up of the kind's lane cost 4% of the run's instructions.
        let timeout = Event(kind: .gilTimeout, target: Int32(id: t), token: threads[t].epoch)
        queue.schedule(timeout, at: now.advanced(by: gilTimeout), lane: EventKind.gilTimeoutLane)
    }

    /// The timed wait expired: the thread wakes (after the wake-up latency) to check the GIL.
    mutating func gilWaitTimedOut(_ t: Int) {
        removeSleeper(t)
        threads[t].gilTimedOut = true
        wakeAfterLatency(t, then: .gilCheck)
    }

    /// Back on a core inside take_gil's loop: take the GIL if free; else, after a timeout in which no
    /// switch happened, ask the holder to drop it; then wait another interval.
    mutating func gilCheck(_ t: Int) {
        let p = Int(threads[t].process)
        if !processes[p].gil.locked {
            acquireGIL(t)
            continueThread(t)
            return
        }
        if threads[t].gilTimedOut && processes[p].gil.switchNumber == threads[t].gilSavedSwitch {
            setDropRequest(by: t)
        }
        sleepInTakeGIL(t)
    }

    /// take_gil's success path: lock, count a switch if the holder changed, signal switch_cond, clear
    /// the drop request.
    mutating func acquireGIL(_ t: Int) {
        let p = Int(threads[t].process)
        processes[p].gil.locked = true
        processes[p].gil.holder = Int32(id: t)
        processes[p].gil.heldSince = now
        threads[t].holdsGIL = true
        threads[t].needsGIL = false
        if threads[t].gilWaitSince != .never {
            gilWaited += now.since(threads[t].gilWaitSince)
            threads[t].gilWaitSince = .never
        }
        let previous = processes[p].gil.lastHolder
        if previous != Int32(id: t) {
            processes[p].gil.lastHolder = Int32(id: t)
            processes[p].gil.switchNumber += 1
            gilSwitches += 1
            // Tested here: the recorder is in another module, and its call costs even when it does nothing.
            // A process's first holder is counted (take_gil counts it in switch_number) but not marked: no
            // other thread handed it the GIL.
            if recorder.enabled && previous >= 0 { recorder.mark(.gilHandoff, lane: Int(threads[t].lane), at: now) }
            // COND_SIGNAL(switch_cond): the forced dropper may go on.
            if !processes[p].gil.switchWaiters.isEmpty {
                let w = Int(processes[p].gil.switchWaiters.removeFirst())
                wakeAfterLatency(w, then: .afterSwitch)
            }
        }
        processes[p].gil.dropRequest = false
    }

    /// drop_gil. Returns true if the dropper must now wait on switch_cond (a drop request was pending);
    /// the caller then parks it with `waitForSwitch`. `final` is a thread's last release (no wait).
    mutating func dropGIL(_ t: Int, final: Bool = false) -> Bool {
        let p = Int(threads[t].process)
        processes[p].gil.locked = false
        processes[p].gil.holder = -1
        processes[p].gil.lastHolder = Int32(id: t)
        gilHeld += now.since(processes[p].gil.heldSince)
        threads[t].holdsGIL = false
        signalOneSleeper(process: p)
        if !final && processes[p].gil.dropRequest && someoneElseWants(process: p, except: t) {
            processes[p].gil.dropRequest = false
            return true
        }
        return false
    }

    /// The dropper sleeps on switch_cond until another thread takes the GIL.
    mutating func waitForSwitch(_ t: Int) {
        let p = Int(threads[t].process)
        threads[t].epoch &+= 1
        leaveCore(t)
        threads[t].status = .waitingSwitch
        processes[p].gil.switchWaiters.append(Int32(id: t))
        if threads[t].gilWaitSince == .never { threads[t].gilWaitSince = now }
        show(t, .waitingGIL)
    }

    /// A waiter timed out with no switch in a whole interval: it sets the drop request. The holder, if it
    /// is running bytecode, notices within `checkLatency`.
    mutating func setDropRequest(by waiter: Int) {
        let p = Int(threads[waiter].process)
        guard !processes[p].gil.dropRequest else { return }
        processes[p].gil.dropRequest = true
        processes[p].gil.requester = Int32(waiter)
        processes[p].gil.requestedAt = now
        dropRequests += 1
        if recorder.enabled { recorder.mark(.dropRequest, lane: Int(threads[waiter].lane), at: now) }
        let h = Int(processes[p].gil.holder)
        if h >= 0 { scheduleDropCheck(h) }
    }

    /// If holder `h` runs bytecode right now, schedule the eval-breaker check that will notice the request
    /// (unless its burst ends first: the end of a burst checks too).
    mutating func scheduleDropCheck(_ h: Int) {
        let th = threads[h]
        guard th.segmentActive, th.burstKind == .python else { return }
        let left = wallTime(th.burstRemaining - workDone(h), speed: th.segmentSpeed)
        if python.checkLatency < left {
            schedule(.dropNoticed, Int32(id: h), token: th.epoch, after: python.checkLatency)
        }
    }

    /// The holder reached an eval-breaker check with the request set: forced switch.
    mutating func dropNoticed(_ h: Int) {
        let p = Int(threads[h].process)
        guard threads[h].holdsGIL, processes[p].gil.dropRequest else { return }
        pauseBurst(h)
        forcedDrop(h)
    }

    /// Drop on request and wait until another thread holds the GIL; then take it back (and sleep in
    /// take_gil, since the other thread has it).
    mutating func forcedDrop(_ h: Int) {
        forcedSwitches += 1
        if recorder.enabled { recorder.mark(.forcedSwitch, lane: Int(threads[h].lane), at: now) }
        threads[h].needsGIL = true
        if dropGIL(h) {
            threads[h].pendingBlock = SimTime(nanoseconds: -1)
            waitForSwitch(h)
        } else {
            continueThread(h)
        }
    }

    /// COND_SIGNAL(cond): one sleeper in take_gil gets the signal, as glibc's condvar (2.25 and later; 2.36
    /// here) and the kernel's futex decide it:
    /// - `pthread_cond_signal` (nptl/pthread_cond_signal.c) puts the signal in group G1 while G1 has waiters
    ///   left; otherwise `__condvar_quiesce_and_switch_g1` first makes every current waiter (G2) the new G1.
    ///   A waiter joins G2 when it enters its wait (`__pthread_cond_wait_common`: "We always go into what was
    ///   G2"), and one whose timed wait expires cancels itself out of its group (`__condvar_cancel_waiting`):
    ///   take_gil's loop then waits again, as the newest waiter.
    /// - `futex_wake(..., 1)` wakes the G1 waiter that went to sleep first: the kernel queues futex waiters of
    ///   equal priority in order (kernel/futex/core.c, `__futex_queue`'s plist). Measured: when the holder
    ///   notices the request only after a C call, the sleeping thread gets the first switch 74-97% of the time
    ///   beside 2 or 4 spinning threads (`gil_probe.py 2|4 sleep 5|1 200 2000`); a random choice gives 50%, 25%.
    /// - The waiter that set the drop request releases `gil->mutex` inside `pthread_cond_timedwait` after
    ///   taking its position, then reads `__g_signals` once before it blocks ("If there is an available
    ///   signal, don't block"). If the holder, noticing the request at its next bytecode check, signals in
    ///   between, that waiter takes the signal without having slept: it goes on at once, with no wake-up.
    ///   That race is `machine.requesterTakesSignal`; it is possible only while the requester is in G1 and the drop
    ///   follows the request within `checkLatency`.
    mutating func signalOneSleeper(process p: Int) {
        guard processes[p].gil.sleeperCount > 0 else { return }
        var w = Int(processes[p].gil.oldestSleeper(below: processes[p].gil.g1End))
        if w < 0 {
            processes[p].gil.g1End = processes[p].gil.nextWaitPosition
            w = Int(processes[p].gil.oldestSleeper(below: processes[p].gil.g1End))
        }
        let r = Int(processes[p].gil.requester)
        if r >= 0, threads[r].status == .waitingGIL, now.since(processes[p].gil.requestedAt) <= python.checkLatency,
           threads[r].waitPosition < processes[p].gil.g1End,
           rng.nextUnit() < machine.requesterTakesSignal {
            removeSleeper(r)
            threads[r].gilTimedOut = false
            // It never slept: runnable at once, without a wake-up latency.
            threads[r].epoch &+= 1
            threads[r].status = .waking
            threads[r].resumeAction = .gilCheck
            schedule(.wake, Int32(id: r), token: threads[r].epoch, after: .zero)
            return
        }
        removeSleeper(w)
        threads[w].gilTimedOut = false
        wakeAfterLatency(w, then: .gilCheck)
    }

    /// Whether any other thread of the process is in take_gil (asleep, waking or runnable to check).
    // Inlined: a non-mutating method called from a mutating one is otherwise given a copy of the whole
    // simulation (a memcpy of about 900 bytes per call).
    @inline(__always) func someoneElseWants(process p: Int, except t: Int) -> Bool {
        if processes[p].gil.sleeperCount > 0 { return true }
        for (i, th) in threads.enumerated() where i != t && Int(th.process) == p {
            if th.resumeAction == .gilCheck && (th.status == .waking || th.status == .runnable || th.status == .onCore) { return true }
        }
        return false
    }

    /// Removes a thread from the sleepers in O(1): its entry in the waiter order becomes -1.
    @inline(__always)
    mutating func removeSleeper(_ t: Int) {
        let position = threads[t].waitPosition
        guard position >= 0 else { return }
        processes[Int(threads[t].process)].gil.removeSleeper(at: position)
        threads[t].waitPosition = -1
    }
}
