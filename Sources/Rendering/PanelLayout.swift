import SimEngine
import SimTrace

/// A row decided before the plot's horizontal extent is known.
struct PlannedRow {
    var content: RowContent
    var label: String
    var indented: Bool
    var role: TextRole
}

struct PlannedGroup {
    var group: LaneGroup
    var rows: [PlannedRow]
    /// Whether the group gets a header line (else its rows' labels name the process).
    var showHeader: Bool
}

/// One panel's rows, chosen to fit its height: `maxLanes` rows at most, the rest collapsed.
struct PanelPlan {
    var trace: Trace
    var header: String?
    var top: Double
    var groups: [PlannedGroup]
    var rowHeight: Double
    /// What the panel leaves out, for the legend's notes ("showing 23 of 10,000 threads ...").
    var sampling: [String] = []

    /// Rows given to the processes' lanes (not the cores'), bands included.
    var taskRows: Int { groups.filter { $0.group.process != nil }.reduce(0) { $0 + $1.rows.count } }

    /// The names of the processes' lanes given a row of their own.
    var shownLaneNames: Set<String> {
        Set(groups.filter { $0.group.process != nil }.flatMap(\.rows).compactMap { row -> String? in
            if case .lane(let id) = row.content { return trace.lanes[id].name } else { return nil }
        })
    }
}

extension LayoutBuilder {
    var panelHeaderHeight: Double { measure.lineHeight(size: sizes.panelHeader, bold: true) + 8 * sizes.k }
    var groupHeaderHeight: Double { measure.lineHeight(size: sizes.processHeader, bold: true) + 6 * sizes.k }

