import SimEngine

/// One concrete thing a task does next, with its durations drawn.
public enum Operation: Sendable, Equatable {
    /// CPU work of a kind.
    case cpu(SimTime, CPUKind)
    /// An I/O call: `cpu` of Python-side work holding the GIL, then `latency` of waiting (plus connection
    /// set-up where `newConnection`).
    case io(cpu: SimTime, latency: SimTime, newConnection: Bool)
    /// `time.sleep` / `gevent.sleep` / `asyncio.sleep`.
    case sleep(SimTime)
}

/// One instance of a task group: "download #3".
public struct TaskInstance: Sendable, Equatable {
    /// Position among all instances of the scenario (foreground and background), in file order.
    public var index: Int
    public var group: Int
    /// Position within its group.
    public var indexInGroup: Int
    public var name: String
    public var background: Bool
}

/// A task group's steps compiled to a flat program: leaves and loop markers.
public struct CompiledProgram: Sendable {
    public enum Instruction: Sendable {
        case leaf(Leaf)
        /// Start of a `repeat` whose body runs `count` times and ends at `end`.
        case loopStart(count: Int, end: Int)
        /// End of a loop body starting after `start`.
        case loopEnd(start: Int)
    }
    /// A step that draws an operation: a `Step` other than `repeat`, its distributions given by their place in
    /// `distributions`. Plain integers, so that reading an instruction copies no reference: read out of the
    /// program every operation, the indirect `Step`'s box and a `Distribution`'s payload (an empirical one
    /// holds an array) were retained and released each time.
    public enum Leaf: Sendable {
        case cpu(duration: Int, CPUKind)
        case io(cpu: Int, latency: Int, newConnection: Bool)
        case sleep(Int)
    }
    public private(set) var instructions: [Instruction] = []
    /// The leaves' distributions, in program order.
    public private(set) var distributions: [Distribution] = []

    public init(_ steps: [Step]) { append(steps) }

    private mutating func add(_ d: Distribution) -> Int {
        distributions.append(d)
        return distributions.count - 1
    }

    private mutating func append(_ steps: [Step]) {
        for step in steps {
            switch step {
            case .repeat(let count, let body):
                let start = instructions.count
                instructions.append(.loopStart(count: count, end: -1))
                append(body)
                instructions.append(.loopEnd(start: start))
                instructions[start] = .loopStart(count: count, end: instructions.count - 1)
            case .cpu(let c): instructions.append(.leaf(.cpu(duration: add(c.duration), c.kind)))
            case .io(let io):
                let cpu = add(io.cpu)
                instructions.append(.leaf(.io(cpu: cpu, latency: add(io.latency), newConnection: io.connection == .new)))
            case .sleep(let d): instructions.append(.leaf(.sleep(add(d))))
            }
        }
    }
}

/// Walks one task's program and draws its operations in program order from the task's own random stream,
/// so a task sees the same durations in every strategy. A background task starts over at the end.
///
/// - Complexity: amortized O(1) per operation; no allocation after the first loop entry.
public struct TaskCursor: Sendable {
    let program: CompiledProgram
    let loops: Bool
    var pc = 0
    /// Passes left in the innermost open loop (kept apart from the outer ones' so that the usual loop's end,
    /// every operation, writes no array), how many loops are open, and the outer ones' passes left.
    var innermost = 0
    var depth = 0
    var remaining: [Int] = []
    var rng: SplitMix64
    /// How many times a background task has gone through its whole program.
    public private(set) var iterations = 0

    public init(program: CompiledProgram, seed: UInt64, taskIndex: Int, loops: Bool) {
        self.program = program
        self.loops = loops
        self.rng = SplitMix64(seed: seed, stream: UInt64(taskIndex) &+ 1)
        remaining.reserveCapacity(4)
    }

    /// The next operation, or nil when a foreground task has finished.
    public mutating func next() -> Operation? {
        let code = program.instructions
        var guardSteps = 0
        while true {
            if pc >= code.count {
                iterations += 1
                guard loops, !code.isEmpty else { return nil }
                pc = 0
                guardSteps += 1
                if guardSteps > 2 { return nil }  // a loop with no leaves at all
            }
            switch code[pc] {
            case .leaf(let step):
                pc += 1
                return draw(step)
            case .loopStart(let count, let end):
                if count <= 0 {
                    pc = end + 1
                } else {
                    if depth > 0 { remaining.append(innermost) }
                    innermost = count
                    depth += 1
                    pc += 1
                }
            case .loopEnd(let start):
                innermost -= 1
                if innermost > 0 {
                    pc = start + 1
                } else {
                    depth -= 1
                    if depth > 0 { innermost = remaining.removeLast() }
                    pc += 1
                }
            }
        }
    }

    private mutating func draw(_ leaf: CompiledProgram.Leaf) -> Operation {
        switch leaf {
        case .cpu(let d, let kind): return .cpu(program.distributions[d].draw(&rng), kind)
        case .io(let cpu, let latency, let newConnection):
            // The CPU first, then the latency: the order of the task's stream.
            let c = program.distributions[cpu].draw(&rng)
            return .io(cpu: c, latency: program.distributions[latency].draw(&rng), newConnection: newConnection)
        case .sleep(let d): return .sleep(program.distributions[d].draw(&rng))
        }
    }
}

/// The scenario's task instances and their programs.
public struct Workload: Sendable {
    public let instances: [TaskInstance]
    public let programs: [CompiledProgram]
    public let seed: UInt64

    public init(_ scenario: Scenario) {
        var instances: [TaskInstance] = []
        for (g, group) in scenario.tasks.enumerated() {
            for i in 0..<group.count {
                let name = group.count == 1 ? group.name : "\(group.name) #\(i + 1)"
                instances.append(TaskInstance(index: instances.count, group: g, indexInGroup: i, name: name, background: group.background))
            }
        }
        self.instances = instances
        self.programs = scenario.tasks.map { CompiledProgram($0.steps) }
        self.seed = scenario.seed
    }

    /// A fresh cursor over instance `index`'s operations.
    public func cursor(for index: Int) -> TaskCursor {
        let inst = instances[index]
        return TaskCursor(program: programs[inst.group], seed: seed, taskIndex: index, loops: inst.background)
    }

    /// All of a foreground instance's operations (or the first `limit` of a background one).
    public func operations(of index: Int, limit: Int = 1_000_000) -> [Operation] {
        var c = cursor(for: index)
        var out: [Operation] = []
        while out.count < limit, let op = c.next() { out.append(op) }
        return out
    }
}
