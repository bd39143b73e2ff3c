import Foundation
import SimTrace

/// Draws timelines to PNG, SVG or PDF files.
///
/// Each call lays the picture out (`TimelineLayout`), paints it with cairo, encodes it in memory and
/// writes the file atomically: a failure leaves no file, and the same input gives the same bytes.
public enum TimelineRenderer {
    /// One run's timeline: title, key figures, lanes grouped by process, time axis, legend.
    public static func renderTimeline(chart: TimelineChart, options: RenderOptions = RenderOptions(), to path: String) throws {
        let format = try options.format(for: path)
        let layout = try TimelineLayout.timeline(chart, options: options, format: format)
        try write(layout, format: format, options: options, to: path)
    }

    /// Every strategy on one time axis (a band each) with bars of predicted (and measured) makespan.
    public static func renderComparison(title: String, subtitle: String = "", rows: [ComparisonRow],
                                        options: RenderOptions = RenderOptions(), to path: String) throws {
        let format = try options.format(for: path)
        let layout = try TimelineLayout.comparison(title: title, subtitle: subtitle, rows: rows, options: options, format: format)
        try write(layout, format: format, options: options, to: path)
    }

    /// The model's and a real run's timelines of one strategy, one above the other on a shared time axis.
    public static func renderSideBySide(model: TimelineChart, real: TimelineChart, options: RenderOptions = RenderOptions(),
                                        to path: String) throws {
        let format = try options.format(for: path)
        let layout = try TimelineLayout.sideBySide(model: model, real: real, options: options, format: format)
        try write(layout, format: format, options: options, to: path)
    }

    /// The encoded bytes of a laid-out picture.
    public static func encode(_ layout: TimelineLayout, format: PictureFormat, scale: Double = 1) throws -> [UInt8] {
        let surface: CairoSurface
        if format.isRaster {
            surface = try CairoSurface(imageWidth: Int((layout.width * scale).rounded()), height: Int((layout.height * scale).rounded()))
        } else {
            surface = try CairoSurface(vector: format, width: layout.width, height: layout.height)
        }
        do {
            let context = try CairoContext(surface)
            if format.isRaster { context.scale(scale) }
            try TimelinePainter(layout: layout, context: context).draw()
        }
        return try surface.encodedBytes()
    }

    static func write(_ layout: TimelineLayout, format: PictureFormat, options: RenderOptions, to path: String) throws {
        let bytes = try encode(layout, format: format, scale: options.scale)
        do {
            try AtomicFile.write(Data(bytes), to: path)
        } catch let e as AtomicFile.WriteError {
            throw RenderingError.cannotWrite(path: path, reason: e.reason)
        }
    }
}
