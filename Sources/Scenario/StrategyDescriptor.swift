import SimEngine

/// The strategy kinds the model knows, by the name scenario files, results and the harness use.
///
/// Everything about a kind is in its `descriptor`, and every place that must treat kinds differently
/// switches over this enum (or over `Strategy.Kind`) without a `default:`, so that adding a case makes the
/// compiler list every place that must learn it (docs/adding-a-strategy.md). Strings appear only at the
/// edges: reading and writing JSON.
public enum StrategyKindName: String, CaseIterable, Sendable, Equatable, Codable {
    case sync, threads, processes, gevent, asyncio, uvloop, trio, curio, eventlet, tornado, twisted, tasklets, interpreters

    /// The kind of a name, accepting only exact names (aliases are the reader's business).
    public init?(name: String) { self.init(rawValue: name) }

    /// All the kind names, in the documented order.
    public static var names: [String] { allCases.map(\.rawValue) }

    /// The kind with its default options (a strategy named by its kind alone).
    public var defaultKind: Strategy.Kind {
        switch self {
        case .sync: return .sync
        case .threads: return .threads(pool: nil)
        case .processes: return .processes(pool: nil, startMethod: Defaults.startMethod)
        case .gevent: return .gevent
        case .asyncio: return .asyncio(executorWorkers: nil, cpuInExecutor: Defaults.asyncioCPUInExecutor)
        case .uvloop: return .uvloop(executorWorkers: nil, cpuInExecutor: Defaults.asyncioCPUInExecutor)
        case .trio: return .trio(threadLimit: Defaults.trioThreadLimit, cpuInThread: true)
        case .curio: return .curio(threadLimit: Defaults.curioThreadLimit, cpuInThread: true)
        case .eventlet: return .eventlet(tpoolSize: Defaults.eventletTpoolSize, cpuInTpool: false)
        case .tornado:
            return .tornado(maxClients: Defaults.tornadoMaxClients, executorWorkers: nil, cpuInExecutor: Defaults.asyncioCPUInExecutor)
        case .twisted: return .twisted(threadLimit: Defaults.twistedThreadLimit, cpuInThread: true)
        case .tasklets: return .tasklets
        case .interpreters: return .interpreters(pool: nil)
        }
    }

