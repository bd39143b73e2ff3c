import CCairo
import Foundation
import SimEngine
import SimRendering
import SimScenario
import SimTrace

/// The fidelity pictures, drawn with Cairo in the timelines' light theme (background, grid, text colours and
/// font): predicted against measured makespan for every point of the matrix, and the convoy curve.
public enum FidelityChart {
    /// Colour of each strategy kind: the descriptors' palette (`StrategyDescriptor.colour`), grey-orange for
    /// a kind this build does not know.
    public static func color(ofKind kind: String) -> RGBA {
        RGBA(hex: StrategyKindName(name: kind)?.descriptor.colour ?? 0xE69F00)
    }

    /// The kinds, in the descriptors' order.
    public static var kinds: [String] { StrategyKindName.names }

    /// A half's points are drawn filled (fit) or as rings (held-out).
    static func isFilled(_ half: MatrixHalf) -> Bool { half == .fit }

    /// The picture's legend of halves: the halves the report summarises, so only those with points (a matrix all
    /// held out, as validation/unseen-all, draws rings only).
    public static func halfLegend(_ report: FidelityReport) -> [(filled: Bool, label: String)] {
        report.summaries.compactMap(\.half).map { half in
            (isFilled(half), half.rawValue + (isFilled(half) ? " (filled)" : " (ring)"))
        }
    }

    /// Every measured point: predicted makespan against measured median on log-log axes, the measured min-max
    /// as a horizontal whisker, the ±10% band around the diagonal shaded; one colour per strategy kind,
    /// filled dots for the fit half and rings for the held-out half. PNG bytes.
    /// - Throws: `MatrixError.badFile` if cairo fails.
    public static func png(_ report: FidelityReport, title: String, width: Int = 1000, height: Int = 820) throws -> Data {
        let values = report.points.flatMap { [$0.predicted, $0.measured.min, $0.measured.max] }.map { max(1e-4, $0.seconds) }
        let (lo, hi) = LogLogCanvas.decades(values)
        let canvas = LogLogCanvas(width: width, height: height, x: lo...hi, y: lo...hi)
        let figures = report.summaries.filter { $0.half != nil }.map {
            String(format: "%@: median %.1f%%, p90 %.1f%%, worst %.1f%%", $0.label, $0.medianAbsErrorPercent, $0.p90AbsErrorPercent,
                   abs($0.worst?.errorPercent ?? 0))
        }.joined(separator: "   ")
        canvas.frame(title: title, subtitle: "|model − measured| / measured median, " + figures,
                     xLabel: "measured makespan (median; whisker: min-max of the repetitions)", yLabel: "predicted makespan (model)")
        let cr = canvas.cr
        canvas.clipped {
            canvas.set(RGBA(hex: 0x009E73, alpha: 0.12))
            cairo_move_to(cr, canvas.px(lo), canvas.py(lo * 1.1))
            cairo_line_to(cr, canvas.px(hi), canvas.py(hi * 1.1))
            cairo_line_to(cr, canvas.px(hi), canvas.py(hi * 0.9))
            cairo_line_to(cr, canvas.px(lo), canvas.py(lo * 0.9))
            cairo_close_path(cr)
            cairo_fill(cr)
            canvas.set(canvas.theme.axisLine)
            cairo_set_line_width(cr, 1)
            cairo_move_to(cr, canvas.px(lo), canvas.py(lo))
            cairo_line_to(cr, canvas.px(hi), canvas.py(hi))
            cairo_stroke(cr)
            for p in report.points {
                let y = max(1e-4, p.predicted.seconds)
                canvas.whisker(from: p.measured.min.seconds, to: p.measured.max.seconds, y: y, color: color(ofKind: p.kind))
                canvas.dot(x: p.measured.median.seconds, y: y, color: color(ofKind: p.kind), filled: isFilled(p.half))
            }
        }
        var legend = canvas.legend(title: "strategy", rows: kinds.filter { kind in report.points.contains { $0.kind == kind } }.map { kind in
            (color(ofKind: kind), true, "\(kind) (\(report.points.filter { $0.kind == kind }.count))")
        }, top: canvas.plot.y + 10)
        legend = canvas.legend(title: "half", rows: halfLegend(report).map { (canvas.theme.axisLine, $0.filled, $0.label) }, top: legend + 30)
        canvas.set(RGBA(hex: 0x009E73, alpha: 0.25))
        cairo_rectangle(cr, canvas.legendX, legend + 22, 12, 12)
        cairo_fill(cr)
        canvas.set(canvas.theme.text)
        canvas.text("within ±10%", canvas.legendX + 20, legend + 33)
        return try canvas.encoded()
    }

