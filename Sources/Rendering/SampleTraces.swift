import SimEngine
import SimTrace

/// Small made-up traces that look like real runs, for tests, benchmarks and trying out the pictures
/// before a model run is at hand. Deterministic.
public enum SampleTraces {
    /// Two threads alternating on the GIL every 5 ms (drop request, forced switch, hand-off each time) while
    /// the main thread joins them; two cores.
    public static func gilContention(duration: SimTime = .milliseconds(100)) -> Trace {
        var b = Builder()
        let main = b.lane("MainThread", .thread, process: 0)
        let t1 = b.lane("Thread-1 (cpu)", .thread, process: 0)
        let t2 = b.lane("Thread-2 (cpu)", .thread, process: 0)
        let c0 = b.lane("core 0", .core, process: 0)
        let c1 = b.lane("core 1", .core, process: 0)
        let start = SimTime.milliseconds(2)
        b.seg(main, .starting, .zero, .microseconds(800))
        b.seg(main, .running, .microseconds(800), start)
        b.seg(main, .awaiting, start, duration)
        b.seg(t1, .starting, start, start + .microseconds(150))
        b.seg(t2, .starting, start + .microseconds(150), start + .microseconds(300))
        b.seg(c0, .running, .zero, duration)
        var t = start + .microseconds(300)
        var holder = t1, waiter = t2
        b.seg(t1, .running, start + .microseconds(150), t)
        b.seg(t2, .waitingGIL, start + .microseconds(300), t)
        let interval = SimTime.milliseconds(5)
        while t < duration {
            let end = min(t + interval, duration)
            b.seg(holder, .running, t, end)
            b.seg(waiter, .waitingGIL, t, end)
            b.seg(holder == t1 ? c0 : c1, .running, t, end)
            b.seg(holder == t1 ? c1 : c0, .idle, t, end)
            if end < duration {
                b.mark(.dropRequest, waiter, end)
                b.mark(.forcedSwitch, holder, end + .microseconds(20))
                b.mark(.gilHandoff, waiter, end + .microseconds(40))
            }
            swap(&holder, &waiter)
            t = end
        }
        return b.finish(end: duration)
    }

    /// The convoy effect: an I/O thread making short round trips (`io` each, `python` of Python per call)
    /// beside a CPU-bound thread. Each answer arrives while the CPU thread holds the GIL, so the I/O thread
    /// waits a whole switch interval until its drop request forces a switch. One core each.
    public static func convoy(duration: SimTime = .milliseconds(40), io: SimTime = .microseconds(200),
                              python: SimTime = .microseconds(30), interval: SimTime = .milliseconds(5)) -> Trace {
        var b = Builder()
        let main = b.lane("MainThread", .thread, process: 0)
        let ioLane = b.lane("io", .thread, process: 0)
        let cpu = b.lane("cpu", .thread, process: 0)
        b.seg(main, .running, .zero, .microseconds(100))
        b.seg(main, .awaiting, .microseconds(100), duration)
        var t = SimTime.microseconds(100)
        var cpuSince = t
        while t < duration {
            // The I/O thread runs its Python, releases the GIL for the call; the CPU thread takes it.
            let callEnd = min(t + python, duration)
            b.seg(ioLane, .running, t, callEnd)
            if t > cpuSince { b.seg(cpu, .waitingGIL, cpuSince, t) }
            cpuSince = callEnd
            let answer = min(callEnd + io, duration)
            b.seg(ioLane, .blocked, callEnd, answer)
            // The answer is back; the GIL is not: wait for the interval, request a drop, get it on the forced switch.
            let request = min(answer + interval, duration)
            b.seg(ioLane, .waitingGIL, answer, request)
            if request < duration {
                b.mark(.dropRequest, ioLane, request)
                b.mark(.forcedSwitch, cpu, request + .microseconds(20))
                b.mark(.gilHandoff, ioLane, request + .microseconds(40))
            }
            let handoff = min(request + .microseconds(40), duration)
            b.seg(ioLane, .waitingGIL, request, handoff)
            b.seg(cpu, .running, cpuSince, handoff)
            cpuSince = handoff
            t = handoff
        }
        return b.finish(end: duration)
    }

