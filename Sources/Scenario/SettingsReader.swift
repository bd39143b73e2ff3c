import SimEngine

/// Reads `machine`, `python` and `costs`. Each reads over a base value, key by key, so the same code serves
/// the scenario (base: the defaults) and a strategy's overrides (base: the scenario's values).
enum SettingsReader {
    static let machineKeys = ["cores", "scheduler", "context_switch", "wake_latency", "wake_jitter", "parallel_efficiency", "requester_takes_signal", "core_speed_spread", "timer_slack", "timeout_idle_wake", "start_efficiency"]
    static let schedulerKeys = ["policy", "timeslice", "base_slice", "tick"]
    static let policies = ["round_robin", "linux"]
    static let pythonKeys = ["version", "switch_interval", "gil", "free_threading_overhead", "check_latency"]
    static let costKeys = [
        "thread_start", "process_start", "pickle", "greenlet_switch", "greenlet_spawn", "loop_iteration",
        "task_create", "executor_handoff", "executor_result_cpu", "executor_worker_cpu", "executor_wake_cpu", "trio_thread_worker", "curio_thread_worker", "connection_setup", "connection_cpu", "syscall", "ready_recv", "gil_release_call", "resolver_job", "io_overhead", "io_overhead_reuse",
        "process_spawn", "process_first_call", "process_first_start", "pool_first_start", "pool_worker_start", "process_exit", "timer_wake_cpu", "pool_task_cpu", "pool_result_cpu", "pool_handler_turn", "pool_handler_calls", "io_idle_overhead", "io_idle_after", "server_answer_new", "server_answer_reuse", "connection_overlap_cpu",
        "cold_request_cpu", "session_close_cpu", "program_first_call", "program_first_call_releases",
        "io_call_shape",
        "cold_wake_cpu", "cold_wake_after",
        "uvloop_loop_iteration", "trio_loop_iteration", "curio_loop_iteration", "twisted_loop_iteration",
        "tornado_callback", "eventlet_switch", "eventlet_spawn", "tasklet_switch", "tasklet_spawn",
        "interpreter_start", "interpreter_handoff",
    ]
    static let maxCores = 1024
    /// The shortest OS slice accepted: shorter slices are not a real scheduler and explode the event count.
    static let minimumSlice = SimTime.microseconds(1)
    /// CPython refuses intervals below 1 us (`sys.setswitchinterval`, Python/sysmodule.c).
    static let minimumSwitchInterval = SimTime.microseconds(1)

    static func readMachine(_ field: ScenarioField?, base: Machine) throws -> Machine {
        guard let field else { return base }
        let o = try field.object(keys: machineKeys, what: "machine", hint: "; write \"machine\": {\"cores\": 4}")
        var m = base
        if let f = o["cores"] {
            if case .number(let literal) = f.value, let v = ScenarioField.wholeNumber(literal), v < 1 {
                throw f.error("\(literal) cores; a machine has at least 1 core (and at most \(maxCores))")
            }
            m.cores = try f.integer(in: 1...maxCores, what: "cores")
        }
        if let f = o["scheduler"] { m.scheduler = try readScheduler(f, base: base.scheduler) }
        if let f = o["context_switch"] { m.contextSwitch = try f.duration(what: "context_switch") }
        if let f = o["wake_latency"] { m.wakeLatency = try f.duration(what: "wake_latency") }
        if let f = o["wake_jitter"] {
            m.wakeJitter = try f.number(in: 0...1, what: "wake_jitter (0 = every wake-up takes wake_latency, 1 = exponentially distributed around it)")
        }
        if let f = o["parallel_efficiency"] {
            try readPerKind(f, into: &m.parallelEfficiency, in: 0.05...1, key: "parallel_efficiency",
                            hint: "; give each busy core's speed when all are busy, per CPU kind: {\"python\": 0.8, \"c_holds_gil\": 0.9, \"c_releases_gil\": 0.95}",
                            meaning: "1 = cores independent, 0.5 = two busy cores do the work of one")
        }
        if let f = o["core_speed_spread"] {
            try readPerKind(f, into: &m.coreSpeedSpread, in: 1...4, key: "core_speed_spread",
                            hint: "; give, per CPU kind, the fastest busy core's speed over the slowest's with every core busy: {\"python\": 1.1, \"c_holds_gil\": 1.2, \"c_releases_gil\": 1}",
                            meaning: "1 = busy cores run at one speed, 1.2 = the fastest runs 1.2 times as fast as the slowest")
        }
        if let f = o["timer_slack"] { m.timerSlack = try f.duration(what: "timer_slack") }
        if let f = o["timeout_idle_wake"] { m.timeoutIdleWake = try readRise(f, key: "timeout_idle_wake", x: "wait", y: "delay", example: "[[\"1ms\", \"50us\"], [\"20ms\", \"120us\"]]") }
        if let f = o["start_efficiency"] {
            m.startEfficiency = try f.number(in: 0.05...1, what: "start_efficiency (each busy core's speed for a spawn or forkserver child's start-up when every core is busy: 1 = as alone, 0.7 = 30% slower)")
        }
        if let f = o["requester_takes_signal"] {
            m.requesterTakesSignal = try f.number(in: 0...1, what: "requester_takes_signal (the share of GIL drops whose signal the thread that asked for the drop takes before it sleeps: 0 = the oldest sleeper always gets it)")
        }
        return m
    }

