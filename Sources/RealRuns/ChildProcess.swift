import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A program started in its own process group, so that it and every process it starts (multiprocessing
/// children, the forkserver, the resource tracker) can be stopped at once with `kill(-pgid)`.
///
/// Output goes to files (never pipes: a child blocked on a full pipe would look like a hung run), or is
/// inherited when no file is given (e.g. pip's progress). Every running child is listed in
/// `ChildProcessRegistry.shared`, whose SIGINT/SIGTERM handler kills them all before the tool exits.
public final class ChildProcess: @unchecked Sendable {
    /// The child's pid, which is also its process group id.
    public let pid: pid_t
    public let executable: String
    public let arguments: [String]
    public let stdoutPath: String?
    public let stderrPath: String?
    private var reaped: Int32?

    /// How a child ended.
    public enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut

        /// In words for a message: "exit code 1", "killed by signal 9 (Killed)".
        public var explained: String {
            switch self {
            case .exited(let code): return "exit code \(code)"
            case .signalled(let signal): return "killed by signal \(signal) (\(String(cString: strsignal(signal))))"
            case .timedOut: return "timed out"
            }
        }
    }

    /// Starts `executable` with `arguments` in a new process group.
    /// - Throws: `RealRunError.cannotStart` when posix_spawn fails (missing file, not executable).
    public init(executable: String, arguments: [String], stdoutPath: String? = nil, stderrPath: String? = nil,
                environment: [String: String]? = nil) throws {
        self.executable = executable
        self.arguments = arguments
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdoutPath {
            posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        }
        if let stderrPath {
            posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A new process group (pgid = the child's pid); signals back to default and unblocked, because the
        // registry sets SIGINT/SIGTERM to SIG_IGN in this process and exec keeps ignored signals ignored.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGPIPE)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var environmentList: [String] = []
        var base = environment ?? ProcessInfo.processInfo.environment
        // python/lifeline.py checks that this process is still its parent right after arming PR_SET_PDEATHSIG.
        base["SIMULATE_PARENT_PID"] = String(getpid())
        for (key, value) in base.sorted(by: { $0.key < $1.key }) { environmentList.append("\(key)=\(value)") }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environmentList.map { strdup($0) } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var child: pid_t = 0
        // Registered while still holding the lock, so an interrupt arriving now cannot miss the child.
        let status = ChildProcessRegistry.shared.whileLocked {
            let s = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
            if s == 0 { ChildProcessRegistry.shared.insertLocked(child) }
            return s
        }
        guard status == 0 else {
            throw RealRunError.cannotStart(program: executable, reason: String(cString: strerror(status)))
        }
        pid = child
    }

    /// Whether the child has not been reaped yet (it may be a zombie).
    public var isRunning: Bool { reaped == nil && !poll() }

    /// Reaps the child if it has ended; true when it has.
    @discardableResult
    private func poll() -> Bool {
        if reaped != nil { return true }
        // Once the child is a zombie, kill what is left of its group before reaping it: while the child is
        // unreaped its pid (the group id) cannot be reused, so the kill reaches only its own stragglers.
        if Self.state(of: pid) == "Z" { Glibc.kill(-pid, SIGKILL) }
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid {
            // Stragglers keep the group id from being reused, so this reaches only them (if any are left).
            Glibc.kill(-pid, SIGKILL)
            reaped = status
            ChildProcessRegistry.shared.remove(pid)
            return true
        }
        if r < 0 && errno == ECHILD {
            reaped = 0
            ChildProcessRegistry.shared.remove(pid)
            return true
        }
        return false
    }

    /// Waits for the child to end, at most `timeout` seconds (nil: forever). On timeout the whole process
    /// group is killed and reaped. Either way, the group's other processes (children the program left
    /// behind) are killed too.
    public func wait(timeout: Double?) -> Termination {
        // A timeout that is not a finite number of seconds below a year (inf, nan, 1e300, or an estimate
        // from a huge step) waits without a deadline rather than trapping in the UInt64 conversion.
        let deadline = timeout.flatMap { t -> UInt64? in
            guard t.isFinite, t < 31_536_000 else { return nil }
            return DispatchTime.now().uptimeNanoseconds + UInt64(max(t, 0) * 1e9)
        }
        var timedOut = false
        while !poll() {
            if let deadline, DispatchTime.now().uptimeNanoseconds >= deadline {
                timedOut = true
                killGroup()
                continue
            }
            usleep(2_000)
        }
        // Killed by the interrupt handler, which is about to exit: report nothing misleading meanwhile.
        ChildProcessRegistry.shared.parkIfInterrupted()
        if timedOut { return .timedOut }
        return termination ?? .exited(0)
    }

    /// How the child ended, nil while it runs (reaps it if it has ended; never waits).
    public var termination: Termination? {
        guard poll(), let status = reaped else { return nil }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, spelled out (they are macros).
        if status & 0x7f == 0 { return .exited((status >> 8) & 0xff) }
        return .signalled(status & 0x7f)
    }

    /// The state letter of a process in /proc (R, S, D, Z, ...), nil when it does not exist.
    static func state(of pid: pid_t) -> Character? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].first { $0 != " " }
    }

    /// Kills the child's whole process group (SIGKILL) and reaps the child.
    public func killGroup() {
        // Once reaped, the group's stragglers were killed at reaping (see `poll`), and the id may be reused.
        if reaped == nil {
            Glibc.kill(-pid, SIGKILL)
            var status: Int32 = 0
            if waitpid(pid, &status, 0) == pid { reaped = status }
        }
        ChildProcessRegistry.shared.remove(pid)
    }

    /// Asks the group to stop (SIGTERM), then kills it after `grace` seconds.
    public func terminate(grace: Double = 1.0) {
        if reaped == nil { Glibc.kill(-pid, SIGTERM) }
        _ = wait(timeout: grace)
        killGroup()
    }

    /// The text of a file the child wrote (its stdout or stderr), or "" when there is none.
    public static func text(of path: String?, limit: Int = 8_000) -> String {
        guard let path, let data = FileManager.default.contents(atPath: path) else { return "" }
        let text = String(decoding: data, as: UTF8.self)
        if text.count <= limit { return text }
        return "…" + String(text.suffix(limit))
    }

    deinit {
        if reaped == nil { killGroup() }
    }
}