    /// An asyncio loop thread idling in the selector while `coroutines` tasks wait on I/O, each waking now
    /// and then to run briefly.
    public static func asyncioIO(coroutines: Int = 10, duration: SimTime = .milliseconds(100), seed: UInt64 = 7) -> Trace {
        var b = Builder()
        var rng = SplitMix64(seed: seed)
        let loop = b.lane("MainThread (event loop)", .thread, process: 0)
        b.seg(loop, .starting, .zero, .milliseconds(1))
        var busy: [(SimTime, SimTime)] = []
        for i in 0..<coroutines {
            let c = b.lane("fetch(\(i))", .coroutine, process: 0, host: loop)
            var t = SimTime.milliseconds(1) + .microseconds(Int64(i) * 60)
            b.seg(c, .runnable, .milliseconds(1), t)
            while t < duration {
                let run = SimTime.microseconds(150 + Int64(rng.nextIndex(below: 250)))
                let wait = SimTime.milliseconds(8 + Int64(rng.nextIndex(below: 15)))
                let runEnd = min(t + run, duration)
                b.seg(c, .running, t, runEnd)
                busy.append((t, runEnd))
                let ioEnd = min(runEnd + wait, duration)
                if ioEnd > runEnd { b.seg(c, .blocked, runEnd, ioEnd) }
                let ready = min(ioEnd + .microseconds(Int64(rng.nextIndex(below: 300))), duration)
                if ready > ioEnd { b.seg(c, .runnable, ioEnd, ready) }
                t = ready
            }
        }
        // The loop thread runs whenever one of its coroutines does, and idles in the selector otherwise.
        busy.sort { $0.0 < $1.0 }
        var t = SimTime.milliseconds(1)
        var merged: [(SimTime, SimTime)] = []
        for (s, e) in busy {
            if let last = merged.last, s <= last.1 { merged[merged.count - 1].1 = max(last.1, e) } else { merged.append((s, e)) }
        }
        for (s, e) in merged {
            if s > t {
                b.seg(loop, .idle, t, s)
                b.mark(.loopWakeup, loop, s)
            }
            b.seg(loop, .running, max(s, t), e)
            t = e
        }
        if t < duration { b.seg(loop, .idle, t, duration) }
        return b.finish(end: duration)
    }

    /// `count` worker processes crunching on `cores` cores, the main process awaiting their results.
    public static func processes(count: Int = 2, cores: Int = 2, duration: SimTime = .milliseconds(100)) -> Trace {
        var b = Builder()
        let main = b.lane("MainThread", .thread, process: 0)
        let startup = SimTime.milliseconds(12)
        b.seg(main, .starting, .zero, .milliseconds(1))
        b.seg(main, .running, .milliseconds(1), .milliseconds(2))
        b.seg(main, .awaiting, .milliseconds(2), duration)
        var workers: [Int] = []
        for p in 1...count {
            b.processNames.append("Process-\(p)")
            let w = b.lane("MainThread", .thread, process: p)
            workers.append(w)
            let s = SimTime.milliseconds(2) + .milliseconds(Int64(p - 1))
            b.seg(w, .starting, s, s + startup)
            let end = duration - .milliseconds(Int64(count - p))
            // More processes than cores take turns on the cores (OS slices of 10 ms).
            var t = s + startup
            var on = p <= cores
            while t < end {
                let e = min(t + .milliseconds(10), end)
                b.seg(w, on ? .running : .runnable, t, e)
                if !on { b.mark(.preempted, w, t) }
                on = count <= cores ? true : !on
                t = e
            }
        }
        for c in 0..<cores {
            let lane = b.lane("core \(c)", .core, process: 0)
            b.seg(lane, .running, .zero, duration)
        }
        return b.finish(end: duration)
    }

