import CCairo
import Foundation
import SimEngine
@testable import SimRendering
import XCTest

/// Our PNG writer: what it writes decodes (with libpng, through cairo) to exactly the surface's pixels, its
/// chunks carry correct CRC-32s and its zlib stream a correct Adler-32, checked here independently of zlib.
final class PNGEncoderTests: XCTestCase {
    /// An ARGB32 surface whose pixels are set by `pixel(x, y)` (premultiplied, as cairo keeps them).
    func surface(_ width: Int, _ height: Int, _ pixel: (Int, Int) -> UInt32) -> OpaquePointer {
        let s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(width), Int32(height))!
        let stride = Int(cairo_image_surface_get_stride(s))
        let data = cairo_image_surface_get_data(s)!
        for y in 0..<height {
            let row = UnsafeMutableRawPointer(data + y * stride).assumingMemoryBound(to: UInt32.self)
            for x in 0..<width { row[x] = pixel(x, y) }
        }
        cairo_surface_mark_dirty(s)
        return s
    }

    /// A picture like ours: bands of flat colour (repeated rows), noise in some rows (text), a gradient.
    func opaquePixels(seed: UInt64) -> (Int, Int) -> UInt32 {
        let noise = (0..<4096).map { i -> UInt32 in
            var g = SplitMix64(seed: seed, stream: UInt64(i))
            return UInt32(truncatingIfNeeded: g.next())
        }
        return { x, y in
            let band = y / 7
            if band % 3 == 0 { return 0xFF00_0000 | UInt32(truncatingIfNeeded: band &* 0x0103_0507) }
            if band % 3 == 1 { return 0xFF00_0000 | noise[(x * 31 + y * 17) % noise.count] }
            return 0xFF00_0000 | UInt32(x % 256) << 16 | UInt32(y % 256) << 8 | UInt32((x + y) % 256)
        }
    }

    /// Every alpha, colours premultiplied by it (0 where alpha is 0, as cairo keeps a transparent pixel).
    func translucentPixels(seed: UInt64) -> (Int, Int) -> UInt32 {
        { x, y in
            var g = SplitMix64(seed: seed, stream: UInt64(y * 100_003 + x))
            let a = UInt32((x + 3 * y) % 256)
            let r = UInt32(g.next() % 256) * a / 255, gr = UInt32(g.next() % 256) * a / 255, b = UInt32(g.next() % 256) * a / 255
            return a << 24 | r << 16 | gr << 8 | b
        }
    }

    /// The PNG decoded by libpng through cairo (an opaque PNG becomes RGB24, a translucent one ARGB32).
    func decode(_ png: [UInt8]) throws -> OpaquePointer {
        final class Reader { var bytes: [UInt8]; var offset = 0; init(_ b: [UInt8]) { bytes = b } }
        let reader = Reader(png)
        let s = cairo_image_surface_create_from_png_stream({ closure, data, length in
            let r = Unmanaged<Reader>.fromOpaque(closure!).takeUnretainedValue()
            guard let data, r.offset + Int(length) <= r.bytes.count else { return CAIRO_STATUS_READ_ERROR }
            r.bytes.withUnsafeBufferPointer { data.update(from: $0.baseAddress! + r.offset, count: Int(length)) }
            r.offset += Int(length)
            return CAIRO_STATUS_SUCCESS
        }, Unmanaged.passUnretained(reader).toOpaque())!
        let status = cairo_surface_status(s)
        guard status == CAIRO_STATUS_SUCCESS else {
            cairo_surface_destroy(s)
            throw RenderingError.cairo(operation: "decoding", status: String(cString: cairo_status_to_string(status)))
        }
        return s
    }

    /// Asserts that `decoded` has `original`'s size and pixels (colour only where the PNG is RGB).
    func assertSamePixels(_ original: OpaquePointer, _ decoded: OpaquePointer, file: StaticString = #filePath, line: UInt = #line) {
        let w = Int(cairo_image_surface_get_width(original)), h = Int(cairo_image_surface_get_height(original))
        XCTAssertEqual(Int(cairo_image_surface_get_width(decoded)), w, file: file, line: line)
        XCTAssertEqual(Int(cairo_image_surface_get_height(decoded)), h, file: file, line: line)
        let mask: UInt32 = cairo_image_surface_get_format(decoded) == CAIRO_FORMAT_RGB24 ? 0x00FF_FFFF : 0xFFFF_FFFF
        func row(_ s: OpaquePointer, _ y: Int) -> UnsafeMutablePointer<UInt32> {
            UnsafeMutableRawPointer(cairo_image_surface_get_data(s)! + y * Int(cairo_image_surface_get_stride(s)))
                .assumingMemoryBound(to: UInt32.self)
        }
        var differing = 0
        for y in 0..<h {
            let a = row(original, y), b = row(decoded, y)
            for x in 0..<w where a[x] & mask != b[x] & mask {
                if differing == 0 { XCTFail("pixel (\(x), \(y)): \(String(a[x], radix: 16)) became \(String(b[x], radix: 16))", file: file, line: line) }
                differing += 1
            }
        }
        XCTAssertEqual(differing, 0, "pixels that differ", file: file, line: line)
    }

    /// The chunks of a PNG: type and data, after checking the signature and each CRC-32 (computed here
    /// bit by bit, ISO 3309 polynomial 0xEDB88320, as the PNG spec's annex D).
    func chunks(_ png: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> [(type: String, data: [UInt8])] {
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], file: file, line: line)
        func crc(_ bytes: ArraySlice<UInt8>) -> UInt32 {
            var c: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                c ^= UInt32(byte)
                for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            }
            return ~c
        }
        func bigEndian(_ at: Int) -> UInt32 { png[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) } }
        var result: [(String, [UInt8])] = []
        var i = 8
        while i + 12 <= png.count {
            let length = Int(bigEndian(i))
            let type = String(decoding: png[(i + 4)..<(i + 8)], as: UTF8.self)
            XCTAssertEqual(bigEndian(i + 8 + length), crc(png[(i + 4)..<(i + 8 + length)]), "CRC of \(type)", file: file, line: line)
            result.append((type, Array(png[(i + 8)..<(i + 8 + length)])))
            i += 12 + length
        }
        XCTAssertEqual(i, png.count, "chunks fill the file", file: file, line: line)
        return result
    }

    /// Checks the chunk CRCs and the zlib stream's Adler-32 (RFC 1950, computed here over the inflated rows);
    /// returns the colour type.
    func assertWellFormed(_ png: [UInt8], width: Int, height: Int, file: StaticString = #filePath, line: UInt = #line) -> UInt8 {
        let all = chunks(png, file: file, line: line)
        XCTAssertEqual(all.first?.type, "IHDR", file: file, line: line)
        XCTAssertEqual(all.last?.type, "IEND", file: file, line: line)
        let header = all[0].data
        let colourType = header[9]
        let stream = all.filter { $0.type == "IDAT" }.flatMap(\.data)
        let rowBytes = 1 + width * (colourType == 2 ? 3 : 4)
        var inflated = [UInt8](repeating: 0, count: rowBytes * height)
        var length = uLong(inflated.count)
        XCTAssertEqual(uncompress(&inflated, &length, stream, uLong(stream.count)), Z_OK, "zlib stream", file: file, line: line)
        XCTAssertEqual(Int(length), rowBytes * height, file: file, line: line)
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in inflated { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        XCTAssertEqual(Array(stream.suffix(4)), [UInt8(b >> 8), UInt8(b & 0xFF), UInt8(a >> 8), UInt8(a & 0xFF)], "Adler-32", file: file, line: line)
        return colourType
    }

    /// Encodes `s`, checks the file, decodes it and compares the pixels; `colourType` 2 (RGB) or 6 (RGBA).
    func assertRoundTrips(_ s: OpaquePointer, colourType: UInt8, file: StaticString = #filePath, line: UInt = #line) throws {
        let w = Int(cairo_image_surface_get_width(s)), h = Int(cairo_image_surface_get_height(s))
        let png = try PNGEncoder.encode(imageSurface: s)
        XCTAssertEqual(assertWellFormed(png, width: w, height: h, file: file, line: line), colourType, "\(w)x\(h)", file: file, line: line)
        let decoded = try decode(png)
        defer { cairo_surface_destroy(decoded) }
        XCTAssertEqual(cairo_image_surface_get_format(decoded), colourType == 2 ? CAIRO_FORMAT_RGB24 : CAIRO_FORMAT_ARGB32, file: file, line: line)
        assertSamePixels(s, decoded, file: file, line: line)
    }

    func testAnOpaquePictureDecodesToTheSamePixelsAsRGB() throws {
        for (w, h) in [(1920, 1080), (1, 1), (1, 300), (3000, 1), (7, 5)] {
            let s = surface(w, h, opaquePixels(seed: UInt64(w * h)))
            defer { cairo_surface_destroy(s) }
            try assertRoundTrips(s, colourType: 2)
        }
    }

    /// Un-premultiplied to the nearest integer, then premultiplied again by cairo's reader: exact.
    func testATranslucentPictureDecodesToTheSamePremultipliedPixelsAsRGBA() throws {
        for (w, h) in [(640, 480), (1, 1), (1, 257), (300, 1)] {
            let s = surface(w, h, translucentPixels(seed: 7))
            defer { cairo_surface_destroy(s) }
            try assertRoundTrips(s, colourType: 6)
        }
        // One translucent pixel in an otherwise opaque picture is enough for RGBA.
        let one = surface(50, 50) { x, y in x == 49 && y == 49 ? 0x8040_2010 : 0xFF33_6699 }
        defer { cairo_surface_destroy(one) }
        try assertRoundTrips(one, colourType: 6)
    }

    /// A noisy picture (1.4 MB that do not compress) takes more than one IDAT chunk (1 MiB each): one stream across them.
    func testALargePictureSpansSeveralIDATChunks() throws {
        var g = SplitMix64(seed: 11)
        let noise = (0..<(800 * 600)).map { _ in UInt32(truncatingIfNeeded: g.next()) }
        let s = surface(800, 600) { x, y in 0xFF00_0000 | noise[y * 800 + x] }
        defer { cairo_surface_destroy(s) }
        XCTAssertGreaterThan(chunks(try PNGEncoder.encode(imageSurface: s)).filter { $0.type == "IDAT" }.count, 1)
        try assertRoundTrips(s, colourType: 2)
    }

    /// A plain picture is almost nothing once repeated rows are filtered to zeros and deflated; and the same
    /// surface gives the same bytes.
    func testAPlainPictureCompressesAndEncodingIsDeterministic() throws {
        let s = surface(1920, 1080) { _, _ in 0xFFFF_FFFF }
        defer { cairo_surface_destroy(s) }
        let png = try PNGEncoder.encode(imageSurface: s)
        // 6.2 MB of rows; deflate's longest match (258 bytes) bounds the ratio at 1032:1.
        XCTAssertLessThan(png.count, 40_000, "6.2 MB of white pixels compress at least 150:1")
        XCTAssertEqual(try PNGEncoder.encode(imageSurface: s), png)
        try assertRoundTrips(s, colourType: 2)
    }

    /// The timelines go through the same writer: a drawn picture reads back with the pixels it was drawn with.
    func testATimelineSurfaceRoundTrips() throws {
        let surface = try CairoSurface(imageWidth: 800, height: 450)
        let context = try CairoContext(surface)
        context.paint(Theme.dark.background)
        context.setColor(Theme.dark.text)
        context.setFont(size: 20, weight: .bold)
        context.showText("GIL hand-off", x: 20, y: 60)
        context.rectangle(Rect(x: 10, y: 100, width: 500.5, height: 40))
        context.fill()
        let decoded = try decode(try surface.encodedBytes())
        defer { cairo_surface_destroy(decoded) }
        assertSamePixels(surface.pointer, decoded)
    }

    func testASurfaceThatIsNotAnARGBImageIsAnError() throws {
        let s = cairo_image_surface_create(CAIRO_FORMAT_A8, 4, 4)!
        defer { cairo_surface_destroy(s) }
        XCTAssertThrowsError(try PNGEncoder.encode(imageSurface: s)) { error in
            XCTAssertTrue("\(error)".contains("not an ARGB32 or RGB24 image"), "\(error)")
        }
    }
}
