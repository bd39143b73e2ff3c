import Foundation
import XCTest

/// Output onto a disk that fills up mid-run (a small tmpfs, so the test needs root and skips without it):
/// a clear message that says the disk is full, a non-zero exit, every file whole or absent, and no
/// temporary file left; and hidden temporaries of a killed run swept by the next one.
final class DiskFaultTests: CommandTestCase {
    var disk: URL!

    override func setUpWithError() throws {
        try super.setUpWithError()
        disk = folder.appendingPathComponent("disk")
        try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
        guard getuid() == 0 else { throw XCTSkip("mounting a small tmpfs needs root") }
        // 160 KiB: room for results and a picture or two of io_heavy's six, not for all.
        guard Self.shell("mount -t tmpfs -o size=160k simulate-full '\(disk.path)'") == 0 else {
            throw XCTSkip("cannot mount a tmpfs here")
        }
    }

    override func tearDownWithError() throws {
        if let disk { _ = Self.shell("umount '\(disk.path)'") }
        try super.tearDownWithError()
    }

    static func shell(_ command: String) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command + " 2>/dev/null"]
        do { try p.run() } catch { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }

    static var ioHeavy: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("scenarios/io_heavy.json").path
    }

    func testAFullDiskIsNamedAndLeavesOnlyWholeFiles() throws {
        let out = disk.appendingPathComponent("out")
        let r = try simulate([Self.ioHeavy, "-o", out.path])
        XCTAssertEqual(r.status, 1, r.err)
        XCTAssertTrue(r.err.contains("is full; free some space or write elsewhere with -o"), r.err)
        XCTAssertEqual(r.err.split(separator: "\n").count, 1, "one message: \(r.err)")
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path)
        XCTAssertFalse(names.contains { $0.hasPrefix(".") }, "temporary files left: \(names)")
        XCTAssertLessThan(names.filter { $0.hasSuffix(".png") }.count, 6, "the disk was meant to fill: \(names)")
        for name in names {
            let data = try Data(contentsOf: out.appendingPathComponent(name))
            switch URL(fileURLWithPath: name).pathExtension {
            case "json": XCTAssertNoThrow(try JSONSerialization.jsonObject(with: data), name)
            case "csv": XCTAssertEqual(data.last, UInt8(ascii: "\n"), name)
            case "png":
                // A whole PNG ends with the IEND chunk (its type and CRC: the last 8 bytes).
                XCTAssertEqual(Array(data.suffix(8)), [0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82], name)
            default: XCTFail("unexpected file \(name)")
            }
        }
    }

    /// A run killed between writing a temporary file and renaming it leaves `.NAME.PID.tmp`; the next run
    /// into that folder removes it (its process is gone), and keeps those of live processes.
    func testTemporariesOfDeadProcessesAreSwept() throws {
        let out = folder.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let stale = out.appendingPathComponent(".results.json.\(gone.processIdentifier).tmp")
        let live = out.appendingPathComponent(".results.json.1.tmp")
        try Data("{".utf8).write(to: stale)
        try Data("{".utf8).write(to: live)
        let r = try simulate([Self.ioHeavy, "-o", out.path, "--no-pictures"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale.path), "a dead process's temporary stays")
        XCTAssertTrue(FileManager.default.fileExists(atPath: live.path), "a live process's temporary was removed")
    }
}
