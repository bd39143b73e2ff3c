import SimEngine

/// Writes a resolved `Scenario` back as scenario JSON with every default spelled out, e.g. to store next to
/// results the exact scenario a run used. Reading the output with `ScenarioLoader` gives an equal `Scenario`
/// (durations are written exactly; see `DurationSyntax.format`).
public enum ScenarioEncoder {
    /// The scenario as a JSON value, keys in the documented order.
    public static func value(_ s: Scenario) -> JSONValue {
        var members: [JSONMember] = []
        func add(_ key: String, _ v: JSONValue) { members.append(JSONMember(key: key, value: JSONNode(v))) }
        add("version", .number(String(Defaults.version)))
        add("name", .string(s.name))
        add("description", .string(s.description))
        add("seed", .number(String(s.seed)))
        add("machine", machine(s.machine))
        add("python", python(s.python))
        add("costs", costs(s.costs))
        add("tasks", .array(s.tasks.map { JSONNode(group($0)) }))
        add("strategies", .array(s.strategies.map { JSONNode(strategy($0)) }))
        if let r = s.reference { add("reference", reference(r, labels: s.strategies.map(\.label))) }
        return .object(members)
    }

    /// The scenario as pretty JSON text (deterministic: same scenario, same bytes).
    public static func json(_ s: Scenario) -> String {
        JSONWriter.pretty(value(s))
    }

    static func duration(_ t: SimTime) -> JSONValue { .string(DurationSyntax.format(t)) }

