import SimEngine
@testable import SimRendering
import SimTrace
import XCTest

final class TimelineLayoutTests: XCTestCase {
    /// One thread: running 0-10 ms, blocked 10-30 ms, then gone; the run ends at 100 ms.
    func simpleTrace() -> Trace {
        Trace(lanes: [Lane(id: 0, name: "worker", kind: .thread, process: 0)],
              segments: [Segment(lane: 0, state: .running, start: .zero, end: .milliseconds(10)),
                         Segment(lane: 0, state: .blocked, start: .milliseconds(10), end: .milliseconds(30))],
              end: .milliseconds(100))
    }

    func chart(_ trace: Trace) -> TimelineChart {
        TimelineChart(scenario: "s", strategy: "threads", makespan: trace.end, trace: trace, keyFigures: [KeyFigure("GIL switches", "3")])
    }

    func testLanesAreGroupedByProcessWithHostedLanesUnderTheirThread() throws {
        let trace = SampleTraces.merged([("threads", SampleTraces.gilContention()), ("asyncio", SampleTraces.asyncioIO(coroutines: 3)),
                                         ("processes", SampleTraces.processes())])
        let layout = try TimelineLayout.timeline(chart(trace), options: RenderOptions())
        let groups = layout.panels[0].groups
        // Groups of several lanes get a header; a process with one lane names itself in its row's label instead.
        XCTAssertEqual(groups.map { $0.header?.text }, ["threads", "asyncio", nil, nil, nil, "CPU cores"])
        XCTAssertEqual(groups[2...4].flatMap(\.rows).compactMap { $0.label?.text },
                       ["processes · MainThread", "processes: Process-1 · MainThread", "processes: Process-2 · MainThread"])
        let asyncio = groups[1].rows.compactMap { $0.label?.text }
        XCTAssertEqual(asyncio, ["MainThread (event loop)", "↳ fetch(0)", "↳ fetch(1)", "↳ fetch(2)"])
        // Hosted lanes are indented under their thread.
        XCTAssertGreaterThan(groups[1].rows[1].label!.x, groups[1].rows[0].label!.x)
        // Every lane appears once, rows go down the picture.
        let lanes = layout.rows.compactMap { row -> Int? in if case .lane(let id) = row.content { return id } else { return nil } }
        XCTAssertEqual(lanes.sorted(), Array(0..<trace.lanes.count))
        let ys = layout.rows.map(\.frame.y)
        XCTAssertEqual(ys, ys.sorted())
        for (a, b) in zip(layout.rows, layout.rows.dropFirst()) { XCTAssertLessThanOrEqual(a.frame.maxY, b.frame.y + 1e-9) }
    }

    func testCoresAreLeftOutOnRequest() throws {
        var options = RenderOptions()
        options.showCores = false
        let layout = try TimelineLayout.timeline(chart(SampleTraces.gilContention()), options: options)
        XCTAssertFalse(layout.panels[0].groups.contains { $0.header?.text == "CPU cores" })
        XCTAssertEqual(layout.rows.count, 3)
    }

    func testSegmentMapsToItsXRangeAndColour() throws {
        let layout = try TimelineLayout.timeline(chart(simpleTrace()), options: RenderOptions())
        let row = try XCTUnwrap(layout.row(forLane: 0))
        let scale = layout.axis.scale
        XCTAssertEqual(row.runs.map(\.state), [.running, .blocked])
        XCTAssertEqual(row.runs[0].x0, scale.x, accuracy: 1e-9)
        XCTAssertEqual(row.runs[0].x1, scale.x + 0.1 * scale.width, accuracy: 1)
        XCTAssertEqual(row.runs[1].x1, scale.x + 0.3 * scale.width, accuracy: 1)
        XCTAssertEqual(layout.state(ofLane: 0, at: .milliseconds(5)), .running)
        XCTAssertEqual(layout.state(ofLane: 0, at: .milliseconds(20)), .blocked)
        XCTAssertNil(layout.state(ofLane: 0, at: .milliseconds(50)))
        XCTAssertEqual(layout.theme.color(of: .running), RGBA(hex: 0x009E73))
    }

