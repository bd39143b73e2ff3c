import SimEngine

/// A value of the scenario document and its path, with typed accessors whose errors name the place.
///
/// Every accessor either returns a valid value or throws a `ScenarioError` that says what was expected.
struct ScenarioField {
    var node: JSONNode
    var path: JSONPath

    var value: JSONValue { node.value }

    func error(_ message: String) -> ScenarioError {
        ScenarioError(location: node.location, path: path.description, message: message)
    }

    func expected(_ what: String, hint: String = "") -> ScenarioError {
        error("expected \(what), found \(value.shortDescription)" + hint)
    }

    /// The members of an object, refusing duplicates and keys outside `keys`.
    /// - Parameter what: the object's name in messages ("machine", "a task group").
    func object(keys: [String], what: String, hint: String = "") throws -> ScenarioObject {
        guard case .object(let members) = value else { throw expected("\(what) (a JSON object)", hint: hint) }
        var seen: [String: JSONMember] = [:]
        for m in members {
            if let first = seen[m.key] {
                let firstPlace = first.keyLocation.lineText.map { " (first at \($0))" } ?? ""
                throw ScenarioError(location: m.keyLocation, path: path.appending(m.key).description,
                                    message: "\"\(m.key)\" is given twice\(firstPlace); keep one")
            }
            seen[m.key] = m
            if !keys.contains(m.key) {
                throw ScenarioError(
                    location: m.keyLocation, path: path.appending(m.key).description,
                    message: "unknown key \"\(m.key)\" in \(what)\(DidYouMean.clause(for: m.key, among: keys)); valid keys: \(keys.joined(separator: ", "))")
            }
        }
        return ScenarioObject(field: self, members: members.filter { $0.value.value != .null })
    }

    /// The elements of a list.
    func array(what: String, hint: String = "") throws -> [ScenarioField] {
        guard case .array(let elements) = value else { throw expected(what, hint: hint) }
        return elements.enumerated().map { ScenarioField(node: $0.element, path: path.appending($0.offset)) }
    }

    func string(what: String = "a string") throws -> String {
        guard case .string(let s) = value else { throw expected(what) }
        return s
    }

    func bool() throws -> Bool {
        guard case .bool(let b) = value else { throw expected("true or false") }
        return b
    }

    /// A whole number in `range`; `what` names the quantity in messages ("cores", "the pool size").
    func integer(in range: ClosedRange<Int>, what: String) throws -> Int {
        guard case .number(let literal) = value else { throw expected("a whole number (\(what))") }
        guard let v = Self.wholeNumber(literal) else { throw error("\(literal) is not a whole number; \(what) must be one") }
        guard let n = Int(exactly: v), range.contains(n) else {
            throw error("\(literal) is out of range; \(what) must be from \(range.lowerBound) to \(range.upperBound)")
        }
        return n
    }

    /// A whole number from 0 to 2^64 - 1 (seeds).
    func unsigned64(what: String) throws -> UInt64 {
        guard case .number(let literal) = value else { throw expected("a whole number (\(what))") }
        guard let v = UInt64(literal) else {
            throw error("\(literal) is not a whole number from 0 to \(UInt64.max); \(what) must be one")
        }
        return v
    }

    /// A finite number in `range`.
    func number(in range: ClosedRange<Double>, what: String) throws -> Double {
        guard case .number(let literal) = value, let v = Double(literal), v.isFinite else { throw expected("a number (\(what))") }
        guard range.contains(v) else { throw error("\(literal) is out of range; \(what) must be from \(Self.show(range.lowerBound)) to \(Self.show(range.upperBound))") }
        return v
    }

    /// A fixed duration: a number of milliseconds, or a string with a unit. At least `minimum`.
    func duration(minimum: SimTime = .zero, what: String = "a duration", extraHint: String = "") throws -> SimTime {
        let t: SimTime
        switch value {
        case .number(let literal):
            switch DurationSyntax.milliseconds(literal) {
            case .success(let v): t = v
            case .failure(.negative): throw error("\(literal) is negative; \(what) must be 0 or more")
            case .failure: throw error("\(literal) ms is too large for a duration (the limit is about 292 years)")
            }
        case .string(let s):
            switch DurationSyntax.parse(s) {
            case .success(let v): t = v
            case .failure(.space(let suggestion)):
                let asNumber = suggestion.hasSuffix("ms") && !suggestion.hasSuffix("µs") ? " or \(suggestion.dropLast(2))" : ""
                throw error("\"\(s)\" is not a duration; write \"\(suggestion)\"\(asNumber) (no space before the unit)")
            case .failure(.noUnit):
                throw error("\"\(s)\" has no unit; write \"\(s)ms\" or \(s) (a plain number means milliseconds), or use ns, us, s")
            case .failure(.unknownUnit(let unit)):
                throw error("\"\(s)\": unknown unit \"\(unit)\"; use ns, us (or µs), ms or s, e.g. \"150ms\"")
            case .failure(.negative): throw error("\"\(s)\" is negative; \(what) must be 0 or more")
            case .failure(.tooLarge): throw error("\"\(s)\" is too large for a duration (the limit is about 292 years)")
            case .failure(.notADuration):
                throw error("\"\(s)\" is not a duration; write a number of milliseconds (e.g. 15) or a string with a unit: \"850ns\", \"40us\", \"15ms\", \"1.5s\"")
            }
        default:
            throw expected("\(what) (a number of milliseconds, or a string with a unit such as \"15ms\")", hint: extraHint)
        }
        if t > SimTime.maxDuration {
            throw error("\(value.shortDescription) is too long; \(what) must be at most \(DurationSyntax.format(SimTime.maxDuration)) (about 11.6 days), the longest duration a scenario may give")
        }
        if t < minimum {
            throw error("\(value.shortDescription) is too small; \(what) must be at least \(DurationSyntax.format(minimum))")
        }
        return t
    }

    /// A whole number written as an integer literal (`4`, not `4.5`; `4.0` and `4e2` are accepted).
    static func wholeNumber(_ literal: String) -> Int64? {
        if let v = Int64(literal) { return v }
        guard let (negative, v) = DurationSyntax.nanoseconds(decimal: literal, exponent: 0),
              let d = Double(literal), d == d.rounded() else { return nil }
        return negative ? -v : v
    }

    static func show(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }
}

/// An object's members, read by key.
struct ScenarioObject {
    let field: ScenarioField
    /// Members in file order, without those set to null (null means "use the default").
    let members: [JSONMember]

    var keys: [String] { members.map(\.key) }

    func has(_ key: String) -> Bool { members.contains { $0.key == key } }

    subscript(_ key: String) -> ScenarioField? {
        members.first { $0.key == key }.map { ScenarioField(node: $0.value, path: field.path.appending(key)) }
    }

    /// A key that must be present; the message shows an example of it.
    func required(_ key: String, in what: String, example: String) throws -> ScenarioField {
        if let f = self[key] { return f }
        throw field.error("\(what) needs \"\(key)\", e.g. \(example)")
    }

    /// Where a key was written, for messages about it.
    func keyLocation(_ key: String) -> SourceLocation {
        members.first { $0.key == key }?.keyLocation ?? field.node.location
    }
}

extension SourceLocation {
    /// "line 12" for a file position.
    var lineText: String? {
        if case .file(let line, _) = self { return "line \(line)" }
        return nil
    }
}
