import Foundation

/// A `--set KEY=VALUE` from the command line: a change to the scenario's JSON before it is read, so that the
/// same validation and messages apply (with `--set KEY=VALUE` as the place).
///
/// KEY is a path such as `machine.cores`, `python.switch_interval`, `tasks[0].count`,
/// `strategies[1].pool`. VALUE is read as JSON when it is JSON (`8`, `true`, `{"policy": "linux"}`,
/// `["threads","asyncio"]`), otherwise as a string (`1ms`, `linux`). `null` removes a key, restoring its default.
public struct ScenarioOverride: Sendable, Equatable {
    /// The override as typed, `KEY=VALUE`.
    public var text: String
    public var path: JSONPath
    public var value: JSONNode

    /// Parses `KEY=VALUE`.
    public init(parsing text: String) throws {
        self.text = text
        let place = SourceLocation.override(text)
        guard let eq = text.firstIndex(of: "=") else {
            throw ScenarioError(location: place, message: "expected KEY=VALUE, e.g. --set machine.cores=8 or --set python.switch_interval=1ms")
        }
        let key = String(text[..<eq]).trimmingCharacters(in: .whitespaces)
        let valueText = String(text[text.index(after: eq)...])
        guard let path = JSONPath.parse(key) else {
            throw ScenarioError(location: place, message: "\"\(key)\" is not a key path; write keys separated by dots and list positions in brackets, e.g. machine.cores or tasks[0].count")
        }
        self.path = path
        self.value = JSONParser.parse(valueText, everywhere: place) ?? JSONNode(.string(valueText), at: place)
    }

    /// Sets the value in the document, creating missing objects on the way.
    public func apply(to root: inout JSONNode) throws {
        try set(&root, at: 0, parentKey: nil)
    }

    /// The key an object takes when a shorthand scalar must become an object to set one of its keys:
    /// `"scheduler": "linux"` becomes `{"policy": "linux"}` before `machine.scheduler.base_slice` is set.
    private static func primaryKey(parentKey: String?, inStrategies: Bool) -> String? {
        if inStrategies { return "kind" }
        switch parentKey {
        case "scheduler": return "policy"
        case "cpu": return "duration"
        case "io": return "latency"
        default: return nil
        }
    }

    private func here(_ upTo: Int) -> String { JSONPath(Array(path.components.prefix(upTo))).description }

    private func fail(_ upTo: Int, _ message: String) -> ScenarioError {
        ScenarioError(location: .override(text), path: here(upTo), message: message)
    }

    private func set(_ node: inout JSONNode, at i: Int, parentKey: String?) throws {
        let last = i == path.components.count - 1
        let inStrategies: Bool = {
            guard i >= 2, case .key("strategies") = path.components[i - 2], case .index = path.components[i - 1] else { return false }
            return true
        }()
        switch path.components[i] {
        case .key(let key):
            switch node.value {
            case .null:
                node = JSONNode(.object([]), at: .override(text))
            case .string, .number, .bool:
                if let primary = Self.primaryKey(parentKey: parentKey, inStrategies: inStrategies) {
                    node = JSONNode(.object([JSONMember(key: primary, keyLocation: node.location, value: node)]), at: node.location)
                }
            case .object, .array:
                break
            }
            guard case .object(var members) = node.value else {
                throw fail(i, "\(node.value.shortDescription) is not an object, so it has no key \"\(key)\"; set it whole instead, e.g. --set \(here(i))=...")
            }
            if let m = members.lastIndex(where: { $0.key == key }) {
                if last {
                    members[m].value = value
                } else {
                    try set(&members[m].value, at: i + 1, parentKey: key)
                }
            } else {
                var child = JSONNode(.null, at: .override(text))
                if last {
                    child = value
                } else {
                    if case .index = path.components[i + 1] { child = JSONNode(.array([]), at: .override(text)) }
                    try set(&child, at: i + 1, parentKey: key)
                }
                members.append(JSONMember(key: key, keyLocation: .override(text), value: child))
            }
            node.value = .object(members)
        case .index(let index):
            guard case .array(var elements) = node.value else {
                throw fail(i, "\(node.value.shortDescription) is not a list, so it has no element [\(index)]")
            }
            if index < elements.count {
                if last { elements[index] = value } else { try set(&elements[index], at: i + 1, parentKey: nil) }
            } else if index == elements.count {
                // One past the end appends, so a task group or strategy can be added from the command line.
                var child = last ? value : JSONNode(.object([]), at: .override(text))
                if !last { try set(&child, at: i + 1, parentKey: nil) }
                elements.append(child)
            } else {
                throw fail(i, "the list has \(elements.count) element\(elements.count == 1 ? "" : "s"); use an index from 0 to \(elements.count) (\(elements.count) appends)")
            }
            node.value = .array(elements)
        }
    }
}
