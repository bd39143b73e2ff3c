import Foundation

/// Times two whole commands of the `simulate` binary built beside this one (so the figures include
/// process start, reading the scenario, every strategy, writing results and pictures):
/// `simulate scenarios/io_heavy.json` with its pictures (target 0.15 s) and a 1,000-point sweep of it, all
/// five strategies at each point (target 10 s). Run from the package folder, after
/// `swift build -c release` (both products).
func runCommandBenchmark() {
    let simulate = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("simulate").path
    let scenario = "scenarios/io_heavy.json"
    guard FileManager.default.isExecutableFile(atPath: simulate), FileManager.default.fileExists(atPath: scenario) else {
        print("commands: skipped (needs \(simulate) and \(scenario): run from the package folder after `swift build -c release`)")
        return
    }
    let folder = NSTemporaryDirectory() + "simulate-command-bench-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let commands: [(label: String, arguments: [String], runs: Int, target: Double)] = [
        ("simulate \(scenario) (7 pictures)", [scenario, "-o", folder + "/run"], 10, 0.15),
        ("simulate sweep \(scenario) --vary 'tasks[0].count=1..1000' (5,000 runs)",
         ["sweep", scenario, "--vary", "tasks[0].count=1..1000", "-o", folder + "/sweep"], 2, 10),
    ]
    for command in commands {
        var times: [Double] = []
        for _ in 0..<command.runs {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: simulate)
            process.arguments = command.arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            let start = DispatchTime.now().uptimeNanoseconds
            do { try process.run() } catch {
                print("commands: cannot start \(simulate): \(error)")
                return
            }
            process.waitUntilExit()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            guard process.terminationStatus == 0 else {
                print("commands: \(command.label) exited with status \(process.terminationStatus)")
                return
            }
        }
        let sorted = times.sorted()
        let median = sorted[sorted.count / 2]
        print(String(format: "%@: median %.3f s, best %.3f s, worst %.3f s wall over %d runs (target %.2f s) %@",
                     command.label, median, sorted[0], sorted[sorted.count - 1], times.count, command.target,
                     median <= command.target ? "ok" : "SLOW"))
    }
}