    public var descriptor: StrategyDescriptor {
        switch self {
        case .sync:
            return StrategyDescriptor(
                kind: self, summary: "every task one after another on the main thread",
                options: [], aliases: ["sequential", "serial"], colour: 0x595959,
                host: .mainThread, harness: .init(connection: .new, client: .urlopen))
        case .threads:
            return StrategyDescriptor(
                kind: self, summary: "a threading.Thread per task, or a ThreadPoolExecutor of `pool` workers",
                options: [.pool], aliases: ["threading", "thread", "multithreading"], colour: 0xD55E00,
                host: .mainThread, harness: .init(connection: .new, client: .urlopen))
        case .processes:
            return StrategyDescriptor(
                kind: self, summary: "a multiprocessing.Process per task, or a Pool of `pool` workers",
                options: [.pool, .startMethod], aliases: ["multiprocessing", "process", "multiprocess"], colour: 0x0072B2,
                host: .mainThread, harness: .init(connection: .new, client: .urlopen))
        case .gevent:
            return StrategyDescriptor(
                kind: self, summary: "gevent.spawn per task after monkey.patch_all(): greenlets on gevent's hub",
                options: [], aliases: ["green", "greenlets"], colour: 0x009E73,
                host: .hub, harness: .init(connection: .new, client: .urlopen))
        case .asyncio:
            return StrategyDescriptor(
                kind: self, summary: "asyncio.gather of one coroutine per task (aiohttp); CPU steps through run_in_executor or inline",
                options: [.executorWorkers, .cpu(["executor", "inline"], default: "executor", meaning: Self.executorMeaning)], aliases: ["async", "aiohttp"],
                colour: 0xCC79A7, host: .eventLoop, harness: .init(connection: .reuse, client: .aiohttpSession))
        case .uvloop:
            return StrategyDescriptor(
                kind: self, summary: "asyncio's API on uvloop (libuv), aiohttp; CPU steps through run_in_executor or inline",
                options: [.executorWorkers, .cpu(["executor", "inline"], default: "executor", meaning: Self.executorMeaning)],
                aliases: ["libuv"], colour: 0xE69F00, host: .eventLoop, harness: .init(connection: .reuse, client: .aiohttpSession))
        case .trio:
            return StrategyDescriptor(
                kind: self, summary: "a trio nursery, a task per task, HTTP over one raw socket each; CPU steps through trio.to_thread.run_sync or inline",
                options: [.threadLimit(Defaults.trioThreadLimit, "to_thread's CapacityLimiter"),
                          .cpu(["thread", "inline"], default: "thread", meaning: Self.threadMeaning("trio.to_thread.run_sync"))],
                aliases: [], colour: 0x56B4E9, host: .eventLoop, harness: .init(connection: .reuse, client: .rawSocket))
        case .curio:
            return StrategyDescriptor(
                kind: self, summary: "curio tasks on its kernel, HTTP over one raw socket each; CPU steps through run_in_thread or inline",
                options: [.threadLimit(Defaults.curioThreadLimit, "run_in_thread's MAX_WORKER_THREADS"),
                          .cpu(["thread", "inline"], default: "thread", meaning: Self.threadMeaning("curio.run_in_thread"))],
                aliases: [], colour: 0x882255, host: .eventLoop, harness: .init(connection: .reuse, client: .rawSocket))
        case .eventlet:
            return StrategyDescriptor(
                kind: self, summary: "eventlet.spawn per task after eventlet.monkey_patch(): green threads on eventlet's hub, urlopen; CPU steps inline or through tpool",
                options: [.threadLimit(Defaults.eventletTpoolSize, "tpool's EVENTLET_THREADPOOL_SIZE"),
                          .cpu(["inline", "tpool"], default: "inline", meaning: "\"inline\" (in the green thread, blocking the hub) or \"tpool\" (eventlet.tpool.execute)")],
                aliases: [], colour: 0x117733, host: .hub, harness: .init(connection: .new, client: .urlopen))
        case .tornado:
            return StrategyDescriptor(
                kind: self, summary: "Tornado 6 coroutines on its IOLoop (asyncio), AsyncHTTPClient; CPU steps through IOLoop.run_in_executor or inline",
                options: [.maxClients, .executorWorkers, .cpu(["executor", "inline"], default: "executor", meaning: Self.executorMeaning)],
                aliases: [], colour: 0x999933, host: .eventLoop, harness: .init(connection: .new, client: .tornado))
        case .twisted:
            return StrategyDescriptor(
                kind: self, summary: "Deferreds on Twisted's reactor, Agent without a persistent pool; CPU steps through deferToThread or inline",
                options: [.threadLimit(Defaults.twistedThreadLimit, "the reactor's thread pool (suggestThreadPoolSize)"),
                          .cpu(["thread", "inline"], default: "thread", meaning: Self.threadMeaning("deferToThread"))],
                aliases: ["reactor"], colour: 0x332288, host: .eventLoop, harness: .init(connection: .new, client: .twistedAgent))
        case .tasklets:
            return StrategyDescriptor(
                kind: self, summary: "Stackless-style tasklets switching explicitly after every step, no monkey patching, so blocking I/O blocks them all (greenlet is what is installable here)",
                options: [], aliases: ["stackless", "tasklet"], colour: 0xAA4499, host: .mainThread, harness: .init(connection: .new, client: .urlopen))
        case .interpreters:
            return StrategyDescriptor(
                kind: self, summary: "an InterpreterPoolExecutor of `pool` workers (Python 3.14; 3.12+ through _interpreters): threads with an interpreter and a GIL each",
                options: [.interpreterPool], aliases: ["subinterpreters", "interpreter", "interpreterpoolexecutor"],
                colour: 0x44AA99, host: .mainThread, harness: .init(connection: .new, client: .urlopen))
        }
    }
}

extension StrategyKindName {
    static let executorMeaning = "\"executor\" (run_in_executor) or \"inline\" (in the coroutine, blocking the loop)"
    static func threadMeaning(_ call: String) -> String {
        "\"thread\" (\(call)) or \"inline\" (in the task, blocking the loop)"
    }
}

/// One strategy kind, described in one place: its name, what it is, the options it takes with their
/// defaults, the names people reach for, its colour in every chart, the main lane it runs on, and how the
/// harness runs it. How the model sets it up is `Strategy.Kind.modelTraits` (its options decide it).
public struct StrategyDescriptor: Sendable, Equatable {
    public var kind: StrategyKindName
    /// What the strategy is, in one line (messages, the schema, docs).
    public var summary: String
    /// The options it takes beyond kind, label, machine, python and costs.
    public var options: [StrategyOption]
    /// Names people reach for, mapped to this kind in messages ("did you mean").
    public var aliases: [String]
    /// Its colour (0xRRGGBB) in every chart that colours by kind: Okabe & Ito's colour-blind-safe hues first.
    public var colour: UInt32
    /// Which thread lane hosts its work when it is not a thread or process per task.
    public var host: HostLane
    public var harness: HarnessTraits

    public var name: String { kind.rawValue }
    public var optionKeys: [String] { options.map(\.key) }

