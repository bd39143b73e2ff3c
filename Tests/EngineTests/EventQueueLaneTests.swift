import XCTest
@testable import SimEngine

/// Lanes change where an event waits, never the order in which events come out: the same (time, sequence)
/// order as a queue without lanes, whatever the mix of fixed-delay, out-of-order and heap events.
final class EventQueueLaneTests: XCTestCase {
    /// A clock that advances as events pop; three fixed delays go to lanes (one sometimes scheduled
    /// earlier than its lane's last event, which must fall back to the heap), random ones to the heap.
    func testLanesPopInTheSameOrderAsTheHeapAlone() {
        var rng = SplitMix64(seed: 11)
        var withLanes = EventQueue<Int>(lanes: 3)
        var heapOnly = EventQueue<Int>()
        let delays: [Int64] = [7, 5_000, 40]
        var now: Int64 = 0
        var lanePops = 0
        for step in 0..<50_000 {
            if rng.nextIndex(below: 2) == 0 || withLanes.isEmpty {
                let kind = rng.nextIndex(below: 5)
                let time: Int64
                if kind < 3 {
                    // Every 50th lane event is scheduled earlier than the lane's last one.
                    time = now + delays[kind] - (step % 50 == 0 ? 3 : 0)
                    withLanes.schedule(step, at: .nanoseconds(time), lane: kind)
                } else {
                    time = now + Int64(rng.nextIndex(below: 10_000))
                    withLanes.schedule(step, at: .nanoseconds(time))
                }
                heapOnly.schedule(step, at: .nanoseconds(time))
            } else {
                let a = withLanes.popNext(), b = heapOnly.popNext()
                XCTAssertEqual(a?.payload, b?.payload)
                XCTAssertEqual(a?.time, b?.time)
                now = a!.time.nanoseconds
                lanePops += 1
            }
            XCTAssertEqual(withLanes.count, heapOnly.count)
            XCTAssertEqual(withLanes.nextTime, heapOnly.nextTime)
            if step % 997 == 0 { withLanes.checkInvariants() }
        }
        while let a = withLanes.popNext() {
            let b = heapOnly.popNext()
            XCTAssertEqual(a.payload, b?.payload)
        }
        XCTAssertTrue(heapOnly.isEmpty)
        XCTAssertGreaterThan(lanePops, 10_000)
    }

    /// Compaction drops stale events from the lanes too and keeps the rest in order.
    func testCompactionCoversTheLanes() {
        var q = EventQueue<Int>(lanes: 2)
        for i in 0..<1_000 {
            if i % 2 == 0 { q.schedule(i, at: .nanoseconds(Int64(i)), lane: i % 4 / 2) } else { q.schedule(i, at: .nanoseconds(Int64(1_000 - i))) }
        }
        q.removeAll { $0 % 3 == 0 }
        q.checkInvariants()
        var popped: [SimTime] = []
        var payloads: [Int] = []
        while let e = q.popNext() { popped.append(e.time); payloads.append(e.payload) }
        XCTAssertEqual(payloads.count, (0..<1_000).filter { $0 % 3 != 0 }.count)
        XCTAssertFalse(payloads.contains { $0 % 3 == 0 })
        XCTAssertEqual(popped, popped.sorted())
    }
}

/// The near set, like the lanes, changes where an event waits, never the order of the pops.
final class EventQueueNearHeapTests: XCTestCase {
    /// Events near and far, in lanes, at the same instant, and before the last pop (as the fair run
    /// queue's virtual runtimes are) pop exactly as from a queue with one heap; `nextPayload` names each pop
    /// before it.
    func testNearHeapPopsInTheSameOrderAsOneHeap() {
        var rng = SplitMix64(seed: 29)
        var split = EventQueue<Int>(lanes: 2, nearWindow: .nanoseconds(100))
        var single = EventQueue<Int>(lanes: 2)
        var now: Int64 = 0
        var nearest = 0
        for step in 0..<60_000 {
            if rng.nextIndex(below: 2) == 0 || split.isEmpty {
                let kind = rng.nextIndex(below: 6)
                let time: Int64
                switch kind {
                case 0: time = now + 7
                case 1: time = now + 300
                case 2: time = now + Int64(rng.nextIndex(below: 120))  // mostly near
                case 3: time = now + Int64(rng.nextIndex(below: 20_000))  // mostly far
                case 4: time = now  // at the same instant
                default: time = max(0, now - Int64(rng.nextIndex(below: 50)))  // before the last pop
                }
                if kind < 2 {
                    split.schedule(step, at: .nanoseconds(time), lane: kind)
                    single.schedule(step, at: .nanoseconds(time), lane: kind)
                } else {
                    split.schedule(step, at: .nanoseconds(time))
                    single.schedule(step, at: .nanoseconds(time))
                }
            } else {
                // What is next is what pops, from whichever store holds it (the run queue's `peek`).
                let next = split.nextPayload
                let a = split.popNext(), b = single.popNext()
                XCTAssertEqual(next, a?.payload, "step \(step)")
                XCTAssertEqual(a?.payload, b?.payload, "step \(step)")
                XCTAssertEqual(a?.time, b?.time)
                now = max(now, a?.time.nanoseconds ?? now)
            }
            if step % 5_000 == 0 { split.checkInvariants() }
            nearest = max(nearest, split.near.count)
            XCTAssertEqual(split.nextTime, single.nextTime)
        }
        XCTAssertGreaterThan(nearest, 0, "the near set was used")
        XCTAssertGreaterThan(split.far.count, 0, "and the far heap")
        split.removeAll { $0 % 7 == 0 }
        single.removeAll { $0 % 7 == 0 }
        split.checkInvariants()
        XCTAssertEqual(split.count, single.count)
        while let a = split.popNext() { XCTAssertEqual(a.payload, single.popNext()?.payload) }
        XCTAssertTrue(single.isEmpty)
    }

