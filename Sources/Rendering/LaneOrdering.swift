import SimTrace

/// The lanes of one group of the picture: one OS process, or the CPU cores.
struct LaneGroup: Equatable {
    /// The process index, or nil for the CPU cores.
    var process: Int?
    var title: String
    /// Lanes in drawing order: each thread followed by the greenlets/coroutines it hosts.
    var lanes: [Int]
    /// For the group that stands for the processes beyond the picture's rows: how many it folds together
    /// (drawn as one density band); 0 for a group of one process or the cores.
    var folded = 0
}

enum LaneOrdering {
    /// Groups lanes by process (in process order), each thread followed by the lanes it hosts
    /// (`Lane.hostThread`), and the cores last when `showCores`. O(lanes log lanes).
    static func groups(of trace: Trace, showCores: Bool) -> [LaneGroup] {
        var hosted: [Int: [Int]] = [:]
        for lane in trace.lanes where lane.kind == .greenlet || lane.kind == .coroutine {
            if let host = lane.hostThread, host >= 0, host < trace.lanes.count, host != lane.id {
                hosted[host, default: []].append(lane.id)
            }
        }
        var placed = Set<Int>()
        var byProcess: [Int: [Int]] = [:]
        func place(_ id: Int, into list: inout [Int]) {
            guard !placed.contains(id) else { return }
            placed.insert(id)
            list.append(id)
            for child in hosted[id] ?? [] { place(child, into: &list) }
        }
        let nonCore = trace.lanes.filter { $0.kind != .core }
        for lane in nonCore where lane.kind == .thread {
            place(lane.id, into: &byProcess[lane.process, default: []])
        }
        // Greenlets and coroutines whose host is missing still show, after their process's threads.
        for lane in nonCore where !placed.contains(lane.id) {
            place(lane.id, into: &byProcess[lane.process, default: []])
        }
        var groups: [LaneGroup] = byProcess.keys.sorted().map { p in
            LaneGroup(process: p, title: processTitle(p, names: trace.processNames), lanes: byProcess[p]!)
        }
        if showCores {
            let cores = trace.lanes.filter { $0.kind == .core }.map(\.id)
            if !cores.isEmpty { groups.append(LaneGroup(process: nil, title: "CPU cores", lanes: cores)) }
        }
        return groups
    }

    /// `groups` with all but `keep` process groups folded into one group (the cores stay last). The groups
    /// kept are chosen as `sample` chooses lanes: the first ones, and with many more, an even sample of the
    /// rest. Returns the groups and how many of the kept ones were sampled. O(lanes).
    static func folding(_ groups: [LaneGroup], keep: Int) -> (groups: [LaneGroup], sampled: Int) {
        let processes = groups.filter { $0.process != nil }
        guard processes.count > keep + 1 else { return (groups, 0) }
        let (kept, sampled) = sample(Array(processes.indices), rows: keep + 1)
        let keptSet = Set(kept)
        let rest = processes.indices.filter { !keptSet.contains($0) }
        let folded = LaneGroup(process: processes[rest[0]].process, title: "+\(Format.grouped(rest.count)) more processes",
                               lanes: rest.flatMap { processes[$0].lanes }, folded: rest.count)
        return (kept.map { processes[$0] } + [folded] + groups.filter { $0.process == nil }, sampled)
    }

    /// The lanes of a group to draw as rows of their own when it gets `rows` rows for `lanes` lanes (one row is
    /// the density band of the rest): the first ones, and when there are many more lanes than rows, half the
    /// rows for the first lanes and half for lanes picked evenly through the rest, so the picture shows the
    /// whole run's lanes rather than only those that started first. Deterministic. O(rows).
    static func sample(_ lanes: [Int], rows: Int) -> (shown: [Int], sampled: Int) {
        guard rows < lanes.count else { return (lanes, 0) }
        let n = rows - 1
        guard n >= 2, lanes.count > 2 * n else { return (Array(lanes.prefix(n)), 0) }
        let first = (n + 1) / 2, picks = n - first
        let remaining = lanes.count - first
        let sampled = (1...picks).map { j in lanes[first + (j * remaining) / (picks + 1)] }
        return (Array(lanes.prefix(first)) + sampled, picks)
    }

    static func processTitle(_ p: Int, names: [String]) -> String {
        let name = p < names.count ? names[p] : "process \(p)"
        return name == "main" ? "main process" : name
    }

    /// Splits `budget` rows among groups of `sizes` lanes, as evenly as the sizes allow (water-filling):
    /// every group gets at least one row; a group given fewer rows than lanes shows all but one of them
    /// as lanes and the rest as one density band. O(groups x budget).
    static func allocate(budget: Int, sizes: [Int]) -> [Int] {
        var rows = sizes.map { min($0, 1) }
        var left = budget - rows.reduce(0, +)
        while left > 0 {
            var gave = false
            for i in rows.indices where left > 0 && rows[i] < sizes[i] {
                rows[i] += 1
                left -= 1
                gave = true
            }
            if !gave { break }
        }
        return rows
    }
}
