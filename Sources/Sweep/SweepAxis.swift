import Foundation
import SimEngine
import SimScenario

/// A sweep input the user can fix; the message names the option and what to write instead.
public struct SweepError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ message: String) { description = message }
}

/// One `--vary KEY=SPEC`: a scenario key (any key `--set` takes) and the values it takes in turn.
///
/// SPEC is a comma-separated list of items; an item is a single value (`8`, `1ms`, `linux`, JSON) or a range:
/// - `LO..HI`: every integer from LO to HI (`machine.cores=1..16`);
/// - `LO..HI:STEP`: from LO to HI in steps of STEP, integers or durations (`tasks[0].count=10..200:10`,
///   `python.switch_interval=1ms..10ms:1ms`);
/// - `LO..HI/N`: N points spaced evenly on a log scale from LO to HI, both ends included, rounded to three
///   significant digits (`python.switch_interval=0.1ms..50ms/10` gives 100us, 199us, 398us, ... 50ms;
///   `tasks[0].count=1..1000/7` gives 1, 3, 10, 32, 100, 316, 1000).
/// Values repeated by overlapping items are kept once, first place wins.
public struct SweepAxis: Sendable, Equatable {
    /// The key path as typed, e.g. `tasks[1].count`.
    public var key: String
    /// Each value as the text `--set KEY=VALUE` would take, in sweep order.
    public var values: [String]
    /// The values as numbers for plotting (durations in seconds), or nil when some value is not a number.
    public var numbers: [Double]?
    /// Whether the values are durations (then `numbers` are seconds).
    public var isDuration: Bool
    /// The option as typed, `KEY=SPEC`, for messages.
    public var text: String

    /// No range may expand to more values than this (checked before a single value is made).
    public static let maxValuesPerAxis = 100_000

    /// Parses `KEY=SPEC`.
    public init(parsing text: String) throws {
        self.text = text
        guard let eq = text.firstIndex(of: "=") else {
            throw SweepError("--vary \(text): expected KEY=VALUES, e.g. --vary machine.cores=1..16 or --vary python.switch_interval=0.1ms..50ms/10")
        }
        key = String(text[..<eq]).trimmingCharacters(in: .whitespaces)
        guard JSONPath.parse(key) != nil else {
            throw SweepError("--vary \(text): \"\(key)\" is not a key path; write keys separated by dots and list positions in brackets, e.g. machine.cores or tasks[0].count")
        }
        let spec = String(text[text.index(after: eq)...])
        var values: [String] = []
        var seen: Set<String> = []
        for item in Self.topLevelItems(spec) {
            let trimmed = item.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else {
                throw SweepError("--vary \(text): an empty value; separate values with single commas, e.g. \(key)=1,2,4")
            }
            let expanded = try Self.expand(trimmed, option: text)
            guard values.count + expanded.count <= Self.maxValuesPerAxis else {
                throw SweepError("--vary \(text): more than \(Self.maxValuesPerAxis) values; use a coarser step or a log range LO..HI/N")
            }
            for v in expanded where seen.insert(v).inserted { values.append(v) }
        }
        guard !values.isEmpty else {
            throw SweepError("--vary \(text): no values; write \(key)=V1,V2,... or a range such as \(key)=1..16")
        }
        self.values = values
        (numbers, isDuration) = Self.numbers(of: values)
    }

    /// The values as numbers for plotting: durations in seconds (isDuration), else plain numbers; nil
    /// when some value is neither.
    public static func numbers(of values: [String]) -> (numbers: [Double]?, isDuration: Bool) {
        let durations = values.map { v -> SimTime? in
            if case .success(let t) = DurationSyntax.parse(v) { return t }
            return nil
        }
        if durations.allSatisfy({ $0 != nil }) { return (durations.map { $0!.seconds }, true) }
        let plain = values.map { Double($0) }
        return (plain.allSatisfy { $0 != nil && $0!.isFinite } ? plain.map { $0! } : nil, false)
    }

    /// Splits at commas outside brackets, braces and quotes, so JSON values keep their commas.
    static func topLevelItems(_ spec: String) -> [String] {
        var items: [String] = []
        var current = ""
        var depth = 0
        var inString = false
        var escaped = false
        for ch in spec {
            if inString {
                if escaped { escaped = false } else if ch == "\\" { escaped = true } else if ch == "\"" { inString = false }
            } else if ch == "\"" {
                inString = true
            } else if ch == "[" || ch == "{" {
                depth += 1
            } else if ch == "]" || ch == "}" {
                depth -= 1
            } else if ch == ",", depth == 0 {
                items.append(current)
                current = ""
                continue
            }
            current.append(ch)
        }
        items.append(current)
        return items
    }

