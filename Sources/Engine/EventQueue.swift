/// A priority queue of pending events ordered by (time, insertion order).
///
/// Like swift-nio's `EmbeddedEventLoop`, events due at the same instant run in the order they were
/// scheduled, which makes every run deterministic. It is a 4-ary min-heap in one contiguous array, keyed by
/// (time, sequence) packed in one 128-bit integer so that ordering two entries is one comparison:
/// after warm-up, scheduling and popping allocate nothing.
///
/// - Complexity: `schedule` and `popNext` are O(log n); `nextTime` is O(1).
public struct EventQueue<Payload>: Sendable where Payload: Sendable {
    @usableFromInline
    struct Entry: Sendable {
        /// (time, sequence) in one 128-bit key: one comparison orders two entries. Times are never negative.
        @usableFromInline var key: UInt128
        @usableFromInline var payload: Payload

        @inlinable init(time: SimTime, sequence: UInt64, payload: Payload) {
            self.key = UInt128(UInt64(bitPattern: time.nanoseconds)) << 64 | UInt128(sequence)
            self.payload = payload
        }

        @inlinable var time: SimTime { SimTime(nanoseconds: Int64(bitPattern: UInt64(truncatingIfNeeded: key >> 64))) }

        @inlinable func precedes(_ other: Entry) -> Bool { key < other.key }
    }

    @usableFromInline var heap: [Entry] = []
    @usableFromInline var nextSequence: UInt64 = 0

    @inlinable public init() {}

    /// The number of pending events.
    @inlinable public var count: Int { heap.count }
    /// Whether no event is pending.
    @inlinable public var isEmpty: Bool { heap.isEmpty }
    /// The time of the earliest pending event, if any. O(1).
    @inlinable public var nextTime: SimTime? { heap.first?.time }
    /// How many events were ever scheduled.
    @inlinable public var scheduledCount: UInt64 { nextSequence }

    /// Reserves room for `n` pending events.
    @inlinable public mutating func reserveCapacity(_ n: Int) { heap.reserveCapacity(n) }

    /// Schedules `payload` to fire at `time`. O(log n).
    @inlinable public mutating func schedule(_ payload: Payload, at time: SimTime) {
        assert(time.nanoseconds >= 0, "events are scheduled at non-negative times")
        heap.append(Entry(time: time, sequence: nextSequence, payload: payload))
        nextSequence &+= 1
        siftUp(heap.count - 1)
    }

    /// Removes and returns the earliest event (ties broken by insertion order). O(log n).
    @inlinable public mutating func popNext() -> (time: SimTime, payload: Payload)? {
        guard !heap.isEmpty else { return nil }
        let last = heap.count - 1
        heap.swapAt(0, last)
        let top = heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
        return (top.time, top.payload)
    }

    /// Removes every pending event for which `isStale` is true, then restores the heap. O(n).
    ///
    /// The order of the remaining events does not change (it is fixed by their (time, sequence) keys), so a
    /// run gives the same results with or without compaction. Models that invalidate events lazily (an epoch
    /// check at firing time) call it when the queue has grown, so that memory stays proportional to the
    /// live events rather than to every event ever cancelled (e.g. a long burst's end, rescheduled at each
    /// preemption).
    @inlinable public mutating func removeAll(where isStale: (Payload) -> Bool) {
        heap.removeAll { isStale($0.payload) }
        guard heap.count > 1 else { return }
        var parent = (heap.count - 2) >> 2
        while parent >= 0 {
            siftDown(parent)
            parent -= 1
        }
    }

    // A 4-ary heap: half the depth of a binary one, and the four children share a cache line or two,
    // which matters because pending events are many (one timed wait per thread in take_gil).
    @inlinable mutating func siftUp(_ start: Int) {
        heap.withUnsafeMutableBufferPointer { h in
            var child = start
            let item = h[child]
            while child > 0 {
                let parent = (child - 1) >> 2
                if !item.precedes(h[parent]) { break }
                h[child] = h[parent]
                child = parent
            }
            h[child] = item
        }
    }

    @inlinable mutating func siftDown(_ start: Int) {
        heap.withUnsafeMutableBufferPointer { h in
            let n = h.count
            var parent = start
            let item = h[parent]
            while true {
                let first = 4 * parent + 1
                if first >= n { break }
                var best = first
                let last = Swift.min(first + 4, n)
                var c = first + 1
                while c < last {
                    if h[c].precedes(h[best]) { best = c }
                    c += 1
                }
                if !h[best].precedes(item) { break }
                h[parent] = h[best]
                parent = best
            }
            h[parent] = item
        }
    }
}
