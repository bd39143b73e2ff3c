import Foundation
import SimEngine
import SimScenario
import SimTrace

/// Writes results.json and results.csv into an output folder, each atomically (a reader never sees a
/// half-written file), and renders the same JSON for `--json`.
public enum ResultsWriter {
    public static let jsonFileName = "results.json"
    public static let csvFileName = "results.csv"

    /// A results file could not be written.
    public struct WriteError: Error, CustomStringConvertible, Equatable {
        public var path: String
        public var reason: String
        public var description: String {
            "cannot write results file \(path): \(reason); choose an output folder you can write to"
        }
    }

    /// The content of results.json (see `ResultsDocument` for the schema and time scheme), for stdout.
    public static func json(scenario: Scenario, runs: [RunMetrics], reference: ReferenceComparison? = nil,
                            advice: Advice? = nil) throws -> String {
        try ResultsDocument(scenario: scenario, runs: runs, reference: reference, advice: advice).jsonText()
    }

    /// The CSV header.
    public static let csvColumns = [
        "strategy", "kind", "makespan_s", "speedup", "latency_p50_s", "latency_p95_s", "latency_max_s",
        "operations", "throughput_ops_per_s", "cpu_busy_s", "cpu_utilisation", "gil_held_s", "gil_waited_s",
        "gil_switches", "drop_requests", "forced_switches", "context_switches", "events",
    ]

    /// results.csv: a header and one row per strategy in run order; times in seconds with 6 decimals
    /// (microseconds), factors and rates with 3 or 4 decimals; RFC 4180 quoting; lines end with "\n".
    public static func csv(scenario: Scenario, runs: [RunMetrics]) -> String {
        let comparison = RunComparison(scenario: scenario, runs: runs)
        var lines = [csvColumns.joined(separator: ",")]
        for f in comparison.figures {
            let m = f.metrics
            let cells: [String] = [
                csvField(m.strategy), csvField(m.kind), Format.seconds(m.makespan), String(format: "%.4f", f.speedUp),
                Format.seconds(f.latencyP50), Format.seconds(f.latencyP95), Format.seconds(f.latencyMax),
                String(m.operations), String(format: "%.3f", f.throughput), Format.seconds(f.cpuBusy),
                String(format: "%.4f", f.utilisation), Format.seconds(m.gilHeld), Format.seconds(m.gilWaited),
                String(m.gilSwitches), String(m.dropRequests), String(m.forcedSwitches), String(m.contextSwitches),
                String(m.events),
            ]
            lines.append(cells.joined(separator: ","))
        }
        return lines.map { $0 + "\n" }.joined()
    }

    /// Writes `folder`/results.json and `folder`/results.csv (creating the folder) and returns their paths.
    /// Both contents are made before either is written, and each file is replaced atomically.
    ///
    /// - Throws: `WriteError` naming the file that could not be written.
    @discardableResult
    public static func write(scenario: Scenario, runs: [RunMetrics], reference: ReferenceComparison? = nil,
                             advice: Advice? = nil, to folder: String) throws -> [String] {
        let base = URL(fileURLWithPath: folder)
        let files = [
            (base.appendingPathComponent(jsonFileName).path, try json(scenario: scenario, runs: runs, reference: reference, advice: advice)),
            (base.appendingPathComponent(csvFileName).path, csv(scenario: scenario, runs: runs)),
        ]
        for (path, text) in files {
            do {
                try AtomicFile.write(text, to: path)
            } catch let error as AtomicFile.WriteError {
                throw WriteError(path: path, reason: obstacle(to: path) ?? error.reason)
            } catch {
                throw WriteError(path: path, reason: obstacle(to: path) ?? "\(error)")
            }
        }
        return files.map(\.0)
    }

    /// What stops `path` from being written, in plain words, where it can be told: an ancestor that is a
    /// file, a folder without write permission, or a folder in the file's place. Foundation's own messages
    /// ("The operation could not be completed") do not say which path is at fault.
    static func obstacle(to path: String) -> String? {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            return "\(path) is a folder"
        }
        var ancestor = URL(fileURLWithPath: path).deletingLastPathComponent()
        while !manager.fileExists(atPath: ancestor.path, isDirectory: &isFolder) {
            let parent = ancestor.deletingLastPathComponent()
            if parent.path == ancestor.path { return nil }
            ancestor = parent
        }
        if !isFolder.boolValue { return "\(ancestor.path) is a file, not a folder" }
        if !manager.isWritableFile(atPath: ancestor.path) { return "no permission to write in \(ancestor.path)" }
        return nil
    }

    public static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
