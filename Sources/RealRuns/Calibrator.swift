import Foundation
import SimEngine
import SimScenario

/// Measures this machine (python/calibrate.py against the latency server) into a `MachineProfile`.
/// Takes a few seconds.
public enum Calibrator {
    /// Runs the calibration. `log` receives progress lines.
    /// - Throws: `RealRunError` when the environment, the server or the measurement fails.
    public static func measure(environment: PythonEnvironment,
                               log: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) },
                               timeout: Double = 180) throws -> MachineProfile {
        try environment.prepare()
        ChildProcessRegistry.shared.installInterruptHandlers()
        let server = try LatencyServer(environment: environment)
        defer { server.stop() }
        let folder = try ChildProcessRegistry.shared.makeTemporaryFolder("calibrate")
        defer { ChildProcessRegistry.shared.removeTemporaryFolder(folder) }
        let outPath = folder + "/calibration.json", errPath = folder + "/stderr"
        log("Measuring this machine (python loop, 7777 ** n, sha256, numpy, numba, threads, processes, I/O, asyncio, gevent, other runtimes, the scheduler's tick)…")
        let child = try ChildProcess(executable: environment.python,
                                     arguments: [environment.calibration, "--server", server.baseURL, "--out", outPath],
                                     stdoutPath: folder + "/stdout", stderrPath: errPath)
        let end = child.wait(timeout: timeout)
        let stderr = ChildProcess.text(of: errPath)
        switch end {
        case .exited(0): break
        case .timedOut: throw RealRunError.timedOut(what: "the calibration", seconds: timeout, stderr: stderr)
        default: throw RealRunError.runFailed(what: "the calibration", status: "\(end)", stderr: stderr)
        }
        for line in stderr.split(separator: "\n") { log(String(line)) }
        guard let data = FileManager.default.contents(atPath: outPath) else {
            throw RealRunError.badResult(path: outPath, reason: "calibrate.py exited without writing it")
        }
        var profile = try MachineProfile.fromCalibration(data, path: outPath)
        profile.calibratedAt = MachineProfile.calibrationTime(Date())
        return profile
    }

    /// A readable summary of a profile, one line per measurement.
    public static func summary(_ p: MachineProfile) -> String {
        var lines: [String] = []
        lines.append("python \(p.python), \(p.cores) cores, switch interval \(p.switchInterval)"
                     + (p.calibratedAtShown.map { ", calibrated \($0)" } ?? ""))
        lines.append(String(format: "python loop      %.2f ns per iteration (+%.0f ns)", p.pythonLoop.nanosecondsPerUnit, p.pythonLoop.fixedNanoseconds))
        lines.append(String(format: "7777 ** n        %.3g * n^%.3f ns (%d points, interpolated)", p.bigPower.coefficient, p.bigPower.exponent, p.bigPower.points.count))
        lines.append(String(format: "sha256           %.3f ns per byte (+%.0f ns)", p.sha256.nanosecondsPerUnit, p.sha256.fixedNanoseconds))
        lines.append("thread start     \(p.threadStart)")
        let starts = p.processStart.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        lines.append("process start    \(starts)")
        let shares = StartMethod.allCases.compactMap { m in p.parentShareOfStart(m).map { "\(m.rawValue) \($0)" } }
        if !shares.isEmpty { lines.append("parent's share   \(shares.joined(separator: ", ")), serial before each child") }
        if let e = p.startEfficiency {
            lines.append(String(format: "spawn start-up   at %.2f of its speed alone with every core busy (a child's CPU alone against many at once)", e))
        }
        /// "key value, key value, ..." in key order.
        func listed(_ times: [String: SimTime]) -> String {
            times.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        if let first = p.processFirstStart {
            lines.append("program's 1st    \(listed(first)) more for its first start (forkserver: the server)")
        }
        if let first = p.poolFirstStart {
            lines.append("1st Pool         \(listed(first)) more for a program's first Pool(2) (its imports)")
        }
        if let worker = p.poolWorkerStart {
            lines.append("Pool worker      \(listed(worker)) more to start than a Process child (its imports)")
        }
        if let exit = p.processExit {
            lines.append("child's exit     \(listed(exit)) of a start, after its target (a pool's: after the clock)")
        }
        lines.append("Pool.apply       \(p.poolApply) round trip")
        if let first = p.processFirstCall {
            lines.append("child's 1st call \(listed(first)) more CPU than its second urlopen")
        }
        if let first = p.programFirstCall {
            lines.append("1st call         \(listed(first)) more CPU for a program's first urlopen than its next")
        }
        if let wake = p.timerWake {
            lines.append("timer wake-up    \(listed(wake)) of CPU for a sleep's wake-up (a thread's time.sleep; a loop's or hub's pass)")
        }
        // On the machine as the profile sets it (its wake-up decides how often a release loses).
        if let races = p.programFirstCallRaces, let releases = p.programFirstCallReleases(on: p.apply(to: Machine(cores: p.cores))) {
            lines.append(String(format: "1st call's races %.1f more lost beside a spinning thread (its idna import): %d short releases", races, releases))
        }
        lines.append("wake-up          \(p.wakeLatency) (pipe); Event round trip \(p.eventRoundTrip)")
        lines.append("urlopen          \(p.urlopenCPU) CPU, \(p.urlopenWall) wall; connect \(p.connectCPU) CPU, \(p.connectWall) wall")
        lines.append("delayed urlopen  \(p.delayedCallWall) beyond a 20 ms server delay")
        if let rise = p.idleRise {
            let points = rise.dropFirst().map { "\($0.overhead) at \($0.latency)" }.joined(separator: ", ")
            lines.append("idle wake-up     a wait takes longer beyond its delay than one of \(MachineProfile.ioOverheadDelay): \(points)")
        }
        lines.append("aiohttp request  \(p.aiohttpCPU) CPU, \(p.aiohttpWall) wall (reused connection)")
        if let session = p.aiohttpSessionRatio {
            let close = p.aiohttpCloseRatio.map { String(format: ", its close at the task's end %.2fx", $0) } ?? ""
            lines.append(String(format: "aiohttp session  %.2fx a reused request: its first request and its close together", session) + close)
        }
        if let lost = p.raceLostPerCall, let wake = p.gilWake {
            lines.append(String(format: "GIL race         urlopen beside a spinning thread loses the GIL %.1f times a call: the model's wake-up %@", lost, "\(wake)"))
        }
        if let syscall = p.syscall, let connect = p.connectCall, let overhead = p.ioOverhead {
            lines.append("socket calls     \(syscall) each (getaddrinfo, socket, send, close), connect \(connect); server answers \(overhead) late")
            if let alone = p.loneCallIOOverhead, let whole = p.waitCostAtOverheadDelay,
               let pieces = p.modelledLoneCall(ioOverhead: overhead) {
                let measured = SimTime(nanoseconds: Int64(whole.excess.rounded()))
                lines.append("a call alone     \(measured) beyond a \(MachineProfile.ioOverheadDelay) delay timed whole, \(pieces) from its pieces in the model: its answer waits \(alone), not \(overhead)")
            }
        }
        if let reuse = p.ioOverheadReuse {
            lines.append("kept-alive wait  server answers \(reuse) late on a kept-alive connection")
        }
        if let shape = p.callShape, shape.count == IOCallShape.newPieces.count {
            let us = shape.map { String(format: "%.1f", $0 / 1_000) }.joined(separator: " / ")
            lines.append("call shape       urlopen's Python before getaddrinfo / socket / connect / send / recv, after recv / close: \(us) us")
        }
        if let new = p.serverAnswerNew, let reuse = p.serverAnswerReuse {
            lines.append("latency server   \(new) of its CPU per request on a new connection, \(reuse) kept alive (20 clients at once)")
        }
        lines.append("asyncio          loop iteration \(p.loopIteration), task \(p.taskCreate), run_in_executor \(p.executorRoundTrip)")
        if let loopCPU = p.executorLoopCPU {
            lines.append("executor trip    \(loopCPU) of the loop's CPU (a 1 ms job: the loop waits in its selector)")
        }
        if let result = p.executorResultCPU, let worker = p.executorWorkerCPU, let wake = p.executorWakeCPU {
            lines.append("executor worker  \(result) of its CPU to hand a result to the loop, \(worker) on to a queued job, \(wake) more to sleep and wake for one")
        }
        for (name, trip) in [("trio to_thread", p.trioThreadTrip), ("curio threads", p.curioThreadTrip)] {
            guard let trip else { continue }
            lines.append(name.padding(toLength: 17, withPad: " ", startingAt: 0)
                         + String(format: "%.2fx the executor trip's loop CPU, %.2fx its worker's (a 1 ms job)", trip.loop, trip.worker))
        }
        if let task = p.poolTaskCPU, let result = p.poolResultCPU, let turn = p.poolHandlerTurn, let calls = p.poolHandlerCalls {
            lines.append("process Pool     \(task) of a worker's CPU a task, \(result) of the parent's a result; its worker handler's turn \(turn), \(calls) of it in system calls")
        }
        if let (cpu, after) = p.coldWakeFit {
            lines.append("cold wake-up     \(cpu) more CPU after a long idle, 63% of it by \(after)")
        }
        if let cold = p.coldRequestRatio {
            lines.append(String(format: "cold request     %.2fx urlopen's CPU right after 3.5 ms of CPU steps (against right after a call)", cold))
        }
        if let ready = p.readyRecv {
            lines.append("ready recv       \(ready) (an answer already there); timer slack \(p.timerSlack.map { "\($0)" } ?? "unknown")")
        }
        if let job = p.resolverJob {
            lines.append("resolver job     \(job) of a gevent pool thread's CPU per getaddrinfo, the call aside")
        }
        if let tick = p.schedulerTick {
            lines.append("scheduler tick   \(tick) (a CPU-bound process keeps a core another one waits for this long)")
        }
        if let rows = p.timedWaitLate, !rows.isEmpty {
            let late = rows.filter { $0.count == 2 }.map { "\(SimTime(nanoseconds: Int64($0[1].rounded()))) after \(SimTime(nanoseconds: Int64($0[0].rounded())))" }
            lines.append("timed wait       back \(late.joined(separator: ", ")) (another core busy)")
        }
        if let share = p.requesterTakesSignal {
            lines.append(String(format: "GIL hand-off     the thread that asked for the drop takes the signal before it sleeps in %.2f of drops", share))
        }
        lines.append("gevent           switch \(p.greenletSwitch), spawn \(p.greenletSpawn)")
        if let trio = p.trioRequestRatio, let curio = p.curioRequestRatio {
            lines.append(String(format: "raw socket       a kept-alive request %.2fx an aiohttp request's CPU on trio, %.2fx on curio", trio, curio))
        }
        if let gevent = p.geventUrlopenRatio, let eventlet = p.eventletUrlopenRatio {
            lines.append(String(format: "patched urlopen  %.2fx urlopen's CPU under gevent, %.2fx under eventlet (20 green threads at once)", gevent, eventlet))
        }
        if let numpy = p.numpySin {
            lines.append(String(format: "numpy.sin        %.3f ns per element (chunks of %d, GIL released)", numpy.nanosecondsPerUnit, p.numpyChunk ?? 0))
        }
        if let numba = p.numbaLoop {
            lines.append(String(format: "numba nogil      %.3f ns per iteration", numba.nanosecondsPerUnit))
        }
        if let speedup = p.gilReleaseSpeedup {
            let kinds = speedup.sorted { $0.key < $1.key }.map { String(format: "%@ %.2fx", $0.key, $0.value) }.joined(separator: ", ")
            lines.append("4 threads        at once vs one after another: \(kinds)")
        }
        if let efficiency = p.parallelEfficiency {
            // The point with every core busy, per kind, and how far apart the processes' speeds were.
            let kinds = efficiency.sorted { $0.key < $1.key }.compactMap { kind, points -> String? in
                guard let all = points.last, all.count == 2 else { return nil }
                let spread = p.coreSpeedSpread?[kind].map { String(format: ", slower / faster %.2f", $0) } ?? ""
                return String(format: "%@ %.2f%@", kind, all[1], spread)
            }
            lines.append("cores at once    each of \(p.cores) processes at this share of its speed alone: \(kinds.joined(separator: "; "))")
        }
        if let r = p.runtimes {
            func show(_ t: SimTime?) -> String { t.map { "\($0)" } ?? "-" }
            lines.append("uvloop           loop iteration \(show(r.uvloopLoopIteration)), aiohttp request \(show(r.uvloopAiohttpCPU)) CPU")
            lines.append("trio             checkpoint \(show(r.trioCheckpoint)), to_thread \(show(r.trioToThread))")
            lines.append("curio            sleep(0) \(show(r.curioSwitch)), run_in_thread \(show(r.curioRunInThread))")
            lines.append("tornado          fetch \(show(r.tornadoFetchCPU)) CPU (new connection)")
            lines.append("twisted          request \(show(r.twistedRequestCPU)) CPU (new connection), deferToThread \(show(r.twistedDeferToThread))")
            lines.append("eventlet         switch \(show(r.eventletSwitch)), spawn \(show(r.eventletSpawn))")
            lines.append("tasklets         greenlet switch \(show(r.taskletSwitch))")
        }
        return lines.joined(separator: "\n")
    }
}

