import SimEngine
import SimTrace

/// The model's makespans next to reference figures (e.g. the seed article's measured times), with the
/// error of each prediction in percent and the mean absolute error.
public struct ReferenceComparison: Sendable, Equatable {
    public struct Row: Sendable, Equatable, Codable {
        public var strategy: String
        public var predicted: SimTime
        public var reference: SimTime
        /// (predicted - reference) / reference x 100; nil when the reference is 0.
        public var errorPercent: Double?
    }

    /// Where the reference figures come from, e.g. "luminousmen (2019), 4-core laptop".
    public var source: String
    /// One row per run that has a reference figure, in run order.
    public var rows: [Row]
    /// Reference labels with no run (listed so that a typo in a label does not go unnoticed).
    public var unmatched: [String]

    /// Compares each run's makespan with `makespans[run.strategy]`.
    public init(runs: [RunMetrics], referenceMakespans makespans: [String: SimTime], source: String) {
        self.source = source
        rows = runs.compactMap { run in
            guard let reference = makespans[run.strategy] else { return nil }
            let error = reference.nanoseconds != 0
                ? (run.makespan.seconds - reference.seconds) / reference.seconds * 100 : nil
            return Row(strategy: run.strategy, predicted: run.makespan, reference: reference, errorPercent: error)
        }
        let labels = Set(runs.map(\.strategy))
        unmatched = makespans.keys.filter { !labels.contains($0) }.sorted()
    }

    /// The mean of |error| over the rows that have one; nil when none has.
    public var meanAbsoluteErrorPercent: Double? {
        let errors = rows.compactMap(\.errorPercent)
        return errors.isEmpty ? nil : errors.map(abs).reduce(0, +) / Double(errors.count)
    }

    /// "Predicted vs reference (SOURCE)", the table, and the mean absolute error, lines ended by newlines.
    public func render(colour: Bool = false) -> String {
        var table = TextTable(columns: [
            .init(header: "strategy", alignment: .left),
            .init(header: "predicted"),
            .init(header: "reference"),
            .init(header: "error"),
        ])
        for row in rows {
            let error = row.errorPercent
            let style: TextTable.Style = (error.map { abs($0) > 25 } ?? false) ? .red : .plain
            table.append([row.strategy, Format.duration(row.predicted), Format.duration(row.reference),
                          error.map(Format.signedPercent) ?? "-"], style: style)
        }
        var out = "Predicted vs reference (\(source))\n" + table.render(colour: colour)
        out += "mean absolute error: " + (meanAbsoluteErrorPercent.map { String(format: "%.1f%%", $0) } ?? "-") + "\n"
        if !unmatched.isEmpty {
            out += "reference figures without a run: \(unmatched.joined(separator: ", "))\n"
        }
        return out
    }
}
