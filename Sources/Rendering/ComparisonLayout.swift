import SimEngine
import SimTrace

extension TimelineLayout {
    /// Lays out the comparison: each strategy's lanes as a compact band on one shared time axis (thin
    /// lanes when they fit, else their state mix), and beside it a bar of its makespan with the measured
    /// median and min-max when known.
    ///
    /// - Complexity: O(segments of all traces + strategies x lanes x columns).
    public static func comparison(title: String, subtitle: String, rows: [ComparisonRow], options: RenderOptions,
                                  format: PictureFormat = .png) throws -> TimelineLayout {
        try options.validate()
        guard !rows.isEmpty else { throw RenderingError.invalidOptions("the comparison has no strategies to show") }
        let b = try LayoutBuilder(options: options, format: format)
        let s = b.sizes, k = s.k, grid = b.grid
        var longest = SimTime.zero
        for r in rows {
            longest = max(longest, r.makespan, r.trace?.end ?? .zero, r.measured?.max ?? .zero)
        }
        if longest <= .zero { longest = .milliseconds(1) }
        let window = options.window ?? TimeWindow(start: .zero, end: longest)
        let head = b.titleBlock(title: title, subtitle: zoomed(subtitle, window: options.window, runEnd: longest), figures: [])

        var states = Set<LaneState>()
        for r in rows {
            guard let t = r.trace else { continue }
            for seg in t.segments where seg.end > window.start && seg.start < window.end && Int(seg.lane) < t.lanes.count
                && seg.lane >= 0 && t.lanes[Int(seg.lane)].kind != .core {
                states.insert(seg.state)
            }
        }
        var keys = LaneState.allCases.filter(states.contains).map { LegendKey.state($0) }
        keys.append(.predictedBar)
        if rows.contains(where: { $0.measured != nil }) { keys.append(.measuredBar) }
        let legendLines = b.legend(keys, notes: [], top: 0).lines
        var legendTop = b.height - s.margin - Double(legendLines) * b.legendLineHeight
        var axisY = grid.snap(legendTop - s.gap - b.axisHeight)

        // Columns: strategy names | bands on the time axis | makespan bars.
        let nameSize = s.panelHeader
        let nameWidth = min(b.width * 0.2, rows.map {
            max(b.measure.width($0.strategy, size: nameSize, bold: true), $0.note.map { b.measure.width($0, size: s.tick) } ?? 0)
        }.max() ?? 0)
        let plotX = grid.snap(s.margin + max(nameWidth + 2, 100 * k) + s.gap)
        let barsWidth = (b.width - 2 * s.margin) * 0.3
        let barsX = grid.snap(b.width - s.margin - barsWidth)
        let columns = Int(((barsX - 2 * s.gap - plotX) * grid.resolution).rounded(.down))
        let scale = TimeScale(window: window, x: plotX, width: Double(columns) / grid.resolution)

        let headerTop = head.bottom
        let lanesTop = headerTop + b.panelHeaderHeight
        let lanesBottom = axisY - 8 * k
        let rowPitch = min(170 * k, (lanesBottom - lanesTop) / Double(rows.count))
        let rowGap = grid.snap(min(16 * k, rowPitch * 0.2))
        let bandH = grid.snap(rowPitch - rowGap)
        // Few strategies leave room below them: the axis and legend follow the rows.
        let spare = lanesBottom - (lanesTop + Double(rows.count) * rowPitch)
        if spare > 1 {
            axisY -= grid.snap(spare)
            legendTop -= grid.snap(spare)
        }

        // Bars: value labels need room to the right of the longest bar.
        let valueSize = s.tick
        let valueTexts = rows.map { r -> (String, String?) in
            (Format.duration(r.makespan), r.measured.map { "measured " + Format.duration($0.median) })
        }
        let widestValue = valueTexts.map { max(b.measure.width($0.0, size: valueSize), $0.1.map { b.measure.width($0, size: valueSize) } ?? 0) }.max() ?? 0
        var barMax = SimTime.zero
        for r in rows { barMax = max(barMax, r.makespan, r.measured?.max ?? .zero) }
        if barMax <= .zero { barMax = .milliseconds(1) }
        let barScale = TimeScale(window: TimeWindow(start: .zero, end: barMax), x: barsX,
                                 width: max(50 * k, barsWidth - widestValue - 12 * k))
        var barAxis = b.axis(scale: barScale, y: axisY, gridTop: lanesTop, title: { $0 }, titleRight: nil, spacing: 90)
        // The bar axis's unit goes right of its end, in the room kept there for the value labels: the ticks
        // count in it while the values carry their own ("2.18 s"), so the header names no unit.
        barAxis.labels.append(b.measure.item(barAxis.unit.rawValue, .axisTitle, size: s.tick, x: barScale.x + barScale.width + 10 * k,
                                             top: axisY + barAxis.tickLength + 6 * k))
        let timeAxis = b.axis(scale: scale, y: axisY, gridTop: lanesTop, title: { "time (\($0))" }, titleRight: plotX - s.gap)

        var texts = head.texts
        texts.append(b.measure.item(b.measure.fit("timeline: state mix of each strategy's lanes", size: s.subtitle, maxWidth: scale.width),
                                    .panelHeader, size: s.subtitle, x: plotX, top: headerTop))
        texts.append(b.measure.item("makespan", .panelHeader, size: s.subtitle, x: barsX, top: headerTop))

        var groups: [ProcessGroupLayout] = []
        var bars: [MakespanBar] = []
        let textH = b.measure.lineHeight(size: valueSize)
        for (i, r) in rows.enumerated() {
            let top = grid.snap(lanesTop + Double(i) * rowPitch)
            let nameH = b.measure.lineHeight(size: nameSize, bold: true)
            let name = b.measure.fit(r.strategy, size: nameSize, bold: true, maxWidth: plotX - s.gap - s.margin)
            // A note goes under the name, the two centred on the band together.
            let noteSize = s.tick, noteH = r.note == nil ? 0 : b.measure.lineHeight(size: noteSize)
            let nameTop = top + (bandH - nameH - noteH) / 2
            let label = b.measure.item(name, .strategyLabel, size: nameSize, bold: true, x: s.margin, top: nameTop)
            if let note = r.note {
                texts.append(b.measure.item(b.measure.fit(note, size: noteSize, maxWidth: plotX - s.gap - s.margin), .note,
                                            size: noteSize, x: s.margin, top: nameTop + nameH))
            }
            let band = Rect(x: scale.x, y: top, width: scale.width, height: bandH)
            groups.append(ProcessGroupLayout(process: nil, header: label,
                                             rows: r.trace.map { bandRows($0, band: band, scale: scale, builder: b) } ?? [],
                                             band: Rect(x: s.margin, y: top - rowGap / 2, width: 0, height: bandH + rowGap)))

            // Predicted bar on top, measured below it when known.
            let half = r.measured == nil ? bandH * 0.6 : grid.snap(bandH * 0.42)
            let predictedY = r.measured == nil ? grid.snap(top + (bandH - half) / 2) : top + grid.snap(bandH * 0.05)
            let predictedEnd = barScale.x(of: r.makespan)
            let predicted = Rect(x: barsX, y: predictedY, width: max(1 / grid.resolution, predictedEnd - barsX), height: half)
            let pv = b.measure.item(valueTexts[i].0, .barValue, size: valueSize, x: predicted.maxX + 8 * k,
                                    top: predicted.y + (half - textH) / 2)
            var bar = MakespanBar(strategy: r.strategy, predicted: predicted, predictedValue: pv, measured: nil, whisker: nil, measuredValue: nil)
            if let m = r.measured {
                let my = grid.snap(predicted.maxY + bandH * 0.06)
                let medianX = barScale.x(of: m.median)
                bar.measured = Rect(x: barsX, y: my, width: max(1 / grid.resolution, medianX - barsX), height: half)
                let wy = my + half / 2
                bar.whisker = (barScale.x(of: m.min), barScale.x(of: m.max), wy)
                let right = max(medianX, barScale.x(of: m.max)) + 8 * k
                bar.measuredValue = b.measure.item(valueTexts[i].1!, .barValue, size: valueSize, x: right, top: my + (half - textH) / 2)
            }
            bars.append(bar)
        }
        let panel = LanePanel(header: nil, groups: groups)
        var shownKeys = drawnStates([panel]).map { LegendKey.state($0) }
        shownKeys += keys.filter { if case .state = $0 { return false } else { return true } }
        let legend = b.legend(shownKeys, notes: [], top: legendTop)
        return TimelineLayout(width: b.width, height: b.height, resolution: grid.resolution, theme: b.theme,
                              texts: texts + legend.notes, panels: [panel], axis: timeAxis,
                              barAxis: barAxis, legend: legend.entries, bars: bars, rowSpan: (s.margin, barsX - s.gap))
    }