    func testSegmentsNarrowerThanAPixelMergeByDominantState() throws {
        // 1 ns running then 3 ns waiting, over and over for 1 ms: every column is 3/4 waiting.
        var segments: [Segment] = []
        var t: Int64 = 0
        while t < 1_000_000 {
            segments.append(Segment(lane: 0, state: .running, start: .nanoseconds(t), end: .nanoseconds(t + 1)))
            segments.append(Segment(lane: 0, state: .waitingGIL, start: .nanoseconds(t + 1), end: .nanoseconds(t + 4)))
            t += 4
        }
        let trace = Trace(lanes: [Lane(id: 0, name: "t", kind: .thread, process: 0)], segments: segments, end: .milliseconds(1))
        let layout = try TimelineLayout.timeline(chart(trace), options: RenderOptions())
        let row = try XCTUnwrap(layout.row(forLane: 0))
        XCTAssertEqual(row.runs.count, 1)
        XCTAssertEqual(row.runs.first?.state, .waitingGIL)
        XCTAssertEqual(row.runs[0].x1 - row.runs[0].x0, layout.axis.scale.width, accuracy: 1e-9)
    }

    func testLanesBeyondTheLimitCollapseIntoADensityBand() throws {
        let lanes = (0..<40).map { Lane(id: $0, name: "Thread-\($0)", kind: .thread, process: 0) }
        // Half the lanes run, half wait for the GIL, the whole time.
        let segments = (0..<40).map { Segment(lane: $0, state: $0 % 2 == 0 ? .running : .waitingGIL, start: .zero, end: .milliseconds(10)) }
        let trace = Trace(lanes: lanes, segments: segments, end: .milliseconds(10))
        var options = RenderOptions()
        options.maxLanes = 24
        let layout = try TimelineLayout.timeline(chart(trace), options: options)
        XCTAssertEqual(layout.rows.count, 24)
        let band = try XCTUnwrap(layout.rows.last)
        XCTAssertEqual(band.label?.text, "+17 more threads")
        guard case .collapsed(let ids) = band.content else { return XCTFail("last row should be a band") }
        XCTAssertEqual(ids, Array(23..<40))
        // Lanes 23..39: 8 run (even ids 24...38), 9 wait: one run of columns with two stacked pieces.
        XCTAssertEqual(band.density.count, 1)
        let pieces = band.density[0].pieces
        XCTAssertEqual(pieces.map(\.state), [.running, .waitingGIL])
        XCTAssertEqual(pieces[0].height / band.bar.height, 8.0 / 17, accuracy: 0.05)
        XCTAssertEqual(pieces.reduce(0) { $0 + $1.height }, band.bar.height, accuracy: 1e-9)
        XCTAssertEqual(band.density[0].x1 - band.density[0].x0, layout.axis.scale.width, accuracy: 1e-9)
    }

    /// Model above measurement: the model's panel gives rows to its cores, the measured one has none and has
    /// lanes the model has not (three more workers); both show the same lanes, at one row height, the second
    /// panel right under the first.
    func testSideBySidePanelsShowTheSameLanes() throws {
        func trace(cores: Int, extra: Int) -> Trace {
            var lanes = (0..<40).map { Lane(id: $0, name: "task #\($0 + 1)", kind: .thread, process: 0) }
            lanes += (0..<extra).map { Lane(id: 40 + $0, name: "worker-\($0)", kind: .thread, process: 0) }
            lanes += (0..<cores).map { Lane(id: 40 + extra + $0, name: "core \($0)", kind: .core, process: 0) }
            let segments = lanes.map { Segment(lane: $0.id, state: .running, start: .zero, end: .milliseconds(10)) }
            return Trace(lanes: lanes, segments: segments, end: .milliseconds(10))
        }
        let layout = try TimelineLayout.sideBySide(model: chart(trace(cores: 2, extra: 0)), real: chart(trace(cores: 0, extra: 3)),
                                                   options: RenderOptions())
        func taskLabels(_ panel: LanePanel) -> [String] {
            panel.groups.filter { $0.process != nil }.flatMap(\.rows).compactMap { $0.label?.text }
        }
        XCTAssertEqual(layout.panels.count, 2)
        XCTAssertGreaterThan(taskLabels(layout.panels[0]).count, 3)
        XCTAssertEqual(taskLabels(layout.panels[0]).dropLast(), taskLabels(layout.panels[1]).dropLast())
        XCTAssertEqual(taskLabels(layout.panels[0]).last, "+33 more threads")
        XCTAssertEqual(taskLabels(layout.panels[1]).last, "+36 more threads")
        XCTAssertTrue(layout.panels[0].groups.contains { $0.process == nil }, "the model keeps its cores")
        let heights = Set(layout.rows.map { ($0.frame.height * 1000).rounded() })
        XCTAssertEqual(heights.count, 1, "one row height")
        let firstBottom = try XCTUnwrap(layout.panels[0].groups.flatMap(\.rows).last?.frame.maxY)
        let secondTop = try XCTUnwrap(layout.panels[1].groups.flatMap(\.rows).first?.frame.y)
        XCTAssertLessThan(secondTop - firstBottom, 80, "the measured panel follows the model's, no hole between")
    }

