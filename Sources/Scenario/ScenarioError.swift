/// A scenario that cannot be read, with the place to fix it.
///
/// The description reads like a compiler's: `scenarios/x.json:12:9: tasks[0].steps[2].cpu: "15 ms" is not a
/// duration; write "15ms" or 15`. For a value that came from the command line the place is the override:
/// `--set python.switch_interval=0: python.switch_interval: ...`.
public struct ScenarioError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The scenario file (or the name given to `ScenarioLoader.parse`), when known.
    public var file: String?
    public var location: SourceLocation
    /// The JSON path of the offending value, e.g. `tasks[0].steps[2].cpu`; empty for the whole document.
    public var path: String
    /// What is wrong and what to write instead.
    public var message: String

    public init(file: String? = nil, location: SourceLocation = .none, path: String = "", message: String) {
        self.file = file
        self.location = location
        self.path = path
        self.message = message
    }

    /// The line in the file, when the value came from the file.
    public var line: Int? {
        if case .file(let line, _) = location { return line }
        return nil
    }

    /// The column in the file, when the value came from the file.
    public var column: Int? {
        if case .file(_, let column) = location { return column }
        return nil
    }

    /// `file:line:column`, `--set KEY=VALUE`, or just the file.
    public var place: String? {
        switch location {
        case .file(let line, let column): return "\(file ?? "<scenario>"):\(line):\(column)"
        case .override(let text): return "--set \(text)"
        case .none: return file
        }
    }

    public var description: String {
        var parts: [String] = []
        if let place { parts.append(Self.clipped(place)) }
        if !path.isEmpty { parts.append(Self.clipped(path)) }
        parts.append(Self.clipped(message))
        return parts.joined(separator: ": ")
    }

    /// Longest word of user input echoed in a message; a 10 MB key or number is shown by its start.
    static let maxEchoedWord = 80
    /// Longest part (place, path or message) of a description.
    static let maxPart = 2_000

    /// `text` with every word longer than `maxEchoedWord` characters cut (with "…" and its length), and
    /// the whole cut at `maxPart`, so that a message never repeats megabytes of the input.
    static func clipped(_ text: String) -> String {
        guard text.utf8.count > maxEchoedWord else { return text }
        var out = ""
        var word = Substring()
        func flush() {
            if word.count > maxEchoedWord {
                out += word.prefix(maxEchoedWord - 20) + "…(\(word.count) characters)"
            } else {
                out += word
            }
        }
        var start = text.startIndex
        for i in text.indices where text[i] == " " {
            word = text[start..<i]
            flush()
            out += " "
            start = text.index(after: i)
            if out.count > maxPart { break }
        }
        if out.count <= maxPart {
            word = text[start...]
            flush()
        }
        return out.count > maxPart ? String(out.prefix(maxPart)) + "…" : out
    }

    /// The same error attributed to `file` (the parser and reader do not know the file name).
    func attributed(to file: String) -> ScenarioError {
        var copy = self
        if copy.file == nil { copy.file = file }
        return copy
    }
}
