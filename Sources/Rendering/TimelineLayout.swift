import SimEngine
import SimTrace

/// What a piece of text is, so that the painter picks its colour and tests can find it.
public enum TextRole: Sendable, Equatable {
    case title, subtitle, figureValue, figureLabel, panelHeader, processHeader, laneLabel, collapsedLabel
    case tickLabel, axisTitle, legend, note, strategyLabel, barValue, annotation
}

/// A measured piece of text placed on the picture.
public struct TextItem: Sendable, Equatable {
    public var text: String
    public var role: TextRole
    /// Left end of the baseline.
    public var x: Double
    public var baseline: Double
    public var fontSize: Double
    public var bold: Bool
    /// The box the text occupies (advance width x font ascent + descent), for overlap checks.
    public var bounds: Rect
}

/// Columns of one lane drawn in one state: `x0..<x1` in layout units.
public struct StateRun: Sendable, Equatable {
    public var x0: Double
    public var x1: Double
    public var state: LaneState
}

/// One state's share of a density band over a run of columns.
public struct DensityPiece: Sendable, Equatable {
    public var state: LaneState
    public var y: Double
    public var height: Double
}

/// Columns `x0..<x1` of a density band with the same mix of states (stacked bottom-up in state order).
public struct DensityRun: Sendable, Equatable {
    public var x0: Double
    public var x1: Double
    public var pieces: [DensityPiece]
}

/// Where a GIL or loop mark sits on the edge of a lane's bar.
public enum MarkEdge: Sendable, Equatable { case top, bottom }

/// A GIL or event-loop instant drawn as a small glyph.
public struct MarkGlyph: Sendable, Equatable {
    public var kind: InstantKind
    public var time: SimTime
    public var x: Double
    /// The y of the bar edge the glyph sits on.
    public var y: Double
    public var edge: MarkEdge
    /// Glyph size (triangle side, diamond width, circle diameter).
    public var size: Double
    /// Drawn small and grey rather than black: the mark only repeats what the bar's colours already say.
    public var quiet: Bool

    /// Whether a kind is drawn quietly. A hand-off is where a lane turns from waiting to running, which its
    /// colours show; black triangles at every I/O return would bury the marks that tell something the colours
    /// cannot (a drop request ignored, a forced switch, an OS preemption, the loop waking).
    static func isQuiet(_ kind: InstantKind) -> Bool { kind == .gilHandoff }

    /// The edge each kind sits on: requests and preemptions come from above, the GIL arriving from below.
    static func edge(of kind: InstantKind) -> MarkEdge {
        switch kind {
        case .dropRequest, .preempted: return .top
        case .gilHandoff, .forcedSwitch, .loopWakeup: return .bottom
        }
    }

    /// The box the glyph covers (centred on the bar's edge).
    public var bounds: Rect {
        let h = size * 0.8
        return Rect(x: x - size / 2, y: y - h / 2, width: size, height: h)
    }
}

/// What a row shows.
public enum RowContent: Sendable, Equatable {
    /// One lane.
    case lane(Int)
    /// Several lanes collapsed into a density band (the share of lanes in each state per column).
    case collapsed([Int])
}

/// One row of a timeline: a label and a bar across the plot.
public struct LaneRow: Sendable, Equatable {
    public var content: RowContent
    public var label: TextItem?
    /// The whole row across the plot (stripes are drawn on this band).
    public var frame: Rect
    /// The bar inside the row where the states are drawn.
    public var bar: Rect
    /// For a lane: its columns merged into runs of one state each.
    public var runs: [StateRun]
    /// For a collapsed row: its state mix per column.
    public var density: [DensityRun]
    public var marks: [MarkGlyph]
    /// Marks left out because they were closer than a few pixels at this zoom.
    public var hiddenMarks: Int

    /// The state drawn at x, or nil where nothing is drawn (for a lane row).
    public func state(atX x: Double) -> LaneState? {
        // Runs are sorted by x: the first that ends past x.
        let lo = runs.partitionPoint { $0.x1 > x }
        return lo < runs.count && runs[lo].x0 <= x ? runs[lo].state : nil
    }
}

/// A process (or the cores) with its header and rows.
public struct ProcessGroupLayout: Sendable, Equatable {
    public var process: Int?
    public var header: TextItem?
    public var rows: [LaneRow]
    /// In the comparison, the strategy's band (striped as a whole rather than row by row).
    public var band: Rect? = nil
}

