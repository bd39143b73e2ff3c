import XCTest
import SimEngine
import SimModel
import SimScenario

/// Scenarios at the edges of what the reader accepts simulate without trapping, and a run that would pass
/// the horizon or the event budget stops with a message naming the limit.
final class HostileModelTests: XCTestCase {
    func testAFreeThreadedRunOfTheLongestCPUStepDoesNotTrap() throws {
        // The free-threading overhead used to trap scaling a huge step.
        let scenario = Scenario(name: "ft", python: PythonRuntime(gil: false),
                                tasks: [TaskGroup(name: "cpu", count: 2, steps: [.cpu(CPUStep(duration: .constant(.milliseconds(100_000_000))))])])
        let run = try Simulator.run(scenario, strategy: Strategy(kind: .threads(pool: nil)), options: SimulationOptions(trace: false))
        XCTAssertEqual(Double(run.metrics.makespan.nanoseconds), 108_000 * 1e9, accuracy: 1e9)
    }

    func testARunPastTheHorizonStopsWithAMessage() {
        // Built in code, past the reader's checks: 200 sleeps of the longest duration, 2e17 ns in all.
        let scenario = Scenario(name: "long", tasks: [TaskGroup(name: "s", steps: [.repeat(count: 200, steps: [.sleep(.constant(SimTime.maxDuration))])])])
        XCTAssertThrowsError(try Simulator.run(scenario, strategy: Strategy(kind: .sync), options: SimulationOptions(trace: false))) { error in
            XCTAssertTrue("\(error)".contains("passed 100000000s of simulated time"), "\(error)")
        }
    }

    func testTheEventBudgetStopsARunAndNamesTheOption() {
        let scenario = Fixtures.cpu(2, .milliseconds(10_000))
        XCTAssertThrowsError(try Simulator.run(scenario, strategy: Fixtures.threads, options: SimulationOptions(trace: false, maxEvents: 500))) { error in
            XCTAssertTrue("\(error)".contains("within the budget of 500 events"), "\(error)")
            XCTAssertTrue("\(error)".contains("--max-events"), "\(error)")
        }
    }
}
