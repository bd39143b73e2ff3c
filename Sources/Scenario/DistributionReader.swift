import SimEngine

/// Reads a duration that may vary: a plain duration (constant) or a one-key distribution object.
enum DistributionReader {
    static let kinds = ["constant", "uniform", "exponential", "normal", "lognormal", "empirical"]
    /// Largest lognormal sigma accepted: beyond it single draws span dozens of orders of magnitude.
    static let maxSigma = 10.0

    static let example = "{\"uniform\": {\"min\": \"1ms\", \"max\": \"3ms\"}}"

    /// - Parameter otherKeys: keys that would also be valid in this object (e.g. `duration`, `kind` for a
    ///   cpu step), listed in unknown-key messages.
    static func read(_ field: ScenarioField, what: String, otherKeys: [String] = []) throws -> Distribution {
        switch field.value {
        case .number, .string:
            return .constant(try field.duration(what: what))
        case .object(let members):
            if members.isEmpty {
                throw field.error("an empty object is not a distribution; write a duration such as \"5ms\" or a distribution such as \(example)")
            }
            let object = try field.object(keys: kinds + otherKeys, what: "a distribution")
            let given = object.keys.filter { kinds.contains($0) }
            if given.count > 1 {
                throw field.error("a distribution has exactly one kind, found \(given.joined(separator: " and ")); keep one")
            }
            guard let kind = given.first, let inner = object[kind] else {
                throw field.error("expected one of \(kinds.joined(separator: ", ")), e.g. \(example)")
            }
            return try readKind(kind, inner, what: what)
        default:
            throw field.expected("\(what): a duration such as \"5ms\", or a distribution such as \(example)")
        }
    }

    private static func readKind(_ kind: String, _ f: ScenarioField, what: String) throws -> Distribution {
        switch kind {
        case "constant":
            return .constant(try f.duration(what: what))
        case "uniform":
            let o = try f.object(keys: ["min", "max"], what: "a uniform distribution", hint: "; write {\"uniform\": {\"min\": \"1ms\", \"max\": \"3ms\"}}")
            let low = try o.required("min", in: "a uniform distribution", example: "{\"min\": \"1ms\", \"max\": \"3ms\"}").duration(what: "min")
            let high = try o.required("max", in: "a uniform distribution", example: "{\"min\": \"1ms\", \"max\": \"3ms\"}").duration(what: "max")
            if low > high {
                throw o["min"]!.error("min (\(DurationSyntax.format(low))) is greater than max (\(DurationSyntax.format(high))); swap them")
            }
            return .uniform(low, high)
        case "exponential":
            let o = try f.object(keys: ["mean"], what: "an exponential distribution", hint: "; write {\"exponential\": {\"mean\": \"5ms\"}}")
            return .exponential(mean: try o.required("mean", in: "an exponential distribution", example: "{\"mean\": \"5ms\"}").duration(what: "mean"))
        case "normal":
            let example = "{\"mean\": \"5ms\", \"stddev\": \"1ms\"}"
            let o = try f.object(keys: ["mean", "stddev"], what: "a normal distribution", hint: "; write {\"normal\": \(example)}")
            let mean = try o.required("mean", in: "a normal distribution", example: example).duration(what: "mean")
            let sd = try o.required("stddev", in: "a normal distribution", example: example).duration(what: "stddev")
            return .normal(mean: mean, stddev: sd)
        case "lognormal":
            let example = "{\"median\": \"180ms\", \"sigma\": 0.6}"
            let o = try f.object(keys: ["median", "sigma"], what: "a lognormal distribution", hint: "; write {\"lognormal\": \(example)}")
            let median = try o.required("median", in: "a lognormal distribution", example: example).duration(what: "median")
            let sigmaField = try o.required("sigma", in: "a lognormal distribution", example: example)
            if case .string = sigmaField.value {
                throw sigmaField.expected("a plain number (sigma is the shape, without a unit, e.g. 0.6)")
            }
            let sigma = try sigmaField.number(in: 0...maxSigma, what: "sigma")
            return .lognormal(median: median, sigma: sigma)
        case "empirical":
            let items = try f.array(what: "a list of durations", hint: "; write {\"empirical\": [\"120ms\", \"180ms\", \"900ms\"]}")
            if items.isEmpty { throw f.error("an empty list; list at least one duration, e.g. [\"120ms\", \"180ms\"]") }
            return .empirical(try items.map { try $0.duration(what: "each value") })
        default:
            preconditionFailure("unhandled distribution kind \(kind)")
        }
    }

    /// Whether draws can be above zero (a background task made only of zero-time steps would never advance).
    static func canTakeTime(_ d: Distribution) -> Bool {
        switch d {
        case .constant(let t): return t > .zero
        case .uniform(_, let high): return high > .zero
        case .exponential(let mean): return mean > .zero
        case .normal(let mean, let sd): return mean > .zero || sd > .zero
        case .lognormal(let median, _): return median > .zero
        case .empirical(let values): return values.contains { $0 > .zero }
        }
    }
}
