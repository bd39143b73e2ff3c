import Foundation
import SimModel
import SimReport
import SimScenario
import SimTrace

/// What a sweep produced: the document (sweep.json) and the table (sweep.csv).
public struct SweepOutput: Sendable {
    public var document: SweepDocument
    public var csv: String
}

/// Runs a sweep's points on worker threads in this process.
///
/// Each worker takes the next point number from a shared counter, reads the point's scenario and simulates
/// every strategy without tracing; results land in the point's own slot, so the output is assembled in point
/// order and its bytes do not depend on the number of workers or on which worker ran what.
public enum SweepRunner {
    /// The CSV columns before results.csv's own: the point number and each varied key.
    static func csvHeader(_ plan: SweepPlan) -> String {
        (["point"] + plan.axes.map(\.key)).map(ResultsWriter.csvField).joined(separator: ",") + ","
            + ResultsWriter.csvColumns.joined(separator: ",") + ",gil_wait_share"
    }

    /// One point's rows, CSV lines and strategies left out.
    struct PointRecord: Sendable {
        var rows: [SweepDocument.Row]
        var csvLines: [String]
        var leftOut: [SweepDocument.LeftOut]
    }

    /// How a strategy's scenario is simulated: as read, or adjusted (e.g. to this machine's measured costs,
    /// so that the lines predict what `--real` measures).
    public typealias Adjustment = @Sendable (Scenario, Strategy) -> Scenario

    /// Simulates every strategy at point `p`.
    static func run(_ plan: SweepPlan, point p: Int, adjust: Adjustment?) throws -> PointRecord {
        let values = plan.values(ofPoint: p)
        let scenario: Scenario
        do {
            scenario = try plan.scenario(atPoint: p)
        } catch let error as ScenarioError {
            let set = zip(plan.axes, values).map { "\($0.key)=\($1)" }.joined(separator: " ")
            throw SweepError("point \(p) (\(set)): \(error.path.isEmpty ? "" : error.path + ": ")\(error.message); leave this combination out of the --vary values")
        }
        var runs: [RunMetrics] = []
        var leftOut: [SweepDocument.LeftOut] = []
        for strategy in scenario.strategies {
            do {
                let simulated = adjust?(scenario, strategy) ?? scenario
                runs.append(try Simulator.run(simulated, strategy: strategy, options: SimulationOptions(trace: false, coreLanes: false)).metrics)
            } catch let error as SimulationError {
                leftOut.append(SweepDocument.LeftOut(point: p, strategy: strategy.label, reason: error.message))
            }
        }
        let results = ResultsDocument(scenario: scenario, runs: runs).strategies
        let rows = results.map { result -> SweepDocument.Row in
            var r = result
            r.taskLatenciesNs = []
            let wanted = r.gilWaitedNs + r.gilHeldNs
            return SweepDocument.Row(point: p, values: values, result: r,
                                     gilWaitShare: wanted > 0 ? Double(r.gilWaitedNs) / Double(wanted) : 0)
        }
        let prefix = ([String(p)] + values).map(ResultsWriter.csvField).joined(separator: ",") + ","
        let csvLines = ResultsWriter.csv(scenario: scenario, runs: runs).split(separator: "\n").dropFirst().enumerated().map { i, line in
            prefix + line + "," + String(format: "%.4f", rows[i].gilWaitShare)
        }
        return PointRecord(rows: rows, csvLines: csvLines, leftOut: leftOut)
    }

    /// Runs the plan's points on `workers` threads (at least 1); `progress(done, total)` is called after each
    /// point, from the worker that finished it, one call at a time. `adjust` changes each strategy's scenario
    /// before it is simulated.
    public static func run(_ plan: SweepPlan, workers: Int = ProcessInfo.processInfo.activeProcessorCount,
                           adjust: Adjustment? = nil, progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> SweepOutput {
        let points = plan.points
        let work = SharedWork(count: points.count)
        let threads = max(1, min(workers, points.count))
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while let i = work.take() {
                do {
                    let record = try run(plan, point: points[i], adjust: adjust)
                    work.finish(i, record, progress: progress)
                } catch {
                    work.fail(error, at: i)
                }
            }
        }
        if let error = work.error { throw error }
        var rows: [SweepDocument.Row] = []
        var leftOut: [SweepDocument.LeftOut] = []
        var lines = [csvHeader(plan)]
        for record in work.records {
            guard let record else { continue }
            rows += record.rows
            leftOut += record.leftOut
            lines += record.csvLines
        }
        let axes = plan.axes.map { SweepDocument.Axis(key: $0.key, values: $0.values) }
        let strategies = plan.strategyLabels.map { wanted in plan.base.strategies.filter { wanted.contains($0.label) } } ?? plan.base.strategies
        var document = SweepDocument(
            tool: Report.toolVersion, scenario: plan.base.name, seed: plan.base.seed, axes: axes, strategies: strategies.map(\.label),
            candidates: strategies.filter { Advice.isCandidate(kind: $0.kind.name, in: plan.base) }.map(\.label),
            points: plan.pointCount, shard: plan.shard?.description, rows: rows, leftOut: leftOut, advice: nil)
        if plan.shard == nil { document.advice = SweepDocument.advice(axes: axes, rows: rows, candidates: document.candidates) }
        return SweepOutput(document: document, csv: lines.map { $0 + "\n" }.joined())
    }
}

/// The workers' shared state: the next point to take, each point's record, the first error.
private final class SharedWork: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var done = 0
    let count: Int
    private(set) var records: [SweepRunner.PointRecord?]
    private(set) var error: Error?
    private var errorAt = Int.max

    init(count: Int) {
        self.count = count
        records = Array(repeating: nil, count: count)
    }

    /// The next point's position, or nil when all are taken or a worker failed. (After a failure the others
    /// stop taking points; the error reported is that of the lowest point that failed, so the message does
    /// not depend on which worker got there first.)
    func take() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard error == nil, next < count else { return nil }
        next += 1
        return next - 1
    }

    func finish(_ i: Int, _ record: SweepRunner.PointRecord, progress: (@Sendable (Int, Int) -> Void)?) {
        lock.lock()
        defer { lock.unlock() }
        records[i] = record
        done += 1
        progress?(done, count)
    }

    func fail(_ e: Error, at i: Int) {
        lock.lock()
        defer { lock.unlock() }
        if i < errorAt {
            error = e
            errorAt = i
        }
    }
}
