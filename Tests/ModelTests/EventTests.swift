import XCTest
@testable import SimModel
import SimEngine

/// An event's kind, target and token share one word: each comes back as it went in.
final class EventTests: XCTestCase {
    func testAnEventKeepsItsKindTargetAndToken() {
        // Every kind: a kind added beyond what the word's kind bits hold would come back as another kind.
        let kinds = EventKind.allCases
        var rng = SplitMix64(seed: 3)
        let targets: [Int32] = [0, 1, Int32(Event.targets - 1)]
        let tokens: [UInt32] = [0, 1, .max]
        for i in 0..<5_000 {
            let kind = kinds[i % kinds.count]
            let target = i < 9 ? targets[i % 3] : Int32(rng.nextIndex(below: Event.targets))
            let token = i < 9 ? tokens[i / 3] : UInt32(truncatingIfNeeded: rng.next())
            let event = Event(kind: kind, target: target, token: token)
            XCTAssertEqual(event.kind, kind)
            XCTAssertEqual(event.target, target)
            XCTAssertEqual(event.token, token)
        }
    }
}