    /// The convoy curve: time per round trip of the I/O thread by switch interval, model (dashed) and
    /// measured (solid, whisker min-max), one line per number of CPU-bound threads beside it. PNG bytes.
    public static func convoyPNG(_ report: FidelityReport, width: Int = 1000, height: Int = 700) throws -> Data {
        let curve = ConvoyCurve(report)
        let points = curve.lines.flatMap(\.points)
        func perTrip(_ t: SimTime, _ p: FidelityPoint) -> Double { t.seconds / Double(p.operations) }
        let ys = points.flatMap { [perTrip($0.point.predicted, $0.point), perTrip($0.point.measured.min, $0.point), perTrip($0.point.measured.max, $0.point)] }
        let (ylo, yhi) = LogLogCanvas.decades(ys)
        let (xlo, xhi) = LogLogCanvas.decades(points.map(\.interval.seconds))
        let canvas = LogLogCanvas(width: width, height: height, x: xlo...xhi, y: ylo...yhi)
        canvas.frame(title: "The convoy: an I/O thread's round trip (200 µs) beside CPU-bound threads",
                     subtitle: "time per round trip by switch interval; solid, filled: measured median (whisker min-max); dashed, rings: model",
                     xLabel: "switch interval (sys.setswitchinterval)", yLabel: "time per round trip")
        let cr = canvas.cr
        let threadCounts = curve.lines.map(\.cpuThreads)
        let palette = [RGBA(hex: 0x595959), RGBA(hex: 0xD55E00), RGBA(hex: 0x0072B2), RGBA(hex: 0x009E73), RGBA(hex: 0xCC79A7)]
        canvas.clipped {
            for (i, line) in curve.lines.enumerated() {
                let c = palette[i % palette.count]
                for (model, dash) in [(true, [6.0, 4.0]), (false, [])] {
                    canvas.set(c)
                    cairo_set_line_width(cr, 2)
                    cairo_set_dash(cr, dash, Int32(dash.count), 0)
                    for (k, point) in line.points.enumerated() {
                        let (p, x) = (point.point, point.interval.seconds)
                        let y = perTrip(model ? p.predicted : p.measured.median, p)
                        if k == 0 { cairo_move_to(cr, canvas.px(x), canvas.py(y)) } else { cairo_line_to(cr, canvas.px(x), canvas.py(y)) }
                    }
                    cairo_stroke(cr)
                }
                cairo_set_dash(cr, [], 0, 0)
                for point in line.points {
                    let (p, x) = (point.point, point.interval.seconds)
                    canvas.set(c)
                    cairo_set_line_width(cr, 1.5)
                    cairo_move_to(cr, canvas.px(x), canvas.py(perTrip(p.measured.min, p)))
                    cairo_line_to(cr, canvas.px(x), canvas.py(perTrip(p.measured.max, p)))
                    cairo_stroke(cr)
                    canvas.dot(x: x, y: perTrip(p.measured.median, p), color: c, filled: true)
                    canvas.dot(x: x, y: perTrip(p.predicted, p), color: c, filled: false)
                }
            }
        }
        _ = canvas.legend(title: "CPU threads beside", rows: threadCounts.enumerated().map { i, n in
            (palette[i % palette.count], true, "\(n)")
        }, top: canvas.plot.y + 10)
        return try canvas.encoded()
    }
}

/// A log-log plot area on a cairo image: axes over whole decades, grid at 1, 2, 5, titles, legend, dots.
final class LogLogCanvas {
    let theme = Theme.light
    let surface: OpaquePointer
    let cr: OpaquePointer
    let plot: (x: Double, y: Double, w: Double, h: Double)
    let xRange: ClosedRange<Double>, yRange: ClosedRange<Double>
    let width: Int, height: Int
    var legendX: Double { plot.x + plot.w + 30 }

    /// Whole decades covering the values (seconds).
    static func decades(_ values: [Double]) -> (Double, Double) {
        let lo = Foundation.pow(10, Foundation.log10(values.min() ?? 0.01).rounded(.down))
        let hi = Foundation.pow(10, Foundation.log10(values.max() ?? 1).rounded(.up))
        return (lo, hi > lo ? hi : lo * 10)
    }

