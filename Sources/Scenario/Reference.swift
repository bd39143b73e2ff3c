import SimEngine

/// Figures a scenario is meant to reproduce: wall times published (the seed article's) or measured elsewhere,
/// per strategy label, so reports can put the simulation beside them.
public struct Reference: Sendable, Equatable {
    /// Where the figures come from, e.g. the article's title and address.
    public var source: String
    /// Wall time from start to the last task's end, per strategy label ("sync", "threads", ...).
    public var makespans: [String: SimTime]

    public init(source: String = "", makespans: [String: SimTime] = [:]) {
        self.source = source
        self.makespans = makespans
    }
}