/// One stack of groups sharing the time axis (a timeline has one; model vs measured has two).
public struct LanePanel: Sendable, Equatable {
    public var header: TextItem?
    public var groups: [ProcessGroupLayout]
    public var rows: [LaneRow] { groups.flatMap(\.rows) }
}

/// What a legend entry explains.
public enum LegendKey: Sendable, Equatable {
    case state(LaneState)
    case mark(InstantKind)
    case predictedBar
    case measuredBar
}

public struct LegendEntry: Sendable, Equatable {
    public var key: LegendKey
    public var swatch: Rect
    public var label: TextItem
}

/// A makespan bar of the comparison: predicted, and measured (median bar, min-max whisker) if known.
public struct MakespanBar: Sendable, Equatable {
    public var strategy: String
    public var predicted: Rect
    public var predictedValue: TextItem
    public var measured: Rect?
    /// x of min and max, and the y the whisker runs along.
    public var whisker: (minX: Double, maxX: Double, y: Double)?
    public var measuredValue: TextItem?

    public static func == (a: MakespanBar, b: MakespanBar) -> Bool {
        a.strategy == b.strategy && a.predicted == b.predicted && a.predictedValue == b.predictedValue
            && a.measured == b.measured && a.measuredValue == b.measuredValue
            && a.whisker?.minX == b.whisker?.minX && a.whisker?.maxX == b.whisker?.maxX && a.whisker?.y == b.whisker?.y
    }
}

/// The time axis under the lanes.
public struct AxisLayout: Sendable, Equatable {
    public var scale: TimeScale
    public var unit: TimeUnit
    public var ticks: [AxisTick]
    /// The y of the axis line; grid lines run from `gridTop` down to it.
    public var y: Double
    public var gridTop: Double
    public var tickLength: Double
    /// Tick labels centred under their ticks, and the axis title.
    public var labels: [TextItem]
}

/// Everything a picture shows, placed, before any drawing: tests inspect it; the painter draws it.
public struct TimelineLayout: Sendable, Equatable {
    public var width: Double
    public var height: Double
    /// Device pixels per layout unit for raster output (columns are merged at this resolution).
    public var resolution: Double
    public var theme: Theme
    /// Title, subtitle, key figures, notes, axis title: the texts not inside panels, rows or the legend.
    public var texts: [TextItem]
    public var panels: [LanePanel]
    public var axis: AxisLayout
    /// A second axis for the makespan bars of the comparison.
    public var barAxis: AxisLayout?
    public var legend: [LegendEntry]
    public var bars: [MakespanBar]
    /// Rows are striped and separated across this span of x.
    public var rowSpan: (x0: Double, x1: Double)
    /// Brackets and labels pointing at what explains the picture (`--explain`).
    public var annotations: [Annotation] = []

    public static func == (a: TimelineLayout, b: TimelineLayout) -> Bool {
        a.width == b.width && a.height == b.height && a.texts == b.texts && a.panels == b.panels && a.axis == b.axis
            && a.legend == b.legend && a.bars == b.bars && a.theme == b.theme && a.annotations == b.annotations
    }

    /// Every lane row of every panel.
    public var rows: [LaneRow] { panels.flatMap(\.rows) }

    /// The row that draws `lane` on its own, if any (in the first panel that has it).
    public func row(forLane lane: Int, panel: Int = 0) -> LaneRow? {
        panels[panel].rows.first { $0.content == .lane(lane) }
    }

    /// The state drawn for `lane` at time `t`, if the lane has its own row.
    public func state(ofLane lane: Int, at t: SimTime, panel: Int = 0) -> LaneState? {
        row(forLane: lane, panel: panel)?.state(atX: axis.scale.x(of: t))
    }

    /// Every text on the picture.
    public var allTexts: [TextItem] {
        var out = texts
        for p in panels {
            if let h = p.header { out.append(h) }
            for g in p.groups {
                if let h = g.header { out.append(h) }
                for r in g.rows { if let l = r.label { out.append(l) } }
            }
        }
        out += axis.labels
        if let barAxis { out += barAxis.labels }
        out += legend.map(\.label)
        for b in bars {
            out.append(b.predictedValue)
            if let m = b.measuredValue { out.append(m) }
        }
        out += annotations.map(\.label)
        return out
    }

}
