import CCairo
import Foundation

/// Why a picture could not be made, in words that tell the user what to fix.
public enum RenderingError: Error, CustomStringConvertible, Equatable {
    /// Cairo reported a failure status while doing `operation`.
    case cairo(operation: String, status: String)
    /// The output path has an extension that names no format we write.
    case unknownFormat(path: String)
    /// The options cannot produce a picture (e.g. an empty time window).
    case invalidOptions(String)
    /// The file could not be written.
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cairo(operation, status):
            return "cairo failed while \(operation): \(status) (is libcairo2 installed and is there enough memory?)"
        case let .unknownFormat(path):
            return "cannot tell the picture format of \(path): end the file name in .png, .svg or .pdf, or choose the format explicitly"
        case let .invalidOptions(reason):
            return "invalid rendering options: \(reason)"
        case let .cannotWrite(path, reason):
            // The reason comes from AtomicFile and already says what to do.
            return "cannot write \(path): \(reason)"
        }
    }
}

/// Turns a cairo status into a Swift error.
@inline(__always)
func check(_ status: cairo_status_t, _ operation: @autoclosure () -> String) throws {
    if status != CAIRO_STATUS_SUCCESS {
        throw RenderingError.cairo(operation: operation(), status: String(cString: cairo_status_to_string(status)))
    }
}

/// Bytes cairo hands to a write callback, collected in memory (so that files are written atomically, whole).
final class ByteSink {
    var bytes: [UInt8] = []
    init() { bytes.reserveCapacity(1 << 20) }
}

/// The C callback cairo calls with each piece of an encoded picture.
private let appendToSink: cairo_write_func_t = { closure, data, length in
    guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
    let sink = Unmanaged<ByteSink>.fromOpaque(closure).takeUnretainedValue()
    sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
    return CAIRO_STATUS_SUCCESS
}

/// A picture format cairo writes.
public enum PictureFormat: String, Sendable, CaseIterable {
    case png, svg, pdf

    /// The format named by a path's extension, if any.
    public init?(path: String) {
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        self.init(rawValue: ext)
    }

    /// Whether the format is made of pixels (the rendering scale applies).
    var isRaster: Bool { self == .png }
}

/// A cairo surface (an image in memory, or a vector document being recorded into a byte sink).
///
/// Owns its `cairo_surface_t`; not Sendable (cairo objects are single-threaded).
final class CairoSurface {
    let pointer: OpaquePointer
    let format: PictureFormat
    /// Collects the vector output of SVG and PDF surfaces.
    private let sink: ByteSink?
    private var sinkRetained = false

    /// An ARGB image of `width` x `height` pixels.
    init(imageWidth width: Int, height: Int) throws {
        guard width > 0, height > 0, width <= 32767, height <= 32767 else {
            throw RenderingError.invalidOptions("picture size \(width)x\(height) pixels is outside 1...32767")
        }
        pointer = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(width), Int32(height))
        format = .png
        sink = nil
        try check(cairo_surface_status(pointer), "creating a \(width)x\(height) image")
    }

    /// A vector document (SVG or PDF) of `width` x `height` points, written into memory.
    init(vector format: PictureFormat, width: Double, height: Double) throws {
        precondition(format != .png)
        let sink = ByteSink()
        self.sink = sink
        self.format = format
        let closure = Unmanaged.passRetained(sink).toOpaque()
        sinkRetained = true
        switch format {
        case .svg: pointer = cairo_svg_surface_create_for_stream(appendToSink, closure, width, height)
        default: pointer = cairo_pdf_surface_create_for_stream(appendToSink, closure, width, height)
        }
        try check(cairo_surface_status(pointer), "creating a \(format.rawValue.uppercased()) document")
        if format == .pdf {
            // A fixed creation date: the same trace must give the same bytes (cairo would write the clock's time).
            cairo_pdf_surface_set_metadata(pointer, CAIRO_PDF_METADATA_CREATE_DATE, "2000-01-01T00:00:00Z")
            cairo_pdf_surface_set_metadata(pointer, CAIRO_PDF_METADATA_CREATOR, "simulate")
        }
        if format == .svg { cairo_svg_surface_restrict_to_version(pointer, CAIRO_SVG_VERSION_1_1) }
    }

    /// Reads a PNG file (for tests and tools that inspect pictures).
    init(pngFile path: String) throws {
        pointer = cairo_image_surface_create_from_png(path)
        format = .png
        sink = nil
        try check(cairo_surface_status(pointer), "reading the PNG \(path)")
    }

    deinit {
        cairo_surface_destroy(pointer)
        if sinkRetained, let sink { Unmanaged.passUnretained(sink).release() }
    }

    var width: Int { Int(cairo_image_surface_get_width(pointer)) }
    var height: Int { Int(cairo_image_surface_get_height(pointer)) }

    /// The encoded bytes: PNG for an image; the finished document for SVG and PDF (the surface is finished).
    func encodedBytes() throws -> [UInt8] {
        switch format {
        case .png:
            return try PNGEncoder.encode(imageSurface: pointer)
        case .svg, .pdf:
            cairo_surface_finish(pointer)
            try check(cairo_surface_status(pointer), "finishing the \(format.rawValue.uppercased()) document")
            let bytes = sink?.bytes ?? []
            return format == .svg ? Self.renumberSurfaceIDs(bytes) : bytes
        }
    }

    /// Cairo names SVG groups "surface<N>" from a process-wide counter, so the same picture drawn twice
    /// would differ; renumber them in order of appearance (1, 2, ...), references included. O(bytes).
    static func renumberSurfaceIDs(_ bytes: [UInt8]) -> [UInt8] {
        let word = Array("surface".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var numbers: [ArraySlice<UInt8>: Int] = [:]
        var i = 0
        while i < bytes.count {
            if bytes[i] == word[0], i > 0, bytes[i - 1] == UInt8(ascii: "\"") || bytes[i - 1] == UInt8(ascii: "#"),
               i + word.count < bytes.count, bytes[i..<(i + word.count)].elementsEqual(word) {
                var j = i + word.count
                while j < bytes.count, bytes[j] >= UInt8(ascii: "0"), bytes[j] <= UInt8(ascii: "9") { j += 1 }
                if j > i + word.count {
                    let old = bytes[(i + word.count)..<j]
                    let n = numbers[old] ?? (numbers.count + 1)
                    numbers[old] = n
                    out += word
                    out += Array(String(n).utf8)
                    i = j
                    continue
                }
            }
            out.append(bytes[i])
            i += 1
        }
        return out
    }

    /// The colour of one pixel of an image surface as 8-bit (r, g, b, a), un-premultiplied.
    func pixel(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8, a: UInt8) {
        cairo_surface_flush(pointer)
        let stride = Int(cairo_image_surface_get_stride(pointer))
        guard let data = cairo_image_surface_get_data(pointer) else { return (0, 0, 0, 0) }
        let p = data.advanced(by: y * stride + x * 4).withMemoryRebound(to: UInt32.self, capacity: 1) { $0.pointee }
        let a = UInt8(p >> 24), r = UInt8((p >> 16) & 0xff), g = UInt8((p >> 8) & 0xff), b = UInt8(p & 0xff)
        if a == 0 || a == 255 { return (r, g, b, a) }
        func unpremultiply(_ c: UInt8) -> UInt8 { UInt8(min(255, (Int(c) * 255 + Int(a) / 2) / Int(a))) }
        return (unpremultiply(r), unpremultiply(g), unpremultiply(b), a)
    }
}

