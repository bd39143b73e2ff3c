import SimEngine

/// The convoy cases of the matrix (`convoy-<ms>ms-cpu<n>`: an I/O thread's round trips beside n CPU-bound
/// threads at one switch interval) as curves: per number of CPU threads, the points by switch interval.
/// Worked out once from a report; the convoy picture draws it (`FidelityChart.convoyPNG`) and `simulate
/// validate` prints it (`summary()`), since the issue's target for it is per interval (within 15% at every
/// interval from 0.1 to 50 ms with one CPU thread).
public struct ConvoyCurve: Sendable {
    /// One point of a curve: the case's switch interval and its prediction against measurement.
    public struct Point: Sendable {
        public var interval: SimTime
        public var point: FidelityPoint
    }

    /// The points of one number of CPU threads, by increasing interval.
    public struct Line: Sendable {
        public var cpuThreads: Int
        public var points: [Point]
        /// The largest absolute error on the line, in percent.
        public var worstAbsErrorPercent: Double { points.map { abs($0.point.errorPercent) }.max() ?? 0 }
    }

    /// By increasing number of CPU threads. Points without operations (nothing to divide a round trip by) are
    /// left out.
    public var lines: [Line]

    /// O(points log points).
    public init(_ report: FidelityReport) {
        var byThreads: [Int: [Point]] = [:]
        for p in report.points where p.operations > 0 {
            guard let (interval, n) = Self.convoyCase(p.caseName) else { continue }
            byThreads[n, default: []].append(Point(interval: interval, point: p))
        }
        lines = byThreads.keys.sorted().map { n in
            Line(cpuThreads: n, points: byThreads[n]!.sorted { $0.interval < $1.interval })
        }
    }

    /// The switch interval and CPU threads a case name `convoy-<ms>ms-cpu<n>` says; nil for any other name.
    static func convoyCase(_ name: String) -> (interval: SimTime, cpuThreads: Int)? {
        let parts = name.split(separator: "-")
        guard parts.count == 3, parts[0] == "convoy", parts[1].hasSuffix("ms"), parts[2].hasPrefix("cpu"),
              let ms = Double(parts[1].dropLast(2)), ms > 0, let n = Int(parts[2].dropFirst(3)) else { return nil }
        return (SimTime.seconds(ms / 1000), n)
    }

    /// One line per number of CPU threads: the error at each interval and the worst, e.g.
    /// `  1 CPU thread:  +1.1% at 100us, 0.0% at 1ms, ... (worst 14.6%)`.
    public func summary() -> String {
        var out = "convoy curve (an I/O thread's round trip beside CPU-bound threads), model against measured median:"
        for line in lines {
            let errors = line.points.map { String(format: "%+.1f%% at %@", $0.point.errorPercent, "\($0.interval)") }
            let label = line.cpuThreads == 1 ? "1 CPU thread: " : "\(line.cpuThreads) CPU threads:"
            out += "\n  \(label) " + errors.joined(separator: ", ") + String(format: " (worst %.1f%%)", line.worstAbsErrorPercent)
        }
        return out
    }
}
