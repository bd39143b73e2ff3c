import SimEngine
import SimReport
import SimScenario
import SimTrace
import XCTest

final class ComparisonTableTests: XCTestCase {
    let table = ComparisonTable(scenario: Fixtures.cpuBoundScenario(), runs: Fixtures.cpuBoundRuns)

    func testRowsAreFastestFirstWithTiesInRunOrder() {
        XCTAssertEqual(table.order, ["processes", "sync", "gevent", "asyncio", "threads"])
        let rows = table.lines().dropFirst(3).map { $0.split(separator: " ").first.map(String.init) }
        XCTAssertEqual(rows, ["processes", "sync", "gevent", "asyncio", "threads"])
    }

    func testSpeedUpIsAgainstSync() throws {
        let figures = table.comparison.figures
        XCTAssertEqual(table.comparison.baseline, "sync")
        XCTAssertTrue(table.comparison.baselineIsSync)
        let processes = try XCTUnwrap(figures.first { $0.label == "processes" })
        XCTAssertEqual(processes.speedUp, 2.18 / 1.12, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(figures.first { $0.label == "sync" }).speedUp, 1)
        let lines = table.lines()
        XCTAssertTrue(try XCTUnwrap(lines.first { $0.hasPrefix("processes") }).contains(" 1.95x "))
        XCTAssertTrue(try XCTUnwrap(lines.first { $0.hasPrefix("threads") }).contains(" 0.88x "))
    }

    func testDerivedFigures() throws {
        let threads = try XCTUnwrap(table.comparison.figures.first { $0.label == "threads" })
        XCTAssertEqual(threads.latencyP50, .milliseconds(2_420))  // nearest rank: the 5th of 10
        XCTAssertEqual(threads.latencyP95, .milliseconds(2_470))
        XCTAssertEqual(threads.latencyMax, .milliseconds(2_470))
        XCTAssertEqual(threads.cpuBusy, .milliseconds(2_550))
        XCTAssertEqual(threads.cores, 2)
        XCTAssertEqual(threads.utilisation, 2.55 / (2 * 2.47), accuracy: 1e-12)
        XCTAssertEqual(threads.throughput, 10 / 2.47, accuracy: 1e-12)
        let line = try XCTUnwrap(table.lines().first { $0.hasPrefix("threads") })
        for cell in ["2.47 s", "2.42 s", "4.05", "2.55 s", "52%", "19.5 s", "480", "470", "123k"] {
            XCTAssertTrue(line.contains(cell), "\(cell) missing in: \(line)")
        }
    }

    func testEveryLineHasTheSameWidthAndFitsATerminal() {
        let lines = table.lines()
        XCTAssertEqual(lines.count, 3 + 5)
        XCTAssertEqual(Set(lines.map(\.count)).count, 1, lines.joined(separator: "\n"))
        XCTAssertLessThanOrEqual(lines[0].count, 112)
        // Numbers are right-aligned: the speed-up cells end in the same column.
        let ends = lines.dropFirst(3).map { $0.range(of: "x ")!.lowerBound.utf16Offset(in: $0) }
        XCTAssertEqual(Set(ends).count, 1)
    }

    func testColourOnlyWhenAsked() {
        XCTAssertFalse(table.render(colour: false).contains("\u{1B}"))
        let coloured = table.render(colour: true)
        XCTAssertTrue(coloured.contains("\u{1B}[1;32mprocesses"))
        let stripped = coloured.replacingOccurrences(of: #"\u001B\[[0-9;]*m"#, with: "", options: .regularExpression)
        XCTAssertEqual(stripped, table.render(colour: false))
    }

    func testWithoutSyncTheSlowestIsTheBaseline() throws {
        let runs = Fixtures.cpuBoundRuns.filter { $0.kind != "sync" }
        let table = ComparisonTable(scenario: Fixtures.cpuBoundScenario(), runs: runs)
        XCTAssertEqual(table.comparison.baseline, "threads")
        XCTAssertFalse(table.comparison.baselineIsSync)
        XCTAssertEqual(try XCTUnwrap(table.comparison.figures.first { $0.label == "processes" }).speedUp,
                       2.47 / 1.12, accuracy: 1e-12)
        XCTAssertTrue(table.footnote.contains("vs threads (the slowest"))
    }

    func testEmptyAndZeroRunsDoNotCrash() {
        XCTAssertEqual(ComparisonTable(scenario: Fixtures.cpuBoundScenario(), runs: []).lines().count, 3)
        let zero = ComparisonTable(scenario: Fixtures.cpuBoundScenario(), runs: [Fixtures.run("sync", seconds: 0)])
        XCTAssertTrue(zero.lines()[3].contains("0 s"))
    }
}
