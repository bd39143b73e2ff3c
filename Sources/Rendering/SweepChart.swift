import Foundation
import SimEngine
import SimTrace

/// What a sweep picture shows: small multiples, one row of panels per metric (makespan, p95 latency,
/// throughput, GIL wait share, CPU utilisation), x = the first varied key, one line per strategy, and the
/// second varied key's values as panel columns.
public struct SweepChart: Sendable, Equatable {
    /// How a metric's numbers read.
    public enum Unit: Sendable, Equatable {
        /// Seconds, labelled "250 ms".
        case seconds
        /// A rate, labelled "12.4k".
        case rate
        /// A fraction 0...1, labelled "40%" (the axis runs to 100%).
        case share
    }

    public struct Metric: Sendable, Equatable {
        public var title: String
        public var unit: Unit
        public init(_ title: String, _ unit: Unit) {
            self.title = title
            self.unit = unit
        }
    }

    /// The x axis: the varied key and its values (numbers when every value is one; seconds for durations).
    public struct XAxis: Sendable, Equatable {
        public var key: String
        public var labels: [String]
        public var numbers: [Double]?
        public var isDuration: Bool
        public init(key: String, labels: [String], numbers: [Double]?, isDuration: Bool) {
            self.key = key
            self.labels = labels
            self.numbers = numbers
            self.isDuration = isDuration
        }

        /// A log axis where the (positive) values span more than a decade and a half.
        public var isLog: Bool {
            guard let n = numbers, let lo = n.min(), let hi = n.max(), lo > 0 else { return false }
            return hi / lo >= 30
        }
    }

    public var title: String
    public var subtitle: String
    public var x: XAxis
    /// The second varied key and its values (one panel column each); nil for one column.
    public var columnKey: String?
    public var columns: [String]
    public var metrics: [Metric]
    public var strategies: [String]
    /// values[metric][column][strategy][x]: nil where the strategy did not run.
    public var values: [[[[Double?]]]]
    /// Lines under the panels (the advice along the sweep).
    public var notes: [String]
    /// A real measurement beside a predicted value: the median of the repetitions and their extremes.
    public struct Measured: Sendable, Equatable, Codable {
        public var median: Double
        public var min: Double
        public var max: Double
        public init(median: Double, min: Double, max: Double) {
            self.median = median
            self.min = min
            self.max = max
        }

        /// The lower median of `values` (one of them) and their extremes.
        public init(_ values: [Double]) {
            let (median, min, max) = MeasuredSpread.lowerMedianAndExtremes(values) ?? (0, 0, 0)
            self.init(median: median, min: min, max: max)
        }
    }
    /// measured[metric][column][strategy][x], like `values`: nil where nothing was measured; empty when the
    /// sweep was not measured at all.
    public var measured: [[[[Measured?]]]]
    /// The colour (0xRRGGBB) of each strategy kind by name: a strategy labelled as a kind takes it.
    public var kindColours: [String: UInt32]

    public init(title: String, subtitle: String, x: XAxis, columnKey: String?, columns: [String], metrics: [Metric],
                strategies: [String], values: [[[[Double?]]]], notes: [String], kindColours: [String: UInt32] = [:],
                measured: [[[[Measured?]]]] = []) {
        self.kindColours = kindColours
        self.title = title
        self.subtitle = subtitle
        self.x = x
        self.columnKey = columnKey
        self.columns = columns
        self.metrics = metrics
        self.strategies = strategies
        self.values = values
        self.notes = notes
        self.measured = measured
    }

    /// The measurement at (metric, column, strategy, x), if any.
    func measured(_ mi: Int, _ c: Int, _ si: Int, _ xi: Int) -> Measured? {
        guard mi < measured.count, c < measured[mi].count, si < measured[mi][c].count, xi < measured[mi][c][si].count else { return nil }
        return measured[mi][c][si][xi]
    }
}

