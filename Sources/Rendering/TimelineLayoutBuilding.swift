import SimEngine
import SimTrace

extension TimelineLayout {
    /// Lays out one run's timeline. `format` decides the column resolution (device pixels for PNG).
    ///
    /// - Complexity: O(segments + instants log instants + rows x columns).
    public static func timeline(_ chart: TimelineChart, options: RenderOptions, format: PictureFormat = .png) throws -> TimelineLayout {
        try stacked(title: chart.title, subtitle: chart.subtitle, figures: chart.keyFigures,
                    panels: [(nil, chart.trace)], options: options, format: format)
    }

    /// Lays out a model timeline above a measured one on a shared time axis.
    public static func sideBySide(model: TimelineChart, real: TimelineChart, options: RenderOptions,
                                  format: PictureFormat = .png) throws -> TimelineLayout {
        func header(_ who: String, _ chart: TimelineChart) -> String {
            var parts = [who]
            if let m = chart.makespan { parts.append("makespan \(Format.duration(m))") }
            parts += chart.keyFigures.filter { $0.label != "makespan" }.prefix(4).map { "\($0.label) \($0.value)" }
            return parts.joined(separator: " · ")
        }
        let title = "\(model.scenario) — \(model.strategy): model vs measured"
        return try stacked(title: title, subtitle: model.subtitle, figures: [],
                           panels: [(header("model (predicted)", model), model.trace), (header("measured (real run)", real), real.trace)],
                           options: options, format: format)
    }

    /// Panels of lanes stacked on one time axis, under a title block and above the axis and legend.
    static func stacked(title: String, subtitle: String, figures: [KeyFigure], panels: [(String?, Trace)],
                        options: RenderOptions, format: PictureFormat) throws -> TimelineLayout {
        try options.validate()
        let b = try LayoutBuilder(options: options, format: format)
        let s = b.sizes
        let traces = panels.map(\.1)
        let runEnd = traces.map(\.end).max() ?? .zero
        let window = options.window ?? TimeWindow(start: .zero, end: runEnd > .zero ? runEnd : .milliseconds(1))
        let head = b.titleBlock(title: title, subtitle: zoomed(subtitle, window: options.window, runEnd: runEnd), figures: figures)

        // The legend's lines are reserved from the bottom before the lanes take the rest.
        let shownLanes: [Set<Int>] = traces.map { t in Set(t.lanes.filter { options.showCores || $0.kind != .core }.map(\.id)) }
        var states = Set<LaneState>()
        var markKinds = Set<InstantKind>()
        for (t, shown) in zip(traces, shownLanes) {
            for seg in t.segments where seg.end > window.start && seg.start < window.end && shown.contains(Int(seg.lane)) {
                states.insert(seg.state)
            }
            for e in t.instants where e.time >= window.start && e.time <= window.end && shown.contains(Int(e.lane))
                && t.lanes[Int(e.lane)].kind != .core { markKinds.insert(e.kind) }
        }
        let stateKeys = LaneState.allCases.filter(states.contains).map { LegendKey.state($0) }
        let allMarkKeys = InstantKind.allCases.filter(markKinds.contains).map { LegendKey.mark($0) }
        // Notes that may come: marks too close to draw; lanes left out of a trace with more lanes than rows.
        var reserveNotes = markKinds.isEmpty ? [] : [hiddenNote(99_999)]
        if traces.contains(where: { $0.lanes.count > options.maxLanes }) { reserveNotes.append(samplingNote(["showing 99,999 of 999,999 coroutines of main process: the first 99 and 99 spread evenly through the rest"])) }
        let legendLines = b.legend(stateKeys + allMarkKeys, notes: reserveNotes, top: 0).lines
        var legendTop = b.height - s.margin - Double(legendLines) * b.legendLineHeight
        var axisY = b.grid.snap(legendTop - s.gap - b.axisHeight)
        let lanesTop = head.bottom, lanesBottom = axisY - 8 * s.k

        // Split the height among panels evenly.
        let share = (lanesBottom - lanesTop) / Double(panels.count)
        func plan(_ i: Int, maxLanes: Int, prefer: Set<String> = []) -> PanelPlan {
            let top = lanesTop + Double(i) * share
            let gap = i + 1 < panels.count ? s.gap : 0
            return b.planPanel(trace: traces[i], header: panels[i].0, top: top, bottom: top + share - gap,
                               maxLanes: maxLanes, showCores: options.showCores, prefer: prefer)
        }
        var plans = panels.indices.map { plan($0, maxLanes: options.maxLanes) }
        // Model above measurement: the same number of task rows in each, so that the rows sample the same lanes
        // (the lanes come in the same order on both sides) and read against each other. The model's panel
        // gives rows to its cores, which the measured side has not, so the measured one usually gives way.
        if plans.count > 1, let fewest = plans.map(\.taskRows).min() {
            var limits = plans.map { _ in options.maxLanes }
            for i in plans.indices where plans[i].taskRows > fewest {
                while plans[i].taskRows > fewest && limits[i] > 2 {
                    limits[i] = max(2, limits[i] - (plans[i].taskRows - fewest))
                    plans[i] = plan(i, maxLanes: limits[i])
                }
            }
            // Lanes by name: where both panels leave lanes out, the lower one shows those the upper one shows.
            let names = plans[0].shownLaneNames
            for i in plans.indices.dropFirst() { plans[i] = plan(i, maxLanes: limits[i], prefer: names) }
            // One row height for all, the panels stacked one after the other and their rows sharing what the
            // headers leave of the height (the panel that gave way would otherwise leave a hole).
            let fixed = plans.map { p in
                (p.header == nil ? 0 : b.panelHeaderHeight) + Double(p.groups.filter(\.showHeader).count) * b.groupHeaderHeight
            }
            let rows = plans.map { $0.groups.reduce(0) { $0 + $1.rows.count } }
            let room = lanesBottom - lanesTop - Double(plans.count - 1) * s.gap - fixed.reduce(0, +)
            let rowHeight = max(plans.map(\.rowHeight).min() ?? 0,
                                b.grid.snap(min(s.rowMax, room / Double(max(1, rows.reduce(0, +))))))
            var top = lanesTop
            for i in plans.indices {
                plans[i].top = top
                plans[i].rowHeight = rowHeight
                top += fixed[i] + Double(rows[i]) * rowHeight + s.gap
            }
        }
        let labelWidth = b.labelColumnWidth(plans)
        let plotX = b.grid.snap(s.margin + labelWidth + s.gap)
        let columns = Int(((b.width - s.margin - plotX) * b.grid.resolution).rounded(.down))
        let scale = TimeScale(window: window, x: plotX, width: Double(columns) / b.grid.resolution)
        let placed = plans.map { b.placePanel($0, scale: scale, labelX: s.margin, labelWidth: labelWidth) }
        // Few lanes leave room below them: the axis and legend follow the lanes rather than the page's foot.
        if let lastBottom = placed.last?.rows.last?.frame.maxY, lanesBottom - lastBottom > 1 {
            let lift = b.grid.snap(lanesBottom - lastBottom)
            axisY -= lift
            legendTop -= lift
        }

        let hidden = placed.flatMap(\.rows).reduce(0) { $0 + $1.hiddenMarks }
        let drawnKinds = Set(placed.flatMap(\.rows).flatMap(\.marks).map(\.kind))
        let markKeys = InstantKind.allCases.filter(drawnKinds.contains).map { LegendKey.mark($0) }
        // Only states that got at least a pixel: a legend entry for a colour nowhere to be seen sends eyes hunting.
        let drawnStateKeys = drawnStates(placed).map { LegendKey.state($0) }
        var notes = hidden > 0 ? [hiddenNote(hidden)] : []
        let sampling = plans.flatMap(\.sampling)
        if !sampling.isEmpty { notes.append(samplingNote(sampling)) }
        let legend = b.legend(drawnStateKeys + markKeys, notes: notes, top: legendTop)
        let axis = b.axis(scale: scale, y: axisY, gridTop: lanesTop, title: { "time (\($0))" }, titleRight: plotX - s.gap)

        var layout = TimelineLayout(width: b.width, height: b.height, resolution: b.grid.resolution, theme: b.theme,
                                    texts: head.texts + legend.notes, panels: placed, axis: axis, barAxis: nil,
                                    legend: legend.entries, bars: [], rowSpan: (s.margin, b.width - s.margin))
        if options.explain {
            let found = zip(traces, placed).map { trace, panel in
                let shown = Set(panel.rows.compactMap { if case .lane(let id) = $0.content { return id } else { return nil } })
                return Explanations.find(in: trace, window: window.start..<window.end, isShown: shown.contains)
            }
            let plot = Rect(x: scale.x, y: lanesTop, width: scale.width, height: axis.y - lanesTop)
            layout.annotations = b.annotations(found, panels: placed, traces: traces, scale: scale, plot: plot,
                                               obstacles: layout.allTexts.map(\.bounds) + legend.entries.map(\.swatch))
        }
        return layout
    }

