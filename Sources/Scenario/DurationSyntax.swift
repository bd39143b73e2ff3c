import Foundation
import SimEngine

/// The text form of durations in scenario files: a JSON number is milliseconds (`0.4` = 400 us), a string has
/// a unit with no space: `"850ns"`, `"40us"`, `"40µs"`, `"150ms"`, `"1.5s"`.
///
/// Conversion is exact decimal arithmetic on the literal text (no `Double`), rounded to the nearest nanosecond,
/// so `0.4` is exactly 400,000 ns and a resolved scenario written back reads to the same values.
public enum DurationSyntax {
    /// The units a duration string may end with, and how many powers of ten of nanoseconds each is.
    public static let units: [(suffix: String, exponent: Int)] = [
        ("ns", 0), ("us", 3), ("µs", 3), ("μs", 3), ("ms", 6), ("s", 9),
    ]

    /// Why a string is not a duration.
    public enum Problem: Error, Equatable {
        /// "15 ms": a space between number and unit.
        case space(suggestion: String)
        /// "15": a number in a string without a unit.
        case noUnit
        /// "15sec": a number followed by an unknown unit.
        case unknownUnit(String)
        /// Not a number with a unit at all.
        case notADuration
        /// Below zero.
        case negative
        /// Beyond about 292 years (Int64 nanoseconds).
        case tooLarge
    }

    /// Parses a duration string such as `"1.5s"`.
    public static func parse(_ text: String) -> Result<SimTime, Problem> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return .failure(.notADuration) }
        // Split the leading number from the unit.
        let scalars = Array(trimmed.unicodeScalars)
        var i = 0
        func isNumberScalar(_ s: Unicode.Scalar, _ at: Int) -> Bool {
            if ("0"..."9").contains(s) || s == "." { return true }
            if s == "-" || s == "+" { return at == 0 || scalars[at - 1] == "e" || scalars[at - 1] == "E" }
            if s == "e" || s == "E" {
                // An exponent only when digits (optionally signed) follow: "1e3ms", but not the "e" of a unit.
                var j = at + 1
                if j < scalars.count, scalars[j] == "+" || scalars[j] == "-" { j += 1 }
                return at > 0 && j < scalars.count && ("0"..."9").contains(scalars[j])
            }
            return false
        }
        while i < scalars.count, isNumberScalar(scalars[i], i) { i += 1 }
        let number = String(String.UnicodeScalarView(scalars[0..<i]))
        let rest = String(String.UnicodeScalarView(scalars[i...]))
        guard !number.isEmpty, number.contains(where: { $0.isNumber }) else { return .failure(.notADuration) }
        if rest.isEmpty { return .failure(.noUnit) }
        let unitText = rest.trimmingCharacters(in: .whitespaces)
        if rest.first == " ", let unit = units.first(where: { $0.suffix == unitText }) {
            return .failure(.space(suggestion: number + unit.suffix))
        }
        guard let unit = units.first(where: { $0.suffix == rest }) else {
            return .failure(!unitText.isEmpty && unitText.allSatisfy { $0.isLetter } ? .unknownUnit(unitText) : .notADuration)
        }
        return convert(number, exponent: unit.exponent)
    }

    /// A JSON number of milliseconds (its literal text) as a duration.
    public static func milliseconds(_ literal: String) -> Result<SimTime, Problem> {
        convert(literal, exponent: 6)
    }

    private static func convert(_ literal: String, exponent: Int) -> Result<SimTime, Problem> {
        guard let (negative, ns) = nanoseconds(decimal: literal, exponent: exponent) else {
            return .failure(isDecimal(literal) ? .tooLarge : .notADuration)
        }
        if negative && ns > 0 { return .failure(.negative) }
        return .success(SimTime(nanoseconds: ns))
    }

    private static func isDecimal(_ s: String) -> Bool {
        splitDecimal(s) != nil
    }

    /// Splits `-12.50e3` into (negative, "1250", decimal exponent 1) with digits of the mantissa only.
    private static func splitDecimal(_ s: String) -> (negative: Bool, digits: String, exponent: Int)? {
        var text = Substring(s)
        var negative = false
        if text.first == "-" { negative = true; text = text.dropFirst() } else if text.first == "+" { text = text.dropFirst() }
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            var expText = text[text.index(after: e)...]
            var expNegative = false
            if expText.first == "-" { expNegative = true; expText = expText.dropFirst() } else if expText.first == "+" { expText = expText.dropFirst() }
            guard !expText.isEmpty, expText.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            // Exponents beyond a few hundred cannot give a representable duration anyway.
            let clipped = expText.count > 6 ? 999_999 : Int(expText)!
            exponent = expNegative ? -clipped : clipped
            text = text[..<e]
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        var digits = String(whole)
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            digits += fraction
            exponent -= fraction.count
        }
        return (negative, digits, exponent)
    }

    /// The decimal `literal` times 10^exponent, rounded half away from zero to an integer; nil when it is not a
    /// decimal number or does not fit in Int64.
    static func nanoseconds(decimal literal: String, exponent extra: Int) -> (negative: Bool, value: Int64)? {
        guard let (negative, rawDigits, exp0) = splitDecimal(literal) else { return nil }
        var digits = Substring(rawDigits.drop(while: { $0 == "0" }))
        if digits.isEmpty { return (negative, 0) }
        let exponent = exp0 + extra
        var roundUp = false
        if exponent < 0 {
            let keep = digits.count + exponent
            if keep < 0 { return (negative, 0) }
            let dropped = digits.dropFirst(keep)
            roundUp = (dropped.first.map { $0 >= "5" }) ?? false
            digits = digits.prefix(keep)
        } else {
            if digits.count + exponent > 19 { return nil }
            digits += String(repeating: "0", count: exponent)
        }
        var value: Int64 = 0
        if !digits.isEmpty {
            guard let v = Int64(digits) else { return nil }
            value = v
        }
        if roundUp {
            let (sum, overflow) = value.addingReportingOverflow(1)
            if overflow { return nil }
            value = sum
        }
        return (negative, value)
    }

    /// The exact text of a duration with the largest unit that keeps it readable: `"1.5s"`, `"400us"`,
    /// `"1.000001ms"`, `"850ns"`, `"0ms"`. Reading it back gives the same nanoseconds.
    public static func format(_ t: SimTime) -> String {
        let n = t.nanoseconds
        if n == 0 { return "0ms" }
        let sign = n < 0 ? "-" : ""
        let a = n.magnitude
        let (unit, scale): (String, UInt64) =
            a >= 1_000_000_000 ? ("s", 1_000_000_000) : a >= 1_000_000 ? ("ms", 1_000_000) : a >= 1_000 ? ("us", 1_000) : ("ns", 1)
        let whole = a / scale
        var fraction = a % scale
        if fraction == 0 { return "\(sign)\(whole)\(unit)" }
        var width = String(scale).count - 1
        while fraction % 10 == 0 { fraction /= 10; width -= 1 }
        let f = String(fraction)
        return "\(sign)\(whole).\(String(repeating: "0", count: width - f.count))\(f)\(unit)"
    }
}
