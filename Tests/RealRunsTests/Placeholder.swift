import XCTest
final class RealRunsTestsPlaceholder: XCTestCase { func testBuilds() {} }
