import Foundation
import SimTrace

extension MachineProfile {
    /// The median of several calibrations of one machine, figure by figure.
    ///
    /// This VM's slow spells outlast one calibration (docs/model.md, "Spreading the calibration's short costs
    /// over its run did not steady them"), so one calibration is one draw: urlopen's CPU came out 298-479 µs
    /// and the Python loop 24-35 ns in calibrations minutes apart. Calibrations taken at different times and
    /// combined here leave each figure at its middle value rather than at the draw of one moment.
    ///
    /// Every number is the median of the profiles that have it (the lower one for an even count, as every
    /// spread of repeated measurements here: `MeasuredSpread`); tables and lists of the same length are
    /// combined element by element, and a figure measured only by some profiles (an older calibration lacks
    /// it) is the median of those.
    /// `7777 ** n` is fitted again through the median points; `calibratedAt` is the lower median of the times.
    /// Python's version, the cores and the switch interval must be the same in all: a profile of another machine
    /// or Python is refused.
    /// - Parameters:
    ///   - profiles: at least two calibrations, with `paths` naming their files for messages.
    /// - Throws: `RealRunError.badProfile` naming the file that differs and how.
    /// - Complexity: O(p · f log p) for p profiles of f figures.
    public static func median(of profiles: [MachineProfile], paths: [String]) throws -> MachineProfile {
        precondition(profiles.count == paths.count && !profiles.isEmpty)
        let first = profiles[0]
        for (p, path) in zip(profiles, paths).dropFirst() {
            for (what, same) in [("Python \(p.python), not \(first.python)", p.python == first.python),
                                 ("\(p.cores) cores, not \(first.cores)", p.cores == first.cores),
                                 ("switch interval \(p.switchInterval), not \(first.switchInterval)",
                                  p.switchInterval == first.switchInterval)] where !same {
                throw RealRunError.badProfile(path: path, reason: "it was calibrated with \(what) as \(paths[0]) was: combine calibrations of one machine and one Python")
            }
        }
        let trees = try profiles.map { try JSONSerialization.jsonObject(with: $0.encoded()) }
        let combined = try JSONSerialization.data(withJSONObject: medianTree(trees), options: [.sortedKeys])
        var profile = try JSONDecoder().decode(MachineProfile.self, from: combined)
        profile.bigPower = PowerLawCost.fit(profile.bigPower.points)
        // The times sort as they were written (ISO 8601, UTC): the lower median of those recorded.
        let times = profiles.compactMap(\.calibratedAt).sorted()
        profile.calibratedAt = times.isEmpty ? nil : times[(times.count - 1) / 2]
        return profile
    }

    /// The element-wise median of JSON trees of one shape (see `median(of:paths:)`); where the trees disagree
    /// in shape (lists of other lengths, a string against a number), the first tree's value.
    static func medianTree(_ values: [Any]) -> Any {
        if let objects = values as? [[String: Any]], objects.count == values.count {
            var keys = Set<String>()
            for o in objects { keys.formUnion(o.keys) }
            var out: [String: Any] = [:]
            for key in keys { out[key] = medianTree(objects.compactMap { $0[key] }) }
            return out
        }
        if let lists = values as? [[Any]], lists.count == values.count, Set(lists.map(\.count)).count == 1 {
            return (0..<lists[0].count).map { i in medianTree(lists.map { $0[i] }) }
        }
        // A profile has no yes/no figures: every NSNumber here is a measurement. The lower median, as for every
        // spread of repeated measurements: one of the values, so a whole number stays one.
        let numbers = values.compactMap { $0 as? NSNumber }
        if numbers.count == values.count, let middle = MeasuredSpread.lowerMedianAndExtremes(numbers.map(\.doubleValue))?.median {
            return numbers.first { $0.doubleValue == middle } ?? values[0]
        }
        return values[0]
    }
}
