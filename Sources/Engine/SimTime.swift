import Foundation

/// A point or span on the simulation clock, in integer nanoseconds.
///
/// The clock is never floating point: the same scenario and seed must give the same bytes out, and
/// integer arithmetic is exact and platform independent. One type serves for instants (nanoseconds since
/// the start of a run) and durations, as in `DispatchTime`'s raw value; the arithmetic is the same.
public struct SimTime: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The raw count of nanoseconds.
    public var nanoseconds: Int64

    @inlinable public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    // The constants are computed and inlinable rather than stored: a stored `static let` is reached through
    // a lazy-initialisation accessor call from other modules, on the simulation's hot path.
    @inlinable public static var zero: SimTime { SimTime(nanoseconds: 0) }
    /// A time later than any a run reaches (about 292 years).
    @inlinable public static var never: SimTime { SimTime(nanoseconds: .max) }

    @inlinable public static func nanoseconds(_ n: Int64) -> SimTime { SimTime(nanoseconds: n) }
    @inlinable public static func microseconds(_ n: Int64) -> SimTime { SimTime(nanoseconds: n * 1_000) }
    @inlinable public static func milliseconds(_ n: Int64) -> SimTime { SimTime(nanoseconds: n * 1_000_000) }
    @inlinable public static func seconds(_ n: Int64) -> SimTime { SimTime(nanoseconds: n * 1_000_000_000) }

    /// Rounds a number of seconds to the nearest nanosecond (for input and real measurements only;
    /// the simulation itself never goes through a `Double`).
    public static func seconds(_ s: Double) -> SimTime {
        clamping(s * 1e9)
    }

    /// The time in seconds, for reports.
    @inlinable public var seconds: Double { Double(nanoseconds) / 1e9 }
    /// The time in milliseconds, for reports.
    @inlinable public var milliseconds: Double { Double(nanoseconds) / 1e6 }

    @inlinable public static func < (a: SimTime, b: SimTime) -> Bool { a.nanoseconds < b.nanoseconds }
    // Arithmetic saturates at the ends of Int64 instead of wrapping (`&+`) or trapping: a sum past about
    // 292 years becomes `.never`, which the engine refuses as later than `horizon`, so an overflow is
    // reported, never turned into a negative or small time. Scenario values are bounded by `maxDuration`
    // and a run by `horizon`, far below the ends, so saturation is only ever a last line of defence.
    @inlinable public static func + (a: SimTime, b: SimTime) -> SimTime { SimTime(nanoseconds: saturating(a.nanoseconds.addingReportingOverflow(b.nanoseconds), a.nanoseconds, b.nanoseconds)) }
    @inlinable public static func - (a: SimTime, b: SimTime) -> SimTime { SimTime(nanoseconds: saturating(a.nanoseconds.subtractingReportingOverflow(b.nanoseconds), a.nanoseconds, b.nanoseconds == .min ? 1 : -b.nanoseconds)) }
    @inlinable public static func += (a: inout SimTime, b: SimTime) { a = a + b }
    @inlinable public static func -= (a: inout SimTime, b: SimTime) { a = a - b }
    @inlinable public static func * (a: SimTime, k: Int64) -> SimTime {
        let (p, overflow) = a.nanoseconds.multipliedReportingOverflow(by: k)
        if !overflow { return SimTime(nanoseconds: p) }
        return (a.nanoseconds < 0) == (k < 0) ? .never : SimTime(nanoseconds: .min)
    }
    @inlinable public static func / (a: SimTime, k: Int64) -> SimTime { SimTime(nanoseconds: a.nanoseconds / k) }

    /// The time from `earlier` to this time, both times within a run (from zero to `horizon`): their
    /// difference cannot overflow, so it needs no saturation (whose overflow test and selection, six
    /// instructions, ran several times an event in the engine's bookkeeping of elapsed times).
    @inlinable @inline(__always) public func since(_ earlier: SimTime) -> SimTime {
        assert(nanoseconds >= 0 && nanoseconds <= SimTime.horizon.nanoseconds && earlier.nanoseconds >= 0 && earlier.nanoseconds <= SimTime.horizon.nanoseconds, "since: times outside a run")
        return SimTime(nanoseconds: nanoseconds &- earlier.nanoseconds)
    }

    /// Adds `elapsed`, a time within the run, to a total of the run's own time that cannot pass its end (a
    /// core's busy time, a thread's run time): no overflow possible, so no saturation.
    @inlinable @inline(__always) public mutating func accumulate(_ elapsed: SimTime) {
        nanoseconds = nanoseconds &+ elapsed.nanoseconds
    }

    /// This time, within a run (from zero to `horizon`), plus `delay`: an event's time. A delay longer than
    /// 2^62 ns (146 years) counts as 2^62, so the sum cannot overflow and stays past `horizon`, where the
    /// engine refuses it as it refuses `+`'s saturated `.never` (times up to `horizon` are the same as
    /// `+`'s). Three instructions instead of `+`'s six, on every event scheduled.
    @inlinable @inline(__always) public func advanced(by delay: SimTime) -> SimTime {
        assert(nanoseconds >= 0 && nanoseconds <= SimTime.horizon.nanoseconds, "advanced(by:): a time outside a run")
        return SimTime(nanoseconds: nanoseconds &+ Swift.min(delay.nanoseconds, 1 << 62))
    }

    /// The result of an addition, or the end of Int64 it ran past (the sign of `b` says which).
    @inlinable static func saturating(_ r: (partialValue: Int64, overflow: Bool), _ a: Int64, _ b: Int64) -> Int64 {
        r.overflow ? (b > 0 ? .max : .min) : r.partialValue
    }

    /// The longest single duration a scenario may give (1,000,000 s, about 11.6 days): any step, cost or
    /// slice. Longer values are refused when the scenario is read, and random draws are capped at it.
    @inlinable public static var maxDuration: SimTime { SimTime(nanoseconds: 1_000_000_000_000_000) }
    /// The latest simulated time a run may reach (10^17 ns, about 3.2 years), a hundredth of Int64's range:
    /// a scenario whose expected total time exceeds it is refused, and a run that passes it is stopped.
    @inlinable public static var horizon: SimTime { SimTime(nanoseconds: 100_000_000_000_000_000) }

    /// Scales by a factor, rounding to the nearest nanosecond (used for configured overheads); saturates at
    /// the ends of Int64 (NaN gives 0) instead of trapping in the conversion.
    @inlinable @inline(__always) public func scaled(by factor: Double) -> SimTime {
        SimTime.clamping(Double(nanoseconds) * factor)
    }

    /// A number of nanoseconds rounded and clamped into Int64 (NaN gives 0).
    @inlinable @inline(__always) public static func clamping(_ ns: Double) -> SimTime {
        if ns.isNaN { return .zero }
        if ns >= 9.2e18 { return .never }
        if ns <= -9.2e18 { return SimTime(nanoseconds: .min) }
        return SimTime(nanoseconds: roundedHalfAway(ns))
    }

    /// `Int64(x.rounded())` (to nearest, halves away from zero) for |x| < 2^63, without the libm call that
    /// `rounded()` costs on x86-64 (whose baseline has no instruction for that rounding): the conversion
    /// truncates toward zero, and `x - Double(i)` is exact (for |x| >= 2^52, x is whole and the difference
    /// is 0), so the same halves round the same way. Written without branches: whether a fraction is
    /// above a half is a coin toss that a branch predictor loses every other time.
    @inlinable @inline(__always) static func roundedHalfAway(_ x: Double) -> Int64 {
        let i = Int64(x)
        let fraction = x - Double(i)
        return i &+ (fraction >= 0.5 ? 1 : 0) &- (fraction <= -0.5 ? 1 : 0)
    }

    /// A short human form with a unit: "0", "850ns", "40us", "5ms", "1.5s".
    public var description: String {
        let n = nanoseconds
        if n == 0 { return "0" }
        let a = n.magnitude
        func trimmed(_ v: Double) -> String {
            var s = String(format: "%.3f", v)
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
            return s
        }
        let sign = n < 0 ? "-" : ""
        if a < 1_000 { return "\(n)ns" }
        if a < 1_000_000 { return sign + trimmed(Double(a) / 1e3) + "us" }
        if a < 1_000_000_000 { return sign + trimmed(Double(a) / 1e6) + "ms" }
        return sign + trimmed(Double(a) / 1e9) + "s"
    }

    // Encoded as a plain integer of nanoseconds, so that results files are exact.
    public init(from decoder: Decoder) throws {
        nanoseconds = try decoder.singleValueContainer().decode(Int64.self)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(nanoseconds)
    }
}

