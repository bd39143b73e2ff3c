import ArgumentParser
import Foundation
import SimRealRuns
import SimTrace
import SimValidation

/// `simulate validate`: the model against the validation matrix's recorded measurements (in seconds), or
/// `--measure` to measure the matrix on this machine.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the model against the validation matrix's recorded measurements, or measure them.",
        discussion: """
            Without --measure: runs only the model on every case of validation/ against the measurements \
            recorded in validation/measurements.json, prints predicted against measured per strategy and \
            the median, 90th-percentile and worst absolute errors for the fit and the held-out halves and \
            the convoy curve's error at each switch interval, writes the fidelity picture, and exits with \
            status 1 if a prediction leaves its recorded band (the measured min..max widened by --tolerance) \
            and is not listed in the known misses (known_misses.json beside the measurements file, or \
            --known-misses), or if a listed miss is now inside its band. Another machine's measurements: \
            --measurements F --profile P, e.g. validation/second-host/ (its README).
            With --measure: runs the cases for real (each strategy --runs times, interleaved), timing a fixed \
            noise probe before and after, and records them with the machine profile and the date. Measure \
            in parts on a quiet machine, e.g. `flock /work/machine.lock simulate validate --measure --part 1/4`.
            With --pool a.json,b.json --measurements out.json: pools sessions measured separately (each \
            into its own file, with one profile) run by run into out.json, prints how far each session's \
            medians agree with each other's (the machine's own reproducibility, the floor under the model's \
            error), then checks the model against the pool. Sessions may each have their own profile \
            (`simulate calibrate --output cal-N.json` just before `--measure --machine cal-N.json`): each run \
            is then predicted with its own session's profile, each session's error against its own \
            prediction is printed beside the pooled one (`by session`), and the points every session \
            misses the same way by \(Int(FidelityReport.persistentMissPercent))% or more are named: the model's bias, not the machine's noise.
            """)

    @Option(help: ArgumentHelp("The matrix folder (matrix.json, cases/).", valueName: "folder"))
    var matrix: String = "validation"

    @Option(help: ArgumentHelp("The measurements file (default: <matrix>/measurements.json).", valueName: "file"))
    var measurements: String?

    @Flag(help: "Measure the cases for real on this machine and record them.")
    var measure = false

    @Flag(help: "With --measure: start a new measurements file with the current machine profile.")
    var fresh = false

    @Option(help: ArgumentHelp(
        "Pool these measurement files (comma-separated, each from --measure with one machine profile, not necessarily the same) run by run into --measurements, print how far each agrees with the others, then check the model against the pool, each run predicted with its own session's profile.",
        valueName: "list"))
    var pool: String?

    var poolFiles: [String] { commaSeparated(pool ?? "").filter { !$0.isEmpty } }

    @Option(help: ArgumentHelp("Only these cases (comma-separated names).", valueName: "list"))
    var cases: String?

    @Option(help: ArgumentHelp("With --measure: only part i of n (cases dealt in turn), e.g. 2/4.", valueName: "i/n"))
    var part: String = "1/1"

    @Option(help: "With --measure: repetitions of each strategy.")
    var runs: Int = 3

    @Option(help: ArgumentHelp("With --measure: measure a harness run again, up to this many times, when the machine changed speed during it; 0 keeps every run.", valueName: "n"))
    var steadyRetries: Int = RealRunOptions.defaultSteadyRetries

    @Option(name: .customLong("machine"), help: ArgumentHelp(
        "With --measure: the machine profile (calibrated first if the file is missing).", valueName: "file"))
    var machine: String = "output/machine.json"

    @Option(help: ArgumentHelp(
        "Without --measure: predict with this machine profile instead of the one recorded with the measurements (a later calibration, or the median of several).",
        valueName: "file"))
    var profile: String?

    @Option(help: "How far beyond the measured min..max a prediction may fall, in percent.")
    var tolerance: Double = 10

    @Option(help: ArgumentHelp("Each prediction is the median of the model run with this many seeds (the case's and the ones after it).", valueName: "n"))
    var seeds: Int = FidelityReport.defaultSeeds

    @Option(help: ArgumentHelp("Where to write the fidelity picture (PNG); the convoy curve goes beside it as <name>-convoy.png.", valueName: "file"))
    var picture: String = "output/validation/fidelity.png"

    @Option(help: ArgumentHelp(
        "The points the model is known to miss in these measurements (default: known_misses.json beside the measurements file, so another machine's measurements keep their own list).",
        valueName: "file"))
    var knownMisses: String?

    @Flag(help: "Write the points now outside their band to the known misses (--known-misses) after a deliberate model change or a new measurement.")
    var recordMisses = false

    @Flag(help: "Print only the summary, not the line per strategy.")
    var summaryOnly = false

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        guard tolerance >= 0 else { throw ValidationError("--tolerance must be 0 or more") }
        guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1") }
        try checkSteadyRetries(steadyRetries)
        guard parsedPart != nil else { throw ValidationError("--part \(part): write i/n with 1 <= i <= n, e.g. 2/4") }
        if fresh && !measure { throw ValidationError("--fresh only applies with --measure") }
        if let pool {
            if measure { throw ValidationError("--pool and --measure: measure each session into its own file first, then pool them") }
            guard measurements != nil else {
                throw ValidationError("--pool needs --measurements FILE: where to write the pooled measurements (validation/measurements.json to make them the recorded ones)")
            }
            guard poolFiles.count >= 2 else { throw ValidationError("--pool \(pool): give two or more measurement files, comma-separated") }
            for file in poolFiles where !FileManager.default.isReadableFile(atPath: file) {
                throw ValidationError("--pool: \(file) does not exist or cannot be read: give files written by simulate validate --measure --measurements FILE")
            }
        }
        if let knownMisses, !recordMisses, !FileManager.default.isReadableFile(atPath: knownMisses) {
            throw ValidationError("--known-misses \(knownMisses): the file does not exist or cannot be read: give a list written by simulate validate --record-misses --known-misses FILE")
        }
        if let profile {
            if measure { throw ValidationError("--profile only applies without --measure (to measure with a profile, give it with --machine)") }
            guard FileManager.default.isReadableFile(atPath: profile) else {
                throw ValidationError("--profile \(profile): the file does not exist or cannot be read: give a profile saved by `simulate calibrate --output FILE`")
            }
        }
    }

    var parsedPart: (Int, Int)? {
        let pieces = part.split(separator: "/").compactMap { Int($0) }
        guard pieces.count == 2, pieces[1] >= 1, (1...pieces[1]).contains(pieces[0]) else { return nil }
        return (pieces[0], pieces[1])
    }

    func run() throws {
        var passed = true
        try reportingErrors {
            let path = measurements ?? matrix + "/measurements.json"
            let loaded = try ValidationMatrix.load(folder: matrix)
            let names = cases.map { commaSeparated($0).filter { !$0.isEmpty } }
            if measure {
                let (i, n) = parsedPart!
                let chosen = try loaded.selecting(names: names, part: i, of: n)
                let environment = PythonEnvironment.locate()
                let profile = try Calibrator.profile(at: machine, environment: environment, log: { printError($0) })
                var recorded = fresh || !FileManager.default.fileExists(atPath: path)
                    ? MatrixMeasurements(machine: profile, repetitions: runs) : try MatrixMeasurements.load(from: path)
                let measurer = MatrixMeasurer(runner: RealRunner(environment: environment, profile: profile), repetitions: runs,
                                              steadyRetries: steadyRetries, log: { printError($0) })
                printError("Measuring \(chosen.count) cases, \(runs) runs of each strategy, into \(path)")
                try measurer.measure(chosen, into: &recorded, path: path)
                if let last = recorded.noise.last {
                    printError(String(format: "noise probe: %.1f%% spread (max-min over median of %d timings)", last.spreadPercent, last.probe.count))
                }
            }
            if pool != nil {
                let sessions = try poolFiles.map { (path: $0, measurements: try MatrixMeasurements.load(from: $0)) }
                for (i, a) in sessions.enumerated() {
                    for b in sessions[(i + 1)...] {
                        print(MeasurementAgreement(reference: a.path, a.measurements, other: b.path, b.measurements).line)
                    }
                }
                try MatrixMeasurements.pooled(sessions).save(to: path)
                printError("wrote \(path) (\(sessions.count) measurements pooled)")
            }
            var recorded = try MatrixMeasurements.load(from: path)
            if let profile { recorded.predictEveryRun(with: try MachineProfile.load(from: profile)) }
            var checked = loaded
            if let names { checked.cases = try loaded.selecting(names: names) }
            // Beside the measurements: a list belongs to the measurements it was recorded against, and
            // `--record-misses` must not write one machine's misses over another's.
            let missesPath = knownMisses ?? ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("known_misses.json")
            var report = try FidelityReport.evaluate(matrix: checked, measurements: recorded, tolerancePercent: tolerance,
                                                     knownMisses: try KnownMisses.load(from: missesPath), seeds: seeds)
            if recordMisses {
                report.knownMisses = report.currentMisses
                try report.knownMisses.save(to: missesPath)
                printError("wrote \(missesPath) (\(report.knownMisses.misses.count) known misses)")
            }
            if !summaryOnly { print(report.table()) }
            print(report.summary())
            // A matrix without convoy cases (the workloads never tuned on) has no convoy curve.
            let curve = ConvoyCurve(report)
            if !curve.lines.isEmpty { print(curve.summary()) }
            let png = try FidelityChart.png(report, title: "Model against measurement: \(report.points.count) strategies of \(checked.cases.count - report.unmeasured.count) cases")
            try AtomicFile.write(png, to: picture)
            if curve.lines.isEmpty {
                printError("wrote \(picture)")
            } else {
                let convoy = (picture as NSString).deletingPathExtension + "-convoy.png"
                try AtomicFile.write(try FidelityChart.convoyPNG(report), to: convoy)
                printError("wrote \(picture) and \(convoy)")
            }
            passed = report.passed
        }
        if !passed { throw ExitCode(1) }
    }
}