    /// The near set's relative keys count from a time and a sequence number that move: across many
    /// seconds of simulated time (the time part's span is 2^31 ns) and across 2^32 sequence numbers, events
    /// pop exactly as from a queue with one heap, and the near set keeps being used.
    func testNearSetRebasesWithoutChangingTheOrder() {
        for startSequence: UInt64 in [0, (1 << 32) - 5_000, (1 << 33) - 77] {
            var rng = SplitMix64(seed: 11)
            var split = EventQueue<Int>(nearWindow: .nanoseconds(50_000_000))
            var single = EventQueue<Int>()
            split.nextSequence = startSequence
            single.nextSequence = startSequence
            var now: Int64 = 0
            var nearPops = 0
            for step in 0..<40_000 {
                if rng.nextIndex(below: 2) == 0 || split.isEmpty {
                    // Steps of up to 60 ms: 40,000 of them pass 2^31 ns many times.
                    let time = now + Int64(rng.nextIndex(below: 4) == 0 ? 0 : rng.nextIndex(below: 60_000_000))
                    split.schedule(step, at: .nanoseconds(time))
                    single.schedule(step, at: .nanoseconds(time))
                } else {
                    if split.near.topKey < split.far.topKey { nearPops += 1 }
                    let a = split.popNext(), b = single.popNext()
                    XCTAssertEqual(a?.payload, b?.payload, "step \(step)")
                    XCTAssertEqual(a?.time, b?.time)
                    now = max(now, a?.time.nanoseconds ?? now)
                }
                if step % 2_000 == 0 { split.checkInvariants() }
            }
            XCTAssertGreaterThan(now, 3 * Int64(EventQueue<Int>.NearSet.timeSpan), "the time base moved")
            XCTAssertGreaterThan(nearPops, 1_000, "the near set was used")
            while let a = split.popNext() { XCTAssertEqual(a.payload, single.popNext()?.payload) }
            XCTAssertTrue(single.isEmpty)
        }
    }

    /// More near events than the near set holds: the rest wait in the far heap, and all pop in key order.
    func testAFullNearSetSendsTheRestToTheFarHeap() {
        var q = EventQueue<Int>(nearWindow: .nanoseconds(1_000))
        var rng = SplitMix64(seed: 3)
        let times = (0..<40).map { _ in Int64(rng.nextIndex(below: 500)) }
        for (i, t) in times.enumerated() { q.schedule(i, at: .nanoseconds(t)) }
        q.checkInvariants()
        XCTAssertEqual(q.near.count, 16, "the near set is full")
        XCTAssertEqual(q.far.count, 24, "the rest went to the far heap")
        let expected = times.indices.sorted { (times[$0], $0) < (times[$1], $1) }
        var popped: [Int] = []
        while let e = q.popNext() {
            popped.append(e.payload)
            q.checkInvariants()
        }
        XCTAssertEqual(popped, expected)
    }
}

/// A slot table is written in place and grows like an array.
final class SlotTableTests: XCTestCase {
    func testAppendsWritesAndGrowsLikeAnArray() {
        var reference: [Int] = []
        var table = SlotTable<Int>()
        var rng = SplitMix64(seed: 5)
        for i in 0..<10_000 {
            if reference.isEmpty || rng.nextIndex(below: 3) == 0 {
                table.append(i)
                reference.append(i)
            } else {
                let k = rng.nextIndex(below: reference.count)
                table[k] += i
                reference[k] += i
            }
        }
        XCTAssertEqual(Array(table), reference)
        XCTAssertEqual(Array(SlotTable(repeating: 4, count: 3)), [4, 4, 4])
        let literal: SlotTable<String> = ["a", "b"]
        XCTAssertEqual(literal.map { $0 + "!" }, ["a!", "b!"])
    }

    /// removeFirst drops a prefix and keeps the rest in order, the table still growing and writable after.
    func testRemoveFirstKeepsTheRestInOrder() {
        var table = SlotTable((0..<100).map { "s\($0)" })
        var reference = Array(table)
        for n in [0, 1, 30, 69 - 30] {
            table.removeFirst(n)
            reference.removeFirst(n)
            XCTAssertEqual(Array(table), reference)
        }
        table.removeFirst(table.count)
        XCTAssertTrue(table.isEmpty)
        for i in 0..<40 { table.append("t\(i)") }
        table[3] = "x"
        XCTAssertEqual(table.count, 40)
        XCTAssertEqual(table[3], "x")
        XCTAssertEqual(table[39], "t39")
    }
}
