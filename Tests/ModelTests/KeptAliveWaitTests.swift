import SimEngine
import SimModel
import SimScenario
import XCTest

/// A call on a kept-alive connection waits `costs.io_overhead_reuse` beyond its latency, a new connection's
/// call `io_overhead` (docs/model.md, "A kept-alive connection's wait").
final class KeptAliveWaitTests: XCTestCase {
    let ms = Fixtures.ms
    let us = Fixtures.us

    func calls(_ n: Int, _ connection: ConnectionMode, reuse: SimTime?) -> Scenario {
        var s = Scenario(name: "kept", tasks: [TaskGroup(name: "client", steps: [
            .repeat(count: n, steps: [.io(IOStep(latency: .constant(ms(1)), cpu: .constant(.zero), connection: connection))]),
        ])])
        s.machine.wakeJitter = 0
        s.costs.syscall = us(12)
        s.costs.ioOverhead = us(200)
        s.costs.ioOverheadReuse = reuse
        return s
    }

    /// One task, ten calls on one connection: the first opens it and waits `io_overhead`, the nine after it
    /// wait `io_overhead_reuse`, so the run is exactly nine times the difference shorter, and each call's
    /// answer is late by its `send()` and the overhead of its kind (the median: a kept-alive call's).
    func testKeptAliveCallsWaitTheirOwnOverhead() throws {
        for strategy in [Fixtures.sync, Fixtures.threads, Fixtures.asyncio, Fixtures.gevent] {
            let same = try Simulator.run(calls(10, .reuse, reuse: nil), strategy: strategy)
            let kept = try Simulator.run(calls(10, .reuse, reuse: us(90)), strategy: strategy)
            XCTAssertEqual(same.metrics.makespan - kept.metrics.makespan, us(110) * 9, strategy.label)
            XCTAssertEqual(kept.metrics.answerLate, us(12 + 90), strategy.label)
            XCTAssertEqual(same.metrics.answerLate, us(12 + 200), strategy.label)
        }
    }

    /// New connections never use it: where each call opens a connection (urlopen) the run is the same with
    /// or without it; asyncio's client keeps its session's connection (`reusesConnections`), so its calls
    /// after the first wait the kept-alive overhead even when the scenario says `new`.
    func testNewConnectionsWaitIOOverhead() throws {
        for strategy in [Fixtures.sync, Fixtures.threads, Fixtures.processes, Fixtures.gevent] {
            XCTAssertEqual(try Simulator.run(calls(6, .new, reuse: us(90)), strategy: strategy).metrics,
                           try Simulator.run(calls(6, .new, reuse: nil), strategy: strategy).metrics, strategy.label)
        }
        let same = try Simulator.run(calls(6, .new, reuse: nil), strategy: Fixtures.asyncio)
        let kept = try Simulator.run(calls(6, .new, reuse: us(90)), strategy: Fixtures.asyncio)
        XCTAssertEqual(same.metrics.makespan - kept.metrics.makespan, us(110) * 5)
    }

    /// The key reads and writes back; absent, a kept-alive call waits `io_overhead`, and the scenario is written
    /// without it; a bad value names the key.
    func testTheKeyIsOptional() throws {
        let plain = try ScenarioLoader.parse(text: #"{"costs": {"io_overhead": "200us"}, "tasks": [{"steps": [{"io": "10ms"}]}]}"#)
        XCTAssertNil(plain.costs.ioOverheadReuse)
        XCTAssertEqual(plain.costs.ioOverhead(reusing: true), .microseconds(200))
        XCTAssertFalse(ScenarioEncoder.json(plain).contains("io_overhead_reuse"))
        let text = #"{"costs": {"io_overhead": "200us", "io_overhead_reuse": "90us"}, "tasks": [{"steps": [{"io": "10ms"}]}]}"#
        let s = try ScenarioLoader.parse(text: text)
        XCTAssertEqual(s.costs.ioOverhead(reusing: true), .microseconds(90))
        XCTAssertEqual(s.costs.ioOverhead(reusing: false), .microseconds(200))
        XCTAssertEqual(try ScenarioLoader.parse(text: ScenarioEncoder.json(s)), s)
        XCTAssertThrowsError(try ScenarioLoader.parse(text: #"{"costs": {"io_overhead_reuse": "soon"}, "tasks": [{"steps": [{"io": "10ms"}]}]}"#)) {
            XCTAssertTrue("\($0)".contains("io_overhead_reuse"), "\($0)")
        }
    }
}
