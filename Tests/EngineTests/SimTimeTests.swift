import XCTest
@testable import SimEngine

/// Time arithmetic never wraps: past the ends of Int64 it saturates, so an overflow shows as a time later
/// than `horizon` (which the model refuses) instead of a negative or small one.
final class SimTimeSaturationTests: XCTestCase {
    func testAdditionSaturatesInsteadOfWrapping() {
        let big = SimTime(nanoseconds: .max - 5)
        XCTAssertEqual(big + .nanoseconds(10), .never)
        XCTAssertEqual(SimTime(nanoseconds: .max) + SimTime(nanoseconds: .max), .never)
        var t = big
        t += .milliseconds(1000)
        XCTAssertEqual(t, .never)
        XCTAssertEqual(SimTime(nanoseconds: .min + 1) - .milliseconds(1000), SimTime(nanoseconds: .min))
        XCTAssertEqual(SimTime.zero - SimTime(nanoseconds: .min), .never)
        XCTAssertEqual(SimTime.milliseconds(3000) + .milliseconds(4000), .milliseconds(7000), "exact below the ends")
    }

    func testMultiplicationAndScalingSaturate() {
        XCTAssertEqual(SimTime.milliseconds(1_000_000_000) * 1_000_000_000_000, .never)
        XCTAssertEqual(SimTime.milliseconds(-1000) * 1_000_000_000_000, SimTime(nanoseconds: .min))
        XCTAssertEqual(SimTime.maxDuration.scaled(by: 1e10), .never)
        XCTAssertEqual(SimTime.milliseconds(1000).scaled(by: .infinity), .never)
        XCTAssertEqual(SimTime.milliseconds(1000).scaled(by: .nan), .zero)
        XCTAssertEqual(SimTime.milliseconds(1000).scaled(by: 1.08), .milliseconds(1080))
        XCTAssertEqual(SimTime.seconds(Double(1e300)), .never)
        XCTAssertEqual(SimTime.seconds(-Double.infinity as Double), SimTime(nanoseconds: .min))
    }

    /// `clamping` rounds without libm's `round`, and must give exactly what `Int64(x.rounded())` gives:
    /// halves away from zero, either sign, every magnitude up to the clamp (where doubles are whole).
    func testRoundingIsRoundedToNearestHalvesAwayFromZero() {
        var rng = SplitMix64(seed: 17)
        var values: [Double] = [0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994, -0.49999999999999994,
                                4503599627370495.5, -4503599627370495.5, 4503599627370497, 9.1e18, -9.1e18]
        for _ in 0..<200_000 {
            let magnitude = Double(rng.next() >> 11) * 0x1.0p-53 * Double(sign: .plus, exponent: rng.nextIndex(below: 63), significand: 1)
            let half = Double(rng.nextIndex(below: 1 << 20)) + 0.5
            values += [magnitude, -magnitude, half, -half, magnitude.nextUp, magnitude.nextDown]
        }
        for x in values where abs(x) < 9.2e18 {
            XCTAssertEqual(SimTime.clamping(x).nanoseconds, Int64(x.rounded()), "\(x)")
        }
    }

    /// The engine's cheaper forms give `+`'s and `-`'s values for the times of a run, and an event time
    /// past the horizon (refused like `+`'s `.never`) for a delay too long to add.
    func testTheRunsShortcutsAgreeWithTheSaturatingOperators() {
        var rng = SplitMix64(seed: 11)
        let edges: [Int64] = [0, 1, SimTime.maxDuration.nanoseconds, SimTime.horizon.nanoseconds]
        for i in 0..<10_000 {
            let now = SimTime(nanoseconds: i < 4 ? edges[i] : Int64(rng.nextIndex(below: Int(SimTime.horizon.nanoseconds) + 1)))
            let delay = SimTime(nanoseconds: i < 4 ? edges[3 - i] : Int64(rng.nextIndex(below: Int(SimTime.maxDuration.nanoseconds) * 2)))
            XCTAssertEqual(now.advanced(by: delay), now + delay)
            let earlier = SimTime(nanoseconds: Int64(rng.nextIndex(below: Int(now.nanoseconds) + 1)))
            XCTAssertEqual(now.since(earlier), now - earlier)
            var total = earlier
            total.accumulate(now.since(earlier))
            XCTAssertEqual(total, earlier + (now - earlier))
        }
        for delay in [SimTime(nanoseconds: 1 << 62), SimTime(nanoseconds: .max), .never] {
            XCTAssertGreaterThan(SimTime.horizon.advanced(by: delay), SimTime.horizon, "too long a delay still ends past the horizon")
            XCTAssertGreaterThan(SimTime.zero.advanced(by: delay), SimTime.horizon)
        }
    }

    func testTheHorizonIsFarBelowTheEndOfInt64() {
        // A run at the horizon can still add any scenario duration many thousand times without saturating.
        XCTAssertLessThan(SimTime.horizon.nanoseconds, Int64.max / 90)
        XCTAssertLessThan(SimTime.maxDuration, SimTime.horizon)
    }
}

/// Dropping stale events keeps the order of the rest, so a run is the same with or without it.
final class EventQueueCompactionTests: XCTestCase {
    func testRemovingStaleEventsKeepsTheOrderOfTheRest() {
        var rng = SplitMix64(seed: 3, stream: 1)
        var q = EventQueue<Int>()
        var expected: [(Int64, Int)] = []
        for i in 0..<5_000 {
            let t = Int64(rng.nextIndex(below: 100))
            q.schedule(i, at: .nanoseconds(t))
            if i % 3 != 0 { expected.append((t, i)) }
        }
        q.removeAll { $0 % 3 == 0 }
        XCTAssertEqual(q.count, expected.count)
        expected.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var popped: [(Int64, Int)] = []
        while let (time, payload) = q.popNext() { popped.append((time.nanoseconds, payload)) }
        XCTAssertTrue(popped.elementsEqual(expected) { $0 == $1 })
    }
}
