import Foundation
import SimEngine
import SimTrace

/// What the advice picture shows: a one-slide summary of which strategy to choose and why. One horizontal
/// bar per strategy (makespan, fastest first), the choice highlighted and the "as good" ones marked, each bar
/// labelled with the mechanism that decided it and its share; the warnings in a box at the bottom.
///
/// Filled by the command line from the report's advice (Rendering does not know the report).
public struct AdviceChart: Sendable, Equatable {
    /// How a strategy stands in the advice.
    public enum Standing: Sendable, Equatable {
        /// The strategy to choose.
        case choice
        /// Within 5% of the choice.
        case asGood
        /// Slower than the choice by more than 5%.
        case slower
        /// Not a candidate (sync with background tasks: it runs only the foreground tasks).
        case notCandidate
    }

    public struct Bar: Sendable, Equatable {
        public var strategy: String
        public var makespan: SimTime
        public var standing: Standing
        /// The deciding mechanism in a few words ("waits for the GIL"), nil where the advice names none.
        public var mechanism: String?
        /// The mechanism's figure as a fraction, written after the phrase.
        public var share: Double?

        public init(strategy: String, makespan: SimTime, standing: Standing, mechanism: String? = nil, share: Double? = nil) {
            self.strategy = strategy
            self.makespan = makespan
            self.standing = standing
            self.mechanism = mechanism
            self.share = share
        }

        /// "waits for the GIL 64%", or nil.
        public var annotation: String? {
            guard let mechanism else { return nil }
            return share.map { "\(mechanism) \(Format.percent($0))" } ?? mechanism
        }
    }

    public var title: String
    /// The choice's sentence.
    public var subtitle: String
    public var bars: [Bar]
    /// Sentences that hold whatever is chosen (the convoy effect).
    public var warnings: [String]

    public init(title: String, subtitle: String, bars: [Bar], warnings: [String]) {
        self.title = title
        self.subtitle = subtitle
        self.bars = bars
        self.warnings = warnings
    }

    /// The bars fastest first (ties by name, so the order is the same every time).
    public var sortedBars: [Bar] {
        bars.sorted { ($0.makespan, $0.strategy) < ($1.makespan, $1.strategy) }
    }
}

/// An advice picture placed: bars and texts. Tests inspect it; the painter draws it.
public struct AdviceLayout: Sendable, Equatable {
    public struct Bar: Sendable, Equatable {
        public var strategy: String
        public var standing: AdviceChart.Standing
        /// The makespan bar.
        public var rect: Rect
        /// The band behind the row (tinted for the choice).
        public var band: Rect
    }

    public var width: Double
    public var height: Double
    public var theme: Theme
    public var texts: [TextItem]
    /// Fastest first, top to bottom.
    public var bars: [Bar]
    /// The box around the warnings, nil without warnings.
    public var warningBox: Rect?
    /// The x where the bars start (the time axis's zero).
    public var axisX: Double
}

/// Draws advice pictures to PNG, SVG or PDF (atomically, the same bytes for the same chart).
public enum AdviceChartRenderer {
    /// The choice's colour (bluish green, Okabe & Ito), the as-good ones the same colour lighter.
    static let choiceColor = RGBA(hex: 0x009E73)
    /// The warning box's edge (vermillion, the GIL-wait colour of the timelines).
    static let warningColor = RGBA(hex: 0xD55E00)

    public static func render(_ chart: AdviceChart, options: RenderOptions = RenderOptions(), to path: String) throws {
        try options.validate()
        let format = try options.format(for: path)
        let layout = try layout(chart, options: options, format: format)
        try TimelineRenderer.write(width: layout.width, height: layout.height, format: format, options: options, to: path) {
            try AdvicePainter(layout: layout, context: $0).draw()
        }
    }

    /// Slower strategies in a grey lighter than the text, so that the choice's colour stands out.
    static func slowerColor(_ theme: Theme) -> RGBA { theme.name == .light ? RGBA(hex: 0xA6A6A6) : RGBA(hex: 0x5F6670) }

    /// What the row says under the strategy's name.
    static func standingText(_ s: AdviceChart.Standing) -> String? {
        switch s {
        case .choice: return "the choice"
        case .asGood: return "as good (within 5%)"
        case .slower: return nil
        case .notCandidate: return "not a candidate"
        }
    }

