import XCTest
import SimReport
import SimRendering
import SimScenario
@testable import SimSweep

/// A small scenario: I/O tasks beside a CPU-bound background thread, cheap enough for many points.
let sweepScenario = """
    {
      "name": "small", "seed": 4, "machine": {"cores": 2},
      "tasks": [
        {"name": "io", "count": 3, "steps": [{"repeat": 5, "steps": [{"io": {"latency": {"exponential": {"mean": "2ms"}}, "cpu": "50us", "connection": "reuse"}}]}]},
        {"name": "cpu", "count": 1, "background": true, "steps": [{"cpu": "5ms"}]}
      ],
      "strategies": ["sync", "threads", "processes", "asyncio"]
    }
    """

func plan(_ vary: [String], shard: SweepShard? = nil, overrides: [String] = []) throws -> SweepPlan {
    try SweepPlan(sourceName: "small.json", scenarioText: sweepScenario, overrides: overrides, strategyLabels: nil,
                  axes: vary.map { try SweepAxis(parsing: $0) }, shard: shard)
}

/// The message of a sweep input error, failing the test when there is none.
func sweepError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> String {
    do {
        try body()
        XCTFail("expected an error", file: file, line: line)
    } catch {
        return "\(error)"
    }
    return ""
}

final class SweepAxisTests: XCTestCase {
    func testListsAndRanges() throws {
        XCTAssertEqual(try SweepAxis(parsing: "machine.cores=1..4").values, ["1", "2", "3", "4"])
        XCTAssertEqual(try SweepAxis(parsing: "tasks[0].count=10..50:20").values, ["10", "30", "50"])
        XCTAssertEqual(try SweepAxis(parsing: "tasks[0].count=1..1000/7").values, ["1", "3", "10", "32", "100", "316", "1000"])
        XCTAssertEqual(try SweepAxis(parsing: "python.switch_interval=1ms..3ms:1ms").values, ["1ms", "2ms", "3ms"])
        XCTAssertEqual(try SweepAxis(parsing: "python.switch_interval=0.1ms..50ms/10").values,
                       ["100us", "199us", "398us", "794us", "1.58ms", "3.16ms", "6.3ms", "12.6ms", "25.1ms", "50ms"])
        // Items mix, repeats are kept once, JSON values keep their commas.
        XCTAssertEqual(try SweepAxis(parsing: "machine.cores=1,2..3,2,8").values, ["1", "2", "3", "8"])
        XCTAssertEqual(try SweepAxis(parsing: #"strategies=["sync","threads"],["asyncio"]"#).values, [#"["sync","threads"]"#, #"["asyncio"]"#])
    }

    func testNumbersForPlotting() throws {
        let d = try SweepAxis(parsing: "python.switch_interval=1ms,500us")
        XCTAssertTrue(d.isDuration)
        XCTAssertEqual(d.numbers, [0.001, 0.0005])
        XCTAssertEqual(try SweepAxis(parsing: "machine.cores=1,4").numbers, [1, 4])
        XCTAssertNil(try SweepAxis(parsing: "machine.scheduler=linux,round_robin").numbers)
    }

    func testBadRangesSayWhatToWrite() {
        for (text, fragment) in [
            ("machine.cores", "expected KEY=VALUES"),
            ("machine..cores=1", "is not a key path"),
            ("machine.cores=4..1", "4 is above 1"),
            ("machine.cores=1..x", "must both be integers or both durations"),
            ("python.switch_interval=1ms..5ms", "a duration range needs :STEP or /N"),
            ("machine.cores=1..8/1", "at least 2"),
            ("machine.cores=0..8/3", "LO of at least 1"),
            ("machine.cores=1,,2", "an empty value"),
            ("tasks[0].count=1..10000000", "10000000 values are more than 100000"),
        ] {
            let message = sweepError { _ = try SweepAxis(parsing: text) }
            XCTAssertTrue(message.contains(fragment), "\(text): \(message)")
            XCTAssertTrue(message.hasPrefix("--vary \(text)"), message)
        }
    }
}

final class SweepPlanTests: XCTestCase {
    func testPointsAreTheCrossProductFirstAxisSlowest() throws {
        let p = try plan(["machine.cores=1,2", "tasks[0].count=1..3"])
        XCTAssertEqual(p.pointCount, 6)
        XCTAssertEqual((0..<6).map { p.values(ofPoint: $0) },
                       [["1", "1"], ["1", "2"], ["1", "3"], ["2", "1"], ["2", "2"], ["2", "3"]])
        XCTAssertEqual(p.point(positions: [1, 2]), 5)
        let s = try p.scenario(atPoint: 4)
        XCTAssertEqual(s.machine.cores, 2)
        XCTAssertEqual(s.tasks[0].count, 2)
    }

    func testShardsPartitionThePoints() throws {
        let all = try plan(["tasks[0].count=1..10"]).points
        var union: [Int] = []
        for i in 1...3 { union += try plan(["tasks[0].count=1..10"], shard: SweepShard(index: i, count: 3)).points }
        XCTAssertEqual(union.sorted(), all)
        XCTAssertEqual(Set(union).count, union.count)
    }

    func testBadSweepInputFailsBeforeAnyRun() {
        XCTAssertTrue(sweepError { _ = try plan(["machine.corez=1,2"]) }.contains("--vary machine.corez=1,2: value 1: machine.corez: unknown key \"corez\" in machine (did you mean \"cores\"?)"))
        XCTAssertTrue(sweepError { _ = try plan(["machine.cores=1,0"]) }.contains("--vary machine.cores=1,0: value 0: machine.cores"))
        XCTAssertTrue(sweepError { _ = try plan(["python.switch_interval=1ms,fast"]) }.contains("value fast: python.switch_interval"))
        XCTAssertTrue(sweepError { _ = try plan(["tasks[3].count=1,2"]) }.contains("the list has 2 elements"))
        let tooMany = sweepError { _ = try plan(["machine.cores=1..10000", "tasks[0].count=1..1000"]) }
        XCTAssertTrue(tooMany.contains("10000 x 1000 = 10000000 points; at most 100000"), tooMany)
        XCTAssertTrue(sweepError { _ = try plan(["machine.cores=1", "machine.cores=2"]) }.contains("given twice"))
        XCTAssertTrue(sweepError { _ = try plan([]) }.contains("at least one --vary"))
        XCTAssertTrue(sweepError { _ = try SweepShard(parsing: "4/3") }.contains("1 <= i <= n"))
    }
}

final class SweepRunTests: XCTestCase {
    func testOneRowPerPointAndStrategyWithEveryMetric() throws {
        let out = try SweepRunner.run(try plan(["python.switch_interval=1ms,5ms", "tasks[1].count=1,2"]), workers: 2)
        XCTAssertEqual(out.document.rows.count, 4 * 4)
        XCTAssertEqual(out.document.rows.map(\.point), (0..<4).flatMap { Array(repeating: $0, count: 4) })
        XCTAssertEqual(out.document.rows.prefix(4).map(\.result.strategy), ["sync", "threads", "processes", "asyncio"])
        let lines = out.csv.split(separator: "\n")
        XCTAssertEqual(lines.count, 1 + 16)
        XCTAssertTrue(lines[0].hasPrefix("point,python.switch_interval,tasks[1].count,strategy,kind,makespan_s,"), String(lines[0]))
        XCTAssertTrue(lines[0].hasSuffix(",gil_wait_share"))
        XCTAssertTrue(lines[2].hasPrefix("0,1ms,1,threads,threads,"), String(lines[2]))
        // The threads run waits for the GIL held by the CPU thread; sync has no GIL wait.
        for row in out.document.rows {
            XCTAssertGreaterThan(row.result.makespanNs, 0)
            if row.result.strategy == "threads" { XCTAssertGreaterThan(row.gilWaitShare, 0.1) }
            if row.result.strategy == "sync" { XCTAssertEqual(row.gilWaitShare, 0) }
        }
    }

    func testSameBytesWhateverTheNumberOfWorkers() throws {
        let p = try plan(["tasks[0].count=1..12", "machine.cores=1,2"])
        let one = try SweepRunner.run(p, workers: 1)
        let four = try SweepRunner.run(p, workers: 4)
        XCTAssertEqual(try one.document.jsonText(), try four.document.jsonText())
        XCTAssertEqual(one.csv, four.csv)
    }

    func testShardedAndMergedEqualsUnshardedByteForByte() throws {
        let vary = ["tasks[0].count=1..7", "python.switch_interval=1ms,5ms"]
        let whole = try SweepRunner.run(try plan(vary), workers: 2)
        var parts: [(document: SweepDocument, csv: String, name: String)] = []
        for i in [3, 1, 2] {  // any order
            let shard = try SweepRunner.run(try plan(vary, shard: SweepShard(index: i, count: 3)), workers: 2)
            XCTAssertEqual(shard.document.shard, "\(i)/3")
            XCTAssertNil(shard.document.advice)
            // Through the files' bytes, as `simulate sweep merge` reads them.
            let read = try SweepDocument.read(Data(try shard.document.jsonText().utf8), name: "shard\(i)")
            parts.append((read, shard.csv, "shard\(i)"))
        }
        let merged = try SweepDocument.merge(parts)
        XCTAssertEqual(try merged.document.jsonText(), try whole.document.jsonText())
        XCTAssertEqual(merged.csv, whole.csv)

        XCTAssertTrue(sweepError { _ = try SweepDocument.merge(Array(parts.prefix(2))) }.contains("points are missing"))
        XCTAssertTrue(sweepError { _ = try SweepDocument.merge(parts + [parts[0]]) }.contains("is in both"))
        var other = parts[1]
        other.document.seed = 99
        XCTAssertTrue(sweepError { _ = try SweepDocument.merge([parts[0], other, parts[2]]) }.contains("from another sweep"))
    }

    func testAdviceNamesWhereTheAnswerFlipsAmongStrategiesThatRunTheWholeWorkload() throws {
        let out = try SweepRunner.run(try plan(["tasks[1].count=1,2,4,8"]), workers: 2)
        // sync runs only the foreground tasks of a scenario with background ones: never the answer.
        XCTAssertEqual(out.document.candidates, ["threads", "processes", "asyncio"])
        let advice = try XCTUnwrap(out.document.advice)
        let first = try XCTUnwrap(advice.first)
        let strategy = #"(threads|processes|asyncio)"#
        let value = #"(1|2|4|8)"#
        let shapes = [
            "^\(strategy) is fastest \\(or within 5% of it\\) at every tasks\\[1\\]\\.count from 1 to 8$",
            "^\(strategy) overtakes \(strategy) above tasks\\[1\\]\\.count=\(value)( \\(fastest from tasks\\[1\\]\\.count=\(value)\\))?$",
        ]
        for line in advice {
            XCTAssertTrue(shapes.contains { line.range(of: $0, options: .regularExpression) != nil }, line)
            XCTAssertNil(line.range(of: #"\bsync\b"#, options: .regularExpression), line)
        }
        XCTAssertTrue(shapes.contains { first.range(of: $0, options: .regularExpression) != nil })
        // The flips agree with the rows: the last point's fastest candidate is the one the advice ends on.
        let last = out.document.rows.filter { $0.point == 3 && out.document.candidates.contains($0.result.strategy) }
        let fastest = try XCTUnwrap(last.min { $0.result.makespanNs < $1.result.makespanNs }).result.strategy
        let winnerLines = advice.filter { $0.contains("(fastest from") || $0.contains("is fastest") }
        let named = try XCTUnwrap(winnerLines.last?.split(separator: " ").first.map(String.init))
        let namedRow = try XCTUnwrap(last.first { $0.result.strategy == named })
        let bestRow = try XCTUnwrap(last.first { $0.result.strategy == fastest })
        XCTAssertLessThanOrEqual(Double(namedRow.result.makespanNs), Double(bestRow.result.makespanNs) * Advice.asGoodFactor)
    }
}

/// Fails for each pair of texts (legend included) whose boxes overlap.
func assertNoTextOverlaps(_ layout: SweepLayout, file: StaticString = #filePath, line: UInt = #line) {
    let all = layout.texts + layout.legend.map(\.label)
    for (i, a) in all.enumerated() {
        for b in all[(i + 1)...] {
            XCTAssertFalse(a.bounds.overlaps(b.bounds), "\(a.text) overlaps \(b.text)", file: file, line: line)
        }
    }
}

final class SweepChartTests: XCTestCase {
    func testChartsPlaceEveryPanelAndLineInsideThePicture() throws {
        let out = try SweepRunner.run(try plan(["python.switch_interval=0.1ms..50ms/6", "tasks[1].count=1,2"]), workers: 2)
        let charts = out.document.charts()
        XCTAssertEqual(charts.count, 1)
        let chart = charts[0].chart
        XCTAssertTrue(chart.x.isLog, "0.1 ms to 50 ms spans decades")
        XCTAssertEqual(chart.columns, ["1", "2"])
        let layout = try SweepChartRenderer.layout(chart, options: RenderOptions(), format: .png)
        XCTAssertEqual(layout.panels.count, 5 * 2)
        let picture = Rect(x: 0, y: 0, width: layout.width, height: layout.height)
        for (i, a) in layout.panels.enumerated() {
            XCTAssertTrue(picture.contains(a.frame))
            for b in layout.panels[(i + 1)...] { XCTAssertFalse(a.frame.overlaps(b.frame)) }
            for line in a.lines { for piece in line.pieces { for p in piece {
                XCTAssertTrue(p.x >= a.frame.x - 0.5 && p.x <= a.frame.maxX + 0.5 && p.y >= a.frame.y - 0.05 * a.frame.height && p.y <= a.frame.maxY + 0.5)
            } } }
            XCTAssertEqual(a.lines.count, 4)
        }
        for t in layout.texts {
            XCTAssertTrue(picture.contains(t.bounds), "\(t.text) at \(t.bounds)")
            for p in layout.panels { XCTAssertFalse(t.bounds.overlaps(p.frame) && t.role != .tickLabel, "\(t.text) over a panel") }
        }
        assertNoTextOverlaps(layout)
    }

    func testOneKeyPutsTheAdviceInTheSpareCellWithoutOverlaps() throws {
        let out = try SweepRunner.run(try plan(["tasks[1].count=1..8"]), workers: 2)
        let chart = try XCTUnwrap(out.document.charts().first?.chart)
        XCTAssertFalse(chart.notes.isEmpty)
        let layout = try SweepChartRenderer.layout(chart, options: RenderOptions(), format: .png)
        XCTAssertEqual(layout.panels.count, 5)
        let notes = layout.texts.filter { $0.role == .note }
        XCTAssertFalse(notes.isEmpty)
        let spare = try XCTUnwrap(layout.panels.last).frame
        for n in notes { XCTAssertGreaterThan(n.bounds.x, spare.maxX, "the notes sit right of the last panel: \(n.text)") }
        assertNoTextOverlaps(layout)
    }

    func testPicturesAreTheSameBytesEachTime() throws {
        let out = try SweepRunner.run(try plan(["tasks[0].count=1,2,4"]), workers: 2)
        let chart = try XCTUnwrap(out.document.charts().first?.chart)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-chart-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for ext in ["png", "svg", "pdf"] {
            try SweepChartRenderer.render(chart, options: RenderOptions(theme: .dark), to: "\(folder)/a.\(ext)")
            try SweepChartRenderer.render(chart, options: RenderOptions(theme: .dark), to: "\(folder)/b.\(ext)")
            let a = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/a.\(ext)"))
            XCTAssertGreaterThan(a.count, 1000)
            XCTAssertEqual(a, try Data(contentsOf: URL(fileURLWithPath: "\(folder)/b.\(ext)")), ext)
        }
    }
}
