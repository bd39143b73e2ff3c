import ArgumentParser
import SimModel
import SimRealRuns
import SimScenario
import SimTrace

/// The two calls the real-run commands need from other parts of the tool. TEMPORARY on branch `real`:
/// the lead replaces both bodies with `ScenarioLoader.load(path:overrides:)` and `Simulator.run(...)`.
enum RealCommandsWiring {
    /// Loads a scenario file (here: only the built-in examples `cpu_heavy` and `io_heavy`).
    static func loadScenario(_ path: String) throws -> Scenario {
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        guard let scenario = ExampleScenarios.named(name) else {
            throw ValidationError("\(path): scenario files are not wired yet on this branch; use cpu_heavy or io_heavy")
        }
        return scenario
    }

    /// The model's prediction of one strategy.
    static func predict(_ scenario: Scenario, strategy: Strategy) throws -> SimulationRun {
        throw ValidationError("the model is not wired yet on this branch (Simulator.run)")
    }
}

import Foundation