/// A sweep picture placed: panels with their frames, grid, lines and texts. Tests inspect it; the painter draws it.
public struct SweepLayout: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var strategy: Int
        /// Runs of consecutive points (a missing value breaks the line).
        public var pieces: [[Point]]
    }

    public struct Point: Sendable, Equatable {
        public var x: Double
        public var y: Double
    }

    public struct Panel: Sendable, Equatable {
        public var metric: Int
        public var column: Int
        /// The plot area.
        public var frame: Rect
        public var gridX: [Double]
        public var gridY: [Double]
        public var lines: [Line]
        /// Measured points: a hollow marker at the median, a whisker from the smallest to the largest run.
        public var measured: [MeasuredMark] = []
    }

    public struct MeasuredMark: Sendable, Equatable {
        public var strategy: Int
        public var x: Double
        public var median: Double
        /// The whisker's ends (y of the largest and of the smallest value).
        public var top: Double
        public var bottom: Double
    }

    public struct LegendEntry: Sendable, Equatable {
        public var strategy: Int
        /// Where the line sample runs (y is its middle).
        public var sample: Rect
        public var label: TextItem
    }

    public var width: Double
    public var height: Double
    public var resolution: Double
    public var theme: Theme
    public var texts: [TextItem]
    public var panels: [Panel]
    public var legend: [LegendEntry]
    /// Each strategy's colour and marker, by strategy index.
    public var colors: [RGBA]
    public var markerSize: Double
    public var lineWidth: Double
    /// Where the legend's hollow sample of a measured point is, when the sweep was measured.
    public var measuredKey: Point? = nil
}

/// Draws sweep pictures to PNG, SVG or PDF (atomically, the same bytes for the same chart).
public enum SweepChartRenderer {
    public static func render(_ chart: SweepChart, options: RenderOptions = RenderOptions(), to path: String) throws {
        try options.validate()
        let format = try options.format(for: path)
        let layout = try layout(chart, options: options, format: format)
        try TimelineRenderer.write(width: layout.width, height: layout.height, format: format, options: options, to: path) {
            try SweepPainter(layout: layout, context: $0).draw()
        }
    }

    /// The colour of each strategy: by kind name where the label is one (so that threads is the same colour
    /// in every sweep; `kindColours` is the strategy descriptors' palette), the rest from the Okabe & Ito hues
    /// no kind in the chart has, in order, with Tol's rose in place of their yellow (unreadable as a thin line on white).
    static func colors(for strategies: [String], kindColours: [String: UInt32], theme: Theme) -> [RGBA] {
        let taken = Set(strategies.compactMap { kindColours[$0] })
        var spare: [UInt32] = [0xE69F00, 0x56B4E9, 0xCC6677, 0x999999].filter { !taken.contains($0) }
        return strategies.map { s in
            if s == "sync" { return theme.name == .light ? RGBA(hex: 0x404040) : RGBA(hex: 0xE0E0E0) }
            if let hex = kindColours[s] { return RGBA(hex: hex) }
            let hex = spare.isEmpty ? 0x999999 : spare.removeFirst()
            return RGBA(hex: hex)
        }
    }

