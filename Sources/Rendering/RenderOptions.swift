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

    public init(width: Int = 1920, height: Int = 1080, scale: Double = 1, theme: ThemeName = .light,
                window: TimeWindow? = nil, format: PictureFormat? = nil, showCores: Bool = true, maxLanes: Int = 24) {
        self.width = width
        self.height = height
        self.scale = scale
        self.theme = theme
        self.window = window
        self.format = format
        self.showCores = showCores
        self.maxLanes = maxLanes
    }

    /// Checks the options, naming what to fix.
    func validate() throws {
        guard width >= 480, height >= 270, width <= 16000, height <= 16000 else {
            throw RenderingError.invalidOptions("size \(width)x\(height) must be between 480x270 and 16000x16000")
        }
        guard scale >= 0.5, scale <= 4, Double(width) * scale <= 32000, Double(height) * scale <= 32000 else {
            throw RenderingError.invalidOptions("scale \(scale) must be between 0.5 and 4 (and the picture at most 32000 pixels wide)")
        }
        guard maxLanes >= 2 else { throw RenderingError.invalidOptions("maxLanes \(maxLanes) must be at least 2") }
        if let window, window.end <= window.start {
            throw RenderingError.invalidOptions("time window \(window.start)..\(window.end) is empty: its end must come after its start")
        }
    }

    /// The format for `path`: the explicit one, else the path's extension.
    func format(for path: String) throws -> PictureFormat {
        if let format { return format }
        guard let f = PictureFormat(path: path) else { throw RenderingError.unknownFormat(path: path) }
        return f
    }
}
