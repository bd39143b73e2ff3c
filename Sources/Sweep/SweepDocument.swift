import Foundation
import SimReport
import SimScenario
import SimTrace

/// The content of sweep.json: one row per point and strategy with every figure of results.json (task
/// latency lists left out: a sweep of 1,000-task points would otherwise be mostly latencies), plus the
/// advice along the sweep.
///
/// Keys are sorted and rows are in point order, then the scenario's strategy order, so the bytes depend only
/// on the sweep, not on the number of workers or shards. A shard's document has `shard` set and only its
/// points; `merge` joins the shards of a sweep into the document the whole sweep would have written.
public struct SweepDocument: Codable, Sendable, Equatable {
    public struct Axis: Codable, Sendable, Equatable {
        public var key: String
        public var values: [String]
    }

    public struct Row: Codable, Sendable, Equatable {
        /// The point's number in the cross product (first axis slowest).
        public var point: Int
        /// Each axis's value at this point, in axis order.
        public var values: [String]
        /// Every figure of the run, as in results.json (speed-up against this point's sync run).
        public var result: ResultsDocument.StrategyResult
        /// gil_waited / (gil_waited + gil_held): of the time threads held or wanted a GIL, the share spent waiting.
        public var gilWaitShare: Double

        enum CodingKeys: String, CodingKey {
            case point, values, result
            case gilWaitShare = "gil_wait_share"
        }
    }

    /// A strategy the model refused at a point (e.g. gevent beside a greenlet that never yields).
    public struct LeftOut: Codable, Sendable, Equatable {
        public var point: Int
        public var strategy: String
        public var reason: String
    }

    public var tool: String
    public var scenario: String
    public var seed: UInt64
    public var axes: [Axis]
    /// The strategies run at every point, in the scenario's order.
    public var strategies: [String]
    /// The strategies the advice chooses among: all but sync when the scenario has background tasks (sync
    /// runs only the foreground ones, so its time answers another question).
    public var candidates: [String]
    /// Points in the whole sweep (every shard together).
    public var points: Int
    /// "i/n" for a shard's document; absent for a whole sweep.
    public var shard: String?
    public var rows: [Row]
    public var leftOut: [LeftOut]
    /// Where the best strategy changes along the first varied key ("asyncio overtakes threads above ...").
    /// Absent in a shard's document (it needs every point).
    public var advice: [String]?
    /// Points measured for real (`--real`), in point order; absent for a sweep of the model alone.
    public var measured: [Measured]? = nil

    enum CodingKeys: String, CodingKey {
        case tool, scenario, seed, axes, strategies, candidates, points, shard, rows, advice, measured
        case leftOut = "left_out"
    }

    /// The document as JSON text ending with a newline (results.json's encoder: sorted keys, pretty).
    public func jsonText() throws -> String {
        String(decoding: try ResultsDocument.makeEncoder().encode(self), as: UTF8.self) + "\n"
    }

    /// Reads sweep.json text.
    public static func read(_ data: Data, name: String) throws -> SweepDocument {
        do {
            return try ResultsDocument.makeDecoder().decode(SweepDocument.self, from: data)
        } catch {
            throw SweepError("\(name): not a sweep.json written by `simulate sweep` (\(error)); give the folders or sweep.json files of the shards")
        }
    }

    /// The advice along the sweep, from its rows: where the fastest strategy changes along the first varied
    /// key, for each combination of the other keys' values.
    static func advice(axes: [Axis], rows: [Row], candidates: [String]) -> [String] {
        guard let first = axes.first, first.values.count > 1 else { return [] }
        var byPoint: [Int: [RunMetrics]] = [:]
        for r in rows where candidates.contains(r.result.strategy) { byPoint[r.point, default: []].append(r.result.metrics) }
        let inner = axes.dropFirst().reduce(1) { $0 * $1.values.count }
        var out: [String] = []
        for rest in 0..<inner {
            let series = first.values.enumerated().map { i, v in
                Advice.SeriesPoint(value: v, runs: byPoint[i * inner + rest] ?? [])
            }
            var context = ""
            if axes.count > 1 {
                var r = rest
                var parts: [String] = []
                for a in axes.dropFirst().reversed() {
                    parts.insert("\(a.key)=\(a.values[r % a.values.count])", at: 0)
                    r /= a.values.count
                }
                context = parts.joined(separator: ", ") + ": "
            }
            out += Advice.flips(key: first.key, along: series).map { context + $0 }
        }
        return out
    }
}

extension SweepDocument {
    /// Joins shard documents (and their CSV texts) of one sweep into the whole sweep's document and CSV.
    ///
    /// - Throws: `SweepError` when the documents belong to different sweeps, a point is missing or repeated.
    public static func merge(_ parts: [(document: SweepDocument, csv: String, name: String)]) throws -> (document: SweepDocument, csv: String) {
        guard let first = parts.first else { throw SweepError("sweep merge: give the output folders (or sweep.json files) of the shards") }
        for p in parts.dropFirst() {
            let d = p.document, f = first.document
            guard d.tool == f.tool, d.scenario == f.scenario, d.seed == f.seed, d.axes == f.axes, d.strategies == f.strategies, d.candidates == f.candidates,
                  d.points == f.points else {
                throw SweepError("sweep merge: \(p.name) is from another sweep than \(first.name) (scenario, seed, --vary values or strategies differ); merge the shards of one sweep")
            }
        }
        var rows: [Row] = []
        var leftOut: [LeftOut] = []
        var seen = [String?](repeating: nil, count: first.document.points)
        var csvLines: [(point: Int, order: Int, line: String)] = []
        let header = first.csv.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        for p in parts {
            var pointsHere = Set(p.document.rows.map(\.point))
            pointsHere.formUnion(p.document.leftOut.map(\.point))
            for point in pointsHere {
                guard point >= 0, point < seen.count else { throw SweepError("sweep merge: \(p.name) has point \(point) outside the sweep") }
                if let other = seen[point] {
                    throw SweepError("sweep merge: point \(point) is in both \(other) and \(p.name); give each shard once")
                }
                seen[point] = p.name
            }
            rows += p.document.rows
            leftOut += p.document.leftOut
            let lines = p.csv.split(separator: "\n").map(String.init)
            guard lines.first == header else { throw SweepError("sweep merge: \(p.name)'s sweep.csv has another header than \(first.name)'s") }
            for line in lines.dropFirst() {
                guard let point = line.split(separator: ",").first.flatMap({ Int($0) }) else {
                    throw SweepError("sweep merge: \(p.name)'s sweep.csv has a line without a point number: \(line)")
                }
                csvLines.append((point, csvLines.count, line))
            }
        }
        if let missing = seen.firstIndex(where: { $0 == nil }) {
            let count = seen.filter { $0 == nil }.count
            throw SweepError("sweep merge: \(count) of \(seen.count) points are missing (the first is point \(missing)); give every shard 1/n ... n/n")
        }
        // Stable by point: within a point the rows keep the scenario's strategy order.
        rows = rows.enumerated().sorted { ($0.element.point, $0.offset) < ($1.element.point, $1.offset) }.map(\.element)
        leftOut = leftOut.enumerated().sorted { ($0.element.point, $0.offset) < ($1.element.point, $1.offset) }.map(\.element)
        csvLines.sort { ($0.point, $0.order) < ($1.point, $1.order) }
        var document = first.document
        document.shard = nil
        document.rows = rows
        document.leftOut = leftOut
        document.advice = advice(axes: document.axes, rows: rows, candidates: document.candidates)
        let csv = ([header] + csvLines.map(\.line)).map { $0 + "\n" }.joined()
        return (document, csv)
    }
}
