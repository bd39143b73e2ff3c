import SimEngine

/// Reads `strategies`: names, or objects with options and per-strategy overrides of machine, python, costs.
enum StrategyReader {
    static var kinds: [String] { StrategyKindName.names }
    static let commonKeys = ["kind", "label", "machine", "python", "costs"]
    /// Names people reach for, mapped to the kind they mean (from the descriptors).
    static var aliases: [String: String] {
        var out: [String: String] = [:]
        for kind in StrategyKindName.allCases { for alias in kind.descriptor.aliases { out[alias] = kind.rawValue } }
        return out
    }
    static let maxPool = 10_000

    struct Base {
        var machine: Machine
        var python: PythonRuntime
        var costs: Costs
    }

    static func read(_ field: ScenarioField, base: Base) throws -> [Strategy] {
        let items = try field.array(
            what: "a list of strategies",
            hint: field.value.isCommaList ? "; write [\"threads\", \"asyncio\"] (on the command line: --set 'strategies=[\"threads\",\"asyncio\"]')"
                : "; write [\"sync\", \"threads\", \"processes\", \"gevent\", \"asyncio\"]")
        if items.isEmpty { throw field.error("no strategies; list at least one of \(kinds.joined(separator: ", ")), or leave the key out to run them all") }
        var strategies: [Strategy] = []
        var labelled: [String: (field: ScenarioField, explicit: Bool)] = [:]
        for item in items {
            let (strategy, explicitLabel) = try readOne(item, base: base)
            if let earlier = labelled[strategy.label] {
                if !explicitLabel {
                    throw item.error("a second \"\(strategy.label)\" strategy (\(earlier.field.path) is already labelled \"\(strategy.label)\"); give each a distinct \"label\", e.g. {\"kind\": \"\(strategy.kind.name)\", \"label\": \"\(strategy.kind.name)-2\"}")
                }
                throw item.error("the label \"\(strategy.label)\" is already used by \(earlier.field.path); labels name output files, so each must be unique")
            }
            labelled[strategy.label] = (item, explicitLabel)
            strategies.append(strategy)
        }
        return strategies
    }

    static func readKind(_ f: ScenarioField) throws -> StrategyKindName {
        let s = try f.string(what: "a strategy kind (\(kinds.joined(separator: ", ")))")
        guard let kind = StrategyKindName(name: s) else {
            let hint = aliases[s.lowercased()].map { " (did you mean \"\($0)\"?)" } ?? DidYouMean.clause(for: s, among: kinds)
            throw f.error("unknown strategy \"\(s)\"\(hint); the strategies are \(kinds.joined(separator: ", "))")
        }
        return kind
    }

    static func readOne(_ field: ScenarioField, base: Base) throws -> (Strategy, explicitLabel: Bool) {
        if case .string = field.value {
            let kind = try readKind(field)
            try checkVersion(kind, python: base.python, at: field)
            return (Strategy(kind: versionDefaults(defaultKind(kind), python: base.python)), false)
        }
        guard case .object(let members) = field.value else {
            throw field.expected("a strategy: a name such as \"threads\" or an object such as {\"kind\": \"threads\", \"pool\": 4}")
        }
        // Read the kind first so that options of other kinds get a precise message.
        guard let kindMember = members.first(where: { $0.key == "kind" }) else {
            throw field.error("a strategy object needs \"kind\", e.g. {\"kind\": \"threads\", \"pool\": 4}")
        }
        let kind = try readKind(ScenarioField(node: kindMember.value, path: field.path.appending("kind")))
        let name = kind.rawValue
        let allowed = commonKeys + kind.descriptor.optionKeys
        for m in members where !allowed.contains(m.key) {
            let owners = kinds.filter { StrategyKindName(name: $0)!.descriptor.optionKeys.contains(m.key) }
            if !owners.isEmpty {
                throw ScenarioError(
                    location: m.keyLocation, path: field.path.appending(m.key).description,
                    message: "\"\(m.key)\" is an option of \(owners.joined(separator: " and ")), not of \(name); \(name) takes: \(allowed.joined(separator: ", "))")
            }
        }
        let o = try field.object(keys: allowed, what: "a \(name) strategy")
        var label: String?
        if let f = o["label"] {
            let s = try f.string(what: "a label (a string)")
            guard isValidLabel(s) else {
                throw f.error("the label \"\(s)\" cannot name files; use letters, digits, '-', '_' and '.', e.g. \"\(name)-pool4\"")
            }
            label = s
        }
        var resolvedKind = try readOptions(kind, o)
        let machine = try o["machine"].map { try SettingsReader.readMachine($0, base: base.machine) }
        let python = try o["python"].map { try SettingsReader.readPython($0, base: base.python) }
        try checkVersion(kind, python: python ?? base.python, at: field)
        if o["start_method"] == nil { resolvedKind = versionDefaults(resolvedKind, python: python ?? base.python) }
        let costs = try o["costs"].map { try SettingsReader.readCosts($0, base: base.costs) }
        return (Strategy(kind: resolvedKind, label: label, machine: machine, python: python, costs: costs), label != nil)
    }

