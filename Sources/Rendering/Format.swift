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
