import SimEngine
import SimModel
import SimScenario
import SimTrace
import XCTest

/// `RunMetrics.cpuStepPace`: the tasks' CPU steps' time on a core over their planned durations, the model's
/// side of what a real run measures with each step's thread CPU time.
final class CPUStepPaceTests: XCTestCase {
    let ms = Fixtures.ms

    /// Waits are not in it: threads queued for the GIL, for a core, a loop's coroutines waiting for its
    /// executor, each strategy over several seeds, all run their steps at the planned pace, exactly.
    func testWaitsForTheGILOrACoreAreNotInThePace() throws {
        for seed: UInt64 in 1...8 {
            for strategy in Fixtures.all {
                for cores in [1, 2] {
                    let s = Fixtures.cpu(4, ms(12), kind: .cHoldsGIL, cores: cores, seed: seed)
                    let run = try Simulator.run(s, strategy: strategy, options: SimulationOptions(checkInvariants: seed == 1))
                    let pace = try XCTUnwrap(run.metrics.cpuStepPace, "\(strategy.label)")
                    XCTAssertEqual(pace, 1, accuracy: 1e-12, "\(strategy.label), \(cores) cores, seed \(seed)")
                }
            }
        }
    }

    /// A background task's step still running when the program ends counts for the part it ran: a spinner of
    /// 1 s steps beside a 30 ms task keeps the pace at 1 (its unfinished step is not planned time).
    func testAnUnfinishedBackgroundStepCountsForWhatItRan() throws {
        let s = Scenario(name: "bg", seed: 1, machine: Machine(cores: 2), tasks: [
            TaskGroup(name: "spin", background: true, steps: [.cpu(CPUStep(duration: .constant(ms(1_000))))]),
            TaskGroup(name: "work", steps: [.cpu(CPUStep(duration: .constant(ms(30))))]),
        ])
        let run = try Simulator.run(s, strategy: Fixtures.threads, options: SimulationOptions(checkInvariants: true))
        XCTAssertLessThan(run.metrics.makespan, ms(1_000))
        XCTAssertEqual(try XCTUnwrap(run.metrics.cpuStepPace), 1, accuracy: 1e-9)
    }

    /// `SimulationOptions.stepPace` stretches every step's work and says so in the pace: threads of GIL-free
    /// steps at a pace of 1.25, each step 25% longer, the pace 1.25 exactly; a sequential run 25% of its
    /// steps longer, exactly.
    func testAStepPaceStretchesTheStepsAndIsTheirPace() throws {
        let s = Fixtures.cpu(3, ms(20), kind: .cReleasesGIL, cores: 2)
        let paced = try Simulator.run(s, strategy: Fixtures.threads, options: SimulationOptions(checkInvariants: true, stepPace: 1.25))
        XCTAssertEqual(try XCTUnwrap(paced.metrics.cpuStepPace), 1.25, accuracy: 1e-9)
        let plain = try Simulator.run(s, strategy: Fixtures.sync)
        let slow = try Simulator.run(s, strategy: Fixtures.sync, options: SimulationOptions(stepPace: 1.25))
        XCTAssertEqual(slow.metrics.makespan, plain.metrics.makespan + ms(15))
    }

    /// Cores busy at once slow each other (`parallelEfficiency` e): two processes of 40 ms of bytecode on two
    /// cores with e = 0.8 overlap for all but their starts, so the pace is just under 1 / e = 1.25; on one core
    /// they take turns and each runs alone, at 1. No steps, no pace.
    func testThePaceIsTheSlowdownOfCoresBusyAtOnce() throws {
        var s = Fixtures.cpu(2, ms(40), cores: 2)
        s.machine.parallelEfficiency[.python] = 0.8
        let both = try Simulator.run(s, strategy: Fixtures.processes, options: SimulationOptions(checkInvariants: true))
        let pace = try XCTUnwrap(both.metrics.cpuStepPace)
        XCTAssertGreaterThan(pace, 1.2)
        XCTAssertLessThanOrEqual(pace, 1.25 + 1e-9)
        s.machine.cores = 1
        let turns = try Simulator.run(s, strategy: Fixtures.processes, options: SimulationOptions(checkInvariants: true))
        XCTAssertEqual(try XCTUnwrap(turns.metrics.cpuStepPace), 1, accuracy: 1e-12)
        let sleeper = Scenario(name: "sleep", seed: 1, machine: Machine(cores: 2),
                               tasks: [TaskGroup(name: "nap", steps: [.sleep(.constant(ms(5)))])])
        XCTAssertNil(try Simulator.run(sleeper, strategy: Fixtures.threads).metrics.cpuStepPace)
    }
}
