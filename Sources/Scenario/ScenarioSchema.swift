import SimEngine

/// A JSON Schema (draft-07, the draft editors support best) of the scenario format, built from the readers'
/// own key lists, bounds and `Defaults`, so that it cannot drift from what the loader accepts.
///
/// It lets an editor complete and check a scenario file (`"$schema": "../schema/scenario.schema.json"`).
/// The loader checks more than a schema can say (durations' exact syntax and limits, min <= max, unique
/// labels, the total simulated time); the schema never accepts a type or key the loader refuses, and accepts
/// every scenario the loader accepts. `simulate schema` prints it; `schema/scenario.schema.json` is a copy
/// that a test keeps equal to this output.
public enum ScenarioSchema {
    /// Where the shipped copy lives, relative to the repository root.
    public static let path = "schema/scenario.schema.json"

    /// The schema as pretty-printed JSON text, ending with a newline.
    public static func text() -> String { JSONWriter.pretty(document) + "\n" }

    static var document: JSONValue {
        object([
            ("$schema", .string("http://json-schema.org/draft-07/schema#")),
            ("$id", .string("https://github.com/simulate/simulate/schema/scenario.schema.json")),
            ("title", .string("simulate scenario")),
            ("description", .string("A workload, a machine and a Python runtime, and the strategies to compare (docs/scenario-format.md).")),
            ("type", .string("object")),
            ("required", .list([.string("tasks")])),
            ("additionalProperties", .bool(false)),
            ("properties", object(ScenarioReader.topKeys.map { ($0, $0 == "tasks" ? topLevel($0) : nullable(topLevel($0))) })),
            ("definitions", object([
                ("duration", duration),
                ("distribution", distribution),
                ("machine", machine),
                ("python", python),
                ("costs", costs),
                ("step", step),
            ])),
        ])
    }

    // MARK: - Pieces

    static func object(_ pairs: [(String, JSONValue)]) -> JSONValue {
        .object(pairs.map { JSONMember(key: $0.0, value: JSONNode($0.1)) })
    }

    static func ref(_ name: String) -> JSONValue { object([("$ref", .string("#/definitions/\(name)"))]) }

    static func described(_ type: String, _ text: String) -> JSONValue {
        object([("type", .string(type)), ("description", .string(text))])
    }

    static func integer(_ range: ClosedRange<Int>, _ text: String) -> JSONValue {
        object([("type", .string("integer")), ("minimum", .number(String(range.lowerBound))),
                ("maximum", .number(String(range.upperBound))), ("description", .string(text))])
    }