    /// An object of numbers by CPU kind (`{"python": x, "c_holds_gil": y, "c_releases_gil": z}`, any left out
    /// keeping its value), each within `range`.
    static func readPerKind(_ field: ScenarioField, into values: inout [CPUKind: Double], in range: ClosedRange<Double>,
                            key: String, hint: String, meaning: String) throws {
        let eo = try field.object(keys: CPUKind.allCases.map(\.rawValue), what: key, hint: hint)
        for kind in CPUKind.allCases {
            if let kf = eo[kind.rawValue] {
                values[kind] = try kf.number(in: range, what: "\(key).\(kind.rawValue) (\(meaning))")
            }
        }
    }

    /// `"linux"`, `"round_robin"`, or `{"policy": ..., "timeslice": d, "base_slice": d, "tick": d}`. Each policy
    /// reads its own keys and ignores the other's, so `--set machine.scheduler.policy=linux` works on any file.
    static func readScheduler(_ field: ScenarioField, base: SchedulerPolicy) throws -> SchedulerPolicy {
        var policy: String
        var timeslice: SimTime
        var baseSlice: SimTime
        var tick = SimTime.zero
        switch base {
        case .roundRobin(let t): policy = "round_robin"; timeslice = t; baseSlice = Defaults.linuxBaseSlice
        case .linux(let b, let k): policy = "linux"; timeslice = Defaults.roundRobinTimeslice; baseSlice = b; tick = k
        }
        if case .string = field.value {
            policy = try readPolicy(field)
        } else {
            let o = try field.object(keys: schedulerKeys, what: "scheduler", hint: "; write \"round_robin\", \"linux\" or {\"policy\": \"round_robin\", \"timeslice\": \"100ms\"}")
            if let f = o["policy"] { policy = try readPolicy(f) }
            if let f = o["timeslice"] { timeslice = try f.duration(minimum: minimumSlice, what: "timeslice") }
            if let f = o["base_slice"] { baseSlice = try f.duration(minimum: minimumSlice, what: "base_slice") }
            // 0 for none; a real kernel's is 1 to 10 ms (CONFIG_HZ 1000 to 100).
            if let f = o["tick"] { tick = try f.duration(minimum: .zero, what: "tick") }
        }
        return policy == "linux" ? .linux(baseSlice: baseSlice, tick: tick) : .roundRobin(timeslice: timeslice)
    }

    static func readPolicy(_ f: ScenarioField) throws -> String {
        let s = try f.string(what: "a scheduler policy (\"round_robin\" or \"linux\")")
        guard policies.contains(s) else {
            let hint = ["rr", "roundrobin", "round-robin"].contains(s.lowercased()) ? " (did you mean \"round_robin\"?)"
                : ["cfs", "eevdf"].contains(s.lowercased()) ? " (did you mean \"linux\"?)" : DidYouMean.clause(for: s, among: policies)
            throw f.error("unknown scheduler policy \"\(s)\"\(hint); use \"round_robin\" (the article's model, fixed timeslice) or \"linux\" (EEVDF-like, base_slice)")
        }
        return s
    }

    static func readPython(_ field: ScenarioField?, base: PythonRuntime) throws -> PythonRuntime {
        guard let field else { return base }
        let o = try field.object(keys: pythonKeys, what: "python", hint: "; write \"python\": {\"switch_interval\": \"5ms\"}")
        var p = base
        if let f = o["version"] {
            // A number such as 3.13 reads as its text; "3.13t" names the free-threaded build.
            let s: String
            if case .number(let n) = f.value { s = n } else { s = try f.string(what: "a Python version (\(PythonVersion.names.joined(separator: ", ")))") }
            guard let v = PythonVersion(rawValue: s) else {
                throw f.error("unknown Python version \"\(s)\"\(DidYouMean.clause(for: s, among: PythonVersion.names)); the versions are \(PythonVersion.names.joined(separator: ", ")) (\"t\": free-threaded)")
            }
            // The version sets the defaults that differ by version; keys given beside it still win.
            p.version = v
            p.gil = !v.freeThreaded
            if let overhead = v.freeThreadingOverhead { p.freeThreadingOverhead = overhead }
        }
        if let f = o["switch_interval"] {
            p.switchInterval = try f.duration(what: "switch_interval")
            if p.switchInterval < minimumSwitchInterval {
                throw f.error("\(f.value.shortDescription) is too small; switch_interval must be at least 1us (sys.setswitchinterval refuses 0), e.g. \"5ms\"")
            }
        }
        if let f = o["gil"] { p.gil = try f.bool() }
        if let f = o["free_threading_overhead"] {
            p.freeThreadingOverhead = try f.number(in: 0...10, what: "free_threading_overhead (a fraction: 0.08 = 8% slower)")
        }
        if let f = o["check_latency"] { p.checkLatency = try f.duration(what: "check_latency") }
        return p
    }

