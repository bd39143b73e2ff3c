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

    public static let zero = SimTime(nanoseconds: 0)
    /// A time later than any a run reaches (about 292 years).
    public static let never = SimTime(nanoseconds: .max)

    @inlinable public static func nanoseconds(_ n: Int64) -> SimTime { SimTime(nanoseconds: n) }
    @inlinable public static func microseconds(_ n: Int64) -> SimTime { SimTime(nanoseconds: n * 1_000) }
    @inlinable public static func milliseconds(_ n: Int64) -> SimTime { SimTime(nanoseconds: n * 1_000_000) }
    @inlinable public static func seconds(_ n: Int64) -> SimTime { SimTime(nanoseconds: n * 1_000_000_000) }

    /// Rounds a number of seconds to the nearest nanosecond (for input and real measurements only;
    /// the simulation itself never goes through a `Double`).
    public static func seconds(_ s: Double) -> SimTime {
        SimTime(nanoseconds: Int64((s * 1e9).rounded()))
    }

    /// The time in seconds, for reports.
    @inlinable public var seconds: Double { Double(nanoseconds) / 1e9 }
    /// The time in milliseconds, for reports.
    @inlinable public var milliseconds: Double { Double(nanoseconds) / 1e6 }

    @inlinable public static func < (a: SimTime, b: SimTime) -> Bool { a.nanoseconds < b.nanoseconds }
    @inlinable public static func + (a: SimTime, b: SimTime) -> SimTime { SimTime(nanoseconds: a.nanoseconds &+ b.nanoseconds) }
    @inlinable public static func - (a: SimTime, b: SimTime) -> SimTime { SimTime(nanoseconds: a.nanoseconds &- b.nanoseconds) }
    @inlinable public static func += (a: inout SimTime, b: SimTime) { a.nanoseconds &+= b.nanoseconds }
    @inlinable public static func -= (a: inout SimTime, b: SimTime) { a.nanoseconds &-= b.nanoseconds }
    @inlinable public static func * (a: SimTime, k: Int64) -> SimTime { SimTime(nanoseconds: a.nanoseconds * k) }
    @inlinable public static func / (a: SimTime, k: Int64) -> SimTime { SimTime(nanoseconds: a.nanoseconds / k) }

    /// Scales by a factor, rounding to the nearest nanosecond (used for configured overheads).
    @inlinable public func scaled(by factor: Double) -> SimTime {
        SimTime(nanoseconds: Int64((Double(nanoseconds) * factor).rounded()))
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

