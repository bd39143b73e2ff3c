/// A plain-text table for terminals: columns sized to their widest cell, numbers right-aligned, optional
/// group titles over runs of columns ("latency" over p50, p95, max), optional ANSI styling per row.
///
/// Every rendered line has the same width in characters; styling codes are added after padding, so they
/// never change the layout.
struct TextTable: Sendable {
    enum Alignment: Sendable { case left, right }

    struct Column: Sendable {
        var header: String
        /// Columns next to each other with the same group share a title line and are one space apart;
        /// everything else is two spaces apart.
        var group: String?
        var alignment: Alignment = .right
    }

    /// ANSI Select Graphic Rendition codes for a whole row.
    enum Style: String, Sendable {
        case plain = ""
        case bold = "1"
        case dim = "2"
        case green = "32"
        case red = "31"
        case boldGreen = "1;32"
    }

    var columns: [Column]
    var rows: [[String]] = []
    var styles: [Style] = []

    init(columns: [Column]) { self.columns = columns }

    mutating func append(_ cells: [String], style: Style = .plain) {
        precondition(cells.count == columns.count, "a row needs one cell per column")
        rows.append(cells)
        styles.append(style)
    }

    /// The table's lines: group titles (if any column has a group), headers, a rule, the rows.
    func lines(colour: Bool) -> [String] {
        let widths = columns.indices.map { i in
            rows.reduce(columns[i].header.count) { max($0, $1[i].count) }
        }
        let separators = columns.indices.map { i -> Int in
            guard i > 0 else { return 0 }
            if let g = columns[i].group, g == columns[i - 1].group { return 1 }
            return 2
        }
        let total = widths.reduce(0, +) + separators.reduce(0, +)

        func layout(_ cells: [String]) -> String {
            var line = ""
            for (i, cell) in cells.enumerated() {
                line += String(repeating: " ", count: separators[i])
                let pad = String(repeating: " ", count: max(widths[i] - cell.count, 0))
                line += columns[i].alignment == .left ? cell + pad : pad + cell
            }
            return line
        }
        func styled(_ line: String, _ style: Style) -> String {
            colour && style != .plain ? "\u{1B}[\(style.rawValue)m\(line)\u{1B}[0m" : line
        }

        var out: [String] = []
        if columns.contains(where: { $0.group != nil }) {
            var line = ""
            var i = 0
            while i < columns.count {
                line += String(repeating: " ", count: separators[i])
                var span = widths[i]
                var j = i + 1
                if let group = columns[i].group {
                    while j < columns.count, columns[j].group == group { span += separators[j] + widths[j]; j += 1 }
                    line += Self.title(group, width: span)
                } else {
                    line += String(repeating: " ", count: span)
                }
                i = j
            }
            out.append(styled(line, .bold))
        }
        out.append(styled(layout(columns.map(\.header)), .bold))
        out.append(String(repeating: "-", count: total))
        for (row, style) in zip(rows, styles) { out.append(styled(layout(row), style)) }
        return out
    }

    /// The table as one string, lines ended by newlines.
    func render(colour: Bool) -> String { lines(colour: colour).map { $0 + "\n" }.joined() }

    /// "-- latency --" filling exactly `width` characters (the bare title, cut, when it does not fit).
    static func title(_ text: String, width: Int) -> String {
        let label = " \(text) "
        guard label.count + 2 <= width else {
            let cut = String(text.prefix(width))
            return cut + String(repeating: " ", count: width - cut.count)
        }
        let left = (width - label.count) / 2
        return String(repeating: "-", count: left) + label + String(repeating: "-", count: width - left - label.count)
    }
}
