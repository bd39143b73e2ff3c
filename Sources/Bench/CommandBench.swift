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
            let start = DispatchTime.now().uptimeNanoseconds
            let status: Int32
            do { status = try runToExit(simulate, command.arguments) } catch {
                print("commands: cannot start \(simulate): \(error)")
                return
            }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            guard status == 0 else {
                print("commands: \(command.label) exited with status \(status)")
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

/// Runs `path` with `arguments`, output to /dev/null, and waits for it with waitpid: its exit status.
/// (Foundation's `Process.waitUntilExit` polls a run loop and on Linux rounded these times up to the next
/// 50 ms, so that 0.10 s showed as 0.15 s.)
private func runToExit(_ path: String, _ arguments: [String]) throws -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
    guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    // WIFEXITED / WEXITSTATUS (macros Swift does not import): exited normally when the low 7 bits are 0.
    return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
}