    public static func layout(_ chart: SweepChart, options: RenderOptions, format: PictureFormat) throws -> SweepLayout {
        let b = try LayoutBuilder(options: options, format: format)
        let s = b.sizes, k = s.k, m = s.margin, measure = b.measure
        var texts: [TextItem] = []
        let (titleTexts, titleBottom) = b.titleBlock(title: chart.title, subtitle: chart.subtitle, figures: [])
        texts += titleTexts
        let colors = colors(for: chart.strategies, kindColours: chart.kindColours, theme: b.theme)

        // Legend: a line sample and the strategy's name, on one or more lines.
        var legend: [SweepLayout.LegendEntry] = []
        let lineH = b.legendLineHeight
        var x = m, y = titleBottom - s.gap / 2
        let sampleW = 44 * k
        for (i, name) in chart.strategies.enumerated() {
            let w = sampleW + 8 * k + measure.width(name, size: s.legend)
            if x > m, x + w > b.width - m { x = m; y += lineH }
            let label = measure.item(name, .legend, size: s.legend, x: x + sampleW + 8 * k,
                                     top: y + (lineH - measure.lineHeight(size: s.legend)) / 2)
            legend.append(SweepLayout.LegendEntry(strategy: i, sample: Rect(x: x, y: y + lineH / 2, width: sampleW, height: 0), label: label))
            x += w + 32 * k
        }
        // With measured points, a last legend entry says how to read them.
        var measuredKey: (marker: SweepLayout.Point, label: TextItem)?
        if chart.measured.contains(where: { $0.contains { $0.contains { $0.contains { $0 != nil } } } }) {
            let text = "hollow: measured for real (median, whisker min\u{2013}max)"
            let w = 24 * k + measure.width(text, size: s.legend)
            if x > m, x + w > b.width - m { x = m; y += lineH }
            let label = measure.item(text, .legend, size: s.legend, x: x + 24 * k, top: y + (lineH - measure.lineHeight(size: s.legend)) / 2)
            measuredKey = (SweepLayout.Point(x: x + 8 * k, y: y + lineH / 2), label)
        }
        let top = y + lineH + s.gap / 2

        // Notes: in the grid's spare cell when the metrics leave one (wrapped into lines), else at the bottom,
        // each on its own line, shortened to fit.
        let noteSize = s.legend
        let noteH = measure.lineHeight(size: noteSize) + 4 * k
        let spareCell = chart.columnKey == nil && chart.metrics.count % 3 != 0 && chart.metrics.count > 3
        let bottomNotes = spareCell ? [] : Array(chart.notes.prefix(3))
        var bottom = b.height - m - Double(bottomNotes.count) * noteH
        for (i, n) in bottomNotes.enumerated() {
            let t = measure.fit(n, size: noteSize, maxWidth: b.width - 2 * m)
            texts.append(measure.item(t, .note, size: noteSize, x: m, top: bottom + Double(i) * noteH + 4 * k))
        }
        bottom -= s.gap

        // The grid of panels: one row per metric and one column per value of the second key; with one
        // column, the metrics flow into rows of three so that each panel keeps a readable shape.
        let columns = max(1, chart.columns.count)
        let wrapped = chart.columnKey == nil
        let perRow = wrapped ? min(3, chart.metrics.count) : columns
        let rows = wrapped ? (chart.metrics.count + perRow - 1) / perRow : chart.metrics.count
        let tick = s.tick * 0.9
        let tickH = measure.lineHeight(size: tick)
        let headerH = measure.lineHeight(size: s.panelHeader * 0.9, bold: true) + 6 * k
        let columnHeaderH = wrapped ? 0 : measure.lineHeight(size: s.panelHeader, bold: true) + 8 * k
        let xAxisTitleH = tickH + 6 * k
        let yLabelW = (0..<chart.metrics.count).map { mi in
            yScale(chart, metric: mi).ticks.map { measure.width($0.label, size: tick) }.max() ?? 0
        }.max() ?? 0
        let left = m + yLabelW + 10 * k
        let cellGapX = 28 * k
        let cellW = (b.width - m - left - Double(perRow - 1) * (cellGapX + (wrapped ? yLabelW + 10 * k : 0))) / Double(perRow)
        let gridTop = top + columnHeaderH
        let cellH = (bottom - xAxisTitleH - gridTop) / Double(rows)
        guard cellW > 60 * k, cellH > headerH + tickH + 40 * k else {
            throw RenderingError.invalidOptions("the picture is too small for \(rows) x \(perRow) panels; use a larger --size or fewer values of \(chart.columnKey ?? "the second key")")
        }
        if let columnKey = chart.columnKey {
            for (c, v) in chart.columns.enumerated() {
                let cx = left + Double(c) * (cellW + cellGapX)
                let t = measure.fit("\(columnKey) = \(v)", size: s.panelHeader, bold: true, maxWidth: cellW)
                texts.append(measure.item(t, .panelHeader, size: s.panelHeader, bold: true,
                                          x: cx + (cellW - measure.width(t, size: s.panelHeader, bold: true)) / 2, top: top))
            }
        }

        let xs = xPositions(chart.x)
        var panels: [SweepLayout.Panel] = []
        for mi in chart.metrics.indices {
            let ys = yScale(chart, metric: mi)
            let yt = ys.ticks
            for c in 0..<columns {
                let row = wrapped ? mi / perRow : mi
                let col = wrapped ? mi % perRow : c
                let cellX = left + Double(col) * (cellW + cellGapX + (wrapped ? yLabelW + 10 * k : 0))
                let cellY = gridTop + Double(row) * cellH
                let frame = Rect(x: b.grid.snap(cellX), y: b.grid.snap(cellY + headerH),
                                 width: b.grid.snap(cellW), height: b.grid.snap(cellH - headerH - tickH - 14 * k))
                if col == 0 || wrapped || c == 0 {
                    let header = measure.fit(chart.metrics[mi].title + (ys.log ? " (log scale)" : ""), size: s.panelHeader * 0.9, bold: true, maxWidth: cellW)
                    if wrapped || c == 0 {
                        texts.append(measure.item(header, .panelHeader, size: s.panelHeader * 0.9, bold: true, x: frame.x, top: cellY))
                    }
                }
                func px(_ u: Double) -> Double { frame.x + u * frame.width }
                func py(_ v: Double) -> Double { frame.maxY - min(max(ys.fraction(v), 0), 1.02) * frame.height }
                // y ticks: labels left of the leftmost panel of each row (and of every panel when wrapped).
                if col == 0 || wrapped {
                    for t in yt {
                        let w = measure.width(t.label, size: tick)
                        texts.append(measure.item(t.label, .tickLabel, size: tick, x: frame.x - 8 * k - w, baseline: py(t.value) + tickH * 0.35))
                    }
                }
                // x ticks under every panel of the bottom row (and under every panel when wrapped).
                let xt = xTicks(chart.x)
                if row == rows - 1 || wrapped {
                    var lastRight = -Double.infinity
                    for t in xt {
                        let w = measure.width(t.label, size: tick)
                        let lx = min(max(px(t.position) - w / 2, frame.x), frame.maxX - w)
                        guard lx >= lastRight + 6 * k else { continue }
                        texts.append(measure.item(t.label, .tickLabel, size: tick, x: lx, top: frame.maxY + 6 * k))
                        lastRight = lx + w
                    }
                }
                var lines: [SweepLayout.Line] = []
                for si in chart.strategies.indices {
                    var pieces: [[SweepLayout.Point]] = [[]]
                    for (xi, u) in xs.enumerated() {
                        let v = chart.values[mi][c][si][xi]
                        if let v, v.isFinite {
                            pieces[pieces.count - 1].append(SweepLayout.Point(x: px(u), y: py(v)))
                        } else if !(pieces.last?.isEmpty ?? true) {
                            pieces.append([])
                        }
                    }
                    lines.append(SweepLayout.Line(strategy: si, pieces: pieces.filter { !$0.isEmpty }))
                }
                var marks: [SweepLayout.MeasuredMark] = []
                for si in chart.strategies.indices {
                    for (xi, u) in xs.enumerated() {
                        guard let v = chart.measured(mi, c, si, xi), v.median.isFinite, v.min.isFinite, v.max.isFinite else { continue }
                        marks.append(SweepLayout.MeasuredMark(strategy: si, x: px(u), median: py(v.median), top: py(v.max), bottom: py(v.min)))
                    }
                }
                panels.append(SweepLayout.Panel(metric: mi, column: c, frame: frame, gridX: xt.map { px($0.position) },
                                                gridY: yt.map { py($0.value) }, lines: lines, measured: marks))
            }
        }
        if spareCell, let last = panels.last {
            // The cell right of the last panel, from its header's top to the row's bottom.
            let x0 = last.frame.maxX + cellGapX + yLabelW + 10 * k
            let width = b.width - m - x0
            var y = last.frame.y - headerH + 12 * k
            for note in chart.notes {
                for line in wrap(note, width: width, measure: measure, size: noteSize) where y + noteH <= last.frame.maxY + tickH {
                    texts.append(measure.item(line, .note, size: noteSize, x: x0, top: y))
                    y += noteH
                }
                y += noteH / 2
            }
        }
        // The x axis's title once, right-aligned under the last panel.
        if let last = panels.last {
            let title = chart.x.key + (chart.x.isLog ? " (log scale)" : "")
            let w = measure.width(title, size: tick, bold: true)
            texts.append(measure.item(title, .axisTitle, size: tick, bold: true, x: b.width - m - w, top: last.frame.maxY + 8 * k + tickH))
        }
        if let measuredKey { texts.append(measuredKey.label) }
        return SweepLayout(width: b.width, height: b.height, resolution: b.grid.resolution, theme: b.theme, texts: texts,
                           panels: panels, legend: legend, colors: colors, markerSize: 11 * k, lineWidth: 3 * k,
                           measuredKey: measuredKey?.marker)
    }