    /// Chooses rows for `trace` between `top` and `bottom`. Where a process has more lanes than rows, the lanes
    /// named in `prefer` are shown if there are enough of them (the lanes of the panel above), else a sample.
    func planPanel(trace: Trace, header: String?, top: Double, bottom: Double, maxLanes: Int, showCores: Bool,
                   prefer: Set<String> = []) -> PanelPlan {
        let available = bottom - top - (header == nil ? 0 : panelHeaderHeight)
        // More processes than rows: the first ones get rows, the rest fold into one band.
        let all = LaneOrdering.groups(of: trace, showCores: showCores)
        let rowLimit = max(2, min(maxLanes, Int(available / sizes.rowMin)))
        // The cores keep a row each (up to a third of the rows): they show whether the machine was busy.
        let coreGroups = all.filter { $0.process == nil }.count
        let coreLanes = all.filter { $0.process == nil }.reduce(0) { $0 + $1.lanes.count }
        let coreRows = min(coreLanes, rowLimit / 3) + (coreLanes > 1 ? 1 : 0)  // the cores' header line takes about a row
        let (groups, sampledGroups) = LaneOrdering.folding(all, keep: max(1, rowLimit - coreRows - 1))
        // A header line is worth its height only above several lanes: a process with one lane (a pool worker,
        // the main process waiting) names itself in its row's label. With many processes even those headers
        // would leave no room for lanes, so then every label names its process. A lone group needs no name.
        let lone = groups.count == 1
        let headed = lone ? 0 : groups.filter { $0.lanes.count > 1 && $0.folded == 0 }.count
        let showHeaders = headed > 0 && Double(headed) * groupHeaderHeight + Double(groups.count) * sizes.rowMin <= available
        let forRows = available - (showHeaders ? Double(headed) * groupHeaderHeight : 0)
        let budget = max(groups.count, min(maxLanes, Int(forRows / sizes.rowMin)))
        // gevent's resolver threads only look names up for the greenlets: one band for all of them (how many
        // looked up at once), not a row each beside the hub and its greenlets.
        let resolverThreads = groups.map { g in g.lanes.filter { LaneNames.isGeventThreadpoolWorker(trace.lanes[$0].name) } }
        func banded(_ i: Int) -> Bool { resolverThreads[i].count > 1 }
        let allocation = LaneOrdering.allocate(budget: budget, sizes: groups.indices.map { i in
            groups[i].folded > 0 ? 1 : groups[i].lanes.count - (banded(i) ? resolverThreads[i].count - 1 : 0)
        })
        let rowCount = max(1, allocation.reduce(0, +))
        let rowHeight = max(2 / grid.resolution, grid.snap(min(sizes.rowMax, forRows / Double(rowCount))))

        var planned: [PlannedGroup] = []
        var sampling: [String] = []
        for (i, (whole, allotted)) in zip(groups, allocation).enumerated() {
            var group = whole, rows = allotted
            var resolverBand: PlannedRow?
            if banded(i) && group.folded == 0 && rows > 1 {
                let pool = Set(resolverThreads[i])
                group.lanes.removeAll { pool.contains($0) }
                rows -= 1
                resolverBand = PlannedRow(content: .collapsed(resolverThreads[i]),
                                          label: "\(resolverThreads[i].count) resolver threads", indented: false, role: .collapsedLabel)
            }
            if group.folded > 0 {
                planned.append(PlannedGroup(group: group, rows: [PlannedRow(content: .collapsed(group.lanes), label: group.title,
                                                                            indented: false, role: .collapsedLabel)], showHeader: false))
                let kept = groups.count - coreGroups - 1
                let how = sampledGroups > 0 ? ": the first \(kept - sampledGroups) and \(sampledGroups) spread evenly through the rest" : ""
                sampling.append("showing \(Format.grouped(kept)) of \(Format.grouped(all.count - coreGroups)) processes\(how)")
                continue
            }
            let header = showHeaders && group.lanes.count > 1
            var (shownLanes, sampled) = LaneOrdering.sample(group.lanes, rows: rows)
            var matched = false
            if !prefer.isEmpty, shownLanes.count < group.lanes.count {
                let named = group.lanes.filter { prefer.contains(trace.lanes[$0].name) }
                if named.count >= shownLanes.count {
                    shownLanes = Array(named.prefix(shownLanes.count))
                    matched = true
                }
            }
            var out: [PlannedRow] = []
            for id in shownLanes {
                let lane = trace.lanes[id]
                let hosted = (lane.kind == .greenlet || lane.kind == .coroutine) && lane.hostThread != nil
                var text = hosted ? "↳ " + lane.name : lane.name
                if !header, !lone, lane.kind != .core, !hosted, lane.name != group.title { text = "\(group.title) · \(lane.name)" }
                out.append(PlannedRow(content: .lane(id), label: text, indented: hosted, role: .laneLabel))
            }
            let shownSet = Set(shownLanes)
            let rest = shownLanes.count == group.lanes.count ? [] : group.lanes.filter { !shownSet.contains($0) }
            if sampled > 0 || matched {
                let noun = Self.noun(Set(group.lanes.map { trace.lanes[$0].kind }))
                let whose = lone ? "" : " of \(group.title)"
                let which = matched ? "those of the panel above" : "the first \(shownLanes.count - sampled) and \(sampled) spread evenly through the rest"
                sampling.append("showing \(Format.grouped(shownLanes.count)) of \(Format.grouped(group.lanes.count)) \(noun)\(whose): \(which)")
            }
            if !rest.isEmpty {
                let kinds = Set(rest.map { trace.lanes[$0].kind })
                let hosted = kinds.isSubset(of: [.greenlet, .coroutine])
                out.append(PlannedRow(content: .collapsed(rest), label: "+\(Format.grouped(rest.count)) more \(Self.noun(kinds))",
                                      indented: hosted, role: .collapsedLabel))
            }
            if let resolverBand { out.append(resolverBand) }
            planned.append(PlannedGroup(group: whole, rows: out, showHeader: header))
        }
        return PanelPlan(trace: trace, header: header, top: top, groups: planned, rowHeight: rowHeight, sampling: sampling)
    }

    /// The end of a band's label when it is drawn as tall as `peak` lanes: " · ≤3 at once".
    static func peakSuffix(_ peak: Int) -> String { " · ≤\(Format.grouped(peak)) at once" }

    /// "threads", "coroutines", ... for lanes of `kinds` ("lanes" for a mix).
    static func noun(_ kinds: Set<LaneKind>) -> String {
        switch kinds.count == 1 ? kinds.first! : nil {
        case .thread?: return "threads"
        case .greenlet?: return "greenlets"
        case .coroutine?: return "coroutines"
        case .core?: return "cores"
        case nil: return "lanes"
        }
    }

    /// The lane label font size for rows of `rowHeight`.
    func labelSize(rowHeight: Double) -> Double { min(sizes.laneLabel, rowHeight / 1.25) }

    /// The width the labels of `plans` need (indent included).
    func labelColumnWidth(_ plans: [PanelPlan]) -> Double {
        var widest = 0.0
        for plan in plans {
            let size = labelSize(rowHeight: plan.rowHeight)
            for g in plan.groups {
                for r in g.rows {
                    let label = r.role == .collapsedLabel ? r.label + Self.peakSuffix(9_999) : r.label
                    widest = max(widest, (r.indented ? sizes.indent : 0) + measure.width(label, size: size))
                }
            }
        }
        return min(max(widest, 120 * sizes.k), width * 0.28)
    }

