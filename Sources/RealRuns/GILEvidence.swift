import SimEngine

/// The instants at which some thread of a run's process is known to have held the GIL, from what harness.py
/// records while running Python: every task's begin and end and its thread's start() call and return, every
/// step's start and end, a stamped step's stamps around each of its stalls and its first and last, each
/// socket call's entry and return (the wrapper's Python), an executor job's start and end.
///
/// A stamped pure-Python step that stops making progress either waits for the GIL, which another thread of
/// its process then holds and runs Python with, or is off its core (another process, the local server, the
/// kernel's network work took it). Measured beside aiohttp's loop and 20 clients (docs/model.md, "A stall
/// is not always a GIL wait"), 107-209 of the executor thread's 137-244 stalls of 30 µs or more a run held no
/// Python of the loop at all (median 49-61 µs; those that did, median 0.6-0.9 ms): counted as GIL waits they
/// made the measured hand-offs three to five times the real ones. A stall counts as a GIL wait only where
/// one of these instants lies inside it.
struct GILEvidence {
    /// Sorted.
    private let times: [Int64]

    init(result: HarnessResult) {
        var times: [Int64] = []
        func detail(_ d: HarnessResult.StepDetail?) {
            guard let d else { return }
            for stall in d.stalls { times.append(contentsOf: stall) }
            if let first = d.first { times.append(first) }
            if let last = d.last { times.append(last) }
            for call in d.calls where call.count == 3 { times.append(call[1]); times.append(call[2]) }
            for release in d.releases where release.count >= 2 { times.append(release[0]); times.append(release[1]) }
        }
        for record in result.tasks {
            times.append(record.begin)
            times.append(record.end)
            if let call = record.startCall { times.append(call) }
            if let back = record.startReturn { times.append(back) }
            for step in record.steps {
                times.append(step.start)
                times.append(step.end)
                detail(step.detail)
            }
            for job in record.executor {
                times.append(job.start)
                times.append(job.end)
                detail(job.detail)
            }
        }
        self.times = times.sorted()
    }

    /// Whether some thread ran Python strictly between `from` and `to`. A thread's own stall holds none of
    /// its own instants (its stamps bound it), so what lies inside is another thread's.
    /// - Complexity: O(log n).
    func someoneRanPython(after from: Int64, before to: Int64) -> Bool {
        firstPython(after: from, before: to) != nil
    }

    /// The first instant strictly between `from` and `to` at which some thread ran Python, if any.
    /// - Complexity: O(log n).
    func firstPython(after from: Int64, before to: Int64) -> Int64? {
        guard to > from + 1 else { return nil }
        let first = times.partitionPoint { $0 > from }
        return first < times.count && times[first] < to ? times[first] : nil
    }
}
