import Foundation
import XCTest
import SimEngine
import SimModel
import SimScenario
import SimTrace
@testable import SimReport

/// Advice on constructed workloads whose right answer is known (the seed article's rule of thumb), run
/// through the model, and the flips along a sweep on constructed series.
final class AdviceTests: XCTestCase {
    /// Every strategy of `scenario` run by the model, with traces.
    private func advise(_ scenario: Scenario) throws -> Advice {
        var runs: [RunMetrics] = []
        var traces: [String: Trace] = [:]
        for s in scenario.strategies {
            let run = try Simulator.run(scenario, strategy: s, options: SimulationOptions(trace: true))
            runs.append(run.metrics)
            traces[s.label] = run.trace
        }
        return Advice(scenario: scenario, runs: runs, traces: traces)
    }

    func testCPUBoundCHoldingTheGILChoosesProcessesBecauseTheCoresAreBusy() throws {
        let advice = try advise(Fixtures.cpuBoundScenario(kind: .cHoldsGIL))
        XCTAssertEqual(advice.choice, "processes")
        let win = try XCTUnwrap(advice.evidence.first)
        XCTAssertEqual(win.strategy, "processes")
        XCTAssertEqual(win.mechanism, .coresBusy)
        XCTAssertGreaterThan(win.share, 0.9, "2 cores busy nearly all the time")
        let threads = try XCTUnwrap(advice.evidence.first { $0.strategy == "threads" })
        XCTAssertEqual(threads.mechanism, .gilWait)
        XCTAssertGreaterThan(threads.share, 0.3)
        XCTAssertTrue(advice.lines[0].hasPrefix("Choose processes ("), advice.lines[0])
        XCTAssertTrue(advice.lines[0].contains("the 2 cores are busy"), advice.lines[0])
        XCTAssertTrue(advice.warnings.isEmpty, "no I/O, no convoy")
    }

    /// The advice reaches the terminal report (after the verdict) and results.json, and neither without it.
    func testAdviceIsPrintedAndWritten() throws {
        let scenario = Fixtures.cpuBoundScenario(kind: .cHoldsGIL)
        let advice = try advise(scenario)
        var runs: [RunMetrics] = []
        for s in scenario.strategies { runs.append(try Simulator.run(scenario, strategy: s, options: SimulationOptions(trace: false)).metrics) }
        let text = Report.render(scenario: scenario, runs: runs, advice: advice)
        let verdict = try XCTUnwrap(text.range(of: Verdict(scenario: scenario, runs: runs).text))
        let heading = try XCTUnwrap(text.range(of: "\nAdvice\n  Choose processes ("))
        XCTAssertLessThan(verdict.lowerBound, heading.lowerBound, "advice comes after the verdict")
        XCTAssertFalse(Report.render(scenario: scenario, runs: runs).contains("Advice"))
        let json = try ResultsWriter.json(scenario: scenario, runs: runs, advice: advice)
        let document = try ResultsDocument.makeDecoder().decode(ResultsDocument.self, from: Data(json.utf8))
        XCTAssertEqual(document.advice?.choice, "processes")
        XCTAssertEqual(document.advice?.lines, advice.lines)
        XCTAssertTrue(json.contains("\"as_good\""))
        XCTAssertNil(try ResultsDocument.makeDecoder().decode(ResultsDocument.self,
                                                              from: Data(ResultsWriter.json(scenario: scenario, runs: runs).utf8)).advice)
    }

    func testSlowIOWithManyConnectionsChoosesAnOverlappingStrategyBecauseTheRunIsWaiting() throws {
        let scenario = Scenario(
            name: "many_connections", seed: 3,
            tasks: [TaskGroup(name: "client", count: 200, steps: [
                .repeat(count: 3, steps: [.io(IOStep(latency: .constant(.milliseconds(500))))]),
            ])])
        let advice = try advise(scenario)
        XCTAssertTrue(["asyncio", "threads", "gevent"].contains(advice.choice ?? ""), "\(advice.lines)")
        let win = try XCTUnwrap(advice.evidence.first)
        XCTAssertEqual(win.mechanism, .ioWait)
        XCTAssertGreaterThan(win.share, 0.9, "sync spends nearly all its time blocked on I/O")
        XCTAssertNotEqual(advice.choice, "processes")
        XCTAssertFalse(advice.asGood.contains("sync"))
        XCTAssertTrue(advice.warnings.isEmpty, "\(advice.warnings)")
    }

