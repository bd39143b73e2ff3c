import Foundation
import SimEngine
import SimRealRuns
import XCTest
@testable import SimValidation

/// The matrix's plain programs: how their output is read, how their one-task time reaches the model, and
/// what a malformed entry is told.
final class ProgramTests: XCTestCase {
    func testTookLineIsReadFromTheLastLineOnly() {
        XCTAssertEqual(ProgramRunner.tookSeconds(in: "warming up\ntook 1.250000 s\n"), 1.25)
        XCTAssertEqual(ProgramRunner.tookSeconds(in: "took 0.000049 s\n\n  \n"), 0.000049)
        XCTAssertNil(ProgramRunner.tookSeconds(in: "took 1.2 s\nTraceback ...\n"))
        XCTAssertNil(ProgramRunner.tookSeconds(in: "took 1.2 seconds\n"))
        XCTAssertNil(ProgramRunner.tookSeconds(in: "took -1 s\n"))
        XCTAssertNil(ProgramRunner.tookSeconds(in: "took nan s\n"))
        XCTAssertNil(ProgramRunner.tookSeconds(in: ""))
    }

    /// The article's CPU job run sequentially is ten times one task: the model must take the measured time
    /// of one task, whatever the scenario file says, and scale with it.
    func testOneTaskTimeReachesTheModel() throws {
        let matrix = try ValidationMatrix.load(folder: FidelityTests.folder)
        let recorded = try MatrixMeasurements.load(from: FidelityTests.folder + "/measurements.json")
        var only = matrix
        only.cases = try matrix.selecting(names: ["program-article-cpu"])
        func sequential(oneTask: [SimTime]) throws -> SimTime {
            var m = recorded
            m.cases["program-article-cpu"]?.oneTask = MeasuredPoint(runs: oneTask)
            let report = try FidelityReport.evaluate(matrix: only, measurements: m, tolerancePercent: 10)
            return try XCTUnwrap(report.points.first { $0.strategy == "sync" }).predicted
        }
        let at50 = try sequential(oneTask: [.milliseconds(50)]), at200 = try sequential(oneTask: [.milliseconds(200)])
        XCTAssertEqual(at50.milliseconds, 500, accuracy: 5)  // ten jobs one after another
        XCTAssertEqual(at200.milliseconds, 2000, accuracy: 20)
        // Several timings: their mean (50 ms), not their median (40 ms): ten jobs sum the speeds they meet.
        let mixed = try sequential(oneTask: [40, 40, 40, 50, 80].map { SimTime.milliseconds($0) })
        XCTAssertEqual(mixed.milliseconds, 500, accuracy: 5)
    }

    func testAMalformedProgramEntryIsNamed() throws {
        let folder = NSTemporaryDirectory() + "programs-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/programs", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try #"{"tasks": [{"steps": [{"cpu": "5ms"}]}]}"#.write(toFile: folder + "/programs/p.json", atomically: true, encoding: .utf8)
        try "print('took 1 s')\n".write(toFile: folder + "/programs/p.py", atomically: true, encoding: .utf8)
        func index(client: String, oneTask: String, program: String = "programs/p.py") throws {
            try """
            {"cases": [], "programs": [{"name": "p", "file": "programs/p.json", "half": "held-out", "program": "\(program)",
              "arguments": [], "one_task": \(oneTask), "client": "\(client)"}]}
            """.write(toFile: folder + "/matrix.json", atomically: true, encoding: .utf8)
        }
        try index(client: "calibrated", oneTask: #""tasks[0].steps[0].cpu.duration""#)
        XCTAssertEqual(try ValidationMatrix.load(folder: folder).cases.first?.program?.oneTaskKey, "tasks[0].steps[0].cpu.duration")
        try index(client: "socket", oneTask: "null")
        XCTAssertThrowsError(try ValidationMatrix.load(folder: folder)) { XCTAssertTrue("\($0)".contains("client must be")) }
        try index(client: "calibrated", oneTask: "null", program: "programs/missing.py")
        XCTAssertThrowsError(try ValidationMatrix.load(folder: folder)) { XCTAssertTrue("\($0)".contains("missing.py does not exist")) }
        try index(client: "calibrated", oneTask: #""tasks[3].steps[0].cpu.duration""#)
        XCTAssertThrowsError(try ValidationMatrix.load(folder: folder)) { XCTAssertTrue("\($0)".contains("tasks[3]"), "\($0)") }
    }
}
