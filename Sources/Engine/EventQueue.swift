/// A priority queue of pending events ordered by (time, insertion order).
///
/// Like swift-nio's `EmbeddedEventLoop`, events due at the same instant run in the order they were
/// scheduled, which makes every run deterministic. Every entry is keyed by (time, sequence) packed in one
/// 128-bit integer, so that ordering two entries is one comparison, and the keys are unique.
///
/// Three stores hold the entries:
/// - the *near set*, a few unordered entries scanned for the least (`NearSet`), for events due within
///   `nearWindow` of the last popped event, and a 4-ary min-heap in one contiguous table, the *far* heap,
///   for the others (and for near ones when the near set is full). Most events a simulation schedules are
///   due soon (a wake-up's latency, a short burst's end) and are taken soon: kept apart from the few far
///   ones (a long sleep, a long burst), they are a handful, which a scan without branches handles faster
///   than a heap;
/// - a few *lanes*, first-in first-out, for events scheduled a fixed delay ahead (a context switch, a
///   switch interval): their times never decrease in scheduling order, so a lane is already sorted and
///   costs O(1) to add to and take from, instead of a heap's O(log n). A model with a thousand threads
///   asleep in take_gil keeps a thousand such timeouts pending; in a lane they cost no heap work.
/// `popNext` takes the least key among the near set's, the heap's top and the lanes' heads (each store
/// keeps its least key beside it, and the queue the least of the lanes'), so the order (and every run's
/// result) is the same whichever store an event went to. A lane is only a hint: an event scheduled earlier
/// than its lane's last one goes to the near set or the heap instead. An event that was far when scheduled
/// stays in the far heap as its time comes near: it still comes out in its place.
///
/// After warm-up, scheduling and popping allocate nothing. The stores are `SlotTable`s, written in place:
/// as arrays (a lane's ring nested in the array of lanes) they cost two or three copy-on-write checks,
/// runtime calls, per event. So a copy of the queue shares its entries with the original and must not be
/// used once the original has changed (the simulation never copies its queues).
///
/// - Complexity: `schedule` is O(1) into the near set or a lane, O(log n) into the heap; `popNext` is
///   O(1) to choose, O(log n) from the heap, O(near set) from the near set (at most 16), O(lanes) from a
///   lane; `nextTime` is O(1).
public struct EventQueue<Payload>: Sendable where Payload: Sendable & BitwiseCopyable {
    @usableFromInline
    struct Entry: Sendable {
        /// (time, sequence) in one 128-bit key: one comparison orders two entries. Times are never negative.
        @usableFromInline var key: UInt128
        @usableFromInline var payload: Payload

        @inlinable init(time: SimTime, sequence: UInt64, payload: Payload) {
            self.key = UInt128(UInt64(bitPattern: time.nanoseconds)) << 64 | UInt128(sequence)
            self.payload = payload
        }

        @inlinable init(key: UInt128, payload: Payload) {
            self.key = key
            self.payload = payload
        }

        @inlinable var time: SimTime { Self.time(ofKey: key) }

        /// The time a (time, sequence) key holds.
        @inlinable static func time(ofKey key: UInt128) -> SimTime {
            SimTime(nanoseconds: Int64(bitPattern: UInt64(truncatingIfNeeded: key >> 64)))
        }

        @inlinable func precedes(_ other: Entry) -> Bool { key < other.key }
    }

    /// Entries in scheduling order, already sorted by key: a ring buffer (a power-of-two capacity) that
    /// reuses its storage.
    @usableFromInline
    struct Lane: Sendable {
        @usableFromInline var ring = SlotTable<Entry>()
        /// The ring's capacity less one (-1 before its first entry): kept here, so that a push or pop does
        /// not read the capacity through the table's storage.
        @usableFromInline var mask = -1
        @usableFromInline var head = 0
        @usableFromInline var count = 0
        /// The first entry's key, `UInt128.max` when empty (no entry has it: times are below 2^63).
        @usableFromInline var headKey = UInt128.max
        /// The last entry's time.
        @usableFromInline var lastTime = Int64.min

