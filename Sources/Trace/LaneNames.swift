/// The names of the lanes that are not a task's own, in one place, so that a predicted and a measured
/// timeline of the same run label the same thread the same way. A task's lane (thread, process, greenlet,
/// coroutine) is named after the task instance (`Workload`'s names, e.g. "io", "power-3").
public enum LaneNames {
    /// The main thread of sync, threads and processes (`threading.main_thread().name`).
    public static let mainThread = "MainThread"
    /// The main thread running gevent's hub.
    public static let hub = "MainThread (hub)"
    /// The main thread running the asyncio event loop.
    public static let eventLoop = "MainThread (event loop)"
    /// The k-th (from 0) thread of the asyncio loop's executor, in the order the threads started.
    public static func executorWorker(_ k: Int) -> String { "executor-\(k)" }
    /// The k-th (from 0) native thread of gevent's hub thread pool (`hub.threadpool`, where its default resolver
    /// runs getaddrinfo), in the order the pool started them.
    public static func geventThreadpoolWorker(_ k: Int) -> String { "threadpool-\(k)" }
    /// Whether a lane is one of gevent's hub thread pool (`geventThreadpoolWorker`).
    public static func isGeventThreadpoolWorker(_ name: String) -> Bool {
        name.hasPrefix(geventThreadpoolWorker(0).dropLast()) && poolWorkerNumber(name) != nil
    }
    /// The n-th (from 1) worker of a `multiprocessing.Pool` whose processes are `<prefix>Process`es
    /// (multiprocessing/pool.py names them so: `ForkPoolWorker-1`, `SpawnPoolWorker-1`, `ForkServerPoolWorker-1`).
    public static func processPoolWorker(_ n: Int, prefix: String = "Fork") -> String { "\(prefix)PoolWorker-\(n)" }
    /// The k-th (from 0) worker of a `ThreadPoolExecutor` (its default thread_name_prefix).
    public static func threadPoolWorker(_ k: Int) -> String { "ThreadPoolExecutor-0_\(k)" }

    /// A pool worker's number, the digits its name ends with (`SpawnPoolWorker-3`: 3, `ThreadPoolExecutor-0_2`:
    /// 2), by which both sides order a pool's lanes: which worker runs the first task is the OS's choice, the
    /// order the pool started them is not. Nil for a name without them.
    public static func poolWorkerNumber(_ name: String) -> Int? {
        let digits = name.reversed().prefix(while: \.isNumber)
        return digits.isEmpty ? nil : Int(String(digits.reversed()))
    }

    /// Whether a lane is a pool's or an executor's worker (named by one of the three functions above, whatever
    /// a process pool's start method): it starts before it has work, and which worker takes a job is the OS's
    /// choice.
    public static func isPoolWorker(_ name: String) -> Bool {
        [executorWorker(0), threadPoolWorker(0), geventThreadpoolWorker(0)].contains { name.hasPrefix($0.dropLast()) }
            || name.contains(processPoolWorker(1, prefix: "").dropLast())
    }
}
