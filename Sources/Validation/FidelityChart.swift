import CCairo
import Foundation
import SimEngine
import SimRendering
import SimTrace

/// The fidelity picture: every measured point of the matrix, predicted makespan against measured median on
/// log-log axes, the measured min-max as a horizontal whisker, the ±10% band around the diagonal shaded; one
/// colour per strategy kind, filled dots for the fit half and rings for the held-out half. Drawn with Cairo
/// in the timelines' light theme (background, grid, text colours and font).
public enum FidelityChart {
    /// Colour of each strategy kind (Okabe & Ito's colour-blind-safe hues, as the timelines use).
    public static func color(ofKind kind: String) -> RGBA {
        switch kind {
        case "sync": return RGBA(hex: 0x595959)
        case "threads": return RGBA(hex: 0xD55E00)
        case "processes": return RGBA(hex: 0x0072B2)
        case "gevent": return RGBA(hex: 0x009E73)
        case "asyncio": return RGBA(hex: 0xCC79A7)
        default: return RGBA(hex: 0xE69F00)
        }
    }

    public static let kinds = ["sync", "threads", "processes", "gevent", "asyncio"]

    /// The picture as PNG bytes, `width` x `height` pixels.
    /// - Throws: `MatrixError.badFile` if cairo fails (the message names the operation).
    public static func png(_ report: FidelityReport, title: String, width: Int = 1000, height: Int = 820) throws -> Data {
        let theme = Theme.light
        let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(width), Int32(height))
        defer { cairo_surface_destroy(surface) }
        let cr = cairo_create(surface)!
        defer { cairo_destroy(cr) }
        func set(_ c: RGBA) { cairo_set_source_rgba(cr, c.red, c.green, c.blue, c.alpha) }
        func font(_ size: Double, bold: Bool = false) {
            cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
            cairo_set_font_size(cr, size)
        }
        func text(_ s: String, _ x: Double, _ y: Double, alignRight: Bool = false, centred: Bool = false) {
            var e = cairo_text_extents_t()
            cairo_text_extents(cr, s, &e)
            let dx = alignRight ? -e.x_advance : centred ? -e.x_advance / 2 : 0
            cairo_move_to(cr, x + dx, y)
            cairo_show_text(cr, s)
        }
        set(theme.background)
        cairo_paint(cr)

        // Axes: whole decades covering every point (measured min..max and predictions).
        let values = report.points.flatMap { [$0.predicted, $0.measured.min, $0.measured.max] }.map { max(1e-4, $0.seconds) }
        let lo = Foundation.pow(10, (Foundation.log10(values.min() ?? 0.01)).rounded(.down))
        let hi = Foundation.pow(10, (Foundation.log10(values.max() ?? 1)).rounded(.up))
        let plot = (x: 90.0, y: 80.0, w: Double(width) - 90 - 230, h: Double(height) - 80 - 70)
        func px(_ s: Double) -> Double { plot.x + (Foundation.log10(s) - Foundation.log10(lo)) / (Foundation.log10(hi) - Foundation.log10(lo)) * plot.w }
        func py(_ s: Double) -> Double { plot.y + plot.h - (Foundation.log10(s) - Foundation.log10(lo)) / (Foundation.log10(hi) - Foundation.log10(lo)) * plot.h }

        // Grid at 1, 2, 5 of each decade; labels at decades.
        cairo_set_line_width(cr, 1)
        font(12)
        var decade = lo
        while decade <= hi * 1.0001 {
            for m in [1.0, 2, 5] where decade * m <= hi * 1.0001 {
                let v = decade * m
                set(theme.gridLine)
                cairo_move_to(cr, px(v).rounded() + 0.5, plot.y)
                cairo_line_to(cr, px(v).rounded() + 0.5, plot.y + plot.h)
                cairo_move_to(cr, plot.x, py(v).rounded() + 0.5)
                cairo_line_to(cr, plot.x + plot.w, py(v).rounded() + 0.5)
                cairo_stroke(cr)
                set(m == 1 ? theme.text : theme.mutedText)
                let label = SimTime.seconds(v).description
                text(label, px(v), plot.y + plot.h + 18, centred: true)
                text(label, plot.x - 8, py(v) + 4, alignRight: true)
            }
            decade *= 10
        }
        // The ±10% band and the diagonal.
        cairo_save(cr)
        cairo_rectangle(cr, plot.x, plot.y, plot.w, plot.h)
        cairo_clip(cr)
        set(RGBA(hex: 0x009E73, alpha: 0.12))
        cairo_move_to(cr, px(lo), py(lo * 1.1))
        cairo_line_to(cr, px(hi), py(hi * 1.1))
        cairo_line_to(cr, px(hi), py(hi * 0.9))
        cairo_line_to(cr, px(lo), py(lo * 0.9))
        cairo_close_path(cr)
        cairo_fill(cr)
        set(theme.axisLine)
        cairo_set_line_width(cr, 1)
        cairo_move_to(cr, px(lo), py(lo))
        cairo_line_to(cr, px(hi), py(hi))
        cairo_stroke(cr)