/// The process groups of the running children, and the SIGINT/SIGTERM handler that kills them.
public final class ChildProcessRegistry: @unchecked Sendable {
    public static let shared = ChildProcessRegistry()
    private let lock = NSLock()
    private var groups: Set<pid_t> = []
    private var temporaryFolders: Set<String> = []
    private var sources: [DispatchSourceSignal] = []

    /// The process groups alive now.
    public var liveGroups: [pid_t] { lock.lock(); defer { lock.unlock() }; return groups.sorted() }

    func whileLocked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    func insertLocked(_ pgid: pid_t) { groups.insert(pgid) }

    func remove(_ pgid: pid_t) {
        lock.lock()
        groups.remove(pgid)
        lock.unlock()
    }

    private var interrupted = false

    /// Called by a thread whose child died: if an interrupt is being handled, waits for it to exit the tool.
    func parkIfInterrupted() {
        lock.lock()
        let parked = interrupted
        lock.unlock()
        while parked { pause() }
    }

    /// Kills every registered group and removes the temporary folders.
    public func killAll() {
        lock.lock()
        let all = groups
        let folders = temporaryFolders
        groups.removeAll()
        temporaryFolders.removeAll()
        lock.unlock()
        for g in all { Glibc.kill(-g, SIGKILL) }
        // SIGKILL is delivered, not yet acted on: a dying harness may still be writing into its folder, and a
        // file created during the removal makes the folder's rmdir fail (ENOTEMPTY). Wait (at most 1 s) for
        // the groups to be gone, then remove, retrying once more for anything written meanwhile.
        let deadline = Date().addingTimeInterval(1)
        while Date() < deadline && all.contains(where: { !livingProcesses(inGroup: $0).isEmpty }) { usleep(2_000) }
        for f in folders {
            for _ in 0..<3 where FileManager.default.fileExists(atPath: f) {
                try? FileManager.default.removeItem(atPath: f)
            }
        }
    }

    /// Creates a fresh temporary folder that an interrupt removes too; delete it with `removeTemporaryFolder`.
    ///
    /// The folder is created and registered under the lock, and not at all once an interrupt has begun: the
    /// interrupt handler removes the registered folders and exits, so a folder made between its sweep and its
    /// exit (the next real run starting) would be left behind.
    /// After an interrupt the caller parks until the handler exits the tool.
    /// - Throws: the file system's error.
    public func makeTemporaryFolder(_ prefix: String) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("simulate-\(prefix)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        lock.lock()
        if interrupted {
            lock.unlock()
            parkIfInterrupted()
        }
        defer { lock.unlock() }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        temporaryFolders.insert(path)
        return path
    }

    /// Removes temporary folders that an earlier `simulate` left behind because it was killed (SIGKILL runs
    /// no handler): `simulate-<what>-<pid>-<n>` folders whose pid is no longer a running process.
    /// - Returns: the folders removed.
    @discardableResult
    public static func sweepLeftoverFolders(in temporary: String = FileManager.default.temporaryDirectory.path) -> [String] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: temporary) else { return [] }
        var removed: [String] = []
        for name in names where name.hasPrefix("simulate-") {
            let parts = name.split(separator: "-")
            guard parts.count == 4, let pid = pid_t(parts[2]), pid > 0, pid != getpid() else { continue }
            // kill(pid, 0) fails with ESRCH when no such process exists (EPERM: it exists, owned by another user).
            guard Glibc.kill(pid, 0) != 0, errno == ESRCH else { continue }
            let path = temporary + "/" + name
            if (try? fm.removeItem(atPath: path)) != nil { removed.append(path) }
        }
        return removed
    }

    public func removeTemporaryFolder(_ path: String) {
        lock.lock()
        temporaryFolders.remove(path)
        lock.unlock()
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Installs (once) handlers so that Ctrl-C or SIGTERM kills every child group, then exits with 130/143.
    /// Handlers run on a dispatch queue, not in signal context, so they may take locks.
    public func installInterruptHandlers() {
        lock.lock()
        defer { lock.unlock() }
        guard sources.isEmpty else { return }
        Self.sweepLeftoverFolders()
        for (signalNumber, code) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [self] in
                lock.lock()
                interrupted = true
                lock.unlock()
                killAll()
                FileHandle.standardError.write(Data("\ninterrupted: stopped the Python processes and the latency server\n".utf8))
                exit(code)
            }
            source.resume()
            sources.append(source)
        }
    }
}

/// Processes of a group that are still alive (not zombies), read from /proc: for tests and checks.
public func livingProcesses(inGroup pgid: pid_t) -> [pid_t] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    var out: [pid_t] = []
    for entry in entries {
        guard let pid = pid_t(entry),
              let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { continue }
        // Fields after "(comm)": state ppid pgrp ...
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 2, let group = pid_t(fields[2]) else { continue }
        if group == pgid && fields[0] != "Z" && fields[0] != "X" { out.append(pid) }
    }
    return out.sorted()
}
