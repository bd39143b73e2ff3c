import SimEngine

/// A moment of a run worth pointing at on a picture, found from its trace: what happened, on which lane,
/// over which interval. The picture draws a bracket over the interval and a label naming the mechanism.
public struct Explanation: Sendable, Equatable {
    public enum Kind: Sendable, Equatable, CaseIterable {
        /// A thread whose I/O answer came back but that waits for the GIL before it can read it: the convoy
        /// effect (bpo-7946). The interval is the wait, from the end of its I/O to taking the GIL.
        case convoyWait
        /// The GIL holder forced to drop it: a waiter timed out after the switch interval and set the drop
        /// request (take_gil in Python/ceval_gil.c), the holder honoured it at its next eval-breaker check.
        /// The interval runs on the holder's lane from when the waiter began waiting to the forced switch.
        case forcedSwitch
        /// An event loop (or gevent hub) kept from its ready coroutines (greenlets) by one running CPU work:
        /// nothing else on the loop runs until the step returns. The interval is the step, on the loop's lane.
        case loopBlocked
        /// A process being started (fork/spawn and interpreter start-up), on the new process's main thread.
        case processStart
    }

    public var kind: Kind
    /// The lane the bracket goes on.
    public var lane: Int
    public var start: SimTime
    public var end: SimTime
    /// Another lane the explanation names: the coroutine or greenlet that blocked the loop.
    public var culprit: Int?

    public init(kind: Kind, lane: Int, start: SimTime, end: SimTime, culprit: Int? = nil) {
        self.kind = kind
        self.lane = lane
        self.start = start
        self.end = end
        self.culprit = culprit
    }

    public var duration: SimTime { end - start }
}

/// Finds the few moments of a trace that explain a picture (`Explanation`): at most one of each kind, in
/// `Explanation.Kind` order.
///
/// Which one of a kind: for waits that vary in length (a convoy wait, a loop blocked) the first that is at
/// least half as long as the longest, so the bracket shows a typical bad case early in the run rather than a
/// 60 µs wait or an outlier at the end; for a forced switch and a process start, the first.
/// Only moments wholly inside `window`, on lanes `isShown` accepts (lanes drawn as rows of their own), count.
/// Waits shorter than `MechanismFigures.resolution` are not counted, as in the mechanism figures.
public enum Explanations {
    /// - Complexity: O(segments log segments + instants).
    public static func find(in trace: Trace, window: Range<SimTime>? = nil, isShown: (Int) -> Bool = { _ in true }) -> [Explanation] {
        let window = window ?? SimTime.zero..<trace.end
        func inside(_ s: SimTime, _ e: SimTime) -> Bool { s >= window.lowerBound && e <= window.upperBound && e > s }
        let laneCount = trace.lanes.count
        var byLane = [[Segment]](repeating: [], count: laneCount)
        for s in trace.segments where s.lane >= 0 && Int(s.lane) < laneCount { byLane[Int(s.lane)].append(s) }
        for i in byLane.indices { byLane[i].sort { $0.start < $1.start } }
        var out: [Explanation] = []

        // Convoy wait: a wait for the GIL that began where the thread's I/O (or sleep) ended.
        var convoy: [Explanation] = []
        for lane in trace.lanes where lane.kind == .thread && isShown(lane.id) {
            for w in MechanismFigures.waits(byLane[lane.id]) where w.forGIL && w.afterIO && inside(w.start, w.start + w.duration) {
                convoy.append(Explanation(kind: .convoyWait, lane: lane.id, start: w.start, end: w.start + w.duration))
            }
        }
        if let c = firstLong(convoy) { out.append(c) }

        // Forced switch: the drop request that forced it is the latest one before it in the same process.
        var lastRequest = [Int: InstantEvent]()
        for e in trace.instants.sorted(by: { ($0.time, $0.lane) < ($1.time, $1.lane) }) {
            guard e.lane >= 0, Int(e.lane) < laneCount else { continue }
            let process = trace.lanes[Int(e.lane)].process
            if e.kind == .dropRequest { lastRequest[process] = e }
            guard e.kind == .forcedSwitch, let request = lastRequest[process], request.lane != e.lane else { continue }
            lastRequest[process] = nil
            guard isShown(Int(e.lane)), let waitStart = waitStart(byLane[Int(request.lane)], containing: request.time),
                  inside(waitStart, e.time) else { continue }
            out.append(Explanation(kind: .forcedSwitch, lane: Int(e.lane), start: waitStart, end: e.time))
            break
        }

        // Loop blocked: a coroutine's (greenlet's) stretch of running while a sibling on the same loop is ready.
        var blocked: [Explanation] = []
        var readyByHost: [Int: [Segment]] = [:]
        for lane in trace.lanes where (lane.kind == .coroutine || lane.kind == .greenlet) && lane.hostThread != nil {
            readyByHost[lane.hostThread!, default: []] += byLane[lane.id].filter { $0.state == .runnable }
        }
        for (host, ready) in readyByHost {
            readyByHost[host] = ready.sorted { $0.start < $1.start }
        }
        var latestReadyEnd: [Int: [SimTime]] = [:]
        for (host, ready) in readyByHost {
            var m = SimTime(nanoseconds: Int64.min)
            latestReadyEnd[host] = ready.map { m = max(m, $0.end); return m }
        }
        for lane in trace.lanes where (lane.kind == .coroutine || lane.kind == .greenlet) {
            guard let host = lane.hostThread, host >= 0, host < laneCount, isShown(host),
                  let ready = readyByHost[host], let ends = latestReadyEnd[host] else { continue }
            for (start, end) in runningStretches(byLane[lane.id]) where end - start >= MechanismFigures.resolution && inside(start, end) {
                // Some sibling ready during [start, end): among those ready from before `end`, one is ready past `start`.
                let lo = ready.partitionPoint { $0.start >= end }
                if lo > 0, ends[lo - 1] > start {
                    blocked.append(Explanation(kind: .loopBlocked, lane: host, start: start, end: end, culprit: lane.id))
                }
            }
        }
        if let b = firstLong(blocked) { out.append(b) }

        // Process start: the first start-up of a process other than the main one.
        let starts = trace.lanes.filter { $0.process != 0 && $0.kind == .thread && isShown($0.id) }.compactMap { lane in
            byLane[lane.id].first { $0.state == .starting && inside($0.start, $0.end) }
                .map { Explanation(kind: .processStart, lane: lane.id, start: $0.start, end: $0.end) }
        }
        if let s = starts.min(by: { ($0.start, $0.lane) < ($1.start, $1.lane) }) { out.append(s) }
        return out
    }

