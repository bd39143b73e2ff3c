import Foundation
import SimEngine
import SimScenario

/// One operation as the harness performs it, with its work sized for this machine.
public enum HarnessOperation: Sendable, Equatable, Encodable {
    /// `burn_python(iterations)`.
    case python(iterations: Int64)
    /// `7777 ** exponent`.
    case power(exponent: Int64)
    /// hashlib.sha256 over `bytes` bytes.
    case sha(bytes: Int64)
    /// numpy.sin over `elements` float64 elements (`burn_numpy`).
    case numpy(elements: Int64)
    /// The numba nogil kernel for `iterations` iterations (`burn_numba`).
    case numba(iterations: Int64)
    /// GET `/?delay_us=N` from the latency server.
    case io(delayMicroseconds: Int64)
    /// Sleep for this many nanoseconds.
    case sleep(nanoseconds: Int64)

    public func encode(to encoder: Encoder) throws {
        var c = encoder.unkeyedContainer()
        switch self {
        case .python(let n): try c.encode("py"); try c.encode(n)
        case .power(let n): try c.encode("pow"); try c.encode(n)
        case .sha(let n): try c.encode(ReleaseSource.hashlib.operationCode); try c.encode(n)
        case .numpy(let n): try c.encode(ReleaseSource.numpy.operationCode); try c.encode(n)
        case .numba(let n): try c.encode(ReleaseSource.numba.operationCode); try c.encode(n)
        case .io(let n): try c.encode("io"); try c.encode(n)
        case .sleep(let n): try c.encode("sleep"); try c.encode(n)
        }
    }
}

/// What the harness (python/harness.py) is asked to run: one strategy, the latency server's URL, and each
/// task's operations drawn by the model's `Workload` (the same durations the simulation uses) and sized by
/// the machine profile. Encoded as the JSON the harness reads.
public struct HarnessPlan: Sendable, Encodable {
    public struct StrategySpec: Sendable, Encodable, Equatable {
        public var kind: String
        public var pool: Int?
        public var startMethod: String?
        public var executorWorkers: Int?
        /// Whether CPU steps go to the runtime's thread pool (run_in_executor, to_thread.run_sync,
        /// run_in_thread, deferToThread, tpool) rather than running inline.
        public var cpuInExecutor: Bool
        /// The size of that pool where the runtime has its own limit (trio's CapacityLimiter, curio's
        /// MAX_WORKER_THREADS, the reactor's thread pool, eventlet's tpool).
        public var threadLimit: Int?
        /// Tornado's AsyncHTTPClient max_clients.
        public var maxClients: Int?

        public init(kind: StrategyKindName, pool: Int? = nil, startMethod: String? = nil, executorWorkers: Int? = nil,
                    cpuInExecutor: Bool, threadLimit: Int? = nil, maxClients: Int? = nil) {
            self.kind = kind.rawValue
            self.pool = pool
            self.startMethod = startMethod
            self.executorWorkers = executorWorkers
            self.cpuInExecutor = cpuInExecutor
            self.threadLimit = threadLimit
            self.maxClients = maxClients
        }

        enum CodingKeys: String, CodingKey {
            case kind, pool
            case startMethod = "start_method"
            case executorWorkers = "executor_workers"
            case cpuInExecutor = "cpu_in_executor"
            case threadLimit = "thread_limit"
            case maxClients = "max_clients"
        }
    }

    public struct TaskSpec: Sendable, Encodable {
        public var name: String
        public var background: Bool
        public var ops: [HarnessOperation]
    }