    /// A rise with a wait's length (`io_idle_overhead` as a list, `timeout_idle_wake`): `[[x, y], ...]`, the
    /// `x` durations increasing from above zero.
    static func readRise(_ field: ScenarioField, key: String, x: String, y: String, example: String,
                         alternative: String = "") throws -> [IdleRisePoint] {
        let hint = "; give [\(x), \(y)] pairs by increasing \(x), e.g. \(example)"
        var points: [IdleRisePoint] = []
        for element in try field.array(what: "\(key) (\(alternative)a list of [\(x), \(y)] pairs)", hint: hint) {
            let pair = try element.array(what: "a [\(x), \(y)] pair", hint: hint)
            guard pair.count == 2 else { throw element.expected("a [\(x), \(y)] pair (two durations)", hint: hint) }
            let point = IdleRisePoint(latency: try pair[0].duration(what: "the \(x)"), overhead: try pair[1].duration(what: "the \(y)"))
            guard point.latency > (points.last?.latency ?? .zero) else {
                throw pair[0].error("\(pair[0].value.shortDescription): the \(x)s of \(key) must be above zero and increase\(hint)")
            }
            points.append(point)
        }
        return points
    }

    static func readCosts(_ field: ScenarioField?, base: Costs) throws -> Costs {
        guard let field else { return base }
        let o = try field.object(keys: costKeys, what: "costs", hint: "; write \"costs\": {\"thread_start\": \"80us\"}")
        var c = base
        func d(_ key: String, _ target: inout SimTime) throws {
            if let f = o[key] { target = try f.duration(what: key) }
        }
        try d("thread_start", &c.threadStart)
        /// A time per case of `K` (a start method, a timer's waker), each optional, each keeping `target`'s own
        /// where not given.
        func each<K: CaseIterable & RawRepresentable & Hashable>(_ key: String, _ target: inout [K: SimTime], hint: String) throws
        where K.RawValue == String {
            guard let f = o[key] else { return }
            let po = try f.object(keys: K.allCases.map(\.rawValue), what: key, hint: hint)
            for k in K.allCases {
                if let kf = po[k.rawValue] { target[k] = try kf.duration(what: "\(key).\(k.rawValue)") }
            }
        }
        for (key, path) in [("process_start", \Costs.processStart), ("process_spawn", \Costs.processSpawn),
                            ("process_first_call", \Costs.processFirstCall), ("process_first_start", \Costs.processFirstStart),
                            ("pool_first_start", \Costs.poolFirstStart), ("pool_worker_start", \Costs.poolWorkerStart),
                            ("process_exit", \Costs.processExit)] {
            try each(key, &c[keyPath: path], hint: "; give a time per start method: {\"fork\": \"2ms\", \"forkserver\": \"10ms\", \"spawn\": \"45ms\"}")
        }
        try each("timer_wake_cpu", &c.timerWakeCPU,
                 hint: "; give a time per waker: {\"threads\": \"22us\", \"asyncio\": \"55us\", \"trio\": \"80us\", \"curio\": \"40us\", \"gevent\": \"42us\"}")
        try d("pickle", &c.pickle)
        try d("pool_task_cpu", &c.poolTaskCPU)
        try d("pool_result_cpu", &c.poolResultCPU)
        try d("pool_handler_turn", &c.poolHandlerTurn)
        try d("pool_handler_calls", &c.poolHandlerCalls)
        // A turn of zero turns the busy wait off, whatever its calls.
        if c.poolHandlerTurn > .zero, c.poolHandlerCalls > c.poolHandlerTurn, let f = o["pool_handler_calls"] ?? o["pool_handler_turn"] {
            throw f.error("pool_handler_calls (\(c.poolHandlerCalls)) is longer than pool_handler_turn (\(c.poolHandlerTurn)): the system calls are part of the turn; give a turn at least as long as its calls")
        }
        try d("greenlet_switch", &c.greenletSwitch)
        try d("greenlet_spawn", &c.greenletSpawn)
        try d("loop_iteration", &c.loopIteration)
        try d("task_create", &c.taskCreate)
        try d("executor_handoff", &c.executorHandoff)
        try d("executor_result_cpu", &c.executorResultCPU)
        try d("executor_worker_cpu", &c.executorWorkerCPU)
        try d("executor_wake_cpu", &c.executorWakeCPU)
        for (key, value) in [("trio_thread_worker", \Costs.trioThreadWorker), ("curio_thread_worker", \Costs.curioThreadWorker)] {
            if let f = o[key] {
                c[keyPath: value] = try f.number(in: Defaults.threadWorkerRange, what: "\(key) (a multiple of the executor worker's own CPU per job)")
            }
        }
        try d("connection_setup", &c.connectionSetup)
        try d("connection_cpu", &c.connectionCPU)
        try d("syscall", &c.syscall)
        try d("ready_recv", &c.readyRecv)
        if let f = o["gil_release_call"] { c.gilReleaseCall = try f.duration(what: "gil_release_call") }
        try d("resolver_job", &c.resolverJob)
        try d("io_overhead", &c.ioOverhead)
        if let f = o["io_overhead_reuse"] { c.ioOverheadReuse = try f.duration(what: "io_overhead_reuse") }
        if let f = o["io_idle_overhead"] {
            if case .array = f.value {
                c.ioIdleRise = try readRise(f, key: "io_idle_overhead", x: "latency", y: "overhead",
                                            example: "[[\"1ms\", \"200us\"], [\"5ms\", \"600us\"]]", alternative: "a duration or ")
            } else {
                c.ioIdleOverhead = try f.duration(what: "io_idle_overhead")
                c.ioIdleRise = []
            }
        }
        try d("io_idle_after", &c.ioIdleAfter)
        try d("server_answer_new", &c.serverAnswerNew)
        try d("server_answer_reuse", &c.serverAnswerReuse)
        try d("connection_overlap_cpu", &c.connectionOverlapCPU)
        try d("cold_request_cpu", &c.coldRequestCPU)
        try d("session_close_cpu", &c.sessionCloseCPU)
        try d("program_first_call", &c.programFirstCall)
        if let f = o["program_first_call_releases"] {
            c.programFirstCallReleases = try f.integer(in: 0...Defaults.maxProgramFirstCallReleases,
                                                       what: "program_first_call_releases (GIL releases in the program's first call)")
        }
        if let f = o["io_call_shape"] { c.ioCallShape = try readCallShape(f, base: c.ioCallShape) }
        try d("cold_wake_cpu", &c.coldWakeCPU)
        try d("cold_wake_after", &c.coldWakeAfter)
        try d("uvloop_loop_iteration", &c.uvloopLoopIteration)
        try d("trio_loop_iteration", &c.trioLoopIteration)
        try d("curio_loop_iteration", &c.curioLoopIteration)
        try d("twisted_loop_iteration", &c.twistedLoopIteration)
        try d("tornado_callback", &c.tornadoCallback)
        try d("eventlet_switch", &c.eventletSwitch)
        try d("eventlet_spawn", &c.eventletSpawn)
        try d("tasklet_switch", &c.taskletSwitch)
        try d("tasklet_spawn", &c.taskletSpawn)
        try d("interpreter_start", &c.interpreterStart)
        try d("interpreter_handoff", &c.interpreterHandoff)
        return c
    }