    /// Places a planned panel's rows, merges its segments into pixel columns, and places its marks.
    ///
    /// - Complexity: O(segments + instants + rows x columns).
    func placePanel(_ plan: PanelPlan, scale: TimeScale, labelX: Double, labelWidth: Double) -> LanePanel {
        var y = plan.top
        var header: TextItem? = nil
        if let h = plan.header {
            let text = measure.fit(h, size: sizes.panelHeader, bold: true, maxWidth: width - 2 * sizes.margin)
            header = measure.item(text, .panelHeader, size: sizes.panelHeader, bold: true, x: labelX, top: y)
            y += panelHeaderHeight
        }
        let rowH = plan.rowHeight
        let size = labelSize(rowHeight: rowH)
        let textH = measure.lineHeight(size: size)
        let inset = grid.snap(rowH * 0.16)
        var groups: [ProcessGroupLayout] = []
        var placedRows: [(group: Int, planned: PlannedRow, frame: Rect)] = []
        for (gi, g) in plan.groups.enumerated() {
            var gh: TextItem? = nil
            if g.showHeader {
                let text = measure.fit(g.group.title, size: sizes.processHeader, bold: true, maxWidth: width - 2 * sizes.margin)
                gh = measure.item(text, .processHeader, size: sizes.processHeader, bold: true, x: labelX, top: y + 3 * sizes.k)
                y += groupHeaderHeight
            }
            groups.append(ProcessGroupLayout(process: g.group.process, header: gh, rows: []))
            for r in g.rows {
                let top = grid.snap(y)
                placedRows.append((gi, r, Rect(x: scale.x, y: top, width: scale.width, height: rowH)))
                y = top + rowH
            }
        }

        // Aggregate every segment once into its row's pixel columns.
        let columns = max(1, Int((scale.width * grid.resolution).rounded()))
        var rowOfLane = [Int](repeating: -1, count: plan.trace.lanes.count)
        for (i, r) in placedRows.enumerated() {
            switch r.planned.content {
            case .lane(let id): rowOfLane[id] = i
            case .collapsed(let ids): for id in ids { rowOfLane[id] = i }
            }
        }
        let aggregated = ColumnAggregator.aggregate(plan.trace, window: scale.window, columns: columns,
                                                    rowOfLane: rowOfLane, rowCount: placedRows.count)
        let marksByRow = marks(plan.trace, rowOfLane: rowOfLane, rows: placedRows.map(\.frame), inset: inset, scale: scale)

        for (i, r) in placedRows.enumerated() {
            let bar = Rect(x: r.frame.x, y: r.frame.y + inset, width: r.frame.width, height: max(1 / grid.resolution, rowH - 2 * inset))
            let labelMax = labelWidth - (r.planned.indented ? sizes.indent : 0)
            // A band of many lanes of which few live at once (threads started one after another) is drawn as
            // tall as the most alive at once, and says so; otherwise it would be a hairline.
            var bandLanes = 0
            var labelText = r.planned.label
            if case .collapsed(let ids) = r.planned.content {
                let peak = Int((aggregated[i].peakCoverage() - 0.01).rounded(.up))  // less float noise
                bandLanes = ids.count
                if peak > 0, peak * 2 <= ids.count {
                    bandLanes = peak
                    labelText += Self.peakSuffix(peak)
                }
            }
            let text = measure.fit(labelText, size: size, maxWidth: labelMax)
            let label = measure.item(text, r.planned.role, size: size, x: labelX + (r.planned.indented ? sizes.indent : 0),
                                     top: r.frame.y + (rowH - textH) / 2)
            var row = LaneRow(content: r.planned.content, label: label, frame: r.frame, bar: bar, runs: [], density: [],
                              marks: [], hiddenMarks: 0)
            let px = 1 / grid.resolution
            switch r.planned.content {
            case .lane:
                row.runs = aggregated[i].dominantRuns().map {
                    StateRun(x0: scale.x + Double($0.first) * px, x1: scale.x + Double($0.end) * px, state: $0.state)
                }
                (row.marks, row.hiddenMarks) = marksByRow[i]
            case .collapsed:
                row.density = density(aggregated[i], laneCount: bandLanes, bar: bar, x0: scale.x)
            }
            groups[r.group].rows.append(row)
        }
        return LanePanel(header: header, groups: groups)
    }

