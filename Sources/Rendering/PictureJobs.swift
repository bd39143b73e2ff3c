import Foundation
import SimEngine

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
        ParallelMap.run(jobs.count, workers: workers) { try jobs[$0]() }.map { result in
            if case .failure(let error) = result { return error }
            return nil
        }
    }
}
