import XCTest
import SimEngine
@testable import SimScenario

/// `Step.forEachLeaf` and `Step.mappingIO`: the walks the counting and rewriting code uses instead of
/// following `repeat` itself.
final class StepWalkTests: XCTestCase {
    private let cpu = Step.cpu(CPUStep(duration: .constant(.milliseconds(2))))
    private let newCall = Step.io(IOStep(latency: .constant(.milliseconds(10))))
    private let sleep = Step.sleep(.constant(.milliseconds(5)))

    /// A program with nested repeats: every leaf is visited once, in program order, with the product of
    /// the counts around it.
    func testEachLeafOnceInOrderWithTheProductOfItsRepeats() {
        let steps: [Step] = [cpu, .repeat(count: 3, steps: [newCall, .repeat(count: 4, steps: [sleep, cpu])]), newCall]
        var seen: [(String, Double)] = []
        Step.forEachLeaf(in: steps, times: 2) { leaf, times in
            switch leaf {
            case .cpu: seen.append(("cpu", times))
            case .io: seen.append(("io", times))
            case .sleep: seen.append(("sleep", times))
            }
        }
        XCTAssertEqual(seen.map(\.0), ["cpu", "io", "sleep", "cpu", "io"])
        XCTAssertEqual(seen.map(\.1), [2, 6, 24, 24, 2])
    }

    /// The multiplicities add up to the number of leaf steps a run executes, counted by unrolling the
    /// repeats, for random nested programs.
    func testTheMultiplicitiesCountTheStepsARunExecutes() {
        var random = SplitMix64(seed: 7)
        func program(depth: Int) -> [Step] {
            (0..<(1 + random.nextIndex(below: 3))).map { _ in
                switch random.nextIndex(below: depth > 0 ? 4 : 3) {
                case 0: return cpu
                case 1: return newCall
                case 2: return sleep
                default: return .repeat(count: random.nextIndex(below: 4), steps: program(depth: depth - 1))
                }
            }
        }
        func unrolled(_ steps: [Step]) -> Int {
            steps.reduce(0) { n, step in
                if case .repeat(let count, let body) = step { return n + count * unrolled(body) }
                return n + 1
            }
        }
        for _ in 0..<200 {
            let steps = program(depth: 3)
            var total = 0.0
            Step.forEachLeaf(in: steps) { _, times in total += times }
            XCTAssertEqual(total, Double(unrolled(steps)))
        }
    }

    /// Rewriting the I/O calls keeps the repeats and every other step as written.
    func testMappingIOChangesOnlyTheCalls() {
        let step = Step.repeat(count: 5, steps: [cpu, newCall, .repeat(count: 2, steps: [newCall, sleep])])
        let reused = step.mappingIO { var io = $0; io.connection = .reuse; return io }
        var reuse = IOStep(latency: .constant(.milliseconds(10)))
        reuse.connection = .reuse
        XCTAssertEqual(reused, .repeat(count: 5, steps: [cpu, .io(reuse), .repeat(count: 2, steps: [.io(reuse), sleep])]))
        XCTAssertEqual(cpu.mappingIO { _ in reuse }, cpu)
    }
}
