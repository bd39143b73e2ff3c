import SimEngine
import SimModel
import SimScenario
import XCTest

/// A child's first call (`costs.process_first_call`; docs/model.md, "A child's first call"): a child process's
/// first blocking I/O call costs that much more CPU, once per child; no other call, and no other strategy.
final class ChildFirstCallTests: XCTestCase {
    let ms = Fixtures.ms
    let us = Fixtures.us

    func makespan(_ s: Scenario, _ strategy: Strategy, firstCall: [StartMethod: SimTime]) throws -> SimTime {
        var t = s
        t.machine.wakeJitter = 0
        t.costs.processFirstCall = firstCall
        return try Simulator.run(t, strategy: strategy).metrics.makespan
    }

    func processes(_ method: StartMethod, pool: Int? = nil) -> Strategy {
        Strategy(kind: .processes(pool: pool, startMethod: method))
    }

    /// One child alone: its first call runs exactly `process_first_call` longer, whatever the calls after it
    /// (the second and third cost nothing more), and each start method takes its own value.
    func testOneChildPaysItExactlyOnce() throws {
        let firstCall: [StartMethod: SimTime] = [.fork: us(4_500), .forkserver: us(2_500), .spawn: us(2_000)]
        for method in StartMethod.allCases {
            for calls in [1, 3] {
                let s = Fixtures.io(1, calls: calls, latency: .constant(ms(10)))
                let extra = try makespan(s, processes(method), firstCall: firstCall) - makespan(s, processes(method), firstCall: [:])
                XCTAssertEqual(extra, firstCall[method], "\(method) with \(calls) call(s)")
            }
        }
    }

    /// A pool's worker is one child: with one worker and three tasks of a call each, it pays once, not per task.
    func testAPoolWorkerPaysItOnce() throws {
        let s = Fixtures.io(3, calls: 1, latency: .constant(ms(10)))
        let extra = try makespan(s, processes(.fork, pool: 1), firstCall: [.fork: us(4_000)])
            - makespan(s, processes(.fork, pool: 1), firstCall: [:])
        XCTAssertEqual(extra, us(4_000))
    }

    /// Only a call pays it: a child of CPU work alone runs as before; and the parent's threads, the loop and
    /// the sequential run (one process, warm) never pay it.
    func testNoCallOrNoChildNoCost() throws {
        let cpu = Fixtures.cpu(2, ms(20))
        XCTAssertEqual(try makespan(cpu, processes(.fork), firstCall: [.fork: ms(5)]), try makespan(cpu, processes(.fork), firstCall: [:]))
        let io = Fixtures.io(4, calls: 3, latency: .constant(ms(10)))
        for strategy in [Fixtures.sync, Fixtures.threads, Fixtures.gevent, Fixtures.asyncio] {
            XCTAssertEqual(try makespan(io, strategy, firstCall: [.fork: ms(5), .spawn: ms(5), .forkserver: ms(5)]),
                           try makespan(io, strategy, firstCall: [:]), strategy.label)
        }
    }

    /// The key reads per start method, writes back, and a bad value is refused naming the key and method.
    func testTheKeyReadsAndRefusesBadValues() throws {
        let text = #"{"costs": {"process_first_call": {"fork": "4.5ms", "spawn": "2ms"}}, "tasks": [{"steps": [{"io": "10ms"}]}]}"#
        let s = try ScenarioLoader.parse(text: text)
        XCTAssertEqual(s.costs.processFirstCall, [.fork: us(4_500), .forkserver: .zero, .spawn: us(2_000)])
        XCTAssertEqual(try ScenarioLoader.parse(text: ScenarioEncoder.json(s)), s)
        for (bad, named) in [(#"{"fork": "-1ms"}"#, "process_first_call.fork"), (#"{"fork": "soon"}"#, "process_first_call.fork"),
                             (#"{"vfork": "1ms"}"#, "vfork"), (#""2ms""#, "process_first_call")] {
            let scenario = #"{"costs": {"process_first_call": \#(bad)}, "tasks": [{"steps": [{"io": "10ms"}]}]}"#
            XCTAssertThrowsError(try ScenarioLoader.parse(text: scenario), bad) {
                XCTAssertTrue("\($0)".contains(named), "\(bad): \($0)")
            }
        }
    }
}
