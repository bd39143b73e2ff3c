import SimEngine
import SimReport
import XCTest

final class FormatTests: XCTestCase {
    func testDurationsHaveThreeSignificantDigitsAndAUnitPerValue() {
        let cases: [(SimTime, String)] = [
            (.zero, "0 s"),
            (.nanoseconds(850), "850 ns"),
            (.nanoseconds(1_500), "1.50 us"),
            (.microseconds(40), "40.0 us"),
            (.nanoseconds(183_400_000), "183 ms"),
            (.milliseconds(2_184), "2.18 s"),
            (.milliseconds(31_400), "31.4 s"),
            (.milliseconds(-5), "-5.00 ms"),
            (.milliseconds(1_234_000), "1234 s"),
        ]
        for (time, expected) in cases {
            XCTAssertEqual(Format.duration(time), expected, "\(time.nanoseconds) ns")
            XCTAssertEqual(formatDuration(time), expected)
        }
    }

    func testRoundingUpMovesToTheNextUnitOrDropsADecimal() {
        XCTAssertEqual(Format.duration(.nanoseconds(999_700_000)), "1.00 s")
        XCTAssertEqual(Format.duration(.nanoseconds(999_999)), "1.00 ms")
        XCTAssertEqual(Format.duration(.nanoseconds(999)), "999 ns")
        XCTAssertEqual(Format.duration(.nanoseconds(9_996_000)), "10.0 ms")
        XCTAssertEqual(Format.duration(.nanoseconds(99_960_000)), "100 ms")
    }

    func testRatesCountsFactorsPercents() {
        XCTAssertEqual(Format.rate(4.583), "4.58")
        XCTAssertEqual(Format.rate(12_400), "12.4k")
        XCTAssertEqual(Format.rate(999_999), "1.00M")
        XCTAssertEqual(Format.rate(0), "0")
        XCTAssertEqual(Format.count(99_999), "99999")
        XCTAssertEqual(Format.count(123_456), "123k")
        XCTAssertEqual(Format.factor(2.18 / 1.12), "1.95x")
        XCTAssertEqual(Format.factor(2.18 / 2.47), "0.88x")
        XCTAssertEqual(Format.factor(31.4 / 4.37), "7.19x")
        XCTAssertEqual(Format.shortFactor(31.4 / 4.37), "7.2")
        XCTAssertEqual(Format.shortFactor(12.34), "12")
        XCTAssertEqual(Format.percent(0.874), "87%")
        XCTAssertEqual(Format.signedPercent(-12), "-12.0%")
        XCTAssertEqual(Format.seconds(.milliseconds(2_180)), "2.180000")
    }
}
