import SimEngine

/// How a run spent its time, beyond its makespan: who held the GIL, how often it changed hands, how long a
/// thread waited for it after its I/O came back, how busy the event loop and the cores were.
///
/// Computed by one function from a `Trace` and its `RunMetrics`, so a predicted run and a measured one
/// (`RealTraceBuilder` turns the harness's stamps into the same lane states) are judged the same way.
/// Waits shorter than `resolution` are not counted on either side: the measured side cannot see them (a
/// pure-Python step stamps its progress every ~50 µs), so counting them in the model would compare
/// different things.
public struct MechanismFigures: Sendable, Codable, Equatable {
    /// The shortest wait counted.
    public static let resolution: SimTime = .microseconds(50)

    /// One thread's share of the makespan spent holding its process's GIL (`running` on a thread lane).
    public struct LaneShare: Sendable, Codable, Equatable {
        public var lane: String
        public var share: Double
        public init(lane: String, share: Double) {
            self.lane = lane
            self.share = share
        }
    }

    /// Threads that held a GIL at all, in lane order.
    public var gilShare: [LaneShare]
    /// Waits for the GIL (at least `resolution`) that ended with the waiter taking it: hand-offs from
    /// another thread after a wait, which is most of ceval_gil.c's switch_number on a busy GIL.
    public var handoffs: Int
    /// `handoffs` per second of makespan.
    public var handoffsPerSecond: Double
    /// Waits (at least `resolution`) of lanes that do I/O: for the GIL (a thread), or for the loop or hub to
    /// resume it once its I/O is done (a coroutine, a greenlet). The convoy's figure.
    public var ioWaits: Int
    /// Total I/O-lane wait divided by the round trips (`RunMetrics.operations`, when they are I/O).
    public var ioWaitPerRoundTrip: SimTime
    /// The 95th percentile (nearest rank) of one I/O-lane wait.
    public var ioWaitP95: SimTime
    /// The event loop's (or hub's) thread: share of the makespan it was not idle in the selector; nil
    /// without a loop.
    public var loopBusyShare: Double?
    /// The loop thread's longest stretch of running without returning to the selector.
    public var loopLongestBusy: SimTime?
    /// Each core's busy time over the makespan (the model's cores; /proc/stat for a real run).
    public var coreUtilisation: [Double]
    /// How long a started thread or child process took to run its program (its lane's first `starting`
    /// stretch), the median over them, pools' and executors' workers left out (they start before they have
    /// work); nil with none. A thread just created waits for a core when every core is busy (docs/model.md,
    /// "The scheduler tick and a new thread's wait for a core").
    public var startWait: SimTime?
    /// How long after an I/O call began its answer left the server, beyond its latency, the median over the
    /// run's foreground calls (`RunMetrics.answerLate`); nil without I/O. The part of a round trip before
    /// the answer, where `ioWaitPerRoundTrip` is the part after it.
    public var answerLate: SimTime?
    /// The tasks' CPU steps' time on a core over their planned durations (`RunMetrics.cpuStepPace`): the
    /// pace the work ran at, 1 as calibrated; nil without CPU steps or, measured, without instrumentation.
    /// Where the model's is 1 and the measured one is not, the machine ran the work at another speed than
    /// at calibration (this VM's two speeds, docs/model.md), and the makespans differ by that much for it.
    public var cpuStepPace: Double?
    /// The program's working threads' time runnable without a core, summed (`RunMetrics.coreWait`), and the
    /// loop's or hub's part (`RunMetrics.loopCoreWait`); nil when not recorded.
    public var coreWait: SimTime?
    public var loopCoreWait: SimTime?
    /// `coreWait` over the same threads' turns on a core (`RunMetrics.coreTurns`): one turn's wait on average.
    public var coreWaitPerTurn: SimTime?
    /// How long a process's GIL was held by no thread while at least one of its threads waited for it
    /// (`waitingGIL`), summed over processes: the hand-offs' cost, from a release to the next holder's first
    /// step. Nil when no thread waited for a GIL. Unlike the waits above it counts gaps of any length: the
    /// measured side places a release and a take within a few microseconds (its timestamps around each socket
    /// call, a C step's own end) but for a forced drop inside a stamped Python step, seen up to one stamp
    /// (~50 µs) early; and it shows a thread waiting only where it waited 50 µs or more, which a busy GIL
    /// always has.
    public var gilIdleWhileWanted: SimTime?
    /// The stretches that make up `gilIdleWhileWanted`.
    public var gilIdleGaps: Int
    /// `gilIdleWhileWanted` over `gilIdleGaps`: one hand-off's cost on average; nil without a gap.
    public var gilIdlePerGap: SimTime? {
        guard let total = gilIdleWhileWanted, gilIdleGaps > 0 else { return nil }
        return .nanoseconds(total.nanoseconds / Int64(gilIdleGaps))
    }

