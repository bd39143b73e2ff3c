import Foundation

/// The latency server (python/server.py) in its own process group on a free port of 127.0.0.1.
/// It answers `GET /?delay_us=N` after N microseconds, so the harness asks each request's drawn latency.
public final class LatencyServer: @unchecked Sendable {
    public let port: Int
    private let child: ChildProcess
    private let folder: String
    private var stopped = false

    /// The URL the harness sends its requests to.
    public var baseURL: String { "http://127.0.0.1:\(port)/" }
    /// The server's process group (for checks).
    public var processGroup: pid_t { child.pid }

    /// Starts the server and waits (at most 10 s) until it listens.
    /// - Throws: `RealRunError.serverDidNotStart` with its stderr.
    public init(environment: PythonEnvironment) throws {
        folder = try ChildProcessRegistry.shared.makeTemporaryFolder("server")
        let portFile = folder + "/port"
        child = try ChildProcess(executable: environment.python, arguments: [environment.server, "--port-file", portFile],
                                 stdoutPath: folder + "/stdout", stderrPath: folder + "/stderr")
        var found: Int?
        for _ in 0..<1000 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8),
               let p = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                found = p
                break
            }
            if !child.isRunning { break }
            usleep(10_000)
        }
        guard let found else {
            let stderr = ChildProcess.text(of: folder + "/stderr")
            // A python that exits at once (a broken venv, a missing module) is not a slow start: say how it ended.
            let ended: ChildProcess.Termination? = child.isRunning ? nil : child.wait(timeout: 1)
            child.killGroup()
            ChildProcessRegistry.shared.removeTemporaryFolder(folder)
            switch ended {
            case .exited(let code)?:
                throw RealRunError.runFailed(what: "the latency server (\(environment.python) \(environment.server))", status: "it exited at once with status \(code)", stderr: stderr)
            case .signalled(let signal)?:
                throw RealRunError.runFailed(what: "the latency server (\(environment.python) \(environment.server))", status: "it was killed at once by signal \(signal)", stderr: stderr)
            default:
                throw RealRunError.serverDidNotStart(stderr: stderr)
            }
        }
        port = found
    }

    /// How the server ended if it died by itself (killed, crashed), nil while it runs or after `stop()`.
    public var death: ChildProcess.Termination? { stopped ? nil : child.termination }

    /// The server's stderr so far.
    public var stderr: String { ChildProcess.text(of: folder + "/stderr") }

    /// Stops the server (SIGTERM, then SIGKILL) and removes its files.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        child.terminate(grace: 0.5)
        ChildProcessRegistry.shared.removeTemporaryFolder(folder)
    }

    deinit { stop() }
}
