import Foundation
import SimEngine
import SimModel
import SimScenario
import XCTest

/// The scenario loader's fuzz target (docs/fuzzing.md): the shipped scenarios, mutated (nulls, huge and
/// negative numbers, huge durations, wrong types, deep nesting, unicode, dropped, duplicated and unknown keys,
/// cut or spliced text), each either refused with a `ScenarioError` that names the place, or accepted and then
/// simulated under every strategy without a crash, within the model's limits, in bounded time.
///
/// CI runs `SIMULATE_FUZZ_ITERATIONS` inputs (default 3,000); a long run sets it higher, and
/// `SIMULATE_FUZZ_SEED` to explore other inputs. The seed of a failing input is in the failure message.
final class ScenarioFuzzTests: XCTestCase {
    /// Events one accepted input may use, all strategies together (keeps each input well under a second).
    static let eventBudget = 200_000

    struct Outcome {
        var refused = 0, simulated = 0, overBudget = 0, slowest = 0.0, slowestInput = ""
    }

    func testMutatedScenariosAreRefusedOrSimulated() throws {
        let environment = ProcessInfo.processInfo.environment
        let iterations = environment["SIMULATE_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 3_000
        let seed = environment["SIMULATE_FUZZ_SEED"].flatMap(UInt64.init) ?? 1
        let seeds = try Self.shippedScenarios()
        XCTAssertFalse(seeds.isEmpty)
        var outcome = Outcome()
        var failures = 0
        for i in 0..<iterations {
            var mutator = Mutator(rng: SplitMix64(seed: seed, stream: UInt64(i)))
            let text = mutator.mutate(seeds[i % seeds.count])
            let start = Date()
            if let problem = Self.check(text, &outcome) {
                failures += 1
                let small = Self.shrunk(text, problem: problem)
                XCTFail("input \(i) (SIMULATE_FUZZ_SEED=\(seed)): \(problem)\nshrunk to: \(small.prefix(2_000))\nas generated: \(text.prefix(2_000))")
                if failures > 5 { break }
            }
            let elapsed = Date().timeIntervalSince(start)
            if elapsed > outcome.slowest { outcome.slowest = elapsed; outcome.slowestInput = "input \(i)" }
        }
        print(String(format: "fuzz: %d inputs (seed %llu): %d refused, %d simulated, %d over the event budget; slowest %.3f s (%@)",
                     iterations, seed, outcome.refused, outcome.simulated, outcome.overBudget, outcome.slowest, outcome.slowestInput))
        XCTAssertGreaterThan(outcome.refused, 0, "the mutations reach the reader's checks")
        XCTAssertGreaterThan(outcome.simulated, 0, "the mutations leave some inputs valid")
    }

    /// nil when the input is handled as required, else what went wrong.
    static func check(_ text: String, _ outcome: inout Outcome) -> String? {
        let scenario: Scenario
        do {
            scenario = try ScenarioLoader.parse(text: text, sourceName: "fuzz.json")
        } catch let error as ScenarioError {
            outcome.refused += 1
            let d = error.description
            if !d.hasPrefix("fuzz.json") { return "a refusal that does not name the file: \(d)" }
            if error.message.isEmpty { return "a refusal without a message: \(d)" }
            if d.count > 3_000 { return "a refusal of \(d.count) characters" }
            return nil
        } catch {
            return "not a ScenarioError: \(error)"
        }
        // Accepted: it must fit the limits, then run (or be stopped by the budget) without a crash.
        do {
            try WorkBudget(events: eventBudget, tracedTasks: 2_000).check(scenario, tracing: true)
        } catch {
            outcome.overBudget += 1
            return nil
        }
        var eventsLeft = eventBudget
        for strategy in scenario.strategies where eventsLeft > 0 {
            do {
                let run = try Simulator.run(scenario, strategy: strategy, options: SimulationOptions(trace: true, maxEvents: eventsLeft))
                eventsLeft -= run.metrics.events
                let m = run.metrics
                if m.makespan < .zero || m.makespan > SimTime.horizon { return "\(strategy.label): makespan \(m.makespan) outside 0...horizon" }
                if m.taskLatencies.contains(where: { $0 < .zero || $0 > m.makespan }) { return "\(strategy.label): a task latency outside 0...makespan" }
            } catch let error as SimulationError {
                eventsLeft -= error.events
                // Stopped by a budget or limit, or refused for a strategy it cannot model: messages, not bugs.
                // A deadlock is a bug of the model.
                if error.message.contains("deadlock") { return "\(strategy.label): \(error.message)" }
            } catch {
                return "\(strategy.label): unexpected error \(error)"
            }
        }
        outcome.simulated += 1
        return nil
    }

    /// The failing input shrunk to one that fails the same way (a trap cannot be shrunk in-process: its seed
    /// and input number reproduce it).
    static func shrunk(_ text: String, problem: String) -> String {
        let kind = problemKind(problem)
        var shrinker = FuzzShrinker(maxCalls: 2_000) { candidate in
            var scratch = Outcome()
            return check(candidate, &scratch).map(problemKind) == kind
        }
        return shrinker.shrink(text)
    }

    /// What a problem is, without the numbers and names that shrinking changes.
    static func problemKind(_ problem: String) -> String {
        if problem.contains("deadlock") { return "deadlock" }
        // "<strategy label>: makespan …" and "a refusal that …": the label is not part of the kind.
        var words = problem.split(separator: " ")
        if words.first?.hasSuffix(":") == true { words.removeFirst() }
        return words.prefix(3).map { $0.filter(\.isLetter) }.joined(separator: " ")
    }

    static func shippedScenarios() throws -> [JSONValue] {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let folder = url.appendingPathComponent("scenarios").path
        return try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.sorted().map {
            try JSONParser.parse(String(contentsOfFile: folder + "/" + $0, encoding: .utf8)).value
        }
    }
}

/// Mutations of a JSON document, drawn from a seeded stream (the same seed gives the same inputs).
struct Mutator {
    var rng: SplitMix64

