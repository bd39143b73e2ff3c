import Foundation

/// A random delay `base x (1 - jitter + jitter x E)` rounded to the nanosecond, with E exponential of mean 1
/// drawn by inversion, `-log(1 - u)` for a uniform u of a `SplitMix64`.
///
/// `draw` gives exactly the values of the plain computation (`reference`: libm's `log`, then
/// `SimTime.scaled(by:)`), faster: it computes the logarithm inline to within `NegativeLog.maxError`, and
/// the rounding to a nanosecond only depends on which side of a half nanosecond the product falls. When the
/// approximate product lies within its error bound of a half nanosecond (one draw in 250,000 at a 10 us
/// base), or out of the ordinary range, it falls back to the reference. So a run's results do not change by
/// a byte, whichever way a draw was computed.
///
/// A simulation draws one per wake-up, ten million in the benchmark's standard scenario, where the libm call
/// and the rounding's unpredictable branch were an eighth of the run's time. The draw's operations depend
/// on each other from the generator to the event's time, so the way is kept short: the logarithm from the
/// generator's integer, a series of three terms, rounding by adding 2^52.
public struct JitteredDelay: Sendable {
    public let base: SimTime
    public let jitter: Double
    @usableFromInline let negativeLog = NegativeLog()
    /// Whether the delay is random at all (else it is `base`).
    @usableFromInline let random: Bool
    /// Whether the fast way applies: 0 < jitter <= 1, and every product stays below 2^50.
    @usableFromInline let fast: Bool
    /// Whether jitter is 1 (a pure exponential: the product is base x E).
    @usableFromInline let pure: Bool
    @usableFromInline let scale: Double
    @usableFromInline let fixedPart: Double
    /// The part of the rounding margin that does not depend on the product.
    @usableFromInline let logMargin: Double

    public init(base: SimTime, jitter: Double) {
        self.base = base
        self.jitter = jitter
        random = jitter > 0 && base.nanoseconds > 0
        scale = Double(base.nanoseconds)
        fixedPart = 1 - jitter
        pure = jitter == 1
        // E is at most -log(2^-53) = 36.8.
        fast = random && jitter <= 1 && scale * (1 - jitter + jitter * 37) < 0x1p50
        // |product - the reference's unrounded product| is below the log's error times base x jitter plus a
        // few roundings of the product (6 x 2^-53 relative, `draw`); the margin is ten times that.
        logMargin = scale * jitter * (10 * NegativeLog.maxError)
    }

    /// The next delay; the same value as `reference` from the same generator state.
    @inlinable @inline(__always) public func draw(_ rng: inout SplitMix64) -> SimTime {
        guard random else { return base }
        // 1 - u for u = the top 53 bits x 2^-53 (`nextUnit`) is w x 2^-53, exactly.
        return delay(w: (1 << 53) &- (rng.next() >> 11))
    }

    /// The delay for E = -log(w x 2^-53), 1 <= w <= 2^53 (`random` is true).
    @inlinable @inline(__always) func delay(w: UInt64) -> SimTime {
        guard fast else { return Self.reference(v: Double(w) * 0x1p-53, base: base, jitter: jitter) }
        let e = negativeLog.approximate(scaled: w)
        // No cancellation: 1 - jitter and jitter x E are both non-negative.
        let y = scale * (pure ? e : fixedPart + jitter * e)
        // Adding 2^52 rounds y (below 2^50) to a whole number, to the nearest; away from a half that is
        // the reference's rounding (half away from zero), and the guard sends the rest to the reference.
        let shifted = y + 0x1p52
        let whole = Int64(bitPattern: shifted.bitPattern &- (0x1p52 as Double).bitPattern)
        let fraction = y - (shifted - 0x1p52)  // exact, in [-0.5, 0.5]
        guard 0.5 - abs(fraction) > logMargin + y * 1e-14 else {
            return Self.reference(v: Double(w) * 0x1p-53, base: base, jitter: jitter)
        }
        return SimTime(nanoseconds: whole)
    }

