import Foundation
import SimEngine
import SimScenario
import XCTest

/// The JSON Schema of the scenario format stays in step with the loader: the shipped copy equals the generated
/// one, every shipped scenario validates, and every fuzzed input the loader accepts validates too.
final class ScenarioSchemaTests: XCTestCase {
    static var root: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }

    func testTheShippedSchemaIsTheGeneratedOne() throws {
        let shipped = try String(contentsOfFile: Self.root + "/" + ScenarioSchema.path, encoding: .utf8)
        XCTAssertEqual(shipped, ScenarioSchema.text(), "regenerate it: simulate schema > \(ScenarioSchema.path)")
    }

    func testShippedScenariosPointAtTheSchemaAndValidate() throws {
        let schema = try JSONParser.parse(ScenarioSchema.text()).value
        let validator = SchemaValidator(root: schema)
        let folder = Self.root + "/scenarios"
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name.hasSuffix(".json") {
            let value = try JSONParser.parse(String(contentsOfFile: folder + "/" + name, encoding: .utf8)).value
            XCTAssertEqual(validator.errors(value), [], name)
            guard case .object(let members) = value else { return XCTFail(name) }
            XCTAssertEqual(members.first?.key, "$schema", name)
            XCTAssertEqual(members.first?.value.value, .string("../schema/scenario.schema.json"), name)
        }
    }

    func testTheSchemaRefusesWhatTheLoaderRefusesByType() throws {
        let validator = SchemaValidator(root: try JSONParser.parse(ScenarioSchema.text()).value)
        for text in [#"{"tasks": []}"#, #"{"tasks": [{"steps": [{"cpu": "1ms", "io": "2ms"}]}]}"#, #"{"tasks": [{"steps": [{"cpu": "15 ms"}]}]}"#,
                     #"{"tasks": [{"steps": [{"cpu": "1ms"}]}], "machine": {"cores": 0}}"#, #"{"tasks": [{"steps": [{"cpu": "1ms"}]}], "colour": 1}"#,
                     #"{"tasks": [{"steps": [{"repeat": 0, "steps": [{"cpu": "1ms"}]}]}]}"#, #"{"tasks": [{"steps": [{"sleep": 1000000001}]}]}"#,
                     #"{"tasks": [{"steps": [{"cpu": null}]}]}"#, #"{"tasks": null}"#] {
            XCTAssertThrowsError(try ScenarioLoader.parse(text: text), text)
            XCTAssertNotEqual(validator.errors(try JSONParser.parse(text).value), [], text)
        }
    }

    func testFuzzedInputsTheLoaderAcceptsValidate() throws {
        let validator = SchemaValidator(root: try JSONParser.parse(ScenarioSchema.text()).value)
        let seeds = try ScenarioFuzzTests.shippedScenarios()
        var accepted = 0
        for i in 0..<2_000 {
            var mutator = Mutator(rng: SplitMix64(seed: 7, stream: UInt64(i)))
            let text = mutator.mutate(seeds[i % seeds.count])
            guard (try? ScenarioLoader.parse(text: text)) != nil, let value = try? JSONParser.parse(text).value else { continue }
            accepted += 1
            XCTAssertEqual(validator.errors(value), [], "input \(i): \(text.prefix(1_000))")
        }
        XCTAssertGreaterThan(accepted, 100)
    }
}

/// The subset of JSON Schema draft-07 that `ScenarioSchema` uses: type, enum, const, oneOf, $ref to
/// definitions, properties, additionalProperties, required, items, minItems, minimum, maximum, minLength, pattern.
struct SchemaValidator {
    let root: JSONValue

    func errors(_ value: JSONValue) -> [String] {
        var out: [String] = []
        check(value, against: root, at: "$", into: &out)
        return out
    }

    func member(_ schema: JSONValue, _ key: String) -> JSONValue? {
        schema.members?.first { $0.key == key }?.value.value
    }

    func check(_ value: JSONValue, against schema: JSONValue, at path: String, into out: inout [String]) {
        if case .string(let ref)? = member(schema, "$ref") {
            let name = String(ref.dropFirst("#/definitions/".count))
            guard let definitions = member(root, "definitions"), let target = member(definitions, name) else { out.append("\(path): bad $ref \(ref)"); return }
            check(value, against: target, at: path, into: &out)
        }
        if case .array(let options)? = member(schema, "oneOf") {
            let passing = options.filter { option in
                var e: [String] = []
                check(value, against: option.value, at: path, into: &e)
                return e.isEmpty
            }.count
            if passing != 1 { out.append("\(path): matches \(passing) of the oneOf forms") }
        }
        if case .string(let type)? = member(schema, "type"), !Self.has(value, type: type) {
            out.append("\(path): not a \(type)"); return
        }
        if case .array(let allowed)? = member(schema, "enum"), !allowed.contains(where: { $0.value == value }) { out.append("\(path): not in the enum") }
        if let c = member(schema, "const"), !Self.equalNumbers(c, value) && c != value { out.append("\(path): not the const") }
        if case .number(let n) = value {
            let v = Double(n) ?? .nan
            if case .number(let m)? = member(schema, "minimum"), !(v >= Double(m)!) { out.append("\(path): below \(m)") }
            if case .number(let m)? = member(schema, "maximum"), !(v <= Double(m)!) { out.append("\(path): above \(m)") }
        }
        if case .string(let s) = value {
            if case .number(let m)? = member(schema, "minLength"), s.count < Int(m)! { out.append("\(path): shorter than \(m)") }
            if case .string(let p)? = member(schema, "pattern"), s.range(of: p, options: .regularExpression) == nil { out.append("\(path): does not match \(p)") }
        }
        if case .array(let items) = value {
            if case .number(let m)? = member(schema, "minItems"), items.count < Int(m)! { out.append("\(path): fewer than \(m) items") }
            if let itemSchema = member(schema, "items") {
                for (i, item) in items.enumerated() { check(item.value, against: itemSchema, at: "\(path)[\(i)]", into: &out) }
            }
        }
        if case .object(let members) = value {
            let properties = member(schema, "properties")?.members ?? []
            if case .array(let required)? = member(schema, "required") {
                for r in required { if case .string(let k) = r.value, !members.contains(where: { $0.key == k }) { out.append("\(path): missing \(k)") } }
            }
            for m in members {
                if let p = properties.first(where: { $0.key == m.key }) {
                    check(m.value.value, against: p.value.value, at: "\(path).\(m.key)", into: &out)
                } else if let extra = member(schema, "additionalProperties") {
                    if extra == .bool(false) { out.append("\(path): unknown key \(m.key)") }
                    else if extra != .bool(true) { check(m.value.value, against: extra, at: "\(path).\(m.key)", into: &out) }
                }
            }
        }
    }

    static func equalNumbers(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if case .number(let x) = a, case .number(let y) = b { return Double(x) == Double(y) }
        return false
    }

    static func has(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null), ("number", .number): return true
        case ("integer", .number(let n)): return Double(n).map { $0 == $0.rounded() } ?? false
        default: return false
        }
    }
}
