import SimEngine
@testable import SimRendering
@testable import SimTrace
import XCTest

/// `Explanations.find` on hand-built traces (exact intervals), and the annotations drawn from them.
final class ExplanationTests: XCTestCase {
    func ms(_ v: Double) -> SimTime { Self.ms(v) }
    static func ms(_ v: Double) -> SimTime { .nanoseconds(Int64((v * 1e6).rounded())) }

    func testConvoyWaitIsTheFirstWaitForTheGILAfterIOAtLeastHalfAsLongAsTheLongest() {
        var b = SampleTraces.Builder()
        let io = b.lane("io", .thread, process: 0)
        // Waits for the GIL after I/O of 1 ms, 5 ms and 3 ms; a longer one (8 ms) that follows running, not I/O.
        b.seg(io, .blocked, ms(0), ms(1))
        b.seg(io, .waitingGIL, ms(1), ms(2))
        b.seg(io, .running, ms(2), ms(3))
        b.seg(io, .blocked, ms(3), ms(4))
        b.seg(io, .runnable, ms(4), ms(4.5))
        b.seg(io, .waitingGIL, ms(4.5), ms(9))
        b.seg(io, .running, ms(9), ms(10))
        b.seg(io, .blocked, ms(10), ms(11))
        b.seg(io, .waitingGIL, ms(11), ms(14))
        b.seg(io, .running, ms(14), ms(15))
        b.seg(io, .waitingGIL, ms(15), ms(23))
        let trace = b.finish(end: ms(30))
        XCTAssertEqual(Explanations.find(in: trace), [Explanation(kind: .convoyWait, lane: io, start: ms(4), end: ms(9))])
        // Outside the window, or on a lane not shown, it is not pointed at; within a narrower window the next one is.
        XCTAssertEqual(Explanations.find(in: trace, window: ms(10)..<ms(30)), [Explanation(kind: .convoyWait, lane: io, start: ms(11), end: ms(14))])
        XCTAssertEqual(Explanations.find(in: trace, isShown: { $0 != io }), [])
    }

    func testConvoySampleHasItsWaitAndTheForcedSwitchOnTheHoldersLane() {
        let trace = SampleTraces.convoy()
        let io = 1, cpu = 2
        XCTAssertEqual(Explanations.find(in: trace), [
            Explanation(kind: .convoyWait, lane: io, start: .microseconds(330), end: .microseconds(5_370)),
            // From when the I/O thread began waiting to the switch its drop request forced.
            Explanation(kind: .forcedSwitch, lane: cpu, start: .microseconds(330), end: .microseconds(5_350)),
        ])
    }

    func testForcedSwitchBetweenTwoCPUThreads() {
        // Thread-2 waits from 2.3 ms; its request at 7.3 ms forces Thread-1 off at 7.32 ms.
        XCTAssertEqual(Explanations.find(in: SampleTraces.gilContention()),
                       [Explanation(kind: .forcedSwitch, lane: 1, start: ms(2.3), end: ms(7.32))])
    }

    func testLoopBlockedIsALongStepWhileASiblingIsReady() {
        var b = SampleTraces.Builder()
        let loop = b.lane(LaneNames.eventLoop, .thread, process: 0)
        let c1 = b.lane("fetch(1)", .coroutine, process: 0, host: loop)
        let c2 = b.lane("crunch", .coroutine, process: 0, host: loop)
        b.seg(c1, .running, ms(1), ms(2))
        b.seg(c2, .runnable, ms(1.5), ms(2.5))
        b.seg(c2, .running, ms(2.5), ms(3))
        // A step of 4 ms (with a GIL wait inside) while fetch(1) is ready: the loop is blocked.
        b.seg(c1, .runnable, ms(4), ms(10))
        b.seg(c2, .running, ms(5), ms(7))
        b.seg(c2, .waitingGIL, ms(7), ms(8))
        b.seg(c2, .runningNoGIL, ms(8), ms(9))
        b.seg(c1, .running, ms(10), ms(10.5))
        // A longer step with nobody ready blocks nothing.
        b.seg(c2, .running, ms(12), ms(20))
        let trace = b.finish(end: ms(25))
        XCTAssertEqual(Explanations.find(in: trace), [Explanation(kind: .loopBlocked, lane: loop, start: ms(5), end: ms(9), culprit: c2)])
        XCTAssertEqual(Explanations.find(in: trace, isShown: { $0 != loop }), [])
    }

