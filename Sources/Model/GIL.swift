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
    /// `drop_gil` (1,000 sleepers in the benchmark).
    var waitOrder: [Int32] = []
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