    /// The plain computation: libm's `log`, then `SimTime.scaled(by:)`.
    @inlinable public func reference(_ rng: inout SplitMix64) -> SimTime {
        guard random else { return base }
        return Self.reference(v: 1 - rng.nextUnit(), base: base, jitter: jitter)
    }

    // Static, with the two values it needs: as a method it made every `draw` copy the whole delay (its
    // flags included) to the stack first, to pass it by address, even though this is rarely called.
    @inlinable @inline(never) static func reference(v: Double, base: SimTime, jitter: Double) -> SimTime {
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
        return approximate(exponent: Int64(bitPattern: bits >> 52) - 1023, fraction: bits & 0x000F_FFFF_FFFF_FFFF)
    }

    /// -log(w x 2^-53) for 1 <= w <= 2^53, from the integer's bits (shorter than through a double).
    @inlinable @inline(__always) public func approximate(scaled w: UInt64) -> Double {
        let zeros = w.leadingZeroBitCount
        // The bits after the leading one, as a double's 52-bit fraction.
        let fraction = ((w << zeros) << 1) >> 12
        return approximate(exponent: 10 &- Int64(zeros), fraction: fraction)
    }

    /// -log(2^exponent x 1.fraction).
    @inlinable @inline(__always) func approximate(exponent: Int64, fraction: UInt64) -> Double {
        let entry = table[Int(truncatingIfNeeded: fraction >> 44)]
        let m = Double(bitPattern: fraction | 0x3FF0_0000_0000_0000)
        let head = Double(exponent) * 0.6931471805599453 + entry[2]  // independent of r: computed meanwhile
        let r = (m - entry[0]) * entry[1]  // m - c is exact (Sterbenz)
        let series = r + (r * r) * (r * (1.0 / 3) - 0.5)
        return -(head + series)
    }
}

/// A run's seeded generator together with the next `JitteredDelay` it would draw, computed ahead.
///
/// A draw's operations depend on each other from the generator's state to the delay (two multiplications,
/// the logarithm, the rounding), and the delay is wanted at once: it is an event's time, which the event
/// queue compares with others. Here the delay is computed from the state the generator is left in, as soon
/// as it is left in it, so that the processor works it out while it runs the rest of the event and the
/// next ones; `drawDelay` then hands over a value already there. It is a function of the state alone, so
/// the values are those of `JitteredDelay.draw` on the bare generator, draw for draw, and a uniform taken in
/// between (`nextUnit`) advances the same state and computes the next delay again.
///
/// - Complexity: O(1) per draw, no allocation.
public struct DelayDrawing: Sendable {
    public let delay: JitteredDelay
    @usableFromInline var generator: SplitMix64
    /// What `delay.draw(&generator)` gives now.
    @usableFromInline var upcoming: SimTime

    public init(_ delay: JitteredDelay, generator: SplitMix64) {
        self.delay = delay
        self.generator = generator
        upcoming = Self.peek(delay, generator)
    }

    /// The generator's state (for tests: it moves exactly as the bare generator's would).
    public var state: UInt64 { generator.state }

    /// The next delay: `delay.draw` on the generator.
    @inlinable @inline(__always) public mutating func drawDelay() -> SimTime {
        // A delay that is not random takes no number from the generator (`JitteredDelay.draw`).
        guard delay.random else { return delay.base }
        let d = upcoming
        _ = generator.next()
        upcoming = Self.peek(delay, generator)
        return d
    }

    /// A uniform double in [0, 1): the generator's `nextUnit`.
    @inlinable @inline(__always) public mutating func nextUnit() -> Double {
        let u = generator.nextUnit()
        upcoming = Self.peek(delay, generator)
        return u
    }

    @inlinable @inline(__always) static func peek(_ delay: JitteredDelay, _ generator: SplitMix64) -> SimTime {
        var g = generator
        return delay.draw(&g)
    }
}
