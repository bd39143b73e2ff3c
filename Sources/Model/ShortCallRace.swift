import Foundation
import SimEngine
import SimScenario

extension Machine {
    /// The chance that a short system call of `call` (one that releases the GIL and keeps its core: a
    /// `syscall` burst) loses the GIL to a thread asleep in `take_gil`, in this model.
    ///
    /// The release signals the sleeper, which becomes runnable after a wake-up latency
    /// W = `wakeLatency` × (1 − j + j·E), E exponential of mean 1 and j = `wakeJitter`, and takes the GIL
    /// after a context switch c if the caller is not back yet: it loses when W + c < `call`, so
    /// P = 1 − exp(−x) with x = ((call − c) / wakeLatency − (1 − j)) / j (docs/model.md, "Voluntary release
    /// and the short-system-call race"). With j = 0 the race is decided: 1 or 0.
    /// - Complexity: O(1).
    public func shortCallLoss(_ call: SimTime) -> Double {
        let window = Double((call - contextSwitch).nanoseconds)
        let mean = Double(wakeLatency.nanoseconds)
        guard window > 0, mean > 0 else { return window > 0 ? 1 : 0 }
        guard wakeJitter > 0 else { return window > mean ? 1 : 0 }
        let x = (window / mean - (1 - wakeJitter)) / wakeJitter
        return x > 0 ? 1 - exp(-x) : 0
    }

    /// The inverse of `shortCallLoss`: the mean wake-up latency with which a short call of `call` loses the GIL
    /// with chance `loss` (0 < loss < 1), the context switch and jitter as they are: x = −ln(1 − loss), then
    /// (call − c) / wakeLatency = j·x + (1 − j). Nil when the call is no longer than a context switch or the
    /// jitter is 0 (the race is then decided, not a chance).
    /// - Complexity: O(1).
    public func wakeLatency(losing loss: Double, call: SimTime) -> SimTime? {
        let window = Double((call - contextSwitch).nanoseconds)
        guard window > 0, wakeJitter > 0, loss > 0, loss < 1 else { return nil }
        let x = -log(1 - loss)
        return SimTime(nanoseconds: Int64((window / (wakeJitter * x + (1 - wakeJitter))).rounded()))
    }
}
