import Foundation
import SimEngine

/// What the harness measured in one run (its result JSON). Times are nanoseconds of CLOCK_MONOTONIC from
/// the start of the timed section.
public struct HarnessResult: Sendable, Decodable, Equatable {
    /// From the start until the last foreground task was joined (awaited, waited for).
    public var makespan: Int64
    /// When the main thread had started every task (thread/process start(), spawn, task creation).
    public var spawned: Int64
    /// The Python version that ran.
    public var python: String
    public var tasks: [TaskRecord]

    /// One task's run.
    public struct TaskRecord: Sendable, Decodable, Equatable {
        /// Index among the plan's tasks.
        public var task: Int
        /// The thread, process, greenlet or coroutine that ran it ("Thread-3 (run_blocking_task)",
        /// "ForkPoolWorker-1", "Greenlet-0", "Task-2", "MainThread").
        public var lane: String
        public var pid: Int
        /// When the main thread created it (before start()/spawn), when it began, when it ended.
        public var created: Int64
        public var begin: Int64
        public var end: Int64
        public var steps: [StepRecord]
        /// CPU steps a coroutine ran through the executor: where and when they really ran.
        public var executor: [ExecutorRecord]
    }

    /// One operation: its index in the task's operation list, its start and end.
    public struct StepRecord: Sendable, Decodable, Equatable {
        public var operation: Int
        public var start: Int64
        public var end: Int64

        public init(operation: Int, start: Int64, end: Int64) {
            self.operation = operation
            self.start = start
            self.end = end
        }

        public init(from decoder: Decoder) throws {
            var c = try decoder.unkeyedContainer()
            operation = try c.decode(Int.self)
            start = try c.decode(Int64.self)
            end = try c.decode(Int64.self)
        }
    }

    /// A CPU operation run by an executor thread for a coroutine.
    public struct ExecutorRecord: Sendable, Decodable, Equatable {
        public var operation: Int
        public var thread: String
        public var start: Int64
        public var end: Int64

        public init(from decoder: Decoder) throws {
            var c = try decoder.unkeyedContainer()
            operation = try c.decode(Int.self)
            thread = try c.decode(String.self)
            start = try c.decode(Int64.self)
            end = try c.decode(Int64.self)
        }
    }

    /// Reads and checks a result file against the plan it ran.
    /// - Throws: `RealRunError.badResult` naming what is wrong.
    public static func load(path: String, plan: HarnessPlan) throws -> HarnessResult {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RealRunError.badResult(path: path, reason: "the harness exited without writing it")
        }
        let result: HarnessResult
        do {
            result = try JSONDecoder().decode(HarnessResult.self, from: data)
        } catch {
            throw RealRunError.badResult(path: path, reason: "\(error)")
        }
        try result.check(against: plan, path: path)
        return result
    }

    func check(against plan: HarnessPlan, path: String) throws {
        for record in tasks {
            guard record.task >= 0, record.task < plan.tasks.count else {
                throw RealRunError.badResult(path: path, reason: "task index \(record.task) is not in the plan")
            }
            let count = plan.tasks[record.task].ops.count
            for step in record.steps where step.operation < 0 || step.operation >= count || step.end < step.start {
                throw RealRunError.badResult(path: path, reason: "task \(record.task) has an impossible step \(step)")
            }
            if !plan.tasks[record.task].background && record.steps.count != count {
                throw RealRunError.badResult(
                    path: path, reason: "task \(record.task) ran \(record.steps.count) of its \(count) operations")
            }
        }
    }
}