    /// A strategy's band: its lanes as thin rows when each gets at least 4 units (and there are at most 40, beyond
    /// which single lanes stop being worth following), else one density row.
    static func bandRows(_ trace: Trace, band: Rect, scale: TimeScale, builder b: LayoutBuilder) -> [LaneRow] {
        let lanes = LaneOrdering.groups(of: trace, showCores: false).flatMap(\.lanes)
        guard !lanes.isEmpty else { return [] }
        let columns = max(1, Int((scale.width * b.grid.resolution).rounded()))
        let thin = Double(lanes.count) * 4 * b.sizes.k <= band.height && lanes.count <= 40
        var rowOfLane = [Int](repeating: -1, count: trace.lanes.count)
        if thin { for (i, id) in lanes.enumerated() { rowOfLane[id] = i } } else { for id in lanes { rowOfLane[id] = 0 } }
        let rowCount = thin ? lanes.count : 1
        let aggregated = ColumnAggregator.aggregate(trace, window: scale.window, columns: columns, rowOfLane: rowOfLane, rowCount: rowCount)
        let px = 1 / b.grid.resolution
        if !thin {
            return [LaneRow(content: .collapsed(lanes), label: nil, frame: band, bar: band, runs: [],
                            density: b.density(aggregated[0], laneCount: lanes.count, bar: band, x0: scale.x), marks: [], hiddenMarks: 0)]
        }
        // Thin rows fill the band exactly; a hairline gap separates them when there is room.
        var out: [LaneRow] = []
        for (i, id) in lanes.enumerated() {
            let y0 = b.grid.snap(band.y + band.height * Double(i) / Double(lanes.count))
            let y1 = b.grid.snap(band.y + band.height * Double(i + 1) / Double(lanes.count))
            let frame = Rect(x: band.x, y: y0, width: band.width, height: y1 - y0)
            let gap = frame.height >= 6 * b.sizes.k ? max(px, b.grid.snap(b.sizes.k)) : 0
            let bar = Rect(x: band.x, y: y0, width: band.width, height: frame.height - gap)
            let runs = aggregated[i].dominantRuns().map {
                StateRun(x0: scale.x + Double($0.first) * px, x1: scale.x + Double($0.end) * px, state: $0.state)
            }
            out.append(LaneRow(content: .lane(id), label: nil, frame: frame, bar: bar, runs: runs, density: [], marks: [], hiddenMarks: 0))
        }
        return out
    }
}
