import SimTrace

/// Draws a `TimelineLayout` with cairo. All placement was decided by the layout; this only paints.
///
/// - Complexity: O(runs + density pieces + marks + texts); runs of one state are filled as one path.
struct TimelinePainter {
    let layout: TimelineLayout
    let context: CairoContext
    var theme: Theme { layout.theme }
    var k: Double { Sizes(width: layout.width, height: layout.height).k }

    func draw() throws {
        let c = context
        c.paint(theme.background)
        drawStripes()
        drawGrid()
        drawRuns()
        drawMarks()
        drawAnnotations()
        drawBars()
        drawAxis(layout.axis)
        if let barAxis = layout.barAxis { drawAxis(barAxis) }
        drawLegend()
        for t in layout.allTexts { drawText(t) }
        try c.checkStatus("drawing the timeline")
    }

    private func drawStripes() {
        context.setColor(theme.rowStripe)
        let span = layout.rowSpan
        for panel in layout.panels {
            for (i, g) in panel.groups.enumerated() where i % 2 == 0 {
                if let band = g.band { context.rectangle(Rect(x: span.x0, y: band.y, width: span.x1 - span.x0, height: band.height)) }
            }
            for (i, row) in panel.rows.filter({ $0.label != nil }).enumerated() where i % 2 == 0 {
                context.rectangle(Rect(x: layout.rowSpan.x0, y: row.frame.y, width: layout.rowSpan.x1 - layout.rowSpan.x0,
                                       height: row.frame.height))
            }
        }
        context.fill()
    }

    private func drawGrid() {
        let a = layout.axis
        context.setColor(theme.gridLine)
        let w = max(1, (k * layout.resolution).rounded()) / layout.resolution
        for t in a.ticks {
            let x = (t.x * layout.resolution).rounded() / layout.resolution
            context.rectangle(Rect(x: x - w / 2, y: a.gridTop, width: w, height: a.y - a.gridTop))
        }
        context.fill()
    }

    private func drawRuns() {
        // One path per state: a handful of fills however many runs there are.
        var byState = [[Rect]](repeating: [], count: LaneState.allCases.count)
        for row in layout.rows {
            for r in row.runs {
                byState[Int(r.state.rawValue)].append(Rect(x: r.x0, y: row.bar.y, width: r.x1 - r.x0, height: row.bar.height))
            }
            for d in row.density {
                for p in d.pieces {
                    byState[Int(p.state.rawValue)].append(Rect(x: d.x0, y: p.y, width: d.x1 - d.x0, height: p.height))
                }
            }
        }
        context.setAntialias(false)
        for state in LaneState.allCases where !byState[Int(state.rawValue)].isEmpty {
            context.setColor(theme.color(of: state))
            for r in byState[Int(state.rawValue)] { context.rectangle(r) }
            context.fill()
        }
        context.setAntialias(true)
    }

    private func drawMarks() {
        for row in layout.rows {
            for m in row.marks { drawGlyph(m.kind, x: m.x, y: m.y, size: m.size, quiet: m.quiet) }
        }
    }

    /// A mark's shape: drop request ▼, preempted ■ (from above); hand-off ▲, forced switch ◆, loop wake-up ● (from below).
    func drawGlyph(_ kind: InstantKind, x: Double, y: Double, size s: Double, quiet: Bool = false) {
        let c = context
        let h = s * 0.8
        switch kind {
        case .dropRequest:
            c.moveTo(x - s / 2, y - h / 2); c.lineTo(x + s / 2, y - h / 2); c.lineTo(x, y + h / 2); c.closePath()
        case .gilHandoff:
            c.moveTo(x - s / 2, y + h / 2); c.lineTo(x + s / 2, y + h / 2); c.lineTo(x, y - h / 2); c.closePath()
        case .forcedSwitch:
            c.moveTo(x, y - h / 2); c.lineTo(x + s / 2, y); c.lineTo(x, y + h / 2); c.lineTo(x - s / 2, y); c.closePath()
        case .loopWakeup:
            c.arc(x, y, radius: s * 0.38)
        case .preempted:
            c.rectangle(Rect(x: x - s * 0.32, y: y - s * 0.32, width: s * 0.64, height: s * 0.64))
        }
        c.setColor(theme.markOutline)
        c.setLineWidth((quiet ? 1.5 : 2.5) * k)
        c.strokePreserve()
        c.setColor(quiet ? theme.quietMark : theme.mark)
        c.fill()
    }