    /// The figures of one run.
    /// - Complexity: O(segments log segments).
    public init(trace: Trace, metrics: RunMetrics) {
        let makespan = max(metrics.makespan.nanoseconds, 1)
        var byLane = [[Segment]](repeating: [], count: trace.lanes.count)
        for s in trace.segments where Int(s.lane) < byLane.count { byLane[Int(s.lane)].append(s) }
        var shares: [LaneShare] = []
        var handoffs = 0
        var ioWaits: [SimTime] = []
        var loopBusy: Double?
        var loopLongest: SimTime?
        var starts: [SimTime] = []
        for lane in trace.lanes where lane.kind != .core {
            let segments = byLane[lane.id].sorted { $0.start < $1.start }
            let hasIO = segments.contains { $0.state == .blocked }
            if lane.kind == .thread {
                let held = segments.reduce(Int64(0)) { $0 + ($1.state == .running ? $1.duration.nanoseconds : 0) }
                if held > 0 { shares.append(LaneShare(lane: lane.name, share: Double(held) / Double(makespan))) }
                if !LaneNames.isPoolWorker(lane.name), let start = Self.startStretch(segments) { starts.append(start) }
            }
            for wait in Self.waits(segments) {
                if wait.forGIL && lane.kind == .thread { handoffs += 1 }
                if hasIO && (wait.forGIL || wait.afterIO) { ioWaits.append(wait.duration) }
            }
            if lane.name == LaneNames.eventLoop || lane.name == LaneNames.hub {
                var busy: Int64 = 0, stretch: Int64 = 0, longest: Int64 = 0, last = SimTime.zero
                for s in segments {
                    let working = s.state != .idle
                    if working {
                        busy += s.duration.nanoseconds
                        stretch = (s.start == last ? stretch : 0) + s.duration.nanoseconds
                        longest = max(longest, stretch)
                    } else {
                        stretch = 0
                    }
                    last = s.end
                }
                loopBusy = Double(busy) / Double(makespan)
                loopLongest = .nanoseconds(longest)
            }
        }
        gilShare = shares
        self.handoffs = handoffs
        handoffsPerSecond = Double(handoffs) / (Double(makespan) / 1e9)
        self.ioWaits = ioWaits.count
        let total = ioWaits.reduce(Int64(0)) { $0 + $1.nanoseconds }
        ioWaitPerRoundTrip = .nanoseconds(metrics.operations > 0 ? total / Int64(metrics.operations) : 0)
        ioWaitP95 = RunMetrics.percentile(ioWaits, 95)
        loopBusyShare = loopBusy
        loopLongestBusy = loopLongest
        coreUtilisation = metrics.coreBusy.map { Double($0.nanoseconds) / Double(makespan) }
        startWait = RunMetrics.median(starts)
        answerLate = metrics.answerLate
        cpuStepPace = metrics.cpuStepPace
        coreWait = metrics.coreWait
        if let wait = metrics.coreWait, let turns = metrics.coreTurns, turns > 0 {
            coreWaitPerTurn = .nanoseconds(wait.nanoseconds / Int64(turns))
        }
        loopCoreWait = metrics.loopCoreWait
        (gilIdleWhileWanted, gilIdleGaps) = Self.gilIdleWhileWanted(trace, byLane: byLane)
    }