    func testProcessStartIsTheFirstChildProcessStarting() {
        let trace = SampleTraces.processes(count: 2)
        XCTAssertEqual(Explanations.find(in: trace), [Explanation(kind: .processStart, lane: 1, start: ms(2), end: ms(14))])
        XCTAssertEqual(Explanations.find(in: trace, isShown: { $0 != 1 }), [Explanation(kind: .processStart, lane: 2, start: ms(3), end: ms(15))])
    }

    func testCaptionsUseThePicturesDurations() {
        let names = ["loop", "crunch"]
        XCTAssertEqual(Explanation(kind: .convoyWait, lane: 0, start: .zero, end: ms(5)).caption { names[$0] },
                       "waits 5 ms for the GIL after its answer arrived")
        XCTAssertEqual(Explanation(kind: .forcedSwitch, lane: 0, start: ms(2.3), end: ms(7.32)).caption { names[$0] }, "forced switch after 5.02 ms")
        XCTAssertEqual(Explanation(kind: .loopBlocked, lane: 0, start: .zero, end: ms(12), culprit: 1).caption { names[$0] },
                       "loop blocked 12 ms by CPU in crunch")
        XCTAssertEqual(Explanation(kind: .processStart, lane: 0, start: .zero, end: .microseconds(9_040)).caption { names[$0] }, "process start 9.04 ms")
    }

    /// Every kind at once, on threads, a loop and processes side by side.
    static func explainedChart() -> TimelineChart {
        var loop = SampleTraces.Builder()
        let l = loop.lane(LaneNames.eventLoop, .thread, process: 0)
        let a = loop.lane("fetch(1)", .coroutine, process: 0, host: l)
        let c = loop.lane("crunch", .coroutine, process: 0, host: l)
        loop.seg(a, .runnable, ms(10), ms(30))
        loop.seg(c, .running, ms(10), ms(28))
        loop.seg(a, .running, ms(30), ms(31))
        let trace = SampleTraces.merged([("threads", SampleTraces.convoy(duration: .milliseconds(100))),
                                         ("asyncio", loop.finish(end: ms(100))), ("processes", SampleTraces.processes(count: 3))])
        return TimelineChart(scenario: "explained", strategy: "mixed", makespan: trace.end, subtitle: "every kind of annotation",
                             trace: trace, keyFigures: [KeyFigure("makespan", "100 ms")])
    }

    func testAnnotationsSitOverTheirIntervalAndOverlapNothingAtEverySize() throws {
        let chart = Self.explainedChart()
        let sizes = [(1920, 1080), (1280, 720), (3840, 2160), (800, 450), (480, 270)]
        for (w, h) in sizes {
            for theme in ThemeName.allCases {
                let layout = try TimelineLayout.timeline(chart, options: RenderOptions(width: w, height: h, theme: theme, explain: true))
                let kinds = layout.annotations.map(\.explanation.kind)
                XCTAssertEqual(Set(kinds).count, kinds.count, "one of each kind at most")
                if w >= 1280 { XCTAssertEqual(kinds, Explanation.Kind.allCases, "\(w)x\(h): every kind has room") }
                let canvas = Rect(x: 0, y: 0, width: layout.width, height: layout.height)
                let texts = layout.allTexts
                for (i, t) in texts.enumerated() {
                    XCTAssertTrue(canvas.contains(t.bounds), "\(t.text) outside the picture")
                    for u in texts[(i + 1)...] { XCTAssertFalse(t.bounds.overlaps(u.bounds), "\(w)x\(h): \"\(t.text)\" overlaps \"\(u.text)\"") }
                }
                let scale = layout.axis.scale
                let plot = Rect(x: scale.x, y: 0, width: scale.width, height: layout.axis.y)
                for (i, an) in layout.annotations.enumerated() {
                    XCTAssertTrue(plot.contains(an.plate), "\(an.label.text) leaves the plot")
                    XCTAssertTrue(an.plate.contains(an.label.bounds))
                    // The bracket spans its interval (or a minimum width around it) on its lane's bar.
                    let row = try XCTUnwrap(layout.row(forLane: an.explanation.lane))
                    XCTAssertLessThanOrEqual(an.bracket.y, row.bar.y)
                    XCTAssertGreaterThan(an.bracket.maxY, row.bar.y)
                    let x0 = scale.x(of: an.explanation.start), x1 = scale.x(of: an.explanation.end)
                    if x1 - x0 >= an.bracket.width - 1e-9 {
                        XCTAssertEqual(an.bracket.x, x0, accuracy: 1e-6)
                        XCTAssertEqual(an.bracket.maxX, x1, accuracy: 1e-6)
                    } else {
                        XCTAssertTrue(an.bracket.x <= x0 + 1e-6 && an.bracket.maxX >= x1 - 1e-6)
                    }
                    // Plates cover no text but their own, no legend swatch, no other plate or bracket.
                    for t in texts where t != an.label { XCTAssertFalse(an.plate.overlaps(t.bounds), "\(an.label.text) covers \(t.text)") }
                    for e in layout.legend { XCTAssertFalse(an.plate.overlaps(e.swatch)) }
                    for other in layout.annotations[(i + 1)...] {
                        XCTAssertFalse(an.plate.overlaps(other.plate))
                        XCTAssertFalse(an.plate.overlaps(other.bracket))
                        XCTAssertFalse(other.plate.overlaps(an.bracket))
                    }
                }
                if w == 1920 { XCTAssertTrue(layout.annotations.allSatisfy { $0.label.fontSize >= 20 }) }
            }
        }
    }