    func testMaxLanesIsSharedAmongProcesses() {
        XCTAssertEqual(LaneOrdering.allocate(budget: 10, sizes: [2, 30, 30]), [2, 4, 4])
        XCTAssertEqual(LaneOrdering.allocate(budget: 24, sizes: [3, 5]), [3, 5])
        XCTAssertEqual(LaneOrdering.allocate(budget: 2, sizes: [1, 1, 1]), [1, 1, 1])
    }

    func testWindowZoomClips() throws {
        var options = RenderOptions()
        options.window = TimeWindow(start: .milliseconds(5), end: .milliseconds(15))
        let layout = try TimelineLayout.timeline(chart(simpleTrace()), options: options)
        let row = try XCTUnwrap(layout.row(forLane: 0))
        let scale = layout.axis.scale
        XCTAssertEqual(row.runs.map(\.state), [.running, .blocked])
        XCTAssertEqual(row.runs[0].x0, scale.x, accuracy: 1e-9)
        XCTAssertEqual(row.runs[0].x1, scale.x + scale.width / 2, accuracy: 1)
        XCTAssertEqual(row.runs[1].x1, scale.x + scale.width, accuracy: 1e-9)
        XCTAssertEqual(layout.axis.ticks.first?.time, .milliseconds(5))
        XCTAssertEqual(layout.axis.ticks.last?.time, .milliseconds(15))
        XCTAssertEqual(layout.axis.unit, .ms)
        XCTAssertThrowsError(try TimelineLayout.timeline(chart(simpleTrace()), options: RenderOptions(window: TimeWindow(start: .milliseconds(5), end: .milliseconds(5)))))
    }

    func testTicksAreNiceAndLabelled() throws {
        let measure = try TextMeasurer()
        for (duration, unit) in [(Int64(937), TimeUnit.ns), (45_000, .µs), (7_300_000, .ms), (100_000_000, .ms), (63_000_000_000, .s)] {
            let scale = TimeScale(window: TimeWindow(start: .zero, end: .nanoseconds(duration)), x: 100, width: 1600)
            let (ticks, u) = NiceTicks.ticks(for: scale, spacing: 150) { measure.width($0, size: 20) }
            XCTAssertEqual(u, unit, "unit for \(duration) ns")
            XCTAssertGreaterThanOrEqual(ticks.count, 4)
            XCTAssertLessThanOrEqual(ticks.count, 16)
            let step = ticks[1].time.nanoseconds - ticks[0].time.nanoseconds
            XCTAssertTrue(NiceTicks.isNice(step), "step \(step)")
            XCTAssertEqual(Set(ticks.map(\.label)).count, ticks.count, "labels distinct")
            for t in ticks { XCTAssertTrue(t.x >= 100 - 1e-9 && t.x <= 1700 + 1e-9) }
        }
        XCTAssertEqual(NiceTicks.step(atLeast: 3), 5)
        XCTAssertEqual(NiceTicks.step(atLeast: 1_100_000), 2_000_000)
        XCTAssertFalse(NiceTicks.isNice(3_000))
    }

