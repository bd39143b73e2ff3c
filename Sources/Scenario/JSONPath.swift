/// The place of a value inside the scenario document, written as in messages and `--set`:
/// `tasks[0].steps[2].cpu`.
public struct JSONPath: Sendable, Equatable, CustomStringConvertible {
    public enum Component: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    public var components: [Component]

    public init(_ components: [Component] = []) { self.components = components }

    public static let root = JSONPath()

    /// This path with a key appended.
    public func appending(_ key: String) -> JSONPath { JSONPath(components + [.key(key)]) }
    /// This path with an array index appended.
    public func appending(_ index: Int) -> JSONPath { JSONPath(components + [.index(index)]) }

    /// The last key on the path, if the path ends in a key.
    public var lastKey: String? {
        if case .key(let k)? = components.last { return k }
        return nil
    }

    public var description: String {
        var out = ""
        for c in components {
            switch c {
            case .key(let k):
                if Self.isPlainKey(k) {
                    if !out.isEmpty { out += "." }
                    out += k
                } else {
                    out += "[" + JSONWriter.quoted(k) + "]"
                }
            case .index(let i): out += "[\(i)]"
            }
        }
        return out
    }

    static func isPlainKey(_ k: String) -> Bool {
        !k.isEmpty && k.unicodeScalars.allSatisfy { ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// Parses `machine.scheduler.policy` or `tasks[0].steps[1].io.latency`; nil when malformed.
    public static func parse(_ text: String) -> JSONPath? {
        var components: [Component] = []
        let scalars = Array(text.unicodeScalars)
        var i = 0
        var expectKey = true
        while i < scalars.count {
            if scalars[i] == "[" {
                var j = i + 1
                var digits = ""
                while j < scalars.count, ("0"..."9").contains(scalars[j]) { digits.unicodeScalars.append(scalars[j]); j += 1 }
                guard !digits.isEmpty, j < scalars.count, scalars[j] == "]", let n = Int(digits), !components.isEmpty else { return nil }
                components.append(.index(n))
                i = j + 1
                expectKey = false
                continue
            }
            if scalars[i] == "." {
                guard !expectKey else { return nil }
                expectKey = true
                i += 1
                continue
            }
            guard expectKey else { return nil }
            var key = ""
            while i < scalars.count, scalars[i] != ".", scalars[i] != "[" { key.unicodeScalars.append(scalars[i]); i += 1 }
            guard isPlainKey(key) else { return nil }
            components.append(.key(key))
            expectKey = false
        }
        return components.isEmpty || expectKey ? nil : JSONPath(components)
    }
}