    static func number(_ d: Double) -> JSONValue { .number(d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)") }

    static func machine(_ m: Machine) -> JSONValue {
        let scheduler: JSONValue
        switch m.scheduler {
        case .roundRobin(let t): scheduler = .ordered(["policy": .string("round_robin"), "timeslice": duration(t)])
        case .linux(let b, let tick):
            scheduler = tick > .zero
                ? .ordered(["policy": .string("linux"), "base_slice": duration(b), "tick": duration(tick)])
                : .ordered(["policy": .string("linux"), "base_slice": duration(b)])
        }
        let machine = JSONValue.ordered([
            "cores": .number(String(m.cores)), "scheduler": scheduler,
            "context_switch": duration(m.contextSwitch), "wake_latency": duration(m.wakeLatency),
            "wake_jitter": number(m.wakeJitter),
            "parallel_efficiency": .object(CPUKind.allCases.map {
                JSONMember(key: $0.rawValue, value: JSONNode(number(m.parallelEfficiency[$0] ?? 1)))
            }),
            "requester_takes_signal": number(m.requesterTakesSignal),
            "core_speed_spread": .object(CPUKind.allCases.map {
                JSONMember(key: $0.rawValue, value: JSONNode(number(m.coreSpeedSpread[$0] ?? 1)))
            }),
            "timer_slack": duration(m.timerSlack),
            "timeout_idle_wake": .list(m.timeoutIdleWake.map { .list([duration($0.latency), duration($0.overhead)]) }),
        ])
        // Written only when set: absent, a spawn or forkserver child's start-up follows bytecode's efficiency.
        guard let start = m.startEfficiency, case .object(var members) = machine else { return machine }
        members.append(JSONMember(key: "start_efficiency", value: JSONNode(number(start))))
        return .object(members)
    }

    static func python(_ p: PythonRuntime) -> JSONValue {
        .ordered([
            "version": .string(p.version.rawValue), "switch_interval": duration(p.switchInterval), "gil": .bool(p.gil),
            "free_threading_overhead": number(p.freeThreadingOverhead), "check_latency": duration(p.checkLatency),
        ])
    }

    static func costs(_ c: Costs) -> JSONValue {
        /// A time per case of `K` (a start method, a timer's waker), in the cases' order.
        func perCase<K: CaseIterable & RawRepresentable & Hashable>(_ times: [K: SimTime]) -> JSONValue where K.RawValue == String {
            .object(K.allCases.compactMap { k in times[k].map { JSONMember(key: k.rawValue, value: JSONNode(duration($0))) } })
        }
        func perMethod(_ times: [StartMethod: SimTime]) -> JSONValue { perCase(times) }
        func weights(_ names: [String], _ values: [Double]) -> JSONValue {
            .object(zip(names, values).map { JSONMember(key: $0, value: JSONNode(number($1))) })
        }
        let starts = perMethod(c.processStart)
        let written: JSONValue = .ordered([
            "thread_start": duration(c.threadStart), "process_start": starts, "pickle": duration(c.pickle),
            "greenlet_switch": duration(c.greenletSwitch), "greenlet_spawn": duration(c.greenletSpawn),
            "loop_iteration": duration(c.loopIteration), "task_create": duration(c.taskCreate),
            "executor_handoff": duration(c.executorHandoff), "executor_result_cpu": duration(c.executorResultCPU),
            "executor_worker_cpu": duration(c.executorWorkerCPU), "executor_wake_cpu": duration(c.executorWakeCPU),
            "connection_setup": duration(c.connectionSetup),
            "connection_cpu": duration(c.connectionCPU), "syscall": duration(c.syscall), "ready_recv": duration(c.readyRecv),
            "resolver_job": duration(c.resolverJob),
            "io_overhead": duration(c.ioOverhead), "process_spawn": perMethod(c.processSpawn),
            "process_first_call": perMethod(c.processFirstCall), "process_first_start": perMethod(c.processFirstStart),
            "pool_first_start": perMethod(c.poolFirstStart), "pool_worker_start": perMethod(c.poolWorkerStart),
            "process_exit": perMethod(c.processExit),
            "timer_wake_cpu": perCase(c.timerWakeCPU),
            "pool_task_cpu": duration(c.poolTaskCPU), "pool_result_cpu": duration(c.poolResultCPU),
            "pool_handler_turn": duration(c.poolHandlerTurn), "pool_handler_calls": duration(c.poolHandlerCalls),
            "io_idle_overhead": c.ioIdleRise.isEmpty ? duration(c.ioIdleOverhead)
                : .list(c.ioIdleRise.map { .list([duration($0.latency), duration($0.overhead)]) }),
            "io_idle_after": duration(c.ioIdleAfter),
            "server_answer_new": duration(c.serverAnswerNew), "server_answer_reuse": duration(c.serverAnswerReuse),
            "connection_overlap_cpu": duration(c.connectionOverlapCPU),
            "io_call_shape": .ordered([
                "new": weights(IOCallShape.newPieces, c.ioCallShape.new),
                "reuse": weights(IOCallShape.reusePieces, c.ioCallShape.reuse),
            ]),
            "cold_wake_cpu": duration(c.coldWakeCPU), "cold_wake_after": duration(c.coldWakeAfter),
            "uvloop_loop_iteration": duration(c.uvloopLoopIteration), "trio_loop_iteration": duration(c.trioLoopIteration),
            "curio_loop_iteration": duration(c.curioLoopIteration), "twisted_loop_iteration": duration(c.twistedLoopIteration),
            "tornado_callback": duration(c.tornadoCallback), "eventlet_switch": duration(c.eventletSwitch),
            "eventlet_spawn": duration(c.eventletSpawn), "tasklet_switch": duration(c.taskletSwitch),
            "tasklet_spawn": duration(c.taskletSpawn), "interpreter_start": duration(c.interpreterStart),
            "interpreter_handoff": duration(c.interpreterHandoff),
        ])
        // Written only when set (a machine profile measured it), after the others: a scenario without a profile
        // is written as it was before this cost existed.
        guard case .object(var members) = written else { return written }
        for (key, value, unset) in [("cold_request_cpu", c.coldRequestCPU, Defaults.coldRequestCPU),
                                    ("session_close_cpu", c.sessionCloseCPU, Defaults.sessionCloseCPU),
                                    ("program_first_call", c.programFirstCall, Defaults.programFirstCall)] where value != unset {
            members.append(JSONMember(key: key, value: JSONNode(duration(value))))
        }
        for (key, value, unset) in [("trio_thread_worker", c.trioThreadWorker, Defaults.trioThreadWorker),
                                    ("curio_thread_worker", c.curioThreadWorker, Defaults.curioThreadWorker)] where value != unset {
            members.append(JSONMember(key: key, value: JSONNode(number(value))))
        }
        if let reuse = c.ioOverheadReuse {
            members.append(JSONMember(key: "io_overhead_reuse", value: JSONNode(duration(reuse))))
        }
        if let call = c.gilReleaseCall {
            members.append(JSONMember(key: "gil_release_call", value: JSONNode(duration(call))))
        }
        if c.programFirstCallReleases != Defaults.programFirstCallReleases {
            members.append(JSONMember(key: "program_first_call_releases", value: JSONNode(.number(String(c.programFirstCallReleases)))))
        }
        return .object(members)
    }

    static func group(_ g: TaskGroup) -> JSONValue {
        .ordered([
            "name": .string(g.name), "count": .number(String(g.count)), "background": .bool(g.background),
            "steps": .array(g.steps.map { JSONNode(step($0)) }),
        ])
    }

    static func step(_ s: Step) -> JSONValue {
        switch s {
        case .cpu(let c):
            return .ordered(["cpu": .ordered(["duration": distribution(c.duration), "kind": .string(c.kind.rawValue)])])
        case .io(let io):
            return .ordered(["io": .ordered([
                "latency": distribution(io.latency), "cpu": distribution(io.cpu), "connection": .string(io.connection.rawValue),
            ])])
        case .sleep(let d):
            return .ordered(["sleep": distribution(d)])
        case .repeat(let count, let steps):
            return .ordered(["repeat": .number(String(count)), "steps": .array(steps.map { JSONNode(step($0)) })])
        }
    }

    /// A constant is written as a plain duration; the others as their one-key object.
    public static func distribution(_ d: Distribution) -> JSONValue {
        switch d {
        case .constant(let t): return duration(t)
        case .uniform(let a, let b): return .ordered(["uniform": .ordered(["min": duration(a), "max": duration(b)])])
        case .exponential(let m): return .ordered(["exponential": .ordered(["mean": duration(m)])])
        case .normal(let m, let sd): return .ordered(["normal": .ordered(["mean": duration(m), "stddev": duration(sd)])])
        case .lognormal(let median, let sigma): return .ordered(["lognormal": .ordered(["median": duration(median), "sigma": number(sigma)])])
        case .empirical(let values): return .ordered(["empirical": .list(values.map(duration))])
        }
    }

    static func strategy(_ s: Strategy) -> JSONValue {
        var members: [JSONMember] = []
        func add(_ key: String, _ v: JSONValue) { members.append(JSONMember(key: key, value: JSONNode(v))) }
        add("kind", .string(s.kind.name))
        add("label", .string(s.label))
        for (key, value) in options(of: s.kind) { add(key, value) }
        if let m = s.machine { add("machine", machine(m)) }
        if let p = s.python { add("python", python(p)) }
        if let c = s.costs { add("costs", costs(c)) }
        return .object(members)
    }

    /// A kind's options as the scenario format writes them, in its descriptor's order.
    static func options(of kind: Strategy.Kind) -> [(String, JSONValue)] {
        func count(_ key: String, _ n: Int?) -> [(String, JSONValue)] { n.map { [(key, .number(String($0)))] } ?? [] }
        func cpu(_ offloads: Bool) -> [(String, JSONValue)] {
            let choices = kind.descriptor.options.first { $0.key == "cpu" }?.choices ?? []
            return [("cpu", .string(offloads ? choices.first { $0 != "inline" } ?? "inline" : "inline"))]
        }
        switch kind {
        case .sync, .gevent, .tasklets: return []
        case .threads(let pool), .interpreters(let pool): return count("pool", pool)
        case .processes(let pool, let method): return count("pool", pool) + [("start_method", .string(method.rawValue))]
        case .asyncio(let workers, let inExecutor), .uvloop(let workers, let inExecutor):
            return count("executor_workers", workers) + cpu(inExecutor)
        case .trio(let limit, let inThread), .curio(let limit, let inThread), .twisted(let limit, let inThread),
             .eventlet(let limit, let inThread):
            return count("thread_limit", limit) + cpu(inThread)
        case .tornado(let clients, let workers, let inExecutor):
            return count("max_clients", clients) + count("executor_workers", workers) + cpu(inExecutor)
        }
    }

    static func reference(_ r: Reference, labels: [String]) -> JSONValue {
        let order = labels.filter { r.makespans[$0] != nil } + r.makespans.keys.filter { !labels.contains($0) }.sorted()
        let makespan = JSONValue.object(order.map { JSONMember(key: $0, value: JSONNode(duration(r.makespans[$0]!))) })
        return .ordered(["source": .string(r.source), "makespan": makespan])
    }
}
