import XCTest
@testable import SimScenario

/// The error a scenario text produces, failing the test when it parses.
func scenarioError(_ text: String, overrides: [String] = [], file: StaticString = #filePath, line: UInt = #line) -> ScenarioError? {
    do {
        _ = try ScenarioLoader.parse(text: text, sourceName: "scenarios/x.json", overrides: overrides)
        XCTFail("expected an error", file: file, line: line)
        return nil
    } catch let e as ScenarioError {
        return e
    } catch {
        XCTFail("unexpected error type \(error)", file: file, line: line)
        return nil
    }
}

/// Asserts that the message contains every fragment.
func assertMessage(_ error: ScenarioError?, contains fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
    guard let error else { return }
    for f in fragments where !error.description.contains(f) {
        XCTFail("\"\(error.description)\" does not contain \"\(f)\"", file: file, line: line)
    }
}

/// A minimal valid scenario with `extra` top-level members (JSON text, without braces).
func minimal(_ extra: String = "", steps: String = #"[{"cpu": "1ms"}]"#) -> String {
    let tail = extra.isEmpty ? "" : ",\n" + extra
    return "{\n\"tasks\": [{\"name\": \"t\", \"steps\": \(steps)}]\(tail)\n}"
}

/// The repository root (for the shipped scenarios).
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()
