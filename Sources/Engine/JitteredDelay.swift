import Foundation

/// A random delay `base x (1 - jitter + jitter x E)` rounded to the nanosecond, with E exponential of mean 1
/// drawn by inversion, `-log(1 - u)` for a uniform u of a `SplitMix64`.
///
/// `draw` gives exactly the values of the plain computation (`reference`: libm's `log`, then
/// `SimTime.scaled(by:)`), at about a third of its cost: it computes the logarithm inline to within
/// `NegativeLog.maxError`, and the rounding to a nanosecond only depends on which side of a half
/// nanosecond the product falls. When the approximate product lies within its error bound of a half
/// nanosecond (about one draw in ten million at a 10 us base), or out of the ordinary range, it falls back
/// to the reference. So a run's results do not change by a byte, whichever way a draw was computed.
///
/// A simulation draws one per wake-up, about ten million in the benchmark's standard scenario, where the libm
/// call and the rounding's unpredictable branch were an eighth of the run's time.
public struct JitteredDelay: Sendable {
    public let base: SimTime
    public let jitter: Double
    @usableFromInline let negativeLog = NegativeLog()

    public init(base: SimTime, jitter: Double) {
        self.base = base
        self.jitter = jitter
    }

    /// The next delay; the same value as `reference` from the same generator state.
    @inlinable @inline(__always) public func draw(_ rng: inout SplitMix64) -> SimTime {
        guard jitter > 0, base.nanoseconds > 0 else { return base }
        return delay(v: 1 - rng.nextUnit())
    }

    /// The delay for E = -log(v), v in (0, 1] (jitter > 0, base > 0).
    @inlinable @inline(__always) func delay(v: Double) -> SimTime {
        let b = Double(base.nanoseconds)
        // No cancellation: 1 - jitter and jitter x E are both non-negative.
        let y = b * (1 - jitter + jitter * negativeLog.approximate(v))
        // |y - the reference's unrounded product| is below the log's error times b x jitter plus a few
        // roundings of y (6 x 2^-53 relative); the margin is ten times that.
        let margin = b * jitter * (10 * NegativeLog.maxError) + y * 1e-14
        let ordinary = y >= 0 && y < 1e15 && jitter <= 1
        let whole = Int64(ordinary ? y : 0)
        let fraction = y - Double(whole)  // exact
        guard ordinary, abs(fraction - 0.5) > margin else { return reference(v: v) }
        return SimTime(nanoseconds: whole &+ (fraction > 0.5 ? 1 : 0))
    }

    /// The plain computation: libm's `log`, then `SimTime.scaled(by:)`.
    @inlinable public func reference(_ rng: inout SplitMix64) -> SimTime {
        guard jitter > 0, base.nanoseconds > 0 else { return base }
        return reference(v: 1 - rng.nextUnit())
    }

    @inlinable @inline(never) func reference(v: Double) -> SimTime {
        base.scaled(by: 1 - jitter + jitter * -log(v))
    }
}

/// `-log(x)` for x in (0, 1] (a normal double), to within `maxError` absolute, without a libm call.
///
/// The classic reduction: x = 2^k x m with m in [1, 2); c is the middle of m's 1/256-wide interval, r =
/// (m - c) / c, |r| <= 1/512, and log x = k log 2 + log c + log1p(r), with log1p's series to r^3 (the rest
/// is below r^4 / 4 = 3.7e-12). The 256 values log c are computed once with libm's `log`. Few terms keep
/// the chain of dependent operations short (a draw waits for it); `JitteredDelay` only needs to know on
/// which side of a half nanosecond a product lies, and hands the rare close ones to libm. A test checks
/// the bound against libm on millions of values.
public struct NegativeLog: Sendable {
    /// Per interval: c, 1 / c, log c.
    @usableFromInline let table: SlotTable<SIMD4<Double>>

    public init() {
        table = SlotTable((0..<256).map { i in
            let c = 1 + (Double(i) + 0.5) / 256
            return SIMD4(c, 1 / c, log(c), 0)
        })
    }

    /// A bound of |approximate(x) - (-log(x))| for x in [2^-1022, 1].
    @inlinable public static var maxError: Double { 2e-11 }

    @inlinable @inline(__always) public func approximate(_ x: Double) -> Double {
        let bits = x.bitPattern
        let entry = table[Int(truncatingIfNeeded: (bits >> 44) & 0xFF)]
        let m = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000)
        let k = Double(Int64(bitPattern: bits >> 52) - 1023)
        let head = k * 0.6931471805599453 + entry[2]  // independent of r: computed meanwhile
        let r = (m - entry[0]) * entry[1]  // m - c is exact (Sterbenz)
        let series = r + (r * r) * (r * (1.0 / 3) - 0.5)
        return -(head + series)
    }
}
