import Foundation
import SimEngine

/// Human forms of the report's numbers: durations with a unit chosen per value, rates, counts, factors.
///
/// Every function is deterministic (POSIX `%f` formatting, no locale) so that reports are the same bytes
/// on every machine.
public enum Format {
    /// A duration with three significant digits and the unit that keeps the number in 1..<1000:
    /// "2.18 s", "183 ms", "40.0 us", "850 ns", "0 s". Durations of 1000 s and more stay in seconds ("1234 s").
    public static func duration(_ time: SimTime) -> String {
        let n = time.nanoseconds
        if n == 0 { return "0 s" }
        let sign = n < 0 ? "-" : ""
        let magnitude = Double(n.magnitude)
        if magnitude < 1_000 { return "\(sign)\(n.magnitude) ns" }
        let units: [(scale: Double, name: String)] = [(1e3, "us"), (1e6, "ms"), (1e9, "s")]
        for (index, unit) in units.enumerated() {
            let value = magnitude / unit.scale
            let text = significant(value, digits: 3)
            // 999.7 ms rounds to "1000"; the next unit up says it better ("1.00 s").
            if index < units.count - 1, Double(text) ?? 0 >= 1000 { continue }
            return "\(sign)\(text) \(unit.name)"
        }
        return sign + String(format: "%.0f s", magnitude / 1e9)  // not reached
    }

    /// Seconds with fixed precision for machine-readable files: "2.180000".
    public static func seconds(_ time: SimTime, decimals: Int = 6) -> String {
        String(format: "%.\(decimals)f", time.seconds)
    }

    /// A rate with three significant digits and an SI suffix: "4.58", "183", "12.4k", "1.20M".
    public static func rate(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        let sign = value < 0 ? "-" : ""
        let suffixes: [(scale: Double, name: String)] = [(1, ""), (1e3, "k"), (1e6, "M"), (1e9, "G")]
        for (index, suffix) in suffixes.enumerated() {
            let text = significant(magnitude / suffix.scale, digits: 3)
            if index < suffixes.count - 1, Double(text) ?? 0 >= 1000 { continue }
            return sign + text + suffix.name
        }
        return sign + String(format: "%.0fG", magnitude / 1e9)
    }

    /// A count, exact below 100 000 and with a suffix above: "42", "99999", "123k", "4.57M".
    public static func count(_ value: Int) -> String {
        abs(value) < 100_000 ? String(value) : rate(Double(value))
    }

    /// A speed-up factor with three significant digits: "1.93x", "12.4x", "0.912x" is written "0.91x".
    public static func factor(_ value: Double) -> String {
        guard value.isFinite, value > 0 else { return "-" }
        if value < 1 { return String(format: "%.2fx", value) }
        return significant(value, digits: 3) + "x"
    }

    /// A factor for prose with two significant digits: "1.9", "7.2", "12", "140".
    public static func shortFactor(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        return value < 10 ? String(format: "%.1f", value) : String(format: "%.0f", value)
    }

    /// A percentage without decimals: "87%".
    public static func percent(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "-" }
        return String(format: "%.0f%%", fraction * 100)
    }

    /// A signed percentage with one decimal: "+4.2%", "-12.0%".
    public static func signedPercent(_ percent: Double) -> String {
        guard percent.isFinite else { return "-" }
        return String(format: "%+.1f%%", percent)
    }

    /// `value` (>= 0) with `digits` significant digits, no exponent: 2.184 -> "2.18", 40 -> "40.0", 183.4 -> "183".
    static func significant(_ value: Double, digits: Int) -> String {
        var decimals = digits - 1
        var scaled = value
        while scaled >= 10 && decimals > 0 { scaled /= 10; decimals -= 1 }
        var text = String(format: "%.\(decimals)f", value)
        // Rounding may add a digit (9.996 -> "10.00"); drop the extra decimal to keep `digits` digits.
        if decimals > 0, let rounded = Double(text), rounded >= pow(10, Double(digits - decimals)) {
            text = String(format: "%.\(decimals - 1)f", value)
        }
        return text
    }
}

/// A duration with a unit chosen per value ("2.18 s", "183 ms", "40.0 us"); see `Format.duration`.
public func formatDuration(_ time: SimTime) -> String { Format.duration(time) }