    /// `text` broken at spaces into lines no wider than `width` (a word wider than that is shortened).
    static func wrap(_ text: String, width: Double, measure: TextMeasurer, size: Double) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            let candidate = current.isEmpty ? String(word) : current + " " + word
            if measure.width(candidate, size: size) <= width || current.isEmpty {
                current = candidate
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines.map { measure.fit($0, size: size, maxWidth: width) }
    }

    /// Each x value's position along the panel, 0...1 (log, linear or evenly spaced categories).
    static func xPositions(_ x: SweepChart.XAxis) -> [Double] {
        let n = x.labels.count
        guard n > 1 else { return [0.5] }
        guard let numbers = x.numbers, let lo = numbers.min(), let hi = numbers.max(), hi > lo else {
            return (0..<n).map { Double($0) / Double(n - 1) }
        }
        if x.isLog { return numbers.map { (log10($0) - log10(lo)) / (log10(hi) - log10(lo)) } }
        return numbers.map { ($0 - lo) / (hi - lo) }
    }

    struct XTick { var position: Double; var label: String }
    struct YTick { var value: Double; var label: String }

    /// Ticks along x: decades (and 2 and 5 times them when few) on a log axis, nice steps on a linear one,
    /// every category otherwise.
    static func xTicks(_ x: SweepChart.XAxis) -> [XTick] {
        let label: (Double) -> String = { v in
            x.isDuration ? Format.duration(.seconds(v)) : Format.significant(v, 3)
        }
        guard let numbers = x.numbers, let lo = numbers.min(), let hi = numbers.max(), hi > lo else {
            let pos = xPositions(x)
            return zip(pos, x.labels).map { XTick(position: $0, label: $1) }
        }
        if x.isLog {
            let l0 = log10(lo), l1 = log10(hi)
            let decades = Int(floor(l1)) - Int(ceil(l0)) + 1
            let multiples: [Double] = decades < 3 ? [1, 2, 5] : [1]
            var out: [XTick] = []
            for e in Int(floor(l0))...Int(ceil(l1)) {
                for mult in multiples {
                    let v = mult * pow(10, Double(e))
                    guard v >= lo * (1 - 1e-9), v <= hi * (1 + 1e-9) else { continue }
                    out.append(XTick(position: (log10(v) - l0) / (l1 - l0), label: label(v)))
                }
            }
            return out
        }
        let step = niceStep((hi - lo) / 5)
        var out: [XTick] = []
        var v = (lo / step).rounded(.up) * step
        while v <= hi * (1 + 1e-9) + 1e-12 {
            out.append(XTick(position: (v - lo) / (hi - lo), label: label(v)))
            v += step
        }
        return out
    }