    /// Per process, the stretches in which none of its threads holds the GIL (`running`) and at least one
    /// waits for it (`waitingGIL`): their total and count; nil total when no thread waited.
    /// - Complexity: O(s log s) for the s segments of thread lanes.
    static func gilIdleWhileWanted(_ trace: Trace, byLane: [[Segment]]) -> (SimTime?, Int) {
        // Per process, +1/-1 steps of the holders and the waiters at each segment's ends.
        var steps: [Int: [(time: SimTime, holding: Int, waiting: Int)]] = [:]
        for lane in trace.lanes where lane.kind == .thread {
            for s in byLane[lane.id] {
                switch s.state {
                case .running:
                    steps[lane.process, default: []] += [(s.start, 1, 0), (s.end, -1, 0)]
                case .waitingGIL:
                    steps[lane.process, default: []] += [(s.start, 0, 1), (s.end, 0, -1)]
                default:
                    break
                }
            }
        }
        guard steps.values.contains(where: { $0.contains { $0.waiting > 0 } }) else { return (nil, 0) }
        var total = SimTime.zero, gaps = 0
        for process in steps.keys.sorted() {
            // At one instant, ends before starts: a hand-off at t leaves no gap at t.
            let ordered = steps[process]!.sorted { ($0.time, $0.holding + $0.waiting) < ($1.time, $1.holding + $1.waiting) }
            var holding = 0, waiting = 0
            var idleSince: SimTime?
            for step in ordered {
                holding += step.holding
                waiting += step.waiting
                let idle = holding == 0 && waiting > 0
                if idle, idleSince == nil {
                    idleSince = step.time
                } else if !idle, let since = idleSince {
                    if step.time > since { total += step.time - since; gaps += 1 }
                    idleSince = nil
                }
            }
        }
        return (total, gaps)
    }

    /// The length of a lane's first stretch of adjacent `starting` segments, nil when it does not begin
    /// with one. O(segments).
    public static func startStretch(_ segments: [Segment]) -> SimTime? {
        guard let first = segments.first, first.state == .starting else { return nil }
        var end = first.end
        for s in segments.dropFirst() {
            guard s.state == .starting, s.start == end else { break }
            end = s.end
        }
        return end - first.start
    }

    /// A maximal run of adjacent waiting segments (`waitingGIL`, `runnable`) of one lane.
    public struct Wait: Sendable, Equatable {
        /// When the wait began.
        public var start: SimTime
        public var duration: SimTime
        /// It contains at least `resolution` of time in take_gil.
        public var forGIL: Bool
        /// It began where a `blocked` segment ended (a wake-up after I/O or a sleep).
        public var afterIO: Bool
    }

    /// The waits of one lane's segments (in time order) that last at least `resolution`. O(segments).
    public static func waits(_ segments: [Segment]) -> [Wait] {
        var out: [Wait] = []
        var current: Wait?
        var end = SimTime.zero
        var previous: LaneState?
        // The wait's time in take_gil: it is a wait for the GIL when that part alone is at least `resolution`
        // (a wait for a core that ends with a few microseconds on the way into a free GIL is not one).
        var inGIL = SimTime.zero
        func close() {
            if var c = current, c.duration >= resolution {
                c.forGIL = inGIL >= resolution
                out.append(c)
            }
            current = nil
        }
        for s in segments {
            let waiting = s.state == .waitingGIL || s.state == .runnable
            if waiting, var c = current, s.start == end {
                c.duration += s.duration
                if s.state == .waitingGIL { inGIL += s.duration }
                current = c
            } else {
                close()
                if waiting {
                    inGIL = s.state == .waitingGIL ? s.duration : .zero
                    current = Wait(start: s.start, duration: s.duration, forGIL: false,
                                   afterIO: previous == .blocked && s.start == end)
                }
            }
            end = s.end
            previous = s.state
        }
        close()
        return out
    }
}