    public var strategy: StrategySpec
    public var server: String
    public var shaChunk: Int
    /// What runs the `c_releases_gil` steps (their operations say it too; the harness prepares it before
    /// the clock starts).
    public var releaseSource: ReleaseSource
    /// `sys.setswitchinterval`, in seconds.
    public var switchInterval: Double
    public var tasks: [TaskSpec]
    /// For each CPU kind the plan uses, an operation the profile says takes `probeDuration`: the harness
    /// times it just before the clock starts and rescales that kind's work if the machine runs faster or
    /// slower now than when it was calibrated (a shared VM's speed drifts by 10-20% over minutes).
    public var probes: [String: Probe]
    /// Each task's drawn operations, parallel to `tasks[i].ops` (not sent: for the trace and metrics).
    public var operations: [[SimScenario.Operation]]
    /// Whether the harness records what the GIL did (progress stamps, socket calls: harness.py).
    public var instrument: Bool
    /// Iterations of the pure-Python loop the harness times before the clock starts and after the run
    /// (`steadyProbeDuration` on this machine): their ratio says whether the machine changed speed meanwhile.
    public var steadyProbe: Int64
    public static let steadyProbeDuration: SimTime = .milliseconds(3)
    /// Iterations of the pure-Python loop between two progress stamps: `stampPeriod` on this machine.
    public var stampIterations: Int64
    /// A gap between two stamps longer than this is kept as a stall.
    public var stallNanoseconds: Int64
    /// What one of urlopen's short socket calls (getaddrinfo, socket, sendall, close) and a connect() cost
    /// on this machine when nothing competes for the GIL (the profile's; not sent): the measured trace
    /// counts time in a call beyond twice this as waiting for the GIL.
    public var socketCallCost: SimTime
    public var connectCallCost: SimTime

    /// How often an instrumented pure-Python step stamps its progress: fine enough to see a thread lose
    /// the GIL for a fraction of a 5 ms interval, coarse enough to cost ~0.2% (one monotonic_ns() a stamp).
    public static let stampPeriod: SimTime = .microseconds(50)

    public struct Probe: Sendable, Encodable, Equatable {
        public var amount: Int64
        public var expectedNanoseconds: Int64
        /// How cost grows with amount near it (1 for the loop and sha256, ~1.6 for 7777 ** n).
        public var costExponent: Double

        enum CodingKeys: String, CodingKey {
            case amount
            case expectedNanoseconds = "expected_ns"
            case costExponent = "cost_exponent"
        }
    }

    /// A probe lasts about as long as the kind's typical step (its median), between 5 and 100 ms: the cost
    /// curve of `7777 ** n` is not a power law, so a probe far from the steps' size would rescale them badly.
    public static func probeDuration(for durations: [SimTime]) -> SimTime {
        guard !durations.isEmpty else { return .milliseconds(20) }
        let median = durations.sorted()[durations.count / 2]
        return min(.milliseconds(100), max(.milliseconds(5), median))
    }

    enum CodingKeys: String, CodingKey {
        case strategy, server, tasks, probes
        case shaChunk = "sha_chunk"
        case releaseSource = "release_source"
        case switchInterval = "switch_interval"
        case instrument
        case steadyProbe = "steady_probe"
        case stampIterations = "stamp_iterations"
        case stallNanoseconds = "stall_ns"
    }

    /// How many operations of a background task to draw; the harness goes round them again if it needs more.
    public static let backgroundOperations = 4_000

    /// Why `strategy` cannot run for real with the venv's Python `venvPython` ("3.11.7", or "3.11" before the
    /// profile is known); nil when it can.
    /// The model's figures for such a strategy are a prediction without a measurement here.
    public static func unsupportedReason(_ strategy: Strategy, in scenario: Scenario, venvPython: String) -> String? {
        let python = scenario.settings(for: strategy).python
        if !python.gil {
            return "it asks for free-threaded Python (gil: false); the harness runs the venv's python with a GIL"
        }
        if venvPython != python.version.rawValue && !venvPython.hasPrefix(python.version.rawValue + ".") {
            return "it asks for Python \(python.version.title); the harness runs the venv's Python \(venvPython), so the model's figures for it are a prediction without a measurement here"
        }
        if case .interpreters = strategy.kind {
            return "the harness has no InterpreterPoolExecutor runner (it needs Python 3.12+, and the venv's is \(venvPython)), so the model's figures for it are a prediction without a measurement here"
        }
        return nil
    }

