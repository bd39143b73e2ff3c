/// A step that does work (a CPU burst, an I/O call or a sleep): what a walk through a task's `repeat`s
/// reaches (`Step.forEachLeaf`).
public enum LeafStep: Sendable, Equatable {
    case cpu(CPUStep)
    case io(IOStep)
    case sleep(Distribution)
}

/// Walks over a task's program, so that the code that counts, collects or rewrites its steps does not
/// follow `repeat` itself.
extension Step {
    /// Calls `visit` with each leaf of `steps`, in program order, and how many times it runs: `times`
    /// multiplied by the counts of the `repeat`s around it (a leaf is visited once however often it runs).
    /// - Complexity: O(steps written), not O(steps run).
    public static func forEachLeaf(in steps: [Step], times: Double = 1,
                                   _ visit: (LeafStep, Double) throws -> Void) rethrows {
        for step in steps {
            switch step {
            case .cpu(let cpu): try visit(.cpu(cpu), times)
            case .io(let io): try visit(.io(io), times)
            case .sleep(let duration): try visit(.sleep(duration), times)
            case .repeat(let count, let body): try forEachLeaf(in: body, times: times * Double(max(count, 0)), visit)
            }
        }
    }

    /// This step with each I/O call in it replaced by `transform` of it, the `repeat`s as written.
    /// - Complexity: O(steps written).
    public func mappingIO(_ transform: (IOStep) throws -> IOStep) rethrows -> Step {
        switch self {
        case .io(let io): return .io(try transform(io))
        case .repeat(let count, let steps): return .repeat(count: count, steps: try steps.map { try $0.mappingIO(transform) })
        case .cpu, .sleep: return self
        }
    }
}
