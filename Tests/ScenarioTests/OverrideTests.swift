import XCTest
import SimEngine
@testable import SimScenario

final class OverrideTests: XCTestCase {
    private let base = minimal(#""machine": {"cores": 2, "scheduler": "round_robin"}, "python": {"switch_interval": "5ms"}"#)

    func testOverridesSetNumbersStringsAndIndexedKeys() throws {
        let s = try ScenarioLoader.parse(text: base, overrides: [
            "python.switch_interval=1ms", "machine.cores=8", "seed=7", "machine.scheduler.policy=linux",
            "tasks[0].count=20", "costs.process_start.spawn=60ms", "python.gil=false",
        ])
        XCTAssertEqual(s.python.switchInterval, .milliseconds(1))
        XCTAssertFalse(s.python.gil)
        XCTAssertEqual(s.machine.cores, 8)
        XCTAssertEqual(s.seed, 7)
        XCTAssertEqual(s.machine.scheduler, .linux(baseSlice: Defaults.linuxBaseSlice))
        XCTAssertEqual(s.tasks[0].count, 20)
        XCTAssertEqual(s.costs.processStart[.spawn], .milliseconds(60))
        XCTAssertEqual(s.costs.processStart[.fork], Defaults.processStart[.fork])
    }

    func testOverridesTakeJSONValuesAndNullRestoresTheDefault() throws {
        let s = try ScenarioLoader.parse(text: base, overrides: [
            #"strategies=["threads",{"kind":"asyncio","cpu":"inline"}]"#, "machine.cores=null",
            #"tasks[0].steps[0].cpu.kind=c_holds_gil"#, "strategies[0].pool=4",
        ])
        XCTAssertEqual(s.machine.cores, Defaults.cores)
        XCTAssertEqual(s.strategies.map(\.kind), [.threads(pool: 4), .asyncio(executorWorkers: nil, cpuInExecutor: false)])
        XCTAssertEqual(s.tasks[0].steps, [.cpu(CPUStep(duration: .constant(.milliseconds(1)), kind: .cHoldsGIL))])
        // Appending a task group one past the end.
        let more = try ScenarioLoader.parse(text: base, overrides: [#"tasks[1]={"name":"bg","background":true,"steps":[{"cpu":"5ms"}]}"#])
        XCTAssertEqual(more.tasks.map(\.name), ["t", "bg"])
    }

    func testOverrideErrorsNameTheOverride() {
        assertMessage(scenarioError(base, overrides: ["python.switch_interval=0"]),
                      contains: ["--set python.switch_interval=0: python.switch_interval:", "at least 1us"])
        assertMessage(scenarioError(base, overrides: ["python.switch_interval=15 ms"]),
                      contains: ["--set python.switch_interval=15 ms", #""15 ms" is not a duration; write "15ms" or 15"#])
        assertMessage(scenarioError(base, overrides: ["python.swich_interval=1ms"]),
                      contains: ["--set python.swich_interval=1ms", "did you mean \"switch_interval\"?"])
        assertMessage(scenarioError(base, overrides: ["machine.cores"]), contains: ["--set machine.cores", "expected KEY=VALUE"])
        assertMessage(scenarioError(base, overrides: ["machine..cores=2"]), contains: ["not a key path"])
        assertMessage(scenarioError(base, overrides: ["tasks[5].count=2"]), contains: ["tasks: the list has 1 element"])
        assertMessage(scenarioError(base, overrides: ["machine.cores.x=2"]), contains: ["--set machine.cores.x=2: machine.cores: 2 is not an object"])
        assertMessage(scenarioError(base, overrides: ["strategies=threads,asyncio"]), contains: ["--set 'strategies=[\"threads\",\"asyncio\"]'"])
        let zeroCores = scenarioError(base, overrides: ["machine.cores=0"])
        XCTAssertNil(zeroCores?.line)
        XCTAssertEqual(zeroCores?.place, "--set machine.cores=0")
    }

    func testKeyPaths() {
        XCTAssertEqual(JSONPath.parse("tasks[0].steps[12].io")?.description, "tasks[0].steps[12].io")
        XCTAssertEqual(JSONPath.parse("a.b")?.components, [.key("a"), .key("b")])
        for bad in ["", ".a", "a.", "a..b", "[0]", "a[x]", "a[0", "a b"] { XCTAssertNil(JSONPath.parse(bad), bad) }
    }
}

final class StrategyTests: XCTestCase {
    func testStrategyOptionsAndOverridesMergeKeyByKey() throws {
        let s = try ScenarioLoader.parse(text: minimal(#"""
        "machine": {"cores": 4, "scheduler": {"policy": "round_robin", "timeslice": "10ms"}},
        "python": {"switch_interval": "2ms", "check_latency": "1us"},
        "costs": {"pickle": "1ms"},
        "strategies": [
          "sync",
          {"kind": "threads", "label": "threads-nogil", "python": {"gil": false}},
          {"kind": "threads", "label": "threads-pool4", "pool": 4, "machine": {"scheduler": {"timeslice": "1ms"}}},
          {"kind": "processes", "pool": 2, "start_method": "spawn", "costs": {"process_start": {"spawn": "30ms"}}},
          {"kind": "asyncio", "executor_workers": 3, "cpu": "inline"},
          "gevent"
        ]
        """#))
        XCTAssertEqual(s.strategies.map(\.label), ["sync", "threads-nogil", "threads-pool4", "processes", "asyncio", "gevent"])
        let nogil = s.strategies[1]
        XCTAssertEqual(nogil.python, PythonRuntime(switchInterval: .milliseconds(2), gil: false, checkLatency: .microseconds(1)))
        XCTAssertNil(nogil.machine)
        XCTAssertEqual(s.settings(for: nogil).machine, s.machine)
        let pool = s.strategies[2]
        XCTAssertEqual(pool.kind, .threads(pool: 4))
        XCTAssertEqual(pool.machine, Machine(cores: 4, scheduler: .roundRobin(timeslice: .milliseconds(1))))
        let processes = s.strategies[3]
        XCTAssertEqual(processes.kind, .processes(pool: 2, startMethod: .spawn))
        XCTAssertEqual(processes.costs?.processStart[.spawn], .milliseconds(30))
        XCTAssertEqual(processes.costs?.pickle, .milliseconds(1))
        XCTAssertEqual(s.strategies[4].kind, .asyncio(executorWorkers: 3, cpuInExecutor: false))
        XCTAssertNil(s.strategies[0].python)
    }
}
