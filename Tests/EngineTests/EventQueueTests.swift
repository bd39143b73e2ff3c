import XCTest
@testable import SimEngine

final class EventQueueTests: XCTestCase {
    /// Pops come out by time, and events at the same time in the order they were scheduled.
    func testOrdersByTimeThenInsertion() {
        var q = EventQueue<Int>()
        q.schedule(1, at: .nanoseconds(50))
        q.schedule(2, at: .nanoseconds(10))
        q.schedule(3, at: .nanoseconds(50))
        q.schedule(4, at: .nanoseconds(10))
        q.schedule(5, at: .zero)
        var out: [Int] = []
        while let e = q.popNext() { out.append(e.payload) }
        XCTAssertEqual(out, [5, 2, 4, 1, 3])
        XCTAssertTrue(q.isEmpty)
    }

    /// Against a sorted reference over many random interleavings of schedules and pops.
    func testMatchesASortedReference() {
        var rng = SplitMix64(seed: 42)
        var q = EventQueue<Int>()
        var reference: [(time: Int64, seq: Int, id: Int)] = []
        var seq = 0
        for step in 0..<20_000 {
            if rng.nextIndex(below: 3) > 0 || reference.isEmpty {
                let t = Int64(rng.nextIndex(below: 1_000))
                q.schedule(step, at: .nanoseconds(t))
                reference.append((t, seq, step))
                seq += 1
            } else {
                reference.sort { ($0.time, $0.seq) < ($1.time, $1.seq) }
                let expected = reference.removeFirst()
                let got = q.popNext()
                XCTAssertEqual(got?.payload, expected.id)
                XCTAssertEqual(got?.time, .nanoseconds(expected.time))
            }
            if step % 1_000 == 0 { q.checkInvariants() }
        }
        XCTAssertEqual(q.count, reference.count)
        XCTAssertEqual(q.nextTime, reference.map { SimTime.nanoseconds($0.time) }.min())
    }

    /// Large times (years of simulated nanoseconds) keep their order.
    func testLargeTimes() {
        var q = EventQueue<Int>()
        q.schedule(1, at: .seconds(Int64(3_000_000_000)))
        q.schedule(2, at: .seconds(Int64(1)))
        XCTAssertEqual(q.popNext()?.payload, 2)
        XCTAssertEqual(q.popNext()?.time, .seconds(Int64(3_000_000_000)))
    }
}

final class RandomTests: XCTestCase {
    func testSameSeedSameNumbersAndStreamsDiffer() {
        var a = SplitMix64(seed: 7), b = SplitMix64(seed: 7)
        XCTAssertEqual((0..<100).map { _ in a.next() }, (0..<100).map { _ in b.next() })
        var s1 = SplitMix64(seed: 7, stream: 1), s2 = SplitMix64(seed: 7, stream: 2)
        XCTAssertNotEqual(s1.next(), s2.next())
    }

    func testUnitAndIndexStayInRange() {
        var r = SplitMix64(seed: 1)
        var sum = 0.0
        for _ in 0..<100_000 {
            let u = r.nextUnit()
            XCTAssertTrue(u >= 0 && u < 1)
            sum += u
            let i = r.nextIndex(below: 7)
            XCTAssertTrue((0..<7).contains(i))
        }
        XCTAssertEqual(sum / 100_000, 0.5, accuracy: 0.01)
    }
}

final class SimTimeTests: XCTestCase {
    func testUnitsAndDescription() {
        XCTAssertEqual(SimTime.milliseconds(5).nanoseconds, 5_000_000)
        XCTAssertEqual(SimTime.seconds(1.5).nanoseconds, 1_500_000_000)
        XCTAssertEqual(SimTime.microseconds(40).description, "40us")
        XCTAssertEqual(SimTime.nanoseconds(850).description, "850ns")
        XCTAssertEqual(SimTime.milliseconds(1500).description, "1.5s")
        XCTAssertEqual((SimTime.milliseconds(3) - .milliseconds(5)).description, "-2ms")
        XCTAssertEqual(SimTime.milliseconds(10).scaled(by: 1.08), .microseconds(10_800))
    }
}