    func testShortFastIOBesideCPUWorkWarnsOfTheConvoy() throws {
        let convoy = Scenario(
            name: "convoy", seed: 1,
            tasks: [
                TaskGroup(name: "io", count: 1, steps: [
                    .repeat(count: 100, steps: [.io(IOStep(latency: .constant(.microseconds(200)), cpu: .constant(.microseconds(30)), connection: .reuse))]),
                ]),
                TaskGroup(name: "cpu", count: 1, background: true, steps: [.cpu(CPUStep(duration: .constant(.milliseconds(10))))]),
            ],
            strategies: [Strategy(kind: .sync), Strategy(kind: .threads(pool: nil))])
        let advice = try advise(convoy)
        let warning = try XCTUnwrap(advice.warnings.first)
        XCTAssertEqual(warning.mechanism, .convoy)
        XCTAssertEqual(warning.strategy, "threads")
        XCTAssertTrue(warning.text.contains("switch interval 5.00 ms"), warning.text)
        XCTAssertTrue(advice.lines.contains { $0.hasPrefix("Warning: convoy in threads") }, "\(advice.lines)")

        // The same I/O without the CPU-bound thread: no GIL to wait for, no warning.
        var alone = convoy
        alone.tasks.removeLast()
        XCTAssertTrue(try advise(alone).warnings.isEmpty)
    }

    /// A Pool starts its workers once, however many tasks it runs: its start-up evidence counts the workers, a
    /// Process per task counts the tasks.
    func testAPoolsStartUpEvidenceCountsItsWorkersNotItsTasks() throws {
        var scenario = Scenario(
            name: "many_small_jobs", seed: 2,
            tasks: [TaskGroup(name: "job", count: 40, steps: [.cpu(CPUStep(duration: .constant(.milliseconds(2))))])],
            strategies: [Strategy(kind: .sync),
                         Strategy(kind: .processes(pool: nil, startMethod: .spawn), label: "spawn-each"),
                         Strategy(kind: .processes(pool: 2, startMethod: .spawn), label: "spawn-pool2")])
        scenario.costs.processStart[.spawn] = .milliseconds(50)
        let advice = try advise(scenario)
        XCTAssertEqual(advice.choice, "sync", "80 ms of work against 50 ms starts")
        let each = try XCTUnwrap(advice.evidence.first { $0.strategy == "spawn-each" })
        XCTAssertEqual(each.mechanism, .startUp)
        XCTAssertTrue(each.text.contains("its 40 workers spend"), each.text)
        let pool = try XCTUnwrap(advice.evidence.first { $0.strategy == "spawn-pool2" })
        XCTAssertEqual(pool.mechanism, .startUp)
        XCTAssertTrue(pool.text.contains("its 2 workers spend"), pool.text)
        // Two starts of 50 ms over 2 cores: 50 ms of the pool's makespan, never more than all of it.
        XCTAssertGreaterThan(pool.share, 0.3, pool.text)
        XCTAssertLessThan(pool.share, 1, pool.text)

        // Without traces (a run without pictures) the evidence is the calibrated start's cost, counted alike.
        var runs: [RunMetrics] = []
        for s in scenario.strategies { runs.append(try Simulator.run(scenario, strategy: s, options: SimulationOptions(trace: false)).metrics) }
        let untraced = Advice(scenario: scenario, runs: runs, traces: [:])
        let poolUntraced = try XCTUnwrap(untraced.evidence.first { $0.strategy == "spawn-pool2" })
        XCTAssertEqual(poolUntraced.mechanism, .startUp)
        XCTAssertTrue(poolUntraced.text.contains("starting 2 processes at 50.0 ms each"), poolUntraced.text)
        let eachUntraced = try XCTUnwrap(untraced.evidence.first { $0.strategy == "spawn-each" })
        XCTAssertTrue(eachUntraced.text.contains("starting 40 processes at 50.0 ms each"), eachUntraced.text)
    }