    /// Brackets and leader lines in the text colour on a halo of the background (legible over any bar),
    /// then the label plates; the labels themselves are drawn with the other texts.
    private func drawAnnotations() {
        guard !layout.annotations.isEmpty else { return }
        let c = context
        for (colour, width) in [(theme.background, 6 * k), (theme.text, 2.5 * k)] {
            c.setColor(colour)
            c.setLineWidth(width)
            for a in layout.annotations {
                let b = a.bracket
                c.moveTo(b.x, b.maxY); c.lineTo(b.x, b.y); c.lineTo(b.maxX, b.y); c.lineTo(b.maxX, b.maxY)
                c.moveTo(a.leader.from.x, a.leader.from.y); c.lineTo(a.leader.to.x, a.leader.to.y)
            }
            c.stroke()
        }
        for a in layout.annotations {
            c.setColor(theme.background)
            c.rectangle(a.plate)
            c.fill()
            c.setColor(theme.text)
            c.setLineWidth(2 * k)
            c.rectangle(a.plate)
            c.stroke()
        }
    }

    private func drawBars() {
        for bar in layout.bars {
            context.setColor(theme.predictedBar)
            context.rectangle(bar.predicted)
            context.fill()
            if let m = bar.measured {
                context.setColor(theme.measuredBar)
                context.setLineWidth(2 * k)
                context.rectangle(Rect(x: m.x + k, y: m.y + k, width: max(0, m.width - 2 * k), height: max(0, m.height - 2 * k)))
                context.stroke()
            }
            if let w = bar.whisker {
                context.setColor(theme.measuredBar)
                context.setLineWidth(2 * k)
                let cap = 8 * k
                context.moveTo(w.minX, w.y); context.lineTo(w.maxX, w.y)
                context.moveTo(w.minX, w.y - cap); context.lineTo(w.minX, w.y + cap)
                context.moveTo(w.maxX, w.y - cap); context.lineTo(w.maxX, w.y + cap)
                context.stroke()
            }
        }
    }

    private func drawAxis(_ a: AxisLayout) {
        context.setColor(theme.axisLine)
        let w = 2 * k
        context.rectangle(Rect(x: a.scale.x, y: a.y, width: a.scale.width, height: w))
        for t in a.ticks {
            context.rectangle(Rect(x: t.x - w / 2, y: a.y, width: w, height: a.tickLength))
        }
        context.fill()
    }

    private func drawLegend() {
        for e in layout.legend {
            switch e.key {
            case .state(let s):
                context.setColor(theme.color(of: s))
                context.rectangle(e.swatch)
                context.fill()
            case .mark(let kind):
                let quiet = MarkGlyph.isQuiet(kind)
                drawGlyph(kind, x: e.swatch.x + e.swatch.width / 2, y: e.swatch.y + e.swatch.height / 2,
                          size: e.swatch.width * (quiet ? 0.65 : 0.8), quiet: quiet)
            case .predictedBar:
                context.setColor(theme.predictedBar)
                context.rectangle(e.swatch)
                context.fill()
            case .measuredBar:
                context.setColor(theme.measuredBar)
                context.setLineWidth(2 * k)
                let r = e.swatch
                context.rectangle(Rect(x: r.x + k, y: r.y + k, width: r.width - 2 * k, height: r.height - 2 * k))
                context.stroke()
            }
        }
    }

    private func drawText(_ t: TextItem) {
        switch t.role {
        case .subtitle, .figureLabel, .collapsedLabel, .tickLabel, .axisTitle, .note, .barValue:
            context.setColor(theme.mutedText)
        default:
            context.setColor(theme.text)
        }
        context.setFont(size: t.fontSize, weight: t.bold ? .bold : .normal)
        context.showText(t.text, x: t.x, y: t.baseline)
    }
}