        @inlinable init() {}

        /// Whether `time` keeps the lane sorted (no earlier than its last entry).
        @inlinable func accepts(_ time: SimTime) -> Bool { count == 0 || lastTime <= time.nanoseconds }

        @inlinable @inline(__always) mutating func push(_ e: Entry) {
            if count > mask { grow(e) }
            ring[(head &+ count) & mask] = e
            count &+= 1
            if count == 1 { headKey = e.key }
            lastTime = e.time.nanoseconds
        }

        @inlinable @inline(__always) mutating func pop() -> Entry {
            let e = ring[head]
            head = (head &+ 1) & mask
            count &-= 1
            headKey = count == 0 ? .max : ring[head].key
            return e
        }

        /// The entries, first to last.
        @inlinable var entries: [Entry] { (0..<count).map { ring[(head + $0) & (ring.count - 1)] } }

        /// Doubles the capacity (`filler` fills the new slots until they are used).
        @inlinable mutating func grow(_ filler: Entry) {
            var bigger = SlotTable(entries)
            for _ in count..<Swift.max(16, 2 * ring.count) { bigger.append(filler) }
            ring = bigger
            mask = bigger.count - 1
            head = 0
        }

        /// Keeps only the entries `keep` accepts, in order.
        @inlinable mutating func filter(_ keep: (Entry) -> Bool) {
            let kept = entries.filter(keep)
            self = Lane()
            for e in kept { push(e) }
        }
    }

    /// A few entries, unordered, with the least one found by a scan: the store for events due soon.
    ///
    /// It holds a handful of entries (the benchmark's standard scenario: 0 to 10, 3 or fewer nine times in
    /// ten), too few for a heap to pay: a heap's push and pop each take a branch on a comparison of two
    /// keys that goes either way at random, and here the key just computed (a wake-up's random latency) is
    /// the end of a long chain of dependent operations, so the processor learns of a wrong guess late. A
    /// push here compares nothing (it appends, and keeps the least key), a pop scans the keys, in blocks of
    /// four without a branch per key. At most `capacity` entries: a full set refuses, and the queue puts
    /// the event in its far heap (any store keeps the order).
    ///
    /// The set orders its entries by 64-bit *relative* keys, (time − `timeBase`) << 32 | (sequence −
    /// `sequenceBase`), which order them as their (time, sequence) keys do while both differences fit
    /// (below `timeSpan` and `sequenceSpan`): a comparison, a selection and a move of one word each instead
    /// of two (a pop's scan was a fifth of the run loop). An event whose differences do not fit makes the
    /// queue move the set's entries to the far heap and count from the last popped event again (`rebase`):
    /// every 2 s of simulated time at most, or 4 billion events.
    ///
    /// - Complexity: `push` O(1); `pop` O(capacity) at worst, O(count) in practice.
    @usableFromInline
    struct NearSet: @unchecked Sendable {  // the pointers are to its own tables
        /// The entries' relative keys; the slots from `count` on hold `UInt64.max` (no entry has it: the
        /// time part is below 2^31), so that a scan of whole blocks of four needs no bound test per key.
        @usableFromInline let keys = SlotTable<UInt64>(repeating: .max, count: NearSet.capacity)
        /// The room for the entries' payloads (slot i goes with `keys[i]`): `capacity` of them reserved and
        /// written through `payload` (a bitwise-copyable payload needs no initialisation before its first
        /// write, so a push needs no test of whether its slot was ever used); the table itself stays empty.
        @usableFromInline var payloads: SlotTable<Payload>
        /// The two tables' storage, which never moves (neither grows past `capacity`): read from here, the
        /// address is at hand, instead of two loads through the table, repeated after every write through it.
        @usableFromInline let key: UnsafeMutablePointer<UInt64>
        @usableFromInline let payload: UnsafeMutablePointer<Payload>
        @usableFromInline var count = 0
        /// The least relative key (`UInt64.max` when empty) and its slot.
        @usableFromInline var topRelative = UInt64.max
        @usableFromInline var top = 0
        /// The least entry's (time, sequence) key, `UInt128.max` when empty: what the queue compares with
        /// its other stores' least keys. Worked out from the relative key when wanted (once an event), not
        /// kept: a push and a pop would each write it.
        @inlinable var topKey: UInt128 {
            @inline(__always) get { topRelative == .max ? .max : absoluteKey(topRelative) }
        }
        /// What the relative keys count from.
        @usableFromInline var timeBase: Int64 = 0
        @usableFromInline var sequenceBase: UInt64 = 0

