import SimEngine

/// Consistency checks of the whole simulation state, run after every event when
/// `SimulationOptions.checkInvariants` is on (the tests turn it on; it costs O(threads) per event).
extension Simulation {
    /// Checks: each process has at most one GIL holder and it is the thread that thinks it holds it;
    /// no more threads on cores than cores, and cores and threads agree on who runs where; sleepers in
    /// take_gil are exactly the threads in `.waitingGIL`; a running burst never has negative time left.
    func checkInvariants() {
        var onCore = 0
        let busy = cores.filter { $0.thread >= 0 }.count
        precondition(busyCores == busy, "busyCores is \(busyCores) but \(busy) cores run a thread")
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
                let gil = processes[Int(th.process)].gil
                precondition(th.waitPosition >= gil.waitOrderBase + Int64(gil.waitOrderHead) && th.waitPosition < gil.nextWaitPosition
                             && gil.waitOrder[Int(th.waitPosition - gil.waitOrderBase)] == Int32(t), "thread \(t) waits for the GIL but is not among the sleepers")
            } else {
                precondition(th.waitPosition < 0, "thread \(t) is \(th.status) yet has a place among the GIL's sleepers")
            }
            if th.segmentActive {
                precondition(wallTime(th.burstRemaining, speed: th.segmentSpeed) >= now - th.segmentStart, "thread \(t)'s burst ran past its end")
                if th.burstKind.needsGIL && gilEnabled { precondition(th.holdsGIL, "thread \(t) runs Python without the GIL") }
            }
        }
        precondition(onCore <= cores.count, "\(onCore) threads on \(cores.count) cores")
        let fromServer = processStartMethod != .forkserver ? 0 : threads.filter {
            $0.isChildMain && $0.status != .finished && ($0.phase == 0 || ($0.inBurst && $0.burstKind == .startingFromServer))
        }.count
        precondition(startingFromServer == fromServer, "\(startingFromServer) forkserver start-ups counted, \(fromServer) in progress")
        for (c, core) in cores.enumerated() where core.thread >= 0 && threadsWait(for: c) {
            precondition(core.sliceArmed, "core \(c) is busy while threads wait for it, and its slice end is not pending")
        }
        // A core takes the next thread of its own queue when its thread leaves: an idle core has none waiting,
        // unless a wake-up claimed it (those wait behind the thread being woken onto it).
        for c in cores.indices where isFree(core: c) {
            precondition(!threadsWait(for: c), "core \(c) is idle while threads wait in its queue")
        }
        // A claimed core is idle, and its claimant is being woken onto it.
        var claimed = 0
        for (c, core) in cores.enumerated() where core.claimedBy >= 0 {
            claimed += 1
            let th = threads[Int(core.claimedBy)]
            precondition(core.thread < 0 && th.status == .waking && th.claimedCore == Int32(c), "core \(c) is claimed by thread \(core.claimedBy), which is \(th.status) with claim \(th.claimedCore)")
        }
        precondition(claimedCores == claimed, "claimedCores is \(claimedCores) but \(claimed) cores are claimed")
        queue.checkInvariants()
        for (p, process) in processes.enumerated() {
            let holders = threads.filter { $0.holdsGIL && Int($0.process) == p }.count
            precondition(holders <= 1, "process \(p) has \(holders) GIL holders")
            precondition(process.gil.locked == (holders == 1), "process \(p): GIL locked is \(process.gil.locked) with \(holders) holders")
            let sleepers = process.gil.waitOrder[process.gil.waitOrderHead...].filter { $0 >= 0 }
            precondition(sleepers.count == process.gil.sleeperCount, "process \(p): \(sleepers.count) sleepers in the wait order, \(process.gil.sleeperCount) counted")
            for s in sleepers {
                precondition(threads[Int(s)].status == .waitingGIL && threads[Int(s)].process == Int32(p), "sleeper \(s) of process \(p) is \(threads[Int(s)].status)")
            }
        }
    }
}
