import XCTest
import SimEngine
@testable import SimScenario

/// Inputs from issue 9 that used to crash, wrap or flood: each is refused with a message naming the place, or
/// read into values that stay far from the ends of Int64.
final class HostileInputTests: XCTestCase {
    func testANullStepKindIsRefusedNotForceUnwrapped() {
        for kind in ["cpu", "io", "sleep", "repeat"] {
            let e = scenarioError(minimal(steps: #"[{"cpu": "1ms"}, {"\#(kind)": null}]"#))
            XCTAssertEqual(e?.path, "tasks[0].steps[1].\(kind)")
            assertMessage(e, contains: ["\(kind) is null; a step's \(kind) has no default"])
        }
        let e = scenarioError(minimal(), overrides: [#"tasks[0].steps[0].cpu=null"#])
        assertMessage(e, contains: ["--set tasks[0].steps[0].cpu=null", "cpu is null"])
    }

    func testDurationsBeyondTheLongestAllowedAreRefused() {
        let cases = [
            minimal(steps: #"[{"cpu": "9223372036854775807ns"}]"#),
            minimal(#""machine": {"scheduler": {"policy": "linux", "base_slice": "5000000000s"}}"#),
            minimal(#""costs": {"thread_start": "9223372036854775807ns"}"#),
            minimal(steps: #"[{"sleep": "1000001s"}]"#),
        ]
        for text in cases {
            assertMessage(scenarioError(text), contains: ["is too long", "at most 1000000s (about 11.6 days)"])
        }
        XCTAssertNoThrow(try ScenarioLoader.parse(text: minimal(steps: #"[{"sleep": "1000000s"}]"#)))
    }

    func testTotalSimulatedTimeBeyondTheHorizonIsRefused() {
        // Used to report a makespan of -8446744074 s and a false deadlock warning.
        let e = scenarioError(#"{"tasks":[{"steps":[{"repeat":1000,"steps":[{"sleep":"900000s"}]}]}],"strategies":["sync"]}"#)
        XCTAssertEqual(e?.path, "tasks")
        assertMessage(e, contains: ["the tasks add up to about 900000000s", "beyond the limit of 100000000s"])
        // Nested repeats whose product overflows Int64 saturate in the estimate instead of wrapping to a small sum.
        let nested = #"{"tasks":[{"steps":[{"repeat":1000000000,"steps":[{"repeat":1000000000,"steps":[{"repeat":1000000000,"steps":[{"cpu":"1000000s"}]}]}]}]}]}"#
        assertMessage(scenarioError(nested), contains: ["more than 292 years"])
    }

    func testLognormalMeanAtTheLargestSigmaStaysInRange() {
        // exp(sigma^2 / 2) is about 5e21 at sigma 10: the mean used to trap converting to Int64.
        let d = Distribution.lognormal(median: .milliseconds(180), sigma: 10)
        XCTAssertEqual(d.mean, SimTime.maxDuration)
        var rng = SplitMix64(seed: 1, stream: 1)
        for _ in 0..<10_000 {
            let t = d.draw(&rng)
            XCTAssertTrue(t >= .zero && t <= SimTime.maxDuration, "\(t)")
        }
        XCTAssertNoThrow(try ScenarioLoader.parse(text: minimal(steps: #"[{"cpu": {"lognormal": {"median": "1ms", "sigma": 10}}}]"#)))
    }

    func testASecondByteOrderMarkIsRefused() throws {
        let body = Data(minimal().utf8)
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        XCTAssertNoThrow(try ScenarioLoader.parse(data: Data(bom) + body))
        XCTAssertThrowsError(try ScenarioLoader.parse(data: Data(bom + bom) + body)) { error in
            XCTAssertTrue("\(error)".contains("a second byte order mark (U+FEFF)"), "\(error)")
        }
    }

    func testAHugeKeyOrNumberIsNotEchoedWhole() {
        let key = String(repeating: "k", count: 1_000_000)
        let e = scenarioError(minimal("\"\(key)\": 1"))
        XCTAssertNotNil(e)
        XCTAssertLessThan(e?.description.count ?? .max, 1_000)
        assertMessage(e, contains: ["unknown key", "(1000002 characters)", "valid keys:"])
        let number = String(repeating: "9", count: 1_000_000)
        let n = scenarioError(minimal(steps: "[{\"cpu\": \(number)}]"))
        XCTAssertLessThan(n?.description.count ?? .max, 1_000)
    }

    func testAnEmptyDeviceIsReadAsAnEmptyFile() {
        XCTAssertThrowsError(try ScenarioLoader.load(path: "/dev/null")) { error in
            XCTAssertTrue("\(error)".contains("/dev/null:1:1: the file is empty"), "\(error)")
        }
    }

    func testTheWorkEstimateCountsRepeatsAndStrategies() throws {
        let s = try ScenarioLoader.parse(text: #"{"tasks":[{"count":10,"steps":[{"repeat":1000,"steps":[{"cpu":"1us"}]}]}],"strategies":["sync","threads"]}"#)
        let estimate = WorkEstimate(s)
        // 10 tasks x (1000 CPU steps x 3 events + 4 + 1 ms of CPU / a 5 ms switch interval), for each of 2 strategies.
        XCTAssertEqual(estimate.events, 60_084, accuracy: 0.01)
        XCTAssertEqual(estimate.serialTime, .milliseconds(10) + Defaults.threadStart * 10)
        XCTAssertThrowsError(try WorkBudget(events: 60_000).check(s, tracing: false)) { error in
            XCTAssertTrue("\(error)".contains("about 60084 events"), "\(error)")
            XCTAssertTrue("\(error)".contains("beyond the budget of 60000 events"), "\(error)")
            XCTAssertTrue("\(error)".contains("--max-events 61000"), "\(error)")
        }
        XCTAssertNoThrow(try WorkBudget(events: 61_000).check(s, tracing: false))
        XCTAssertThrowsError(try WorkBudget(events: 1_000_000, tracedTasks: 5).check(s, tracing: true)) { error in
            XCTAssertTrue("\(error)".contains("--max-traced-tasks 10"), "\(error)")
        }
    }

    func testEveryShippedScenarioFitsTheDefaultTracedBudget() throws {
        let folder = repositoryRoot + "/scenarios"
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name.hasSuffix(".json") {
            let s = try ScenarioLoader.load(path: folder + "/" + name)
            XCTAssertNoThrow(try WorkBudget.defaults(tracing: true).check(s, tracing: true), name)
        }
    }
}
