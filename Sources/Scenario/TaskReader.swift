import Foundation
import SimEngine

/// Reads `tasks`: the task groups and their steps.
enum TaskReader {
    static let groupKeys = ["name", "count", "background", "steps"]
    static let stepKinds = ["cpu", "io", "sleep", "repeat"]
    static let cpuKeys = ["duration", "kind"]
    static let ioKeys = ["latency", "cpu", "connection"]
    /// Bounds that keep a run's size sane; far above any realistic scenario.
    static let maxCount = 100_000
    static let maxRepeat = 1_000_000_000

    static let stepExamples = "{\"cpu\": \"5ms\"}, {\"io\": {\"latency\": \"180ms\"}}, {\"sleep\": \"10ms\"} or {\"repeat\": 4, \"steps\": [...]}"

    static func readGroups(_ field: ScenarioField) throws -> [TaskGroup] {
        let items = try field.array(what: "a list of task groups", hint: "; write \"tasks\": [{\"name\": \"download\", \"count\": 10, \"steps\": [...]}]")
        if items.isEmpty {
            throw field.error("no task groups; list at least one, e.g. [{\"name\": \"download\", \"count\": 10, \"steps\": [{\"io\": \"180ms\"}]}]")
        }
        var groups: [TaskGroup] = []
        var firstPlace: [String: ScenarioField] = [:]
        for (i, item) in items.enumerated() {
            let group = try readGroup(item, index: i, total: items.count)
            if let earlier = firstPlace[group.name] {
                throw item.error("the name \"\(group.name)\" is already used by \(earlier.path); give each task group its own name")
            }
            firstPlace[group.name] = item
            groups.append(group)
        }
        if groups.allSatisfy(\.background) {
            throw field.error("every task group is a background group; background tasks loop until the foreground tasks finish, so the run would never end. Make at least one group \"background\": false")
        }
        return groups
    }

    static func readGroup(_ field: ScenarioField, index: Int, total: Int) throws -> TaskGroup {
        let o = try field.object(keys: groupKeys, what: "a task group", hint: "; write {\"name\": \"download\", \"count\": 10, \"steps\": [...]}")
        var name = total == 1 ? "task" : "task\(index + 1)"
        if let f = o["name"] {
            name = try f.string(what: "a name (a string)")
            if name.trimmingCharacters(in: .whitespaces).isEmpty { throw f.error("the name is empty; give the group a name such as \"download\"") }
        }
        let count = try o["count"].map { try $0.integer(in: 1...maxCount, what: "count (how many tasks run this program)") } ?? 1
        let background = try o["background"].map { try $0.bool() } ?? false
        let stepsField = try o.required("steps", in: "a task group", example: "\"steps\": [{\"cpu\": \"5ms\"}]")
        let steps = try readSteps(stepsField)
        if background && !steps.contains(where: canTakeTime) {
            throw stepsField.error("a background group whose steps all take no time would loop forever without advancing the clock; give a step a duration above 0")
        }
        return TaskGroup(name: name, count: count, background: background, steps: steps)
    }

    static func readSteps(_ field: ScenarioField) throws -> [Step] {
        let items = try field.array(what: "a list of steps", hint: "; write [\(stepExamples)]")
        if items.isEmpty { throw field.error("no steps; list at least one, e.g. \(stepExamples)") }
        return try items.map(readStep)
    }

