import Foundation

/// Why a real run, a calibration or the Python set-up failed, with what to do about it.
public enum RealRunError: Error, CustomStringConvertible, Equatable {
    /// No python3 to build the virtual environment with.
    case pythonNotFound(searched: String)
    /// A program could not be started at all.
    case cannotStart(program: String, reason: String)
    /// `python3 -m venv` or `pip install` failed.
    case setupFailed(step: String, status: String, output: String)
    /// The harness (or calibration, or server) ended badly.
    case runFailed(what: String, status: String, stderr: String)
    /// The harness of one strategy crashed, was killed, or ended without a usable result.
    case harnessFailed(strategy: String, status: String, stderr: String)
    /// The latency server died (was killed, crashed) while real runs needed it.
    case serverDied(during: String, status: String, stderr: String)
    /// The harness did not finish in time; its process group was killed.
    case timedOut(what: String, seconds: Double, stderr: String)
    /// The harness's result file was missing or not what was expected.
    case badResult(path: String, reason: String)
    /// The latency server did not report its port.
    case serverDidNotStart(stderr: String)
    /// A strategy the real harness cannot run on this machine (e.g. free-threaded Python).
    case unsupported(strategy: String, reason: String)
    /// The machine profile could not be read.
    case badProfile(path: String, reason: String)

    public var description: String {
        switch self {
        case .pythonNotFound(let searched):
            return "python3 not found (looked in \(searched)). Install Python 3.9 or later with venv "
                + "(Debian/Ubuntu: apt-get install python3 python3-venv), or set SIMULATE_PYTHON to a python3."
        case .cannotStart(let program, let reason):
            return "cannot start \(program): \(reason)"
        case .setupFailed(let step, let status, let output):
            return "setting up the Python environment failed at `\(step)` (\(status)).\n\(output)\n"
                + "Fix: check that PyPI is reachable and python3-venv is installed, then delete .venv/ and run again."
        case .runFailed(let what, let status, let stderr):
            return "\(what) failed (\(status)). Its stderr:\n\(stderr.isEmpty ? "(empty)" : stderr)"
        case .harnessFailed(let strategy, let status, let stderr):
            return "the real run of \(strategy) failed (\(status)); nothing was written. Its stderr:\n\(stderr.isEmpty ? "(empty)" : stderr)\n"
                + "Run again; if it fails again, run it alone (--strategies \(strategy) --runs 1) and look at the stderr above."
        case .serverDied(let during, let status, let stderr):
            return "the latency server died during \(during) (\(status)), so the harness's requests could not be answered; "
                + "nothing was written. Run again (was it stopped by another program?). The server's stderr:\n\(stderr.isEmpty ? "(empty)" : stderr)"
        case .timedOut(let what, let seconds, let stderr):
            return "\(what) did not finish within \(seconds >= 10 ? String(Int(seconds)) : String(format: "%.3g", seconds)) s; its processes were killed. "
                + "Raise --timeout or make the scenario shorter.\(stderr.isEmpty ? "" : " Its stderr:\n\(stderr)")"
        case .badResult(let path, let reason):
            return "the harness's result \(path) is unusable: \(reason)"
        case .serverDidNotStart(let stderr):
            return "the latency server did not start within 10 s. Its stderr:\n\(stderr.isEmpty ? "(empty)" : stderr)"
        case .unsupported(let strategy, let reason):
            return "strategy \(strategy) cannot run for real here: \(reason)"
        case .badProfile(let path, let reason):
            return "cannot use machine profile \(path): \(reason). Run `simulate calibrate` to measure this machine again."
        }
    }
}
