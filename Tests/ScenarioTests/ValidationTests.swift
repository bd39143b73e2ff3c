import XCTest
import SimEngine
@testable import SimScenario

final class ValidationTests: XCTestCase {
    func testMinimalScenarioTakesEveryDefault() throws {
        let s = try ScenarioLoader.parse(text: minimal(), sourceName: "scenarios/tiny.json")
        XCTAssertEqual(s.name, "tiny")
        XCTAssertEqual(s.seed, Defaults.seed)
        XCTAssertEqual(s.machine, Machine())
        XCTAssertEqual(s.machine.cores, Defaults.cores)
        XCTAssertEqual(s.machine.scheduler, Defaults.scheduler)
        XCTAssertEqual(s.python, PythonRuntime())
        XCTAssertEqual(s.costs, Costs())
        XCTAssertEqual(s.strategies, Defaults.strategies)
        XCTAssertEqual(s.sourcePath, "scenarios/tiny.json")
        XCTAssertNil(s.reference)
        XCTAssertEqual(s.tasks, [TaskGroup(name: "t", count: 1, background: false, steps: [.cpu(CPUStep(duration: .constant(.milliseconds(1))))])])
    }

    func testAllStepForms() throws {
        let steps = #"""
        [
          {"cpu": {"duration": {"uniform": {"min": "1ms", "max": "3ms"}}, "kind": "c_holds_gil"}},
          {"cpu": {"exponential": {"mean": "2ms"}}},
          {"io": {"latency": {"lognormal": {"median": "180ms", "sigma": 0.6}}, "cpu": "0.4ms", "connection": "reuse"}},
          {"io": "50ms"},
          {"io": {"normal": {"mean": "5ms", "stddev": "1ms"}}},
          {"sleep": {"empirical": ["1ms", 2, "3000us"]}},
          {"repeat": 3, "steps": [{"sleep": {"constant": "1s"}}]}
        ]
        """#
        let s = try ScenarioLoader.parse(text: minimal(steps: steps))
        XCTAssertEqual(s.tasks[0].steps, [
            .cpu(CPUStep(duration: .uniform(.milliseconds(1), .milliseconds(3)), kind: .cHoldsGIL)),
            .cpu(CPUStep(duration: .exponential(mean: .milliseconds(2)), kind: .python)),
            .io(IOStep(latency: .lognormal(median: .milliseconds(180), sigma: 0.6), cpu: .constant(.microseconds(400)), connection: .reuse)),
            .io(IOStep(latency: .constant(.milliseconds(50)), cpu: .constant(Defaults.ioCPU), connection: Defaults.connection)),
            .io(IOStep(latency: .normal(mean: .milliseconds(5), stddev: .milliseconds(1)))),
            .sleep(.empirical([.milliseconds(1), .milliseconds(2), .milliseconds(3)])),
            .repeat(count: 3, steps: [.sleep(.constant(.seconds(Int64(1))))]),
        ])
    }

    func testSettingsAreRead() throws {
        let s = try ScenarioLoader.parse(text: minimal(#"""
        "version": 1, "name": "n", "description": "d", "seed": 18446744073709551615,
        "machine": {"cores": 8, "scheduler": {"policy": "linux", "base_slice": "0.7ms"}, "context_switch": "5us", "wake_latency": 0.05},
        "python": {"switch_interval": "1ms", "gil": false, "free_threading_overhead": 0.4, "check_latency": "3us"},
        "costs": {"thread_start": "90us", "process_start": {"spawn": "50ms"}, "pickle": "1ms", "greenlet_switch": "1us",
                  "greenlet_spawn": "21us", "loop_iteration": "6us", "task_create": "8us", "executor_handoff": "41us",
                  "connection_setup": "1ms", "connection_cpu": "101us"}
        """#))
        XCTAssertEqual(s.seed, UInt64.max)
        XCTAssertEqual(s.machine, Machine(cores: 8, scheduler: .linux(baseSlice: .microseconds(700)), contextSwitch: .microseconds(5), wakeLatency: .microseconds(50)))
        XCTAssertEqual(s.python, PythonRuntime(switchInterval: .milliseconds(1), gil: false, freeThreadingOverhead: 0.4, checkLatency: .microseconds(3)))
        var starts = Defaults.processStart
        starts[.spawn] = .milliseconds(50)
        XCTAssertEqual(s.costs, Costs(
            threadStart: .microseconds(90), processStart: starts, pickle: .milliseconds(1), greenletSwitch: .microseconds(1),
            greenletSpawn: .microseconds(21), loopIteration: .microseconds(6), taskCreate: .microseconds(8),
            executorHandoff: .microseconds(41), connectionSetup: .milliseconds(1), connectionCPU: .microseconds(101)))
        let rr = try ScenarioLoader.parse(text: minimal(#""machine": {"scheduler": "round_robin"}"#))
        XCTAssertEqual(rr.machine.scheduler, .roundRobin(timeslice: Defaults.roundRobinTimeslice))
        let linux = try ScenarioLoader.parse(text: minimal(#""machine": {"scheduler": "linux"}"#))
        XCTAssertEqual(linux.machine.scheduler, .linux(baseSlice: Defaults.linuxBaseSlice))
    }

    /// The Linux-like policy's tick: read, written back the same, and a 1.5 ms slice lasts a whole tick.
    func testTheSchedulerTickIsReadAndWritten() throws {
        let s = try ScenarioLoader.parse(text: minimal(#""machine": {"scheduler": {"policy": "linux", "tick": "4ms"}}"#))
        XCTAssertEqual(s.machine.scheduler, .linux(baseSlice: Defaults.linuxBaseSlice, tick: .milliseconds(4)))
        XCTAssertEqual(s.machine.scheduler.slicePeriod(cores: 2), .milliseconds(4), "1.5 ms rounded up to the 4 ms tick")
        XCTAssertEqual(s.machine.scheduler.slicePeriod(cores: 8), .milliseconds(4), "3 ms too")
        XCTAssertEqual(SchedulerPolicy.linux(baseSlice: .milliseconds(3), tick: .milliseconds(1)).slicePeriod(cores: 2), .milliseconds(6))
        XCTAssertEqual(SchedulerPolicy.linux(baseSlice: .microseconds(750)).slicePeriod(cores: 2), .microseconds(1500), "no tick: on time")
        let again = try ScenarioLoader.parse(text: ScenarioEncoder.json(s))
        XCTAssertEqual(again.machine.scheduler, s.machine.scheduler)
        let plain = try ScenarioLoader.parse(text: minimal(#""machine": {"scheduler": "linux"}"#))
        XCTAssertFalse(ScenarioEncoder.json(plain).contains("tick"), "no tick, no key")
        assertMessage(scenarioError(minimal(#""machine": {"scheduler": {"policy": "linux", "tick": "-4ms"}}"#)),
                      contains: ["machine.scheduler.tick", "negative"])
    }

    func testUnknownKeysSuggestTheNearestAndListTheValidOnes() {
        let e = scenarioError("{\n  \"tasks\": [{\"steps\": [{\"cpu\": 1}]}],\n  \"python\": {\"swich_interval\": \"1ms\"}\n}")
        XCTAssertEqual(e?.line, 3)
        XCTAssertEqual(e?.column, 14)
        assertMessage(e, contains: [
            "scenarios/x.json:3:14: python.swich_interval: unknown key \"swich_interval\"",
            "did you mean \"switch_interval\"?", "valid keys: version, switch_interval, gil, free_threading_overhead, check_latency",
        ])
        assertMessage(scenarioError(minimal(#""machin": {}"#)), contains: ["did you mean \"machine\"?"])
        assertMessage(scenarioError(minimal(#""machine": {"core": 2}"#)), contains: ["did you mean \"cores\"?"])
        assertMessage(scenarioError(minimal(steps: #"[{"cpu": {"duration": 1, "kinds": "python"}}]"#)), contains: ["did you mean \"kind\"?"])
        assertMessage(scenarioError(minimal(steps: #"[{"io": {"latncy": 1}}]"#)), contains: ["did you mean \"latency\"?"])
        assertMessage(scenarioError(minimal(steps: #"[{"cpu": {"unifrom": {"min": 1, "max": 2}}}]"#)), contains: ["did you mean \"uniform\"?"])
        assertMessage(scenarioError(minimal(steps: #"[{"slep": 1}]"#)), contains: ["did you mean \"sleep\"?"])
        assertMessage(scenarioError(minimal(#""tasks2": []"#)), contains: ["unknown key \"tasks2\""])
    }

    func testImpossibleValuesAreRefused() {
        let cases: [(String, String, [String])] = [
            (#""machine": {"cores": 0}"#, "", ["machine.cores", "0 cores", "at least 1"]),
            (#""machine": {"cores": 2000}"#, "", ["machine.cores", "1 to 1024"]),
            (#""machine": {"cores": 2.5}"#, "", ["not a whole number"]),
            (#""machine": {"scheduler": "cfs"}"#, "", ["unknown scheduler policy \"cfs\"", "did you mean \"linux\"?"]),
            (#""machine": {"scheduler": {"policy": "round_robin", "timeslice": 0}}"#, "", ["timeslice must be at least 1us"]),
            (#""machine": {"context_switch": "-1us"}"#, "", ["negative"]),
            (#""python": {"switch_interval": 0}"#, "", ["python.switch_interval", "at least 1us"]),
            (#""python": {"free_threading_overhead": 11}"#, "", ["from 0 to 10"]),
            (#""python": {"gil": "yes"}"#, "", ["expected true or false, found \"yes\""]),
            (#""version": 2"#, "", ["version 2 is not supported"]),
            (#""seed": -1"#, "", ["seed"]),
            (#""name": 5"#, "", ["expected a name"]),
            (#""strategies": ["threading"]"#, "", ["unknown strategy \"threading\"", "did you mean \"threads\"?"]),
            (#""strategies": ["gevnt"]"#, "", ["did you mean \"gevent\"?"]),
            (#""strategies": []"#, "", ["no strategies"]),
            (#""strategies": [{"pool": 4}]"#, "", ["needs \"kind\""]),
            (#""strategies": [{"kind": "gevent", "pool": 4}]"#, "", ["\"pool\" is an option of threads and processes and interpreters, not of gevent"]),
            (#""strategies": [{"kind": "threads", "pool": 0}]"#, "", ["strategies[0].pool"]),
            (#""strategies": [{"kind": "processes", "start_method": "forks"}]"#, "", ["did you mean \"fork\"?"]),
            (#""strategies": [{"kind": "asyncio", "cpu": "inlined"}]"#, "", ["did you mean \"inline\"?"]),
            (#""strategies": [{"kind": "threads", "label": "a/b"}]"#, "", ["cannot name files"]),
            (#""reference": {"makespan": {"sync": 0}}"#, "", ["makespan of 0"]),
        ]
        for (extra, _, fragments) in cases {
            assertMessage(scenarioError(minimal(extra)), contains: ["scenarios/x.json:"] + fragments)
        }
    }

    func testBadTasksAndSteps() {
        let stepCases: [(String, [String])] = [
            (#"[]"#, ["tasks[0].steps", "no steps"]),
            (#"[{}]"#, ["an empty step"]),
            (#"[{"cpu": 1, "io": 2}]"#, ["a step does one thing, this one has cpu and io"]),
            (#"[{"repeat": 0, "steps": [{"cpu": 1}]}]"#, ["tasks[0].steps[0].repeat", "from 1"]),
            (#"[{"repeat": 2}]"#, ["a repeat step needs \"steps\""]),
            (#"[{"repeat": 2, "steps": []}]"#, ["tasks[0].steps[0].steps", "no steps"]),
            (#"[{"steps": [{"cpu": 1}]}]"#, ["needs \"repeat\""]),
            (#"[{"cpu": 1, "steps": []}]"#, ["belongs to a repeat step"]),
            (#"[{"cpu": {"uniform": {"min": "3ms", "max": "1ms"}}}]"#, ["min (3ms) is greater than max (1ms)"]),
            (#"[{"cpu": {"uniform": {"min": "3ms"}}}]"#, ["needs \"max\""]),
            (#"[{"cpu": {"empirical": []}}]"#, ["an empty list"]),
            (#"[{"cpu": {"lognormal": {"median": "1ms", "sigma": -0.5}}}]"#, ["sigma must be from 0"]),
            (#"[{"cpu": {"lognormal": {"median": "1ms", "sigma": "0.5"}}}]"#, ["plain number"]),
            (#"[{"cpu": {"normal": {"mean": "1ms", "stddev": "-1ms"}}}]"#, ["negative"]),
            (#"[{"cpu": {"uniform": {"min": 1, "max": 2}, "normal": {"mean": 1, "stddev": 1}}}]"#, ["exactly one kind"]),
            (#"[{"cpu": {"duration": 1, "kind": "c"}}]"#, ["unknown cpu kind \"c\""]),
            (#"[{"io": {"latency": 1, "connection": "keepalive"}}]"#, ["unknown connection \"keepalive\""]),
            (#"[{"io": {"cpu": 1}}]"#, ["an io step needs \"latency\""]),
            (#"[{"sleep": [1]}]"#, ["found a list"]),
        ]
        for (steps, fragments) in stepCases {
            assertMessage(scenarioError(minimal(steps: steps)), contains: ["scenarios/x.json:"] + fragments)
        }
        assertMessage(scenarioError(#"{"name": "x"}"#), contains: ["scenarios/x.json:1:1", "needs \"tasks\""])
        assertMessage(scenarioError(#"{"tasks": []}"#), contains: ["tasks: no task groups"])
        assertMessage(scenarioError(#"{"tasks": [{"count": 0, "steps": [{"cpu": 1}]}]}"#), contains: ["tasks[0].count", "from 1"])
        assertMessage(scenarioError(#"{"tasks": [{"background": true, "steps": [{"cpu": 1}]}]}"#),
                      contains: ["every task group is a background group", "never end"])
        assertMessage(scenarioError(#"{"tasks": [{"steps": [{"cpu": 1}]}, {"background": true, "steps": [{"sleep": 0}]}]}"#),
                      contains: ["tasks[1].steps", "loop forever"])
        let dup = scenarioError("{\"tasks\": [\n{\"name\": \"a\", \"steps\": [{\"cpu\": 1}]},\n{\"name\": \"a\", \"steps\": [{\"cpu\": 1}]}]}")
        XCTAssertEqual(dup?.line, 3)
        assertMessage(dup, contains: ["tasks[1]", "already used by tasks[0]"])
        assertMessage(scenarioError("{\"tasks\": [{\"steps\": [{\"cpu\": 1}]}],\n\"seed\": 1,\n\"seed\": 2}"), contains: [":3:1:", "given twice (first at line 2)"])
        assertMessage(scenarioError("[1]"), contains: ["expected the scenario (a JSON object), found a list"])
    }

    func testDuplicateStrategyLabels() {
        assertMessage(scenarioError(minimal(#""strategies": ["threads", {"kind": "threads", "pool": 4}]"#)),
                      contains: ["strategies[1]", "a second \"threads\" strategy", "give each a distinct \"label\""])
        assertMessage(scenarioError(minimal(#""strategies": [{"kind": "sync", "label": "x"}, {"kind": "gevent", "label": "x"}]"#)),
                      contains: ["strategies[1]", "already used by strategies[0]"])
    }

    func testMalformedJSONReportsFileLineColumn() {
        let e = scenarioError("{\n  \"tasks\": [\n    {\"steps\": [{\"cpu\": 1}],}\n  ]\n}")
        XCTAssertEqual(e?.line, 3)
        assertMessage(e, contains: ["scenarios/x.json:3:", "trailing comma"])
    }

    func testMissingFileNamesThePathAndTheShippedScenarios() throws {
        let shipped = repositoryRoot + "/scenarios"
        func load(_ path: String) throws -> Scenario { try ScenarioLoader.load(path: path, overrides: [], scenariosFolder: shipped) }
        XCTAssertThrowsError(try load(shipped + "/io_heavvy.json")) { error in
            XCTAssertEqual((error as? ScenarioError)?.description,
                           "\(shipped)/io_heavvy.json: no such file; did you mean \(shipped)/io_heavy.json?")
        }
        XCTAssertThrowsError(try load("/nowhere/zzz.json")) { error in
            assertMessage(error as? ScenarioError, contains: ["/nowhere/zzz.json: no such file", "io_heavy", "convoy"])
        }
        XCTAssertThrowsError(try load(shipped)) { error in
            assertMessage(error as? ScenarioError, contains: ["is a folder", "article.json"])
        }
        // A bare name finds the shipped scenario.
        XCTAssertEqual(try load("convoy").name, "convoy")
        XCTAssertEqual(try load("convoy.json").name, "convoy")
    }

    func testNotUTF8() {
        XCTAssertThrowsError(try ScenarioLoader.parse(data: Data([0x7B, 0xFF, 0x7D]), sourceName: "bad.json")) { error in
            assertMessage(error as? ScenarioError, contains: ["bad.json", "UTF-8"])
        }
    }
}