    func testGILMarksOnlyWhereLegible() throws {
        // A hand-off every 10 µs for 100 ms: far too dense over the whole run, legible when zoomed to 200 µs.
        var instants: [InstantEvent] = []
        for i in 0..<10_000 { instants.append(InstantEvent(time: .microseconds(Int64(i) * 10), lane: 0, kind: .gilHandoff)) }
        var trace = simpleTrace()
        trace.instants = instants
        let whole = try TimelineLayout.timeline(chart(trace), options: RenderOptions())
        XCTAssertEqual(whole.row(forLane: 0)?.marks.count, 0)
        XCTAssertEqual(whole.row(forLane: 0)?.hiddenMarks, 10_000)
        XCTAssertTrue(whole.texts.contains { $0.role == .note && $0.text.hasPrefix("10,000") })
        XCTAssertFalse(whole.legend.contains { $0.key == .mark(.gilHandoff) })

        let zoom = try TimelineLayout.timeline(chart(trace), options: RenderOptions(window: TimeWindow(start: .zero, end: .microseconds(200))))
        let marks = try XCTUnwrap(zoom.row(forLane: 0)?.marks)
        XCTAssertEqual(marks.count, 21)
        XCTAssertTrue(marks.allSatisfy { $0.kind == .gilHandoff && $0.edge == .bottom })
        XCTAssertTrue(zoom.legend.contains { $0.key == .mark(.gilHandoff) })
        for (a, b) in zip(marks, marks.dropFirst()) { XCTAssertGreaterThanOrEqual(b.x - a.x, 10) }
    }

    func testLegendHasEveryStateDrawnAndNoOther() throws {
        func legendStates(_ layout: TimelineLayout) -> [LaneState] {
            layout.legend.compactMap { e -> LaneState? in if case .state(let s) = e.key { return s } else { return nil } }
        }
        let layout = try TimelineLayout.timeline(chart(SampleTraces.gilContention()), options: RenderOptions())
        XCTAssertEqual(legendStates(layout), [.running, .waitingGIL, .awaiting, .idle, .starting])
        // A state present only for a sliver far below a pixel is drawn nowhere, so it has no legend entry.
        var trace = simpleTrace()
        let sliver = SimTime.milliseconds(20), after = sliver + .nanoseconds(50)
        trace.segments = [Segment(lane: 0, state: .running, start: .zero, end: .milliseconds(10)),
                          Segment(lane: 0, state: .blocked, start: .milliseconds(10), end: sliver),
                          Segment(lane: 0, state: .waitingGIL, start: sliver, end: after),
                          Segment(lane: 0, state: .blocked, start: after, end: .milliseconds(30))]
        XCTAssertEqual(legendStates(try TimelineLayout.timeline(chart(trace), options: RenderOptions())), [.running, .blocked])
        let comparison = try TimelineLayout.comparison(title: "t", subtitle: "", rows: [ComparisonRow(strategy: "x", makespan: trace.end, trace: trace)],
                                                       options: RenderOptions())
        XCTAssertEqual(legendStates(comparison), [.running, .blocked])
    }

    func testProcessesWithOneLaneNeedNoHeaderLine() throws {
        // Ten one-lane worker processes beside the main process: rows as tall as without headers, labels naming the process.
        let trace = SampleTraces.processes(count: 10, cores: 2)
        var options = RenderOptions()
        options.showCores = false
        let layout = try TimelineLayout.timeline(chart(trace), options: options)
        XCTAssertTrue(layout.panels[0].groups.allSatisfy { $0.header == nil })
        XCTAssertEqual(layout.rows.first?.label?.text, "main process · MainThread")
        XCTAssertEqual(layout.rows.last?.label?.text, "Process-10 · MainThread")
        XCTAssertEqual(layout.rows.count, 11)
        // A lone process needs no name at all.
        XCTAssertEqual(try TimelineLayout.timeline(chart(simpleTrace()), options: options).rows.first?.label?.text, "worker")
    }

    func testHandOffsAreQuietAndGiveWayToTellingMarks() throws {
        // A drop request at 10 ms; at 20 ms a forced switch and, 1 µs later, a hand-off (one pixel apart).
        var trace = simpleTrace()
        trace.instants = [InstantEvent(time: .milliseconds(10), lane: 0, kind: .dropRequest),
                          InstantEvent(time: .milliseconds(20), lane: 0, kind: .forcedSwitch),
                          InstantEvent(time: .milliseconds(20) + .microseconds(1), lane: 0, kind: .gilHandoff),
                          InstantEvent(time: .milliseconds(60), lane: 0, kind: .gilHandoff)]
        let layout = try TimelineLayout.timeline(chart(trace), options: RenderOptions())
        let row = try XCTUnwrap(layout.row(forLane: 0))
        XCTAssertEqual(row.marks.map(\.kind), [.dropRequest, .forcedSwitch, .gilHandoff])
        XCTAssertEqual(row.marks.map(\.time), [.milliseconds(10), .milliseconds(20), .milliseconds(60)])
        XCTAssertEqual(row.hiddenMarks, 1)
        XCTAssertEqual(row.marks.map(\.quiet), [false, false, true])
        XCTAssertLessThan(row.marks[2].size, row.marks[1].size)
    }