        // Points: whisker (measured min..max) then the dot at (measured median, predicted).
        for p in report.points {
            let c = color(ofKind: p.kind)
            let x = px(p.measured.median.seconds), y = py(max(1e-4, p.predicted.seconds))
            set(RGBA(red: c.red, green: c.green, blue: c.blue, alpha: 0.55))
            cairo_set_line_width(cr, 1.5)
            cairo_move_to(cr, px(p.measured.min.seconds), y)
            cairo_line_to(cr, px(p.measured.max.seconds), y)
            cairo_stroke(cr)
            cairo_new_sub_path(cr)
            cairo_arc(cr, x, y, 4.5, 0, 2 * Double.pi)
            if p.half == .fit {
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
        cairo_restore(cr)
        set(theme.axisLine)
        cairo_set_line_width(cr, 1)
        cairo_rectangle(cr, plot.x + 0.5, plot.y + 0.5, plot.w - 1, plot.h - 1)
        cairo_stroke(cr)

        // Titles and axis names.
        set(theme.text)
        font(17, bold: true)
        text(title, plot.x, 32)
        font(12.5)
        set(theme.mutedText)
        let figures = report.summaries.filter { $0.label != "all" }.map {
            String(format: "%@: median %.1f%%, p90 %.1f%%, worst %.1f%%", $0.label, $0.medianAbsErrorPercent, $0.p90AbsErrorPercent,
                   abs($0.worst?.errorPercent ?? 0))
        }.joined(separator: "   ")
        text("|model − measured| / measured median, " + figures, plot.x, 56)
        set(theme.text)
        font(13)
        text("measured makespan (median; whisker: min-max of the repetitions)", plot.x + plot.w / 2, Double(height) - 22, centred: true)
        cairo_save(cr)
        cairo_translate(cr, 22, plot.y + plot.h / 2)
        cairo_rotate(cr, -Double.pi / 2)
        text("predicted makespan (model)", 0, 0, centred: true)
        cairo_restore(cr)

        // Legend.
        var ly = plot.y + 10
        let lx = plot.x + plot.w + 30
        font(13, bold: true)
        text("strategy", lx, ly + 4)
        font(13)
        for kind in kinds {
            ly += 24
            set(color(ofKind: kind))
            cairo_new_sub_path(cr)
            cairo_arc(cr, lx + 6, ly, 5, 0, 2 * Double.pi)
            cairo_fill(cr)
            set(theme.text)
            let n = report.points.filter { $0.kind == kind }.count
            text("\(kind) (\(n))", lx + 20, ly + 4.5)
        }
        ly += 40
        font(13, bold: true)
        text("half", lx, ly)
        font(13)
        for (half, label) in [(MatrixHalf.fit, "fit (filled)"), (.heldOut, "held-out (ring)")] {
            ly += 24
            set(theme.axisLine)
            cairo_new_sub_path(cr)
            cairo_arc(cr, lx + 6, ly, 4.5, 0, 2 * Double.pi)
            if half == .fit { cairo_fill(cr) } else { cairo_set_line_width(cr, 2); cairo_stroke(cr) }
            set(theme.text)
            text(label, lx + 20, ly + 4.5)
        }
        ly += 40
        set(RGBA(hex: 0x009E73, alpha: 0.25))
        cairo_rectangle(cr, lx, ly - 8, 12, 12)
        cairo_fill(cr)
        set(theme.text)
        text("within ±10%", lx + 20, ly + 3)

        cairo_surface_flush(surface)
        guard cairo_status(cr) == CAIRO_STATUS_SUCCESS else {
            throw MatrixError.badFile(path: "(picture)", reason: "cairo failed drawing the fidelity picture")
        }
        final class Sink { var bytes = Data() }
        let sink = Sink()
        let status = cairo_surface_write_to_png_stream(surface, { closure, data, length in
            guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
            Unmanaged<Sink>.fromOpaque(closure).takeUnretainedValue().bytes.append(data, count: Int(length))
            return CAIRO_STATUS_SUCCESS
        }, Unmanaged.passUnretained(sink).toOpaque())
        guard status == CAIRO_STATUS_SUCCESS else {
            throw MatrixError.badFile(path: "(picture)", reason: "cairo failed encoding the fidelity picture")
        }
        return sink.bytes
    }
}
