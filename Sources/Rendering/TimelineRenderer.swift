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
        try encode(width: layout.width, height: layout.height, format: format, scale: scale) {
            try TimelinePainter(layout: layout, context: $0).draw()
        }
    }

    /// Paints a `width` x `height` picture with `paint`, encodes it and writes it atomically: the one path of
    /// every chart other than the timelines (advice, sweeps).
    static func write(width: Double, height: Double, format: PictureFormat, options: RenderOptions, to path: String,
                      paint: (CairoContext) throws -> Void) throws {
        try write(try encode(width: width, height: height, format: format, scale: options.scale, paint: paint), to: path)
    }

    static func write(_ layout: TimelineLayout, format: PictureFormat, options: RenderOptions, to path: String) throws {
        try write(try encode(layout, format: format, scale: options.scale), to: path)
    }

    /// The bytes of a picture of `width` x `height` layout units painted by `paint`: a PNG of `scale` device
    /// pixels per unit, or SVG/PDF at one point per unit. Every picture kind goes through here.
    static func encode(width: Double, height: Double, format: PictureFormat, scale: Double,
                       paint: (CairoContext) throws -> Void) throws -> [UInt8] {
        let surface: CairoSurface
        if format.isRaster {
            surface = try CairoSurface(imageWidth: Int((width * scale).rounded()), height: Int((height * scale).rounded()))
        } else {
            surface = try CairoSurface(vector: format, width: width, height: height)
        }
        do {
            let context = try CairoContext(surface)
            if format.isRaster { context.scale(scale) }
            try paint(context)
        }
        return try surface.encodedBytes()
    }

    /// Writes picture bytes atomically (a reader never sees half a picture).
    static func write(_ bytes: [UInt8], to path: String) throws {
        do {
            try AtomicFile.write(Data(bytes), to: path)
        } catch let e as AtomicFile.WriteError {
            throw RenderingError.cannotWrite(path: path, reason: e.reason)
        }
    }
}