        @inlinable init() {
            payloads = SlotTable()
            payloads.reserveCapacity(Self.capacity)
            key = keys.base
            payload = payloads.base
        }

        /// How many entries it holds at most (a multiple of 4).
        @inlinable static var capacity: Int { 16 }
        /// A relative key's time part is below this (so that no key is `UInt64.max`)...
        @inlinable static var timeSpan: UInt64 { 1 << 31 }
        /// ... and its sequence part below this.
        @inlinable static var sequenceSpan: UInt64 { 1 << 32 }

        /// The relative key of an event at `time` (no earlier than `timeBase`) with `sequence`, if both
        /// differences fit.
        @inlinable @inline(__always) func relativeKey(time: Int64, sequence: UInt64) -> UInt64? {
            let t = UInt64(bitPattern: time &- timeBase), s = sequence &- sequenceBase
            // t < timeSpan and s < sequenceSpan (= 2 timeSpan), in one test.
            guard t | (s >> 1) < Self.timeSpan else { return nil }
            return t << 32 | s
        }

        /// The (time, sequence) key of a relative key.
        @inlinable @inline(__always) func absoluteKey(_ relative: UInt64) -> UInt128 {
            let time = UInt64(bitPattern: timeBase) &+ (relative >> 32)
            let sequence = sequenceBase &+ (relative & 0xFFFF_FFFF)
            return UInt128(time) << 64 | UInt128(sequence)
        }

        /// Adds `payload` under its relative key `relative` (the set must not be full).
        @inlinable @inline(__always) mutating func push(_ payload: Payload, relative: UInt64) {
            key[count] = relative
            (self.payload + count).initialize(to: payload)
            // The new least key, if it is one, by masks: written as `before ? relative : topRelative`, the compiler
            // makes it a branch (a store only when it is the least), whose outcome is random (see above).
            let mask = 0 &- UInt64(truncatingIfNeeded: (relative < topRelative) ? 1 : 0)
            topRelative ^= (topRelative ^ relative) & mask
            top ^= (top ^ count) & Int(truncatingIfNeeded: mask)
            count &+= 1
        }

        /// Removes and returns the least entry (the set must not be empty): the last entry takes its slot.
        @inlinable @inline(__always) mutating func pop() -> Entry {
            let e = Entry(key: topKey, payload: payload[top])
            count &-= 1
            key[top] = key[count]
            payload[top] = payload[count]
            key[count] = .max
            findTop()
            return e
        }

        /// Finds the least key and its slot again: O(count).
        @inlinable @inline(__always) mutating func findTop() {
            var (best, at) = least(inBlockAt: 0)
            var block = 4
            while block < count {
                let (key, i) = least(inBlockAt: block)
                if key < best { (best, at) = (key, i) }
                block &+= 4
            }
            topRelative = best
            top = at
        }

        /// The least key of the four slots from `b` on, and its slot: a tournament of selections, no branch.
        @inlinable @inline(__always) func least(inBlockAt b: Int) -> (UInt64, Int) {
            let k0 = key[b], k1 = key[b &+ 1], k2 = key[b &+ 2], k3 = key[b &+ 3]
            let first01 = k1 < k0, first23 = k3 < k2
            let k01 = first01 ? k1 : k0, i01 = first01 ? b &+ 1 : b
            let k23 = first23 ? k3 : k2, i23 = first23 ? b &+ 3 : b &+ 2
            let second = k23 < k01
            return (second ? k23 : k01, second ? i23 : i01)
        }