    /// Refuses a kind the strategy's Python version does not have: `interpreters` needs one GIL per
    /// interpreter (PEP 684, 3.12).
    static func checkVersion(_ kind: StrategyKindName, python: PythonRuntime, at field: ScenarioField) throws {
        switch kind {
        case .interpreters:
            guard !python.version.perInterpreterGIL else { return }
            throw field.error("interpreters needs a GIL per interpreter (Python 3.12+, PEP 684; InterpreterPoolExecutor is 3.14), and this strategy runs Python \(python.version.rawValue); set the version on the strategy, e.g. {\"kind\": \"interpreters\", \"python\": {\"version\": \"3.14\"}}, or the scenario's \"python\": {\"version\": \"3.14\"}")
        case .sync, .threads, .processes, .gevent, .asyncio, .uvloop, .trio, .curio, .eventlet, .tornado, .twisted, .tasklets:
            return
        }
    }

    /// A kind with its default options.
    static func defaultKind(_ kind: StrategyKindName) -> Strategy.Kind { kind.defaultKind }

    /// Options whose default depends on the Python version, set for `python`'s: the start method of
    /// processes (forkserver from 3.14). Only for options the scenario left out.
    static func versionDefaults(_ kind: Strategy.Kind, python: PythonRuntime) -> Strategy.Kind {
        if case .processes(let pool, _) = kind { return .processes(pool: pool, startMethod: python.version.defaultStartMethod) }
        return kind
    }

    /// The kind with the options of object `o` (only the kind's own option keys are in it).
    static func readOptions(_ kind: StrategyKindName, _ o: ScenarioObject) throws -> Strategy.Kind {
        func count(_ key: String) throws -> Int? {
            try o[key].map { try $0.integer(in: 1...maxPool, what: key == "pool" ? "pool (number of workers)" : key) }
        }
        /// Whether CPU steps go to the kind's thread pool: its `cpu` option's first choice (else "inline").
        func offloads(_ defaultValue: Bool) throws -> Bool {
            guard let f = o["cpu"], let option = kind.descriptor.options.first(where: { $0.key == "cpu" }) else { return defaultValue }
            let choices = option.choices
            let s = try f.string(what: choices.map { "\"\($0)\"" }.joined(separator: " or "))
            guard choices.contains(s) else {
                throw f.error("unknown cpu placement \"\(s)\"\(DidYouMean.clause(for: s, among: choices)); \(kind.rawValue) takes \(option.summary)")
            }
            return s != "inline"
        }
        switch kind {
        case .sync: return .sync
        case .threads: return .threads(pool: try count("pool"))
        case .processes:
            var method = Defaults.startMethod
            if let f = o["start_method"] {
                let names = StartMethod.allCases.map(\.rawValue)
                let s = try f.string(what: "a start method (\(names.joined(separator: ", ")))")
                guard let m = StartMethod(rawValue: s) else {
                    throw f.error("unknown start method \"\(s)\"\(DidYouMean.clause(for: s, among: names)); use fork, forkserver or spawn")
                }
                method = m
            }
            return .processes(pool: try count("pool"), startMethod: method)
        case .gevent: return .gevent
        case .asyncio:
            return .asyncio(executorWorkers: try count("executor_workers"), cpuInExecutor: try offloads(Defaults.asyncioCPUInExecutor))
        case .uvloop:
            return .uvloop(executorWorkers: try count("executor_workers"), cpuInExecutor: try offloads(Defaults.asyncioCPUInExecutor))
        case .trio:
            return .trio(threadLimit: try count("thread_limit") ?? Defaults.trioThreadLimit, cpuInThread: try offloads(true))
        case .curio:
            return .curio(threadLimit: try count("thread_limit") ?? Defaults.curioThreadLimit, cpuInThread: try offloads(true))
        case .eventlet:
            return .eventlet(tpoolSize: try count("thread_limit") ?? Defaults.eventletTpoolSize, cpuInTpool: try offloads(false))
        case .tornado:
            return .tornado(maxClients: try count("max_clients") ?? Defaults.tornadoMaxClients,
                            executorWorkers: try count("executor_workers"), cpuInExecutor: try offloads(Defaults.asyncioCPUInExecutor))
        case .twisted:
            return .twisted(threadLimit: try count("thread_limit") ?? Defaults.twistedThreadLimit, cpuInThread: try offloads(true))
        case .tasklets: return .tasklets
        case .interpreters: return .interpreters(pool: try count("pool"))
        }
    }

    /// Labels become parts of file names.
    static func isValidLabel(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 64 && s.first != "." && s.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == ".")
        }
    }
}

extension JSONValue {
    /// A string such as "threads,asyncio" (a list written the shell way).
    var isCommaList: Bool {
        if case .string(let s) = self { return s.contains(",") }
        return false
    }
}
