import SimEngine

/// Median, minimum and maximum of a measured time over repeated runs.
public struct MeasuredSpread: Sendable, Codable, Equatable {
    public var median: SimTime
    public var min: SimTime
    public var max: SimTime

    public init(median: SimTime, min: SimTime, max: SimTime) {
        self.median = median
        self.min = min
        self.max = max
    }

    /// The spread of `values` (the lower median for an even count, so it is one of the values).
    public init(_ values: [SimTime]) {
        (median, min, max) = Self.lowerMedianAndExtremes(values) ?? (.zero, .zero, .zero)
    }

    /// The lower median of `values` (one of them, for an even count too), their minimum and maximum; nil
    /// for no values. Every spread of repeated measurements (times here, any figure in a sweep) uses it.
    /// - Complexity: O(n log n).
    public static func lowerMedianAndExtremes<T: Comparable>(_ values: [T]) -> (median: T, min: T, max: T)? {
        let sorted = values.sorted()
        guard let first = sorted.first, let last = sorted.last else { return nil }
        return (sorted[(sorted.count - 1) / 2], first, last)
    }
}
