import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// `simulate real` stopped at random moments by SIGKILL, SIGINT and SIGTERM (issue 9): no Python process of
/// this checkout is left running (after a SIGKILL the children notice through python/lifeline.py), every file
/// in the output folder is whole or absent, and the temporary folders a SIGKILL leaves are swept at the next
/// start. Bounded: six runs of a scenario of about a second, each stopped within 2.5 s.
final class KillTests: CommandTestCase {
    /// The Python scripts of this checkout: every process of a real run has this path in its command line.
    let scripts: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("Sources/RealRuns/python").path
    }()

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

    func waitFor(_ pid: pid_t) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
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

    func leftoverFolders(of pid: Int32) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)) ?? []
        return names.filter { $0.hasPrefix("simulate-") && $0.split(separator: "-").count == 4 && $0.split(separator: "-")[2] == "\(pid)" }
    }

    func testStoppedRealRunsLeaveNothingBehind() throws {
        #if os(Linux)
        try Self.profile.trimmingCharacters(in: .whitespacesAndNewlines).write(to: folder.appendingPathComponent("machine.json"), atomically: true, encoding: .utf8)
        try #"{"name": "kill", "tasks": [{"name": "a", "count": 3, "steps": [{"cpu": "20ms"}, {"io": {"latency": "60ms"}}, {"cpu": "20ms"}]}], "strategies": ["sync", "threads", "processes", "asyncio"]}"#
            .write(to: folder.appendingPathComponent("kill.json"), atomically: true, encoding: .utf8)
        XCTAssertEqual(processes(mentioning: scripts), [], "no real run of this checkout before the test")
        XCTAssertFalse(processes(mentioning: "xctest").isEmpty && processes(mentioning: binary.deletingLastPathComponent().path).isEmpty,
                       "the /proc scan sees this test")
        var rng = SystemRandomNumberGenerator()
        var killed: [Int32] = []
        var stoppedMidRun = 0
        for (trial, signal) in [SIGKILL, SIGKILL, SIGINT, SIGKILL, SIGTERM, SIGKILL].enumerated() {
            let delay = Double.random(in: 0.2...2.5, using: &rng)
            let pid = try start(["real", path("kill.json"), "--machine", path("machine.json"), "--runs", "2", "-o", path("out")])
            usleep(UInt32(delay * 1e6))
            if !processes(mentioning: scripts).isEmpty { stoppedMidRun += 1 }
            kill(pid, signal)
            waitFor(pid)
            let context = "trial \(trial): signal \(signal) after \(String(format: "%.2f", delay)) s"
            // The children notice within a second (lifeline.py); allow two.
            var left = processes(mentioning: scripts)
            for _ in 0..<40 where !left.isEmpty {
                usleep(50_000)
                left = processes(mentioning: scripts)
            }
            let stderr = (try? String(contentsOf: folder.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
            XCTAssertFalse(stderr.contains("error:"), "\(context): the run failed by itself: \(stderr)")
            XCTAssertEqual(left, [], context)
            if signal != SIGKILL { XCTAssertEqual(leftoverFolders(of: pid), [], context) }
            killed.append(pid)
            // Every output file is whole: the results files parse, and no temporary file is left beside them.
            let out = folder.appendingPathComponent("out")
            for name in (try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? [] {
                XCTAssertTrue(["real.json", "real.csv"].contains(name), "\(context): unexpected \(name)")
                if name == "real.json" {
                    XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent(name))), context)
                }
            }
        }
        XCTAssertGreaterThan(stoppedMidRun, 0, "at least one signal arrived while Python processes ran")
        // The next start sweeps what the SIGKILLs left (here a start that stops at once on a bad option).
        waitFor(try start(["real", path("kill.json"), "--machine", path("machine.json"), "--strategies", "none"]))
        for pid in killed { XCTAssertEqual(leftoverFolders(of: pid), [], "folders of \(pid) after the next start") }
        #else
        throw XCTSkip("the kill test reads /proc")
        #endif
    }
}