/// A font weight of the toy text API.
enum FontWeight { case normal, bold }

/// The size of a piece of text: how far it advances, and how far it reaches above and below the baseline.
struct TextMetrics: Equatable, Sendable {
    var width: Double
    var ascent: Double
    var descent: Double
}

/// A cairo drawing context over a surface. Draws with the toy font API in "DejaVu Sans".
final class CairoContext {
    let pointer: OpaquePointer
    static let fontFamily = "DejaVu Sans"

    init(_ surface: CairoSurface) throws {
        pointer = cairo_create(surface.pointer)
        try check(cairo_status(pointer), "creating a drawing context")
        // Same text metrics on every surface (hinted metrics differ between image and vector surfaces),
        // so the layout measured once fits whatever it is drawn on.
        let options = cairo_font_options_create()
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY)
        cairo_set_font_options(pointer, options)
        cairo_font_options_destroy(options)
    }

    deinit { cairo_destroy(pointer) }

    /// Fails if an earlier drawing call put the context in an error state.
    func checkStatus(_ operation: String) throws { try check(cairo_status(pointer), operation) }

    func scale(_ s: Double) { cairo_scale(pointer, s, s) }

    func setColor(_ c: RGBA) { cairo_set_source_rgba(pointer, c.red, c.green, c.blue, c.alpha) }

    func rectangle(_ r: Rect) { cairo_rectangle(pointer, r.x, r.y, r.width, r.height) }

    func fill() { cairo_fill(pointer) }
    func stroke() { cairo_stroke(pointer) }
    func strokePreserve() { cairo_stroke_preserve(pointer) }
    func moveTo(_ x: Double, _ y: Double) { cairo_move_to(pointer, x, y) }
    func lineTo(_ x: Double, _ y: Double) { cairo_line_to(pointer, x, y) }
    func closePath() { cairo_close_path(pointer) }
    func setLineWidth(_ w: Double) { cairo_set_line_width(pointer, w) }
    func arc(_ x: Double, _ y: Double, radius: Double) {
        cairo_new_sub_path(pointer)
        cairo_arc(pointer, x, y, radius, 0, 2 * Double.pi)
    }
    func setAntialias(_ on: Bool) { cairo_set_antialias(pointer, on ? CAIRO_ANTIALIAS_DEFAULT : CAIRO_ANTIALIAS_NONE) }

    func paint(_ c: RGBA) {
        setColor(c)
        cairo_paint(pointer)
    }

    func setFont(size: Double, weight: FontWeight) {
        cairo_select_font_face(pointer, Self.fontFamily, CAIRO_FONT_SLANT_NORMAL,
                               weight == .bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(pointer, size)
    }

    /// Measures `text` in the current font (cairo_text_extents, plus the font's ascent and descent so
    /// that lines of different text line up).
    func measure(_ text: String) -> TextMetrics {
        var extents = cairo_text_extents_t()
        cairo_text_extents(pointer, text, &extents)
        var font = cairo_font_extents_t()
        cairo_font_extents(pointer, &font)
        return TextMetrics(width: extents.x_advance, ascent: font.ascent, descent: font.descent)
    }

    /// Draws `text` with its baseline starting at (x, y).
    func showText(_ text: String, x: Double, y: Double) {
        cairo_move_to(pointer, x, y)
        cairo_show_text(pointer, text)
    }
}
