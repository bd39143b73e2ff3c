import Foundation
import SimEngine
import SimRealRuns

/// Runs the matrix's plain Python programs (validation/programs/) with the real-run environment's Python,
/// beside the latency server, and reads the time each prints.
public struct ProgramRunner: Sendable {
    public var environment: PythonEnvironment
    /// Seconds one run may take before it is killed.
    public var timeout: Double

    public init(environment: PythonEnvironment, timeout: Double = 120) {
        self.environment = environment
        self.timeout = timeout
    }

    /// Runs `program` once as `python PROGRAM ARGUMENTS... LABEL --url URL` and returns the time it printed.
    /// - Throws: `RealRunError` when it cannot start, fails, times out or prints no `took X s` line last.
    public func runOnce(_ program: MatrixProgram, folder: String, label: String, serverURL: String) throws -> SimTime {
        let work = try ChildProcessRegistry.shared.makeTemporaryFolder("program")
        defer { ChildProcessRegistry.shared.removeTemporaryFolder(work) }
        let out = work + "/stdout", err = work + "/stderr"
        let what = "\(program.path) \(label)"
        let child = try ChildProcess(executable: environment.python,
                                     arguments: [folder + "/" + program.path] + program.arguments + [label, "--url", serverURL],
                                     stdoutPath: out, stderrPath: err)
        switch child.wait(timeout: timeout) {
        case .exited(0):
            break
        case .timedOut:
            throw RealRunError.timedOut(what: what, seconds: timeout, stderr: ChildProcess.text(of: err))
        case let end:
            throw RealRunError.runFailed(what: what, status: end.explained, stderr: ChildProcess.text(of: err))
        }
        let printed = ChildProcess.text(of: out)
        guard let seconds = Self.tookSeconds(in: printed) else {
            throw RealRunError.badResult(path: out, reason: "\(what) printed no `took X s` line last: \(printed.suffix(200))")
        }
        return SimTime(nanoseconds: Int64((seconds * 1e9).rounded()))
    }

    /// The seconds in the last non-empty line when it reads `took X s`.
    public static func tookSeconds(in text: String) -> Double? {
        guard let line = text.split(whereSeparator: \.isNewline).last(where: { !$0.allSatisfy(\.isWhitespace) }) else { return nil }
        let words = line.split(separator: " ")
        guard words.count == 3, words[0] == "took", words[2] == "s", let seconds = Double(words[1]), seconds >= 0, seconds.isFinite else { return nil }
        return seconds
    }

    /// Measures a program case: its one-task time (when the model needs it) and every strategy label,
    /// `repetitions` rounds interleaved (one, A, one, B, ..., one, A, one, B, ...), the latency server running.
    /// One task is timed before every strategy, not once a round: this VM changes speed every few seconds, and
    /// the model takes the mean of these timings, which should meet the speeds as the runs did (docs/model.md,
    /// "Where a handler's time goes").
    public func measure(_ c: ValidationCase, repetitions: Int, log: (String) -> Void) throws -> (strategies: [String: MeasuredPoint], oneTask: MeasuredPoint?) {
        guard let program = c.program else { return ([:], nil) }
        try environment.prepare()
        ChildProcessRegistry.shared.installInterruptHandlers()
        let server = try LatencyServer(environment: environment)
        defer { server.stop() }
        var labels = c.scenario.strategies.map(\.label)
        if program.oneTaskKey != nil { labels = labels.flatMap { [MatrixProgram.oneTaskLabel, $0] } }
        var runs: [String: [SimTime]] = [:]
        for round in 1...max(1, repetitions) {
            for label in labels {
                let t = try runOnce(program, folder: c.folder, label: label, serverURL: server.baseURL)
                runs[label, default: []].append(t)
                log(String(format: "  %@ run %d/%d: %.6f s", label, round, repetitions, t.seconds))
            }
        }
        let one = runs.removeValue(forKey: MatrixProgram.oneTaskLabel).map { MeasuredPoint(runs: $0) }
        return (runs.mapValues { MeasuredPoint(runs: $0) }, one)
    }
}
