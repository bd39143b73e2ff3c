import Foundation

/// A measured (amount, cost) pair: e.g. 100 000 loop iterations took 3.2 ms.
public struct CostPoint: Sendable, Codable, Equatable {
    /// Work units: loop iterations, an exponent, bytes.
    public var amount: Double
    public var nanoseconds: Double
    public init(amount: Double, nanoseconds: Double) {
        self.amount = amount
        self.nanoseconds = nanoseconds
    }
}

/// Cost that grows linearly with the amount of work: `fixed + perUnit * amount` (a Python loop per
/// iteration, hashlib per byte). Fitted by ordinary least squares.
public struct LinearCost: Sendable, Codable, Equatable {
    public var fixedNanoseconds: Double
    public var nanosecondsPerUnit: Double

    public init(fixedNanoseconds: Double, nanosecondsPerUnit: Double) {
        self.fixedNanoseconds = fixedNanoseconds
        self.nanosecondsPerUnit = nanosecondsPerUnit
    }

    /// Least-squares line through the points. With one point (or all at one amount), a line through zero.
    /// The fixed part is kept at or above zero (a negative intercept is measurement noise).
    /// - Complexity: O(n).
    public static func fit(_ points: [CostPoint]) -> LinearCost {
        let n = Double(points.count)
        guard n > 0 else { return LinearCost(fixedNanoseconds: 0, nanosecondsPerUnit: 0) }
        let mx = points.reduce(0) { $0 + $1.amount } / n
        let my = points.reduce(0) { $0 + $1.nanoseconds } / n
        let sxx = points.reduce(0) { $0 + ($1.amount - mx) * ($1.amount - mx) }
        let sxy = points.reduce(0) { $0 + ($1.amount - mx) * ($1.nanoseconds - my) }
        if sxx <= 0 || n < 2 {
            return LinearCost(fixedNanoseconds: 0, nanosecondsPerUnit: mx > 0 ? my / mx : 0)
        }
        var slope = sxy / sxx
        var intercept = my - slope * mx
        if intercept < 0 {
            // Through zero instead: slope = sum(xy) / sum(xx).
            intercept = 0
            let xx = points.reduce(0) { $0 + $1.amount * $1.amount }
            slope = xx > 0 ? points.reduce(0) { $0 + $1.amount * $1.nanoseconds } / xx : 0
        }
        return LinearCost(fixedNanoseconds: intercept, nanosecondsPerUnit: slope)
    }

    /// A cost proportional to the amount, the median of the points' cost per unit: one point disturbed by
    /// another program on the machine cannot skew it, as it can a least-squares intercept.
    /// - Complexity: O(n log n).
    public static func proportional(_ points: [CostPoint]) -> LinearCost {
        let ratios = points.filter { $0.amount > 0 }.map { $0.nanoseconds / $0.amount }.sorted()
        guard !ratios.isEmpty else { return LinearCost(fixedNanoseconds: 0, nanosecondsPerUnit: 0) }
        let mid = ratios.count / 2
        let median = ratios.count % 2 == 1 ? ratios[mid] : (ratios[mid - 1] + ratios[mid]) / 2
        return LinearCost(fixedNanoseconds: 0, nanosecondsPerUnit: median)
    }

    /// The predicted cost of `amount` units.
    public func nanoseconds(for amount: Double) -> Double { fixedNanoseconds + nanosecondsPerUnit * amount }

    /// The amount of work that takes `nanoseconds` (0 when the fixed part alone exceeds it).
    public func amount(for nanoseconds: Double) -> Double {
        guard nanosecondsPerUnit > 0 else { return 0 }
        return max(0, (nanoseconds - fixedNanoseconds) / nanosecondsPerUnit)
    }
}

/// Cost that grows like a power of the amount, `a * amount^b`, as big-integer exponentiation does
/// (long_pow squares numbers of growing size: Karatsuba multiplication makes b about 1.58 at large sizes,
/// less where schoolbook multiplication still applies).
///
/// Keeps the measured points and interpolates between them in log-log space, because no single power law
/// fits the whole range; outside it, extends the end segments' slopes. `coefficient`/`exponent` are the
/// global least-squares fit, reported for information.
public struct PowerLawCost: Sendable, Codable, Equatable {
    /// Measured points with positive amount and cost, sorted by amount.
    public var points: [CostPoint]
    public var coefficient: Double
    public var exponent: Double

    /// Fits the points (those with positive amount and cost).
    /// - Complexity: O(n log n).
    public static func fit(_ raw: [CostPoint]) -> PowerLawCost {
        let points = raw.filter { $0.amount > 0 && $0.nanoseconds > 0 }.sorted { $0.amount < $1.amount }
        let logs = points.map { (log($0.amount), log($0.nanoseconds)) }
        let n = Double(logs.count)
        guard n >= 2 else {
            return PowerLawCost(points: points, coefficient: points.first.map { $0.nanoseconds / $0.amount } ?? 0, exponent: 1)
        }
        let mx = logs.reduce(0) { $0 + $1.0 } / n
        let my = logs.reduce(0) { $0 + $1.1 } / n
        let sxx = logs.reduce(0) { $0 + ($1.0 - mx) * ($1.0 - mx) }
        let sxy = logs.reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        let b = sxx > 0 ? sxy / sxx : 1
        return PowerLawCost(points: points, coefficient: exp(my - b * mx), exponent: b)
    }

    /// Log-log segment (x0, y0, slope) that covers log-amount or log-cost `value` (by `byCost`).
    private func segment(containing value: Double, byCost: Bool) -> (x: Double, y: Double, slope: Double)? {
        guard points.count >= 2 else { return nil }
        let logs = points.map { (log($0.amount), log($0.nanoseconds)) }
        var i = 0
        // The last segment whose start is at or below the value (the first one below the range).
        for k in 0..<(logs.count - 1) where (byCost ? logs[k].1 : logs[k].0) <= value { i = k }
        let (x0, y0) = logs[i], (x1, y1) = logs[i + 1]
        let slope = x1 > x0 ? (y1 - y0) / (x1 - x0) : exponent
        return (x0, y0, slope)
    }

    /// The predicted cost of `amount`.
    public func nanoseconds(for amount: Double) -> Double {
        guard amount > 0 else { return 0 }
        guard let s = segment(containing: log(amount), byCost: false) else { return coefficient * pow(amount, exponent) }
        return exp(s.y + s.slope * (log(amount) - s.x))
    }

    /// The amount whose predicted cost is `nanoseconds` (the inverse of `nanoseconds(for:)`).
    public func amount(for nanoseconds: Double) -> Double {
        guard nanoseconds > 0 else { return 0 }
        guard let s = segment(containing: log(nanoseconds), byCost: true), s.slope > 0 else {
            return coefficient > 0 && exponent > 0 ? pow(nanoseconds / coefficient, 1 / exponent) : 0
        }
        return exp(s.x + (log(nanoseconds) - s.y) / s.slope)
    }
}