    public static func layout(_ chart: AdviceChart, options: RenderOptions, format: PictureFormat) throws -> AdviceLayout {
        let b = try LayoutBuilder(options: options, format: format)
        let s = b.sizes, k = s.k, m = s.margin, measure = b.measure
        var texts: [TextItem] = []

        // Title, then the choice's sentence wrapped over at most three lines (it is the message).
        let (titleTexts, titleBottom) = b.titleBlock(title: chart.title, subtitle: "", figures: [])
        texts += titleTexts
        var y = titleBottom - s.gap + 4 * k
        let subtitleH = measure.lineHeight(size: s.subtitle) + 6 * k
        for line in SweepChartRenderer.wrap(chart.subtitle, width: b.width - 2 * m, measure: measure, size: s.subtitle).prefix(3) {
            texts.append(measure.item(line, .subtitle, size: s.subtitle, x: m, top: y))
            y += subtitleH
        }
        let top = y + 2 * s.gap

        // Warnings: a box at the bottom, each warning wrapped to the box's width.
        let noteSize = s.legend
        let noteH = measure.lineHeight(size: noteSize) + 4 * k
        let pad = 16 * k
        var bottom = b.height - m
        var warningBox: Rect?
        if !chart.warnings.isEmpty {
            let inner = b.width - 2 * m - 2 * pad
            let headH = measure.lineHeight(size: s.panelHeader, bold: true) + 6 * k
            // Each warning starts a paragraph (a small gap above), sentences start with a capital.
            var lines: [(text: String, top: Double)] = []
            var lineTop = 0.0
            for (i, w) in chart.warnings.prefix(3).enumerated() {
                if i > 0 { lineTop += noteH / 3 }
                for l in SweepChartRenderer.wrap(w.prefix(1).uppercased() + w.dropFirst(), width: inner, measure: measure, size: noteSize).prefix(3) {
                    lines.append((l, lineTop))
                    lineTop += noteH
                }
            }
            let boxH = 2 * pad + headH + lineTop
            let box = Rect(x: b.grid.snap(m), y: b.grid.snap(bottom - boxH), width: b.grid.snap(b.width - 2 * m), height: b.grid.snap(boxH))
            texts.append(measure.item(chart.warnings.count == 1 ? "Warning" : "Warnings", .panelHeader, size: s.panelHeader, bold: true,
                                      x: box.x + pad, top: box.y + pad))
            for line in lines {
                texts.append(measure.item(line.text, .legend, size: noteSize, x: box.x + pad, top: box.y + pad + headH + line.top))
            }
            warningBox = box
            bottom = box.y - 2 * s.gap
        }

        // Rows: the name (and the standing under it) left, the bar, then the makespan and the mechanism.
        let bars = chart.sortedBars
        guard !bars.isEmpty else {
            return AdviceLayout(width: b.width, height: b.height, theme: b.theme, texts: texts, bars: [], warningBox: warningBox, axisX: m)
        }
        let nameSize = s.laneLabel * 1.1, tagSize = s.tick, valueSize = s.laneLabel * 1.1
        let nameH = measure.lineHeight(size: nameSize, bold: true), tagH = measure.lineHeight(size: tagSize)
        let nameW = bars.map { bar in
            max(measure.width(bar.strategy, size: nameSize, bold: true), standingText(bar.standing).map { measure.width($0, size: tagSize, bold: true) } ?? 0)
        }.max() ?? 0
        let axisX = b.grid.snap(m + nameW + 24 * k)
        let rowH = min((bottom - top) / Double(bars.count), 130 * k)
        // Few bars: the rows sit in the middle of the space rather than under the title.
        let rowsTop = top + ((bottom - top) - rowH * Double(bars.count)) / 2
        guard rowH >= nameH + tagH + 8 * k else {
            throw RenderingError.invalidOptions("the picture is too small for \(bars.count) strategies and the warnings; use a larger --size")
        }
        // The texts right of the bars get at most 45% of the width; the longest bar ends where they begin.
        let right = b.width - m
        let fastest = bars.first { $0.standing == .choice }?.makespan ?? bars[0].makespan
        func rowText(_ bar: AdviceChart.Bar) -> (value: String, note: String?) {
            // Without a named mechanism, a slower strategy still says by how much.
            if bar.annotation == nil, bar.standing == .slower, fastest.nanoseconds > 0 {
                return (Format.duration(bar.makespan), Format.significant(bar.makespan.seconds / fastest.seconds, 2) + "x slower")
            }
            return (Format.duration(bar.makespan), bar.annotation)
        }
        let gapAfterBar = 12 * k, gapAfterValue = 16 * k
        let textMax = 0.45 * (right - axisX)
        var fitted: [(value: String, note: String?)] = []
        var textW = 0.0
        for bar in bars {
            let (value, note) = rowText(bar)
            let vw = measure.width(value, size: valueSize, bold: true)
            let n = note.map { measure.fit($0, size: valueSize, maxWidth: max(textMax - vw - gapAfterBar - gapAfterValue, 40 * k)) }
            fitted.append((value, n))
            textW = max(textW, gapAfterBar + vw + (n.map { gapAfterValue + measure.width($0, size: valueSize) } ?? 0))
        }
        let barMax = right - axisX - textW
        let longest = Double(bars.map(\.makespan.nanoseconds).max() ?? 1)
        let barH = b.grid.snap(min(rowH * 0.55, 56 * k))
        var placed: [AdviceLayout.Bar] = []
        for (i, bar) in bars.enumerated() {
            let rowTop = rowsTop + Double(i) * rowH
            let band = Rect(x: b.grid.snap(m - 8 * k), y: b.grid.snap(rowTop), width: b.grid.snap(b.width - 2 * m + 16 * k), height: b.grid.snap(rowH))
            let w = longest > 0 ? max(2 * k, barMax * Double(bar.makespan.nanoseconds) / longest) : 2 * k
            let barY = b.grid.snap(rowTop + (rowH - barH) / 2)
            let rect = Rect(x: axisX, y: barY, width: b.grid.snap(w), height: barH)
            placed.append(AdviceLayout.Bar(strategy: bar.strategy, standing: bar.standing, rect: rect, band: band))
            let mid = barY + barH / 2
            let tag = standingText(bar.standing)
            let blockH = nameH + (tag == nil ? 0 : tagH + 2 * k)
            texts.append(measure.item(measure.fit(bar.strategy, size: nameSize, bold: true, maxWidth: nameW), .strategyLabel,
                                      size: nameSize, bold: true, x: m, top: mid - blockH / 2))
            if let tag {
                // The choice's and as-good tags in the choice's colour (.figureLabel), "not a candidate" muted.
                texts.append(measure.item(tag, bar.standing == .notCandidate ? .collapsedLabel : .figureLabel, size: tagSize, bold: true,
                                          x: m, top: mid - blockH / 2 + nameH + 2 * k))
            }
            let valueTop = mid - nameH / 2
            let value = measure.item(fitted[i].value, .barValue, size: valueSize, bold: true, x: rect.maxX + gapAfterBar, top: valueTop)
            texts.append(value)
            if let note = fitted[i].note {
                texts.append(measure.item(note, .note, size: valueSize, x: value.bounds.maxX + gapAfterValue, top: valueTop))
            }
        }
        return AdviceLayout(width: b.width, height: b.height, theme: b.theme, texts: texts, bars: placed, warningBox: warningBox, axisX: axisX)
    }
}

