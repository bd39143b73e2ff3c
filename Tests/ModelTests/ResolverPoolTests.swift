import SimEngine
import SimModel
import SimScenario
import SimTrace
import XCTest

/// gevent's default resolver runs each new connection's getaddrinfo on the hub's thread pool
/// (gevent.resolver.thread): native threads, at most ten, that need the GIL the hub holds while it runs
/// greenlets (docs/model.md, "gevent's resolver threads").
final class ResolverPoolTests: XCTestCase {
    let ms = Fixtures.ms
    let us = Fixtures.us

    /// Thirty greenlets open a connection each at once: their lookups run on at most ten pool threads, named
    /// in the order the pool started them. eventlet's resolver (greendns, on the hub) and asyncio start none.
    func testLookupsRunOnAtMostTenPoolThreads() throws {
        let scenario = Fixtures.io(30, calls: 1, latency: .constant(ms(20)))
        let gevent = try XCTUnwrap(Simulator.run(scenario, strategy: Fixtures.gevent).trace)
        let pool = gevent.lanes.filter { $0.name.hasPrefix("threadpool-") }.map(\.name)
        XCTAssertEqual(Defaults.geventThreadpoolSize, 10)
        XCTAssertFalse(pool.isEmpty)
        XCTAssertLessThanOrEqual(pool.count, Defaults.geventThreadpoolSize)
        XCTAssertEqual(pool, (0..<pool.count).map { LaneNames.geventThreadpoolWorker($0) })
        XCTAssertTrue(pool.allSatisfy(LaneNames.isPoolWorker))
        for other in [Strategy(kind: .eventlet(tpoolSize: Defaults.eventletTpoolSize, cpuInTpool: false)), Fixtures.asyncio] {
            let trace = try XCTUnwrap(Simulator.run(scenario, strategy: other).trace)
            XCTAssertFalse(trace.lanes.contains { $0.name.hasPrefix("threadpool-") }, other.label)
        }
        // Calls on a kept-alive connection look nothing up after their first.
        var kept = Fixtures.io(1, calls: 5, latency: .constant(ms(2)))
        kept.tasks[0].steps = [.repeat(count: 5, steps: [.io(IOStep(latency: .constant(ms(2)), cpu: .constant(us(200)), connection: .reuse))])]
        let once = try XCTUnwrap(Simulator.run(kept, strategy: Fixtures.gevent).trace)
        let worker = try XCTUnwrap(once.lanes.firstIndex { $0.name == LaneNames.geventThreadpoolWorker(0) })
        XCTAssertEqual(once.segments.filter { Int($0.lane) == worker && $0.state == .runningNoGIL }.count, 1, "one getaddrinfo")
    }

    /// One greenlet's lookup beside another greenlet's 30 ms CPU step: the pool thread waits for the GIL the
    /// busy hub holds until its timed wait ends, a switch interval, and forces a switch. With the lookup on the
    /// hub (eventlet) nothing ever switches. At a 1 ms interval the forced switch comes sooner.
    func testALookupBesideABusyHubWaitsASwitchInterval() throws {
        func run(_ strategy: Strategy, interval: SimTime) throws -> RunMetrics {
            var scenario = Scenario(name: "busy hub", machine: Machine(cores: 2, wakeJitter: 0),
                                    python: PythonRuntime(switchInterval: interval),
                                    tasks: [TaskGroup(name: "call", steps: [.io(IOStep(latency: .constant(ms(1)), cpu: .constant(us(200)), connection: .new))]),
                                            TaskGroup(name: "work", steps: [.cpu(CPUStep(duration: .constant(ms(30)), kind: .python))])])
            scenario.seed = 3
            return try Simulator.run(scenario, strategy: strategy).metrics
        }
        let five = try run(Fixtures.gevent, interval: ms(5))
        XCTAssertGreaterThanOrEqual(five.forcedSwitches, 1, "the pool thread forced the hub to drop the GIL")
        XCTAssertGreaterThanOrEqual(five.gilWaited, ms(5), "it waited a whole interval for it")
        let one = try run(Fixtures.gevent, interval: ms(1))
        XCTAssertGreaterThanOrEqual(one.forcedSwitches, 1)
        XCTAssertLessThan(one.gilWaited, five.gilWaited)
        let eventlet = try run(Strategy(kind: .eventlet(tpoolSize: Defaults.eventletTpoolSize, cpuInTpool: false)), interval: ms(5))
        XCTAssertEqual(eventlet.forcedSwitches, 0)
        XCTAssertEqual(eventlet.gilSwitches, 1, "only the hub's thread ever holds the GIL")
    }

    /// A hub kept busy by many short callbacks (ten greenlets taking turns: 300 µs of Python, a 100 µs sleep)
    /// releases the GIL at the end of each: the waiting pool thread is signalled, finds it taken again and
    /// waits anew, so it never forces a switch and gets the GIL only when the hub goes idle, after the turns.
    func testCallbacksKeepRestartingThePoolThreadsWait() throws {
        let turns = TaskGroup(name: "turns", count: 10, steps: [.repeat(count: 40, steps: [
            .cpu(CPUStep(duration: .constant(us(300)), kind: .python)), .sleep(.constant(us(100)))])])
        let call = TaskGroup(name: "call", steps: [.io(IOStep(latency: .constant(ms(1)), cpu: .constant(us(200)), connection: .new))])
        let scenario = Scenario(name: "busy hub", machine: Machine(cores: 2, wakeJitter: 0), tasks: [call, turns])
        let run = try Simulator.run(scenario, strategy: Fixtures.gevent).metrics
        XCTAssertEqual(run.forcedSwitches, 0)
        XCTAssertEqual(run.dropRequests, 0, "its timed wait never ran a whole interval")
        XCTAssertGreaterThan(run.taskLatencies[0], ms(100), "the call's lookup waited for the turns to end")
    }

    /// The pool thread's `resolver_job` is CPU the call had measured in it: moved off the hub, not added. Ten
    /// calls one after another hold the GIL as long in all, whatever that share is, also when the call has
    /// less CPU than the share (the thread then runs what there is).
    func testThePoolThreadsCPUIsTakenFromTheCall() throws {
        func held(_ job: SimTime, call: SimTime = .microseconds(200)) throws -> SimTime {
            var scenario = Fixtures.io(1, calls: 10, latency: .constant(ms(2)), cpu: call)
            scenario.machine.wakeJitter = 0
            scenario.costs.coldWakeCPU = .zero
            scenario.costs.resolverJob = job
            return try Simulator.run(scenario, strategy: Fixtures.gevent).metrics.gilHeld
        }
        XCTAssertEqual(try held(us(40)), try held(.zero))
        XCTAssertEqual(try held(us(40)), try held(us(80)))
        XCTAssertEqual(try held(us(80), call: us(10)), try held(.zero, call: us(10)))
    }
}