    /// The values of one item: itself, or the range it writes.
    static func expand(_ item: String, option: String) throws -> [String] {
        guard !item.hasPrefix("["), !item.hasPrefix("{"), !item.hasPrefix("\""), let dots = item.range(of: "..") else { return [item] }
        let lowText = String(item[..<dots.lowerBound])
        var rest = String(item[dots.upperBound...])
        var step: String?
        var count: String?
        if let slash = rest.lastIndex(of: "/") {
            count = String(rest[rest.index(after: slash)...])
            rest = String(rest[..<slash])
        } else if let colon = rest.lastIndex(of: ":") {
            step = String(rest[rest.index(after: colon)...])
            rest = String(rest[..<colon])
        }
        let highText = rest
        let how = "write LO..HI (every integer), LO..HI:STEP (linear) or LO..HI/N (N log-spaced points), e.g. 1..16, 10..200:10, 0.1ms..50ms/10"
        func bad(_ why: String) -> SweepError { SweepError("--vary \(option): \(item): \(why); \(how)") }

        // Integers, or durations: the two kinds of value a range can run over.
        if let low = Int64(lowText), let high = Int64(highText) {
            guard low <= high else { throw bad("\(low) is above \(high)") }
            if let count {
                guard let n = Int(count), n >= 2 else { throw bad("the number of points after / must be an integer of at least 2") }
                guard n <= maxValuesPerAxis else { throw bad("\(n) points are more than \(maxValuesPerAxis)") }
                guard low >= 1 else { throw bad("a log range needs LO of at least 1") }
                return logSpaced(Double(low), Double(high), n).map { String(Int64($0.rounded())) }
            }
            let s = try step.map { t -> Int64 in
                guard let s = Int64(t), s >= 1 else { throw bad("the step after : must be a positive integer") }
                return s
            } ?? 1
            let n = (high - low) / s + 1
            guard n <= Int64(maxValuesPerAxis) else { throw bad("\(n) values are more than \(maxValuesPerAxis)") }
            return stride(from: low, through: high, by: Int(s)).map { String($0) }
        }
        guard case .success(let low) = DurationSyntax.parse(lowText), case .success(let high) = DurationSyntax.parse(highText) else {
            throw bad("\"\(lowText)\" and \"\(highText)\" must both be integers or both durations with units (1ms, 250us)")
        }
        guard low <= high else { throw bad("\(lowText) is above \(highText)") }
        if let count {
            guard let n = Int(count), n >= 2 else { throw bad("the number of points after / must be an integer of at least 2") }
            guard n <= maxValuesPerAxis else { throw bad("\(n) points are more than \(maxValuesPerAxis)") }
            guard low.nanoseconds >= 1 else { throw bad("a log range needs LO above 0") }
            return logSpaced(Double(low.nanoseconds), Double(high.nanoseconds), n).map {
                DurationSyntax.format(SimTime(nanoseconds: Int64(threeSignificant($0))))
            }
        }
        guard let stepText = step else { throw bad("a duration range needs :STEP or /N") }
        guard case .success(let s) = DurationSyntax.parse(stepText), s.nanoseconds > 0 else {
            throw bad("the step after : must be a positive duration with a unit, e.g. :1ms")
        }
        let n = (high.nanoseconds - low.nanoseconds) / s.nanoseconds + 1
        guard n <= Int64(maxValuesPerAxis) else { throw bad("\(n) values are more than \(maxValuesPerAxis)") }
        return stride(from: low.nanoseconds, through: high.nanoseconds, by: Int(s.nanoseconds)).map { DurationSyntax.format(SimTime(nanoseconds: $0)) }
    }

    /// `n` points from `low` to `high` evenly spaced in log, both ends exact.
    static func logSpaced(_ low: Double, _ high: Double, _ n: Int) -> [Double] {
        (0..<n).map { i in
            if i == 0 { return low }
            if i == n - 1 { return high }
            return exp(log(low) + (log(high) - log(low)) * Double(i) / Double(n - 1))
        }
    }

    /// `v` rounded to three significant digits (at least 1).
    static func threeSignificant(_ v: Double) -> Double {
        guard v >= 1 else { return 1 }
        let scale = pow(10, floor(log10(v)) - 2)
        return max(1, (v / scale).rounded() * scale)
    }
}
