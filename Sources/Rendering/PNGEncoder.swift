import CCairo
import Foundation

/// Encodes a cairo image surface as a PNG file (ISO/IEC 15948, "Portable Network Graphics"): the one PNG
/// writer of every picture this package draws.
///
/// Cairo's own writer (`cairo_surface_write_to_png_stream`) hands each row to libpng, which tries all five
/// row filters with its sum-of-absolute-differences heuristic and deflates at zlib's default level 6: 80% of
/// `simulate scenarios/io_heavy.json`'s time went there. Our pictures are flat bars, lines and text on a
/// plain background, and in a timeline about half the rows repeat the row above (a lane's bars are tens of
/// pixels tall). So a repeated row is filtered with Up (all zeros, and its checksum is known in advance),
/// any other row is left unfiltered (filter type None), and zlib deflates at a low level, which finds a
/// flat run as a match one pixel back and an unchanged stretch as a match one row back. That is 5 times
/// faster than cairo's writer for files about a sixth larger (see README, "Speed").
///
/// Pictures are opaque (every chart paints its background first) and are written as 8-bit RGB; a surface
/// with any translucent pixel is written as 8-bit RGBA, un-premultiplied as cairo's writer does. The bytes
/// depend on the pixels alone (no time stamp, fixed zlib settings), so the same picture gives the same file.
package enum PNGEncoder {
    /// zlib's compression level: level 2 of `deflate_fast` (as fast as 1 on our pictures, 2% smaller files).
    static let level: Int32 = 2

    /// The PNG file of an ARGB32 (or RGB24) image surface.
    /// - Throws: `RenderingError.cairo` if the surface is in an error state or not such an image, or zlib
    ///   fails (out of memory).
    package static func encode(imageSurface surface: OpaquePointer) throws -> [UInt8] {
        cairo_surface_flush(surface)
        try check(cairo_surface_status(surface), "encoding the PNG")
        let format = cairo_image_surface_get_format(surface)
        guard format == CAIRO_FORMAT_ARGB32 || format == CAIRO_FORMAT_RGB24, let data = cairo_image_surface_get_data(surface) else {
            throw RenderingError.cairo(operation: "encoding the PNG", status: "not an ARGB32 or RGB24 image surface")
        }
        let image = ARGBImage(pixels: UnsafePointer(data), width: Int(cairo_image_surface_get_width(surface)),
                              height: Int(cairo_image_surface_get_height(surface)),
                              stride: Int(cairo_image_surface_get_stride(surface)), hasAlpha: format == CAIRO_FORMAT_ARGB32)
        // RGB first; the first translucent pixel met while converting the rows starts over in RGBA.
        if let opaque = try encode(image, channels: 3) { return opaque }
        return try encode(image, channels: 4)!
    }

    /// The file with `channels` 3 (RGB) or 4 (RGBA), or nil if RGB was asked for a translucent image.
    static func encode(_ image: ARGBImage, channels: Int) throws -> [UInt8]? {
        var file = PNGFile()
        // IHDR: width, height, bit depth 8, colour type 2 (RGB) or 6 (RGBA), deflate, filter method 0, no interlace.
        var header: [UInt8] = []
        header.appendBigEndian(UInt32(image.width))
        header.appendBigEndian(UInt32(image.height))
        header += [8, channels == 3 ? 2 : 6, 0, 0, 0]
        file.chunk("IHDR", header)
        guard try file.imageData(image, channels: channels) else { return nil }
        file.chunk("IEND", [])
        return file.bytes
    }

    /// Cairo's pixels: rows of native-endian 32-bit words, alpha in the top byte (unused in RGB24, the
    /// format cairo reads an opaque PNG into), colours premultiplied by alpha.
    struct ARGBImage {
        let pixels: UnsafePointer<UInt8>
        let width: Int, height: Int, stride: Int
        let hasAlpha: Bool

        func row(_ y: Int) -> UnsafePointer<UInt32> {
            UnsafeRawPointer(pixels + y * stride).assumingMemoryBound(to: UInt32.self)
        }

        /// Whether row `y` has the same pixels as the row above.
        func repeatsRowAbove(_ y: Int) -> Bool {
            y > 0 && memcmp(row(y), row(y - 1), width * 4) == 0
        }
    }

    /// A PNG being written: the signature, then chunks (length, type, data, CRC-32 of type and data).
    struct PNGFile {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

        mutating func chunk(_ type: String, _ data: UnsafeBufferPointer<UInt8>) {
            let typeBytes = Array(type.utf8)
            bytes.appendBigEndian(UInt32(data.count))
            bytes += typeBytes
            bytes += data
            var crc = typeBytes.withUnsafeBufferPointer { crc32(0, $0.baseAddress, UInt32($0.count)) }
            if let base = data.baseAddress { crc = crc32(crc, base, UInt32(data.count)) }
            bytes.appendBigEndian(UInt32(truncatingIfNeeded: crc))
        }

        mutating func chunk(_ type: String, _ data: [UInt8]) {
            data.withUnsafeBufferPointer { chunk(type, $0) }
        }

        /// The IDAT chunks: the rows, each a filter type byte and the row's bytes (PNG spec section 7.2),
        /// as one zlib stream deflated a batch of rows at a time (memory stays bounded by the batch and the
        /// compressed picture, whatever the picture's size).
        ///
        /// zlib makes a raw deflate stream; the zlib header and Adler-32 trailer (RFC 1950) are written here,
        /// so that the checksum of a repeated row (always the same line: Up and zeros) is combined in rather
        /// than summed again.
        ///
        /// - Returns: false, having stopped, if RGB was asked for and a pixel is translucent.
        mutating func imageData(_ image: ARGBImage, channels: Int) throws -> Bool {
            var stream = z_stream()
            var status = deflateInit2_(&stream, PNGEncoder.level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY,
                                       ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
            guard status == Z_OK else { throw zlibError(status, "starting deflate") }
            defer { deflateEnd(&stream) }

            let lineBytes = 1 + image.width * channels
            var repeatedLine = [UInt8](repeating: 0, count: lineBytes)
            repeatedLine[0] = FilterType.up.rawValue
            let repeatedLineChecksum = adler32(1, repeatedLine, UInt32(lineBytes))
            var checksum = adler32(0, nil, 0)
            // CMF 0x78: deflate with a 32 KiB window; FLG 0x01: the check bits (0x7801 is a multiple of 31).
            var compressed: [UInt8] = [0x78, 0x01]
            let rowsPerBatch = max(1, (1 << 18) / lineBytes)
            var batch = [UInt8](repeating: 0, count: rowsPerBatch * lineBytes)
            var out = [UInt8](repeating: 0, count: 1 << 18)

            var y = 0
            while y < image.height {
                let rows = min(rowsPerBatch, image.height - y)
                var alphas: UInt32 = 0xFF00_0000
                batch.withUnsafeMutableBufferPointer { batch in
                    for r in 0..<rows {
                        let line = batch.baseAddress! + r * lineBytes
                        if image.repeatsRowAbove(y + r) {
                            line.update(repeating: 0, count: lineBytes)
                            line[0] = FilterType.up.rawValue
                            checksum = adler32_combine(checksum, repeatedLineChecksum, off_t(lineBytes))
                        } else {
                            line[0] = FilterType.none.rawValue
                            if channels == 3 {
                                alphas &= rgb(image.row(y + r), image.width, into: line + 1)
                            } else {
                                rgba(image.row(y + r), image.width, into: line + 1)
                            }
                            checksum = adler32(checksum, line, UInt32(lineBytes))
                        }
                    }
                }
                if image.hasAlpha, alphas < 0xFF00_0000 { return false }
                y += rows
                let flush = y == image.height ? Z_FINISH : Z_NO_FLUSH
                try batch.withUnsafeMutableBufferPointer { batch in
                    stream.next_in = batch.baseAddress
                    stream.avail_in = UInt32(rows * lineBytes)
                    repeat {
                        try out.withUnsafeMutableBufferPointer { out in
                            stream.next_out = out.baseAddress
                            stream.avail_out = UInt32(out.count)
                            status = deflate(&stream, flush)
                            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                                throw zlibError(status, "deflating the pixels")
                            }
                            compressed += out[..<(out.count - Int(stream.avail_out))]
                        }
                    } while stream.avail_out == 0 || (flush == Z_FINISH && status != Z_STREAM_END)
                }
            }
            compressed.appendBigEndian(UInt32(truncatingIfNeeded: checksum))
            // IDAT chunks of at most 1 MiB (the stream may be split anywhere).
            compressed.withUnsafeBufferPointer { all in
                for start in Swift.stride(from: 0, to: all.count, by: 1 << 20) {
                    chunk("IDAT", UnsafeBufferPointer(rebasing: all[start..<min(all.count, start + (1 << 20))]))
                }
            }
            return true
        }

        func zlibError(_ status: Int32, _ doing: String) -> RenderingError {
            RenderingError.cairo(operation: "encoding the PNG (\(doing))", status: "zlib status \(status)")
        }
    }

    /// The row filters used (PNG spec section 9.2, filter method 0): None keeps the bytes, Up subtracts the
    /// byte above.
    enum FilterType: UInt8 {
        case none = 0
        case up = 2
    }

    /// Opaque pixels as R, G, B bytes; returns the pixels and-ed together (alpha 255 in all of them if the
    /// top byte is 0xFF).
    static func rgb(_ source: UnsafePointer<UInt32>, _ width: Int, into out: UnsafeMutablePointer<UInt8>) -> UInt32 {
        var all: UInt32 = 0xFFFF_FFFF
        for x in 0..<width {
            let p = source[x]
            all &= p
            out[3 * x] = UInt8(truncatingIfNeeded: p >> 16)
            out[3 * x + 1] = UInt8(truncatingIfNeeded: p >> 8)
            out[3 * x + 2] = UInt8(truncatingIfNeeded: p)
        }
        return all
    }

    /// Pixels as R, G, B, A bytes: colours divided by alpha, rounded to nearest (as cairo's writer does,
    /// `unpremultiply_data` in cairo-png.c), and a fully transparent pixel as 0, 0, 0, 0.
    static func rgba(_ source: UnsafePointer<UInt32>, _ width: Int, into out: UnsafeMutablePointer<UInt8>) {
        for x in 0..<width {
            let p = source[x]
            let a = p >> 24
            var r = (p >> 16) & 0xFF, g = (p >> 8) & 0xFF, b = p & 0xFF
            if a == 0 {
                (r, g, b) = (0, 0, 0)
            } else if a < 255 {
                // min: a valid premultiplied colour is at most alpha; a stray one stays in range.
                r = Swift.min(255, (r * 255 + a / 2) / a)
                g = Swift.min(255, (g * 255 + a / 2) / a)
                b = Swift.min(255, (b * 255 + a / 2) / a)
            }
            out[4 * x] = UInt8(truncatingIfNeeded: r)
            out[4 * x + 1] = UInt8(truncatingIfNeeded: g)
            out[4 * x + 2] = UInt8(truncatingIfNeeded: b)
            out[4 * x + 3] = UInt8(truncatingIfNeeded: a)
        }
    }
}

extension Array where Element == UInt8 {
    /// Appends a 32-bit number most significant byte first (PNG's byte order).
    mutating func appendBigEndian(_ value: UInt32) {
        append(contentsOf: [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)])
    }
}
