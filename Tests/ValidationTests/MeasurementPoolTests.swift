import Foundation
import SimEngine
import SimTrace
import XCTest
@testable import SimValidation

/// Measurement sessions pooled run by run, and how far they agree.
final class MeasurementPoolTests: XCTestCase {
    /// The recorded measurements, with every run of every point multiplied by `factor`.
    func scaled(_ m: MatrixMeasurements, by factor: Double) -> MatrixMeasurements {
        var out = m
        for (name, c) in m.cases {
            for (label, p) in c.strategies {
                out.cases[name]!.strategies[label] = MeasuredPoint(runs: p.runs.map { $0.scaled(by: factor) })
            }
        }
        return out
    }

    func recorded() throws -> MatrixMeasurements {
        try MatrixMeasurements.load(from: FidelityTests.folder + "/measurements.json")
    }

    /// Runs are concatenated in the order of the sessions; the median and band are the pool's; a case
    /// measured by one session only keeps its runs; the program's one-task runs are pooled too.
    func testRunsArePooledInOrder() throws {
        let a = try recorded()
        var b = scaled(a, by: 2)
        let only = a.cases.keys.sorted()[0]
        var bOnly = a
        bOnly.cases = [only: b.cases[only]!]
        b.cases[only] = nil
        let program = try XCTUnwrap(a.cases.first { $0.value.oneTask != nil }?.key)
        let pool = try MatrixMeasurements.pooled([("a", a), ("b", b), ("c", bOnly)])
        XCTAssertEqual(pool.repetitions, a.repetitions * 3)
        XCTAssertEqual(pool.noise.count, a.noise.count * 3)
        XCTAssertEqual(Set(pool.cases.keys), Set(a.cases.keys))
        for (name, c) in a.cases {
            for (label, p) in c.strategies {
                let pooled = try XCTUnwrap(pool.cases[name]?.strategies[label])
                XCTAssertEqual(pooled.runs, p.runs + p.runs.map { $0.scaled(by: 2) }, "\(name)/\(label)")
                XCTAssertEqual(pooled.min, p.min)
                XCTAssertEqual(pooled.max, p.max.scaled(by: 2))
                XCTAssertEqual(pooled.median, MeasuredSpread(pooled.runs).median)
            }
        }
        let one = try XCTUnwrap(a.cases[program]?.oneTask)
        XCTAssertEqual(pool.cases[program]?.oneTask?.runs, one.runs + one.runs + (program == only ? one.runs : []))
    }

    /// Sessions sized with different machine profiles cannot be pooled: the first odd one is named.
    func testAnotherProfileIsRefused() throws {
        let a = try recorded()
        var b = a
        b.machine.cores += 1
        XCTAssertThrowsError(try MatrixMeasurements.pooled([("a.json", a), ("b.json", b)])) { error in
            XCTAssertEqual(error as? MatrixError, .otherMachine(path: "b.json"))
        }
        XCTAssertThrowsError(try MatrixMeasurements.pooled([]))
    }

    /// A session against itself agrees exactly; one 10% slower everywhere is 10% off at the median, the
    /// 90th percentile and the worst point.
    func testAgreement() throws {
        let a = try recorded()
        let same = MeasurementAgreement(reference: "a", a, other: "a", a)
        XCTAssertEqual(same.figures.median, 0)
        XCTAssertEqual(same.figures.p90, 0)
        XCTAssertEqual(same.figures.count, a.cases.values.map(\.strategies.count).reduce(0, +))
        let slower = MeasurementAgreement(reference: "a", a, other: "b", scaled(a, by: 1.1))
        XCTAssertEqual(slower.figures.median, 10, accuracy: 0.01)
        XCTAssertEqual(slower.figures.p90, 10, accuracy: 0.01)
        XCTAssertEqual(try XCTUnwrap(slower.worst?.percent), 10, accuracy: 0.01)
        XCTAssertTrue(slower.line.hasPrefix("b against a: \(same.figures.count) points, median 10.0%, p90 10.0%"), slower.line)
    }
}

/// validation/measurements.json is the pool of the sessions in validation/sessions/, in the order of their names:
/// a session added or a profile changed in one place and not the other fails here.
final class RecordedPoolTests: XCTestCase {
    func testTheRecordedMeasurementsAreThePoolOfTheSessions() throws {
        let folder = FidelityTests.folder + "/sessions"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertGreaterThanOrEqual(names.count, 3)
        let sessions = try names.map { (path: $0, measurements: try MatrixMeasurements.load(from: folder + "/" + $0)) }
        let recorded = try MatrixMeasurements.load(from: FidelityTests.folder + "/measurements.json")
        XCTAssertEqual(try MatrixMeasurements.pooled(sessions), recorded,
                       "pool the sessions again: simulate validate --pool <validation/sessions/*.json> --measurements validation/measurements.json")
    }
}
