import Foundation

/// Type sizes and spacing, in layout units, for a picture of a given size. At 1920x1080 the title is
/// 40 px and every label at least 20 px, readable from the back of a room when projected.
struct Sizes {
    let k: Double
    init(width: Double, height: Double) { k = max(0.5, min(width / 1920, height / 1080)) }
    var margin: Double { 32 * k }
    var title: Double { 40 * k }
    var subtitle: Double { 24 * k }
    var figureValue: Double { 28 * k }
    var figureLabel: Double { 20 * k }
    var panelHeader: Double { 24 * k }
    var processHeader: Double { 22 * k }
    var laneLabel: Double { 22 * k }
    var tick: Double { 20 * k }
    var legend: Double { 20 * k }
    var rowMin: Double { 30 * k }
    var rowMax: Double { 100 * k }
    var indent: Double { 24 * k }
    var swatch: Double { 22 * k }
    /// Marks closer than this are not drawn (they would merge into a smear).
    var markSpacing: Double { 10 * k }
    var gap: Double { 16 * k }
}

/// Measures text with cairo (cairo_text_extents) so that layouts place it without overlaps.
final class TextMeasurer {
    private let surface: CairoSurface
    private let context: CairoContext
    private var cache: [String: Double] = [:]

    init() throws {
        surface = try CairoSurface(imageWidth: 1, height: 1)
        context = try CairoContext(surface)
    }

    func metrics(_ text: String, size: Double, bold: Bool) -> TextMetrics {
        context.setFont(size: size, weight: bold ? .bold : .normal)
        return context.measure(text)
    }

    func width(_ text: String, size: Double, bold: Bool = false) -> Double {
        let key = "\(size)|\(bold)|\(text)"
        if let w = cache[key] { return w }
        let w = metrics(text, size: size, bold: bold).width
        cache[key] = w
        return w
    }

    /// A text item with its left baseline end at (x, baseline).
    func item(_ text: String, _ role: TextRole, size: Double, bold: Bool = false, x: Double, baseline: Double) -> TextItem {
        let m = metrics(text, size: size, bold: bold)
        return TextItem(text: text, role: role, x: x, baseline: baseline, fontSize: size, bold: bold,
                        bounds: Rect(x: x, y: baseline - m.ascent, width: m.width, height: m.ascent + m.descent))
    }

    /// A text item whose box's top is at `top`.
    func item(_ text: String, _ role: TextRole, size: Double, bold: Bool = false, x: Double, top: Double) -> TextItem {
        let m = metrics(text, size: size, bold: bold)
        return item(text, role, size: size, bold: bold, x: x, baseline: top + m.ascent)
    }

    /// Height of a line of text (ascent + descent) in a size.
    func lineHeight(size: Double, bold: Bool = false) -> Double {
        let m = metrics("Hg", size: size, bold: bold)
        return m.ascent + m.descent
    }

    /// `text`, shortened with an ellipsis to fit `maxWidth`.
    func fit(_ text: String, size: Double, bold: Bool = false, maxWidth: Double) -> String {
        if width(text, size: size, bold: bold) <= maxWidth { return text }
        var chars = Array(text)
        while !chars.isEmpty {
            chars.removeLast()
            let candidate = String(chars) + "…"
            if width(candidate, size: size, bold: bold) <= maxWidth { return candidate }
        }
        return "…"
    }
}

/// Snaps layout coordinates to device pixels so that rectangles have crisp edges.
struct PixelGrid {
    let resolution: Double
    func snap(_ v: Double) -> Double { (v * resolution).rounded() / resolution }
}
