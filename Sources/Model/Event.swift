import SimEngine

/// What an event does when it fires. Dispatched by `switch` in `Simulation.handle(_:)`.
enum EventKind: UInt8, Sendable, CaseIterable {
    /// A thread's context switch onto its core is done: it starts or continues its work.
    case resume
    /// A thread's CPU burst ends.
    case burstEnd
    /// A GIL holder running bytecode reaches an eval-breaker check while a drop request is pending.
    case dropNoticed
    /// A woken thread (futex signal, I/O completion, timer) becomes runnable.
    case wake
    /// A wake-up scheduled ahead (the end of a sleep or a blocking call, an answer's arrival) begins: the
    /// thread claims a free core (fair policy) and becomes runnable a wake-up latency later (`wake`).
    case wakeBegins
    /// A thread's timed wait in take_gil (one switch interval) expires.
    case gilTimeout
    /// A greenlet's or coroutine's awaited I/O or sleep completes.
    case greenReady
    /// A core's time slice ends: the OS may preempt its thread.
    case sliceEnd
    /// An idle event loop's or hub's poll returns at its timeout: its next timer, rounded up to the poll's
    /// resolution from when it began to wait.
    case pollTimeout
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
        case .gilTimeout: return Self.gilTimeoutLane
        case .resume, .dropNoticed, .burstEnd, .wake, .wakeBegins, .greenReady, .sliceEnd, .pollTimeout: return nil
        }
    }

    /// The lane of take_gil's timed waits.
    static let gilTimeoutLane = 0
    /// How many lanes `fixedDelayLane` uses.
    static let fixedDelayLanes = 1
}

/// One pending event: 8 bytes, no references, so the queue never allocates per event once warm.
///
/// The kind (4 bits), the target (28 bits) and the token (32 bits) share one word: the event queue moves
/// an event in one load or store instead of three (12 bytes with a byte, an Int32 and a UInt32), about 2% of
/// the benchmark's instructions. Targets are thread, green-task and core indices, far below 2^28 (the
/// simulation checks as it adds them).
struct Event: Sendable {
    private var bits: UInt64

    /// How many targets an event can name.
    static let targets = 1 << 28

    @inline(__always) init(kind: EventKind, target: Int32, token: UInt32) {
        assert(target >= 0 && Int(target) < Self.targets, "event target \(target) out of range")
        assert(kind.rawValue < 16, "event kind \(kind) does not fit in 4 bits")
        bits = UInt64(UInt32(bitPattern: target)) << 36 | UInt64(kind.rawValue) << 32 | UInt64(token)
    }

    var kind: EventKind { EventKind(rawValue: UInt8(truncatingIfNeeded: bits >> 32) & 15)! }
    /// The thread, green task or core the event is about.
    var target: Int32 { Int32(truncatingIfNeeded: bits >> 36) }
    /// The target's epoch when the event was scheduled; a stale event (epoch moved on) is ignored.
    var token: UInt32 { UInt32(truncatingIfNeeded: bits) }
}