    static func readStep(_ field: ScenarioField) throws -> Step {
        guard case .object(let members) = field.value else {
            throw field.expected("a step such as \(stepExamples)")
        }
        if members.isEmpty { throw field.error("an empty step; write one of \(stepExamples)") }
        let o = try field.object(keys: stepKinds + ["steps"], what: "a step")
        let kinds = o.keys.filter { stepKinds.contains($0) }
        if kinds.count > 1 {
            throw field.error("a step does one thing, this one has \(kinds.joined(separator: " and ")); split it into \(kinds.count) steps")
        }
        guard let kind = kinds.first, let f = o[kind] else {
            // `object` drops members set to null ("use the default"), but a step's kind has no default.
            if let null = members.first(where: { stepKinds.contains($0.key) && $0.value.value == .null }) {
                throw ScenarioError(location: null.value.location, path: field.path.appending(null.key).description,
                                    message: "\(null.key) is null; a step's \(null.key) has no default, give one, e.g. \(stepExamples)")
            }
            if let steps = o["steps"] {
                throw steps.error("\"steps\" inside a step needs \"repeat\": {\"repeat\": 3, \"steps\": [...]}")
            }
            throw field.error("a step with only null values; write one of \(stepExamples)")
        }
        if kind != "repeat", let steps = o["steps"] {
            throw steps.error("\"steps\" belongs to a repeat step, not to \(kind); write {\"repeat\": 3, \"steps\": [...]}")
        }
        switch kind {
        case "cpu": return .cpu(try readCPU(f))
        case "io": return .io(try readIO(f))
        case "sleep": return .sleep(try DistributionReader.read(f, what: "a sleep"))
        default:
            let count = try f.integer(in: 1...maxRepeat, what: "repeat (how many times the steps run)")
            let body = try o.required("steps", in: "a repeat step", example: "{\"repeat\": \(count), \"steps\": [{\"cpu\": \"5ms\"}]}")
            return .repeat(count: count, steps: try readSteps(body))
        }
    }

    static func readCPU(_ f: ScenarioField) throws -> CPUStep {
        if case .object(let members) = f.value, members.contains(where: { cpuKeys.contains($0.key) }) {
            let o = try f.object(keys: cpuKeys, what: "a cpu step", hint: "")
            let duration = try DistributionReader.read(
                try o.required("duration", in: "a cpu step", example: "{\"duration\": \"218ms\", \"kind\": \"c_holds_gil\"}"),
                what: "a cpu duration")
            let kind = try o["kind"].map(readCPUKind) ?? Defaults.cpuKind
            return CPUStep(duration: duration, kind: kind)
        }
        return CPUStep(duration: try DistributionReader.read(f, what: "a cpu duration", otherKeys: cpuKeys), kind: Defaults.cpuKind)
    }

    static func readCPUKind(_ f: ScenarioField) throws -> CPUKind {
        let names = CPUKind.allCases.map(\.rawValue)
        let s = try f.string(what: "a cpu kind (\(names.joined(separator: ", ")))")
        guard let kind = CPUKind(rawValue: s) else {
            throw f.error("unknown cpu kind \"\(s)\"\(DidYouMean.clause(for: s, among: names)); use python (bytecode), c_holds_gil (one C call holding the GIL, e.g. 7777 ** 200000) or c_releases_gil (C that releases the GIL, e.g. hashlib)")
        }
        return kind
    }

    static func readIO(_ f: ScenarioField) throws -> IOStep {
        if case .object(let members) = f.value, members.contains(where: { ioKeys.contains($0.key) }) {
            let example = "{\"latency\": \"180ms\", \"cpu\": \"0.4ms\", \"connection\": \"reuse\"}"
            let o = try f.object(keys: ioKeys, what: "an io step")
            let latency = try DistributionReader.read(try o.required("latency", in: "an io step", example: example), what: "a latency")
            let cpu = try o["cpu"].map { try DistributionReader.read($0, what: "the call's cpu time") } ?? .constant(Defaults.ioCPU)
            var connection = Defaults.connection
            if let c = o["connection"] {
                let s = try c.string(what: "\"new\" or \"reuse\"")
                guard let mode = ConnectionMode(rawValue: s) else {
                    throw c.error("unknown connection \"\(s)\"\(DidYouMean.clause(for: s, among: ["new", "reuse"])); use \"new\" (a connection per call, like urlopen) or \"reuse\" (a pooled connection, like a requests.Session)")
                }
                connection = mode
            }
            return IOStep(latency: latency, cpu: cpu, connection: connection)
        }
        return IOStep(latency: try DistributionReader.read(f, what: "a latency", otherKeys: ioKeys))
    }

    /// Whether a step can advance the clock.
    static func canTakeTime(_ step: Step) -> Bool {
        switch step {
        case .cpu(let c): return DistributionReader.canTakeTime(c.duration)
        // New connections add connection set-up time; both pieces are checked to keep it simple.
        case .io(let io): return DistributionReader.canTakeTime(io.latency) || DistributionReader.canTakeTime(io.cpu) || io.connection == .new
        case .sleep(let d): return DistributionReader.canTakeTime(d)
        case .repeat(_, let steps): return steps.contains(where: canTakeTime)
        }
    }
}