    /// The lanes a picture leaves out, in one note (the same note of both panels of a side-by-side once).
    static func samplingNote(_ parts: [String]) -> String {
        var seen = Set<String>()
        return parts.filter { seen.insert($0).inserted }.joined(separator: "; ") + "; the rest in the density bands"
    }

    static func hiddenNote(_ n: Int) -> String {
        "\(Format.grouped(n)) GIL/loop marks too close to draw at this zoom"
    }

    /// The states drawn in `panels` (in lane rows or density bands), in legend order. O(runs + pieces).
    static func drawnStates(_ panels: [LanePanel]) -> [LaneState] {
        var drawn = Set<LaneState>()
        for row in panels.flatMap(\.rows) {
            for r in row.runs { drawn.insert(r.state) }
            for d in row.density { for p in d.pieces { drawn.insert(p.state) } }
        }
        return LaneState.allCases.filter(drawn.contains)
    }

    /// `subtitle` with the shown window appended when it is not the whole run ("… · showing 10–40 ms of 1.07 s"),
    /// so that a zoomed picture never passes for the whole run.
    static func zoomed(_ subtitle: String, window: TimeWindow?, runEnd: SimTime) -> String {
        guard let window, window.start > .zero || window.end < runEnd else { return subtitle }
        var note = "showing " + Format.span(window.start, window.end)
        if runEnd > .zero { note += " of " + Format.duration(runEnd) }
        return subtitle.isEmpty ? note : subtitle + "  ·  " + note
    }
}