    mutating func pick(_ n: Int) -> Int { rng.nextIndex(below: n) }

    /// A mutated document as text: 1-4 tree mutations, sometimes followed by a cut or splice of the text.
    mutating func mutate(_ seed: JSONValue) -> String {
        var value = seed
        // Mostly one mutation, so that many inputs stay valid and reach the model; sometimes several.
        for _ in 0..<(pick(4) == 0 ? 2 + pick(3) : 1) { value = mutateSomewhere(value) }
        var text = JSONWriter.compact(value)
        switch pick(12) {
        case 0: text = String(text.prefix(pick(max(text.count, 1))))
        case 1:
            let at = text.index(text.startIndex, offsetBy: pick(max(text.count, 1)))
            text.insert(contentsOf: ["{", "]", ",", "\"", "\u{FEFF}", "\0", "é", "1e999"][pick(8)], at: at)
        default: break
        }
        return text
    }

    /// Replaces one node, chosen by a random walk from the root, with a mutation of it.
    mutating func mutateSomewhere(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members) where !members.isEmpty && pick(4) != 0:
            var m = members
            let i = pick(m.count)
            switch pick(10) {
            case 0: m.remove(at: i)
            case 1: m.append(m[i])
            case 2: m.append(JSONMember(key: ["cpu", "repeat", "steps", "count", "tasks", "zzz", "", "\u{202E}x"][pick(8)], value: JSONNode(leaf())))
            default: m[i].value = JSONNode(mutateSomewhere(m[i].value.value))
            }
            return .object(m)
        case .array(let elements) where !elements.isEmpty && pick(4) != 0:
            var e = elements
            let i = pick(e.count)
            switch pick(8) {
            case 0: e.remove(at: i)
            case 1: e.append(e[i])
            default: e[i] = JSONNode(mutateSomewhere(e[i].value))
            }
            return .array(e)
        default:
            return replacement(for: value)
        }
    }

    /// A hostile value in place of `value`.
    mutating func replacement(for value: JSONValue) -> JSONValue {
        // Half the time a plausible value of the same type: a valid-looking number or duration.
        if case .number = value, pick(2) == 0 { return .number(["1", "2", "3", "8", "0.5", "100", "20"][pick(7)]) }
        if case .string(let s) = value, pick(2) == 0, s.hasSuffix("s") { return .string(["1ms", "40us", "0ms", "2.5ms", "1s", "300ns"][pick(6)]) }
        switch pick(6) {
        case 0: return leaf()
        case 1:
            // Deep nesting around the value (the parser refuses beyond 256 levels).
            var v = value
            for _ in 0..<(1 + pick(300)) { v = pick(2) == 0 ? .array([JSONNode(v)]) : .ordered(["repeat": .number("2"), "steps": .array([JSONNode(v)])]) }
            return v
        case 2: return .ordered(["repeat": .number(["1", "1000", "1000000000", "0", "-1", "2.5"][pick(6)]), "steps": .array([JSONNode(leaf())])])
        case 3: return .ordered([["cpu", "io", "sleep"][pick(3)]: leaf()])
        default: return leaf()
        }
    }

    /// A hostile scalar, list or object.
    mutating func leaf() -> JSONValue {
        let numbers = ["0", "-1", "1", "3", "1e308", "-1e308", "1e-400", "9223372036854775807", "18446744073709551616",
                       "1.5", "0.0000001", "100000000000", "4e2", "1000000000"]
        let strings = ["", "5ms", "1us", "0ns", "9223372036854775807ns", "1e300s", "1000000s", "999999s", "-5ms", "15 ms",
                       "linux", "round_robin", "python", "c_holds_gil", "new", "reuse", "sync", "threads", "processes",
                       "gevent", "asyncio", "\u{202E}ms", "🧵", "é", String(repeating: "x", count: 1_000)]
        switch pick(10) {
        case 0: return .null
        case 1: return .bool(pick(2) == 0)
        case 2, 3, 4: return .number(numbers[pick(numbers.count)])
        case 5, 6, 7: return .string(strings[pick(strings.count)])
        case 8: return .array((0..<pick(3)).map { _ in JSONNode(.number(numbers[pick(numbers.count)])) })
        default:
            let kinds = ["uniform", "exponential", "normal", "lognormal", "empirical", "constant"]
            return .ordered([kinds[pick(kinds.count)]: .ordered(["min": .string("1ms"), "max": .string(strings[pick(strings.count)]),
                                                               "mean": .number(numbers[pick(numbers.count)]), "sigma": .number(numbers[pick(numbers.count)])])])
        }
    }
}
