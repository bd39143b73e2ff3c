import Foundation
import SimRendering
import SimScenario

extension SweepDocument {
    /// The metrics drawn, one row of panels each, and how each is read from a row.
    static let plotted: [(metric: SweepChart.Metric, value: @Sendable (Row) -> Double)] = [
        (SweepChart.Metric("makespan", .seconds), { $0.result.makespanS }),
        (SweepChart.Metric("p95 task latency", .seconds), { $0.result.latencyP95S }),
        (SweepChart.Metric("throughput (operations/s)", .rate), { $0.result.throughputOpsPerS }),
        (SweepChart.Metric("GIL wait share", .share), { $0.gilWaitShare }),
        (SweepChart.Metric("CPU utilisation", .share), { $0.result.cpuUtilisation }),
    ]

    /// The advice lines under a picture: the first for each column (its flip, or who is fastest throughout).
    static func notes(_ advice: [String], column: Axis?) -> [String] {
        guard let column else { return advice }
        return column.values.compactMap { v in advice.first { $0.hasPrefix("\(column.key)=\(v): ") } }
    }

    /// The pictures of the sweep: x = the first varied key, the second key's values as panel columns, and one
    /// picture per combination of any further keys' values (named by `suffix`, "" when there is one picture).
    public func charts() -> [(suffix: String, chart: SweepChart)] {
        guard let xAxis = axes.first else { return [] }
        let columnAxis = axes.count > 1 ? axes[1] : nil
        let columns = columnAxis?.values ?? [""]
        let further = Array(axes.dropFirst(2))
        let pictures = further.reduce(1) { $0 * $1.values.count }
        let (numbers, isDuration) = SweepAxis.numbers(of: xAxis.values)
        var byPointAndStrategy: [Int: [String: Row]] = [:]
        for r in rows { byPointAndStrategy[r.point, default: [:]][r.result.strategy] = r }

        var out: [(String, SweepChart)] = []
        for picture in 0..<pictures {
            var fixed: [String] = []
            var rest = picture
            for a in further.reversed() {
                fixed.insert("\(a.key)=\(a.values[rest % a.values.count])", at: 0)
                rest /= a.values.count
            }
            let values = Self.plotted.map { plotted in
                columns.indices.map { c in
                    strategies.map { s in
                        xAxis.values.indices.map { xi -> Double? in
                            let point = (xi * columns.count + c) * pictures + picture
                            return byPointAndStrategy[point]?[s].map(plotted.value)
                        }
                    }
                }
            }
            var subtitle = "\(strategies.count) strategies at \(xAxis.values.count * columns.count) points · model prediction, seed \(seed)"
            if !fixed.isEmpty { subtitle = fixed.joined(separator: ", ") + " · " + subtitle }
            let chart = SweepChart(
                title: "\(scenario): sweep of \(axes.prefix(2).map(\.key).joined(separator: " and "))", subtitle: subtitle,
                x: SweepChart.XAxis(key: xAxis.key, labels: xAxis.values, numbers: numbers, isDuration: isDuration),
                columnKey: columnAxis?.key, columns: columnAxis?.values ?? [], metrics: Self.plotted.map(\.metric),
                strategies: strategies, values: values,
                notes: pictures == 1 ? Self.notes(advice ?? [], column: columnAxis) : [],
                kindColours: StrategyDescriptor.palette)
            let suffix = fixed.isEmpty ? "" : "-" + fixed.joined(separator: "-")
            out.append((suffix, chart))
        }
        return out
    }
}
