import SimEngine
import SimTrace

/// Time each state covers in each pixel column of one row, the key to drawing large runs quickly:
/// segments are added in O(1 + columns they span) each, and the row is then drawn as runs of columns.
///
/// Coverage is in fractions of a column (one lane fully in one state over a column adds 1).
struct StateColumns {
    static let stateCount = LaneState.allCases.count
    let columns: Int
    /// `coverage[column * stateCount + state]`.
    var coverage: [Float]

    init(columns: Int) {
        self.columns = columns
        coverage = [Float](repeating: 0, count: columns * Self.stateCount)
    }

    /// Adds the interval [u0, u1) in column units (already clipped to 0...columns) in `state`.
    @inline(__always)
    mutating func add(_ state: LaneState, from u0: Double, to u1: Double) {
        let s = Int(state.rawValue)
        let c0 = Int(u0), c1 = min(Int(u1), columns - 1)
        coverage.withUnsafeMutableBufferPointer { cov in
            if c0 >= c1 {
                cov[c0 * Self.stateCount + s] += Float(u1 - u0)
                return
            }
            cov[c0 * Self.stateCount + s] += Float(Double(c0 + 1) - u0)
            var c = c0 + 1
            while c < c1 {
                cov[c * Self.stateCount + s] += 1
                c += 1
            }
            cov[c1 * Self.stateCount + s] += Float(u1 - Double(c1))
        }
    }

    /// The most lanes covering any one column (summed over states, averaged over the column). O(columns).
    func peakCoverage() -> Float {
        var peak: Float = 0
        for c in 0..<columns {
            var sum: Float = 0
            for s in 0..<Self.stateCount { sum += coverage[c * Self.stateCount + s] }
            peak = max(peak, sum)
        }
        return peak
    }

    /// The state covering most of `column`, or nil where nothing covers it.
    /// Ties go to the state listed first in `LaneState` (running before waiting).
    @inline(__always)
    func dominant(_ column: Int) -> LaneState? {
        var best = -1
        var bestValue: Float = 0
        let base = column * Self.stateCount
        for s in 0..<Self.stateCount where coverage[base + s] > bestValue {
            best = s
            bestValue = coverage[base + s]
        }
        return best < 0 ? nil : LaneState(rawValue: UInt8(best))
    }

    /// Runs of adjacent columns with the same dominant state. O(columns).
    func dominantRuns() -> [(first: Int, end: Int, state: LaneState)] {
        var runs: [(first: Int, end: Int, state: LaneState)] = []
        var current: LaneState? = nil
        var first = 0
        for c in 0...columns {
            let s = c < columns ? dominant(c) : nil
            if s != current {
                if let current { runs.append((first, c, current)) }
                current = s
                first = c
            }
        }
        return runs
    }
}

/// Adds a trace's segments into per-row pixel columns.
enum ColumnAggregator {
    /// For each row, the coverage of its lanes' segments over `columns` columns of `window`.
    /// `rowOfLane[lane]` is the row a lane adds to, or -1 for lanes not drawn.
    ///
    /// - Complexity: O(segments + rows x columns).
    static func aggregate(_ trace: Trace, window: TimeWindow, columns: Int, rowOfLane: [Int], rowCount: Int) -> [StateColumns] {
        var rows = [StateColumns](repeating: StateColumns(columns: columns), count: rowCount)
        let start = window.start.nanoseconds, end = window.end.nanoseconds
        let perNs = Double(columns) / Double(window.duration.nanoseconds)
        let maxU = Double(columns)
        for seg in trace.segments {
            let lane = Int(seg.lane)
            guard lane >= 0, lane < rowOfLane.count else { continue }
            let row = rowOfLane[lane]
            guard row >= 0 else { continue }
            let s = max(seg.start.nanoseconds, start), e = min(seg.end.nanoseconds, end)
            guard e > s else { continue }
            let u0 = Double(s - start) * perNs
            let u1 = min(Double(e - start) * perNs, maxU)
            guard u1 > u0 else { continue }
            rows[row].add(seg.state, from: u0, to: u1)
        }
        return rows
    }
}