    init(width: Int, height: Int, x: ClosedRange<Double>, y: ClosedRange<Double>) {
        self.width = width
        self.height = height
        xRange = x
        yRange = y
        surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(width), Int32(height))
        cr = cairo_create(surface)
        plot = (x: 90.0, y: 80.0, w: Double(width) - 90 - 230, h: Double(height) - 80 - 70)
        set(theme.background)
        cairo_paint(cr)
    }

    deinit {
        cairo_destroy(cr)
        cairo_surface_destroy(surface)
    }

    func set(_ c: RGBA) { cairo_set_source_rgba(cr, c.red, c.green, c.blue, c.alpha) }

    func font(_ size: Double, bold: Bool = false) {
        cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cr, size)
    }

    func text(_ s: String, _ x: Double, _ y: Double, alignRight: Bool = false, centred: Bool = false) {
        var e = cairo_text_extents_t()
        cairo_text_extents(cr, s, &e)
        cairo_move_to(cr, x + (alignRight ? -e.x_advance : centred ? -e.x_advance / 2 : 0), y)
        cairo_show_text(cr, s)
    }

    func px(_ v: Double) -> Double {
        plot.x + (Foundation.log10(v) - Foundation.log10(xRange.lowerBound)) / (Foundation.log10(xRange.upperBound) - Foundation.log10(xRange.lowerBound)) * plot.w
    }

    func py(_ v: Double) -> Double {
        plot.y + plot.h - (Foundation.log10(v) - Foundation.log10(yRange.lowerBound)) / (Foundation.log10(yRange.upperBound) - Foundation.log10(yRange.lowerBound)) * plot.h
    }

    /// Grid lines at 1, 2 and 5 of each decade, labelled as durations; the frame, titles and axis names.
    func frame(title: String, subtitle: String, xLabel: String, yLabel: String) {
        cairo_set_line_width(cr, 1)
        font(12)
        for (range, vertical) in [(xRange, true), (yRange, false)] {
            var decade = range.lowerBound
            while decade <= range.upperBound * 1.0001 {
                for m in [1.0, 2, 5] where decade * m <= range.upperBound * 1.0001 {
                    let v = decade * m
                    set(theme.gridLine)
                    if vertical {
                        cairo_move_to(cr, px(v).rounded() + 0.5, plot.y)
                        cairo_line_to(cr, px(v).rounded() + 0.5, plot.y + plot.h)
                    } else {
                        cairo_move_to(cr, plot.x, py(v).rounded() + 0.5)
                        cairo_line_to(cr, plot.x + plot.w, py(v).rounded() + 0.5)
                    }
                    cairo_stroke(cr)
                    set(m == 1 ? theme.text : theme.mutedText)
                    let label = SimTime.seconds(v).description
                    if vertical { text(label, px(v), plot.y + plot.h + 18, centred: true) } else { text(label, plot.x - 8, py(v) + 4, alignRight: true) }
                }
                decade *= 10
            }
        }
        set(theme.axisLine)
        cairo_rectangle(cr, plot.x + 0.5, plot.y + 0.5, plot.w - 1, plot.h - 1)
        cairo_stroke(cr)
        set(theme.text)
        font(17, bold: true)
        text(title, plot.x, 32)
        font(12.5)
        set(theme.mutedText)
        text(subtitle, plot.x, 56)
        set(theme.text)
        font(13)
        text(xLabel, plot.x + plot.w / 2, Double(height) - 22, centred: true)
        cairo_save(cr)
        cairo_translate(cr, 22, plot.y + plot.h / 2)
        cairo_rotate(cr, -Double.pi / 2)
        text(yLabel, 0, 0, centred: true)
        cairo_restore(cr)
    }

    /// Draws inside the plot area only.
    func clipped(_ body: () -> Void) {
        cairo_save(cr)
        cairo_rectangle(cr, plot.x, plot.y, plot.w, plot.h)
        cairo_clip(cr)
        body()
        cairo_restore(cr)
    }

    func whisker(from x0: Double, to x1: Double, y: Double, color c: RGBA) {
        set(RGBA(red: c.red, green: c.green, blue: c.blue, alpha: 0.55))
        cairo_set_line_width(cr, 1.5)
        cairo_move_to(cr, px(x0), py(y))
        cairo_line_to(cr, px(x1), py(y))
        cairo_stroke(cr)
    }

    /// A filled dot, or a ring on the background colour.
    func dot(x: Double, y: Double, color c: RGBA, filled: Bool) {
        draw(marker: filled, color: c, at: px(x), py(y))
    }

    private func draw(marker filled: Bool, color c: RGBA, at x: Double, _ y: Double) {
        cairo_new_sub_path(cr)
        cairo_arc(cr, x, y, 4.5, 0, 2 * Double.pi)
        if filled {
            set(c)
            cairo_fill(cr)
        } else {
            set(theme.background)
            cairo_fill_preserve(cr)
            set(c)
            cairo_set_line_width(cr, 2)
            cairo_stroke(cr)
        }
    }

    /// A titled legend of markers beside the plot; returns the y of its last row.
    func legend(title: String, rows: [(RGBA, Bool, String)], top: Double) -> Double {
        var y = top
        font(13, bold: true)
        set(theme.text)
        text(title, legendX, y + 4)
        font(13)
        for (c, filled, label) in rows {
            y += 24
            draw(marker: filled, color: c, at: legendX + 6, y)
            set(theme.text)
            text(label, legendX + 20, y + 4.5)
        }
        return y
    }

    /// The picture as PNG bytes.
    /// - Throws: `MatrixError.badFile` if cairo failed drawing or encoding.
    func encoded() throws -> Data {
        cairo_surface_flush(surface)
        guard cairo_status(cr) == CAIRO_STATUS_SUCCESS else {
            throw MatrixError.badFile(path: "(picture)", reason: "cairo failed drawing a fidelity picture")
        }
        do {
            return Data(try PNGEncoder.encode(imageSurface: surface))
        } catch {
            throw MatrixError.badFile(path: "(picture)", reason: "\(error)")
        }
    }
}
