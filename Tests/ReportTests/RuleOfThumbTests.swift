import Foundation
import XCTest
import SimEngine
import SimModel
import SimScenario
@testable import SimReport

/// The seed article's rule of thumb, read as `RuleOfThumb` reads it, and set beside the model's choice.
final class RuleOfThumbTests: XCTestCase {
    private func advise(_ scenario: Scenario) throws -> Advice {
        let runs = try scenario.strategies.map { try Simulator.run(scenario, strategy: $0).metrics }
        return Advice(scenario: scenario, runs: runs)
    }

    private func io(count: Int, latency: SimTime, cpu: SimTime = .microseconds(100)) -> Scenario {
        Scenario(name: "io", tasks: [TaskGroup(name: "fetch", count: count, steps: [
            .io(IOStep(latency: .constant(latency), cpu: .constant(cpu))),
        ])])
    }

    func testEachLineOfTheRule() {
        func pick(_ s: Scenario) -> String? { RuleOfThumb(scenario: s).pick }
        XCTAssertEqual(pick(Fixtures.cpuBoundScenario()), "processes")
        XCTAssertEqual(pick(io(count: 20, latency: .milliseconds(2))), "threads", "fast I/O, limited connections")
        XCTAssertEqual(pick(io(count: 500, latency: .milliseconds(200))), "asyncio", "slow I/O, many connections")
        XCTAssertNil(pick(io(count: 500, latency: .milliseconds(2))), "fast I/O but many connections: undecided")
        XCTAssertNil(pick(io(count: 10, latency: .milliseconds(200))), "slow I/O but few connections: undecided")
        XCTAssertNil(pick(Fixtures.mixedScenario()), "a mixed workload is not covered")
        // The limits are where the reading says: 100 connections are limited, 101 are many; 10 ms is slow.
        XCTAssertEqual(pick(io(count: RuleOfThumb.connectionLimit, latency: .milliseconds(9))), "threads")
        XCTAssertNil(pick(io(count: RuleOfThumb.connectionLimit + 1, latency: .milliseconds(9))))
        XCTAssertEqual(pick(io(count: RuleOfThumb.connectionLimit + 1, latency: RuleOfThumb.fastIOLimit)), "asyncio")
    }

    func testTheModelAgreesOnCPUBoundWork() throws {
        let advice = try advise(Fixtures.cpuBoundScenario(kind: .cHoldsGIL))
        XCTAssertEqual(advice.ruleOfThumbVerdict, "The article's rule of thumb agrees (CPU-bound (100% of its time on CPU) -> processes).")
        XCTAssertTrue(advice.lines.contains(advice.ruleOfThumbVerdict))
    }

    func testTheModelAgreesOnSlowIOWithManyConnections() throws {
        let advice = try advise(io(count: 500, latency: .milliseconds(200)))
        XCTAssertTrue(advice.ruleOfThumbVerdict.hasPrefix("The article's rule of thumb agrees"), advice.ruleOfThumbVerdict)
    }

    /// Many tiny CPU-bound jobs in C that releases the GIL: the rule says processes, but 400 spawned
    /// processes each pay a whole interpreter's start, and threads run the same C code in parallel.
    func testTheRuleIsTooCoarseForTinyCPUJobs() throws {
        var scenario = Scenario(name: "tiny", tasks: [TaskGroup(name: "hash", count: 400, steps: [
            .cpu(CPUStep(duration: .constant(.microseconds(500)), kind: .cReleasesGIL)),
        ])])
        scenario.strategies = [Strategy(kind: .threads(pool: 4)), Strategy(kind: .processes(pool: nil, startMethod: .spawn))]
        let advice = try advise(scenario)
        XCTAssertEqual(advice.choice, "threads")
        let verdict = advice.ruleOfThumbVerdict
        XCTAssertTrue(verdict.hasPrefix("The article's rule of thumb picks processes (CPU-bound"), verdict)
        XCTAssertTrue(verdict.hasSuffix("slower than threads here: the rule is too coarse for this workload."), verdict)
    }

    /// When the rule's kind wins only as a variant (threads without the GIL), the verdict says so.
    func testAVariantIsNamed() throws {
        var scenario = Fixtures.cpuBoundScenario(kind: .python)
        scenario.tasks = [TaskGroup(name: "io", count: 4, steps: [.repeat(count: 20, steps: [.io(IOStep(latency: .constant(.milliseconds(1)), cpu: .constant(.microseconds(20)), connection: .reuse))])]),
                          TaskGroup(name: "spin", count: 1, background: true, steps: [.cpu(CPUStep(duration: .constant(.milliseconds(50))))])]
        var nogil = PythonRuntime()
        nogil.gil = false
        scenario.strategies = [Strategy(kind: .threads(pool: nil)), Strategy(kind: .threads(pool: nil), label: "threads-nogil", python: nogil)]
        let advice = try advise(scenario)
        XCTAssertEqual(advice.choice, "threads-nogil")
        XCTAssertTrue(advice.ruleOfThumbVerdict.hasPrefix("The article's rule of thumb agrees only through threads-nogil"), advice.ruleOfThumbVerdict)
    }

    func testTheRuleIsWrittenToResults() throws {
        let scenario = Fixtures.cpuBoundScenario(kind: .cHoldsGIL)
        let runs = try scenario.strategies.map { try Simulator.run(scenario, strategy: $0).metrics }
        let json = try ResultsWriter.json(scenario: scenario, runs: runs, advice: Advice(scenario: scenario, runs: runs))
        let document = try ResultsDocument.makeDecoder().decode(ResultsDocument.self, from: Data(json.utf8))
        XCTAssertEqual(document.advice?.ruleOfThumb?.pick, "processes")
        XCTAssertEqual(document.advice?.ruleOfThumb?.reading, "CPU-bound (100% of its time on CPU)")
    }
}
