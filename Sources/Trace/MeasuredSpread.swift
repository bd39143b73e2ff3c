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
        let sorted = values.sorted()
        median = sorted.isEmpty ? .zero : sorted[(sorted.count - 1) / 2]
        min = sorted.first ?? .zero
        max = sorted.last ?? .zero
    }
}
