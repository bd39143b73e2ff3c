import Foundation

/// The Python that real runs use: a virtual environment in the project (.venv/) with the pinned packages of
/// Sources/RealRuns/python/requirements.txt (gevent, aiohttp, uvloop, trio, curio, eventlet, tornado, twisted,
/// greenlet, numpy, numba), created on first use with `python3 -m venv`. Idempotent: pip runs again only when
/// the requirements differ from those last installed (`isReady`).
public struct PythonEnvironment: Sendable {
    /// The folder holding harness.py, server.py, calibrate.py and requirements.txt.
    public var scriptsFolder: String
    /// The virtual environment's folder.
    public var venvFolder: String

    /// The venv's interpreter.
    public var python: String { venvFolder + "/bin/python" }
    public var harness: String { scriptsFolder + "/harness.py" }
    public var server: String { scriptsFolder + "/server.py" }
    public var calibration: String { scriptsFolder + "/calibrate.py" }
    public var requirements: String { scriptsFolder + "/requirements.txt" }
    /// Written after a successful install, holding the requirements it installed.
    var marker: String { venvFolder + "/.simulate-requirements" }

    public init(scriptsFolder: String, venvFolder: String) {
        self.scriptsFolder = scriptsFolder
        self.venvFolder = venvFolder
    }

    /// The scripts in the source tree (so edits need no rebuild), else the copy SwiftPM bundled as a resource;
    /// the venv in the package root (found from the scripts' source location), else in the working directory.
    /// `SIMULATE_VENV` overrides the venv folder.
    public static func locate() -> PythonEnvironment {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let sourceScripts = source.appendingPathComponent("python").path
        var scripts = sourceScripts
        var root = source.deletingLastPathComponent().deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: sourceScripts + "/harness.py") {
            scripts = Bundle.module.bundleURL.appendingPathComponent("python").path
            root = FileManager.default.currentDirectoryPath
        }
        let venv = ProcessInfo.processInfo.environment["SIMULATE_VENV"] ?? root + "/.venv"
        return PythonEnvironment(scriptsFolder: scripts, venvFolder: venv)
    }

    /// The system python3 to create the venv with: `SIMULATE_PYTHON`, else the first python3 on PATH.
    public static func systemPython(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        if let chosen = environment["SIMULATE_PYTHON"] {
            guard FileManager.default.isExecutableFile(atPath: chosen) else {
                throw RealRunError.pythonNotFound(searched: "SIMULATE_PYTHON=\(chosen), which is not an executable file")
            }
            return chosen
        }
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw RealRunError.pythonNotFound(searched: "PATH=\(path)")
    }

    /// Whether the venv exists with exactly the pinned requirements installed.
    public var isReady: Bool {
        guard FileManager.default.isExecutableFile(atPath: python),
              let installed = FileManager.default.contents(atPath: marker),
              let wanted = FileManager.default.contents(atPath: requirements) else { return false }
        return installed == wanted
    }

    /// Creates the venv and installs the pinned packages unless that is done already. pip's progress goes to
    /// the terminal (`log` announces each step).
    /// - Throws: `RealRunError.pythonNotFound`, `.setupFailed` with pip's output and what to do.
    /// `systemPython` is the interpreter to create the venv with (default: `systemPython()`).
    public func prepare(systemPython chosen: String? = nil,
                        log: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) throws {
        if isReady { return }
        ChildProcessRegistry.shared.installInterruptHandlers()
        let logFolder = try ChildProcessRegistry.shared.makeTemporaryFolder("venv")
        defer { ChildProcessRegistry.shared.removeTemporaryFolder(logFolder) }
        if !FileManager.default.isExecutableFile(atPath: python) {
            let system = try chosen ?? Self.systemPython()
            log("Creating the Python environment for real runs in \(venvFolder) (\(system) -m venv)…")
            try step([system, "-m", "venv", venvFolder], name: "\(system) -m venv \(venvFolder)", logFolder: logFolder, showOutput: false)
        }
        let pins = (try? String(contentsOfFile: requirements, encoding: .utf8)) ?? ""
        log("Installing \(pins.split(separator: "\n").joined(separator: ", ")) into \(venvFolder)…")
        try step([python, "-m", "pip", "install", "--disable-pip-version-check", "-r", requirements],
                 name: "pip install -r \(requirements)", logFolder: logFolder, showOutput: true)
        try? FileManager.default.removeItem(atPath: marker + ".tmp")
        try FileManager.default.copyItem(atPath: requirements, toPath: marker + ".tmp")
        if rename(marker + ".tmp", marker) != 0 {
            throw RealRunError.setupFailed(step: "writing \(marker)", status: String(cString: strerror(errno)), output: "")
        }
        log("Python environment ready.")
    }

    private func step(_ command: [String], name: String, logFolder: String, showOutput: Bool) throws {
        let errPath = logFolder + "/stderr"
        let child = try ChildProcess(executable: command[0], arguments: Array(command.dropFirst()),
                                     stdoutPath: showOutput ? nil : logFolder + "/stdout", stderrPath: errPath)
        let end = child.wait(timeout: 600)
        guard end == .exited(0) else {
            throw RealRunError.setupFailed(step: name, status: "\(end)", output: ChildProcess.text(of: errPath))
        }
    }
}
