import Foundation
import SimEngine

/// Maps run time in a window onto a horizontal span of the picture.
public struct TimeScale: Sendable, Equatable {
    public var window: TimeWindow
    /// Left edge of the plot, in layout units.
    public var x: Double
    public var width: Double

    /// The x of time `t` (times outside the window map outside the plot).
    @inline(__always)
    public func x(of t: SimTime) -> Double {
        x + Double(t.nanoseconds - window.start.nanoseconds) / Double(window.duration.nanoseconds) * width
    }
}

/// A time unit for axis labels.
public enum TimeUnit: String, Sendable, CaseIterable {
    case ns, µs = "µs", ms, s

    var nanoseconds: Double {
        switch self {
        case .ns: return 1
        case .µs: return 1e3
        case .ms: return 1e6
        case .s: return 1e9
        }
    }

    /// The unit that suits ticks `step` nanoseconds apart (labels stay short: 0.5 ms, 250 ms, 2 s).
    static func suiting(step: Double) -> TimeUnit {
        if step < 1e3 { return .ns }
        if step < 1e6 { return .µs }
        if step < 1e9 { return .ms }
        return .s
    }
}

/// One tick of the time axis.
public struct AxisTick: Sendable, Equatable {
    public var time: SimTime
    public var x: Double
    /// The number in the axis's unit, e.g. "12.5".
    public var label: String
}

/// "Nice" tick spacing: 1, 2 or 5 times a power of ten nanoseconds.
public enum NiceTicks {
    /// The smallest nice step at least `rough` (in ns, at least 1).
    public static func step(atLeast rough: Double) -> Int64 {
        var power: Int64 = 1
        while true {
            for m: Int64 in [1, 2, 5] where Double(m * power) >= rough { return m * power }
            if power > Int64.max / 100 { return power * 10 }
            power *= 10
        }
    }

    /// Whether `step` is 1, 2 or 5 times a power of ten.
    public static func isNice(_ step: Int64) -> Bool {
        guard step > 0 else { return false }
        var s = step
        while s % 10 == 0 { s /= 10 }
        return s == 1 || s == 2 || s == 5
    }

    /// Ticks over `scale`'s window about `spacing` layout units apart (further apart if labels of width
    /// given by `labelWidth` would touch). Returns the ticks and their unit.
    ///
    /// - Complexity: O(ticks) per candidate step; a handful of candidates.
    public static func ticks(for scale: TimeScale, spacing: Double, labelWidth: (String) -> Double) -> (ticks: [AxisTick], unit: TimeUnit) {
        let duration = Double(scale.window.duration.nanoseconds)
        let perUnit = duration / scale.width  // ns per layout unit
        var step = self.step(atLeast: max(1, perUnit * spacing))
        while true {
            let unit = TimeUnit.suiting(step: Double(step))
            let decimals = max(0, Int(ceil(-log10(Double(step) / unit.nanoseconds) - 1e-9)))
            var ticks: [AxisTick] = []
            let start = scale.window.start.nanoseconds
            var t = (start + step - 1) / step * step
            if start < 0 { t = start / step * step }
            while t <= scale.window.end.nanoseconds {
                let time = SimTime(nanoseconds: t)
                ticks.append(AxisTick(time: time, x: scale.x(of: time), label: Format.fixed(Double(t) / unit.nanoseconds, decimals)))
                t += step
            }
            let widest = ticks.map { labelWidth($0.label) }.max() ?? 0
            let stepWidth = Double(step) / perUnit
            if widest + 16 <= stepWidth || step > Int64.max / 10 { return (ticks, unit) }
            step = self.step(atLeast: Double(step) + 1)
        }
    }
}
