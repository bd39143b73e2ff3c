import Foundation

/// Runs independent jobs side by side on worker threads and returns their results in job order.
///
/// Each job reads only what it shares and writes only its own result slot, so the results (and so every
/// output built from them) are the same whatever the number of workers; a caller that reports the first
/// failure in job order gets a message that does not depend on timing.
public enum ParallelMap {
    /// `body(i)` for every i in `0..<count`, on up to `workers` threads (one: in this thread, in order).
    /// - Complexity: O(count) calls of `body`, plus a lock per job.
    public static func run<T>(_ count: Int, workers: Int = ProcessInfo.processInfo.activeProcessorCount,
                              _ body: (Int) throws -> T) -> [Result<T, Error>] {
        let threads = max(1, min(workers, count))
        if threads == 1 { return (0..<count).map { i in Result { try body(i) } } }
        return withoutActuallyEscaping(body) { body in
            let box = Slots<T>(count: count, body: body)
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                while let i = box.take() { box.store(i, Result { try box.body(i) }) }
            }
            return box.results.map { $0! }
        }
    }

    /// The next job to take and each job's result. `body` is only called, never stored past `run`.
    private final class Slots<T>: @unchecked Sendable {
        let body: (Int) throws -> T
        private let lock = NSLock()
        private var next = 0
        private(set) var results: [Result<T, Error>?]

        init(count: Int, body: @escaping (Int) throws -> T) {
            self.body = body
            results = Array(repeating: nil, count: count)
        }

        func take() -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard next < results.count else { return nil }
            next += 1
            return next - 1
        }

        func store(_ i: Int, _ result: Result<T, Error>) {
            lock.lock()
            results[i] = result
            lock.unlock()
        }
    }
}
