import SimEngine

/// The state of one interpreter's GIL, as `struct _gil_runtime_state` in Include/internal/pycore_gil.h
/// holds it (FORCE_SWITCHING is always defined).
struct GILState: Sendable {
    /// `locked`: someone holds it.
    var locked = false
    /// The thread holding it, -1 when free.
    var holder: Int32 = -1
    /// `last_holder`: the thread that held it last (set on take and on drop).
    var lastHolder: Int32 = -1
    /// `switch_number`: how many times it passed to a different thread.
    var switchNumber = 0
    /// The drop request (gil_drop_request up to 3.12, the holder's eval-breaker bit from 3.13).
    var dropRequest = false
    /// The threads asleep in `COND_TIMED_WAIT(cond)`, not yet signalled (`drop_gil` wakes one of them), in
    /// glibc's waiter order (`__wseq`): every position taken since `waitOrderBase`, the thread asleep there,
    /// or -1 once it left that wait (signalled, or timed out to wait again as the newest). A sleeper keeps its
    /// position (`OSThread.waitPosition`); position q is at index q - `waitOrderBase`, so a sleeper leaves in
    /// O(1), and the oldest is the first entry from `waitOrderHead` on that is not -1: amortised O(1) per
    /// `drop_gil` (1,000 sleepers in the benchmark). A `SlotTable`, written in place: an array here cost a
    /// uniqueness check, a runtime call, at every sleep and every leave.
    var waitOrder = SlotTable<Int32>()
    /// The position of `waitOrder[0]`.
    var waitOrderBase: Int64 = 0
    /// Entries before it are all -1.
    var waitOrderHead = 0
    /// How many entries of `waitOrder` are sleepers (not -1).
    var sleeperCount = 0
    /// The position the next waiter takes.
    var nextWaitPosition: Int64 { waitOrderBase + Int64(waitOrder.count) }
    /// Sleepers whose position is below this are in glibc's group G1 (the group signals go to); the others
    /// are in G2 and join G1 only when a signal finds G1 empty.
    var g1End: Int64 = 0
    /// The waiter that set the pending drop request, and when: it may take the holder's signal before it
    /// sleeps (see `signalOneSleeper`).
    var requester: Int32 = -1
    var requestedAt = SimTime.zero
    /// Threads that dropped on request and sleep in `COND_WAIT(switch_cond)` until another thread takes it.
    var switchWaiters: [Int32] = []
    var heldSince = SimTime.zero
}

// The waiter order's bookkeeping, as mutating methods of the GIL state: the simulation calls them on its
// process table's element in place. Written from the simulation through that element instead, each write to
// `waitOrder` copied the table's reference out first (a retain and a release, two atomic operations).
extension GILState {
    /// Thread `t` starts a wait in take_gil as the newest waiter; returns its position.
    @inline(__always) mutating func addSleeper(_ t: Int32) -> Int64 {
        // Keeps the left waits from piling up when no signal comes to skip them (a long C call holding the
        // GIL while every sleeper times out each interval).
        if waitOrder.count > 2 &* sleeperCount &+ 64 { dropLeftWaits() }  // (at most the threads: no overflow)
        let position = nextWaitPosition
        waitOrder.append(t)
        sleeperCount += 1
        return position
    }

    /// The sleeper at `position` leaves its wait (signalled, or timed out): O(1), its entry becomes -1.
    @inline(__always) mutating func removeSleeper(at position: Int64) {
        waitOrder[Int(position - waitOrderBase)] = -1
        sleeperCount -= 1
    }

    /// The sleeper with the lowest position below `end`, or -1. Amortised O(1): once the left waits at the
    /// front of `waitOrder` are skipped, its first entry is the lowest position.
    mutating func oldestSleeper(below end: Int64) -> Int32 {
        dropLeftWaits()
        guard waitOrderHead < waitOrder.count, waitOrderBase + Int64(waitOrderHead) < end else { return -1 }
        return waitOrder[waitOrderHead]
    }

    /// Skips the left waits (-1) at the front of `waitOrder`; drops the skipped part of the storage once it
    /// is half of it.
    mutating func dropLeftWaits() {
        var head = waitOrderHead
        let count = waitOrder.count
        while head < count && waitOrder[head] < 0 { head += 1 }
        if head >= 64 && head * 2 >= count {
            waitOrder.removeFirst(head)
            waitOrderBase += Int64(head)
            head = 0
        }
        waitOrderHead = head
    }
}
