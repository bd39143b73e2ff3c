import Foundation
import XCTest

/// The command as a user meets it: the built `simulate` binary run in a temporary folder. Each mistake must
/// give a clear message, a non-zero exit, and write nothing.
final class CommandTests: CommandTestCase {
    func write(_ name: String, _ text: String) throws {
        try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    var outputExists: Bool { FileManager.default.fileExists(atPath: folder.appendingPathComponent("output").path) }

    let valid = #"{"name": "tiny", "tasks": [{"name": "a", "count": 2, "steps": [{"cpu": "2ms"}, {"io": {"latency": "5ms"}}]}]}"#

    func testARunWritesResultsAndPictures() throws {
        try write("tiny.json", valid)
        let r = try simulate(["tiny.json"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("speed-up"), r.out)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("output/tiny").path).sorted()
        XCTAssertEqual(files, ["advice.png", "asyncio.png", "comparison.png", "gevent.png", "processes.png", "results.csv", "results.json",
                               "scenario.json", "sync.png", "threads.png"])
    }

    func testAMissingFileIsNamedAndNothingIsWritten() throws {
        let r = try simulate(["nope.json"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("nope.json: no such file"), r.err)
        XCTAssertFalse(outputExists)
    }

    func testABadDurationNamesLinePathAndFix() throws {
        try write("bad.json", "{\n  \"tasks\": [\n    {\"name\": \"a\", \"steps\": [{\"cpu\": \"15 ms\"}]}\n  ]\n}\n")
        let r = try simulate(["bad.json"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains(#"bad.json:3:37: tasks[0].steps[0].cpu: "15 ms" is not a duration; write "15ms" or 15"#), r.err)
        XCTAssertFalse(outputExists)
    }

    /// `--set` wins over `--machine`: the profile makes the scenario this 2-core machine, and a what-if on it
    /// ("8 cores?") still gets the 8 cores asked for; a bad value is still refused.
    func testASetValueWinsOverTheMachineProfile() throws {
        try write("tiny.json", valid)
        try write("machine.json", KillTests.profile)
        let measured = try simulate(["tiny.json", "--machine", "machine.json", "--no-pictures"])
        XCTAssertEqual(measured.status, 0, measured.err)
        XCTAssertTrue(measured.out.contains("on 2 cores"), measured.out)
        let whatIf = try simulate(["tiny.json", "--machine", "machine.json", "--set", "machine.cores=8", "--no-pictures"])
        XCTAssertEqual(whatIf.status, 0, whatIf.err)
        XCTAssertTrue(whatIf.out.contains("on 8 cores"), whatIf.out)
        let bad = try simulate(["tiny.json", "--machine", "machine.json", "--set", "machine.cores=0", "-o", "bad"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.err.contains("--set machine.cores=0"), bad.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("bad").path))
    }

    /// `--set strategies[i]...` names the scenario file's strategy i, with `--strategies` picking one of them and
    /// `--machine` given or not: the profile is applied to the whole list, before the pick.
    func testASetOnAStrategyNamesTheFilesStrategyWhateverIsPicked() throws {
        try write("pools.json", #"{"name": "pools", "tasks": [{"steps": [{"cpu": "2ms"}]}], "strategies": ["sync", "#
                  + #"{"kind": "threads", "label": "pooled", "pool": 4}, "asyncio"]}"#)
        try write("machine.json", KillTests.profile)
        for (name, extra) in [("plain", [String]()), ("profiled", ["--machine", "machine.json"])] {
            let r = try simulate(["pools.json", "--strategies", "pooled", "--set", "strategies[1].pool=2", "--no-pictures",
                                  "-o", name] + extra)
            XCTAssertEqual(r.status, 0, "\(name): \(r.err)")
            let resolved = try String(contentsOf: folder.appendingPathComponent("\(name)/scenario.json"), encoding: .utf8)
            XCTAssertTrue(resolved.contains(#""strategies": [{"kind": "threads", "label": "pooled", "pool": 2}]"#),
                          "\(name): \(resolved)")
        }
    }

    /// A model-only sweep predicts a calibrated machine with `--machine`, and its `--vary` values still win over
    /// the profile's: the cores axis runs 1 and 8 cores, not the profile's 2. A missing profile is named, and
    /// nothing is written.
    func testASweepPredictsTheProfiledMachineWithItsVariedValues() throws {
        try write("tiny.json", valid)
        try write("machine.json", KillTests.profile)
        let plain = try simulate(["sweep", "tiny.json", "--vary", "machine.cores=1,8", "--no-pictures", "-o", "plain"])
        XCTAssertEqual(plain.status, 0, plain.err)
        let profiled = try simulate(["sweep", "tiny.json", "--vary", "machine.cores=1,8", "--machine", "machine.json", "--no-pictures", "-o", "profiled"])
        XCTAssertEqual(profiled.status, 0, profiled.err)
        func rows(_ name: String) throws -> [[String]] {
            try String(contentsOf: folder.appendingPathComponent("\(name)/sweep.csv"), encoding: .utf8)
                .split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        }
        let (a, b) = (try rows("plain"), try rows("profiled"))
        XCTAssertEqual(Set(b.map { $0[1] }), ["1", "8"], "the varied cores, not the profile's")
        XCTAssertEqual(a.map { $0[2] }, b.map { $0[2] }, "the same strategies at the same points")
        XCTAssertNotEqual(a.map { $0[4] }, b.map { $0[4] }, "the profile's costs change the makespans")
        let missing = try simulate(["sweep", "tiny.json", "--vary", "machine.cores=1,8", "--machine", "nowhere.json", "-o", "missing"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.err.contains("nowhere.json"), missing.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("missing").path))
    }

    func testAnImpossibleOverrideIsRefused() throws {
        try write("tiny.json", valid)
        let r = try simulate(["tiny.json", "--set", "machine.cores=0"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("--set machine.cores=0"), r.err)
        XCTAssertFalse(outputExists)
    }

    func testABadPictureOptionWritesNothing() throws {
        try write("tiny.json", valid)
        for (flag, value, expected) in [("--window", "5..1ms", "--window 5..1ms: the start '5' is not a duration"),
                                        ("--theme", "pink", "'pink' is invalid for '--theme <theme>'. Please provide one of 'light' and 'dark'"),
                                        ("--size", "10x10", "--size: 10x10 is outside 480x270 to 16000x16000"),
                                        ("--format", "gif", "'gif' is invalid for '--format <format>'. Please provide one of 'png', 'svg' or 'pdf'"),
                                        // Accepted by the old command-line check, then refused by the renderer after results were written.
                                        ("--size", "400x300", "--size: 400x300 is outside"), ("--scale", "5", "--scale: 5.0 is outside 0.5 to 4.0"),
                                        ("--size", "16384x16384", "--size: 16384x16384 is outside"),
                                        ("--window", "0ns..9223372036854775807ns", "--window: ends after 100000000s"),
                                        ("--window", "-5ms..10ms", "--window -5ms..10ms: the start is negative"),
                                        ("--max-lanes", "1", "--max-lanes: 1 is too few"),
                                        ("-o", "", "-o '': give a folder name"), ("--seed", "-1", "write a whole number from 0 to 18446744073709551615"),
                                        ("--strategies", "", "--strategies '' names no strategy"), ("--max-events", "0", "--max-events 0: give at least 1")] {
            let r = try simulate(["tiny.json", flag, value])
            XCTAssertNotEqual(r.status, 0, flag)
            XCTAssertTrue(r.err.contains(expected), "\(flag): \(r.err)")
            XCTAssertFalse(outputExists, flag)
        }
    }

    func testAnUnknownStrategyListsTheKnownOnes() throws {
        try write("tiny.json", valid)
        let r = try simulate(["tiny.json", "--strategies", "thread"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("'thread' is not a strategy of tiny; it has sync, threads, processes, gevent, asyncio"), r.err)
        XCTAssertFalse(outputExists)
    }

    func testJSONOutputIsTheResultsFile() throws {
        try write("tiny.json", valid)
        let r = try simulate(["tiny.json", "--json", "--no-pictures"])
        XCTAssertEqual(r.status, 0, r.err)
        let stdout = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
        XCTAssertNotNil(stdout?["strategies"])
        let file = try String(contentsOf: folder.appendingPathComponent("output/tiny/results.json"), encoding: .utf8)
        XCTAssertEqual(r.out.trimmingCharacters(in: .whitespacesAndNewlines), file.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func testScenarioNamedDotsStaysInItsOwnFolder() throws {
        for name in [".", ".."] {
            try write("dots.json", #"{"name": "\#(name)", "tasks": [{"steps": [{"cpu": "1ms"}]}], "strategies": ["sync"]}"#)
            let r = try simulate(["dots.json", "--no-pictures"])
            XCTAssertEqual(r.status, 0, r.err)
            let expected = String(repeating: "_", count: name.count)
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("output/\(expected)/results.json").path), name)
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("results.json").path), name)
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("output/results.json").path), name)
        }
    }

    func testARerunWithFewerStrategiesRemovesTheirOldPictures() throws {
        try write("tiny.json", valid)
        XCTAssertEqual(try simulate(["tiny.json", "--strategies", "sync,threads"]).status, 0)
        let mine = folder.appendingPathComponent("output/tiny/notes.png")
        try Data([1]).write(to: mine)
        let r = try simulate(["tiny.json", "--strategies", "sync"])
        XCTAssertEqual(r.status, 0, r.err)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("output/tiny").path).sorted()
        XCTAssertEqual(files, ["advice.png", "comparison.png", "notes.png", "results.csv", "results.json", "scenario.json", "sync.png"],
                       "threads.png is gone; a picture not named like ours stays")
    }

    func testAScenarioOverTheBudgetIsRefusedUpFrontNamingTheOption() throws {
        try write("big.json", #"{"tasks": [{"steps": [{"repeat": 1000000000, "steps": [{"cpu": "1us"}]}]}]}"#)
        let r = try simulate(["big.json"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("would take about 15.0 billion events"), r.err)
        XCTAssertTrue(r.err.contains("beyond the budget of 20 million events"), r.err)
        XCTAssertTrue(r.err.contains("--max-events 16000000000"), r.err)
        XCTAssertFalse(outputExists)
    }

    func testTheRunningBudgetIsSharedByTheStrategies() throws {
        try write("tiny.json", valid)
        // The estimate fits, but a background task (not estimated) makes the run longer than the budget.
        try write("bg.json", #"{"tasks": [{"steps": [{"sleep": "10s"}]}, {"name": "b", "background": true, "steps": [{"cpu": "1us"}]}], "strategies": ["threads", "gevent"]}"#)
        let r = try simulate(["bg.json", "--no-pictures", "--max-events", "100000"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("threads: the run did not finish within the budget of 100000 events"), r.err)
        XCTAssertTrue(r.err.contains("gevent: not simulated, the budget of 100000 events was used"), r.err)
        XCTAssertTrue(r.err.contains("--max-events"), r.err)
        XCTAssertFalse(outputExists)
    }

    func testMessagesForOddInput() throws {
        try write("tiny.json", valid)
        let devNull = try simulate(["/dev/null"])
        XCTAssertTrue(devNull.err.contains("/dev/null:1:1: the file is empty"), devNull.err)
        let version = try simulate(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.out.hasPrefix("simulate "), version.out)
        // "15%" is accepted (the refusal comes from --runs, which is checked after --tolerance is parsed).
        let percent = try simulate(["compare", "tiny.json", "--tolerance", "15%", "--runs", "0"])
        XCTAssertTrue(percent.err.contains("--runs must be at least 1"), percent.err)
        for timeout in ["inf", "nan", "1e300", "0"] {
            let r = try simulate(["real", "tiny.json", "--timeout", timeout])
            XCTAssertNotEqual(r.status, 0)
            XCTAssertTrue(r.err.contains("more than 0 and at most 86400"), "\(timeout): \(r.err)")
        }
        // A core count other than this machine's cannot be compared with real runs: the what-if is named.
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let eight = try simulate(["compare", "tiny.json", "--set", "machine.cores=\(cores + 6)"])
        XCTAssertNotEqual(eight.status, 0)
        XCTAssertTrue(eight.err.contains("real runs use this machine's \(cores) cores"), eight.err)
        XCTAssertTrue(eight.err.contains("simulate run tiny.json --machine output/machine.json --set machine.cores=\(cores + 6)"), eight.err)
        // Another machine's known misses: a mistyped list is named before any model runs, not read as empty.
        let misses = try simulate(["validate", "--known-misses", "nosuch.json"])
        XCTAssertNotEqual(misses.status, 0)
        XCTAssertTrue(misses.err.contains("--known-misses nosuch.json: the file does not exist"), misses.err)
        XCTAssertFalse(outputExists)
    }
}
