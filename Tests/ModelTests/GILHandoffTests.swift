import SimEngine
import SimModel
import SimScenario
import SimTrace
import XCTest

/// Which waiter gets the GIL when several wait: glibc's condvar order (oldest waiter of group G1 first) and
/// the requester's race for the signal, against what `validation/gil_probe.py` measured here (docs/model.md,
/// "Which waiter gets the GIL"). The figures are the probe's, computed the same way from the model's trace.
final class GILHandoffTests: XCTestCase {
    let ms = Fixtures.ms
    let us = Fixtures.us

    /// The probe's program: `spinners` CPU-bound threads (pure Python, or back-to-back C calls of `cCall` that
    /// hold the GIL) beside one thread that sleeps 200 us `sleeps` times; or, with `sleeps` 0, the spinners alone
    /// for 400 ms.
    func probe(spinners: Int, sleeps: Int, cCall: SimTime? = nil, seed: UInt64, wakeJitter: Double? = nil,
               requesterTakesSignal: Double? = nil) -> Scenario {
        let spin: Step = cCall.map { .cpu(CPUStep(duration: .constant($0), kind: .cHoldsGIL)) }
            ?? .cpu(CPUStep(duration: .constant(ms(100_000))))
        let main: [Step] = sleeps > 0 ? [.repeat(count: sleeps, steps: [.sleep(.constant(us(200)))])] : [.sleep(.constant(ms(400)))]
        var scenario = Scenario(name: "gil-probe", seed: seed, machine: Machine(cores: 2), tasks: [
            TaskGroup(name: "io", steps: main),
            TaskGroup(name: "cpu", count: spinners, background: true, steps: [spin]),
        ])
        scenario.python.switchInterval = ms(5)
        if let wakeJitter { scenario.machine.wakeJitter = wakeJitter }
        if let requesterTakesSignal { scenario.machine.requesterTakesSignal = requesterTakesSignal }
        return scenario
    }

    /// The holders in order (from the hand-off marks), and the sleeping thread's sleeps.
    func handoffs(_ scenario: Scenario) throws -> (holders: [(time: SimTime, lane: Int)], sleeps: [SimTime], io: Int) {
        let trace = try XCTUnwrap(try Simulator.run(scenario, strategy: Fixtures.threads).trace)
        let io = try XCTUnwrap(trace.lanes.first { $0.name == "io" }).id
        let spinners = Set(trace.lanes.filter { $0.name.hasPrefix("cpu") }.map(\.id))
        let holders = trace.instants.filter { $0.kind == .gilHandoff && (spinners.contains(Int($0.lane)) || Int($0.lane) == io) }
            .sorted { $0.time < $1.time }.map { (time: $0.time, lane: Int($0.lane)) }
        let sleeps = trace.segments.filter { Int($0.lane) == io && $0.state == .blocked }.map(\.start).sorted()
        return (holders, sleeps, io)
    }

    /// The share of the sleeping thread's waits in which it got the first switch after its sleep ended
    /// (`first_switch_won` of gil_probe.py), over `seeds`.
    func firstSwitchWon(spinners: Int, cCall: SimTime? = nil, seeds: ClosedRange<UInt64> = 1...3,
                        requesterTakesSignal: Double? = nil) throws -> Double {
        var won = 0, waits = 0
        for seed in seeds {
            let (holders, sleeps, io) = try handoffs(probe(spinners: spinners, sleeps: 100, cCall: cCall, seed: seed,
                                                           requesterTakesSignal: requesterTakesSignal))
            for entered in sleeps {
                let ready = entered + us(200)
                guard let left = holders.first(where: { $0.lane == io && $0.time > entered })?.time else { continue }
                var lost = 0
                for (previous, next) in zip(holders, holders.dropFirst()) where next.time > ready && next.time < left
                    && previous.lane != io && next.lane != io && previous.lane != next.lane { lost += 1 }
                waits += 1
                if lost == 0 { won += 1 }
            }
        }
        return Double(won) / Double(waits)
    }

    /// The share of hand-offs between spinning threads that go back to the thread that held the GIL before
    /// the last one (`aba` of gil_probe.py).
    func abaShare(spinners: Int, cCall: SimTime? = nil, seed: UInt64, wakeJitter: Double? = nil,
                  requesterTakesSignal: Double? = nil) throws -> (share: Double, count: Int) {
        let (holders, _, io) = try handoffs(probe(spinners: spinners, sleeps: 0, cCall: cCall, seed: seed, wakeJitter: wakeJitter,
                                                  requesterTakesSignal: requesterTakesSignal))
        // Once every thread has started (Thread.start()'s handshakes hand the GIL back and forth).
        let who = holders.filter { $0.lane != io && $0.time > ms(20) }.map(\.lane)
        var aba = 0, triples = 0
        for i in 2..<who.count {
            triples += 1
            if who[i] == who[i - 2] { aba += 1 }
        }
        return (Double(aba) / Double(triples), triples)
    }

