import SimEngine

/// Turns a scenario document (after overrides) into a validated `Scenario` with every default filled in.
enum ScenarioReader {
    static let topKeys = ["$schema", "version", "name", "description", "seed", "machine", "python", "costs", "tasks", "strategies", "reference"]
    static let referenceKeys = ["source", "makespan"]

    static func read(_ root: JSONNode, defaultName: String) throws -> Scenario {
        let field = ScenarioField(node: root, path: .root)
        let o = try field.object(keys: topKeys, what: "the scenario", hint: "; a scenario file is a JSON object such as {\"tasks\": [...]}")
        // The schema editors check the file against (schema/scenario.schema.json); nothing to do with it here.
        if let f = o["$schema"] { _ = try f.string(what: "the schema's address (a string), e.g. \"../schema/scenario.schema.json\"") }
        if let f = o["version"] {
            guard case .number(let literal) = f.value, ScenarioField.wholeNumber(literal) == Int64(Defaults.version) else {
                throw f.error("version \(f.value.shortDescription) is not supported; this simulate reads version \(Defaults.version) (or leave \"version\" out)")
            }
        }
        var name = defaultName
        if let f = o["name"] {
            name = try f.string(what: "a name (a string)")
            if name.isEmpty { throw f.error("the name is empty; leave it out to use the file's name") }
        }
        let description = try o["description"].map { try $0.string(what: "a description (a string)") } ?? ""
        let seed = try o["seed"].map { try $0.unsigned64(what: "the seed") } ?? Defaults.seed
        let machine = try SettingsReader.readMachine(o["machine"], base: Machine())
        let python = try SettingsReader.readPython(o["python"], base: PythonRuntime())
        let costs = try SettingsReader.readCosts(o["costs"], base: Costs())
        let tasksField = try o.required("tasks", in: "a scenario", example: "\"tasks\": [{\"name\": \"download\", \"count\": 10, \"steps\": [{\"io\": \"180ms\"}]}]")
        let tasks = try TaskReader.readGroups(tasksField)
        let strategies = try o["strategies"].map {
            try StrategyReader.read($0, base: .init(machine: machine, python: python, costs: costs))
        } ?? Defaults.strategies
        let reference = try o["reference"].map(readReference)
        let scenario = Scenario(
            name: name, description: description, seed: seed, machine: machine, python: python, costs: costs,
            tasks: tasks, strategies: strategies, reference: reference)
        // Every single duration is at most SimTime.maxDuration; their sum over repeats and tasks is checked
        // here so that no run can approach the end of Int64 nanoseconds.
        let serial = WorkEstimate(scenario).serialTime
        if serial > SimTime.horizon {
            let shown = serial >= .never ? "more than 292 years" : "about \(DurationSyntax.format(serial))"
            throw tasksField.error(
                "the tasks add up to \(shown) of simulated time (expected durations, one task after another), beyond the limit of \(DurationSyntax.format(SimTime.horizon)) (about 3.2 years); use fewer repeats or tasks, or shorter steps")
        }
        return scenario
    }

    static func readReference(_ field: ScenarioField) throws -> Reference {
        let example = "{\"source\": \"the article\", \"makespan\": {\"sync\": \"31.4s\", \"threads\": \"7.9s\"}}"
        let o = try field.object(keys: referenceKeys, what: "reference", hint: "; write \(example)")
        var reference = Reference()
        if let f = o["source"] { reference.source = try f.string(what: "a source (a string)") }
        if let f = o["makespan"] {
            // Keys are strategy labels, so any label is allowed: read the object without a key list.
            guard case .object(let pairs) = f.value else { throw f.expected("makespan per strategy label, e.g. \(example)") }
            for m in pairs where m.value.value != .null {
                let item = ScenarioField(node: m.value, path: f.path.appending(m.key))
                if reference.makespans[m.key] != nil {
                    throw item.error("\"\(m.key)\" is given twice; keep one")
                }
                let t = try item.duration(what: "a makespan")
                if t == .zero { throw item.error("a makespan of 0; give the measured wall time, e.g. \"7.9s\"") }
                reference.makespans[m.key] = t
            }
        }
        return reference
    }
}
