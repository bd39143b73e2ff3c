import Foundation

// simulate-bench: prints the model's and the renderer's speed. Build with -c release:
//   swift run -c release simulate-bench            # the standard scenario, then rendering
//   swift run -c release simulate-bench --small    # a 100 x 100 version, in a second
//   swift run -c release simulate-bench --model    # the standard scenario only, tracing off (for profiling)
//   swift run -c release simulate-bench --traced   # the standard scenario only, tracing on
//   swift run -c release simulate-bench --commands # only the whole-command timings (needs `swift build -c release`)
let small = CommandLine.arguments.contains("--small")
let tracedOnly = CommandLine.arguments.contains("--traced")
let modelOnly = CommandLine.arguments.contains("--model") || tracedOnly
let commandsOnly = CommandLine.arguments.contains("--commands")
if commandsOnly {
    runCommandBenchmark()
    exit(0)
}
do {
    try runModelBenchmark(threads: small ? 100 : 1_000, calls: small ? 100 : 1_000, tracing: tracedOnly ? [true] : modelOnly ? [false] : [false, true])
} catch {
    FileHandle.standardError.write(Data("simulate-bench: \(error)\n".utf8))
    exit(1)
}
if !small && !modelOnly {
    runRenderingBenchmark()
    runCommandBenchmark()
}
