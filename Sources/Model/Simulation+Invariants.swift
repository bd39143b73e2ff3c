import SimEngine

/// Consistency checks of the whole simulation state, run after every event when
/// `SimulationOptions.checkInvariants` is on (the tests turn it on; it costs O(threads) per event).
extension Simulation {
    /// Checks: each process has at most one GIL holder and it is the thread that thinks it holds it;
    /// no more threads on cores than cores, and cores and threads agree on who runs where; sleepers in
    /// take_gil are exactly the threads in `.waitingGIL`; a running burst never has negative time left.
    func checkInvariants() {
        var onCore = 0
        for (t, th) in threads.enumerated() {
            if th.status == .onCore {
                onCore += 1
                precondition(th.core >= 0 && cores[Int(th.core)].thread == Int32(t), "thread \(t) on core \(th.core) but the core runs \(th.core >= 0 ? cores[Int(th.core)].thread : -1)")
            } else {
                precondition(th.core < 0, "thread \(t) is \(th.status) yet holds core \(th.core)")
            }
            if th.holdsGIL {
                precondition(processes[Int(th.process)].gil.holder == Int32(t), "thread \(t) thinks it holds the GIL of process \(th.process), which \(processes[Int(th.process)].gil.holder) holds")
            }
            if th.status == .waitingGIL {
                precondition(th.waiterSlot >= 0 && processes[Int(th.process)].gil.sleepers[Int(th.waiterSlot)] == Int32(t), "thread \(t) waits for the GIL but is not among the sleepers")
            }
            if th.segmentActive {
                precondition(wallTime(th.burstRemaining, speed: th.segmentSpeed) >= now - th.segmentStart, "thread \(t)'s burst ran past its end")
                if th.burstKind.needsGIL && gilEnabled { precondition(th.holdsGIL, "thread \(t) runs Python without the GIL") }
            }
        }
        precondition(onCore <= cores.count, "\(onCore) threads on \(cores.count) cores")
        queue.checkInvariants()
        for (p, process) in processes.enumerated() {
            let holders = threads.filter { $0.holdsGIL && Int($0.process) == p }.count
            precondition(holders <= 1, "process \(p) has \(holders) GIL holders")
            precondition(process.gil.locked == (holders == 1), "process \(p): GIL locked is \(process.gil.locked) with \(holders) holders")
            for s in process.gil.sleepers { precondition(threads[Int(s)].status == .waitingGIL, "sleeper \(s) is \(threads[Int(s)].status)") }
            let gil = process.gil
            precondition(gil.waitOrderBase + UInt64(gil.waitOrder.count) == gil.nextWaitSeq, "process \(p): wait order out of step")
            precondition(gil.waitOrder.count - gil.waitOrderHead >= gil.sleepers.count, "process \(p): sleepers missing from the wait order")
            for (s, seq) in zip(gil.sleepers, gil.sleeperSeqs) {
                precondition(seq >= gil.waitOrderBase + UInt64(gil.waitOrderHead) && gil.waitOrder[Int(seq - gil.waitOrderBase)] == s,
                             "sleeper \(s) is not at its position \(seq) in the wait order")
            }
            precondition(gil.waitOrder.count - gil.waitOrderHead - gil.sleepers.count == gil.waitOrder[gil.waitOrderHead...].filter { $0 < 0 }.count,
                         "process \(p): the wait order holds a thread that left")
        }
    }
}