    static func number(_ range: ClosedRange<Double>, _ text: String, default value: Double? = nil) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("type", .string("number")), ("minimum", .number(ScenarioField.show(range.lowerBound))),
                                            ("maximum", .number(ScenarioField.show(range.upperBound))), ("description", .string(text))]
        if let value { pairs.append(("default", .number(ScenarioField.show(value)))) }
        return object(pairs)
    }

    static func enumeration(_ values: [String], _ text: String, default value: String? = nil) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("type", .string("string")), ("enum", .list(values.map { .string($0) })), ("description", .string(text))]
        if let value { pairs.append(("default", .string(value))) }
        return object(pairs)
    }

    /// A duration with its default shown, e.g. `"80us"`.
    static func duration(_ text: String, default value: SimTime? = nil) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("$ref", .string("#/definitions/duration")), ("description", .string(text))]
        if let value { pairs.append(("default", .string(DurationSyntax.format(value)))) }
        return object(pairs)
    }

    /// An object with exactly these properties, none required unless listed. An optional property may be
    /// null, as in the loader, where null means "use the default" (`ScenarioObject` drops such members).
    static func closedObject(_ properties: [(String, JSONValue)], required: [String] = [], description text: String? = nil) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("type", .string("object"))]
        if let text { pairs.append(("description", .string(text))) }
        if !required.isEmpty { pairs.append(("required", .list(required.map { .string($0) }))) }
        pairs.append(("additionalProperties", .bool(false)))
        pairs.append(("properties", object(properties.map { required.contains($0.0) ? $0 : ($0.0, nullable($0.1)) })))
        return object(pairs)
    }

    /// `schema` or null.
    static func nullable(_ schema: JSONValue) -> JSONValue {
        object([("oneOf", .list([object([("type", .string("null"))]), schema]))])
    }

    // MARK: - Definitions

    static var duration: JSONValue {
        let units = DurationSyntax.units.map(\.suffix).joined(separator: "|")
        let limit = DurationSyntax.format(SimTime.maxDuration)
        return object([
            ("description", .string("A number of milliseconds, or a string with a unit and no space: \"850ns\", \"40us\", \"15ms\", \"1.5s\"; from 0 to \(limit).")),
            ("oneOf", .list([
                object([("type", .string("number")), ("minimum", .number("0")),
                        ("maximum", .number(String(SimTime.maxDuration.nanoseconds / 1_000_000)))]),
                object([("type", .string("string")), ("pattern", .string("^\\+?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?(\(units))$"))]),
            ])),
        ])
    }

    static var distribution: JSONValue {
        let kinds: [(String, JSONValue)] = [
            ("constant", ref("duration")),
            ("uniform", closedObject([("min", ref("duration")), ("max", ref("duration"))], required: ["min", "max"])),
            ("exponential", closedObject([("mean", ref("duration"))], required: ["mean"])),
            ("normal", closedObject([("mean", ref("duration")), ("stddev", ref("duration"))], required: ["mean", "stddev"])),
            ("lognormal", closedObject([("median", ref("duration")), ("sigma", number(0...DistributionReader.maxSigma, "The shape, a plain number."))],
                                       required: ["median", "sigma"])),
            ("empirical", object([("type", .string("array")), ("minItems", .number("1")), ("items", ref("duration"))])),
        ]
        precondition(kinds.map(\.0) == DistributionReader.kinds, "the schema lists every distribution kind the reader takes")
        return object([
            ("description", .string("A duration, or a distribution with exactly one kind: \(DistributionReader.kinds.joined(separator: ", ")).")),
            ("oneOf", .list([ref("duration")] + kinds.map { closedObject([$0], required: [$0.0]) })),
        ])
    }

    static var machine: JSONValue {
        let scheduler = object([
            ("description", .string("\"round_robin\" (fixed timeslice), \"linux\" (EEVDF-like), or an object with the policy and its slice.")),
            ("oneOf", .list([
                enumeration(SettingsReader.policies, "The policy with its default slice."),
                closedObject([
                    ("policy", enumeration(SettingsReader.policies, "The policy.")),
                    ("timeslice", duration("The round-robin slice (at least 1us).", default: Defaults.roundRobinTimeslice)),
                    ("base_slice", duration("The linux base slice (at least 1us).", default: Defaults.linuxBaseSlice)),
                    ("tick", duration("The linux scheduler tick: a used-up slice ends at the next one (\"0ms\": slices end on time; 4ms on a 250 Hz kernel).", default: .zero)),
                ]),
            ])),
        ])
        let properties: [(String, JSONValue)] = [
            ("cores", integer(1...SettingsReader.maxCores, "CPU cores (default \(Defaults.cores)).")),
            ("scheduler", scheduler),
            ("context_switch", duration("Cost of switching a core to another thread.", default: Defaults.contextSwitch)),
            ("wake_latency", duration("Delay from a wake-up to running on a free core.", default: Defaults.wakeLatency)),
            ("wake_jitter", number(0...1, "Spread of each wake-up latency (0 fixed, 1 exponential).", default: Defaults.wakeJitter)),
            ("parallel_efficiency", closedObject(CPUKind.allCases.map { kind in
                (kind.rawValue, number(0.05...1, "Each busy core's speed with every core busy, for \(kind.rawValue) work (1: cores independent).",
                                       default: Defaults.parallelEfficiency[kind]))
            }, description: "How busy cores slow each other, per CPU kind (measured by simulate calibrate).")),
            ("requester_takes_signal", number(0...1, "Share of GIL drops whose signal the thread that asked for the drop takes before it sleeps (measured by simulate calibrate).",
                                              default: Defaults.requesterTakesSignal)),
            ("core_speed_spread", closedObject(CPUKind.allCases.map { kind in
                (kind.rawValue, number(1...4, "With every core busy, the fastest busy core's speed over the slowest's, for \(kind.rawValue) work (1: one speed).",
                                       default: Defaults.coreSpeedSpread[kind]))
            }, description: "How unequal busy cores' speeds are, per CPU kind; their mean stays 1 (measured by validation/pair_speeds.py).")),
            ("timer_slack", duration("How late a timed wait's timer fires after its deadline on a quiet core (Linux's timer slack): each GIL wait lasts the switch interval plus this.", default: Defaults.timerSlack)),
            ("timeout_idle_wake", object([
                ("type", .string("array")),
                ("items", object([("type", .string("array")), ("items", ref("duration")), ("minItems", .number("2")), ("maxItems", .number("2"))])),
                ("description", .string("How much later a thread whose GIL wait expired is back, beyond timer_slack, wake_latency and context_switch, by the wait's length (its idle vCPU woken through the host): [wait, delay] pairs by increasing wait, linear between them from zero at zero, level after the last; [] for none (measured by simulate calibrate).")),
            ])),
            ("start_efficiency", number(0.05...1, "Each busy core's speed for a spawn or forkserver child's start-up when every core is busy, as a fraction of its speed alone (a forkserver child's: when 16 start at once, less with fewer start-ups a core, none at one); absent, as parallel_efficiency.python (measured by simulate calibrate: a spawned child's CPU alone against each one's when many start at once).")),
        ]
        precondition(properties.map(\.0) == SettingsReader.machineKeys)
        return closedObject(properties, description: "The hardware and operating system.")
    }

    static var python: JSONValue {
        let properties: [(String, JSONValue)] = [
            ("version", enumeration(PythonVersion.names, "The CPython version (\"t\": free-threaded); it sets gil, free_threading_overhead and the start method's defaults.", default: Defaults.pythonVersion.rawValue)),
            ("switch_interval", duration("sys.setswitchinterval (at least 1us).", default: Defaults.switchInterval)),
            ("gil", object([("type", .string("boolean")), ("default", .bool(true)), ("description", .string("false models free-threaded Python."))])),
            ("free_threading_overhead", number(0...10, "Extra single-thread CPU cost without the GIL, as a fraction.", default: Defaults.freeThreadingOverhead)),
            ("check_latency", duration("How long bytecode runs before noticing a drop request.", default: Defaults.checkLatency)),
        ]
        precondition(properties.map(\.0) == SettingsReader.pythonKeys)
        return closedObject(properties, description: "The CPython runtime.")
    }

    static var costs: JSONValue {
        let defaults: [String: SimTime] = [
            "thread_start": Defaults.threadStart, "pickle": Defaults.pickle, "greenlet_switch": Defaults.greenletSwitch,
            "greenlet_spawn": Defaults.greenletSpawn, "loop_iteration": Defaults.loopIteration, "task_create": Defaults.taskCreate,
            "executor_handoff": Defaults.executorHandoff, "executor_result_cpu": Defaults.executorResultCPU,
            "executor_worker_cpu": Defaults.executorWorkerCPU, "executor_wake_cpu": Defaults.executorWakeCPU,
            "connection_setup": Defaults.connectionSetup,
            "connection_cpu": Defaults.connectionCPU, "syscall": Defaults.syscall, "ready_recv": Defaults.readyRecv, "resolver_job": Defaults.resolverJob,
            "io_overhead": Defaults.ioOverhead,
            "io_idle_overhead": Defaults.ioIdleOverhead, "io_idle_after": Defaults.ioIdleAfter,
            "server_answer_new": Defaults.serverAnswerNew, "server_answer_reuse": Defaults.serverAnswerReuse,
            "connection_overlap_cpu": Defaults.connectionOverlapCPU, "cold_request_cpu": Defaults.coldRequestCPU,
            "session_close_cpu": Defaults.sessionCloseCPU,
            "program_first_call": Defaults.programFirstCall,
            "cold_wake_cpu": Defaults.coldWakeCPU, "cold_wake_after": Defaults.coldWakeAfter,
            "uvloop_loop_iteration": Defaults.uvloopLoopIteration, "trio_loop_iteration": Defaults.trioLoopIteration,
            "curio_loop_iteration": Defaults.curioLoopIteration, "twisted_loop_iteration": Defaults.twistedLoopIteration,
            "tornado_callback": Defaults.tornadoCallback, "eventlet_switch": Defaults.eventletSwitch,
            "eventlet_spawn": Defaults.eventletSpawn, "tasklet_switch": Defaults.taskletSwitch, "tasklet_spawn": Defaults.taskletSpawn,
            "interpreter_start": Defaults.interpreterStart, "interpreter_handoff": Defaults.interpreterHandoff,
            "pool_task_cpu": Defaults.poolTaskCPU, "pool_result_cpu": Defaults.poolResultCPU,
            "pool_handler_turn": Defaults.poolHandlerTurn, "pool_handler_calls": Defaults.poolHandlerCalls,
        ]
        let perMethod: [String: (String, [StartMethod: SimTime])] = [
            "process_start": ("Process start", Defaults.processStart),
            "process_spawn": ("The parent's serial share of Process.start()", Defaults.processSpawn),
            "process_first_call": ("A child's first blocking I/O call: CPU beyond the same call again", Defaults.processFirstCall),
            "process_first_start": ("A program's first Process.start(): beyond its later ones (forkserver starts its server)", Defaults.processFirstStart),
            "pool_first_start": ("A program's first Pool(): beyond its later ones (imports multiprocessing.pool), instead of process_first_start", Defaults.poolFirstStart),
            "pool_worker_start": ("A Pool worker's start beyond a Process child's (spawn and forkserver workers import multiprocessing.pool)", Defaults.poolWorkerStart),
            "process_exit": ("The part of process_start that is the child's exit (spawn finalizes its interpreter); a pool's workers exit after the results", Defaults.processExit),
        ]
        let properties: [(String, JSONValue)] = SettingsReader.costKeys.map { key in
            if key == "io_call_shape" {
                func side(_ names: [String], _ values: [Double], _ what: String) -> JSONValue {
                    closedObject(zip(names, values).map { name, value in
                        (name, number(0...1e9, "Relative weight of the CPU \(name.replacingOccurrences(of: "_", with: " ")).", default: value))
                    }, description: what)
                }
                return (key, closedObject([
                    ("new", side(IOCallShape.newPieces, Defaults.ioCallShape.new, "A call that opens a connection (pieces not given weigh 0).")),
                    ("reuse", side(IOCallShape.reusePieces, Defaults.ioCallShape.reuse, "A call on a kept-alive connection (pieces not given weigh 0).")),
                ], description: "Where an I/O call's Python CPU runs between its GIL-releasing calls: relative weights; simulate calibrate measures urlopen's."))
            }
            if key == "io_idle_overhead" {
                let pair = object([("type", .string("array")), ("items", ref("duration")), ("minItems", .number("2")), ("maxItems", .number("2"))])
                return (key, object([("oneOf", .list([
                    duration("Wall time an io wait of at least io_idle_after takes beyond io_overhead (a step).", default: Defaults.ioIdleOverhead),
                    object([("type", .string("array")), ("items", pair),
                            ("description", .string("The same as it rises with the wait: [latency, overhead] pairs by increasing latency; linear between them from zero at latency zero, level after the last (io_idle_after unused)."))]),
                ]))]))
            }
            if key == "gil_release_call" {
                return (key, duration("How long one call of C code that releases the GIL runs before it takes the GIL back (hashlib's update of one chunk, one NumPy ufunc call); a longer c_releases_gil step is a run of such calls. 0: the whole step is one call. Absent: the harness's hashlib chunk, as a machine profile measured it.", default: Defaults.gilReleaseCall))
            }
            if key == "trio_thread_worker" || key == "curio_thread_worker" {
                let (runtime, call) = key == "trio_thread_worker" ? ("trio", "to_thread.run_sync") : ("curio", "run_in_thread")
                let value = key == "trio_thread_worker" ? Defaults.trioThreadWorker : Defaults.curioThreadWorker
                return (key, number(Defaults.threadWorkerRange, "\(runtime)'s \(call) worker's own CPU per job, outside the job, as a multiple of executor_result_cpu, executor_worker_cpu and executor_wake_cpu; simulate calibrate measures it.", default: value))
            }
            if key == "io_overhead_reuse" {
                return (key, duration("Wall time an io wait on a kept-alive connection takes beyond its latency; absent, io_overhead (simulate calibrate measures it: the latency server's thread for the connection already waits in recv)."))
            }
            if key == "program_first_call_releases" {
                return (key, object([
                    ("type", .string("integer")), ("minimum", .number("0")),
                    ("maximum", .number(String(Defaults.maxProgramFirstCallReleases))),
                    ("description", .string("Short GIL-releasing system calls in the program's first call beyond a later call's (its import of the idna codec); simulate calibrate measures them.")),
                    ("default", .number(String(Defaults.programFirstCallReleases))),
                ]))
            }
            if key == "timer_wake_cpu" {
                return (key, closedObject(TimerWaker.allCases.map { w in
                    (w.rawValue, duration("A wake-up by a sleep's timer of \(w == .threads ? "a thread in time.sleep: what eventlet's hub pays, which waits in time.sleep (a thread sleeping on its own is not charged)" : w.rawValue + "'s loop or hub"), once a wake-up, as Python.", default: Defaults.timerWakeCPU[w]))
                }, description: "The CPU a wake-up from a sleep's timer costs the loop or hub it wakes, per waker; simulate calibrate measures it."))
            }
            if let (what, values) = perMethod[key] {
                return (key, closedObject(StartMethod.allCases.map { m in
                    (m.rawValue, duration("\(what) with \(m.rawValue).", default: values[m]))
                }, description: "\(what) per start method."))
            }
            return (key, duration(key.replacingOccurrences(of: "_", with: " "), default: defaults[key]))
        }
        return closedObject(properties, description: "Fixed costs of the runtime and libraries.")
    }

    static var step: JSONValue {
        let cpu = object([("oneOf", .list([
            ref("distribution"),
            closedObject([("duration", ref("distribution")),
                          ("kind", enumeration(CPUKind.allCases.map(\.rawValue), "How the work meets the GIL.", default: Defaults.cpuKind.rawValue))],
                         required: ["duration"]),
        ]))])
        let io = object([("oneOf", .list([
            ref("distribution"),
            closedObject([("latency", ref("distribution")),
                          ("cpu", object([("$ref", .string("#/definitions/distribution")), ("default", .string(DurationSyntax.format(Defaults.ioCPU)))])),
                          ("connection", enumeration(["new", "reuse"], "A connection per call, or a pooled one.", default: Defaults.connection.rawValue))],
                         required: ["latency"]),
        ]))])
        let repeatCount = integer(1...TaskReader.maxRepeat, "How many times the steps run.")
        let steps = object([("type", .string("array")), ("minItems", .number("1")), ("items", ref("step"))])
        let forms: [JSONValue] = [
            closedObject([("cpu", cpu)], required: ["cpu"]),
            closedObject([("io", io)], required: ["io"]),
            closedObject([("sleep", ref("distribution"))], required: ["sleep"]),
            closedObject([("repeat", repeatCount), ("steps", steps)], required: ["repeat", "steps"]),
        ]
        precondition(TaskReader.stepKinds == ["cpu", "io", "sleep", "repeat"])
        return object([("description", .string("One thing a task does: \(TaskReader.stepExamples).")), ("oneOf", .list(forms))])
    }

    // MARK: - Top level

    static func topLevel(_ key: String) -> JSONValue {
        switch key {
        case "$schema": return described("string", "The schema this file follows, for editors; the loader ignores it.")
        case "version": return object([("const", .number(String(Defaults.version))), ("description", .string("The format version."))])
        case "name": return object([("type", .string("string")), ("minLength", .number("1")), ("description", .string("Default: the file's name."))])
        case "description": return described("string", "Free text.")
        case "seed": return object([("type", .string("integer")), ("minimum", .number("0")), ("maximum", .number(String(UInt64.max))),
                                    ("default", .number(String(Defaults.seed))), ("description", .string("Seed of every random draw."))])
        case "machine", "python", "costs": return ref(key)
        case "tasks":
            let group = closedObject([
                ("name", object([("type", .string("string")), ("minLength", .number("1"))])),
                ("count", integer(1...TaskReader.maxCount, "How many tasks run this program (default 1).")),
                ("background", object([("type", .string("boolean")), ("default", .bool(false)),
                                       ("description", .string("Loops until the foreground tasks finish."))])),
                ("steps", object([("type", .string("array")), ("minItems", .number("1")), ("items", ref("step"))])),
            ], required: ["steps"])
            return object([("type", .string("array")), ("minItems", .number("1")), ("items", group), ("description", .string("The task groups."))])
        case "strategies":
            // Each option once, described with the kinds that take it (the descriptors' own lists).
            var optionOrder: [String] = []
            var optionKinds: [String: [StrategyDescriptor]] = [:]
            for kind in StrategyKindName.allCases {
                for option in kind.descriptor.options {
                    if optionKinds[option.key] == nil { optionOrder.append(option.key) }
                    optionKinds[option.key, default: []].append(kind.descriptor)
                }
            }
            let kindList = StrategyKindName.allCases.map { "\($0.rawValue): \($0.descriptor.summary)" }.joined(separator: "; ")
            var options: [(String, JSONValue)] = [
                ("kind", enumeration(StrategyReader.kinds, "The strategy (\(kindList)).")),
                ("label", object([("type", .string("string")), ("pattern", .string("^[A-Za-z0-9._-]+$"))])),
                ("machine", ref("machine")), ("python", ref("python")), ("costs", ref("costs")),
            ]
            for key in optionOrder {
                let owners = optionKinds[key]!
                let first = owners[0].options.first { $0.key == key }!
                let per = owners.map { d in
                    let o = d.options.first { $0.key == key }!
                    return "\(d.name): \(o.summary), default \(o.defaultText)"
                }.joined(separator: "; ")
                switch first.form {
                case .count: options.append((key, integer(1...StrategyReader.maxPool, per + ".")))
                case .choice:
                    let ordered = owners.flatMap { d in d.options.first { $0.key == key }!.choices }
                    let unique = ordered.enumerated().filter { ordered.firstIndex(of: $0.element) == $0.offset }.map(\.element)
                    let defaults = Set(owners.map { d in d.options.first { $0.key == key }!.defaultText })
                    options.append((key, enumeration(unique, per + ".", default: defaults.count == 1 ? defaults.first : nil)))
                }
            }
            let item = object([("oneOf", .list([
                enumeration(StrategyReader.kinds, "A strategy with its defaults."),
                closedObject(options, required: ["kind"]),
            ]))])
            return object([("type", .string("array")), ("minItems", .number("1")), ("items", item),
                           ("description", .string("Default: \(Defaults.strategies.map(\.label).joined(separator: ", ")).")),])
        case "reference":
            return closedObject([
                ("source", described("string", "Where the figures come from.")),
                ("makespan", object([("type", .string("object")), ("additionalProperties", nullable(ref("duration"))),
                                     ("description", .string("Measured makespan per strategy label."))])),
            ], description: "Published or measured figures to compare with.")
        default:
            preconditionFailure("the schema has no entry for the top-level key \(key)")
        }
    }
}
