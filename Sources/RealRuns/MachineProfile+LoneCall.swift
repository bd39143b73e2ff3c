import SimEngine
import SimModel
import SimScenario

/// A call alone, as the model composes it and as calibrate.py measured it whole (docs/model.md, "A call
/// alone lasts what it was measured to last").
extension MachineProfile {
    /// Calls in the shorter of the two runs whose difference gives the model's cost of one more call; the
    /// longer makes twice as many. The program's first call (its import, `program_first_call`) is in both.
    static let loneCallProbeCalls = 20

    /// `costs.io_overhead` with which the model's urlopen alone, at the delay `ioOverhead` was measured at
    /// (`ioOverheadDelay`), lasts beyond its delay what calibrate.py's `wait_costs` timed a whole call lasting
    /// there (`waitCostAtOverheadDelay`). The pieces the model runs were timed apart (the thread's CPU of a
    /// whole call, connect() alone, the raw socket's wait beyond the delay) and sum to more than the whole, by
    /// 17-93 us on 16 of this host's 18 profiles of 2026-12-05 (validation/fifth-host/cal-20..37): the thread's
    /// CPU holds the kernel's work inside the system calls, which the wall times of connect() and of the wait
    /// hold too, and the measured waits hold the wake-ups the model adds after them. Nil without `wait_costs`
    /// or the socket calls timed one by one; never below zero. Two simulations, of 20 and 40 calls.
    public var loneCallIOOverhead: SimTime? {
        guard let ioOverhead, syscall != nil, connectCall != nil, let measured = waitCostAtOverheadDelay,
              let modelled = modelledLoneCall(ioOverhead: ioOverhead) else { return nil }
        // The wait adds to the call one for one: of what the model charges a call at 200 us, only the cold
        // wake-up grows with the wait, by hundredths of a microsecond there (`cold_wake_cpu`).
        return max(.zero, ioOverhead - (modelled - SimTime(nanoseconds: Int64(measured.excess.rounded()))))
    }

    /// How much longer than its delay the model's urlopen alone at `ioOverheadDelay` lasts when the answer's
    /// wait beyond the delay is `ioOverhead`: what one call more adds to a program of calls one after another
    /// (`loneCallProbeCalls` against twice as many). Nil if a simulation fails.
    func modelledLoneCall(ioOverhead: SimTime) -> SimTime? {
        guard let few = loneCallsMakespan(Self.loneCallProbeCalls, ioOverhead: ioOverhead),
              let more = loneCallsMakespan(2 * Self.loneCallProbeCalls, ioOverhead: ioOverhead) else { return nil }
        return (more - few) / Int64(Self.loneCallProbeCalls) - Self.ioOverheadDelay
    }

    /// The model's makespan of `calls` urlopen calls one after another at `ioOverheadDelay`, on this
    /// profile's machine with its costs as measured (`applyMeasured`) but `ioOverhead`; nil if the simulation
    /// fails.
    func loneCallsMakespan(_ calls: Int, ioOverhead: SimTime) -> SimTime? {
        // Not `apply(to: Scenario)`, whose costs are matched by this very probe.
        let call = apply(to: .io(IOStep(latency: .constant(Self.ioOverheadDelay))))
        var s = Scenario(name: "lone calls", tasks: [TaskGroup(name: "client", steps: [.repeat(count: calls, steps: [call])])],
                         strategies: [Strategy(kind: .sync)])
        s.machine = apply(to: s.machine)
        s.costs = applyMeasured(to: s.costs)
        s.costs.ioOverhead = ioOverhead
        return try? Simulator.run(s, strategy: s.strategies[0], options: SimulationOptions(trace: false)).metrics.makespan
    }
}
