import Foundation
import XCTest

@testable import SimRealRuns

/// Faults around real runs (issue 9): a python that exits at once, a timeout that is not a number of
/// seconds, a malformed machine profile, folders left by a killed `simulate`.
final class FaultTests: XCTestCase {
    var folder: String!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("faults-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/venv/bin", withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    func testAPythonThatExitsAtOnceIsNotReportedAsASlowStart() throws {
        let python = folder + "/venv/bin/python"
        try "#!/bin/sh\necho 'broken venv' >&2\nexit 3\n".write(toFile: python, atomically: true, encoding: .utf8)
        chmod(python, 0o755)
        let environment = PythonEnvironment(scriptsFolder: folder, venvFolder: folder + "/venv")
        let start = Date()
        XCTAssertThrowsError(try LatencyServer(environment: environment)) { error in
            XCTAssertTrue("\(error)".contains("it exited at once with status 3"), "\(error)")
            XCTAssertTrue("\(error)".contains("broken venv"), "\(error)")
            XCTAssertFalse("\(error)".contains("within 10 s"), "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 5, "reported when the child ends, not after the 10 s wait")
    }

    func testATimeoutThatIsNotAFiniteNumberOfSecondsDoesNotTrap() throws {
        for timeout in [Double.infinity, .nan, 1e300] {
            let child = try ChildProcess(executable: "/bin/true", arguments: [])
            XCTAssertEqual(child.wait(timeout: timeout), .exited(0), "\(timeout)")
        }
    }

    func testAMalformedProfileIsExplainedInWords() throws {
        let path = folder + "/machine.json"
        try #"{"aiohttpCPU": "fast"}"#.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try MachineProfile.load(from: path)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("cannot use machine profile \(path): "), text)
            XCTAssertTrue(text.contains(" is missing. Run `simulate calibrate`"), text)
            XCTAssertFalse(text.contains("DecodingError"), text)
            XCTAssertFalse(text.contains("codingPath"), text)
        }
        try "{".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try MachineProfile.load(from: path)) { error in
            XCTAssertTrue("\(error)".contains("it is not valid JSON"), "\(error)")
        }
    }

    func testFoldersOfADeadSimulateAreSweptAndOthersKept() throws {
        // A pid far above pid_max (4194304 at most on Linux) belongs to no process.
        let dead = folder + "/simulate-real-99999999-12345"
        let mine = folder + "/simulate-real-\(getpid())-12345"
        let other = folder + "/simulate-command-AB-CD"
        for f in [dead, mine, other] { try FileManager.default.createDirectory(atPath: f, withIntermediateDirectories: true) }
        XCTAssertEqual(ChildProcessRegistry.sweepLeftoverFolders(in: folder), [dead])
        XCTAssertFalse(FileManager.default.fileExists(atPath: dead))
        XCTAssertTrue(FileManager.default.fileExists(atPath: mine))
        XCTAssertTrue(FileManager.default.fileExists(atPath: other))
    }
}