    /// Stacked state shares per column of a collapsed row, quantized to device pixels and merged into runs
    /// of equal columns. Shares are of the row's lanes, so lanes that do not exist yet leave a gap.
    func density(_ cols: StateColumns, laneCount: Int, bar: Rect, x0: Double) -> [DensityRun] {
        let n = StateColumns.stateCount
        let deviceHeight = Int((bar.height * grid.resolution).rounded())
        let px = 1 / grid.resolution
        var out: [DensityRun] = []
        var previous: [Int] = []
        var runStart = 0
        var key = [Int](repeating: 0, count: n)
        func flush(until c: Int) {
            guard !previous.isEmpty, previous.last! > 0 else { return }
            var pieces: [DensityPiece] = []
            var below = 0
            for s in 0..<n where previous[s] > below {
                let h = previous[s] - below
                pieces.append(DensityPiece(state: LaneState(rawValue: UInt8(s))!, y: bar.maxY - Double(previous[s]) * px,
                                           height: Double(h) * px))
                below = previous[s]
            }
            out.append(DensityRun(x0: x0 + Double(runStart) * px, x1: x0 + Double(c) * px, pieces: pieces))
        }
        for c in 0..<cols.columns {
            var cumulative: Float = 0
            for s in 0..<n {
                cumulative += cols.coverage[c * n + s]
                key[s] = Int((min(1, cumulative / Float(laneCount)) * Float(deviceHeight)).rounded())
            }
            if key != previous {
                flush(until: c)
                previous = key
                runStart = c
            }
        }
        flush(until: cols.columns)
        return out
    }

    /// The marks of each lane row that are far enough apart to read; marks in clusters closer than
    /// `markSpacing` are left out and counted. O(instants log instants).
    func marks(_ trace: Trace, rowOfLane: [Int], rows: [Rect], inset: Double, scale: TimeScale)
        -> [(marks: [MarkGlyph], hidden: Int)]
    {
        var byRow = [[InstantEvent]](repeating: [], count: rows.count)
        let start = scale.window.start, end = scale.window.end
        for e in trace.instants where e.time >= start && e.time <= end {
            let lane = Int(e.lane)
            guard lane >= 0, lane < rowOfLane.count, rowOfLane[lane] >= 0 else { continue }
            if case .core = trace.lanes[lane].kind { continue }
            byRow[rowOfLane[lane]].append(e)
        }
        let glyph = min(18 * sizes.k, max(8 * sizes.k, (rows.first?.height ?? 30) * 0.4))
        return byRow.enumerated().map { i, events in
            if events.isEmpty { return ([], 0) }
            let frame = rows[i]
            var marks: [MarkGlyph] = []
            var hidden = 0
            let spacing = sizes.markSpacing
            /// The events of `list` (sorted by time) that stand apart from their neighbours; the rest are counted.
            func isolated(_ list: [InstantEvent]) -> [InstantEvent] {
                var out: [InstantEvent] = []
                var j = 0
                while j < list.count {
                    // A cluster: marks each closer than the spacing to the one before.
                    var k = j + 1
                    while k < list.count, scale.x(of: list[k].time) - scale.x(of: list[k - 1].time) < spacing { k += 1 }
                    if k == j + 1 { out.append(list[j]) } else { hidden += k - j }
                    j = k
                }
                return out
            }
            for edge in [MarkEdge.top, .bottom] {
                let list = events.filter { MarkGlyph.edge(of: $0.kind) == edge }
                    .sorted { ($0.time, $0.kind.rawValue) < ($1.time, $1.kind.rawValue) }
                // Telling marks first; a quiet one next to a telling one gives way to it rather than hiding both.
                let loud = isolated(list.filter { !MarkGlyph.isQuiet($0.kind) })
                let loudX = loud.map { scale.x(of: $0.time) }
                var quiet: [InstantEvent] = []
                var n = 0
                for e in isolated(list.filter { MarkGlyph.isQuiet($0.kind) }) {
                    let x = scale.x(of: e.time)
                    while n < loudX.count, loudX[n] <= x - spacing { n += 1 }
                    if n < loudX.count, loudX[n] < x + spacing { hidden += 1 } else { quiet.append(e) }
                }
                let y = edge == .top ? frame.y + inset : frame.maxY - inset
                for e in loud + quiet {
                    let q = MarkGlyph.isQuiet(e.kind)
                    marks.append(MarkGlyph(kind: e.kind, time: e.time, x: scale.x(of: e.time), y: y, edge: edge,
                                           size: q ? glyph * 0.7 : glyph, quiet: q))
                }
            }
            marks.sort { ($0.x, $0.kind.rawValue) < ($1.x, $1.kind.rawValue) }
            return (marks, hidden)
        }
    }
}
