import CCairo
import Foundation
import SimEngine
@testable import SimRendering
import SimTrace
import XCTest

final class PictureFileTests: XCTestCase {
    var folder: String = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "render-tests-\(getpid())-\(name.filter { $0.isLetter })"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    func chart() -> TimelineChart {
        TimelineChart(scenario: "cpu-bound", strategy: "threads", makespan: .milliseconds(100), trace: SampleTraces.gilContention(),
                      keyFigures: [KeyFigure("GIL switches", "19")])
    }

    /// The pixel at layout point (x, y) of a PNG read back with cairo.
    func sample(_ png: CairoSurface, _ x: Double, _ y: Double, scale: Double) -> (UInt8, UInt8, UInt8) {
        let p = png.pixel(x: Int(x * scale), y: Int(y * scale))
        return (p.r, p.g, p.b)
    }

    func assertColor(_ got: (UInt8, UInt8, UInt8), _ want: RGBA, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let w = want.bytes
        XCTAssertEqual([got.0, got.1, got.2], [w.r, w.g, w.b], what, file: file, line: line)
    }

    func testPNGHasTheSizeAndTheStateColoursWhereTheLayoutPutThem() throws {
        for (scale, theme) in [(1.0, ThemeName.light), (2.0, .dark)] {
            let options = RenderOptions(scale: scale, theme: theme)
            let path = folder + "/gil-\(theme).png"
            try TimelineRenderer.renderTimeline(chart: chart(), options: options, to: path)
            let png = try CairoSurface(pngFile: path)
            XCTAssertEqual(png.width, Int(1920 * scale))
            XCTAssertEqual(png.height, Int(1080 * scale))

            let layout = try TimelineLayout.timeline(chart(), options: options)
            let t = Theme.named(theme)
            assertColor(sample(png, 4, 4, scale: scale), t.background, "background")
            // Thread-1 (lane 1) holds the GIL from 2.3 to 7.3 ms and waits from 7.3 to 12.3 ms; Thread-2 the reverse.
            for (lane, time, state) in [(1, SimTime.milliseconds(5), LaneState.running), (1, .milliseconds(10), .waitingGIL),
                                        (2, .milliseconds(5), .waitingGIL), (0, .milliseconds(50), .awaiting)] {
                let row = try XCTUnwrap(layout.row(forLane: lane))
                XCTAssertEqual(layout.state(ofLane: lane, at: time), state)
                let x = layout.axis.scale.x(of: time), y = row.bar.y + row.bar.height / 2
                assertColor(sample(png, x, y, scale: scale), t.color(of: state), "lane \(lane) at \(time)")
            }
        }
    }

    func testSameTraceGivesIdenticalBytes() throws {
        for ext in ["png", "svg", "pdf"] {
            let a = folder + "/a.\(ext)", b = folder + "/b.\(ext)"
            try TimelineRenderer.renderTimeline(chart: chart(), to: a)
            try TimelineRenderer.renderTimeline(chart: chart(), to: b)
            let da = try Data(contentsOf: URL(fileURLWithPath: a)), db = try Data(contentsOf: URL(fileURLWithPath: b))
            XCTAssertGreaterThan(da.count, 1000)
            XCTAssertEqual(da, db, "\(ext) differs between two renders")
        }
        let png = try Data(contentsOf: URL(fileURLWithPath: folder + "/a.png"))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        XCTAssertNil(png.range(of: Data("tIME".utf8)), "no timestamp chunk")
        let pdf = try Data(contentsOf: URL(fileURLWithPath: folder + "/a.pdf"))
        XCTAssertEqual(Array(pdf.prefix(5)), Array("%PDF-".utf8))
    }

    func testComparisonAndSideBySideWriteFiles() throws {
        let rows = [ComparisonRow(strategy: "threads", makespan: .milliseconds(100), trace: SampleTraces.gilContention(),
                                  measured: MeasuredMakespan(median: .milliseconds(110), min: .milliseconds(105), max: .milliseconds(118))),
                    ComparisonRow(strategy: "gevent", makespan: .milliseconds(60))]
        try TimelineRenderer.renderComparison(title: "t", rows: rows, to: folder + "/comparison.png")
        let png = try CairoSurface(pngFile: folder + "/comparison.png")
        XCTAssertEqual(png.width, 1920)
        let layout = try TimelineLayout.comparison(title: "t", subtitle: "", rows: rows, options: RenderOptions())
        let bar = layout.bars[0].predicted
        assertColor(sample(png, bar.x + bar.width / 2, bar.y + bar.height / 2, scale: 1), Theme.light.predictedBar, "predicted bar")
        XCTAssertEqual(layout.bars[1].predicted.width / bar.width, 0.6, accuracy: 0.01)
        XCTAssertNotNil(layout.bars[0].measured)
        XCTAssertNil(layout.bars[1].measured)
        try TimelineRenderer.renderSideBySide(model: chart(), real: chart(), to: folder + "/threads.compare.png")
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/threads.compare.png"))
        XCTAssertThrowsError(try TimelineRenderer.renderComparison(title: "t", rows: [], to: folder + "/empty.png"))
    }

    func testUnwritablePathThrowsAndLeavesNoFile() throws {
        // A regular file where a folder should be: no one (not even root) can create a file under it.
        let blocker = folder + "/not-a-folder"
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        let path = blocker + "/timeline.png"
        XCTAssertThrowsError(try TimelineRenderer.renderTimeline(chart: chart(), to: path)) { error in
            XCTAssertTrue("\(error)".contains(path), "the error names the path: \(error)")
        }
        XCTAssertThrowsError(try PerfettoExport.write(trace: SampleTraces.gilContention(), scenario: "s", strategy: "t", to: blocker + "/t.json"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["not-a-folder"], "no file or temporary left behind")

        XCTAssertThrowsError(try TimelineRenderer.renderTimeline(chart: chart(), to: folder + "/timeline.gif")) { error in
            XCTAssertEqual(error as? RenderingError, .unknownFormat(path: folder + "/timeline.gif"))
        }
        var explicit = RenderOptions()
        explicit.format = .svg
        try TimelineRenderer.renderTimeline(chart: chart(), options: explicit, to: folder + "/timeline.picture")
        let svg = try String(contentsOfFile: folder + "/timeline.picture", encoding: .utf8)
        XCTAssertTrue(svg.contains("<svg"))
    }

    func testReadingAMissingPNGIsACairoError() {
        XCTAssertThrowsError(try CairoSurface(pngFile: folder + "/missing.png")) { error in
            guard case RenderingError.cairo = error else { return XCTFail("\(error)") }
        }
    }
}