    func testZoomedPicturesSayWhatTheyShow() throws {
        var options = RenderOptions()
        options.window = TimeWindow(start: .milliseconds(10), end: .milliseconds(40))
        let c = TimelineChart(scenario: "s", strategy: "threads", makespan: .seconds(Int64(2)), subtitle: "2 cores",
                              trace: simpleTrace(), keyFigures: [])
        let zoomed = try TimelineLayout.timeline(c, options: options)
        XCTAssertEqual(zoomed.texts.first { $0.role == .subtitle }?.text, "2 cores  ·  showing 10–40 ms of 100 ms")
        let whole = try TimelineLayout.timeline(c, options: RenderOptions())
        XCTAssertEqual(whole.texts.first { $0.role == .subtitle }?.text, "2 cores")
        XCTAssertEqual(Format.span(.zero, .milliseconds(30)), "0–30 ms")
        XCTAssertEqual(Format.span(.milliseconds(1200), .milliseconds(1500)), "1.2–1.5 s")
        XCTAssertEqual(Format.span(.microseconds(850), .milliseconds(2)), "0.85–2 ms")
        XCTAssertEqual(Format.span(.nanoseconds(3), .seconds(Int64(2))), "3 ns–2 s")
    }

    func testCPUBusyReadsAsTimeAndAnHonestShare() {
        XCTAssertEqual(Format.percent(0), "0%")
        XCTAssertEqual(Format.percent(0.0002), "<0.1%")
        XCTAssertEqual(Format.percent(0.0047), "0.5%")
        XCTAssertEqual(Format.percent(0.372), "37%")
        XCTAssertEqual(Format.percent(0.9996), ">99.9%")
        XCTAssertEqual(Format.percent(0.997), "99.7%")
        XCTAssertEqual(Format.percent(1), "100%")
        let m = RunMetrics(strategy: "threads", kind: "threads", makespan: .seconds(Int64(2)), taskLatencies: [], operations: 0,
                           coreBusy: [.milliseconds(15), .milliseconds(6)], gilSwitches: 0, dropRequests: 0, forcedSwitches: 0)
        let busy = KeyFigure.standard(from: m).last
        XCTAssertEqual(busy, KeyFigure("CPU busy (2 cores)", "21 ms (0.5%)"))
    }

    func testComparisonBandsFollowSingleLanesAndTheBarAxisNamesItsUnit() throws {
        // 17 lanes (more than a handful) still get a thin row each; the bar axis's unit sits right of its end.
        let lanes = (0..<17).map { Lane(id: $0, name: "t\($0)", kind: .thread, process: 0) }
        let segments = (0..<17).map { Segment(lane: $0, state: .running, start: .zero, end: .milliseconds(Int64(10 + $0))) }
        let trace = Trace(lanes: lanes, segments: segments, end: .milliseconds(26))
        let layout = try TimelineLayout.comparison(title: "t", subtitle: "", rows: [ComparisonRow(strategy: "x", makespan: trace.end, trace: trace)],
                                                   options: RenderOptions())
        XCTAssertEqual(layout.rows.count, 17)
        XCTAssertTrue(layout.rows.allSatisfy { if case .lane = $0.content { return true } else { return false } })
        let barAxis = try XCTUnwrap(layout.barAxis)
        let unit = try XCTUnwrap(barAxis.labels.last)
        XCTAssertEqual(unit.role, .axisTitle)
        XCTAssertEqual(unit.text, "ms")
        XCTAssertGreaterThan(unit.bounds.x, barAxis.scale.x + barAxis.scale.width)
        XCTAssertTrue(layout.texts.contains { $0.text == "makespan" })
    }

