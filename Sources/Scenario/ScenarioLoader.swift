import Foundation
import SimEngine

/// Reads scenario files: JSON with line numbers, `--set` overrides, validation, defaults.
///
/// ```swift
/// let scenario = try ScenarioLoader.load(path: "scenarios/io_heavy.json", overrides: ["machine.cores=8"])
/// ```
/// Every failure is a `ScenarioError` whose description names the file, line, JSON path and the fix.
public enum ScenarioLoader {
    /// Where the shipped scenarios live, relative to the working directory.
    public static let scenariosFolder = "scenarios"
    /// The largest scenario file read: far above any hand-written or generated scenario (they use repeat and
    /// count), and small enough that parsing it stays within a second and modest memory.
    public static let maxFileSize = 16_000_000

    /// Reads and validates the scenario at `path`.
    ///
    /// A bare name such as `io_heavy` that is not a file is looked up as `scenarios/io_heavy.json`.
    /// - Parameter overrides: `KEY=VALUE` texts as given to `--set`, applied in order.
    public static func load(path: String, overrides: [String] = []) throws -> Scenario {
        try load(path: path, overrides: overrides, scenariosFolder: scenariosFolder)
    }

    /// `load` with the folder of shipped scenarios given (tests use an absolute one).
    static func load(path: String, overrides: [String], scenariosFolder: String) throws -> Scenario {
        let resolved = resolvePath(path, scenariosFolder: scenariosFolder)
        let data = try readFile(resolved, asGiven: path, scenariosFolder: scenariosFolder)
        return try parse(data: data, sourceName: resolved, overrides: overrides)
    }

    /// Reads and validates a scenario from bytes; `sourceName` is used in messages and as the default name.
    public static func parse(data: Data, sourceName: String = "<scenario>", overrides: [String] = []) throws -> Scenario {
        guard String(data: data, encoding: .utf8) != nil else {
            throw ScenarioError(file: sourceName, message: "is not UTF-8 text; save the scenario as UTF-8 JSON")
        }
        // Decoded as is: `String(data:encoding:)` drops a leading byte order mark, which would let the parser
        // (which skips one) accept a file that starts with two.
        return try parse(text: String(decoding: data, as: UTF8.self), sourceName: sourceName, overrides: overrides)
    }

    /// Reads and validates a scenario from JSON text; `sourceName` is used in messages and as the default name.
    public static func parse(text: String, sourceName: String = "<scenario>", overrides: [String] = []) throws -> Scenario {
        do {
            var root = try JSONParser.parse(text)
            for o in overrides {
                try ScenarioOverride(parsing: o).apply(to: &root)
            }
            var scenario = try ScenarioReader.read(root, defaultName: defaultName(for: sourceName))
            scenario.sourcePath = sourceName
            return scenario
        } catch let error as ScenarioError {
            throw error.attributed(to: sourceName)
        }
    }

    /// Reads a scenario already parsed as JSON (e.g. from a results file), with overrides.
    public static func resolve(_ root: JSONNode, sourceName: String = "<scenario>", overrides: [String] = []) throws -> Scenario {
        do {
            var root = root
            for o in overrides { try ScenarioOverride(parsing: o).apply(to: &root) }
            var scenario = try ScenarioReader.read(root, defaultName: defaultName(for: sourceName))
            scenario.sourcePath = sourceName
            return scenario
        } catch let error as ScenarioError {
            throw error.attributed(to: sourceName)
        }
    }

    /// `path` itself if it exists; else, for a bare name, the shipped scenario of that name.
    public static func resolvePath(_ path: String) -> String {
        resolvePath(path, scenariosFolder: scenariosFolder)
    }

    static func resolvePath(_ path: String, scenariosFolder: String) -> String {
        let fm = FileManager.default
        if fm.fileExists(atPath: path) { return path }
        if !path.contains("/") {
            let name = path.hasSuffix(".json") ? path : path + ".json"
            let candidate = scenariosFolder + "/" + name
            if fm.fileExists(atPath: candidate) { return candidate }
        }
        return path
    }

    /// The file name without folder and `.json`: `scenarios/io_heavy.json` gives `io_heavy`.
    static func defaultName(for sourceName: String) -> String {
        var base = sourceName.split(separator: "/").last.map(String.init) ?? sourceName
        if base.hasSuffix(".json") { base.removeLast(5) }
        return base.isEmpty || base.hasPrefix("<") ? "scenario" : base
    }

    private static func readFile(_ path: String, asGiven: String, scenariosFolder: String) throws -> Data {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ScenarioError(file: asGiven, message: "no such file; " + missingFileHint(path, scenariosFolder: scenariosFolder))
        }
        if isDirectory.boolValue {
            let files = jsonFiles(in: path)
            let list = files.isEmpty ? "" : " (it holds \(files.joined(separator: ", ")))"
            throw ScenarioError(file: asGiven, message: "is a folder; give a scenario .json file in it\(list)")
        }
        let size = (try? fm.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        if size > maxFileSize {
            throw ScenarioError(file: asGiven, message: "is \(size / 1_000_000) MB; a scenario file is at most \(maxFileSize / 1_000_000) MB (use repeat and count instead of writing steps out)")
        }
        guard fm.isReadableFile(atPath: path), let handle = FileHandle(forReadingAtPath: path) else {
            throw ScenarioError(file: asGiven, message: "cannot be read (check its permissions)")
        }
        defer { try? handle.close() }
        // Read through a handle, so that a device or a pipe (/dev/null, <(...)) is read too, up to the limit.
        let data = (try? handle.read(upToCount: maxFileSize + 1)) ?? Data()
        if data.count > maxFileSize {
            throw ScenarioError(file: asGiven, message: "is more than \(maxFileSize / 1_000_000) MB; a scenario file is at most that (use repeat and count instead of writing steps out)")
        }
        return data
    }

    private static func missingFileHint(_ path: String, scenariosFolder: String) -> String {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let files = jsonFiles(in: folder)
        if let close = DidYouMean.suggestion(for: url.lastPathComponent, among: files) {
            let prefix = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) + "/" : ""
            return "did you mean \(prefix)\(close)?"
        }
        let shipped = jsonFiles(in: scenariosFolder)
        if !shipped.isEmpty {
            return "give the path of a scenario JSON file, or the name of a shipped one: \(shipped.map { String($0.dropLast(5)) }.joined(separator: ", "))"
        }
        return "give the path of a scenario JSON file (docs/scenario-format.md describes the format)"
    }

    private static func jsonFiles(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
        return names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
    }
}
