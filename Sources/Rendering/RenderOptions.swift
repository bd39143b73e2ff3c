import SimEngine

/// A span of run time to show: `start..<end`.
public struct TimeWindow: Sendable, Equatable {
    public var start: SimTime
    public var end: SimTime
    public init(start: SimTime, end: SimTime) {
        self.start = start
        self.end = end
    }
    public var duration: SimTime { end - start }
}

/// How to draw a picture.
public struct RenderOptions: Sendable, Equatable {
    /// Size in logical pixels (16:9 for slides by default).
    public var width: Int = 1920
    public var height: Int = 1080
    /// Device pixels per logical pixel in PNGs (2 for high-DPI screens); SVG and PDF are vector and ignore it.
    public var scale: Double = 1
    public var theme: ThemeName = .light
    /// The time span to show; nil shows the whole run.
    public var window: TimeWindow? = nil
    /// The format; nil chooses it by the output file's extension.
    public var format: PictureFormat? = nil
    /// Whether to draw the CPU-core lanes (which thread ran on which core).
    public var showCores: Bool = true
    /// At most this many rows of lanes per picture; the rest collapse into density bands ("+N more threads").
    public var maxLanes: Int = 24
    /// Whether to point at what explains the picture (a convoy wait, a forced switch, a loop blocked by CPU,
    /// a process start) with a bracket and a label each.
    public var explain: Bool = false

    public init(width: Int = 1920, height: Int = 1080, scale: Double = 1, theme: ThemeName = .light,
                window: TimeWindow? = nil, format: PictureFormat? = nil, showCores: Bool = true, maxLanes: Int = 24,
                explain: Bool = false) {
        self.width = width
        self.height = height
        self.scale = scale
        self.theme = theme
        self.window = window
        self.format = format
        self.showCores = showCores
        self.maxLanes = maxLanes
        self.explain = explain
    }

    /// The limits of every picture option, in one place: the command line checks them before anything runs
    /// and the renderer checks the same again, so an option is never accepted by one and refused by the other.
    public enum Limits {
        /// Below this the layout's margins, legend and axis labels no longer fit.
        public static let width = 480...16_000
        public static let height = 270...16_000
        public static let scale = 0.5...4.0
        /// Device pixels of a PNG: at most 32000 a side (Cairo's limit is 32767) and 256 megapixels in all
        /// (1 GiB of ARGB image memory).
        public static let deviceSide = 32_000.0
        public static let devicePixels = 268_435_456.0
        /// One lane plus the density band of the rest.
        public static let minimumLanes = 2
        /// A window must end within the simulated time a run may reach.
        public static let latestWindowEnd = SimTime.horizon
    }

    /// What is wrong with one option: its name (as the command line spells it without "--"), and the fix.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var option: String
        public var message: String
        public var description: String { "\(option): \(message)" }
    }

    /// The first problem of these options, if any; the message says what to write instead.
    public func problem() -> Problem? {
        if !Limits.width.contains(width) || !Limits.height.contains(height) {
            return Problem(option: "size", message: "\(width)x\(height) is outside \(Limits.width.lowerBound)x\(Limits.height.lowerBound) to \(Limits.width.upperBound)x\(Limits.height.upperBound) pixels; write e.g. 1920x1080")
        }
        let deviceWidth = Double(width) * scale, deviceHeight = Double(height) * scale
        if !scale.isFinite || !Limits.scale.contains(scale) {
            return Problem(option: "scale", message: "\(scale) is outside \(Limits.scale.lowerBound) to \(Limits.scale.upperBound); write e.g. 2 for high-DPI screens")
        }
        if max(deviceWidth, deviceHeight) > Limits.deviceSide || deviceWidth * deviceHeight > Limits.devicePixels {
            return Problem(option: "scale", message: "\(scale) makes a \(Int(deviceWidth))x\(Int(deviceHeight)) pixel picture, beyond \(Int(Limits.deviceSide)) pixels a side or 256 megapixels; use a smaller --size or --scale")
        }
        if maxLanes < Limits.minimumLanes {
            return Problem(option: "max-lanes", message: "\(maxLanes) is too few; show at least \(Limits.minimumLanes) lanes (the rest collapse into a density band)")
        }
        if let window {
            if window.start < .zero || window.end <= window.start {
                return Problem(option: "window", message: "\(window.start)..\(window.end) is empty or negative; its end must come after its start, e.g. 0ms..40ms")
            }
            if window.end > Limits.latestWindowEnd {
                return Problem(option: "window", message: "ends after \(Limits.latestWindowEnd), the latest time a run can reach; give an end within the run, e.g. 0ms..40ms")
            }
        }
        return nil
    }

    /// Checks the options, naming what to fix.
    func validate() throws {
        if let problem = problem() { throw RenderingError.invalidOptions(problem.description) }
    }

    /// The format for `path`: the explicit one, else the path's extension.
    func format(for path: String) throws -> PictureFormat {
        if let format { return format }
        guard let f = PictureFormat(path: path) else { throw RenderingError.unknownFormat(path: path) }
        return f
    }
}
