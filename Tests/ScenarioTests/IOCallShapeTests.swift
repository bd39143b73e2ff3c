import XCTest
import SimEngine
@testable import SimScenario

/// `IOCallShape`: the pieces an I/O call's CPU is cut into (docs/model.md, "The shape of an I/O call").
final class IOCallShapeTests: XCTestCase {
    func pieces(_ shape: IOCallShape, cpu: Int64, extra: Int64, connects: Bool) -> [Int64] {
        let n = connects ? IOCallShape.newPieces.count : IOCallShape.reusePieces.count
        let cut = IOCallPieces(shape)
        return (0..<n).map { cut.piece($0, cpu: .nanoseconds(cpu), extra: .nanoseconds(extra), connects: connects).nanoseconds }
    }

    /// Whatever the weights, the pieces are never negative and add up to the call's CPU plus the connection's
    /// exactly, and the connection's CPU lands before the send.
    func testPiecesAddUpExactly() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<2_000 {
            let new = (0..<7).map { _ in rng.nextUnit() < 0.3 ? 0 : rng.nextUnit() * 100 }
            let reuse = (0..<3).map { _ in rng.nextUnit() < 0.3 ? 0 : rng.nextUnit() * 100 }
            guard new.contains(where: { $0 > 0 }), reuse.contains(where: { $0 > 0 }) else { continue }
            let shape = IOCallShape(new: new, reuse: reuse)
            let cpu = Int64(rng.nextUnit() * 1_000_000), extra = Int64(rng.nextUnit() * 200_000)
            for connects in [true, false] {
                let p = pieces(shape, cpu: cpu, extra: connects ? extra : 0, connects: connects)
                XCTAssertTrue(p.allSatisfy { $0 >= 0 }, "\(shape) \(cpu)")
                XCTAssertEqual(p.reduce(0, +), cpu + (connects ? extra : 0), "\(shape) \(cpu)")
                let beforeSend = p[..<(connects ? 4 : 1)].reduce(0, +)
                XCTAssertGreaterThanOrEqual(beforeSend, connects ? extra : 0)
            }
        }
    }

    /// The default shape is the model's split before the shape was measured, to the nanosecond: half the CPU
    /// (rounded down) plus the connection's before the send, cut in four with the remainder on the first
    /// piece; the rest after the answer; nothing between send and recv or after close.
    func testEvenShapeIsTheOldSplit() {
        for cpu in [Int64(0), 1, 7, 199_999, 216_123, 1_000_003] {
            for extra in [Int64(0), 3, 100_000] {
                let before = cpu / 2 + extra, share = before / 4
                XCTAssertEqual(pieces(.even, cpu: cpu, extra: extra, connects: true),
                               [before - 3 * share, share, share, share, 0, cpu - cpu / 2, 0])
                XCTAssertEqual(pieces(.even, cpu: cpu, extra: 0, connects: false), [cpu / 2, 0, cpu - cpu / 2])
            }
        }
    }

    /// A measured shape: urlopen's pieces in proportion to their weights (rounded down, the first of each
    /// side taking the remainder).
    func testWeightsAreProportions() {
        // Weights whose ratios are exact in binary, so that the expected pieces are exact too.
        let shape = IOCallShape(new: [32, 8, 8, 16, 16, 32, 16], reuse: [2, 1, 1])
        XCTAssertEqual(pieces(shape, cpu: 256_000, extra: 0, connects: true), [64_000, 16_000, 16_000, 32_000, 32_000, 64_000, 32_000])
        XCTAssertEqual(pieces(shape, cpu: 200_000, extra: 0, connects: false), [100_000, 50_000, 50_000])
        // The connection's CPU follows the weights before the send.
        XCTAssertEqual(pieces(shape, cpu: 256_000, extra: 64_000, connects: true), [96_000, 24_000, 24_000, 48_000, 32_000, 64_000, 32_000])
    }

    func testReadWriteAndRefuse() throws {
        let s = try ScenarioLoader.parse(text: minimal(#""costs": {"io_call_shape": {"new": {"before_getaddrinfo": 3, "after_recv": 5}}}"#))
        XCTAssertEqual(s.costs.ioCallShape.new, [3, 0, 0, 0, 0, 5, 0])
        XCTAssertEqual(s.costs.ioCallShape.reuse, Defaults.ioCallShape.reuse, "a side left out keeps the default")
        let again = try ScenarioLoader.parse(text: ScenarioEncoder.json(s))
        XCTAssertEqual(again.costs.ioCallShape, s.costs.ioCallShape)
        assertMessage(scenarioError(minimal(#""costs": {"io_call_shape": {"reuse": {"before_send": 0}}}"#)),
                      contains: ["every piece of io_call_shape.reuse weighs 0"])
        assertMessage(scenarioError(minimal(#""costs": {"io_call_shape": {"new": {"before_recv": -1}}}"#)),
                      contains: ["io_call_shape.new.before_recv"])
        assertMessage(scenarioError(minimal(#""costs": {"io_call_shape": {"new": {"before_read": 1}}}"#)),
                      contains: ["before_read"])
    }
}

extension IOCallShapeTests {
    /// The pieces as first written: every piece sums its side's weights again (`IOCallPieces` works the
    /// fractions out once; the results must be the same to the nanosecond).
    func summedPiece(_ shape: IOCallShape, _ index: Int, cpu: Int64, extra: Int64, connects: Bool) -> Int64 {
        let weights = connects ? shape.new : shape.reuse
        let split = connects ? IOCallShape.newBeforeSend : IOCallShape.reuseBeforeSend
        let side = index < split ? 0..<split : split..<weights.count
        let total = weights.reduce(0, +)
        let sideWeight = weights[side].reduce(0, +)
        let before = total > 0 ? Int64((Double(cpu) * (weights[..<split].reduce(0, +) / total)).rounded(.down)) : 0
        let sideTotal = index < split ? before + extra : cpu - before
        func share(_ i: Int) -> Int64 {
            sideWeight > 0 ? Int64((Double(sideTotal) * (weights[i] / sideWeight)).rounded(.down)) : 0
        }
        if index != side.lowerBound { return share(index) }
        return sideTotal - side.dropFirst().reduce(0) { $0 + share($1) }
    }

    /// Fractions worked out once give every piece of every call exactly what summing the weights per piece
    /// gave, for random shapes (sides weighing nothing included) and the shipped ones.
    func testPiecesWorkedOutOnceAreTheSummedOnes() {
        var rng = SplitMix64(seed: 11)
        var shapes = [IOCallShape.even, IOCallShape(new: [32, 8, 8, 16, 16, 32, 16], reuse: [2, 1, 1])]
        for _ in 0..<500 {
            let new = (0..<7).map { _ in rng.nextUnit() < 0.4 ? 0 : rng.nextUnit() * 100 }
            let reuse = (0..<3).map { _ in rng.nextUnit() < 0.4 ? 0 : rng.nextUnit() * 100 }
            shapes.append(IOCallShape(new: new, reuse: reuse))
        }
        for shape in shapes {
            let once = IOCallPieces(shape)
            for _ in 0..<20 {
                let cpu = Int64(rng.nextUnit() * 5_000_000), extra = Int64(rng.nextUnit() * 300_000)
                for connects in [true, false] {
                    for i in 0..<(connects ? 7 : 3) {
                        let e = connects ? extra : 0
                        XCTAssertEqual(once.piece(i, cpu: .nanoseconds(cpu), extra: .nanoseconds(e), connects: connects).nanoseconds,
                                       summedPiece(shape, i, cpu: cpu, extra: e, connects: connects), "\(shape) \(cpu) \(i)")
                    }
                }
            }
        }
    }
}
