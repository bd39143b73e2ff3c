import SimEngine

/// How the model sets a strategy up: the few mechanisms every kind is built from, with the costs and sizes
/// its options and the scenario's costs give them. `Sources/Model` builds threads, greenlets, loops and
/// thread pools from these and nothing else, so a new runtime is a new combination of traits (plus a new
/// mechanism only where none fits).
public struct ModelTraits: Sendable, Equatable {
    public enum Scheduling: Sendable, Equatable {
        /// One thread runs every foreground task to its end, one after another.
        case sequential
        /// An OS thread per task, or a pool of `pool` threads taking tasks from a queue.
        case osThreads(pool: Int?)
        /// A process per task, or a pool of `pool` processes.
        case osProcesses(pool: Int?, startMethod: StartMethod)
        /// Green threads (greenlets) on the main thread, switched by a hub or by each other.
        case greenlets(GreenletTraits)
        /// Coroutines on an event loop run by the main thread.
        case eventLoop(LoopTraits)
    }

    public var scheduling: Scheduling
    /// Whether a task's I/O calls share one connection (only the first connects), as the harness's client does.
    public var reusesConnections: Bool
    /// The lane the main thread gets.
    public var host: HostLane
}

/// Green threads: who switches, what a switch costs, and what blocking I/O does.
public struct GreenletTraits: Sendable, Equatable {
    /// Creating one green thread (`gevent.spawn`).
    public var spawn: SimTime
    /// One switch between green threads (through the hub, or directly).
    public var switchCost: SimTime
}

/// An event loop: what one pass costs, which ready tasks a pass runs, and where CPU steps go.
public struct LoopTraits: Sendable, Equatable {
    /// Creating and first scheduling a task (`asyncio.create_task`).
    public var taskCreate: SimTime
    /// One pass of the loop (`_run_once`'s poll and bookkeeping), not counting the callbacks it runs.
    public var iteration: SimTime
    /// The pool CPU steps are handed to, nil when they run inline on the loop.
    public var offload: ThreadOffload?
    /// The offload pool's size when CPU steps are inline (kept so that setting it has the same effect).
    public var poolSize: Int
}

/// A thread pool the loop hands CPU steps to (`run_in_executor`, `to_thread.run_sync`, `deferToThread`).
public struct ThreadOffload: Sendable, Equatable {
    /// At most this many threads, started on demand (`ThreadPoolExecutor._adjust_thread_count`).
    public var maxThreads: Int
}

extension Strategy.Kind {
    /// The model's set-up of this kind with these costs on a machine of `cores` cores.
    public func modelTraits(costs: Costs, cores: Int) -> ModelTraits {
        let descriptor = self.descriptor
        let scheduling: ModelTraits.Scheduling
        switch self {
        case .sync: scheduling = .sequential
        case .threads(let pool): scheduling = .osThreads(pool: pool)
        case .processes(let pool, let method): scheduling = .osProcesses(pool: pool, startMethod: method)
        case .gevent:
            scheduling = .greenlets(GreenletTraits(spawn: costs.greenletSpawn, switchCost: costs.greenletSwitch))
        case .asyncio(let workers, let inExecutor):
            let size = workers ?? Defaults.executorWorkers(cores: cores)
            scheduling = .eventLoop(LoopTraits(
                taskCreate: costs.taskCreate, iteration: costs.loopIteration,
                offload: inExecutor ? ThreadOffload(maxThreads: size) : nil, poolSize: size))
        }
        return ModelTraits(scheduling: scheduling, reusesConnections: descriptor.harness.connection == .reuse,
                           host: descriptor.host)
    }
}
