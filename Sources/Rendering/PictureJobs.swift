import Foundation

/// Draws several pictures at once, one per worker thread.
///
/// Drawing and encoding a 1920x1080 PNG (`PNGEncoder`) takes about 10 ms on one core and a run writes half a
/// dozen; each picture has its own cairo surface and context (cairo allows that across threads), so they are
/// made side by side. Every picture's bytes are exactly those of a one-at-a-time run.
public enum PictureJobs {
    /// Runs every job, on up to `workers` threads, and returns when all have finished: for each job, the
    /// error it threw, or nil. (A caller reports the first error in job order, so that the message does not
    /// depend on timing.)
    public static func run(_ jobs: [() throws -> Void],
                           workers: Int = ProcessInfo.processInfo.activeProcessorCount) -> [Error?] {
        let box = Results(jobs)
        let threads = max(1, min(workers, jobs.count))
        if threads == 1 {
            for i in jobs.indices { box.run(i) }
        } else {
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                while let i = box.take() { box.run(i) }
            }
        }
        return box.errors
    }

    /// The jobs, the next one to take and each one's error. The jobs only read what they share (the
    /// traces, the options) and write their own file and their own error slot.
    private final class Results: @unchecked Sendable {
        let jobs: [() throws -> Void]
        private let lock = NSLock()
        private var next = 0
        var errors: [Error?]

        init(_ jobs: [() throws -> Void]) {
            self.jobs = jobs
            errors = Array(repeating: nil, count: jobs.count)
        }

        func take() -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard next < jobs.count else { return nil }
            next += 1
            return next - 1
        }

        func run(_ i: Int) {
            do { try jobs[i]() } catch {
                lock.lock()
                errors[i] = error
                lock.unlock()
            }
        }
    }
}
