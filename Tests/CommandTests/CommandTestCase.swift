import Foundation
import XCTest

/// A test of the built `simulate` binary, run in a fresh temporary folder that is removed afterwards.
class CommandTestCase: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        // The UUID's dashes keep the name out of the pattern of folders that `simulate` sweeps at start.
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("simulate-command-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// The `simulate` executable next to this test bundle in the build folder.
    var binary: URL {
        var url = Bundle(for: CommandTestCase.self).bundleURL
        while url.pathExtension == "xctest" || url.lastPathComponent == "Contents" { url.deleteLastPathComponent() }
        return url.appendingPathComponent("simulate")
    }

    /// Runs `simulate` with `arguments` in the temporary folder; returns the exit status, stdout and stderr.
    func simulate(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}
