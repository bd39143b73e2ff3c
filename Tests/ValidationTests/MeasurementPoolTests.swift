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

    /// Sessions measured with different profiles pool with each profile kept once, in the order met, and each
    /// run tagged with its own session's; pooling a pool again keeps every run's profile.
    func testSessionsWithTheirOwnProfilesKeepThem() throws {
        let a = try recorded()
        var b = scaled(a, by: 2)
        b.machine.urlopenCPU = a.machine.urlopenCPU.scaled(by: 2)
        XCTAssertNotEqual(a.machine, b.machine)
        let pool = try MatrixMeasurements.pooled([("a.json", a), ("b.json", b), ("a2.json", a)])
        XCTAssertEqual(pool.machine, a.machine)
        XCTAssertEqual(pool.sessionProfiles, [a.machine, b.machine])
        for (name, c) in a.cases {
            for (label, p) in c.strategies {
                let pooled = try XCTUnwrap(pool.cases[name]?.strategies[label])
                let n = p.runs.count
                XCTAssertEqual(pooled.profiles, Array(repeating: 0, count: n) + Array(repeating: 1, count: n) + Array(repeating: 0, count: n))
            }
        }
        // Pooled again, after a session of b's profile: the indices follow the profiles, not the files.
        let again = try MatrixMeasurements.pooled([("b.json", b), ("pool.json", pool)])
        XCTAssertEqual(again.machine, b.machine)
        XCTAssertEqual(again.sessionProfiles, [b.machine, a.machine])
        let (name, c) = try XCTUnwrap(a.cases.first)
        let (label, p) = try XCTUnwrap(c.strategies.first)
        let n = p.runs.count
        XCTAssertEqual(again.cases[name]?.strategies[label]?.profiles,
                       Array(repeating: 0, count: n) + Array(repeating: 1, count: n) + Array(repeating: 0, count: n) + Array(repeating: 1, count: n))
        // Saved and loaded, the pool is the same; a file whose run names a profile it does not have is refused,
        // named.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pool-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try pool.save(to: file)
        XCTAssertEqual(try MatrixMeasurements.load(from: file), pool)
        var broken = pool
        broken.cases[name]?.strategies[label]?.profiles?[0] = 2
        try broken.save(to: file)
        XCTAssertThrowsError(try MatrixMeasurements.load(from: file)) { error in
            XCTAssertTrue("\(error)".hasPrefix(file + ": cases.\(name).strategies.\(label).profiles:"), "\(error)")
        }
        // One profile throughout: no indices, as before (the recorded files stay as they are).
        XCTAssertNil(try MatrixMeasurements.pooled([("a.json", a), ("a2.json", a)]).sessionProfiles)
        XCTAssertThrowsError(try MatrixMeasurements.pooled([]))
    }

    /// Each run is predicted with its own session's profile and the point's prediction is the median of the
    /// runs' (the lower middle one): with a first session of one profile and two of another, every point is
    /// predicted as the two sessions' profile alone predicts it; `--profile` (no session profiles) uses `machine`.
    func testEachRunIsPredictedWithItsOwnProfile() throws {
        let matrix = try ValidationMatrix.load(folder: FidelityTests.folder)
        var few = matrix
        few.cases = matrix.cases.filter { ["io-concurrent-10", "convoy-1ms-cpu1", "cpu-py-2"].contains($0.name) }
        XCTAssertEqual(few.cases.count, 3)
        let a = try recorded()
        var b = a
        b.machine.urlopenCPU = a.machine.urlopenCPU.scaled(by: 2)
        func predictions(_ m: MatrixMeasurements) throws -> [String: SimTime] {
            let report = try FidelityReport.evaluate(matrix: few, measurements: m, tolerancePercent: 10, seeds: 3)
            return Dictionary(uniqueKeysWithValues: report.points.map { ($0.key, $0.predicted) })
        }
        let alone = (a: try predictions(a), b: try predictions(b))
        XCTAssertNotEqual(alone.a["io-concurrent-10/threads"], alone.b["io-concurrent-10/threads"], "the profiles must predict differently")
        // The first session's profile is `machine`; the other two sessions' decides.
        XCTAssertEqual(try predictions(try MatrixMeasurements.pooled([("a", a), ("b", b), ("b2", b)])), alone.b)
        XCTAssertEqual(try predictions(try MatrixMeasurements.pooled([("b", b), ("a", a), ("a2", a)])), alone.a)
        var overridden = try MatrixMeasurements.pooled([("a", a), ("b", b), ("b2", b)])
        overridden.predictEveryRun(with: a.machine)
        XCTAssertEqual(try predictions(overridden), alone.a)
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

    /// validation/fifth-host/own-calibration/measurements.json is the pool of that host's sessions 13 to 18, each
    /// with the profile it was measured with.
    func testTheFifthHostsOwnCalibrationPoolIsItsSessions() throws {
        try assertFifthHostPool("own-calibration", sessions: Array(13...18))
    }

    /// validation/fifth-host/paced/measurements.json is the pool of sessions 21 to 23, which recorded each run's
    /// CPU-step pace: the pool keeps them run by run.
    func testTheFifthHostsPacedPoolIsItsSessions() throws {
        let pool = try assertFifthHostPool("paced", sessions: [21, 22, 23])
        XCTAssertTrue(pool.cases.values.contains { $0.strategies.values.contains { $0.paces?.count == 9 } })
    }

    /// validation/sixth-host/measurements.json is the pool of that host's three sessions, each with the profile
    /// it was measured with.
    func testTheSixthHostsPoolIsItsSessions() throws {
        try assertHostPool("sixth-host", pool: nil, sessions: [1, 2, 3])
    }

    /// The fifth host's pool in `folder` is `sessions` pooled again, each with its own profile.
    @discardableResult
    func assertFifthHostPool(_ folder: String, sessions numbers: [Int], file: StaticString = #filePath, line: UInt = #line) throws -> MatrixMeasurements {
        try assertHostPool("fifth-host", pool: folder, sessions: numbers, file: file, line: line)
    }

    /// The pool in `validation/<host>/<pool>/measurements.json` (the host's own folder when `pool` is nil) is the
    /// host's `session-N.json` files for `sessions` pooled again, each with its own profile.
    @discardableResult
    func assertHostPool(_ host: String, pool folder: String?, sessions numbers: [Int], file: StaticString = #filePath,
                        line: UInt = #line) throws -> MatrixMeasurements {
        let path = FidelityTests.folder + "/" + host
        let sessions = try numbers.map { n in
            (path: "session-\(n).json", measurements: try MatrixMeasurements.load(from: path + "/session-\(n).json"))
        }
        let profiles = sessions.map(\.measurements.machine)
        XCTAssertEqual(profiles.indices.filter { i in !profiles[..<i].contains(profiles[i]) }.count, numbers.count, "each session has its own profile",
                       file: file, line: line)
        let pool = host + (folder.map { "/" + $0 } ?? "") + "/measurements.json"
        let recorded = try MatrixMeasurements.load(from: FidelityTests.folder + "/" + pool)
        let names = numbers.map { "validation/\(host)/session-\($0).json" }.joined(separator: ",")
        XCTAssertEqual(try MatrixMeasurements.pooled(sessions), recorded,
                       "pool them again: simulate validate --pool \(names) --measurements validation/\(pool)",
                       file: file, line: line)
        return recorded
    }
}