extension Calibrator {
    /// The profile saved at `path`, or, if there is none, this machine measured now and saved there.
    /// - Throws: `RealRunError` for an unreadable profile or a failed calibration.
    public static func profile(at path: String, environment: PythonEnvironment,
                               log: @escaping @Sendable (String) -> Void) throws -> MachineProfile {
        if FileManager.default.fileExists(atPath: path) {
            let profile = try MachineProfile.load(from: path)
            log("Machine profile " + profile.provenance(path: path))
            return profile
        }
        log("No machine profile at \(path): calibrating this machine first.")
        let profile = try measure(environment: environment, log: log)
        try profile.save(to: path)
        log("Saved \(path).")
        return profile
    }

    /// Times calibrate.py's fixed noise probe (the same pure-Python loop on every machine, 15 times) and
    /// returns the timings: their spread is how noisy the machine is at the moment.
    /// - Throws: `RealRunError` when the environment or the probe fails.
    public static func noiseProbe(environment: PythonEnvironment, timeout: Double = 60) throws -> [SimTime] {
        try environment.prepare()
        ChildProcessRegistry.shared.installInterruptHandlers()
        let folder = try ChildProcessRegistry.shared.makeTemporaryFolder("noise")
        defer { ChildProcessRegistry.shared.removeTemporaryFolder(folder) }
        let outPath = folder + "/noise.json", errPath = folder + "/stderr"
        let child = try ChildProcess(executable: environment.python, arguments: [environment.calibration, "--noise", "--out", outPath],
                                     stdoutPath: folder + "/stdout", stderrPath: errPath)
        let end = child.wait(timeout: timeout)
        guard case .exited(0) = end else {
            throw RealRunError.runFailed(what: "the noise probe", status: "\(end)", stderr: ChildProcess.text(of: errPath))
        }
        guard let data = FileManager.default.contents(atPath: outPath),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let samples = object["noise_probe_ns"] as? [NSNumber], !samples.isEmpty else {
            throw RealRunError.badResult(path: outPath, reason: "no list noise_probe_ns")
        }
        return samples.map { SimTime(nanoseconds: $0.int64Value) }
    }
}
