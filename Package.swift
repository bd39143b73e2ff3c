// swift-tools-version:6.0
import PackageDescription

// The folders show the architecture:
//   Engine    - virtual time, the event queue, the seeded generator (no Python knowledge)
//   Scenario  - the scenario file: format, defaults, validation, the drawn workload
//   Trace     - what a run produces: lanes, state intervals, instants, metrics
//   Model     - cores, OS scheduler, GIL, I/O, gevent, asyncio, processes (the simulation)
//   Report    - terminal table, verdicts, results.json / results.csv
//   Rendering - Cairo timelines (PNG/SVG/PDF) and the Perfetto export
//   RealRuns  - the same scenario run as real Python programs, calibration, comparison
//   Sweep     - what-if sweeps: --vary ranges, the cross product run on worker threads, shards and merge
//   Validation - the validation matrix: recorded measurements, the model checked against them, the picture
//   simulate  - the command line: parses arguments and wires the libraries together
let package = Package(
    name: "simulate",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "simulate", targets: ["simulate"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "SimEngine", path: "Sources/Engine"),
        .target(name: "SimScenario", dependencies: ["SimEngine"], path: "Sources/Scenario"),
        .target(name: "SimTrace", dependencies: ["SimEngine"], path: "Sources/Trace"),
        .target(name: "SimModel", dependencies: ["SimEngine", "SimScenario", "SimTrace"], path: "Sources/Model"),
        .target(name: "SimReport", dependencies: ["SimEngine", "SimScenario", "SimTrace"], path: "Sources/Report"),
        .systemLibrary(
            name: "CCairo", path: "Sources/CCairo", pkgConfig: "cairo",
            providers: [.apt(["libcairo2-dev", "zlib1g-dev"])]),
        .target(name: "SimRendering", dependencies: ["CCairo", "SimEngine", "SimTrace"], path: "Sources/Rendering"),
        .target(
            name: "SimRealRuns",
            dependencies: ["SimEngine", "SimScenario", "SimTrace", "SimModel"],
            path: "Sources/RealRuns",
            resources: [.copy("python")]),
        .target(
            name: "SimSweep", dependencies: ["SimEngine", "SimScenario", "SimTrace", "SimModel", "SimReport", "SimRendering"],
            path: "Sources/Sweep"),
        .target(
            name: "SimValidation",
            dependencies: ["CCairo", "SimEngine", "SimScenario", "SimTrace", "SimModel", "SimRendering", "SimRealRuns"],
            path: "Sources/Validation"),
        .executableTarget(
            name: "simulate",
            dependencies: [
                "SimEngine", "SimScenario", "SimTrace", "SimModel", "SimReport", "SimRendering", "SimRealRuns", "SimSweep",
                "SimValidation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/simulate"),
        .executableTarget(
            name: "simulate-bench",
            dependencies: ["SimEngine", "SimScenario", "SimTrace", "SimModel", "SimRendering"],
            path: "Sources/Bench"),
        .testTarget(name: "EngineTests", dependencies: ["SimEngine"], path: "Tests/EngineTests"),
        .testTarget(name: "ScenarioTests", dependencies: ["SimScenario", "SimEngine"], path: "Tests/ScenarioTests"),
        .testTarget(
            name: "ModelTests", dependencies: ["SimModel", "SimScenario", "SimTrace", "SimEngine"],
            path: "Tests/ModelTests"),
        .testTarget(
            name: "ReportTests", dependencies: ["SimReport", "SimModel", "SimScenario", "SimTrace"],
            path: "Tests/ReportTests"),
        .testTarget(
            name: "RenderingTests", dependencies: ["SimRendering", "SimTrace", "SimEngine", "CCairo"],
            path: "Tests/RenderingTests"),
        .testTarget(
            name: "SweepTests", dependencies: ["SimSweep", "SimReport", "SimScenario", "SimRendering"],
            path: "Tests/SweepTests"),
        .testTarget(name: "CommandTests", dependencies: ["simulate"], path: "Tests/CommandTests"),
        .testTarget(
            name: "RealRunsTests", dependencies: ["SimRealRuns", "SimScenario", "SimModel", "SimTrace", "SimEngine"],
            path: "Tests/RealRunsTests", exclude: ["Fixtures"]),  // read by path (#filePath), not bundled
        .testTarget(
            name: "ValidationTests", dependencies: ["SimValidation", "SimRealRuns", "SimScenario", "SimEngine"],
            path: "Tests/ValidationTests"),
    ]
)
