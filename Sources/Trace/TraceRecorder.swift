import SimEngine

/// Builds a `Trace` from state changes as a run advances: each lane's open interval is closed when its
/// state changes. With `enabled == false` it records nothing and costs a branch per call.
///
/// - Complexity: O(1) amortized per state change; memory grows with lanes and segments only.
public struct TraceRecorder: Sendable {
    public let enabled: Bool
    public private(set) var trace = Trace()
    var openState: [LaneState?] = []
    var openSince: [SimTime] = []

    public init(enabled: Bool) { self.enabled = enabled }

    /// Adds a lane that exists from `time` in `state`; returns its id. Lanes are added even when disabled,
    /// so ids are the same with tracing on or off.
    public mutating func addLane(name: String, kind: LaneKind, process: Int, hostThread: Int? = nil, state: LaneState?, at time: SimTime) -> Int {
        let id = trace.lanes.count
        trace.lanes.append(Lane(id: id, name: name, kind: kind, process: process, hostThread: hostThread))
        openState.append(state)
        openSince.append(time)
        return id
    }

    /// Names a process index (index 0 is "main" already).
    public mutating func nameProcess(_ index: Int, _ name: String) {
        while trace.processNames.count <= index { trace.processNames.append("process \(trace.processNames.count)") }
        trace.processNames[index] = name
    }

    /// Puts `lane` in `state` from `time` on (nil: the lane ends). A change to the same state does nothing.
    public mutating func set(_ lane: Int, _ state: LaneState?, at time: SimTime) {
        guard enabled else { return }
        let old = openState[lane]
        if old == state { return }
        if let old, time > openSince[lane] {
            trace.segments.append(Segment(lane: lane, state: old, start: openSince[lane], end: time))
        }
        openState[lane] = state
        openSince[lane] = time
    }

    /// The state a lane is in now (as recorded).
    public func state(of lane: Int) -> LaneState? { openState[lane] }

    /// Records an instant event.
    public mutating func mark(_ kind: InstantKind, lane: Int, at time: SimTime) {
        // A thread without a lane (-1: the local server's, a process Pool's handlers) marks nothing.
        guard enabled, lane >= 0 else { return }
        trace.instants.append(InstantEvent(time: time, lane: lane, kind: kind))
    }

    /// Closes every open interval at `time` and returns the trace.
    public mutating func finish(at time: SimTime) -> Trace {
        for lane in 0..<openState.count { set(lane, nil, at: time) }
        trace.end = time
        return trace
    }
}