    func testEveryShippedScenarioGetsAChoiceWithEvidence() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        for name in ["io_heavy", "cpu_heavy", "mixed", "convoy", "article", "article_cpu"] {
            let advice = try advise(try ScenarioLoader.load(path: root + "/scenarios/\(name).json"))
            XCTAssertNotNil(advice.choice, name)
            XCTAssertFalse(advice.evidence.isEmpty, "\(name): \(advice.lines)")
            XCTAssertTrue(advice.lines[0].hasPrefix("Choose "), name)
        }
    }

    private func series(_ values: [Int], threads: [Double], asyncio: [Double]) -> [Advice.SeriesPoint] {
        values.indices.map { i in
            Advice.SeriesPoint(value: String(values[i]), runs: [
                Fixtures.run("threads", seconds: threads[i]), Fixtures.run("asyncio", seconds: asyncio[i]),
            ])
        }
    }

    func testFlipsNameWhereTheFastestChanges() {
        let points = series([10, 50, 100, 200, 400], threads: [1, 1.2, 1.5, 3, 6], asyncio: [1.3, 1.4, 1.6, 2, 2.5])
        XCTAssertEqual(Advice.flips(key: "tasks[0].count", along: points), [
            "asyncio overtakes threads above tasks[0].count=100 (fastest from tasks[0].count=200)",
        ])
    }

    func testFlipsIgnoreTiesWithinFivePercent() {
        let points = series([1, 2, 3], threads: [1, 1, 1], asyncio: [1.02, 0.98, 0.97])
        XCTAssertEqual(Advice.flips(key: "n", along: points), ["threads is fastest (or within 5% of it) at every n from 1 to 3"])
    }

    func testFlipsReportCrossingsBelowTheWinner() {
        // sync is fastest throughout; asyncio overtakes threads in second place.
        let points = [(1.0, 2.0, 3.0), (1.0, 4.0, 3.0)].enumerated().map { i, t in
            Advice.SeriesPoint(value: "\(i)", runs: [
                Fixtures.run("sync", seconds: t.0), Fixtures.run("threads", seconds: t.1), Fixtures.run("asyncio", seconds: t.2),
            ])
        }
        XCTAssertEqual(Advice.flips(key: "k", along: points), [
            "sync is fastest (or within 5% of it) at every k from 0 to 1", "asyncio overtakes threads above k=0",
        ])
    }

    /// The runtimes whose own limits keep the waits from overlapping are named for them: Tornado's client
    /// runs 10 fetches at a time, tasklets block on every call.
    func testRuntimesThatCannotOverlapTheirIOSayWhy() throws {
        let scenario = Scenario(
            name: "fetch", seed: 1,
            tasks: [TaskGroup(name: "get", count: 20, steps: [.io(IOStep(latency: .constant(.milliseconds(50))))])],
            strategies: [StrategyKindName.sync, .gevent, .tornado, .tasklets].map { Strategy(kind: $0.defaultKind) })
        let advice = try advise(scenario)
        XCTAssertEqual(advice.choice, "gevent")
        let tornado = try XCTUnwrap(advice.evidence.first { $0.strategy == "tornado" })
        XCTAssertEqual(tornado.mechanism, .ioWait)
        XCTAssertTrue(tornado.text.contains("at most 10 fetches at once (max_clients) for 20 tasks"), tornado.text)
        let tasklets = try XCTUnwrap(advice.evidence.first { $0.strategy == "tasklets" })
        XCTAssertTrue(tasklets.text.contains("each blocking call blocks every green thread"), tasklets.text)
        // With no more tasks than max_clients, Tornado's client is no limit.
        var few = scenario
        few.tasks[0].count = 10
        XCTAssertFalse(try advise(few).lines.contains { $0.contains("max_clients") })
    }
}
