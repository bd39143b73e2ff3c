import ArgumentParser
import Foundation

/// A mistake the user can fix; its message says what to do.
struct UserError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}

/// Prints a line on stderr.
func warn(_ message: String) {
    FileHandle.standardError.write(Data("simulate: \(message)\n".utf8))
}

/// Runs a command body; any error is printed as one clear message on stderr and exits with status 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch let error as CleanExit {
        throw error
    } catch {
        warn("error: \(error)")
        throw ExitCode(1)
    }
}

/// The items of a comma-separated option value, each trimmed of spaces; empty items are kept, for the caller to
/// refuse or skip.
func commaSeparated(_ text: String) -> [String] {
    text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
}