    /// A metric's vertical scale: linear from 0, or log (decades) when its positive values span more than two
    /// decades (a convoy's makespan from 0.1 s to 60 s would otherwise flatten every other line).
    struct YScale {
        var ticks: [YTick]
        var log: Bool
        var lo: Double
        var hi: Double

        /// 0 at the bottom of the plot, 1 at the top.
        func fraction(_ v: Double) -> Double {
            if log { return v > 0 ? (log10(v) - log10(lo)) / (log10(hi) - log10(lo)) : -1 }
            return hi > lo ? (v - lo) / (hi - lo) : 0
        }
    }

    static func yScale(_ chart: SweepChart, metric mi: Int) -> YScale {
        let unit = chart.metrics[mi].unit
        let measured = mi < chart.measured.count ? chart.measured[mi].flatMap { $0.flatMap { $0.compactMap { $0 } } } : []
        let all = (chart.values[mi].flatMap { $0.flatMap { $0.compactMap { $0 } } } + measured.flatMap { [$0.min, $0.max] }).filter(\.isFinite)
        let largest = all.max() ?? 0
        let label: (Double) -> String = { v in
            switch unit {
            case .seconds: return v == 0 ? "0" : Format.duration(.seconds(v))
            case .rate: return rate(v)
            case .share: return Format.fixed(v * 100, 0) + "%"
            }
        }
        if unit != .share, let smallest = all.filter({ $0 > 0 }).min(), largest / smallest >= 100 {
            let lo = pow(10, floor(log10(smallest))), hi = pow(10, ceil(log10(largest)))
            var ticks: [YTick] = []
            var v = lo
            while v <= hi * (1 + 1e-9) { ticks.append(YTick(value: v, label: label(v))); v *= 10 }
            return YScale(ticks: ticks, log: true, lo: lo, hi: hi)
        }
        let top = unit == .share ? 1 : max(largest, 1e-9)
        let step = unit == .share ? 0.25 : niceStep(top / 4)
        let count = max(1, Int((top / step * (1 - 1e-9)).rounded(.up)))
        let ticks = (0...count).map { YTick(value: Double($0) * step, label: label(Double($0) * step)) }
        return YScale(ticks: ticks, log: false, lo: 0, hi: Double(count) * step)
    }

