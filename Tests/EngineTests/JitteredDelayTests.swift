import Foundation
import XCTest
@testable import SimEngine

/// The inline logarithm stays within its stated error, and a jittered delay drawn the fast way is exactly
/// the delay the plain libm computation gives, draw after draw.
final class JitteredDelayTests: XCTestCase {
    func testNegativeLogIsWithinItsErrorBound() {
        let negativeLog = NegativeLog()
        var rng = SplitMix64(seed: 11)
        var worst = 0.0
        func check(_ x: Double) {
            let error = abs(negativeLog.approximate(x) - -log(x))
            worst = max(worst, error)
            XCTAssertLessThanOrEqual(error, NegativeLog.maxError, "x = \(x)")
        }
        // Every value a draw can take is 1 - u for a 53-bit u: from 2^-53 to 1.
        for _ in 0..<2_000_000 { check(1 - rng.nextUnit()) }
        // Uniform over the exponents too, and the edges: powers of two, the table's interval bounds, 1.
        for _ in 0..<1_000_000 { check(min(1, Double(sign: .plus, exponent: -rng.nextIndex(below: 60), significand: 1 + rng.nextUnit()))) }
        for e in 0...60 {
            let p = Double(sign: .plus, exponent: -e, significand: 1)
            for i in 0...256 {
                let edge = p * (1 + Double(i) / 256)
                for x in [edge.nextDown, edge, edge.nextUp] where x > 0 && x <= 1 { check(x) }
            }
        }
        check(1)
        check(0x1p-53)
        // The integer entry point: w x 2^-53, every w a draw can give, the edges and random ones.
        let edges: [UInt64] = [1, 2, 3, 1 << 52, (1 << 52) + 1, (1 << 53) - 1, 1 << 53]
        let draws: [UInt64] = (0..<1_000_000).map { _ in (1 << 53) - (rng.next() >> 11) }
        for w in edges + draws {
            let error = abs(negativeLog.approximate(scaled: w) - -log(Double(w) * 0x1p-53))
            worst = max(worst, error)
            XCTAssertLessThanOrEqual(error, NegativeLog.maxError, "w = \(w)")
        }
        XCTAssertLessThan(worst, NegativeLog.maxError / 4, "the bound has a margin: worst error \(worst)")
    }

    func testDrawsAreExactlyTheLibmComputation() {
        let cases: [(SimTime, Double)] = [
            (.microseconds(10), 1), (.microseconds(10), 0.5), (.microseconds(10), 1e-9), (.nanoseconds(1), 1),
            (.nanoseconds(3), 0.7), (.milliseconds(250), 1), (.seconds(Int64(1)), 0.3), (.seconds(Int64(100_000)), 1),
            (.microseconds(10), 0), (.zero, 1), (.microseconds(7), 1.5), (.microseconds(7), .infinity),
        ]
        for (base, jitter) in cases {
            let delay = JitteredDelay(base: base, jitter: jitter)
            var fast = SplitMix64(seed: 3, stream: UInt64(base.nanoseconds))
            var plain = fast
            for i in 0..<300_000 {
                let a = delay.draw(&fast), b = delay.reference(&plain)
                if a != b { XCTFail("base \(base), jitter \(jitter), draw \(i): \(a) instead of \(b)"); break }
            }
            XCTAssertEqual(fast.state, plain.state, "one uniform per draw")
        }
    }

    /// The delays drawn ahead are those drawn on the bare generator, with uniforms taken in between.
    func testDelaysDrawnAheadAreTheBareGeneratorsDraws() {
        for (base, jitter) in [(SimTime.microseconds(10), 1.0), (.microseconds(10), 0.5), (.zero, 1), (.microseconds(7), 0)] {
            let delay = JitteredDelay(base: base, jitter: jitter)
            var bare = SplitMix64(seed: 9, stream: 4)
            var ahead = DelayDrawing(delay, generator: bare)
            var pattern = SplitMix64(seed: 1)
            for i in 0..<200_000 {
                if pattern.nextIndex(below: 5) == 0 {
                    XCTAssertEqual(ahead.nextUnit(), bare.nextUnit(), "uniform \(i)")
                } else {
                    let a = ahead.drawDelay(), b = delay.draw(&bare)
                    if a != b { XCTFail("base \(base), jitter \(jitter), draw \(i): \(a) instead of \(b)"); break }
                }
            }
            XCTAssertEqual(ahead.state, bare.state)
        }
    }

    /// Products within a few ulps of a half nanosecond (the fast way must hand them to libm, or round
    /// them as it does).
    func testProductsNearAHalfNanosecondRoundLikeLibm() {
        for (base, jitter) in [(SimTime.nanoseconds(1), 1.0), (.nanoseconds(3), 0.25), (.microseconds(10), 1)] {
            let delay = JitteredDelay(base: base, jitter: jitter)
            let b = Double(base.nanoseconds)
            for half in [0.5, 1.5, 2.5, 10.5, 12_345.5] {
                // E at which the product is exactly `half`: b (1 - j + j E) = half.
                let e = (half / b - (1 - jitter)) / jitter
                guard e > 0, e < 36 else { continue }
                // The draws' grid: v = w x 2^-53. Step 1 stays well inside the margin (about 1e6 steps
                // wide), step 10,000 crosses it on both sides.
                let center = UInt64((exp(-e) * 0x1p53).rounded())
                for step: UInt64 in [1, 10_000] {
                    for w in stride(from: center - 300 * step, through: center + 300 * step, by: Int(step)) {
                        let v = Double(w) * 0x1p-53
                        XCTAssertEqual(delay.delay(w: w), JitteredDelay.reference(v: v, base: delay.base, jitter: delay.jitter), "base \(base), jitter \(jitter), w = \(w)")
                    }
                }
            }
        }
    }
}
