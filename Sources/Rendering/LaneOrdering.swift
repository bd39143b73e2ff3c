import SimTrace

/// The lanes of one group of the picture: one OS process, or the CPU cores.
struct LaneGroup: Equatable {
    /// The process index, or nil for the CPU cores.
    var process: Int?
    var title: String
    /// Lanes in drawing order: each thread followed by the greenlets/coroutines it hosts.
    var lanes: [Int]
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
