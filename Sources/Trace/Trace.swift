import SimEngine

/// What a lane is doing during an interval. The rendering draws each state in one colour everywhere.
public enum LaneState: UInt8, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// On a core, running Python while holding the GIL (or a coroutine or greenlet whose thread runs it).
    case running = 0
    /// On a core without the GIL: C code that released it, a system call, or any code of a free-threaded
    /// build (no GIL to hold).
    case runningNoGIL = 1
    /// Asleep in take_gil, waiting for the GIL (not runnable).
    case waitingGIL = 2
    /// Runnable, waiting for a core (OS thread); ready, waiting for the loop or hub (coroutine, greenlet).
    case runnable = 3
    /// Blocked in a system call (socket, sleep) or, for a coroutine or greenlet, suspended on I/O.
    case blocked = 4
    /// Waiting on another lane: a join, a future from the executor, a process's result.
    case awaiting = 5
    /// An event loop, hub or pool worker with nothing to do: asleep in the selector or on its queue.
    case idle = 6
    /// Being started: thread or process creation, interpreter start-up.
    case starting = 7

    public var description: String {
        switch self {
        case .running: return "running"
        case .runningNoGIL: return "running_no_gil"
        case .waitingGIL: return "waiting_gil"
        case .runnable: return "runnable"
        case .blocked: return "blocked"
        case .awaiting: return "awaiting"
        case .idle: return "idle"
        case .starting: return "starting"
        }
    }

    /// Words for a legend.
    public var legendTitle: String {
        switch self {
        case .running: return "running (holds GIL)"
        case .runningNoGIL: return "running without the GIL"
        case .waitingGIL: return "waiting for GIL"
        case .runnable: return "ready, waiting for a core / the loop"
        case .blocked: return "blocked on I/O or sleep"
        case .awaiting: return "awaiting a result / join"
        case .idle: return "idle in selector / hub / pool"
        case .starting: return "starting"
        }
    }
}

/// What a lane stands for.
public enum LaneKind: String, Sendable, Codable {
    /// An OS thread (a `threading.Thread`, a process's main thread, an executor worker, a loop thread).
    case thread
    /// A gevent greenlet (shares its OS thread with the hub).
    case greenlet
    /// An asyncio task (runs on the loop thread).
    case coroutine
    /// A CPU core, showing which thread ran where.
    case core
}

/// One timeline row.
public struct Lane: Sendable, Codable, Equatable {
    /// Index in `Trace.lanes`.
    public var id: Int
    public var name: String
    public var kind: LaneKind
    /// Index of the OS process it belongs to (0 is the main process), for grouping.
    public var process: Int
    /// For a greenlet or coroutine, the lane of the OS thread that runs it.
    public var hostThread: Int?

    public init(id: Int, name: String, kind: LaneKind, process: Int, hostThread: Int? = nil) {
        self.id = id
        self.name = name
        self.kind = kind
        self.process = process
        self.hostThread = hostThread
    }
}

/// One interval of one lane in one state. `start < end`.
public struct Segment: Sendable, Codable, Equatable {
    public var lane: Int32
    public var state: LaneState
    public var start: SimTime
    public var end: SimTime

    public init(lane: Int, state: LaneState, start: SimTime, end: SimTime) {
        self.lane = Int32(lane)
        self.state = state
        self.start = start
        self.end = end
    }

    public var duration: SimTime { end - start }
}

/// Instant events drawn as marks on a lane.
public enum InstantKind: String, Sendable, Codable, CaseIterable {
    /// A GIL waiter timed out after a full interval and set the drop request (on the waiter's lane).
    case dropRequest = "drop_request"
    /// The GIL passed from one thread to another (on the new holder's lane).
    case gilHandoff = "gil_handoff"
    /// The holder was forced to drop and waits until another thread takes it (on the dropper's lane).
    case forcedSwitch = "forced_switch"
    /// The event loop woke from the selector with work to do.
    case loopWakeup = "loop_wakeup"
    /// The OS preempted the thread at the end of its slice.
    case preempted
}

public struct InstantEvent: Sendable, Codable, Equatable {
    public var time: SimTime
    public var lane: Int32
    public var kind: InstantKind
    public init(time: SimTime, lane: Int, kind: InstantKind) {
        self.time = time
        self.lane = Int32(lane)
        self.kind = kind
    }
}

/// Everything a run shows: lanes, their state intervals, and instant events.
///
/// Segments are stored in the order their intervals closed (by end time); `segments(ofLane:)` gives
/// one lane's in time order. A lane has no segment where it did not exist (before start, after finish).
public struct Trace: Sendable, Codable, Equatable {
    public var lanes: [Lane]
    public var segments: [Segment]
    public var instants: [InstantEvent]
    /// The end of the run.
    public var end: SimTime
    /// Process names by process index (e.g. "main", "Process-1").
    public var processNames: [String]

    public init(lanes: [Lane] = [], segments: [Segment] = [], instants: [InstantEvent] = [], end: SimTime = .zero, processNames: [String] = ["main"]) {
        self.lanes = lanes
        self.segments = segments
        self.instants = instants
        self.end = end
        self.processNames = processNames
    }

    /// One lane's segments in time order. O(segments).
    public func segments(ofLane lane: Int) -> [Segment] {
        segments.filter { $0.lane == Int32(lane) }.sorted { $0.start < $1.start }
    }

    /// The state of a lane at time `t`, or nil where the lane has no segment. O(segments).
    public func state(ofLane lane: Int, at t: SimTime) -> LaneState? {
        segments.first { $0.lane == Int32(lane) && $0.start <= t && t < $0.end }?.state
    }

    /// Total time each state covers on a lane. O(segments).
    public func timeInState(lane: Int) -> [LaneState: SimTime] {
        var out: [LaneState: SimTime] = [:]
        for s in segments where s.lane == Int32(lane) { out[s.state, default: .zero] += s.duration }
        return out
    }
}
