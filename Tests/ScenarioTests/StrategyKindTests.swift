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
            // A kind that a Python version lacks is read at a version that has it.
            let python = kind == .interpreters ? #","python": {"version": "3.14"}"# : ""
            let s = try ScenarioLoader.parse(text: minimal(#""strategies": ["\#(kind.rawValue)"]\#(python)"#)).strategies
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
        assertMessage(e, contains: ["unknown strategy \"gunicorn\"", "the strategies are sync, threads, processes, gevent, asyncio, uvloop, trio, curio, eventlet, tornado, twisted, tasklets, interpreters"])
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

    /// `interpreters` needs a GIL per interpreter (3.12+): at the default 3.11 the message says which version
    /// to set and where; the scenario's version or the strategy's own serves.
    func testInterpretersNeedAVersionWithAGILPerInterpreter() throws {
        for strategies in [#"["interpreters"]"#, #"["threads", {"kind": "interpreters", "pool": 2}]"#] {
            assertMessage(scenarioError(minimal(#""strategies": \#(strategies)"#)),
                          contains: ["interpreters needs a GIL per interpreter (Python 3.12+", "this strategy runs Python 3.11",
                                     #""python": {"version": "3.14"}"#])
        }
        // The strategy's own version wins over the scenario's, either way.
        assertMessage(scenarioError(minimal(#""python": {"version": "3.14"}, "strategies": [{"kind": "interpreters", "python": {"version": "3.11"}}]"#)),
                      contains: ["strategies[0]", "runs Python 3.11"])
        let s = try read(#"[{"kind": "interpreters", "pool": 3, "python": {"version": "3.14"}}, {"kind": "interpreters", "label": "i12", "python": {"version": "3.12"}}]"#)
        XCTAssertEqual(s.map(\.kind), [.interpreters(pool: 3), .interpreters(pool: nil)])
        let scenarioWide = try ScenarioLoader.parse(text: minimal(#""python": {"version": "3.13t"}, "strategies": ["interpreters"]"#))
        XCTAssertEqual(scenarioWide.strategies.map(\.kind), [.interpreters(pool: nil)])
        // The default pool is ThreadPoolExecutor's, resolved for the machine's cores.
        let traits = StrategyKindName.interpreters.defaultKind.modelTraits(costs: Costs(), cores: 2)
        XCTAssertEqual(traits.scheduling, .interpreters(pool: 6))
        // Options: only pool; others are refused with what it takes.
        assertMessage(scenarioError(minimal(#""python": {"version": "3.14"}, "strategies": [{"kind": "interpreters", "start_method": "fork"}]"#)),
                      contains: ["\"start_method\" is an option of processes, not of interpreters", "interpreters takes: kind, label, machine, python, costs, pool"])
        assertMessage(scenarioError(minimal(#""python": {"version": "3.14"}, "strategies": [{"kind": "interpreters", "pool": 0}]"#)),
                      contains: ["strategies[0].pool"])
        assertMessage(scenarioError(minimal(#""python": {"version": "3.14"}, "strategies": ["subinterpreters"]"#)),
                      contains: ["did you mean \"interpreters\"?"])
        // Written back and read again, with its two costs.
        var scenario = try ScenarioLoader.parse(text: minimal(#""python": {"version": "3.14"}, "costs": {"interpreter_start": "2ms", "interpreter_handoff": "7us"}, "strategies": [{"kind": "interpreters", "pool": 2}]"#))
        XCTAssertEqual(scenario.costs.interpreterStart, .milliseconds(2))
        XCTAssertEqual(scenario.costs.interpreterHandoff, .microseconds(7))
        let text = ScenarioEncoder.json(scenario)
        XCTAssertTrue(text.contains(#"{"kind": "interpreters", "label": "interpreters", "pool": 2}"#), text)
        var again = try ScenarioLoader.parse(text: text)
        scenario.sourcePath = nil
        again.sourcePath = nil
        XCTAssertEqual(again, scenario)
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
