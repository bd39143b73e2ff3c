import Foundation
import XCTest

/// Picture options as a user meets them: --explain and --frames through the built `simulate` binary.
final class PictureCommandTests: CommandTestCase {
    let convoy = #"{"name": "c", "machine": {"cores": 2}, "tasks": [{"name": "io", "steps": [{"repeat": 20, "steps": [{"io": {"latency": "200us", "cpu": "30us", "connection": "reuse"}}]}]}, {"name": "cpu", "background": true, "steps": [{"cpu": "10ms"}]}], "strategies": ["threads"]}"#

    func run(_ arguments: [String]) throws -> (status: Int32, err: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func files() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("output/c").path).sorted()
    }

    func testFramesAreNumberedAndARerunWithFewerRemovesTheRest() throws {
        try convoy.write(to: folder.appendingPathComponent("c.json"), atomically: true, encoding: .utf8)
        var r = try run(["c.json", "--frames", "3", "--explain", "--size", "960x540"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(try files().filter { $0.contains(".frame-") }, ["threads.frame-001.png", "threads.frame-002.png", "threads.frame-003.png"])
        r = try run(["c.json", "--frames", "2", "--frame-width", "10ms", "--size", "960x540"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(try files().filter { $0.contains(".frame-") }, ["threads.frame-001.png", "threads.frame-002.png"])
        r = try run(["c.json", "--size", "960x540"])
        XCTAssertEqual(try files().filter { $0.contains(".frame-") }, [])
    }

    func testBadFrameOptionsAreRefusedBeforeAnythingIsWritten() throws {
        try convoy.write(to: folder.appendingPathComponent("c.json"), atomically: true, encoding: .utf8)
        for (arguments, expected) in [(["--frames", "0"], "--frames: 0 is outside 1 to 300 frames"),
                                      (["--frames", "100000"], "--frames: 100000 is outside 1 to 300 frames"),
                                      (["--frame-width", "5ms"], "--frame-width: give --frames N too"),
                                      (["--frames", "3", "--frame-width", "0ms"], "--frame-width: must be longer than 0"),
                                      (["--frames", "3", "--frame-width", "50ms", "--window", "0ms..40ms"], "--frame-width: 50ms is longer than the --window"),
                                      (["--frames", "3", "--frame-width", "soon"], "--frame-width soon: write a duration")] {
            let r = try run(["c.json"] + arguments)
            XCTAssertNotEqual(r.status, 0, "\(arguments)")
            XCTAssertTrue(r.err.contains(expected), "\(arguments): \(r.err)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("output").path), "\(arguments)")
        }
    }
}