    /// 1, 2 or 5 times a power of ten, at least `rough`.
    static func niceStep(_ rough: Double) -> Double {
        guard rough > 0, rough.isFinite else { return 1 }
        let p = pow(10, floor(log10(rough)))
        for m in [1.0, 2, 5, 10] where m * p >= rough * (1 - 1e-9) { return m * p }
        return 10 * p
    }

    /// "850", "12.5k", "1.2M".
    static func rate(_ v: Double) -> String {
        if v >= 1e6 { return Format.significant(v / 1e6, 3) + "M" }
        if v >= 1e3 { return Format.significant(v / 1e3, 3) + "k" }
        return Format.significant(v, 3)
    }
}

/// Paints a `SweepLayout`: frames and grid, then lines with markers (shape per strategy, so that the lines
/// are told apart without colour too), legend and texts.
struct SweepPainter {
    let layout: SweepLayout
    let context: CairoContext
    var theme: Theme { layout.theme }

    func draw() throws {
        let c = context
        c.paint(theme.background)
        for p in layout.panels {
            c.setColor(theme.rowStripe)
            c.rectangle(p.frame)
            c.fill()
            c.setColor(theme.gridLine)
            c.setLineWidth(1)
            for x in p.gridX { c.moveTo(x, p.frame.y); c.lineTo(x, p.frame.maxY) }
            for y in p.gridY { c.moveTo(p.frame.x, y); c.lineTo(p.frame.maxX, y) }
            c.stroke()
            c.setColor(theme.axisLine)
            c.setLineWidth(1.5)
            c.moveTo(p.frame.x, p.frame.y); c.lineTo(p.frame.x, p.frame.maxY); c.lineTo(p.frame.maxX, p.frame.maxY)
            c.stroke()
            for line in p.lines {
                c.setColor(layout.colors[line.strategy])
                c.setLineWidth(layout.lineWidth)
                for piece in line.pieces {
                    guard let first = piece.first else { continue }
                    c.moveTo(first.x, first.y)
                    for pt in piece.dropFirst() { c.lineTo(pt.x, pt.y) }
                    c.stroke()
                }
                for piece in line.pieces {
                    for pt in piece { marker(line.strategy, x: pt.x, y: pt.y, size: layout.markerSize) }
                }
            }
            for mark in p.measured {
                // The whisker (with caps), then a hollow marker of the strategy's shape at the median.
                let cap = layout.markerSize * 0.45
                c.setColor(layout.colors[mark.strategy])
                c.setLineWidth(layout.lineWidth * 0.6)
                c.moveTo(mark.x, mark.top); c.lineTo(mark.x, mark.bottom)
                c.moveTo(mark.x - cap, mark.top); c.lineTo(mark.x + cap, mark.top)
                c.moveTo(mark.x - cap, mark.bottom); c.lineTo(mark.x + cap, mark.bottom)
                c.stroke()
                hollowMarker(mark.strategy, x: mark.x, y: mark.median, size: layout.markerSize * 1.3)
            }
        }
        if let key = layout.measuredKey {
            c.setColor(theme.mutedText)
            hollowMarker(nil, x: key.x, y: key.y, size: layout.markerSize * 1.3)
        }
        for e in layout.legend {
            c.setColor(layout.colors[e.strategy])
            c.setLineWidth(layout.lineWidth)
            c.moveTo(e.sample.x, e.sample.y); c.lineTo(e.sample.maxX, e.sample.y)
            c.stroke()
            marker(e.strategy, x: e.sample.x + e.sample.width / 2, y: e.sample.y, size: layout.markerSize * 1.2)
        }
        for t in layout.texts + layout.legend.map(\.label) {
            switch t.role {
            case .subtitle, .tickLabel, .note: c.setColor(theme.mutedText)
            default: c.setColor(theme.text)
            }
            c.setFont(size: t.fontSize, weight: t.bold ? .bold : .normal)
            c.showText(t.text, x: t.x, y: t.baseline)
        }
        try c.checkStatus("drawing the sweep picture")
    }