    func testNothingOverlapsAndEverythingIsInside() throws {
        let combined = SampleTraces.merged([("threads", SampleTraces.gilContention()), ("asyncio", SampleTraces.asyncioIO(coroutines: 60)),
                                            ("processes", SampleTraces.processes(count: 6))])
        let metrics = RunMetrics(strategy: "threads", kind: "threads", makespan: .milliseconds(100), taskLatencies: [.milliseconds(90)],
                                 operations: 10, coreBusy: [.milliseconds(50)], gilSwitches: 1234, dropRequests: 56, forcedSwitches: 7)
        let rows = [ComparisonRow(strategy: "threads", makespan: .milliseconds(100), trace: SampleTraces.gilContention(),
                                  measured: MeasuredMakespan(median: .milliseconds(120), min: .milliseconds(100), max: .milliseconds(150))),
                    ComparisonRow(strategy: "asyncio", makespan: .milliseconds(80), trace: SampleTraces.asyncioIO(coroutines: 50))]
        var layouts: [TimelineLayout] = []
        for options in [RenderOptions(), RenderOptions(width: 1280, height: 720, theme: .dark), RenderOptions(maxLanes: 8)] {
            let c = TimelineChart(scenario: "mixed", metrics: metrics, trace: combined, subtitle: "everything at once")
            layouts.append(try TimelineLayout.timeline(c, options: options))
            layouts.append(try TimelineLayout.sideBySide(model: c, real: c, options: options))
            layouts.append(try TimelineLayout.comparison(title: "mixed", subtitle: "", rows: rows, options: options))
        }
        for layout in layouts {
            let canvas = Rect(x: 0, y: 0, width: layout.width, height: layout.height)
            let texts = layout.allTexts
            XCTAssertGreaterThan(texts.count, 10)
            for (i, a) in texts.enumerated() {
                XCTAssertTrue(canvas.contains(a.bounds), "\(a.text) outside the picture")
                for b in texts[(i + 1)...] {
                    XCTAssertFalse(a.bounds.overlaps(b.bounds), "\"\(a.text)\" overlaps \"\(b.text)\"")
                }
            }
            // Lane labels stay left of the plot; bars stay inside it; rows do not overlap.
            for row in layout.rows {
                if let l = row.label { XCTAssertLessThanOrEqual(l.bounds.maxX, layout.axis.scale.x) }
                for r in row.runs { XCTAssertTrue(r.x0 >= layout.axis.scale.x - 1e-9 && r.x1 <= layout.axis.scale.x + layout.axis.scale.width + 1e-9) }
            }
            for (a, b) in zip(layout.rows, layout.rows.dropFirst()) { XCTAssertFalse(a.bar.overlaps(b.bar)) }
            // Nothing runs into the axis or the legend.
            for row in layout.rows { XCTAssertLessThanOrEqual(row.frame.maxY, layout.axis.y) }
            for e in layout.legend { XCTAssertGreaterThan(e.swatch.y, layout.axis.y) }
            // Labels are big enough to read from the back of a room (at 1920x1080).
            if layout.width == 1920 {
                XCTAssertTrue(texts.allSatisfy { $0.fontSize >= 20 }, "every label at least 20 px")
                XCTAssertTrue(texts.contains { $0.role == .title && $0.fontSize >= 40 })
            }
        }
    }

    func testEmptyAndMalformedTracesStillRender() throws {
        let empty = try TimelineLayout.timeline(chart(Trace()), options: RenderOptions())
        XCTAssertTrue(empty.rows.isEmpty)
        XCTAssertTrue(empty.legend.isEmpty)
        XCTAssertFalse(empty.axis.ticks.isEmpty)
        // A segment and an instant on a lane that does not exist are ignored, not a crash.
        var bad = simpleTrace()
        bad.segments.append(Segment(lane: 7, state: .idle, start: .zero, end: .milliseconds(1)))
        bad.instants.append(InstantEvent(time: .zero, lane: 7, kind: .gilHandoff))
        let layout = try TimelineLayout.timeline(chart(bad), options: RenderOptions())
        XCTAssertEqual(layout.rows.count, 1)
        _ = try TimelineLayout.comparison(title: "t", subtitle: "", rows: [ComparisonRow(strategy: "x", makespan: .zero, trace: bad)],
                                          options: RenderOptions())
        _ = PerfettoExport.json(trace: bad, scenario: "s", strategy: "x")
    }
}

/// Huge traces: more processes or lanes than rows degrade into first and sampled lanes plus density bands.
final class HugeTraceLayoutTests: XCTestCase {
    func chart(_ trace: Trace) -> TimelineChart {
        TimelineChart(scenario: "huge", strategy: "processes", makespan: trace.end, trace: trace)
    }

