extension RandomAccessCollection {
    /// The index of the first element for which `isInSecondPart` is true, in a collection already
    /// partitioned by it (every element for which it is false comes before every element for which it is
    /// true: a sorted array and a threshold); `endIndex` if there is none. The binary search the trace
    /// builder, the explanations and the timeline layout each need over their sorted intervals.
    /// - Complexity: O(log n) calls of `isInSecondPart`.
    @inlinable
    public func partitionPoint(where isInSecondPart: (Element) throws -> Bool) rethrows -> Index {
        var low = startIndex
        var count = self.count
        while count > 0 {
            let half = count / 2
            let mid = index(low, offsetBy: half)
            if try isInSecondPart(self[mid]) {
                count = half
            } else {
                low = index(after: mid)
                count -= half + 1
            }
        }
        return low
    }
}