        /// The entries, in slot order.
        @inlinable var entries: [Entry] { (0..<count).map { Entry(key: absoluteKey(key[$0]), payload: payload[$0]) } }

        /// Empties the set; its relative keys will count from `time` and `sequence`.
        @inlinable mutating func reset(time: Int64, sequence: UInt64) {
            for i in 0..<count { key[i] = .max }
            count = 0
            topRelative = .max
            top = 0
            timeBase = time
            sequenceBase = sequence
        }

        /// Keeps only the entries `keep` accepts.
        @inlinable mutating func retain(where keep: (Entry) -> Bool) {
            let kept = entries.filter(keep)
            reset(time: timeBase, sequence: sequenceBase)
            for e in kept {
                // The same bases: every kept key still fits.
                push(e.payload, relative: relativeKey(time: e.time.nanoseconds, sequence: UInt64(truncatingIfNeeded: e.key))!)
            }
        }
    }

    /// A 4-ary min-heap of entries in one contiguous table.
    @usableFromInline
    struct Heap: Sendable {
        @usableFromInline var entries = SlotTable<Entry>()

        @inlinable init() {}

        /// The least key, `UInt128.max` when empty: kept beside the table, so that choosing the next event
        /// reads it without going through the table's storage.
        @usableFromInline var topKey = UInt128.max

        @inlinable var count: Int { entries.count }

        @inlinable @inline(__always) mutating func push(_ e: Entry) {
            entries.append(e)
            siftUp(entries.count &- 1)
            // Keys are unique: the new entry is at the top exactly when it precedes the old top.
            if e.key < topKey { topKey = e.key }
        }

        /// Removes and returns the least entry (the heap must not be empty).
        @inlinable @inline(__always) mutating func pop() -> Entry {
            let top = entries[0]
            let last = entries.removeLast()
            if entries.count > 0 {
                siftDown(placing: last)
                topKey = entries[0].key
            } else {
                topKey = .max
            }
            return top
        }

        /// Keeps only the entries `keep` accepts, then restores the heap order. O(n).
        @inlinable mutating func retain(where keep: (Entry) -> Bool) {
            entries.retain(where: keep)
            if entries.count > 1 {
                var parent = (entries.count - 2) >> 2
                while parent >= 0 {
                    siftDown(placing: entries[parent], at: parent)
                    parent -= 1
                }
            }
            topKey = entries.isEmpty ? .max : entries[0].key
        }

        // A 4-ary heap: half the depth of a binary one, and the four children share a cache line or two.
        // The sifts work on the table's storage directly (in bounds by construction): through
        // `withUnsafeMutableBufferPointer` each was a call to a closure that the compiler did not inline.
        @inlinable @inline(__always) mutating func siftUp(_ start: Int) {
            let h = entries.base
            var child = start
            let item = h[child]
            while child > 0 {
                let parent = (child &- 1) >> 2
                if !item.precedes(h[parent]) { break }
                h[child] = h[parent]
                child = parent
            }
            h[child] = item
        }

        /// Puts `item` at `start` (whose entry was taken or is `item`) and sifts it down to its place.
        @inlinable mutating func siftDown(placing item: Entry, at start: Int = 0) {
            let h = entries.base
            let n = entries.count
            var parent = start
            while true {
                let first = 4 &* parent &+ 1
                if first >= n { break }
                var best = first
                var bestKey = h[first].key
                if first &+ 3 < n {
                    // All four children exist (the common case): no bound test per child.
                    let k1 = h[first &+ 1].key, k2 = h[first &+ 2].key, k3 = h[first &+ 3].key
                    if k1 < bestKey { best = first &+ 1; bestKey = k1 }
                    if k2 < bestKey { best = first &+ 2; bestKey = k2 }
                    if k3 < bestKey { best = first &+ 3; bestKey = k3 }
                } else {
                    var c = first &+ 1
                    while c < n {
                        if h[c].key < bestKey { best = c; bestKey = h[c].key }
                        c &+= 1
                    }
                }
                if !(bestKey < item.key) { break }
                h[parent] = h[best]
                parent = best
            }
            h[parent] = item
        }
    }

