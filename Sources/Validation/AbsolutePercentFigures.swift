/// The median and 90th percentile (nearest rank) of the absolute values of percentages: a model's errors
/// against a measurement, or one measurement's changes against another.
public struct AbsolutePercentFigures: Sendable, Equatable {
    public var count: Int
    public var median: Double
    public var p90: Double

    /// - Complexity: O(n log n).
    public init(_ percents: [Double]) {
        let sorted = percents.map(abs).sorted()
        func rank(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            return sorted[max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1)]
        }
        count = sorted.count
        median = rank(50)
        p90 = rank(90)
    }
}
