import Foundation
import SimScenario

/// `--shard i/n`: the i-th of n deterministic slices of a sweep's points (1-based).
///
/// Point p belongs to shard `p mod n + 1`: strided rather than blocks, so that shards get a fair share of the
/// expensive points when the cost grows along an axis (more tasks, more cores).
public struct SweepShard: Sendable, Equatable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses `i/n`, 1 <= i <= n.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 1, i <= n else {
            throw SweepError("--shard \(text): write i/n with 1 <= i <= n, e.g. --shard 3/8 for the third of eight slices")
        }
        self.init(index: i, count: n)
    }

    public func contains(point: Int) -> Bool { point % count == index - 1 }

    public var description: String { "\(index)/\(count)" }
}

/// What a sweep runs: a scenario (its text, the `--set` overrides), the varied keys, the strategies, the slice.
///
/// Points are numbered 0..<pointCount in the cross product's order: the first axis varies slowest, the last
/// fastest (like nested loops written in `--vary` order).
public struct SweepPlan: Sendable {
    /// The scenario file's name (messages) and text.
    public var sourceName: String
    public var scenarioText: String
    /// `--set` overrides (and `seed=`), applied before each point's own values.
    public var overrides: [String]
    /// Only strategies with these labels; nil runs every strategy of the scenario.
    public var strategyLabels: [String]?
    public var axes: [SweepAxis]
    public var shard: SweepShard?
    /// The base scenario (with `overrides`), read once to name the sweep.
    public var base: Scenario

    /// More points than this is a mistake rather than a sweep (10^5 points of 5 strategies is already
    /// minutes of work); the message says how to make the sweep smaller or to shard it.
    public static let maxPoints = 100_000

    /// Reads the scenario and checks every varied value before any run: an unknown key, a value the
    /// scenario refuses, too many points, a key varied twice all fail here with a message naming the option.
    public init(sourceName: String, scenarioText: String, overrides: [String], strategyLabels: [String]?,
                axes: [SweepAxis], shard: SweepShard?) throws {
        let base = try Self.check(sourceName: sourceName, scenarioText: scenarioText, overrides: overrides, axes: axes)
        self.sourceName = sourceName
        self.scenarioText = scenarioText
        self.overrides = overrides
        self.strategyLabels = strategyLabels
        self.axes = axes
        self.shard = shard
        self.base = base
    }

    /// The checks of `init`; returns the base scenario.
    private static func check(sourceName: String, scenarioText: String, overrides: [String], axes: [SweepAxis]) throws -> Scenario {
        guard !axes.isEmpty else {
            throw SweepError("give at least one --vary KEY=VALUES, e.g. --vary machine.cores=1..8")
        }
        var keys: Set<String> = []
        for a in axes {
            guard keys.insert(a.key).inserted else {
                throw SweepError("--vary \(a.key) is given twice; give each key once, with all its values (\(a.key)=1,2,4)")
            }
        }
        let total = axes.reduce(1.0) { $0 * Double($1.values.count) }
        guard total <= Double(maxPoints) else {
            let sizes = axes.map { "\($0.values.count)" }.joined(separator: " x ")
            throw SweepError("the sweep has \(sizes) = \(describeCount(axes)) points; at most \(maxPoints) run in one sweep: use fewer values (a log range LO..HI/N or a coarser :STEP) or split the question into several sweeps")
        }
        let base = try ScenarioLoader.parse(text: scenarioText, sourceName: sourceName, overrides: overrides)
        // Each value once, the other axes at their first values: catches an unknown key or a refused value
        // without running the whole cross product through the reader.
        let firsts = axes.map { "\($0.key)=\($0.values[0])" }
        for (i, axis) in axes.enumerated() {
            for value in axis.values {
                var point = firsts
                point[i] = "\(axis.key)=\(value)"
                if let problem = problem(sourceName: sourceName, scenarioText: scenarioText, overrides: overrides + point) {
                    throw SweepError("--vary \(axis.text): value \(value): \(problem)")
                }
            }
        }
        return base
    }

    /// What the scenario reader says against these overrides, without the `--set` place; nil when it reads.
    private static func problem(sourceName: String, scenarioText: String, overrides: [String]) -> String? {
        do {
            _ = try ScenarioLoader.parse(text: scenarioText, sourceName: sourceName, overrides: overrides)
            return nil
        } catch let error as ScenarioError {
            var parts: [String] = []
            if error.line != nil, let place = error.place { parts.append(place) }
            if !error.path.isEmpty { parts.append(error.path) }
            parts.append(error.message)
            return parts.joined(separator: ": ")
        } catch {
            return "\(error)"
        }
    }

    /// The number of points of the whole sweep (every shard).
    public var pointCount: Int { axes.reduce(1) { $0 * $1.values.count } }

    /// The points this run computes: all, or the shard's slice, ascending.
    public var points: [Int] {
        let all = 0..<pointCount
        guard let shard else { return Array(all) }
        return all.filter { shard.contains(point: $0) }
    }

    /// Each axis's value at point `p`.
    public func values(ofPoint p: Int) -> [String] {
        var rest = p
        var out = [String](repeating: "", count: axes.count)
        for i in axes.indices.reversed() {
            let n = axes[i].values.count
            out[i] = axes[i].values[rest % n]
            rest /= n
        }
        return out
    }

    /// The point with these value positions (one per axis).
    public func point(positions: [Int]) -> Int {
        zip(axes, positions).reduce(0) { $0 * $1.0.values.count + $1.1 }
    }

    /// The scenario at point `p`: the base text with `overrides` and then the point's values applied.
    public func scenario(atPoint p: Int) throws -> Scenario {
        let set = zip(axes, values(ofPoint: p)).map { "\($0.key)=\($1)" }
        var scenario = try ScenarioLoader.parse(text: scenarioText, sourceName: sourceName, overrides: overrides + set)
        if let strategyLabels {
            scenario.strategies = scenario.strategies.filter { strategyLabels.contains($0.label) }
        }
        return scenario
    }

    /// "12,000,000" for a product too large to multiply in Int.
    static func describeCount(_ axes: [SweepAxis]) -> String {
        let total = axes.reduce(1.0) { $0 * Double($1.values.count) }
        return total < 1e15 ? String(format: "%.0f", total) : String(format: "%.3g", total)
    }
}
