import Foundation
import SimEngine
import SimRendering
import SimTrace

/// Times rendering and encoding a 1920x1080 PNG timeline of 100,000 and 1,000,000 segments (targets:
/// 150 ms and 1 s in release builds), and the Perfetto export of the larger trace. Prints one line each.
func runRenderingBenchmark() {
    let folder = NSTemporaryDirectory() + "simulate-rendering-bench-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: folder) }
    for (segments, target) in [(100_000, 0.150), (1_000_000, 1.0)] {
        let trace = SampleTraces.large(segments: segments, lanes: 32)
        let chart = TimelineChart(scenario: "bench", strategy: "threads", makespan: trace.end, trace: trace,
                                  keyFigures: [KeyFigure("segments", "\(trace.segments.count)")])
        let path = "\(folder)/bench-\(segments).png"
        var times: [Double] = []
        for _ in 0..<3 {
            let start = DispatchTime.now().uptimeNanoseconds
            do {
                try TimelineRenderer.renderTimeline(chart: chart, options: RenderOptions(), to: path)
            } catch {
                print("rendering benchmark failed: \(error)")
                return
            }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let best = times.min()!, median = times.sorted()[1]
        print(String(format: "render 1920x1080 PNG, %7d segments, %d lanes: median %6.1f ms, best %6.1f ms (target %4.0f ms) %@",
                     trace.segments.count, trace.lanes.count, median * 1e3, best * 1e3, target * 1e3, median <= target ? "ok" : "SLOW"))
        if segments == 1_000_000 {
            let start = DispatchTime.now().uptimeNanoseconds
            do {
                try PerfettoExport.write(trace: trace, scenario: "bench", strategy: "threads", to: "\(folder)/bench.json")
            } catch {
                print("Perfetto export benchmark failed: \(error)")
                return
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            print(String(format: "Perfetto export, %7d segments: %6.1f ms", trace.segments.count, seconds * 1e3))
        }
    }
}
