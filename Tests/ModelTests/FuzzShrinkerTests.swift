import SimScenario
import XCTest

/// The fuzz target's shrinker: it must end at an input that still fails, and at a local minimum.
final class FuzzShrinkerTests: XCTestCase {
    /// A hostile number buried in a shipped scenario shrinks to the number alone (the smallest JSON that
    /// contains it).
    func testABuriedValueShrinksToItself() throws {
        var scenario = try XCTUnwrap(ScenarioFuzzTests.shippedScenarios().first)
        guard case .object(var members) = scenario else { return XCTFail("a scenario is an object") }
        members.append(JSONMember(key: "zzz", value: JSONNode(.array([JSONNode(.ordered(["repeat": .number("1e308")]))]))))
        scenario = .object(members)
        var shrinker = FuzzShrinker { $0.contains("1e308") }
        XCTAssertEqual(shrinker.shrink(JSONWriter.compact(scenario)), "1e308")
    }

    /// A refusal by the real loader shrinks to a small scenario that is still refused for the same reason,
    /// and from which no one-step reduction is still refused for it.
    func testALoaderRefusalShrinksToALocalMinimum() throws {
        let text = #"""
        {"name": "s", "machine": {"cores": 2}, "tasks": [{"name": "a", "count": 3, "steps": [{"cpu": "1ms"},
        {"io": {"latency": {"lognormal": {"median": "5ms", "sigma": 50}}}}, {"sleep": "1ms"}]}],
        "strategies": ["sync", "threads"]}
        """#
        func refusedForSigma(_ candidate: String) -> Bool {
            do { _ = try ScenarioLoader.parse(text: candidate, sourceName: "s.json"); return false } catch let e as ScenarioError {
                return e.message.contains("sigma")
            } catch { return false }
        }
        XCTAssertTrue(refusedForSigma(text), "the starting input fails")
        var shrinker = FuzzShrinker(stillFails: refusedForSigma)
        let small = shrinker.shrink(text)
        XCTAssertTrue(refusedForSigma(small))
        XCTAssertLessThan(small.count, text.count / 2, small)
        let tree = try JSONParser.parse(small).value
        for candidate in FuzzShrinker.reductions(of: tree) {
            XCTAssertFalse(refusedForSigma(JSONWriter.compact(candidate)), "not minimal: \(JSONWriter.compact(candidate)) still fails")
        }
    }

    /// Text that does not parse is shrunk by characters: a spliced NUL byte alone remains.
    func testUnparseableTextShrinksByCharacters() {
        let text = "{\"tasks\": [{\"steps\": [\u{0}{\"cpu\": \"1ms\"}]}]"
        var shrinker = FuzzShrinker { $0.contains("\u{0}") }
        XCTAssertEqual(shrinker.shrink(text), "\u{0}")
    }

    /// The bound on calls holds, and the input returned still fails.
    func testShrinkingStopsAtItsBudget() throws {
        let text = JSONWriter.compact(try XCTUnwrap(ScenarioFuzzTests.shippedScenarios().last))
        var shrinker = FuzzShrinker(maxCalls: 10) { $0.contains("tasks") }
        let small = shrinker.shrink(text)
        XCTAssertLessThanOrEqual(shrinker.calls, 10)
        XCTAssertTrue(small.contains("tasks"))
    }
}