    /// The earliest of `candidates` at least half as long as the longest (ties: the lower lane).
    static func firstLong(_ candidates: [Explanation]) -> Explanation? {
        guard let longest = candidates.map(\.duration).max() else { return nil }
        return candidates.filter { $0.duration.nanoseconds * 2 >= longest.nanoseconds }
            .min { ($0.start, $0.lane) < ($1.start, $1.lane) }
    }

    /// The start of the run of adjacent waiting segments (`waitingGIL`, `runnable`) of a lane that contains `t`.
    static func waitStart(_ segments: [Segment], containing t: SimTime) -> SimTime? {
        guard let i = segments.firstIndex(where: { $0.start <= t && t <= $0.end && ($0.state == .waitingGIL || $0.state == .runnable) })
        else { return nil }
        var j = i
        while j > 0, segments[j - 1].end == segments[j].start,
              segments[j - 1].state == .waitingGIL || segments[j - 1].state == .runnable { j -= 1 }
        return segments[j].start
    }

    /// A coroutine's (greenlet's) steps: maximal runs of adjacent segments running (Python or C) or waiting for
    /// the GIL (its loop thread's wait inside the step, which keeps the loop from every other coroutine too),
    /// that contain some running.
    static func runningStretches(_ segments: [Segment]) -> [(SimTime, SimTime)] {
        var out: [(SimTime, SimTime)] = []
        var current: (start: SimTime, end: SimTime, ran: Bool)?
        for s in segments {
            let ran = s.state == .running || s.state == .runningNoGIL
            guard ran || s.state == .waitingGIL else { continue }
            if let c = current, c.end == s.start {
                current = (c.start, s.end, c.ran || ran)
            } else {
                if let c = current, c.ran { out.append((c.start, c.end)) }
                current = (s.start, s.end, ran)
            }
        }
        if let c = current, c.ran { out.append((c.start, c.end)) }
        return out
    }
}
