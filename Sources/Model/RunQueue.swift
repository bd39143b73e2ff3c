import SimEngine

/// The OS run queue: threads that are runnable but have no core.
///
/// Round robin (the seed article's model, SCHED_RR) is first in, first out. The Linux-like policy picks
/// the thread with the least virtual runtime first (the fair-scheduling order of CFS and EEVDF,
/// kernel/sched/fair.c), ties in arrival order.
///
/// - Complexity: O(1) push/pop for round robin, O(log n) for the fair policy.
struct RunQueue: Sendable {
    var fair = false
    private var fifo = FIFO()
    private var heap = EventQueue<Int32>()
    /// The sum of the queued threads' virtual runtimes (fair policy): with the running threads', the queue's
    /// average virtual time (EEVDF's V, `avg_vruntime()` in kernel/sched/fair.c).
    private(set) var vruntimeSum: Int64 = 0

    var isEmpty: Bool { fair ? heap.isEmpty : fifo.isEmpty }
    var count: Int { fair ? heap.count : fifo.count }

    @inline(__always)
    mutating func push(_ thread: Int32, vruntime: SimTime) {
        if fair {
            vruntimeSum &+= vruntime.nanoseconds
            heap.schedule(thread, at: vruntime)
        } else {
            fifo.push(thread)
        }
    }

    @inline(__always)
    mutating func pop() -> Int32? {
        // Half the pops (a thread leaving its core) find the queue empty: answered before the heap's work.
        if fair { return heap.isEmpty ? nil : popLeast() }
        return fifo.pop()
    }

    /// The fair policy's pop, out of line so that round robin's `pop()` stays small enough to inline.
    private mutating func popLeast() -> Int32? {
        guard let next = heap.popNext() else { return nil }
        vruntimeSum &-= next.time.nanoseconds
        return next.payload
    }

    /// The thread `pop()` would return, without taking it (fair policy only).
    var peek: Int32? { fair ? heap.nextPayload : nil }

    /// The least virtual runtime waiting (fair policy only).
    var minVruntime: SimTime? { fair ? heap.nextTime : nil }
}