    /// Events due within `nearWindow` of the last popped time (as many as fit).
    @usableFromInline var near = NearSet()
    /// The other events that no lane takes.
    @usableFromInline var far = Heap()
    /// How far ahead an event may be due to go to the near set (0: every event goes to the far heap).
    @usableFromInline let nearWindow: Int64
    /// The time of the last popped event.
    @usableFromInline var lastPopped: Int64 = 0
    @usableFromInline var lanes: SlotTable<Lane>
    /// The least head key among the lanes (`UInt128.max` when all are empty) and that lane's number: a lane's
    /// head changes only when it is popped or pushed while empty, so this is kept up to date at those two
    /// places, and choosing the next event compares three keys held here instead of walking the lanes.
    @usableFromInline var laneMinKey = UInt128.max
    @usableFromInline var laneMin = 0
    @usableFromInline var nextSequence: UInt64 = 0
    @usableFromInline var pending = 0

    /// A queue with `lanes` first-in first-out lanes for fixed-delay events (numbered from 0), and, if
    /// `nearWindow` is above zero, a near set for the events due within `nearWindow` of the last popped
    /// event (see the type's documentation).
    @inlinable public init(lanes: Int = 0, nearWindow: SimTime = .zero) {
        // One `Lane()` each: copies of one would share its ring.
        self.lanes = SlotTable((0..<lanes).map { _ in Lane() })
        // At most a quarter of the near set's time span, so that after a rebase every event the window
        // admits fits (a longer window only sends more events to the far heap: the order is the same).
        self.nearWindow = Swift.min(nearWindow.nanoseconds, Int64(NearSet.timeSpan / 4))
    }

    /// The number of pending events.
    @inlinable public var count: Int { pending }
    /// Whether no event is pending.
    @inlinable public var isEmpty: Bool { pending == 0 }
    /// The time of the earliest pending event, if any.
    @inlinable public var nextTime: SimTime? {
        // Every store keeps its least key: the least of the three is the earliest event's.
        let key = Swift.min(far.topKey, near.topKey, laneMinKey)
        return key == .max ? nil : Entry.time(ofKey: key)
    }
    /// How many events were ever scheduled.
    @inlinable public var scheduledCount: UInt64 { nextSequence }

    /// Reserves room for `n` pending events in the far heap.
    @inlinable public mutating func reserveCapacity(_ n: Int) {
        far.entries.reserveCapacity(n)
    }

    /// Schedules `payload` to fire at `time`: O(1) into the near set, O(log n) into the far heap.
    @inlinable @inline(__always) public mutating func schedule(_ payload: Payload, at time: SimTime) {
        assert(time.nanoseconds >= 0, "events are scheduled at non-negative times")
        // Unsigned: a time before the last pop (the fair run queue's virtual runtimes) counts as far.
        if UInt64(bitPattern: time.nanoseconds &- lastPopped) < UInt64(bitPattern: nearWindow) && near.count < NearSet.capacity {
            if let relative = near.relativeKey(time: time.nanoseconds, sequence: nextSequence) {
                near.push(payload, relative: relative)
            } else {
                rebaseNear()
                near.push(payload, relative: near.relativeKey(time: time.nanoseconds, sequence: nextSequence)!)
            }
        } else {
            far.push(Entry(time: time, sequence: nextSequence, payload: payload))
        }
        nextSequence &+= 1
        pending &+= 1
    }

    /// Moves the near set's entries to the far heap and has its relative keys count from the last popped
    /// event and the next sequence number: then an event due within `nearWindow` (below `NearSet.timeSpan`)
    /// fits. The order of the pops does not change (any store keeps it).
    @inlinable @inline(never) mutating func rebaseNear() {
        for e in near.entries { far.push(e) }
        near.reset(time: lastPopped, sequence: nextSequence)
    }

