import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Real runs under faults (issue 9, item 6). `simulate real`, `compare` and `calibrate` stopped at random
/// moments by SIGKILL, SIGINT and SIGTERM: no Python process of this checkout is left running (after a SIGKILL
/// the children notice through python/lifeline.py), every file in the output folder is whole or absent, and
/// the temporary folders a SIGKILL leaves are swept at the next start. A harness that is killed or hangs, a
/// latency server that dies, an output folder that cannot be written: a message naming the cause, exit 1,
/// nothing left running, nothing written. Bounded: about 30 s in all.
final class KillTests: CommandTestCase {
    /// This checkout's root.
    let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
    /// The Python scripts of this checkout: the server, harness and calibration have it in their command line.
    var scripts: String { root + "/Sources/RealRuns/python" }
    /// Multiprocessing's spawn children, forkserver and resource tracker name only the venv's python.
    var venv: String { root + "/.venv/" }

    /// A machine profile measured on this machine by `simulate calibrate` (so the test need not calibrate).
    static let profile = #"""
        {
         "aiohttpCPU": 147226,
         "aiohttpWall": 199771,
         "bigPower": {
          "coefficient": 0.31300233747950607,
          "exponent": 1.6154393010788088,
          "points": [
           {
            "amount": 500,
            "nanoseconds": 7271
           },
           {
            "amount": 707,
            "nanoseconds": 13200
           },
           {
            "amount": 1000,
            "nanoseconds": 22023
           },
           {
            "amount": 1414,
            "nanoseconds": 36464
           },
           {
            "amount": 2000,
            "nanoseconds": 69143
           },
           {
            "amount": 2828,
            "nanoseconds": 112227
           },
           {
            "amount": 4000,
            "nanoseconds": 203774
           },
           {
            "amount": 5656,
            "nanoseconds": 346096
           },
           {
            "amount": 8000,
            "nanoseconds": 646923
           },
           {
            "amount": 11313,
            "nanoseconds": 1097934
           },
           {
            "amount": 16000,
            "nanoseconds": 2001148
           },
           {
            "amount": 22627,
            "nanoseconds": 3329015
           },
           {
            "amount": 32000,
            "nanoseconds": 6063925
           },
           {
            "amount": 45254,
            "nanoseconds": 10049417
           },
           {
            "amount": 64000,
            "nanoseconds": 18438444
           },
           {
            "amount": 90509,
            "nanoseconds": 30616018
           },
           {
            "amount": 128000,
            "nanoseconds": 62518793
           },
           {
            "amount": 181019,
            "nanoseconds": 98679514
           },
           {
            "amount": 256000,
            "nanoseconds": 172358868
           },
           {
            "amount": 362038,
            "nanoseconds": 279626786
           },
           {
            "amount": 512000,
            "nanoseconds": 521879399
           }
          ]
         },
         "connectCPU": 41211,
         "connectCall": 47440,
         "connectWall": 40200,
         "cores": 2,
         "delayedCallWall": 1128432,
         "eventRoundTrip": 41236,
         "executorRoundTrip": 100109,
         "greenletSpawn": 14525,
         "greenletSwitch": 1246,
         "ioOverhead": 278564,
         "loopIteration": 2393,
         "poolApply": 211059,
         "processStart": {
          "fork": 2633915,
          "forkserver": 14080262,
          "spawn": 97420240
         },
         "python": "3.11.7",
         "pythonLoop": {
          "fixedNanoseconds": 0,
          "nanosecondsPerUnit": 24.247433333333333
         },
         "raceCall": 478712,
         "raceLostPerCall": 3.969661706666667,
         "sha256": {
          "fixedNanoseconds": 0,
          "nanosecondsPerUnit": 0.5594429969787598
         },
         "shaChunk": 4194304,
         "switchInterval": 5000000,
         "syscall": 13720,
         "taskCreate": 10102,
         "threadStart": 93034,
         "urlopenCPU": 228259,
         "urlopenWall": 370722,
         "wakeLatency": 3114
        }
        """#

    /// Starts `simulate` in the test folder, its stderr to `stderr` there. posix_spawn and waitpid rather than
    /// Foundation's `Process`, whose waitUntilExit was seen to hang on a child killed by SIGKILL.
    func start(_ arguments: [String]) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, folder.appendingPathComponent("stderr").path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // The child runs in the test's working directory; the arguments are absolute paths in the test folder.
        let argv = ([binary.path] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, binary.path, &actions, nil, argv, environ)
        guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EIO) }
        return pid
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Waits for `pid` and returns its exit status (128 + the signal when killed, as a shell reports it).
    @discardableResult
    func waitFor(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + status & 0x7f
    }

    /// Processes whose command line mentions `text` (from /proc).
    func processes(mentioning text: String) -> [String] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry -> String? in
            // Read through a handle: /proc files report a size of 0, so a whole-file read returns nothing.
            guard Int32(entry) != nil, let handle = FileHandle(forReadingAtPath: "/proc/\(entry)/cmdline") else { return nil }
            defer { try? handle.close() }
            // The throwing read: the process may end while it is read (readDataToEndOfFile traps on ESRCH).
            guard let data = try? handle.readToEnd(), !data.isEmpty else { return nil }
            let line = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            return line.contains(text) ? "\(entry): \(line)" : nil
        }
    }

    /// Every Python process of this checkout (server, harness, calibration, multiprocessing children).
    func ours() -> [String] { Array(Set(processes(mentioning: scripts) + processes(mentioning: venv))).sorted() }

    /// Our processes still alive after up to two seconds (lifeline.py promises one).
    func survivors() -> [String] {
        var left = ours()
        for _ in 0..<40 where !left.isEmpty {
            usleep(50_000)
            left = ours()
        }
        return left
    }

    /// The pid of the first process whose command line mentions `text`, waiting up to 20 s for one.
    func awaitProcess(mentioning text: String) -> pid_t? {
        for _ in 0..<400 {
            if let line = processes(mentioning: text).first, let pid = pid_t(line.prefix { $0 != ":" }) { return pid }
            usleep(50_000)
        }
        return nil
    }

    func leftoverFolders(of pid: Int32) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)) ?? []
        return names.filter { $0.hasPrefix("simulate-") && $0.split(separator: "-").count == 4 && $0.split(separator: "-")[2] == "\(pid)" }
    }

    var stderr: String { (try? String(contentsOf: folder.appendingPathComponent("stderr"), encoding: .utf8)) ?? "" }

    /// Every file in `folder` is one the command writes, and whole: JSON parses, a PNG ends with its IEND
    /// chunk, a CSV ends its last line; no temporary file (`.name.pid.tmp`) is left beside them.
    func assertWholeFiles(in folder: URL, _ context: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
            let data = (try? Data(contentsOf: folder.appendingPathComponent(name))) ?? Data()
            switch (name as NSString).pathExtension {
            case "json" where !name.hasPrefix("."):
                XCTAssertNoThrow(try JSONSerialization.jsonObject(with: data), "\(context): \(name)")
            case "png" where !name.hasPrefix("."):
                XCTAssertEqual(Array(data.suffix(8)), [0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82], "\(context): \(name) is cut short")
            case "csv" where !name.hasPrefix("."):
                XCTAssertEqual(data.last, 0x0A, "\(context): \(name) is cut short")
            default:
                XCTFail("\(context): unexpected \(name)")
            }
        }
    }

    func writeFixtures() throws {
        try Self.profile.trimmingCharacters(in: .whitespacesAndNewlines).write(to: folder.appendingPathComponent("machine.json"), atomically: true, encoding: .utf8)
        try #"{"name": "kill", "tasks": [{"name": "a", "count": 3, "steps": [{"cpu": "20ms"}, {"io": {"latency": "60ms"}}, {"cpu": "20ms"}]}], "strategies": ["sync", "threads", "processes", "asyncio"]}"#
            .write(to: folder.appendingPathComponent("kill.json"), atomically: true, encoding: .utf8)
        // Long enough that a fault lands mid-run: two threads, each 0.3 s of CPU then a 3 s request.
        try #"{"name": "long", "tasks": [{"name": "a", "count": 2, "steps": [{"cpu": "300ms"}, {"io": {"latency": "3s"}}]}], "strategies": ["threads"]}"#
            .write(to: folder.appendingPathComponent("long.json"), atomically: true, encoding: .utf8)
        try prepareVenv()
    }

    /// The first real run of a fresh clone creates .venv/ (pip installs the runtimes: a minute or more); these
    /// tests time their faults for a run that starts at once, so one real run prepares it first.
    nonisolated(unsafe) static var venvReady = false
    func prepareVenv() throws {
        guard !Self.venvReady else { return }
        let pid = try start(["real", path("kill.json"), "--machine", path("machine.json"), "--strategies", "sync", "--runs", "1",
                             "-o", path("warm-up")])
        XCTAssertEqual(waitFor(pid), 0, "a first real run (creating the venv): \(stderr)")
        try? FileManager.default.removeItem(at: folder.appendingPathComponent("warm-up"))
        Self.venvReady = true
    }

    func testStoppedRealRunsLeaveNothingBehind() throws {
        #if os(Linux)
        try writeFixtures()
        XCTAssertEqual(ours(), [], "no real run of this checkout before the test")
        XCTAssertFalse(processes(mentioning: "xctest").isEmpty && processes(mentioning: binary.deletingLastPathComponent().path).isEmpty,
                       "the /proc scan sees this test")
        let real = ["real", path("kill.json"), "--machine", path("machine.json"), "--runs", "2", "-o", path("out")]
        let compare = ["compare", path("kill.json"), "--machine", path("machine.json"), "--runs", "2", "--tolerance", "1000", "-o", path("out")]
        // calibrate's first seconds start the server and measure loops, big numbers and hashing (3.5 s once,
        // 5.7 s by 2026-12-01 with its speed probe, more on a slow phase of the VM); then multiprocessing
        // children (fork, forkserver, spawn, pools) come and go. Its SIGKILL trial (delays nil) waits until
        // such a child runs, rather than guessing when, and then kills within half a second.
        let calibrate = ["calibrate", "--output", path("out/machine.json")]
        let trials: [([String], Int32, ClosedRange<Double>?)] = [
            (real, SIGKILL, 0.2...2.5), (real, SIGINT, 0.2...2.5), (real, SIGKILL, 0.2...2.5), (real, SIGTERM, 0.2...2.5),
            (compare, SIGKILL, 0.2...3.0), (compare, SIGINT, 0.2...3.0), (compare, SIGTERM, 0.2...3.0),
            (calibrate, SIGTERM, 0.3...3.5), (calibrate, SIGKILL, nil),
        ]
        var rng = SystemRandomNumberGenerator()
        var killed: [Int32] = []
        var stoppedMidRun: Set<String> = []
        var killedMultiprocessing = false
        for (trial, (arguments, signal, delays)) in trials.enumerated() {
            let pid = try start(arguments)
            let delay: Double
            if let delays {
                delay = Double.random(in: delays, using: &rng)
                usleep(UInt32(delay * 1e6))
            } else {
                let started = Date()
                while !ours().contains(where: { $0.contains("multiprocessing") }) && Date().timeIntervalSince(started) < 60 { usleep(50_000) }
                usleep(UInt32(Double.random(in: 0...0.5, using: &rng) * 1e6))
                delay = Date().timeIntervalSince(started)
            }
            let running = ours()
            if !running.isEmpty { stoppedMidRun.insert(arguments[0]) }
            if signal == SIGKILL && running.contains(where: { $0.contains("multiprocessing") }) { killedMultiprocessing = true }
            kill(pid, signal)
            waitFor(pid)
            let context = "trial \(trial): \(arguments[0]), signal \(signal) after \(String(format: "%.2f", delay)) s"
            let left = survivors()
            XCTAssertFalse(stderr.contains("error:"), "\(context): the run failed by itself: \(stderr)")
            XCTAssertEqual(left, [], context)
            if signal != SIGKILL { XCTAssertEqual(leftoverFolders(of: pid), [], context) }
            killed.append(pid)
            assertWholeFiles(in: folder.appendingPathComponent("out"), context)
        }
        XCTAssertEqual(stoppedMidRun, ["real", "compare", "calibrate"], "a signal arrived while Python processes of each command ran")
        XCTAssertTrue(killedMultiprocessing, "a SIGKILL arrived while multiprocessing children ran (their exit is lifeline.py's job)")
        // The next start sweeps what the SIGKILLs left (here a start that stops at once on a bad option).
        waitFor(try start(["real", path("kill.json"), "--machine", path("machine.json"), "--strategies", "none"]))
        for pid in killed { XCTAssertEqual(leftoverFolders(of: pid), [], "folders of \(pid) after the next start") }
        #else
        throw XCTSkip("the kill test reads /proc")
        #endif
    }

    /// A harness killed mid-run (a crash, the OOM killer) and a harness that hangs past --timeout.
    func testAKilledOrHungHarnessIsNamedAndLeavesNothing() throws {
        #if os(Linux)
        try writeFixtures()
        let run = ["real", path("long.json"), "--machine", path("machine.json"), "--runs", "1", "-o", path("out")]
        let pid = try start(run)
        let harness = try XCTUnwrap(awaitProcess(mentioning: scripts + "/harness.py"), "the harness started")
        kill(harness, SIGKILL)
        XCTAssertEqual(waitFor(pid), 1)
        XCTAssertTrue(stderr.contains("the real run of threads failed (killed by signal 9"), stderr)
        XCTAssertTrue(stderr.contains("run it alone (--strategies threads --runs 1)"), stderr)
        XCTAssertEqual(survivors(), [])
        XCTAssertEqual(leftoverFolders(of: pid), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("out")), "nothing written")

        let hung = try start(run + ["--timeout", "0.5"])
        XCTAssertEqual(waitFor(hung), 1)
        XCTAssertTrue(stderr.contains("the real run of threads did not finish within 0.5 s; its processes were killed. Raise --timeout"), stderr)
        XCTAssertEqual(survivors(), [])
        XCTAssertEqual(leftoverFolders(of: hung), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("out")), "nothing written")
        #else
        throw XCTSkip("reads /proc")
        #endif
    }

    /// The latency server killed while the harness waits for its answers.
    func testALatencyServerThatDiesIsNamed() throws {
        #if os(Linux)
        try writeFixtures()
        let pid = try start(["real", path("long.json"), "--machine", path("machine.json"), "--runs", "1", "-o", path("out")])
        _ = try XCTUnwrap(awaitProcess(mentioning: scripts + "/harness.py"), "the harness started")
        let server = try XCTUnwrap(awaitProcess(mentioning: scripts + "/server.py"))
        usleep(500_000)  // into the requests
        kill(server, SIGKILL)
        XCTAssertEqual(waitFor(pid), 1)
        XCTAssertTrue(stderr.contains("error: the latency server died during the real run of threads (killed by signal 9"), stderr)
        XCTAssertTrue(stderr.contains("nothing was written. Run again"), stderr)
        XCTAssertEqual(survivors(), [])
        XCTAssertEqual(leftoverFolders(of: pid), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("out")), "nothing written")
        #else
        throw XCTSkip("reads /proc")
        #endif
    }

    /// An output folder that cannot be written is refused before any real run starts (as root, permissions
    /// stop nothing: /proc and a file in place of a folder do).
    func testAnUnwritableOutputFolderIsRefusedBeforeRunning() throws {
        #if os(Linux)
        try writeFixtures()
        try "keep".write(to: folder.appendingPathComponent("file"), atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["real", path("kill.json"), "--machine", path("machine.json"), "-o", "/proc/simulate-test"],
             "cannot write into /proc/simulate-test: cannot create a file in /proc"),
            (["compare", path("kill.json"), "--machine", path("machine.json"), "-o", path("file/out")],
             "cannot write into \(path("file/out")): \(path("file")) is a file, not a folder. Choose a writable folder with -o; nothing was run."),
            (["real", path("kill.json"), "--machine", path("file/machine.json")],
             "cannot write into \(path("file")): \(path("file")) is a file, not a folder. Choose a writable folder with --machine"),
            (["calibrate", "--output", "/proc/simulate-test/machine.json"], "cannot write into /proc/simulate-test: cannot create a file in /proc"),
        ]
        for (arguments, message) in cases {
            XCTAssertEqual(waitFor(try start(arguments)), 1, "\(arguments)")
            XCTAssertTrue(stderr.contains(message), "\(arguments): \(stderr)")
            XCTAssertFalse(stderr.contains("Running") || stderr.contains("Measuring"), "\(arguments): a run started: \(stderr)")
        }
        XCTAssertEqual(try String(contentsOf: folder.appendingPathComponent("file"), encoding: .utf8), "keep")
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)), ["file", "stderr", "machine.json", "kill.json", "long.json"])
        XCTAssertEqual(ours(), [])
        #else
        throw XCTSkip("writes under /proc")
        #endif
    }
}
