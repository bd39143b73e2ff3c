/// Where a JSON value came from: a position in the scenario file, or a `--set` override.
public enum SourceLocation: Sendable, Equatable {
    /// 1-based line and column (columns count Unicode scalars) in the scenario file.
    case file(line: Int, column: Int)
    /// The text of the `--set KEY=VALUE` override that put the value there.
    case override(String)
    /// Built in code (e.g. by `ScenarioEncoder`), with no place to point at.
    case none
}

/// A JSON value that remembers where it was written, so messages can name the line.
///
/// Objects keep their members in file order (and duplicates, which the reader refuses with both places).
public struct JSONNode: Sendable, Equatable {
    public var value: JSONValue
    public var location: SourceLocation

    public init(_ value: JSONValue, at location: SourceLocation = .none) {
        self.value = value
        self.location = location
    }
}

/// One `"key": value` member of a JSON object.
public struct JSONMember: Sendable, Equatable {
    public var key: String
    /// Where the key itself was written (unknown-key messages point here).
    public var keyLocation: SourceLocation
    public var value: JSONNode

    public init(key: String, keyLocation: SourceLocation = .none, value: JSONNode) {
        self.key = key
        self.keyLocation = keyLocation
        self.value = value
    }
}

/// The JSON data model. Numbers keep their literal text so that durations such as `0.4` (ms) convert to
/// nanoseconds exactly, without going through a binary `Double`.
public indirect enum JSONValue: Sendable, Equatable {
    case object([JSONMember])
    case array([JSONNode])
    case string(String)
    /// The number exactly as written (valid JSON number syntax).
    case number(String)
    case bool(Bool)
    case null

    /// A short description of the value for messages: `"15 ms"`, `2.5`, `true`, `an object`, `a list`.
    public var shortDescription: String {
        switch self {
        case .object: return "an object"
        case .array: return "a list"
        case .string(let s):
            let shown = s.count > 40 ? String(s.prefix(37)) + "..." : s
            return "\"" + shown + "\""
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        }
    }

    /// The members of an object, or nil.
    public var members: [JSONMember]? {
        if case .object(let m) = self { return m }
        return nil
    }

    /// Convenience for building objects in code: members in the given order.
    public static func ordered(_ pairs: KeyValuePairs<String, JSONValue>) -> JSONValue {
        .object(pairs.map { JSONMember(key: $0.key, value: JSONNode($0.value)) })
    }

    /// Convenience for building arrays in code.
    public static func list(_ values: [JSONValue]) -> JSONValue {
        .array(values.map { JSONNode($0) })
    }
}
