import XCTest
import SimEngine
@testable import SimScenario

final class ShippedScenarioTests: XCTestCase {
    private func shipped(_ name: String) throws -> Scenario {
        try ScenarioLoader.load(path: repositoryRoot + "/scenarios/\(name).json")
    }

    func testEveryShippedScenarioParsesAndDescribesItself() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/scenarios").filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertEqual(files, ["article.json", "article_cpu.json", "ci_check.json", "convoy.json", "cpu_heavy.json", "io_heavy.json", "mixed.json", "runtimes.json"])
        for file in files {
            let s = try ScenarioLoader.load(path: repositoryRoot + "/scenarios/" + file)
            XCTAssertEqual(s.name + ".json", file)
            XCTAssertGreaterThan(s.description.count, 80, file)
            XCTAssertGreaterThan(s.foregroundTaskCount, 0, file)
        }
    }

    /// The workloads written after the matrix (validation/unseen/, measured by hand) stay loadable as the
    /// format moves on, each with at least two strategies to compare.
    func testTheUnseenWorkloadsParse() throws {
        let folder = repositoryRoot + "/validation/unseen"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") && $0 != "cal.json" }.sorted()
        XCTAssertEqual(files, ["crunchmix.json", "many.json", "pow8.json", "powio.json", "scraper.json"])
        for file in files {
            let s = try ScenarioLoader.load(path: folder + "/" + file)
            XCTAssertEqual(s.name + ".json", file)
            XCTAssertGreaterThan(s.description.count, 80, file)
            XCTAssertGreaterThanOrEqual(s.strategies.count, 5, file)
        }
    }

    func testArticleScenariosCarryTheArticlesFigures() throws {
        let io = try shipped("article")
        XCTAssertEqual(io.reference?.makespans, [
            "sync": .seconds(31.4), "threads": .seconds(7.9), "processes": .seconds(7.22), "gevent": .seconds(6.85), "asyncio": .seconds(4.37),
        ])
        XCTAssertEqual(io.foregroundTaskCount, 10)
        // The sync time is the sum of every fetch: check the fitted parameters give the article's 31.4 s.
        let w = Workload(io)
        var total = SimTime.zero
        for i in w.instances.indices {
            for op in w.operations(of: i) {
                guard case .io(let cpu, let latency, let new) = op else { return XCTFail("not io") }
                XCTAssertTrue(new)
                total += cpu + latency + io.costs.connectionSetup + io.costs.connectionCPU
            }
        }
        XCTAssertEqual(total.seconds, 31.4, accuracy: 0.2)
        let cpu = try shipped("article_cpu")
        XCTAssertEqual(cpu.reference?.makespans["processes"], .seconds(1.12))
        XCTAssertEqual(cpu.tasks[0].steps, [.cpu(CPUStep(duration: .constant(.milliseconds(218)), kind: .cHoldsGIL))])
    }

    func testConvoyHasABackgroundCPUThread() throws {
        let s = try shipped("convoy")
        XCTAssertEqual(s.tasks.map(\.background), [false, true])
        XCTAssertFalse(s.strategies.contains { $0.kind == .gevent })
        XCTAssertEqual(s.strategies.first { $0.label == "threads-1ms" }?.python?.switchInterval, .milliseconds(1))
    }
}

final class EncoderTests: XCTestCase {
    func testResolvedScenarioReadsBackEqual() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/scenarios").filter { $0.hasSuffix(".json") }
        for file in files {
            var s = try ScenarioLoader.load(path: repositoryRoot + "/scenarios/" + file)
            let text = ScenarioEncoder.json(s)
            var again = try ScenarioLoader.parse(text: text, sourceName: "resolved.json")
            s.sourcePath = nil
            again.sourcePath = nil
            XCTAssertEqual(again, s, file)
            XCTAssertEqual(ScenarioEncoder.json(again), text, "same scenario, same bytes")
        }
    }

    func testEveryDistributionReadsBack() throws {
        let steps = #"""
        [{"cpu": {"duration": {"uniform": {"min": "1ms", "max": "3ms"}}, "kind": "c_releases_gil"}},
         {"cpu": {"exponential": {"mean": 2.5}}}, {"sleep": {"normal": {"mean": "5ms", "stddev": "1ms"}}},
         {"sleep": {"lognormal": {"median": "0.18s", "sigma": 0.6}}}, {"sleep": {"empirical": ["1ns", "2us"]}},
         {"repeat": 2, "steps": [{"io": {"latency": 1, "connection": "reuse"}}]}]
        """#
        let s = try ScenarioLoader.parse(text: minimal(#""reference": {"source": "x", "makespan": {"zzz": "1s", "sync": "2s"}}"#, steps: steps))
        let again = try ScenarioLoader.parse(text: ScenarioEncoder.json(s))
        XCTAssertEqual(again.tasks, s.tasks)
        XCTAssertEqual(again.reference, s.reference)
        XCTAssertTrue(ScenarioEncoder.json(s).contains(#""makespan": {"sync": "2s", "zzz": "1s"}"#))
    }
}

final class DocumentationTests: XCTestCase {
    /// docs/scenario-format.md lists every default as the encoder writes it; this keeps the two in step.
    func testDocumentedDefaultsMatchDefaultsSwift() throws {
        let docs = try String(contentsOfFile: repositoryRoot + "/docs/scenario-format.md", encoding: .utf8)
        let s = try ScenarioLoader.parse(text: #"{"tasks": [{"name": "work", "steps": [{"cpu": "5ms"}]}]}"#, sourceName: "defaults.json")
        XCTAssertTrue(docs.contains("```json\n" + ScenarioEncoder.json(s) + "```"), "update the 'Every default' block of docs/scenario-format.md")
        XCTAssertTrue(docs.contains("`base_slice` (`\"\(DurationSyntax.format(Defaults.linuxBaseSlice))\"`)"))
    }
}
