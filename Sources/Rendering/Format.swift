import Foundation
import SimEngine

/// Number and time formatting for pictures (deterministic: no locale).
enum Format {
    /// "1,234,567".
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// A duration with three significant digits and a unit: "850 ns", "12.5 µs", "1.23 s".
    static func duration(_ t: SimTime) -> String {
        let n = Double(t.nanoseconds)
        let a = abs(n)
        if a == 0 { return "0 s" }
        let (value, unit): (Double, String) =
            a < 1e3 ? (n, "ns") : a < 1e6 ? (n / 1e3, "µs") : a < 1e9 ? (n / 1e6, "ms") : (n / 1e9, "s")
        return significant(value, 3) + " " + unit
    }

    /// A time span in one unit, the end's: "0–30 ms", "1.2–1.5 s", "850 µs–2 ms" when the start needs a smaller one.
    static func span(_ start: SimTime, _ end: SimTime) -> String {
        let e = duration(end)
        guard let space = e.lastIndex(of: " ") else { return duration(start) + "–" + e }
        let unit = String(e[e.index(after: space)...])
        let perUnit: Double = ["ns": 1, "µs": 1e3, "ms": 1e6, "s": 1e9][unit] ?? 1
        let startValue = Double(start.nanoseconds) / perUnit
        // A start too small for the end's unit (but not zero) keeps its own unit rather than reading as 0.
        if start > .zero, startValue < 0.01 { return duration(start) + "–" + e }
        return significant(startValue, 3) + "–" + e
    }

    /// A share (0...1) as a percentage that never reads as a misleading 0% or 100%: one decimal near
    /// the ends ("0.4%", "99.7%"), whole numbers between ("37%"), "<0.1%" and ">99.9%" at the extremes.
    static func percent(_ share: Double) -> String {
        let p = share * 100
        if p <= 0 { return "0%" }
        if p >= 100 { return fixed(p, 0) + "%" }
        if p < 0.05 { return "<0.1%" }
        if p >= 99.95 { return ">99.9%" }
        return fixed(p, p < 10 || p > 99.5 ? 1 : 0) + "%"
    }

    /// `v` with `digits` significant digits, trailing zeros trimmed.
    static func significant(_ v: Double, _ digits: Int) -> String {
        let a = abs(v)
        let intDigits = a >= 1 ? Int(log10(a).rounded(.down)) + 1 : 1
        let decimals = max(0, digits - intDigits)
        return fixed(v, decimals)
    }

    /// `v` with exactly up to `decimals` decimals, trailing zeros trimmed.
    static func fixed(_ v: Double, _ decimals: Int) -> String {
        var s = String(format: "%.\(decimals)f", v)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        if s == "-0" { s = "0" }
        return s
    }
}