    /// A measured point: the strategy's shape (a circle for the legend's sample, `strategy` nil), outlined
    /// in its colour, filled with the background.
    func hollowMarker(_ strategy: Int?, x: Double, y: Double, size s: Double) {
        let c = context
        shape(strategy ?? 0, x: x, y: y, size: s)
        c.setColor(theme.background)
        c.fill()
        shape(strategy ?? 0, x: x, y: y, size: s)
        c.setColor(strategy.map { layout.colors[$0] } ?? theme.mutedText)
        c.setLineWidth(layout.lineWidth * 0.8)
        c.stroke()
    }

    /// Circle, square, triangle, diamond, inverted triangle, then again: one shape per strategy.
    func marker(_ strategy: Int, x: Double, y: Double, size s: Double) {
        let c = context
        shape(strategy, x: x, y: y, size: s)
        c.setColor(theme.background)
        c.setLineWidth(layout.lineWidth * 0.7)
        c.strokePreserve()
        c.setColor(layout.colors[strategy])
        c.fill()
    }

    /// The path of a strategy's marker shape.
    func shape(_ strategy: Int, x: Double, y: Double, size s: Double) {
        let c = context
        let h = s / 2
        switch strategy % 5 {
        case 0: c.arc(x, y, radius: h * 0.9)
        case 1: c.rectangle(Rect(x: x - h * 0.8, y: y - h * 0.8, width: h * 1.6, height: h * 1.6))
        case 2: c.moveTo(x, y - h); c.lineTo(x + h, y + h * 0.8); c.lineTo(x - h, y + h * 0.8); c.closePath()
        case 3: c.moveTo(x, y - h * 1.1); c.lineTo(x + h, y); c.lineTo(x, y + h * 1.1); c.lineTo(x - h, y); c.closePath()
        default: c.moveTo(x, y + h); c.lineTo(x + h, y - h * 0.8); c.lineTo(x - h, y - h * 0.8); c.closePath()
        }
    }
}
