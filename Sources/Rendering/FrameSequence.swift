import SimEngine

/// A numbered sequence of pictures stepping a window through a run, for slides: `count` frames of `width`
/// each (by default the span cut into `count` consecutive pieces), the first starting where the span starts
/// and the last ending where it ends, the others evenly between.
public struct FrameSequence: Sendable, Equatable {
    public var count: Int
    /// Each frame's width; nil cuts the span into `count` consecutive frames.
    public var width: SimTime?

    public init(count: Int, width: SimTime? = nil) {
        self.count = count
        self.width = width
    }

    /// The bounds of a sequence: each frame is a whole picture (tens of milliseconds and a file each).
    public enum Limits {
        public static let count = 1...300
    }

    /// What is wrong with the sequence, if anything, for a span of `span` (the --window, when given; the run
    /// is not known before it is simulated).
    public func problem(span: TimeWindow?) -> RenderOptions.Problem? {
        if !Limits.count.contains(count) {
            return RenderOptions.Problem(option: "frames", message: "\(count) is outside \(Limits.count.lowerBound) to \(Limits.count.upperBound) frames (each is a whole picture); e.g. --frames 10, with a --window around the part to step through")
        }
        if let width {
            if width <= .zero {
                return RenderOptions.Problem(option: "frame-width", message: "must be longer than 0, e.g. 20ms")
            }
            if let span, width > span.duration {
                return RenderOptions.Problem(option: "frame-width", message: "\(width) is longer than the --window it steps through (\(span.duration)); give a shorter one")
            }
        }
        return nil
    }

    /// The frames' windows over `span`. A frame wider than the span shows the whole span.
    public func windows(over span: TimeWindow) -> [TimeWindow] {
        let total = span.duration.nanoseconds
        let w = max(1, min(width?.nanoseconds ?? total / Int64(count), total))
        let free = total - w
        return (0..<count).map { i in
            // Multiply before dividing in 128 bits: spans may be as long as the horizon.
            let offset = count == 1 ? 0 : Int64((Int128(free) * Int128(i) / Int128(count - 1)))
            let start = span.start + .nanoseconds(offset)
            return TimeWindow(start: start, end: start + .nanoseconds(w))
        }
    }

    /// The file name of frame `index` (from 0) of the picture named `stem`: "threads.frame-001.png".
    public static func fileName(stem: String, index: Int, ext: String) -> String {
        let n = String(index + 1)
        return "\(stem).frame-\(String(repeating: "0", count: max(0, 3 - n.count)) + n).\(ext)"
    }
}
