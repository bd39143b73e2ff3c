import CCairo
import Foundation
import SimEngine
@testable import SimRendering
import XCTest

final class AdviceChartTests: XCTestCase {
    /// A CPU-bound run as the advice describes it: processes chosen, threads lose to the GIL, gevent as good as
    /// sync is not (given out of order, so that sorting is tested).
    func chart(warnings: [String] = []) -> AdviceChart {
        AdviceChart(
            title: "cpu_heavy: which strategy and why",
            subtitle: "Choose processes (1.10 s, 2.0x faster than sync): the 2 cores are busy 100% of the time (each process has its own GIL).",
            bars: [
                .init(strategy: "threads", makespan: .milliseconds(2300), standing: .slower, mechanism: "waits for the GIL", share: 0.64),
                .init(strategy: "processes", makespan: .milliseconds(1100), standing: .choice, mechanism: "cores busy", share: 1),
                .init(strategy: "sync", makespan: .milliseconds(2200), standing: .notCandidate),
                .init(strategy: "processes-spawn", makespan: .milliseconds(1140), standing: .asGood),
                .init(strategy: "asyncio", makespan: .milliseconds(2310), standing: .slower),
            ],
            warnings: warnings)
    }

    let convoy = "convoy in threads: after each I/O call (1 ms on average) a thread waits 4.8 ms for the GIL held by CPU work (switch interval 5 ms); a shorter switch interval, the CPU work in processes or the I/O in asyncio avoid it"

    func assertNoOverlaps(_ layout: AdviceLayout, file: StaticString = #filePath, line: UInt = #line) {
        let picture = Rect(x: 0, y: 0, width: layout.width, height: layout.height)
        for (i, a) in layout.texts.enumerated() {
            XCTAssertTrue(picture.contains(a.bounds), "\(a.text) leaves the picture", file: file, line: line)
            for b in layout.texts[(i + 1)...] {
                XCTAssertFalse(a.bounds.overlaps(b.bounds), "\(a.text) overlaps \(b.text)", file: file, line: line)
            }
            for bar in layout.bars { XCTAssertFalse(a.bounds.overlaps(bar.rect), "\(a.text) over \(bar.strategy)'s bar", file: file, line: line) }
            if let box = layout.warningBox, !box.contains(a.bounds) {
                XCTAssertFalse(a.bounds.overlaps(box), "\(a.text) crosses the warning box", file: file, line: line)
            }
        }
        for bar in layout.bars {
            XCTAssertTrue(picture.contains(bar.rect), file: file, line: line)
            if let box = layout.warningBox { XCTAssertFalse(bar.band.overlaps(box), "\(bar.strategy)'s row over the warnings", file: file, line: line) }
        }
    }

    func testBarsAreFastestFirstWithTheChoiceMarkedAndLengthsProportional() throws {
        let layout = try AdviceChartRenderer.layout(chart(), options: RenderOptions(), format: .png)
        XCTAssertEqual(layout.bars.map(\.strategy), ["processes", "processes-spawn", "sync", "threads", "asyncio"])
        XCTAssertEqual(layout.bars.filter { $0.standing == .choice }.map(\.strategy), ["processes"])
        XCTAssertEqual(layout.bars.filter { $0.standing == .asGood }.map(\.strategy), ["processes-spawn"])
        for (a, b) in zip(layout.bars, layout.bars.dropFirst()) {
            XCTAssertLessThan(a.rect.y, b.rect.y, "top to bottom")
            XCTAssertLessThanOrEqual(a.rect.width, b.rect.width, "faster is shorter")
        }
        // 1.1 s against 2.31 s, within a pixel of snapping.
        XCTAssertEqual(layout.bars[0].rect.width / layout.bars[4].rect.width, 1.1 / 2.31, accuracy: 1 / layout.bars[4].rect.width)
        let texts = layout.texts.map(\.text)
        XCTAssertTrue(texts.contains("the choice"))
        XCTAssertTrue(texts.contains("as good (within 5%)"))
        XCTAssertTrue(texts.contains("waits for the GIL 64%"))
        XCTAssertTrue(texts.contains("cores busy 100%"))
        XCTAssertTrue(texts.contains("2.1x slower"), "a slower bar without a mechanism says by how much: \(texts)")
        XCTAssertEqual(layout.texts.first?.text, "cpu_heavy: which strategy and why")
        XCTAssertNil(layout.warningBox)
        assertNoOverlaps(layout)
    }

    func testWarningsGoInABoxBelowTheBarsWithoutOverlaps() throws {
        for (size, theme) in [((1920, 1080), ThemeName.light), ((1280, 720), .dark), ((3840, 2160), .light)] {
            let options = RenderOptions(width: size.0, height: size.1, theme: theme)
            let layout = try AdviceChartRenderer.layout(chart(warnings: [convoy]), options: options, format: .png)
            let box = try XCTUnwrap(layout.warningBox)
            let inBox = layout.texts.filter { box.contains($0.bounds) }
            XCTAssertEqual(inBox.first?.text, "Warning")
            XCTAssertGreaterThan(inBox.count, 1, "the warning's lines are in the box")
            XCTAssertEqual(inBox.dropFirst().map(\.text).joined(separator: " "), "C" + convoy.dropFirst(), "wrapped, not cut")
            for bar in layout.bars { XCTAssertLessThan(bar.band.maxY, box.y) }
            assertNoOverlaps(layout)
        }
    }

    func testLongSubtitleWrapsAndLongPhrasesAreShortenedToFit() throws {
        var c = chart(warnings: [convoy, convoy])
        c.subtitle = String(repeating: "Choose processes because the cores are busy. ", count: 6)
        c.bars[0].mechanism = String(repeating: "waits for the GIL ", count: 12)
        let layout = try AdviceChartRenderer.layout(c, options: RenderOptions(), format: .png)
        XCTAssertGreaterThan(layout.texts.filter { $0.role == .subtitle }.count, 1)
        assertNoOverlaps(layout)
    }

    func testPNGHasTheSizeAndTheChoiceColourOnItsBarAndTheSameBytesEachTime() throws {
        let folder = NSTemporaryDirectory() + "advice-chart-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (scale, theme) in [(1.0, ThemeName.light), (2.0, .dark)] {
            let options = RenderOptions(scale: scale, theme: theme)
            let a = folder + "/a-\(theme).png", b = folder + "/b-\(theme).png"
            try AdviceChartRenderer.render(chart(warnings: [convoy]), options: options, to: a)
            try AdviceChartRenderer.render(chart(warnings: [convoy]), options: options, to: b)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: a)), try Data(contentsOf: URL(fileURLWithPath: b)))
            let png = try CairoSurface(pngFile: a)
            XCTAssertEqual(png.width, Int(1920 * scale))
            XCTAssertEqual(png.height, Int(1080 * scale))
            let layout = try AdviceChartRenderer.layout(chart(warnings: [convoy]), options: options, format: .png)
            let bar = layout.bars[0].rect
            let p = png.pixel(x: Int((bar.x + bar.width / 2) * scale), y: Int((bar.y + bar.height / 2) * scale))
            let want = AdviceChartRenderer.choiceColor.bytes
            XCTAssertEqual([p.r, p.g, p.b], [want.r, want.g, want.b])
        }
        for ext in ["svg", "pdf"] {
            try AdviceChartRenderer.render(chart(), to: folder + "/a.\(ext)")
            try AdviceChartRenderer.render(chart(), to: folder + "/b.\(ext)")
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: folder + "/a.\(ext)")),
                           try Data(contentsOf: URL(fileURLWithPath: folder + "/b.\(ext)")))
        }
    }
}