/// Paints an `AdviceLayout`: the choice's band, the bars (the choice solid, the as-good ones lighter, the
/// rest grey, a non-candidate as an outline), the warning box and the texts.
struct AdvicePainter {
    let layout: AdviceLayout
    let context: CairoContext
    var theme: Theme { layout.theme }

    func draw() throws {
        let c = context
        c.paint(theme.background)
        for bar in layout.bars where bar.standing == .choice {
            c.setColor(RGBA(red: AdviceChartRenderer.choiceColor.red, green: AdviceChartRenderer.choiceColor.green,
                            blue: AdviceChartRenderer.choiceColor.blue, alpha: theme.name == .light ? 0.10 : 0.18))
            c.rectangle(bar.band)
            c.fill()
        }
        if let first = layout.bars.first, let last = layout.bars.last {
            c.setColor(theme.axisLine)
            c.setLineWidth(1.5)
            c.moveTo(layout.axisX, first.band.y + 8)
            c.lineTo(layout.axisX, last.band.maxY - 8)
            c.stroke()
        }
        for bar in layout.bars {
            let choice = AdviceChartRenderer.choiceColor
            switch bar.standing {
            case .choice: c.setColor(choice)
            case .asGood: c.setColor(RGBA(red: choice.red, green: choice.green, blue: choice.blue, alpha: 0.5))
            case .slower: c.setColor(AdviceChartRenderer.slowerColor(theme))
            case .notCandidate: c.setColor(theme.gridLine)
            }
            c.rectangle(bar.rect)
            c.fill()
            if bar.standing == .notCandidate {
                c.setColor(theme.predictedBar)
                c.setLineWidth(1.5)
                c.rectangle(bar.rect)
                c.stroke()
            }
        }
        if let box = layout.warningBox {
            let w = AdviceChartRenderer.warningColor
            c.setColor(RGBA(red: w.red, green: w.green, blue: w.blue, alpha: 0.10))
            c.rectangle(box)
            c.fill()
            c.setColor(w)
            c.setLineWidth(3)
            c.rectangle(box)
            c.stroke()
        }
        for t in layout.texts {
            switch t.role {
            case .subtitle: c.setColor(theme.text)
            case .figureLabel: c.setColor(AdviceChartRenderer.choiceColor)
            case .note, .collapsedLabel: c.setColor(theme.mutedText)
            default: c.setColor(theme.text)
            }
            c.setFont(size: t.fontSize, weight: t.bold ? .bold : .normal)
            c.showText(t.text, x: t.x, y: t.baseline)
        }
        try c.checkStatus("drawing the advice picture")
    }
}
