import Foundation
import SimEngine
import SimScenario

/// Which half of the matrix a case belongs to: parameters may be fitted on `fit` cases only; `heldOut`
/// cases judge whether what was fitted generalises.
public enum MatrixHalf: String, Sendable, Codable, CaseIterable {
    case fit
    case heldOut = "held-out"
}

/// One case of the validation matrix: a scenario run for real by the harness, or a plain program described by
/// a scenario; each of its strategies a point.
public struct ValidationCase: Sendable {
    public var name: String
    public var half: MatrixHalf
    /// The scenario file, relative to the matrix folder.
    public var file: String
    public var scenario: Scenario
    /// Set when the case is a plain Python program rather than a harness run of `scenario`.
    public var program: MatrixProgram?
    /// The matrix folder, where `file` and the program are.
    public var folder: String

    /// The scenario the model runs: as written, with the program's measured one-task time at its `oneTaskKey`.
    /// - Throws: a `ScenarioError` if the key does not fit the scenario.
    public func scenario(oneTask: SimTime?) throws -> Scenario {
        guard let key = program?.oneTaskKey, let oneTask else { return scenario }
        return try ScenarioLoader.load(path: folder + "/" + file, overrides: ["\(key)=\(oneTask.nanoseconds)ns"])
    }
}

/// A plain Python program of the matrix, written as users write them (validation/programs/): run as
/// `python PROGRAM ARGUMENTS... LABEL --url URL` for each strategy label of its scenario, it prints
/// `took X s` last. The model is told only what the program's author would know: its scenario (the latency
/// of each call), and the time of one task alone (`LABEL` = `one`) when `oneTaskKey` says where it goes.
public struct MatrixProgram: Sendable, Equatable {
    /// The program, relative to the matrix folder.
    public var path: String
    public var arguments: [String]
    /// The scenario key (a `--set` path) that takes the measured time of one task alone; nil for none.
    public var oneTaskKey: String?
    /// Whether the machine profile's measured HTTP-client costs apply (the program uses urlopen and aiohttp,
    /// as the harness does) or the scenario's io steps are all there is (a raw socket).
    public var calibratedClient: Bool

    /// The label that makes the program time one task alone.
    public static let oneTaskLabel = "one"
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
            struct Program: Decodable {
                var name: String; var file: String; var half: MatrixHalf
                var program: String; var arguments: [String]; var one_task: String?; var client: String
            }
            var cases: [Entry]
            var programs: [Program]?
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
            cases.append(ValidationCase(name: entry.name, half: entry.half, file: entry.file, scenario: scenario, folder: folder))
        }
        for entry in index.programs ?? [] {
            guard seen.insert(entry.name).inserted else {
                throw MatrixError.badFile(path: path, reason: "case \(entry.name) is listed twice; names must be unique")
            }
            guard ["calibrated", "as_written"].contains(entry.client) else {
                throw MatrixError.badFile(path: path, reason: "program \(entry.name): client must be \"calibrated\" or \"as_written\", not \"\(entry.client)\"")
            }
            guard FileManager.default.fileExists(atPath: folder + "/" + entry.program) else {
                throw MatrixError.badFile(path: path, reason: "program \(entry.name): \(folder)/\(entry.program) does not exist")
            }
            let scenario = try ScenarioLoader.load(path: folder + "/" + entry.file)
            let program = MatrixProgram(path: entry.program, arguments: entry.arguments, oneTaskKey: entry.one_task,
                                        calibratedClient: entry.client == "calibrated")
            let c = ValidationCase(name: entry.name, half: entry.half, file: entry.file, scenario: scenario, program: program, folder: folder)
            if entry.one_task != nil { _ = try c.scenario(oneTask: .milliseconds(1)) }  // the key must fit the scenario
            cases.append(c)
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