    /// With every wake-up taking exactly the wake latency and the holder noticing the request only at the end
    /// of a C call (so no requester can take the signal before it sleeps), the waiter that went to sleep first
    /// always gets the GIL: three threads take it strictly in turn, never back to the one before (a random
    /// sleeper would go back half the time).
    func testOldestWaiterGetsTheGILThreeThreadsTakeItInTurn() throws {
        let (share, count) = try abaShare(spinners: 3, cCall: us(70), seed: 1, wakeJitter: 0)
        XCTAssertGreaterThan(count, 60)
        XCTAssertEqual(share, 0)
    }

    /// Measured (gil_probe.py 3|4 none 5 1000 2000): with the drop noticed after a C call, 0.00-0.04 of the
    /// hand-offs go back; in bytecode, where the requester may take the signal, 0.62-0.71 (three runs each,
    /// 2026-12-01; 0.38-0.64 in an earlier session). The model: within 0.1 of each.
    func testBackToThePreviousHolderAsMeasured() throws {
        for seed: UInt64 in 1...3 {
            for spinners in [3, 4] {
                XCTAssertLessThanOrEqual(try abaShare(spinners: spinners, cCall: us(70), seed: seed).share, 0.1, "\(spinners) threads, seed \(seed)")
                let share = try abaShare(spinners: spinners, seed: seed).share
                XCTAssertGreaterThanOrEqual(share, 0.5, "\(spinners) threads, seed \(seed)")
                XCTAssertLessThanOrEqual(share, 0.8, "\(spinners) threads, seed \(seed)")
            }
        }
    }

    /// Measured (gil_probe.py 2|4 sleep 5 200 [2000]): the sleeping thread gets the first switch after its
    /// sleep in 0.85-0.90 of its waits when the holders notice the request after a C call, 0.26-0.36 when they
    /// notice it in bytecode, with 2 and with 4 spinning threads alike (a random sleeper: 0.5 and 0.25 in
    /// both). The model: the first at least 0.85, the second within 0.15-0.45.
    func testSleeperGetsTheFirstSwitchAsMeasured() throws {
        for spinners in [2, 4] {
            XCTAssertGreaterThanOrEqual(try firstSwitchWon(spinners: spinners, cCall: us(70)), 0.85, "\(spinners) threads in C calls")
            let share = try firstSwitchWon(spinners: spinners)
            XCTAssertGreaterThanOrEqual(share, 0.15, "\(spinners) threads in bytecode")
            XCTAssertLessThanOrEqual(share, 0.45, "\(spinners) threads in bytecode")
        }
    }

    /// `machine.requester_takes_signal` decides the race. Beside 2 spinners in bytecode the sleeping thread is
    /// older than the spinner that set the request and re-entered its wait, so it is first in line: at 1 the
    /// requester takes every signal it can and the sleeper never gets the first switch (exactly 0); at 0 it
    /// gets almost every one (0.99 over seeds 1-3).
    func testRequesterTakesSignalIsTheScenarioSetting() throws {
        let never = try firstSwitchWon(spinners: 2, requesterTakesSignal: 0)
        let always = try firstSwitchWon(spinners: 2, requesterTakesSignal: 1)
        let measured = try firstSwitchWon(spinners: 2)
        XCTAssertEqual(always, 0)
        XCTAssertGreaterThanOrEqual(never, 0.95)
        XCTAssertLessThan(measured, never)
        XCTAssertGreaterThan(measured, always)
    }

    /// The key reads, writes back, and refuses a share outside 0...1 with a message naming it.
    func testRequesterTakesSignalKey() throws {
        let tasks = #""tasks": [{"steps": [{"cpu": "5ms"}]}]"#
        XCTAssertEqual(try ScenarioLoader.parse(text: "{\(tasks)}").machine.requesterTakesSignal, Defaults.requesterTakesSignal)
        let s = try ScenarioLoader.parse(text: #"{"machine": {"requester_takes_signal": 0.25}, "# + tasks + "}")
        XCTAssertEqual(s.machine.requesterTakesSignal, 0.25)
        XCTAssertEqual(try ScenarioLoader.parse(text: ScenarioEncoder.json(s)), s)
        XCTAssertEqual(try ScenarioLoader.parse(text: "{\(tasks)}", overrides: ["machine.requester_takes_signal=0"]).machine.requesterTakesSignal, 0)
        for bad in ["1.5", "-0.1", "\"often\""] {
            XCTAssertThrowsError(try ScenarioLoader.parse(text: #"{"machine": {"requester_takes_signal": "# + bad + "}, " + tasks + "}")) {
                XCTAssertTrue("\($0)".contains("requester_takes_signal"), "\($0)")
            }
        }
    }
}