    /// Every kind's colour by name (the one palette; `SweepChart` and `FidelityChart` take it from here).
    public static var palette: [String: UInt32] {
        Dictionary(uniqueKeysWithValues: StrategyKindName.allCases.map { ($0.rawValue, $0.descriptor.colour) })
    }
}

/// The main thread's lane: `LaneNames` (SimTrace) names it; the model and the measured trace both ask here.
public enum HostLane: Sendable, Equatable {
    /// The plain main thread (sync, threads, processes, tasklets).
    case mainThread
    /// The main thread running a green-thread hub (gevent, eventlet).
    case hub
    /// The main thread running an event loop (asyncio and the loops built like it).
    case eventLoop
}

/// How the real-run harness (python/harness.py) runs a kind.
public struct HarnessTraits: Sendable, Equatable {
    /// How its HTTP client connects: a new connection per call (urlopen, Tornado's simple_httpclient,
    /// Twisted's Agent without a persistent pool) or one reused per task (aiohttp's session). The model's
    /// tasks do the same, and `HarnessPlan.scenarioAsRun` rewrites the scenario's I/O steps to match.
    public var connection: ConnectionMode
    /// The HTTP client its runner uses, whose measured costs the model is given (`MachineProfile.apply`).
    public var client: HarnessClient
}

/// The HTTP clients of harness.py's runners.
public enum HarnessClient: Sendable, Equatable {
    /// `urllib.request.urlopen` (monkey-patched under gevent and eventlet).
    case urlopen
    /// aiohttp with one `ClientSession` per task (asyncio, and uvloop's loop under the same client).
    case aiohttpSession
    /// One raw-socket HTTP/1.1 connection per task (trio, curio).
    case rawSocket
    /// Tornado's `AsyncHTTPClient`.
    case tornado
    /// Twisted's `Agent` without a persistent pool.
    case twistedAgent

    /// What a reader calls it, for messages.
    public var displayName: String {
        switch self {
        case .urlopen: return "urlopen"
        case .aiohttpSession: return "an aiohttp session per task"
        case .rawSocket: return "one raw socket per task"
        case .tornado: return "Tornado's AsyncHTTPClient"
        case .twistedAgent: return "Twisted's Agent"
        }
    }
}

/// An option a strategy kind takes, with its default (from `Defaults`) and what it means.
public struct StrategyOption: Sendable, Equatable {
    public var key: String
    public var summary: String
    public var form: Form

    public enum Form: Sendable, Equatable {
        /// A count of workers or slots; `defaultText` says what leaving it out means.
        case count(defaultText: String)
        /// One of a few names.
        case choice([String], default: String)
    }

    /// `threading`/`multiprocessing` pool size.
    public static let pool = StrategyOption(key: "pool", summary: "workers of a pool",
                                            form: .count(defaultText: "a worker per task"))
    /// `InterpreterPoolExecutor`'s max_workers: ThreadPoolExecutor's default (it is a subclass).
    public static let interpreterPool = StrategyOption(
        key: "pool", summary: "worker interpreters (max_workers)",
        form: .count(defaultText: "min(32, cores + 4), ThreadPoolExecutor's default"))
    public static let startMethod = StrategyOption(
        key: "start_method", summary: "the multiprocessing start method",
        form: .choice(StartMethod.allCases.map(\.rawValue), default: Defaults.startMethod.rawValue))
    public static let executorWorkers = StrategyOption(
        key: "executor_workers", summary: "the default executor's max_workers",
        form: .count(defaultText: "min(32, cores + 4), ThreadPoolExecutor's default"))

    /// The size of a runtime's own thread pool for CPU steps.
    public static func threadLimit(_ value: Int, _ what: String) -> StrategyOption {
        StrategyOption(key: "thread_limit", summary: "threads for CPU steps at most (\(what))", form: .count(defaultText: String(value)))
    }
    public static let maxClients = StrategyOption(
        key: "max_clients", summary: "AsyncHTTPClient's max_clients: fetches beyond it wait in its queue",
        form: .count(defaultText: String(Defaults.tornadoMaxClients)))

    /// Where CPU steps run: the first choice offloads them to a thread pool, "inline" runs them on the loop.
    public static func cpu(_ choices: [String], default value: String, meaning: String) -> StrategyOption {
        StrategyOption(key: "cpu", summary: meaning,
                       form: .choice(choices, default: value))
    }

    /// The values a choice takes (empty for a count).
    public var choices: [String] {
        if case .choice(let values, _) = form { return values }
        return []
    }

    /// The default as written in a scenario or the docs.
    public var defaultText: String {
        switch form {
        case .count(let text): return text
        case .choice(_, let value): return value
        }
    }
}