    /// `{"new": {"before_getaddrinfo": 62, ...}, "reuse": {"before_send": 1, ...}}`: relative weights of an I/O
    /// call's CPU pieces (`IOCallShape`); a side given replaces that side's weights (pieces not named weigh 0),
    /// a side left out keeps its base.
    static func readCallShape(_ field: ScenarioField, base: IOCallShape) throws -> IOCallShape {
        let o = try field.object(keys: ["new", "reuse"], what: "io_call_shape",
                                 hint: "; write {\"new\": {\"before_getaddrinfo\": 0.3, \"after_recv\": 0.5, ...}, \"reuse\": {...}}")
        var shape = base
        for (side, pieces) in [("new", IOCallShape.newPieces), ("reuse", IOCallShape.reusePieces)] {
            guard let f = o[side] else { continue }
            let po = try f.object(keys: pieces, what: "io_call_shape.\(side)",
                                  hint: "; give relative weights of the pieces, in the call's order: \(pieces.joined(separator: ", "))")
            let weights = try pieces.map { try po[$0]?.number(in: 0...1e9, what: "io_call_shape.\(side).\($0) (a relative weight, at least 0)") ?? 0 }
            guard weights.contains(where: { $0 > 0 }) else {
                throw f.error("every piece of io_call_shape.\(side) weighs 0; give at least one a weight above 0 (e.g. \"after_recv\": 1)")
            }
            if side == "new" { shape.new = weights } else { shape.reuse = weights }
        }
        return shape
    }
}