    func testProcessesBeyondTheRowsFoldIntoOneBand() throws {
        // 1,000 worker processes, one lane each, every one running for the whole run.
        var trace = Trace(processNames: ["main"] + (1...1000).map { "Process-\($0)" })
        for p in 0...1000 {
            trace.lanes.append(Lane(id: p, name: "MainThread", kind: .thread, process: p))
            trace.segments.append(Segment(lane: p, state: .running, start: .zero, end: .milliseconds(10)))
        }
        trace.end = .milliseconds(10)
        let layout = try TimelineLayout.timeline(chart(trace), options: RenderOptions(maxLanes: 24))
        XCTAssertEqual(layout.rows.count, 24)
        let band = try XCTUnwrap(layout.rows.last)
        XCTAssertEqual(band.label?.text, "+978 more processes")
        // The first 12 processes and 11 at 12 + k x 989 / 12 have rows; the band holds the rest.
        let kept = Array(0..<12) + (1...11).map { 12 + $0 * 989 / 12 }
        XCTAssertEqual(layout.rows.dropLast().map(\.content), kept.map { .lane($0) })
        XCTAssertEqual(band.content, .collapsed((0...1000).filter { !kept.contains($0) }))
        XCTAssertEqual(band.density.first?.pieces.map(\.state), [.running])
        XCTAssertTrue(layout.texts.contains { $0.role == .note && $0.text.hasPrefix("showing 23 of 1,001 processes: the first 12 and 11 spread evenly") },
                      "\(layout.texts.map(\.text))")
        for row in layout.rows { XCTAssertLessThanOrEqual(row.frame.maxY, layout.axis.y) }
        // With cores, each core keeps a row of its own (under their header line, which takes a row's room).
        trace.lanes += (0..<4).map { Lane(id: 1001 + $0, name: "core \($0)", kind: .core, process: 0) }
        let withCores = try TimelineLayout.timeline(chart(trace), options: RenderOptions(maxLanes: 24))
        XCTAssertEqual(withCores.rows.suffix(4).map(\.content), (1001...1004).map { .lane($0) })
        XCTAssertEqual(withCores.rows.count, 23)
        XCTAssertEqual(withCores.rows.dropLast(4).last?.label?.text, "+983 more processes")
    }

    func testManyLanesShowTheFirstAndAnEvenSampleOfTheRest() throws {
        let n = 10_000
        var trace = Trace()
        for i in 0..<n {
            trace.lanes.append(Lane(id: i, name: "cpu #\(i + 1)", kind: .thread, process: 0))
            trace.segments.append(Segment(lane: i, state: .waitingGIL, start: .microseconds(Int64(i) * 10), end: .microseconds(Int64(i) * 10 + 50)))
        }
        trace.end = .milliseconds(100)
        let layout = try TimelineLayout.timeline(chart(trace), options: RenderOptions(maxLanes: 21))
        let shown = layout.rows.compactMap { if case .lane(let id) = $0.content { return id } else { return nil } }
        // 20 lane rows: the first 10, then 10 at 10 + k x 9,990 / 11.
        XCTAssertEqual(shown, Array(0..<10) + (1...10).map { 10 + $0 * 9_990 / 11 })
        guard case .collapsed(let rest) = layout.rows.last?.content else { return XCTFail("the last row is the band") }
        XCTAssertEqual(rest.count, n - 20)
        XCTAssertTrue(Set(rest).isDisjoint(with: shown))
        // Lane i waits over [10 i, 10 i + 50) µs: five at once, so the band is as tall as five lanes and says so.
        XCTAssertEqual(layout.rows.last?.label?.text, "+9,980 more threads · ≤5 at once")
        let peak = layout.rows.last!.density.map { $0.pieces.reduce(0) { $0 + $1.height } }.max() ?? 0
        XCTAssertEqual(peak, layout.rows.last!.bar.height, accuracy: 1e-9)
        XCTAssertTrue(layout.texts.contains { $0.text == "showing 20 of 10,000 threads: the first 10 and 10 spread evenly through the rest; the rest in the density bands" },
                      "\(layout.texts.map(\.text))")
        // A few more lanes than rows keep the first ones only, as before.
        XCTAssertEqual(LaneOrdering.sample(Array(0..<40), rows: 24).shown, Array(0..<23))
        XCTAssertEqual(LaneOrdering.sample(Array(0..<5), rows: 24).shown, Array(0..<5))
    }
}
