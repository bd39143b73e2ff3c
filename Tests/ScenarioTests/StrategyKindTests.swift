import XCTest
import SimEngine
@testable import SimScenario

/// Every strategy kind is read, written and refused from its descriptor.
final class StrategyKindTests: XCTestCase {
    func read(_ strategies: String) throws -> [Strategy] {
        try ScenarioLoader.parse(text: minimal(#""strategies": \#(strategies)"#)).strategies
    }

    func testEveryKindReadsByNameWithItsDefaults() throws {
        for kind in StrategyKindName.allCases {
            let s = try read("[\"\(kind.rawValue)\"]")
            XCTAssertEqual(s.map(\.kind), [kind.defaultKind], kind.rawValue)
            XCTAssertEqual(s[0].kind.kindName, kind)
            XCTAssertEqual(s[0].label, kind.rawValue)
        }
    }

    func testRuntimeOptionsAndTheirDefaults() throws {
        let s = try read(#"""
        [{"kind": "uvloop", "executor_workers": 3, "cpu": "inline"},
         {"kind": "trio", "label": "trio-4", "thread_limit": 4, "cpu": "inline"}, "trio",
         {"kind": "curio", "label": "curio-8", "thread_limit": 8}, "curio",
         {"kind": "eventlet", "label": "eventlet-tpool", "cpu": "tpool", "thread_limit": 5}, "eventlet",
         {"kind": "tornado", "label": "tornado-3", "max_clients": 3, "executor_workers": 2, "cpu": "inline"}, "tornado",
         {"kind": "twisted", "label": "twisted-inline", "cpu": "inline"}, "twisted", "tasklets"]
        """#)
        XCTAssertEqual(s.map(\.kind), [
            .uvloop(executorWorkers: 3, cpuInExecutor: false),
            .trio(threadLimit: 4, cpuInThread: false), .trio(threadLimit: 40, cpuInThread: true),
            .curio(threadLimit: 8, cpuInThread: true), .curio(threadLimit: 64, cpuInThread: true),
            .eventlet(tpoolSize: 5, cpuInTpool: true), .eventlet(tpoolSize: 20, cpuInTpool: false),
            .tornado(maxClients: 3, executorWorkers: 2, cpuInExecutor: false),
            .tornado(maxClients: 10, executorWorkers: nil, cpuInExecutor: true),
            .twisted(threadLimit: 10, cpuInThread: false), .twisted(threadLimit: 10, cpuInThread: true), .tasklets,
        ])
        // Written back with every option spelt out, and read back equal.
        var scenario = try ScenarioLoader.parse(text: minimal(#""strategies": ["trio", {"kind": "eventlet", "cpu": "tpool"}, "tornado"]"#))
        let text = ScenarioEncoder.json(scenario)
        XCTAssertTrue(text.contains(#"{"kind": "trio", "label": "trio", "thread_limit": 40, "cpu": "thread"}"#), text)
        XCTAssertTrue(text.contains(#"{"kind": "eventlet", "label": "eventlet", "thread_limit": 20, "cpu": "tpool"}"#), text)
        XCTAssertTrue(text.contains(#"{"kind": "tornado", "label": "tornado", "max_clients": 10, "cpu": "executor"}"#), text)
        var again = try ScenarioLoader.parse(text: text)
        scenario.sourcePath = nil
        again.sourcePath = nil
        XCTAssertEqual(again, scenario)
    }

    func testUnknownRuntimeListsTheKinds() {
        let e = scenarioError(minimal(#""strategies": ["gunicorn"]"#))
        assertMessage(e, contains: ["unknown strategy \"gunicorn\"", "the strategies are sync, threads, processes, gevent, asyncio, uvloop, trio, curio, eventlet, tornado, twisted, tasklets"])
        assertMessage(scenarioError(minimal(#""strategies": ["stackless"]"#)), contains: ["did you mean \"tasklets\"?"])
        assertMessage(scenarioError(minimal(#""strategies": ["tornados"]"#)), contains: ["did you mean \"tornado\"?"])
    }

    func testAnOptionTheRuntimeDoesNotTakeListsWhatItTakes() {
        assertMessage(scenarioError(minimal(#""strategies": [{"kind": "trio", "executor_workers": 4}]"#)),
                      contains: ["\"executor_workers\" is an option of asyncio and uvloop and tornado, not of trio",
                                 "trio takes: kind, label, machine, python, costs, thread_limit, cpu"])
        assertMessage(scenarioError(minimal(#""strategies": [{"kind": "tasklets", "cpu": "thread"}]"#)),
                      contains: ["not of tasklets", "tasklets takes: kind, label, machine, python, costs"])
        assertMessage(scenarioError(minimal(#""strategies": [{"kind": "asyncio", "max_clients": 4}]"#)),
                      contains: ["\"max_clients\" is an option of tornado, not of asyncio", "asyncio takes: kind, label, machine, python, costs, executor_workers, cpu"])
        // A value another runtime's option takes, but not this one's.
        assertMessage(scenarioError(minimal(#""strategies": [{"kind": "trio", "cpu": "executor"}]"#)),
                      contains: ["unknown cpu placement \"executor\"", "trio takes \"thread\" (trio.to_thread.run_sync) or \"inline\""])
        assertMessage(scenarioError(minimal(#""strategies": [{"kind": "twisted", "thread_limit": 0}]"#)), contains: ["strategies[0].thread_limit"])
    }

    /// One palette: every kind its own colour.
    func testEveryKindHasItsOwnColourAndOptionsHaveOneMeaning() {
        let colours = StrategyKindName.allCases.map(\.descriptor.colour)
        XCTAssertEqual(Set(colours).count, colours.count)
        let aliases = StrategyKindName.allCases.flatMap(\.descriptor.aliases)
        XCTAssertEqual(Set(aliases).count, aliases.count)
        XCTAssertTrue(Set(aliases).isDisjoint(with: StrategyKindName.names))
        // The default scenario runs the article's five.
        XCTAssertEqual(Defaults.strategies.map(\.label), ["sync", "threads", "processes", "gevent", "asyncio"])
    }
}
