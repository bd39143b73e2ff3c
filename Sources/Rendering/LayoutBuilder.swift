import SimEngine
import SimTrace

/// The pieces every picture shares: title block, legend, axis, and panels of lanes.
struct LayoutBuilder {
    let width: Double
    let height: Double
    let sizes: Sizes
    let grid: PixelGrid
    let theme: Theme
    let measure: TextMeasurer

    init(options: RenderOptions, format: PictureFormat) throws {
        width = Double(options.width)
        height = Double(options.height)
        sizes = Sizes(width: width, height: height)
        grid = PixelGrid(resolution: format.isRaster ? options.scale : 1)
        theme = Theme.named(options.theme)
        measure = try TextMeasurer()
    }

    // MARK: Title block

    /// Title, subtitle and key figures from the top; returns the texts and the y below them.
    func titleBlock(title: String, subtitle: String, figures: [KeyFigure]) -> (texts: [TextItem], bottom: Double) {
        var texts: [TextItem] = []
        let m = sizes.margin, maxWidth = width - 2 * m
        var y = m
        let t = measure.fit(title, size: sizes.title, bold: true, maxWidth: maxWidth)
        texts.append(measure.item(t, .title, size: sizes.title, bold: true, x: m, top: y))
        y += measure.lineHeight(size: sizes.title, bold: true) + 4 * sizes.k
        if !subtitle.isEmpty {
            let s = measure.fit(subtitle, size: sizes.subtitle, maxWidth: maxWidth)
            texts.append(measure.item(s, .subtitle, size: sizes.subtitle, x: m, top: y))
            y += measure.lineHeight(size: sizes.subtitle)
        }
        if !figures.isEmpty {
            y += sizes.gap
            let valueH = measure.lineHeight(size: sizes.figureValue, bold: true)
            let labelH = measure.lineHeight(size: sizes.figureLabel)
            let boxH = valueH + labelH
            var x = m
            for f in figures {
                let v = measure.fit(f.value, size: sizes.figureValue, bold: true, maxWidth: maxWidth)
                let l = measure.fit(f.label, size: sizes.figureLabel, maxWidth: maxWidth)
                let w = max(measure.width(v, size: sizes.figureValue, bold: true), measure.width(l, size: sizes.figureLabel))
                if x > m, x + w > width - m {
                    x = m
                    y += boxH + 8 * sizes.k
                }
                texts.append(measure.item(v, .figureValue, size: sizes.figureValue, bold: true, x: x, top: y))
                texts.append(measure.item(l, .figureLabel, size: sizes.figureLabel, x: x, top: y + valueH))
                x += w + 48 * sizes.k
            }
            y += boxH
        }
        return (texts, y + sizes.gap)
    }

    // MARK: Legend

    /// The legend's entries flowed into lines from `top`; returns the entries and the number of lines.
    func legend(_ keys: [LegendKey], notes: [String], top: Double) -> (entries: [LegendEntry], notes: [TextItem], lines: Int) {
        let m = sizes.margin
        let lineH = legendLineHeight
        var entries: [LegendEntry] = []
        var noteItems: [TextItem] = []
        var x = m, line = 0
        let textH = measure.lineHeight(size: sizes.legend)
        func place(width w: Double) -> (x: Double, lineTop: Double) {
            if x > m, x + w > width - m {
                x = m
                line += 1
            }
            let at = x
            x += w + 28 * sizes.k
            return (at, top + Double(line) * lineH)
        }
        for key in keys {
            let text = legendText(key)
            let w = sizes.swatch + 8 * sizes.k + measure.width(text, size: sizes.legend)
            let (at, lineTop) = place(width: w)
            let swatch = Rect(x: grid.snap(at), y: grid.snap(lineTop + (lineH - sizes.swatch) / 2),
                              width: grid.snap(sizes.swatch), height: grid.snap(sizes.swatch))
            let label = measure.item(text, .legend, size: sizes.legend, x: at + sizes.swatch + 8 * sizes.k,
                                     top: lineTop + (lineH - textH) / 2)
            entries.append(LegendEntry(key: key, swatch: swatch, label: label))
        }
        for note in notes {
            let text = measure.fit(note, size: sizes.legend, maxWidth: width - 2 * m)
            let (at, lineTop) = place(width: measure.width(text, size: sizes.legend))
            noteItems.append(measure.item(text, .note, size: sizes.legend, x: at, top: lineTop + (lineH - textH) / 2))
        }
        return (entries, noteItems, (keys.isEmpty && notes.isEmpty) ? 0 : line + 1)
    }

    var legendLineHeight: Double { 32 * sizes.k }

    func legendText(_ key: LegendKey) -> String {
        switch key {
        case .state(let s): return s.legendTitle
        case .mark(let kind):
            switch kind {
            case .dropRequest: return "GIL drop request"
            case .gilHandoff: return "GIL hand-off"
            case .forcedSwitch: return "forced switch"
            case .loopWakeup: return "loop wake-up"
            case .preempted: return "preempted by the OS"
            }
        case .predictedBar: return "predicted makespan"
        case .measuredBar: return "measured (median, min–max)"
        }
    }

    // MARK: Axis

    /// Height of the axis band: tick, gap, labels.
    var axisHeight: Double { 8 * sizes.k + 6 * sizes.k + measure.lineHeight(size: sizes.tick) }

    /// A time axis along `scale` with its line at `y`; the title goes left of the plot, right-aligned at `titleRight`.
    func axis(scale: TimeScale, y: Double, gridTop: Double, title: (String) -> String, titleRight: Double?,
              spacing: Double = 150) -> AxisLayout {
        let (ticks, unit) = NiceTicks.ticks(for: scale, spacing: spacing * sizes.k) { measure.width($0, size: sizes.tick) }
        let tickLength = 8 * sizes.k
        let top = y + tickLength + 6 * sizes.k
        var labels: [TextItem] = []
        var lastRight = -Double.infinity
        for tick in ticks {
            let w = measure.width(tick.label, size: sizes.tick)
            // Centred under the tick, but kept inside the plot's ends so it meets neither the axis title nor the margin.
            var x = tick.x - w / 2
            x = min(max(x, scale.x), scale.x + scale.width - w)
            guard x >= lastRight + 8 * sizes.k else { continue }
            labels.append(measure.item(tick.label, .tickLabel, size: sizes.tick, x: x, top: top))
            lastRight = x + w
        }
        if let titleRight {
            let text = title(unit.rawValue)
            let w = measure.width(text, size: sizes.tick)
            labels.append(measure.item(text, .axisTitle, size: sizes.tick, x: titleRight - w, top: top))
        }
        return AxisLayout(scale: scale, unit: unit, ticks: ticks, y: y, gridTop: gridTop, tickLength: tickLength, labels: labels)
    }
}
