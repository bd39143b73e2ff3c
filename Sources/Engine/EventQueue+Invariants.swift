extension EventQueue {
    /// Checks the heap property in both heaps (every parent precedes its children), that every lane is
    /// sorted, and the pending count. Compiled in for debug builds only; in release builds it does nothing. O(n).
    @inlinable public func checkInvariants() {
        #if DEBUG
        for heap in [near.entries, far.entries] {
            for i in 1..<Swift.max(heap.count, 1) {
                let parent = (i - 1) >> 2
                precondition(!heap[i].precedes(heap[parent]), "EventQueue heap order broken at \(i)")
            }
        }
        for (l, lane) in lanes.enumerated() {
            let entries = lane.entries
            for i in entries.indices.dropFirst() {
                precondition(entries[i - 1].precedes(entries[i]), "EventQueue lane \(l) order broken at \(i)")
            }
            precondition(lane.headKey == (entries.first?.key ?? .max), "EventQueue lane \(l) head key broken")
        }
        precondition(pending == near.count + far.count + lanes.reduce(0) { $0 + $1.count }, "EventQueue count broken")
        #endif
    }
}
