import Foundation
import SimEngine

/// A random duration. Every draw comes from a `SplitMix64` stream, so the same seed gives the same durations.
public enum Distribution: Sendable, Equatable {
    case constant(SimTime)
    /// Uniform between the bounds (inclusive low, exclusive high).
    case uniform(SimTime, SimTime)
    /// Exponential with this mean.
    case exponential(mean: SimTime)
    /// Normal, truncated at zero (negative draws are drawn again, up to a bound, then clamped to 0).
    case normal(mean: SimTime, stddev: SimTime)
    /// Log-normal with this median (e^mu) and shape sigma.
    case lognormal(median: SimTime, sigma: Double)
    /// One of the listed values, each equally likely.
    case empirical([SimTime])

    /// The mean of the distribution (exact for all but the truncated normal, where it is the untruncated mean).
    public var mean: SimTime {
        switch self {
        case .constant(let t): return t
        case .uniform(let a, let b): return SimTime(nanoseconds: (a.nanoseconds + b.nanoseconds) / 2)
        case .exponential(let m): return m
        case .normal(let m, _): return m
        // The mean of the lognormal cut at maxDuration is below the uncut mean; min keeps e^(sigma^2/2)
        // (about 5e21 at sigma 10) from leaving the duration range.
        case .lognormal(let median, let sigma): return min(median.scaled(by: exp(sigma * sigma / 2)), SimTime.maxDuration)
        case .empirical(let values):
            guard !values.isEmpty else { return .zero }
            return values.reduce(SimTime.zero) { $0 + $1 } / Int64(values.count)
        }
    }

    /// Draws one duration, never negative. Constant distributions consume no randomness.
    public func draw(_ rng: inout SplitMix64) -> SimTime {
        switch self {
        case .constant(let t):
            return t
        case .uniform(let a, let b):
            let span = b.nanoseconds - a.nanoseconds
            if span <= 0 { return a }
            return SimTime(nanoseconds: a.nanoseconds + Int64(rng.nextUnit() * Double(span)))
        case .exponential(let m):
            // 1 - u is in (0, 1], so the log is finite.
            return Self.clamp(-log(1 - rng.nextUnit()) * Double(m.nanoseconds))
        case .normal(let m, let sd):
            for _ in 0..<16 {
                let v = Double(m.nanoseconds) + Self.standardNormal(&rng) * Double(sd.nanoseconds)
                if v >= 0 { return Self.clamp(v) }
            }
            return .zero
        case .lognormal(let median, let sigma):
            return Self.clamp(Double(median.nanoseconds) * exp(sigma * Self.standardNormal(&rng)))
        case .empirical(let values):
            return values[rng.nextIndex(below: values.count)]
        }
    }

    /// Box-Muller, one value per call (the second is discarded so that each draw uses exactly two numbers).
    static func standardNormal(_ rng: inout SplitMix64) -> Double {
        let u1 = 1 - rng.nextUnit()  // (0, 1]
        let u2 = rng.nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A drawn number of nanoseconds as a duration from 0 to `SimTime.maxDuration`: the tails of the
    /// exponential, normal and lognormal are cut there, like every duration written in a scenario.
    static func clamp(_ ns: Double) -> SimTime {
        if !(ns > 0) { return .zero }
        if ns >= Double(SimTime.maxDuration.nanoseconds) { return SimTime.maxDuration }
        // `clamping` rounds as `Int64(ns.rounded())` does, without libm's `round` call (SimTimeTests).
        return SimTime.clamping(ns)
    }
}