    func testWithoutExplainNothingIsAnnotatedAndTheSideBySideAnnotatesBothPanels() throws {
        let chart = Self.explainedChart()
        XCTAssertEqual(try TimelineLayout.timeline(chart, options: RenderOptions()).annotations, [])
        let both = try TimelineLayout.sideBySide(model: chart, real: chart, options: RenderOptions(explain: true))
        XCTAssertEqual(Set(both.annotations.map(\.panel)), [0, 1])
    }

    func testExplainedPictureIsDeterministicAndDrawsTheBracketInTheTextColour() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("explain-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let options = RenderOptions(explain: true)
        try TimelineRenderer.renderTimeline(chart: Self.explainedChart(), options: options, to: dir + "/a.png")
        try TimelineRenderer.renderTimeline(chart: Self.explainedChart(), options: options, to: dir + "/b.png")
        XCTAssertEqual(FileManager.default.contents(atPath: dir + "/a.png"), FileManager.default.contents(atPath: dir + "/b.png"))
        let layout = try TimelineLayout.timeline(Self.explainedChart(), options: options)
        let an = try XCTUnwrap(layout.annotations.first)
        let image = try CairoSurface(pngFile: dir + "/a.png")
        let p = image.pixel(x: Int(an.bracket.x + an.bracket.width / 2), y: Int(an.bracket.y))
        XCTAssertEqual([p.r, p.g, p.b], [layout.theme.text.bytes.r, layout.theme.text.bytes.g, layout.theme.text.bytes.b])
    }
}

/// The windows of `--frames`.
final class FrameSequenceTests: XCTestCase {
    func testFramesStepEvenlyFromTheStartToTheEnd() {
        let span = TimeWindow(start: .milliseconds(10), end: .milliseconds(50))
        XCTAssertEqual(FrameSequence(count: 4).windows(over: span).map { [$0.start, $0.end] },
                       [[10, 20], [20, 30], [30, 40], [40, 50]].map { $0.map { SimTime.milliseconds($0) } })
        // Wider frames overlap; the first starts at the start and the last ends at the end.
        XCTAssertEqual(FrameSequence(count: 3, width: .milliseconds(20)).windows(over: span).map { [$0.start, $0.end] },
                       [[10, 30], [20, 40], [30, 50]].map { $0.map { SimTime.milliseconds($0) } })
        XCTAssertEqual(FrameSequence(count: 1).windows(over: span), [span])
        XCTAssertEqual(FrameSequence(count: 2, width: .milliseconds(9_000)).windows(over: span), [span, span], "a frame wider than the span shows it all")
        // No overflow over the longest spans.
        let long = TimeWindow(start: .zero, end: RenderOptions.Limits.latestWindowEnd)
        XCTAssertEqual(FrameSequence(count: 300).windows(over: long).last?.end, long.end)
    }

    func testNamesAreNumberedFromOne() {
        XCTAssertEqual(FrameSequence.fileName(stem: "threads", index: 0, ext: "png"), "threads.frame-001.png")
        XCTAssertEqual(FrameSequence.fileName(stem: "threads", index: 299, ext: "svg"), "threads.frame-300.svg")
    }
}
