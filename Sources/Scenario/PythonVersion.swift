/// A CPython version, with what changes from one to the next for the questions this tool answers.
///
/// Each property cites the CPython source or the documentation it comes from. Only the version the machine
/// profile was calibrated with (`Defaults.pythonVersion`, the real runs' venv) is measured here; every other
/// version is a prediction from source and published figures, and pictures say so.
public enum PythonVersion: String, CaseIterable, Sendable, Equatable, Codable {
    case v3_11 = "3.11"
    case v3_12 = "3.12"
    case v3_13 = "3.13"
    case v3_13t = "3.13t"
    case v3_14 = "3.14"
    case v3_14t = "3.14t"

    public static var names: [String] { allCases.map(\.rawValue) }

    /// A free-threaded build (PEP 703, `--disable-gil`): no GIL unless a C extension that is not marked
    /// free-thread-safe re-enables it (`python.gil: true` models that).
    public var freeThreaded: Bool { self == .v3_13t || self == .v3_14t }

    /// Single-thread slowdown of the free-threaded build on pure Python, as a fraction: about 40% on
    /// pyperformance in 3.13t, with the specialising interpreter off (Doc/howto/free-threading-python.rst,
    /// 3.13); 5-10% in 3.14t, about 8% on x86-64 Linux (3.14 What's New, the same howto). The GIL builds
    /// keep the scenario's `free_threading_overhead` (used only with `gil: false`).
    public var freeThreadingOverhead: Double? {
        switch self {
        case .v3_13t: return 0.40
        case .v3_14t: return 0.08
        case .v3_11, .v3_12, .v3_13, .v3_14: return nil
        }
    }

    /// multiprocessing's default start method on Linux: `forkserver` from 3.14 (gh-84559; What's New in
    /// 3.14), `fork` before.
    public var defaultStartMethod: StartMethod {
        switch self {
        case .v3_14, .v3_14t: return .forkserver
        case .v3_11, .v3_12, .v3_13, .v3_13t: return .fork
        }
    }

    /// One GIL per interpreter (PEP 684, 3.12: `init_own_gil` in Python/ceval_gil.c), so subinterpreters
    /// run Python in parallel; `concurrent.futures.InterpreterPoolExecutor` from 3.14 (PEP 734).
    public var perInterpreterGIL: Bool { self != .v3_11 }

    /// Whether this version is the one real runs measure here (the venv's, as calibrated).
    public var measuredHere: Bool { self == Defaults.pythonVersion }

    /// "3.13t (free-threaded)" for titles.
    public var title: String { freeThreaded ? "\(rawValue) (free-threaded)" : rawValue }
}
