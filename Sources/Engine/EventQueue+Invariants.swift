extension EventQueue {
    /// Checks the far heap's order (every parent precedes its children), the least keys kept beside the
    /// stores, the near set's free slots, that every lane is sorted, and the pending count. Compiled in for
    /// debug builds only; in release builds it does nothing. O(n).
    @inlinable public func checkInvariants() {
        #if DEBUG
        for i in 1..<Swift.max(far.count, 1) {
            let parent = (i - 1) >> 2
            precondition(!far.entries[i].precedes(far.entries[parent]), "EventQueue heap order broken at \(i)")
        }
        precondition(far.topKey == (far.count == 0 ? .max : far.entries[0].key), "EventQueue heap top key broken")
        precondition(near.count <= NearSet.capacity, "EventQueue near set overfull")
        precondition((0..<NearSet.capacity).allSatisfy { (near.keys[$0] == .max) == ($0 >= near.count) }, "EventQueue near set's free slots broken")
        precondition(near.topRelative == near.keys.min() && (near.count == 0 || near.keys[near.top] == near.topRelative), "EventQueue near set's least key broken")
        precondition(near.topKey == (near.entries.map(\.key).min() ?? .max), "EventQueue near set's least (time, sequence) key broken")
        precondition(near.entries.allSatisfy { near.relativeKey(time: $0.time.nanoseconds, sequence: UInt64(truncatingIfNeeded: $0.key)) != nil }, "EventQueue near set's relative keys out of range")
        for (l, lane) in lanes.enumerated() {
            let entries = lane.entries
            for i in entries.indices.dropFirst() {
                precondition(entries[i - 1].precedes(entries[i]), "EventQueue lane \(l) order broken at \(i)")
            }
            precondition(lane.headKey == (entries.first?.key ?? .max), "EventQueue lane \(l) head key broken")
            precondition(lane.mask == lane.ring.count - 1, "EventQueue lane \(l) mask broken")
        }
        precondition(laneMinKey == lanes.map(\.headKey).min() ?? .max, "EventQueue lane minimum broken")
        precondition(laneMinKey == .max || lanes[laneMin].headKey == laneMinKey, "EventQueue lane minimum's lane broken")
        precondition(pending == near.count + far.count + lanes.reduce(0) { $0 + $1.count }, "EventQueue count broken")
        #endif
    }
}
