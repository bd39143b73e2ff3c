extension EventQueue {
    /// Checks the heap property: every parent precedes its children. Compiled in for debug builds only;
    /// in release builds it does nothing. O(n).
    @inlinable public func checkInvariants() {
        #if DEBUG
        for i in 1..<Swift.max(heap.count, 1) {
            let parent = (i - 1) >> 2
            precondition(!heap[i].precedes(heap[parent]), "EventQueue heap order broken at \(i)")
        }
        #endif
    }
}
