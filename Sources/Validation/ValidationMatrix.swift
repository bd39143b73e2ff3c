import Foundation
import SimScenario

/// Which half of the matrix a case belongs to: parameters may be fitted on `fit` cases only; `heldOut`
/// cases judge whether what was fitted generalises.
public enum MatrixHalf: String, Sendable, Codable, CaseIterable {
    case fit
    case heldOut = "held-out"
}

/// One case of the validation matrix: a scenario run for real by the harness, each of its strategies a point.
public struct ValidationCase: Sendable {
    public var name: String
    public var half: MatrixHalf
    /// The scenario file, relative to the matrix folder.
    public var file: String
    public var scenario: Scenario
}

/// The validation matrix kept in the repository: `validation/matrix.json` lists the cases (written by
/// `validation/make_cases.py`, which also decides each case's half) and `validation/cases/*.json` holds them.
public struct ValidationMatrix: Sendable {
    public var folder: String
    public var cases: [ValidationCase]

    /// The file that lists the cases, inside `folder`.
    public static let indexName = "matrix.json"

    /// Reads the index and every case's scenario.
    /// - Throws: `MatrixError.badFile` naming the file and what is wrong; a case's `ScenarioError` as is.
    public static func load(folder: String) throws -> ValidationMatrix {
        let path = folder + "/" + indexName
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MatrixError.badFile(path: path, reason: "it does not exist or cannot be read; run python3 validation/make_cases.py to write it")
        }
        struct Index: Decodable {
            struct Entry: Decodable { var name: String; var file: String; var half: MatrixHalf }
            var cases: [Entry]
        }
        let index: Index
        do { index = try JSONDecoder().decode(Index.self, from: data) } catch {
            throw MatrixError.badFile(path: path, reason: "not a case list {\"cases\": [{\"name\", \"file\", \"half\": \"fit\" or \"held-out\"}]}: \(error)")
        }
        var seen = Set<String>()
        var cases: [ValidationCase] = []
        for entry in index.cases {
            guard seen.insert(entry.name).inserted else {
                throw MatrixError.badFile(path: path, reason: "case \(entry.name) is listed twice; names must be unique")
            }
            let scenario = try ScenarioLoader.load(path: folder + "/" + entry.file)
            cases.append(ValidationCase(name: entry.name, half: entry.half, file: entry.file, scenario: scenario))
        }
        return ValidationMatrix(folder: folder, cases: cases)
    }

    /// The cases named in `names` (all of them when nil), or the cases of part `part` of `parts` (cases
    /// dealt round-robin in index order, so that each part mixes kinds of cases).
    /// - Throws: `MatrixError.unknownCase` for a name that is not in the matrix.
    public func selecting(names: [String]?, part: Int = 1, of parts: Int = 1) throws -> [ValidationCase] {
        var chosen = cases
        if let names {
            for n in names where !cases.contains(where: { $0.name == n }) {
                throw MatrixError.unknownCase(name: n, known: cases.map(\.name))
            }
            chosen = cases.filter { names.contains($0.name) }
        }
        return chosen.enumerated().filter { $0.offset % parts == part - 1 }.map(\.element)
    }
}

/// Problems with the matrix or its measurements.
public enum MatrixError: Error, CustomStringConvertible, Equatable {
    case badFile(path: String, reason: String)
    case unknownCase(name: String, known: [String])
    case otherMachine(path: String)

    public var description: String {
        switch self {
        case .badFile(let path, let reason):
            return "\(path): \(reason)"
        case .unknownCase(let name, let known):
            return "no case \(name) in the matrix; the cases are \(known.joined(separator: ", "))"
        case .otherMachine(let path):
            return "\(path) was measured with another machine profile; measure the whole matrix again with --fresh (or calibrate back to that profile)"
        }
    }
}
