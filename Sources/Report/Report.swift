import SimEngine
import SimScenario
import SimTrace

/// What `simulate SCENARIO` prints after the simulation: a title, the comparison table, the verdict, the
/// advice (which strategy and why) when given, and the predicted-vs-reference table when reference figures
/// are given. Files: see `ResultsWriter`.
public enum Report {
    /// The tool's name and version as written into results files.
    public static let toolVersion = "simulate 0.1"

    /// The whole terminal report, lines ended by newlines.
    ///
    /// - Parameters:
    ///   - reference: reference makespans and their source, e.g. built from the scenario's reference figures.
    ///   - colour: ANSI bold/colour; pass `isatty(STDOUT_FILENO) != 0`, never true when output is captured.
    public static func render(scenario: Scenario, runs: [RunMetrics], reference: ReferenceComparison? = nil,
                              advice: Advice? = nil, colour: Bool = false) -> String {
        let comparison = RunComparison(scenario: scenario, runs: runs)
        let table = ComparisonTable(comparison: comparison)
        let verdict = Verdict(scenario: scenario, comparison: comparison)
        var title = "\(scenario.name): \(scenario.foregroundTaskCount) tasks on \(scenario.machine.cores) cores, seed \(scenario.seed)"
        if !scenario.description.isEmpty { title += " - \(scenario.description)" }
        var out = (colour ? "\u{1B}[1m\(title)\u{1B}[0m" : title) + "\n\n"
        out += table.render(colour: colour) + "\n"
        out += (colour ? "\u{1B}[1m\(verdict.text)\u{1B}[0m" : verdict.text) + "\n"
        if let advice, !advice.lines.isEmpty {
            out += "\n" + (colour ? "\u{1B}[1mAdvice\u{1B}[0m" : "Advice") + "\n" + advice.lines.map { "  " + $0 }.joined(separator: "\n") + "\n"
        }
        if let reference, !reference.rows.isEmpty || !reference.unmatched.isEmpty {
            out += "\n" + reference.render(colour: colour)
        }
        return out
    }
}
