import XCTest
@testable import SimScenario

final class JSONParserTests: XCTestCase {
    func testParsesAllValueKindsKeepingKeyOrder() throws {
        let node = try JSONParser.parse(#"{"z": 1, "a": [true, false, null, -2.5e3, "x"], "m": {}}"#)
        guard case .object(let members) = node.value else { return XCTFail("not an object") }
        XCTAssertEqual(members.map(\.key), ["z", "a", "m"])
        guard case .array(let elements) = members[1].value.value else { return XCTFail("not a list") }
        XCTAssertEqual(elements.map(\.value), [.bool(true), .bool(false), .null, .number("-2.5e3"), .string("x")])
        XCTAssertEqual(elements[0].location, .file(line: 1, column: 16))
        XCTAssertEqual(members[2].value.value, .object([]))
    }

    func testStringEscapes() throws {
        let node = try JSONParser.parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00 µ""#)
        XCTAssertEqual(node.value, .string("a\"b\\c/d\n\té😀 µ"))
    }

    func testPositionsCountLinesAndScalarColumns() throws {
        let node = try JSONParser.parse("{\n  \"µµ\": 1,\n  \"b\":\n    [2]\n}")
        let members = node.value.members!
        XCTAssertEqual(members[0].keyLocation, .file(line: 2, column: 3))
        XCTAssertEqual(members[0].value.location, .file(line: 2, column: 9))
        XCTAssertEqual(members[1].value.location, .file(line: 4, column: 5))
    }

    func testSyntaxErrorsNameLineAndColumn() {
        func failure(_ text: String) -> ScenarioError? {
            do { _ = try JSONParser.parse(text); XCTFail("parsed: \(text)"); return nil } catch { return error as? ScenarioError }
        }
        let trailing = failure("{\n  \"a\": 1,\n}")
        XCTAssertEqual(trailing?.line, 3)
        XCTAssertEqual(trailing?.column, 1)
        XCTAssertTrue(trailing!.message.contains("trailing comma"))
        XCTAssertTrue(failure("{\"a\": 15ms}")!.message.contains("\"15ms\""))
        XCTAssertEqual(failure("{\"a\": 15ms}")?.column, 7)
        XCTAssertTrue(failure("{// c\n}")!.message.contains("comments"))
        XCTAssertTrue(failure("{\"a\": 'x'}")!.message.contains("double quotes"))
        XCTAssertTrue(failure("{\"a\": \"x}")!.message.contains("closing double quote"))
        XCTAssertTrue(failure("{\"a\" 1}")!.message.contains("expected :"))
        XCTAssertTrue(failure("{\"a\": 1 \"b\": 2}")!.message.contains("comma is missing"))
        XCTAssertTrue(failure("[1, 2")!.message.contains("closing ]"))
        XCTAssertTrue(failure("{} {}")!.message.contains("after the end"))
        XCTAssertTrue(failure("")!.message.contains("empty"))
        XCTAssertTrue(failure("[01]")!.message.contains("leading zeros"))
        XCTAssertTrue(failure("[1.]")!.message.contains("decimal point"))
        XCTAssertTrue(failure("[True]")!.message.contains("lower case"))
        XCTAssertTrue(failure(#"["\x"]"#)!.message.contains("not a JSON escape"))
        XCTAssertNotNil(failure(String(repeating: "[", count: 300) + String(repeating: "]", count: 300)))
    }

    func testWriterRoundTrips() throws {
        let text = #"{"a": [1, 2.50, {"b": "é\n\"q\""}], "c": null, "d": true}"#
        let node = try JSONParser.parse(text)
        let again = try JSONParser.parse(JSONWriter.pretty(node.value, lineWidth: 10))
        XCTAssertEqual(JSONWriter.compact(again.value), JSONWriter.compact(node.value))
        XCTAssertEqual(JSONWriter.compact(node.value), #"{"a": [1, 2.50, {"b": "é\n\"q\""}], "c": null, "d": true}"#)
    }
}