    /// Draws the scenario's operations and sizes them with the profile; `releaseSource` chooses the kernel
    /// of the `c_releases_gil` steps.
    /// - Throws: `RealRunError.unsupported` for a strategy this harness cannot run (free-threaded Python), or
    ///   a release source the profile has not measured (a profile from before it: calibrate again).
    public init(scenario: Scenario, strategy: Strategy, profile: MachineProfile, serverURL: String, instrument: Bool = true,
                releaseSource: ReleaseSource = .hashlib) throws {
        let settings = scenario.settings(for: strategy)
        if let reason = Self.unsupportedReason(strategy, in: scenario, venvPython: profile.python) {
            throw RealRunError.unsupported(strategy: strategy.label, reason: reason)
        }
        if profile.releasingAmount(releaseSource, for: .milliseconds(1)) == nil {
            throw RealRunError.unsupported(
                strategy: strategy.label,
                reason: "its GIL-releasing steps should run \(releaseSource.rawValue), which the machine profile has not measured; "
                    + "run `simulate calibrate` again (or delete output/machine.json) to measure it")
        }
        self.releaseSource = releaseSource
        self.strategy = Self.spec(strategy.kind)
        server = serverURL
        self.instrument = instrument
        stampIterations = max(1, profile.pythonIterations(for: Self.stampPeriod))
        steadyProbe = max(1, profile.pythonIterations(for: Self.steadyProbeDuration))
        // Two periods: a gap must hold at least one period (50 µs) of not running to count.
        stallNanoseconds = 2 * Self.stampPeriod.nanoseconds
        socketCallCost = profile.syscall ?? .microseconds(15)
        connectCallCost = profile.connectCall ?? .microseconds(100)
        shaChunk = Self.shaChunk(for: settings.costs.gilReleaseCall, profile: profile)
        switchInterval = settings.python.switchInterval.seconds
        let workload = Workload(scenario)
        var tasks: [TaskSpec] = []
        var operations: [[SimScenario.Operation]] = []
        for instance in workload.instances {
            let ops = workload.operations(of: instance.index, limit: instance.background ? Self.backgroundOperations : 1_000_000)
            operations.append(ops)
            tasks.append(TaskSpec(name: instance.name, background: instance.background,
                                  ops: ops.map { Self.realise($0, profile: profile, releaseSource: releaseSource) }))
        }
        self.tasks = tasks
        self.operations = operations
        var durations: [CPUKind: [SimTime]] = [:]
        for ops in operations {
            for case .cpu(let d, let kind) in ops { durations[kind, default: []].append(d) }
        }
        var probes: [String: Probe] = [:]
        for (kind, list) in durations {
            let d = Self.probeDuration(for: list)
            switch kind {
            case .python:
                probes["py"] = Probe(amount: profile.pythonIterations(for: d), expectedNanoseconds: d.nanoseconds, costExponent: 1)
            case .cHoldsGIL:
                probes["pow"] = Probe(amount: profile.powerExponent(for: d), expectedNanoseconds: d.nanoseconds,
                                      costExponent: profile.bigPower.exponent)
            case .cReleasesGIL:
                probes[releaseSource.operationCode] = Probe(amount: profile.releasingAmount(releaseSource, for: d) ?? 0,
                                                            expectedNanoseconds: d.nanoseconds, costExponent: 1)
            }
        }
        self.probes = probes
    }

    /// How the harness is told to run a kind: its name and its options as JSON keys.
    public static func spec(_ kind: Strategy.Kind) -> StrategySpec {
        let name = kind.kindName
        switch kind {
        case .sync, .gevent, .tasklets: return StrategySpec(kind: name, cpuInExecutor: false)
        case .threads(let pool), .interpreters(let pool): return StrategySpec(kind: name, pool: pool, cpuInExecutor: false)
        case .processes(let pool, let method):
            return StrategySpec(kind: name, pool: pool, startMethod: method.rawValue, cpuInExecutor: false)
        case .asyncio(let workers, let inExecutor), .uvloop(let workers, let inExecutor):
            return StrategySpec(kind: name, executorWorkers: workers, cpuInExecutor: inExecutor)
        case .trio(let limit, let inThread), .curio(let limit, let inThread), .twisted(let limit, let inThread),
             .eventlet(let limit, let inThread):
            return StrategySpec(kind: name, cpuInExecutor: inThread, threadLimit: limit)
        case .tornado(let clients, let workers, let inExecutor):
            return StrategySpec(kind: name, executorWorkers: workers, cpuInExecutor: inExecutor, maxClients: clients)
        }
    }

