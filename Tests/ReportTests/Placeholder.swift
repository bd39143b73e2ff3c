import XCTest
final class ReportTestsPlaceholder: XCTestCase { func testBuilds() {} }
