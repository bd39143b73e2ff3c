import Foundation
import SimRealRuns
import XCTest

/// One step of calibrate.py run alone for real (`--only`), as the tests of a step's measurement need it.
enum CalibrationStep {
    /// Runs calibrate.py with `--only step` in the project's Python environment, against no server; returns the
    /// result's JSON object and what the script wrote on stderr (a line per step run). A failed run fails the
    /// calling test at its line, with that stderr.
    static func run(_ step: String, timeout: Double = 120, file: StaticString = #filePath,
                    line: UInt = #line) throws -> (result: [String: Any], stderr: String) {
        let environment = try RuntimesTests.environment.get()
        let folder = try ChildProcessRegistry.shared.makeTemporaryFolder("calibration-step")
        defer { ChildProcessRegistry.shared.removeTemporaryFolder(folder) }
        let outPath = folder + "/out.json", errPath = folder + "/stderr"
        let child = try ChildProcess(executable: environment.python,
                                     arguments: [environment.calibration, "--server", "http://127.0.0.1:1/", "--out", outPath,
                                                 "--only", step],
                                     stdoutPath: folder + "/stdout", stderrPath: errPath)
        let stderr = { ChildProcess.text(of: errPath) }
        XCTAssertEqual(child.wait(timeout: timeout), .exited(0), stderr(), file: file, line: line)
        let data = try XCTUnwrap(FileManager.default.contents(atPath: outPath), stderr(), file: file, line: line)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], file: file, line: line)
        return (object, stderr())
    }
}