    /// A large trace for benchmarks: `lanes` threads (plus 2 cores) with about `segments` segments in all,
    /// states cycling through every kind, with a GIL mark every tenth segment.
    public static func large(segments: Int, lanes: Int = 32, duration: SimTime = .milliseconds(10_000), seed: UInt64 = 1) -> Trace {
        var rng = SplitMix64(seed: seed)
        var trace = Trace()
        for i in 0..<lanes {
            trace.lanes.append(Lane(id: i, name: "Thread-\(i)", kind: .thread, process: 0))
        }
        let perLane = max(1, segments / lanes)
        let mean = max(Int64(2), duration.nanoseconds / Int64(perLane))
        trace.segments.reserveCapacity(perLane * lanes)
        for lane in 0..<lanes {
            var t: Int64 = 0
            for j in 0..<perLane {
                let d = 1 + Int64(rng.nextIndex(below: Int(2 * mean - 1)))
                let e = min(t + d, duration.nanoseconds)
                if e <= t { break }
                let state = LaneState(rawValue: UInt8(rng.nextIndex(below: 8)))!
                trace.segments.append(Segment(lane: lane, state: state, start: .nanoseconds(t), end: .nanoseconds(e)))
                if j % 10 == 0 { trace.instants.append(InstantEvent(time: .nanoseconds(t), lane: lane, kind: .gilHandoff)) }
                t = e
            }
        }
        trace.end = duration
        return trace
    }

    /// Several traces side by side as the processes of one (each trace's processes renumbered after the
    /// previous ones'; `names` prefix their process names).
    public static func merged(_ parts: [(name: String, trace: Trace)]) -> Trace {
        var out = Trace(processNames: [])
        var haveCores = false
        for (name, t) in parts {
            let laneBase = out.lanes.count, processBase = out.processNames.count
            // The machine's cores are shared: keep the first part's core lanes only.
            let dropCores = haveCores
            haveCores = haveCores || t.lanes.contains { $0.kind == .core }
            let kept = t.lanes.filter { !(dropCores && $0.kind == .core) }
            var newId = [Int](repeating: -1, count: t.lanes.count)
            for (i, l) in kept.enumerated() { newId[l.id] = laneBase + i }
            for l in kept {
                out.lanes.append(Lane(id: newId[l.id], name: l.name, kind: l.kind, process: l.process + processBase,
                                      hostThread: l.hostThread.map { newId[$0] }))
            }
            out.processNames += t.processNames.map { $0 == "main" ? name : "\(name): \($0)" }
            out.segments += t.segments.filter { newId[Int($0.lane)] >= 0 }
                .map { Segment(lane: newId[Int($0.lane)], state: $0.state, start: $0.start, end: $0.end) }
            out.instants += t.instants.filter { newId[Int($0.lane)] >= 0 }
                .map { InstantEvent(time: $0.time, lane: newId[Int($0.lane)], kind: $0.kind) }
            out.end = max(out.end, t.end)
        }
        out.segments.sort { ($0.end, $0.lane) < ($1.end, $1.lane) }
        out.instants.sort { ($0.time, $0.lane) < ($1.time, $1.lane) }
        return out
    }

    /// Accumulates lanes and segments (segments may be added in any order; they are sorted by end time).
    struct Builder {
        var trace = Trace()
        var processNames = ["main"]

        mutating func lane(_ name: String, _ kind: LaneKind, process: Int, host: Int? = nil) -> Int {
            let id = trace.lanes.count
            trace.lanes.append(Lane(id: id, name: name, kind: kind, process: process, hostThread: host))
            return id
        }

        mutating func seg(_ lane: Int, _ state: LaneState, _ start: SimTime, _ end: SimTime) {
            guard end > start else { return }
            trace.segments.append(Segment(lane: lane, state: state, start: start, end: end))
        }

        mutating func mark(_ kind: InstantKind, _ lane: Int, _ time: SimTime) {
            trace.instants.append(InstantEvent(time: time, lane: lane, kind: kind))
        }

        mutating func finish(end: SimTime) -> Trace {
            trace.segments.sort { ($0.end, $0.lane) < ($1.end, $1.lane) }
            trace.instants.sort { ($0.time, $0.lane) < ($1.time, $1.lane) }
            trace.end = end
            trace.processNames = processNames
            return trace
        }
    }
}
