import Foundation
import SimEngine
import SimRendering
import SimTrace
import XCTest

/// Writes sample pictures for a person to look at when RENDER_SAMPLES_DIR is set (skipped otherwise).
final class SamplePicturesTests: XCTestCase {
    func testWriteSamples() throws {
        guard let dir = ProcessInfo.processInfo.environment["RENDER_SAMPLES_DIR"] else {
            throw XCTSkip("set RENDER_SAMPLES_DIR to write sample pictures")
        }
        let combined = SampleTraces.merged([
            ("threads", SampleTraces.gilContention()),
            ("asyncio", SampleTraces.asyncioIO()),
            ("processes", SampleTraces.processes()),
        ])
        let metrics = RunMetrics(strategy: "threads", kind: "threads", makespan: .milliseconds(100),
                                 taskLatencies: [.milliseconds(95), .milliseconds(100)], operations: 2000,
                                 coreBusy: [.milliseconds(100), .milliseconds(60)], gilSwitches: 19, dropRequests: 19, forcedSwitches: 19)
        for theme in ThemeName.allCases {
            let chart = TimelineChart(scenario: "cpu-and-io", metrics: metrics, trace: combined,
                                      subtitle: "synthetic sample: threads on the GIL, asyncio on I/O, processes on 2 cores")
            try TimelineRenderer.renderTimeline(chart: chart, options: RenderOptions(theme: theme), to: "\(dir)/combined-\(theme).png")
            let gil = TimelineChart(scenario: "cpu-bound", metrics: metrics, trace: SampleTraces.gilContention(),
                                    subtitle: "2 threads alternating on the GIL (switch interval 5 ms)")
            try TimelineRenderer.renderTimeline(chart: gil, options: RenderOptions(theme: theme), to: "\(dir)/gil-\(theme).png")
            var zoom = RenderOptions(theme: theme)
            zoom.window = TimeWindow(start: .milliseconds(8), end: .milliseconds(22))
            try TimelineRenderer.renderTimeline(chart: gil, options: zoom, to: "\(dir)/gil-zoom-\(theme).png")
            let many = TimelineChart(scenario: "many-io", strategy: "asyncio", makespan: .milliseconds(100),
                                     subtitle: "200 coroutines", trace: SampleTraces.asyncioIO(coroutines: 200), keyFigures: [])
            try TimelineRenderer.renderTimeline(chart: many, options: RenderOptions(theme: theme), to: "\(dir)/many-\(theme).png")
            let rows = [
                ComparisonRow(strategy: "sync", makespan: .milliseconds(180), trace: SampleTraces.processes(count: 1, cores: 1, duration: .milliseconds(180))),
                ComparisonRow(strategy: "threads", makespan: .milliseconds(100), trace: SampleTraces.gilContention(),
                              measured: MeasuredMakespan(median: .milliseconds(110), min: .milliseconds(104), max: .milliseconds(121))),
                ComparisonRow(strategy: "processes", makespan: .milliseconds(100), trace: SampleTraces.processes()),
                ComparisonRow(strategy: "asyncio", makespan: .milliseconds(100), trace: SampleTraces.asyncioIO(coroutines: 40)),
                ComparisonRow(strategy: "gevent", makespan: .milliseconds(60), trace: nil),
            ]
            try TimelineRenderer.renderComparison(title: "cpu-and-io — strategies compared", subtitle: "model predictions; measured where run",
                                                  rows: rows, options: RenderOptions(theme: theme), to: "\(dir)/comparison-\(theme).png")
            let real = TimelineChart(scenario: "cpu-bound", strategy: "threads", makespan: .milliseconds(110), trace: SampleTraces.gilContention(duration: .milliseconds(110)))
            try TimelineRenderer.renderSideBySide(model: gil, real: real, options: RenderOptions(theme: theme), to: "\(dir)/threads.compare-\(theme).png")
        }
        let explained = ExplanationTests.explainedChart()
        for theme in ThemeName.allCases {
            try TimelineRenderer.renderTimeline(chart: explained, options: RenderOptions(theme: theme, explain: true), to: "\(dir)/explain-\(theme).png")
        }
        try TimelineRenderer.renderTimeline(chart: explained, options: RenderOptions(width: 1280, height: 720, explain: true), to: "\(dir)/explain-720p.png")
        let large = SampleTraces.large(segments: 100_000, lanes: 40)
        try TimelineRenderer.renderTimeline(chart: TimelineChart(scenario: "bench", strategy: "threads", makespan: large.end, trace: large),
                                            options: RenderOptions(scale: 2), to: "\(dir)/large@2x.png")
        try TimelineRenderer.renderTimeline(chart: TimelineChart(scenario: "cpu-and-io", metrics: metrics, trace: combined),
                                            options: RenderOptions(), to: "\(dir)/combined.svg")
        try TimelineRenderer.renderTimeline(chart: TimelineChart(scenario: "cpu-and-io", metrics: metrics, trace: combined),
                                            options: RenderOptions(), to: "\(dir)/combined.pdf")
        try PerfettoExport.write(trace: combined, scenario: "cpu-and-io", strategy: "threads", to: "\(dir)/combined.perfetto.json")
    }
}
