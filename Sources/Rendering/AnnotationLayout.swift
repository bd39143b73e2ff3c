import SimEngine
import SimTrace

/// A bracket over an interval of a lane with a label on a plate, joined by a leader line: one `Explanation`
/// drawn on the picture.
public struct Annotation: Sendable, Equatable {
    public var explanation: Explanation
    /// The panel whose lane it is on.
    public var panel: Int
    /// The bracket: a line along the top edge of `bracket` whose ends reach down to its bottom (onto the bar).
    public var bracket: Rect
    /// The label's background, which keeps it legible over the bars it covers.
    public var plate: Rect
    public var label: TextItem
    /// From the bracket's middle to the plate's nearest edge.
    public var leader: (from: Point, to: Point)

    public static func == (a: Annotation, b: Annotation) -> Bool {
        a.explanation == b.explanation && a.panel == b.panel && a.bracket == b.bracket && a.plate == b.plate
            && a.label == b.label && a.leader.from == b.leader.from && a.leader.to == b.leader.to
    }
}

extension Explanation {
    /// The label's words: what happened and for how long ("waits 5 ms for the GIL after its answer arrived").
    func caption(laneName: (Int) -> String) -> String {
        let d = Format.duration(duration)
        switch kind {
        case .convoyWait: return "waits \(d) for the GIL after its answer arrived"
        case .forcedSwitch: return "forced switch after \(d)"
        case .loopBlocked:
            let what = culprit.map(laneName) ?? "a coroutine"
            return "loop blocked \(d) by CPU in \(what)"
        case .processStart: return "process start \(d)"
        }
    }
}

extension LayoutBuilder {
    /// Places a bracket and label for each explanation whose lane has a row of its own in its panel. A label
    /// goes on a plate above its bracket (or below it, or further away, up to a few rows) at the first place
    /// that stays inside `plot` and overlaps none of `obstacles` and no label placed before it; an explanation
    /// with no such place is left out rather than drawn over something.
    ///
    /// - Complexity: O(explanations x candidates x obstacles).
    func annotations(_ explanations: [[Explanation]], panels: [LanePanel], traces: [Trace], scale: TimeScale,
                     plot: Rect, obstacles: [Rect]) -> [Annotation] {
        let k = sizes.k
        let size = sizes.legend
        let pad = 6 * k
        let textH = measure.lineHeight(size: size, bold: true)
        let minWidth = 12 * k
        // Brackets first, so that no label covers a bracket placed after it.
        var placed: [(panel: Int, explanation: Explanation, row: LaneRow, bracket: Rect)] = []
        for (p, list) in explanations.enumerated() {
            for e in list {
                guard let row = panels[p].rows.first(where: { $0.content == .lane(e.lane) }) else { continue }
                // Over the interval (at least a few pixels wide), just above the bar, its ends reaching onto it.
                var x0 = max(scale.x, scale.x(of: e.start)), x1 = min(scale.x + scale.width, scale.x(of: e.end))
                if x1 - x0 < minWidth {
                    let mid = (x0 + x1) / 2
                    x0 = min(max(scale.x, mid - minWidth / 2), scale.x + scale.width - minWidth)
                    x1 = x0 + minWidth
                }
                let lineY = grid.snap(row.bar.y - 3 * k)
                placed.append((p, e, row, Rect(x: x0, y: lineY, width: x1 - x0, height: min(row.bar.height * 0.4, 12 * k) + 3 * k)))
            }
        }
        var taken = obstacles + placed.map(\.bracket)
        var out: [Annotation] = []
        for (p, e, row, bracket) in placed {
            let lanes = traces[p].lanes
            let text = measure.fit(e.caption { lanes.indices.contains($0) ? lanes[$0].name : "a coroutine" },
                                   size: size, bold: true, maxWidth: plot.width - 2 * pad)
            let plateW = measure.width(text, size: size, bold: true) + 2 * pad
            let plateH = textH + 2 * pad
            let mid = bracket.x + bracket.width / 2
            let step = max(row.frame.height, plateH + 4 * k)
            // Above the bracket first, then beside it on its own row, then below; further away a row at a time.
            var candidates: [Rect] = []
            func add(x: Double, y: Double) {
                candidates.append(Rect(x: min(max(x, plot.x), plot.maxX - plateW), y: y, width: plateW, height: plateH))
            }
            for level in 0..<6 {
                let above = bracket.y - 10 * k - plateH - Double(level) * step
                for x in [mid - plateW / 2, bracket.x, bracket.maxX - plateW] { add(x: x, y: above) }
                if level == 0 {
                    let beside = row.bar.y + row.bar.height / 2 - plateH / 2
                    if bracket.maxX + 12 * k + plateW <= plot.maxX { add(x: bracket.maxX + 12 * k, y: beside) }
                    if bracket.x - 12 * k - plateW >= plot.x { add(x: bracket.x - 12 * k - plateW, y: beside) }
                }
                let below = row.bar.maxY + 10 * k + Double(level) * step
                for x in [mid - plateW / 2, bracket.x, bracket.maxX - plateW] { add(x: x, y: below) }
            }
            guard let plate = candidates.first(where: { c in plot.contains(c) && !taken.contains { $0.overlaps(c) } }) else { continue }
            taken.append(plate)
            let label = measure.item(text, .annotation, size: size, bold: true, x: plate.x + pad, top: plate.y + pad)
            let leader: (from: Point, to: Point)
            if plate.maxY <= bracket.y {
                leader = (Point(x: mid, y: bracket.y), Point(x: min(max(mid, plate.x + pad), plate.maxX - pad), y: plate.maxY))
            } else if plate.y >= row.bar.maxY {
                leader = (Point(x: mid, y: bracket.y), Point(x: min(max(mid, plate.x + pad), plate.maxX - pad), y: plate.y))
            } else {
                // Beside the bracket: from its nearer corner to the plate's nearer side.
                let right = plate.x >= bracket.maxX
                leader = (Point(x: right ? bracket.maxX : bracket.x, y: bracket.y), Point(x: right ? plate.x : plate.maxX, y: plate.y + plateH / 2))
            }
            out.append(Annotation(explanation: e, panel: p, bracket: bracket, plate: plate, label: label, leader: leader))
        }
        return out
    }
}
