import Foundation
import XCTest

/// The command as a user meets it: the built `simulate` binary run in a temporary folder. Each mistake must
/// give a clear message, a non-zero exit, and write nothing.
final class CommandTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("simulate-command-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// The `simulate` executable next to this test bundle in the build folder.
    var binary: URL {
        var url = Bundle(for: CommandTests.self).bundleURL
        while url.pathExtension == "xctest" || url.lastPathComponent == "Contents" { url.deleteLastPathComponent() }
        return url.appendingPathComponent("simulate")
    }

    /// Runs `simulate` with `arguments` in the temporary folder; returns the exit status, stdout and stderr.
    func simulate(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

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
        XCTAssertEqual(files, ["asyncio.png", "comparison.png", "gevent.png", "processes.png", "results.csv", "results.json",
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

    func testAnImpossibleOverrideIsRefused() throws {
        try write("tiny.json", valid)
        let r = try simulate(["tiny.json", "--set", "machine.cores=0"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("--set machine.cores=0"), r.err)
        XCTAssertFalse(outputExists)
    }

    func testABadPictureOptionWritesNothing() throws {
        try write("tiny.json", valid)
        for (flag, value, expected) in [("--window", "5..1ms", "--window 5..1ms: write start..end"), ("--theme", "pink", "--theme pink: write light or dark"),
                                        ("--size", "10x10", "--size 10x10"), ("--format", "gif", "--format gif: write png, svg or pdf")] {
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
}