    /// Schedules `payload` to fire at `time` in `lane` (O(1)) if that keeps the lane sorted, else in the
    /// near set or the far heap. Meant for events a fixed delay ahead of a clock that never goes back.
    @inlinable @inline(__always) public mutating func schedule(_ payload: Payload, at time: SimTime, lane: Int) {
        guard lanes[lane].accepts(time) else {
            schedule(payload, at: time)
            return
        }
        assert(time.nanoseconds >= 0, "events are scheduled at non-negative times")
        let e = Entry(time: time, sequence: nextSequence, payload: payload)
        lanes[lane].push(e)
        // A push to an empty lane makes a new head; a later entry of a lane never precedes its head.
        if e.key < laneMinKey {
            laneMinKey = e.key
            laneMin = lane
        }
        nextSequence &+= 1
        pending &+= 1
    }

    /// Finds the lane with the least head again (after its head changed). O(lanes).
    @inlinable @inline(__always) mutating func updateLaneMin() {
        if lanes.count == 1 {
            // One lane (the simulation's): its head is the least.
            laneMinKey = lanes[0].headKey
            laneMin = 0
            return
        }
        var best = UInt128.max
        var lane = 0
        for i in lanes.indices {
            // Selections, not branches (see `NearSet`).
            let key = lanes[i].headKey
            let before = key < best
            best = before ? key : best
            lane = before ? i : lane
        }
        laneMinKey = best
        laneMin = lane
    }

    @usableFromInline static var nearSource: Int { -1 }
    @usableFromInline static var farSource: Int { -2 }

    /// Where the earliest event is: `nearSource`, `farSource`, a lane's number; nil when none is pending.
    @inlinable @inline(__always) func earliestSource() -> Int? {
        // Written as selections rather than branches, so that the compiler can use conditional moves: which
        // store holds the next event changes from one event to the next, unpredictably.
        var source = Self.farSource
        var best = far.topKey
        if near.topKey < best { best = near.topKey; source = Self.nearSource }
        if laneMinKey < best { best = laneMinKey; source = laneMin }
        return best == .max ? nil : source
    }

    /// The earliest event's payload, as `popNext()` would return it, left in place. O(1).
    @inlinable public var nextPayload: Payload? {
        guard let source = earliestSource() else { return nil }
        switch source {
        case Self.nearSource: return near.payload[near.top]
        case Self.farSource: return far.entries[0].payload
        default: return lanes[source].ring[lanes[source].head].payload
        }
    }

    /// Removes and returns the earliest event (ties broken by insertion order).
    @inlinable @inline(__always) public mutating func popNext() -> (time: SimTime, payload: Payload)? {
        guard let source = earliestSource() else { return nil }
        pending &-= 1
        let e: Entry
        switch source {
        case Self.nearSource: e = near.pop()
        case Self.farSource: e = far.pop()
        default:
            e = lanes[source].pop()
            updateLaneMin()
        }
        let time = e.time
        lastPopped = time.nanoseconds
        return (time, e.payload)
    }

    /// Removes every pending event for which `isStale` is true, then restores the far heap's order. O(n).
    ///
    /// The order of the remaining events does not change (it is fixed by their (time, sequence) keys), so a
    /// run gives the same results with or without compaction. Models that invalidate events lazily (an epoch
    /// check at firing time) call it when the queue has grown, so that memory stays proportional to the
    /// live events rather than to every event ever cancelled (e.g. a long burst's end, rescheduled at each
    /// preemption).
    @inlinable public mutating func removeAll(where isStale: (Payload) -> Bool) {
        for i in lanes.indices { lanes[i].filter { !isStale($0.payload) } }
        updateLaneMin()
        near.retain { !isStale($0.payload) }
        far.retain { !isStale($0.payload) }
        pending = near.count + far.count + lanes.reduce(0) { $0 + $1.count }
    }
}
