import SimEngine

/// What an event does when it fires. Dispatched by `switch` in `Simulation.handle(_:)`.
enum EventKind: UInt8, Sendable {
    /// A thread's context switch onto its core is done: it starts or continues its work.
    case resume
    /// A thread's CPU burst ends.
    case burstEnd
    /// A GIL holder running bytecode reaches an eval-breaker check while a drop request is pending.
    case dropNoticed
    /// A woken thread (futex signal, I/O completion, timer) becomes runnable.
    case wake
    /// A thread's timed wait in take_gil (one switch interval) expires.
    case gilTimeout
    /// A greenlet's or coroutine's awaited I/O or sleep completes.
    case greenReady
    /// A core's time slice ends: the OS may preempt its thread.
    case sliceEnd
}

extension EventKind {
    /// The event queue's first-in first-out lane for the kinds always scheduled a fixed delay ahead (so
    /// that their times never decrease in scheduling order) and far ahead, nil for the others: take_gil's
    /// timed wait (`python.switch_interval`: one pending per thread asleep in take_gil, the bulk of the
    /// queue when many threads want the GIL). A context switch (`machine.context_switch`) and the
    /// eval-breaker check (`python.check_latency`) are fixed delays too, but short: a few are pending at a
    /// time, and they go to the queue's near set with the other events due soon, which costs less than a
    /// lane of their own (one more store to choose from at every event).
    @inline(__always) var fixedDelayLane: Int? {
        switch self {
        case .gilTimeout: return 0
        case .resume, .dropNoticed, .burstEnd, .wake, .greenReady, .sliceEnd: return nil
        }
    }

    /// How many lanes `fixedDelayLane` uses.
    static let fixedDelayLanes = 1
}

/// One pending event: 12 bytes, no references, so the queue never allocates per event once warm.
struct Event: Sendable {
    var kind: EventKind
    /// The thread, green task or core the event is about.
    var target: Int32
    /// The target's epoch when the event was scheduled; a stale event (epoch moved on) is ignored.
    var token: UInt32
}
