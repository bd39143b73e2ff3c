import Foundation
import SimEngine
import SimReport
import SimScenario
import SimTrace
import XCTest

final class ResultsWriterTests: XCTestCase {
    let scenario = Fixtures.cpuBoundScenario()
    let runs = Fixtures.cpuBoundRuns

    func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("report-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testJSONRoundTripsEveryNumber() throws {
        let reference = ReferenceComparison(runs: runs, referenceMakespans: ["sync": .milliseconds(2_180)], source: "article")
        let text = try ResultsWriter.json(scenario: scenario, runs: runs, reference: reference)
        let document = try ResultsDocument.makeDecoder().decode(ResultsDocument.self, from: Data(text.utf8))
        XCTAssertEqual(document, ResultsDocument(scenario: scenario, runs: runs, reference: reference))
        XCTAssertEqual(document.strategies.map(\.metrics), runs)
        XCTAssertEqual(document.tool, "simulate 0.1")
        XCTAssertEqual(document.scenario.seed, 7)
        XCTAssertEqual(document.baseline, "sync")
        XCTAssertEqual(document.workload.bound, "CPU-bound")
        for s in document.strategies {
            XCTAssertEqual(s.makespanS, Double(s.makespanNs) / 1e9)
            XCTAssertEqual(s.latencyP95S, Double(s.latencyP95Ns) / 1e9)
        }
        let processes = try XCTUnwrap(document.strategies.first { $0.strategy == "processes" })
        XCTAssertEqual(processes.speedup, 2.18 / 1.12, accuracy: 1e-12)
        XCTAssertEqual(processes.cpuBusyNs, 2_230_000_000)
        XCTAssertEqual(document.reference?.rows.first?.errorPercent ?? .nan, 0, accuracy: 1e-9)
    }

    func testJSONKeysAreSnakeCaseSortedAndBytesRepeat() throws {
        let first = try ResultsWriter.json(scenario: scenario, runs: runs)
        let second = try ResultsWriter.json(scenario: scenario, runs: runs)
        XCTAssertEqual(first, second)
        for key in ["\"latency_p50_ns\"", "\"latency_p50_s\"", "\"throughput_ops_per_s\"", "\"gil_waited_ns\"",
                    "\"task_latencies_ns\"", "\"cpu_utilisation\""] {
            XCTAssertTrue(first.contains(key), key)
        }
        XCTAssertFalse(first.contains("\"reference\""), "absent reference must not be written")
        let top = ["\"baseline\"", "\"scenario\"", "\"strategies\"", "\"tool\"", "\"verdict\"", "\"workload\""]
        let positions = top.map { first.range(of: $0)!.lowerBound }
        XCTAssertEqual(positions, positions.sorted())
    }

    func testCSVHasAHeaderAndOneRowPerStrategy() {
        let csv = ResultsWriter.csv(scenario: scenario, runs: runs)
        let lines = csv.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        XCTAssertEqual(lines.count, 1 + runs.count)
        XCTAssertEqual(lines[0], ResultsWriter.csvColumns.joined(separator: ","))
        XCTAssertTrue(lines[0].hasPrefix("strategy,kind,makespan_s,speedup,"))
        for line in lines { XCTAssertEqual(line.split(separator: ",").count, ResultsWriter.csvColumns.count) }
        XCTAssertTrue(lines[3].hasPrefix("processes,processes,1.120000,1.9464,"), lines[3])
        let quoted = ResultsWriter.csv(scenario: scenario, runs: [Fixtures.run("a,\"b\"", kind: "sync", seconds: 1)])
        XCTAssertTrue(quoted.contains("\n\"a,\"\"b\"\"\",sync,1.000000,"))
    }

    func testWriteCreatesBothFilesWithTheSameContent() throws {
        let folder = try temporaryFolder().appendingPathComponent("out/nested")
        let paths = try ResultsWriter.write(scenario: scenario, runs: runs, to: folder.path)
        XCTAssertEqual(paths.map { URL(fileURLWithPath: $0).lastPathComponent }, ["results.json", "results.csv"])
        XCTAssertEqual(try String(contentsOfFile: paths[0], encoding: .utf8), try ResultsWriter.json(scenario: scenario, runs: runs))
        XCTAssertEqual(try String(contentsOfFile: paths[1], encoding: .utf8), ResultsWriter.csv(scenario: scenario, runs: runs))
        // A second write replaces the files and leaves nothing else behind.
        try ResultsWriter.write(scenario: scenario, runs: Array(runs.prefix(2)), to: folder.path)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted(), ["results.csv", "results.json"])
        XCTAssertEqual(try String(contentsOfFile: paths[1], encoding: .utf8).split(separator: "\n").count, 3)
    }

    func testUnwritableFolderThrowsNamingThePathAndWritesNothing() throws {
        // A folder inside a regular file cannot be created, even by root (chmod would not stop root).
        let root = try temporaryFolder()
        let blocker = root.appendingPathComponent("not-a-folder")
        try Data("x".utf8).write(to: blocker)
        let folder = blocker.appendingPathComponent("results").path
        XCTAssertThrowsError(try ResultsWriter.write(scenario: scenario, runs: runs, to: folder)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains(folder + "/results.json"), message)
            XCTAssertTrue(message.contains("\(blocker.path) is a file, not a folder"), message)
            XCTAssertTrue(message.contains("choose an output folder"), message)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path), ["not-a-folder"])
        XCTAssertEqual(try Data(contentsOf: blocker), Data("x".utf8))
    }

    func testFailedRenameLeavesNoPartialFile() throws {
        // results.json exists as a non-empty folder: the temporary file is written, the rename fails.
        let folder = try temporaryFolder()
        let obstacle = folder.appendingPathComponent("results.json")
        try FileManager.default.createDirectory(at: obstacle.appendingPathComponent("keep"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try ResultsWriter.write(scenario: scenario, runs: runs, to: folder.path)) { error in
            XCTAssertTrue("\(error)".contains("\(obstacle.path) is a folder"), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["results.json"])
    }
}