    /// The most bytes the harness hashes in one call (64 MiB, ~37 ms here): its buffer is that long.
    static let largestShaChunk: Int64 = 1 << 26

    /// The bytes of one sha256 `update` for calls of `call` (`costs.gil_release_call`): the profile's own chunk
    /// for its own call length (or none said), as many bytes as `call` takes otherwise, and for 0 (a step in one
    /// call) the largest chunk, which holds any step of up to ~37 ms in one call.
    static func shaChunk(for call: SimTime?, profile: MachineProfile) -> Int {
        guard let call, call != profile.gilReleaseCall(.hashlib) else { return profile.shaChunk }
        guard call > .zero else { return Int(largestShaChunk) }
        return Int(min(largestShaChunk, profile.shaBytes(for: call)))
    }

    /// The harness operation that realises a drawn operation on this machine. An I/O call's own CPU is not
    /// emulated: it is whatever urlopen or aiohttp costs (which `MachineProfile.apply` tells the model).
    /// A GIL-releasing step runs `releaseSource`'s kernel (sha256 when the profile has not measured it).
    public static func realise(_ operation: SimScenario.Operation, profile: MachineProfile,
                               releaseSource: ReleaseSource = .hashlib) -> HarnessOperation {
        switch operation {
        case .cpu(let duration, .python): return .python(iterations: profile.pythonIterations(for: duration))
        case .cpu(let duration, .cHoldsGIL): return .power(exponent: profile.powerExponent(for: duration))
        case .cpu(let duration, .cReleasesGIL):
            switch (releaseSource, profile.releasingAmount(releaseSource, for: duration)) {
            case (.numpy, let n?): return .numpy(elements: n)
            case (.numba, let n?): return .numba(iterations: n)
            default: return .sha(bytes: profile.shaBytes(for: duration))
            }
        case .io(_, let latency, _): return .io(delayMicroseconds: (latency.nanoseconds + 500) / 1_000)
        case .sleep(let duration): return .sleep(nanoseconds: duration.nanoseconds)
        }
    }

    /// The JSON the harness reads.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    /// One line per HTTP client of `strategies` whose connection mode differs from some I/O step of
    /// `scenario`: the real runs (and the model beside them, `scenarioAsRun`) use the client's mode, not the
    /// scenario's, and a reader comparing them should know (urlopen has no kept-alive connection; an aiohttp
    /// session keeps one). Empty when every step is run as written.
    /// - Complexity: O(steps × strategies).
    public static func connectionNotes(_ scenario: Scenario, strategies: [Strategy]) -> [String] {
        var modes = Set<ConnectionMode>()
        for group in scenario.tasks {
            Step.forEachLeaf(in: group.steps) { leaf, _ in
                if case .io(let io) = leaf { modes.insert(io.connection) }
            }
        }
        var clients: [HarnessTraits] = []
        for strategy in strategies {
            let harness = strategy.kind.descriptor.harness
            if modes.contains(where: { $0 != harness.connection }) && !clients.contains(harness) { clients.append(harness) }
        }
        return clients.map { harness in
            let labels = strategies.filter { $0.kind.descriptor.harness == harness }.map(\.label).joined(separator: ", ")
            return harness.connection == .new
                ? "\(labels): \(harness.client.displayName) opens a new connection every call, so the scenario's `connection: reuse` calls are run, and predicted beside them, as new connections"
                : "\(labels): \(harness.client.displayName) keeps its connection, so the scenario's `connection: new` calls are run, and predicted beside them, on a kept-alive connection"
        }
    }

    /// The scenario as the harness really runs it under `strategy`: its HTTP client's connection mode
    /// (`HarnessTraits.connection`: urlopen opens a new connection every call; asyncio's aiohttp session per
    /// task reuses its connection). Model and real runs of a comparison both start from this scenario.
    public static func scenarioAsRun(_ scenario: Scenario, for strategy: Strategy) -> Scenario {
        let mode = strategy.kind.descriptor.harness.connection
        var s = scenario
        for g in s.tasks.indices {
            s.tasks[g].steps = s.tasks[g].steps.map { $0.mappingIO { var io = $0; io.connection = mode; return io } }
        }
        return s
    }
}
