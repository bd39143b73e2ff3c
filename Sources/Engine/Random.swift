/// SplitMix64: a tiny, fast, seedable generator with a full 2^64 period (Steele, Lea, Flood 2014).
///
/// Used for every random draw in a run so that the same seed gives the same numbers on every platform
/// (Swift's `SystemRandomNumberGenerator` is neither seedable nor reproducible).
///
/// - Complexity: O(1) per draw, no allocation.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    @inlinable public init(seed: UInt64) { state = seed }

    /// A generator for an independent stream derived from this seed and a stream number, e.g. one per task,
    /// so that a task draws the same numbers whatever the strategy interleaves it with.
    public init(seed: UInt64, stream: UInt64) {
        var mixer = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        state = mixer.next() ^ stream
    }

    @inlinable public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    @inlinable public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform integer in 0..<bound (bound > 0), without modulo bias worth noticing at 64 bits.
    @inlinable public mutating func nextIndex(below bound: Int) -> Int {
        Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }
}
