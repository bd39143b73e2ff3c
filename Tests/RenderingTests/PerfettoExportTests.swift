import Foundation
import SimEngine
@testable import SimRendering
import SimTrace
import XCTest

final class PerfettoExportTests: XCTestCase {
    func testEveryLaneAndIntervalIsInTheJSON() throws {
        let trace = SampleTraces.merged([("threads", SampleTraces.gilContention()), ("asyncio", SampleTraces.asyncioIO(coroutines: 4)),
                                         ("procs", SampleTraces.processes())])
        let bytes = PerfettoExport.json(trace: trace, scenario: "mixed \"quoted\"", strategy: "threads")
        XCTAssertEqual(bytes, PerfettoExport.json(trace: trace, scenario: "mixed \"quoted\"", strategy: "threads"), "deterministic")
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        XCTAssertEqual((root["otherData"] as? [String: Any])?["scenario"] as? String, "mixed \"quoted\"")
        let events = try XCTUnwrap(root["traceEvents"] as? [[String: Any]])

        let meta = events.filter { $0["ph"] as? String == "M" }
        let processNames = Set(meta.filter { $0["name"] as? String == "process_name" }.compactMap { ($0["args"] as? [String: Any])?["name"] as? String })
        XCTAssertEqual(processNames, Set(trace.processNames + ["CPU cores"]))
        let threads = meta.filter { $0["name"] as? String == "thread_name" }
        XCTAssertEqual(threads.count, trace.lanes.count)
        for lane in trace.lanes {
            let t = try XCTUnwrap(threads.first { $0["tid"] as? Int == lane.id + 1 }, "lane \(lane.id)")
            let name = (t["args"] as? [String: Any])?["name"] as? String
            XCTAssertTrue(name?.hasPrefix(lane.name) == true)
            XCTAssertEqual(t["pid"] as? Int, lane.kind == .core ? trace.processNames.count + 1 : lane.process + 1)
        }

        let complete = events.filter { $0["ph"] as? String == "X" }
        XCTAssertEqual(complete.count, trace.segments.count)
        // Each segment is there with its lane, state and times (µs, exact to the ns).
        var found: [String: Int] = [:]
        for e in complete {
            let key = "\(e["tid"] as! Int - 1)|\(e["name"] as! String)|\((e["ts"] as! NSNumber).doubleValue)|\((e["dur"] as! NSNumber).doubleValue)"
            found[key, default: 0] += 1
        }
        for s in trace.segments {
            let key = "\(s.lane)|\(s.state.description)|\(Double(s.start.nanoseconds) / 1000)|\(Double(s.duration.nanoseconds) / 1000)"
            XCTAssertNotNil(found[key], "segment \(s) missing")
        }
        let timestamps = complete.map { ($0["ts"] as! NSNumber).doubleValue }
        XCTAssertEqual(timestamps, timestamps.sorted())

        let instants = events.filter { $0["ph"] as? String == "i" }
        XCTAssertEqual(instants.count, trace.instants.count)
        XCTAssertEqual(Set(instants.compactMap { $0["name"] as? String }), Set(trace.instants.map(\.kind.rawValue)))
    }

    func testMicrosecondsAreExact() {
        func text(_ ns: Int64) -> String {
            var w = JSONWriter()
            w.microseconds(ns)
            return String(decoding: w.bytes, as: UTF8.self)
        }
        XCTAssertEqual(text(0), "0")
        XCTAssertEqual(text(1), "0.001")
        XCTAssertEqual(text(12_500), "12.5")
        XCTAssertEqual(text(5_000_000), "5000")
        XCTAssertEqual(text(1_234_567_891), "1234567.891")
    }

    func testWritesAtomically() throws {
        let path = NSTemporaryDirectory() + "perfetto-\(getpid())/trace.json"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        try PerfettoExport.write(trace: SampleTraces.gilContention(), scenario: "s", strategy: "threads", to: path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: data))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent), ["trace.json"])
    }
}
