import XCTest
import SimEngine
@testable import SimScenario

final class DurationTests: XCTestCase {
    private func cpuDuration(_ json: String) throws -> SimTime {
        let s = try ScenarioLoader.parse(text: minimal(steps: "[{\"cpu\": \(json)}]"))
        guard case .cpu(let c) = s.tasks[0].steps[0], case .constant(let t) = c.duration else {
            XCTFail("not a constant cpu step"); return .zero
        }
        return t
    }

    func testUnitsAndMilliseconds() throws {
        XCTAssertEqual(try cpuDuration(#""1.5s""#).nanoseconds, 1_500_000_000)
        XCTAssertEqual(try cpuDuration("0.4").nanoseconds, 400_000)
        XCTAssertEqual(try cpuDuration("15").nanoseconds, 15_000_000)
        XCTAssertEqual(try cpuDuration(#""40us""#).nanoseconds, 40_000)
        XCTAssertEqual(try cpuDuration(#""40µs""#).nanoseconds, 40_000)
        XCTAssertEqual(try cpuDuration(#""850ns""#).nanoseconds, 850)
        XCTAssertEqual(try cpuDuration(#""150ms""#).nanoseconds, 150_000_000)
        XCTAssertEqual(try cpuDuration("1e3").nanoseconds, 1_000_000_000)
        XCTAssertEqual(try cpuDuration("0.0000004").nanoseconds, 0)  // 0.4 ns rounds to 0
        XCTAssertEqual(try cpuDuration("0.0000005").nanoseconds, 1)  // 0.5 ns rounds up
        XCTAssertEqual(try cpuDuration(#""0.1s""#).nanoseconds, 100_000_000)  // exact, no binary fraction
    }

    func testBadDurationsExplainTheFix() {
        assertMessage(scenarioError(minimal(steps: #"[{"cpu": "15 ms"}]"#)),
                      contains: ["scenarios/x.json:2:", "tasks[0].steps[0].cpu", #""15 ms" is not a duration; write "15ms" or 15"#])
        assertMessage(scenarioError(minimal(steps: #"[{"cpu": "15"}]"#)), contains: ["no unit", "\"15ms\""])
        assertMessage(scenarioError(minimal(steps: #"[{"cpu": "15sec"}]"#)), contains: ["unknown unit \"sec\""])
        assertMessage(scenarioError(minimal(steps: #"[{"cpu": "fast"}]"#)), contains: ["\"fast\" is not a duration"])
        assertMessage(scenarioError(minimal(steps: #"[{"cpu": -5}]"#)), contains: ["-5 is negative"])
        assertMessage(scenarioError(minimal(steps: #"[{"cpu": "-5ms"}]"#)), contains: ["negative"])
        assertMessage(scenarioError(minimal(steps: #"[{"cpu": 1e30}]"#)), contains: ["too large"])
        assertMessage(scenarioError(minimal(steps: #"[{"cpu": true}]"#)), contains: ["found true"])
    }

    func testFormatIsExactAndReadsBack() {
        let cases: [(Int64, String)] = [
            (0, "0ms"), (850, "850ns"), (40_000, "40us"), (400_000, "400us"), (1_500_000_000, "1.5s"),
            (1_000_001, "1.000001ms"), (2_000_000, "2ms"), (31_400_000_000, "31.4s"), (1_234, "1.234us"),
        ]
        for (ns, text) in cases {
            XCTAssertEqual(DurationSyntax.format(SimTime(nanoseconds: ns)), text)
            XCTAssertEqual(try DurationSyntax.parse(text).get(), SimTime(nanoseconds: ns), text)
        }
        var rng = SplitMix64(seed: 9)
        for _ in 0..<1000 {
            let t = SimTime(nanoseconds: Int64(rng.next() >> 2))
            XCTAssertEqual(try DurationSyntax.parse(DurationSyntax.format(t)).get(), t)
        }
    }
}
