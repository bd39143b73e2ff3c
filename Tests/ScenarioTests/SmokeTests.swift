import XCTest
@testable import SimScenario
final class SmokeTests: XCTestCase { func testBuilds() throws { _ = try ScenarioLoader.parse(text: "{\"tasks\":[{\"steps\":[{\"cpu\":1}]}]}") } }
