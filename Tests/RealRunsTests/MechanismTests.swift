import Foundation
import SimEngine
import SimScenario
import SimTrace
import XCTest

@testable import SimRealRuns

/// Measured mechanisms: the harness's stamps turned into lane states, and `MechanismFigures` computed the
/// same way from any trace. Synthetic records check exact pieces; a recorded real run (Fixtures/) checks
/// the properties a measured GIL lane must have.
final class MechanismTests: XCTestCase {
    func profile() throws -> MachineProfile {
        try MachineProfile.fromCalibration(Data(CostFitTests.calibrationJSON.utf8), path: "c")
    }

    // MARK: MechanismFigures on hand-built traces

    /// Two threads: `io` blocked 0-10 ms, waits for the GIL 10-15 ms, runs 15-16 ms, blocked 16-20, waits
    /// 20-20.03 (below the resolution), runs to 21; `cpu` runs 0-21 but for a 1 ms wait at 15-16.
    func convoyTrace() -> (Trace, RunMetrics) {
        func seg(_ lane: Int, _ state: LaneState, _ a: Int64, _ b: Int64) -> Segment {
            Segment(lane: lane, state: state, start: .microseconds(a), end: .microseconds(b))
        }
        let trace = Trace(
            lanes: [Lane(id: 0, name: "io", kind: .thread, process: 0), Lane(id: 1, name: "cpu", kind: .thread, process: 0)],
            segments: [
                seg(0, .blocked, 0, 10_000), seg(0, .runnable, 10_000, 10_020), seg(0, .waitingGIL, 10_020, 15_000),
                seg(0, .running, 15_000, 16_000), seg(0, .blocked, 16_000, 20_000), seg(0, .waitingGIL, 20_000, 20_030),
                seg(0, .running, 20_030, 21_000),
                seg(1, .running, 0, 15_000), seg(1, .waitingGIL, 15_000, 16_000), seg(1, .running, 16_000, 21_000),
            ],
            end: .microseconds(21_000))
        let metrics = RunMetrics(strategy: "threads", kind: "threads", makespan: .microseconds(21_000), operations: 2,
                                 coreBusy: [.microseconds(21_000), .microseconds(1_050)])
        return (trace, metrics)
    }

    func testFiguresOfAConvoy() {
        let (trace, metrics) = convoyTrace()
        let f = MechanismFigures(trace: trace, metrics: metrics)
        XCTAssertEqual(f.handoffs, 2, "io's 5 ms wait and cpu's 1 ms wait; the 30 µs one is below the resolution")
        XCTAssertEqual(f.handoffsPerSecond, 2 / 0.021, accuracy: 1e-9)
        XCTAssertEqual(f.ioWaits, 1, "only io has I/O")
        XCTAssertEqual(f.ioWaitPerRoundTrip, .microseconds(2_500), "the wake-up and the GIL wait merge: 5 ms over 2 round trips")
        XCTAssertEqual(f.ioWaitP95, .microseconds(5_000))
        XCTAssertEqual(f.gilShare.map(\.lane), ["io", "cpu"])
        XCTAssertEqual(f.gilShare[0].share, 1_970.0 / 21_000, accuracy: 1e-12)
        XCTAssertEqual(f.gilShare[1].share, 20_000.0 / 21_000, accuracy: 1e-12)
        XCTAssertNil(f.loopBusyShare)
        XCTAssertEqual(f.coreUtilisation, [1.0, 0.05])
        XCTAssertEqual(f.gilIdleWhileWanted, .zero, "every wait is beside a holder")
        XCTAssertEqual(f.gilIdleGaps, 0)
    }

    /// The GIL idle while wanted: per process, the time no thread holds it while one waits, any length.
    /// In process 0, `a` runs to 10 ms and blocks; `b`, waiting since 5 ms, takes the GIL 40 µs later (a gap),
    /// and at 20.03 ms hands it straight to `a`, waiting since 20 ms (no gap). In process 1, `c` waits 1 ms for
    /// a GIL nobody holds. A trace in which nobody waits has no figure.
    func testTheGILIdleWhileWantedIsTheHandOffsGaps() {
        func seg(_ lane: Int, _ state: LaneState, _ a: Int64, _ b: Int64) -> Segment {
            Segment(lane: lane, state: state, start: .microseconds(a), end: .microseconds(b))
        }
        let lanes = [Lane(id: 0, name: "a", kind: .thread, process: 0), Lane(id: 1, name: "b", kind: .thread, process: 0),
                     Lane(id: 2, name: "c", kind: .thread, process: 1)]
        let trace = Trace(
            lanes: lanes,
            segments: [
                seg(0, .running, 0, 10_000), seg(0, .blocked, 10_000, 20_000), seg(0, .waitingGIL, 20_000, 20_030),
                seg(0, .running, 20_030, 21_000),
                seg(1, .waitingGIL, 5_000, 10_040), seg(1, .running, 10_040, 20_030),
                seg(2, .waitingGIL, 0, 1_000), seg(2, .running, 1_000, 2_000),
            ],
            end: .microseconds(21_000), processNames: ["main", "Process-1"])
        let metrics = RunMetrics(strategy: "processes", kind: "processes", makespan: .microseconds(21_000))
        let f = MechanismFigures(trace: trace, metrics: metrics)
        XCTAssertEqual(f.gilIdleWhileWanted, .microseconds(1_040))
        XCTAssertEqual(f.gilIdleGaps, 2)
        XCTAssertEqual(f.gilIdlePerGap, .microseconds(520))
        var quiet = trace
        quiet.segments = quiet.segments.map { var s = $0; if s.state == .waitingGIL { s.state = .blocked }; return s }
        let none = MechanismFigures(trace: quiet, metrics: metrics)
        XCTAssertNil(none.gilIdleWhileWanted)
        XCTAssertEqual(none.gilIdleGaps, 0)
        XCTAssertNil(none.gilIdlePerGap)
    }

    /// A started thread's wait to run is its lane's first stretch of `starting` (its adjacent pieces
    /// together), the median over such lanes; a lane that does not begin starting has none.
    func testAStartedThreadsWaitIsItsFirstStartingStretch() {
        func seg(_ lane: Int, _ state: LaneState, _ a: Int64, _ b: Int64) -> Segment {
            Segment(lane: lane, state: state, start: .microseconds(a), end: .microseconds(b))
        }
        let trace = Trace(
            lanes: (0..<4).map { Lane(id: $0, name: "t\($0)", kind: .thread, process: 0) },
            segments: [
                seg(0, .running, 0, 100),
                seg(1, .starting, 10, 50), seg(1, .starting, 50, 2_000), seg(1, .running, 2_000, 2_100), seg(1, .starting, 2_100, 9_000),
                seg(2, .starting, 20, 120), seg(2, .running, 120, 200),
                seg(3, .starting, 30, 4_030), seg(3, .blocked, 4_030, 5_000),
            ],
            end: .microseconds(9_000))
        let f = MechanismFigures(trace: trace, metrics: RunMetrics(strategy: "threads", kind: "threads", makespan: .microseconds(9_000)))
        XCTAssertEqual(f.startWait, .microseconds(1_990), "the median of 100 µs, 1,990 µs and 4,000 µs")
        var pooled = trace
        pooled.lanes[3].name = LaneNames.threadPoolWorker(3)
        pooled.lanes[2].name = LaneNames.processPoolWorker(2)
        XCTAssertEqual(MechanismFigures(trace: pooled, metrics: RunMetrics(strategy: "threads", kind: "threads", makespan: .microseconds(9_000))).startWait,
                       .microseconds(1_990), "pools' workers left out")
        XCTAssertTrue(LaneNames.isPoolWorker(LaneNames.executorWorker(12)))
        XCTAssertFalse(LaneNames.isPoolWorker("worker #3"))
        XCTAssertTrue(LaneNames.isPoolWorker("SpawnPoolWorker-3"), "a spawn pool's worker, as multiprocessing names it")
        XCTAssertEqual(LaneNames.poolWorkerNumber("SpawnPoolWorker-12"), 12)
        XCTAssertEqual(LaneNames.poolWorkerNumber(LaneNames.threadPoolWorker(3)), 3)
        XCTAssertNil(LaneNames.poolWorkerNumber("MainThread"))
        let none = Trace(lanes: [Lane(id: 0, name: "MainThread", kind: .thread, process: 0)], segments: [seg(0, .running, 0, 100)],
                         end: .microseconds(100))
        XCTAssertNil(MechanismFigures(trace: none, metrics: RunMetrics(strategy: "sync", kind: "sync", makespan: .microseconds(100))).startWait)
    }

    /// A wait counts as one for the GIL when its time in take_gil alone reaches the resolution: 2 ms waiting
    /// for a core that ends with 3 µs on the way into a free GIL is a wait for a core (a spawn parent woken
    /// by its child's exec); the same with 60 µs in take_gil is a hand-off.
    func testAWaitForACoreEndingAtAFreeGILIsNoHandOff() {
        func seg(_ state: LaneState, _ a: Int64, _ b: Int64) -> Segment {
            Segment(lane: 0, state: state, start: .microseconds(a), end: .microseconds(b))
        }
        let core = MechanismFigures.waits([seg(.running, 0, 100), seg(.runnable, 100, 2_100), seg(.waitingGIL, 2_100, 2_103),
                                           seg(.running, 2_103, 2_200)])
        XCTAssertEqual(core.map(\.duration), [.microseconds(2_003)])
        XCTAssertEqual(core.map(\.forGIL), [false])
        let gil = MechanismFigures.waits([seg(.running, 0, 100), seg(.runnable, 100, 2_100), seg(.waitingGIL, 2_100, 2_160),
                                          seg(.running, 2_160, 2_200)])
        XCTAssertEqual(gil.map(\.forGIL), [true])
    }

    func testLoopBusyAndLongestStretch() {
        let loop = Lane(id: 0, name: LaneNames.eventLoop, kind: .thread, process: 0)
        let trace = Trace(lanes: [loop], segments: [
            Segment(lane: 0, state: .running, start: .zero, end: .milliseconds(2)),
            Segment(lane: 0, state: .waitingGIL, start: .milliseconds(2), end: .milliseconds(3)),
            Segment(lane: 0, state: .idle, start: .milliseconds(3), end: .milliseconds(9)),
            Segment(lane: 0, state: .running, start: .milliseconds(9), end: .milliseconds(10)),
        ], end: .milliseconds(10))
        let f = MechanismFigures(trace: trace, metrics: RunMetrics(strategy: "asyncio", kind: "asyncio", makespan: .milliseconds(10)))
        XCTAssertEqual(f.loopBusyShare ?? -1, 0.4, accuracy: 1e-12)
        XCTAssertEqual(f.loopLongestBusy, .milliseconds(3), "running then waiting for the GIL without going back to the selector")
    }

    // MARK: Stamps to pieces

    func testStallsOfAStampedStepBecomeGILWaits() {
        let detail = HarnessResult.StepDetail(stalls: [[1_000_000, 6_050_000], [8_000_000, 8_060_000]])
        let pieces = RealTraceBuilder.cpuPieces(.cpu(.milliseconds(10), .python), start: 0, end: 12_000_000, detail: detail,
                                                stallState: .waitingGIL, period: 50_000)
        XCTAssertEqual(pieces, [
            .init(.running, 0, 1_025_000), .init(.waitingGIL, 1_025_000, 6_025_000),
            .init(.running, 6_025_000, 8_025_000), .init(.waitingGIL, 8_025_000, 8_035_000),
            .init(.running, 8_035_000, 12_000_000),
        ], "a gap holds one period of work, placed around the stall")
        let plain = RealTraceBuilder.cpuPieces(.cpu(.milliseconds(10), .cHoldsGIL), start: 0, end: 10, detail: nil,
                                               stallState: .waitingGIL, period: 50_000)
        XCTAssertEqual(plain, [.init(.running, 0, 10)])
    }

    func testAGILHoldingCallRunsItsCPUTimeUpToItsEnd() {
        // 7777 ** n: 200 ms of CPU ending at 450 ms in a step of 100-460 ms, stamped before at 110 ms: it
        // waited 150 ms before the call.
        let detail = HarnessResult.StepDetail(call: [450_000_000, 200_000_000, 110_000_000])
        let pieces = RealTraceBuilder.cpuPieces(.cpu(.milliseconds(200), .cHoldsGIL), start: 100_000_000, end: 460_000_000,
                                                detail: detail, stallState: .waitingGIL, period: 50_000)
        XCTAssertEqual(pieces, [.init(.waitingGIL, 100_000_000, 250_000_000), .init(.running, 250_000_000, 450_000_000),
                                .init(.waitingGIL, 450_000_000, 460_000_000)])
        // A stamped loop whose end stamp waited: the wait after its last stamp is shown, a 20 µs edge is not.
        let loop = HarnessResult.StepDetail(stalls: [], first: 20_000, last: 5_000_000)
        XCTAssertEqual(RealTraceBuilder.cpuPieces(.cpu(.milliseconds(5), .python), start: 0, end: 9_000_000, detail: loop,
                                                  stallState: .waitingGIL, period: 50_000),
                       [.init(.running, 0, 20_000), .init(.running, 20_000, 5_000_000), .init(.waitingGIL, 5_000_000, 9_000_000)])
    }

    func testACallThatReleasesTheGILRunsItsCPUTimeThenWaitsForACoreThenForTheGIL() throws {
        // Three sha256 calls of one size in a step of 6 ms of CPU: 2 ms of work each. The first is back 2.06 ms
        // late, the second 80 µs, the third 700 µs; the step waited 568 µs for a core (its run_delay), a fifth of
        // its waits, so a fifth of each call's wait is off its core and the rest asleep in take_gil.
        let calls: [[Int64]] = [[40_000, 4_100_000, 1], [4_120_000, 6_200_000, 1], [6_300_000, 9_000_000, 1]]
        let detail = HarnessResult.StepDetail(releases: calls, releaseDelay: 568_000, cpu: 6_000_000)
        // Another thread is seen at its own call's entry into C (holding the GIL then), at 8.5 ms, and no earlier.
        let other = try JSONDecoder().decode(HarnessResult.self, from: Data("""
            {"makespan": 10000000, "spawned": 0, "python": "3.11.7", "tasks": [{"task": 1, "lane": "b", "pid": 7,
             "created": 0, "begin": 100, "end": 9500000,
             "steps": [[0, 100, 9500000, {"releases": [[8500000, 9400000, 1]]}]], "executor": []}]}
            """.utf8))
        let op = SimScenario.Operation.cpu(.milliseconds(6), .cReleasesGIL)
        func pieces(_ detail: HarnessResult.StepDetail, _ stallState: LaneState = .waitingGIL, evidence: Bool = true) -> [RealTraceBuilder.Piece] {
            RealTraceBuilder.cpuPieces(op, start: 0, end: 9_020_000, detail: detail, stallState: stallState, period: 50_000,
                                       evidence: evidence ? GILEvidence(result: other) : nil)
        }
        XCTAssertEqual(pieces(detail), [
            .init(.running, 0, 40_000),
            .init(.runningNoGIL, 40_000, 2_040_000), .init(.runnable, 2_040_000, 2_452_000), .init(.waitingGIL, 2_452_000, 4_100_000),
            .init(.running, 4_100_000, 4_120_000),
            .init(.runningNoGIL, 4_120_000, 6_120_000), .init(.runnable, 6_120_000, 6_136_000), .init(.waitingGIL, 6_136_000, 6_200_000),
            .init(.runnable, 6_200_000, 6_300_000),
            .init(.runningNoGIL, 6_300_000, 8_300_000), .init(.runnable, 8_300_000, 8_440_000), .init(.waitingGIL, 8_440_000, 9_000_000),
            .init(.running, 9_000_000, 9_020_000),
        ])
        // Without the run_delay (a process child), a wait is the GIL's only from another thread's first sign of Python.
        let noDelay = HarnessResult.StepDetail(releases: calls, cpu: 6_000_000)
        XCTAssertEqual(pieces(noDelay).filter { $0.state == .waitingGIL }, [.init(.waitingGIL, 8_500_000, 9_000_000)])
        // A thread alone in its process has no GIL to wait for: every wait is off its core.
        let alone = pieces(detail, .runnable, evidence: false)
        XCTAssertEqual(alone.filter { $0.state == .waitingGIL }, [])
        XCTAssertEqual(alone.filter { $0.state == .runnable }.map { $0.end - $0.start }.reduce(0, +), 2_060_000 + 80_000 + 100_000 + 700_000)
    }

    func testSocketCallsSplitABlockingIOStep() throws {
        // getaddrinfo, socket, connect, sendall, recv_into (answer sent at 1.5 ms), close; recv_into returns
        // 5 ms after the answer: a wake-up and a GIL wait.
        let calls: [[Int64]] = [[0, 10_000, 20_000], [1, 25_000, 30_000], [2, 35_000, 100_000], [3, 110_000, 120_000],
                                [4, 130_000, 6_600_000], [5, 6_900_000, 6_910_000]]
        let step = HarnessResult.StepRecord(operation: 0, start: 0, end: 7_000_000,
                                            detail: HarnessResult.StepDetail(calls: calls, sent: 1_500_000))
        var own = RealTraceBuilder.OwnDurations(result: try JSONDecoder().decode(HarnessResult.self, from: Data(#"{"makespan":1,"spawned":0,"python":"3","tasks":[]}"#.utf8)),
                                                plan: try HarnessPlan(scenario: Scenario(name: "s", tasks: []), strategy: Strategy(kind: .threads(pool: nil)),
                                                                      profile: profile(), serverURL: "u"))
        own.call = [.getaddrinfo: 10_000, .socket: 5_000, .connect: 65_000, .sendall: 10_000, .close: 10_000]
        own.wakeUp = 40_000
        let pieces = RealTraceBuilder.blockingIOPieces(step, own: own, waitState: .waitingGIL)
        XCTAssertEqual(pieces, [
            .init(.running, 0, 10_000), .init(.runningNoGIL, 10_000, 20_000), .init(.running, 20_000, 25_000),
            .init(.runningNoGIL, 25_000, 30_000), .init(.running, 30_000, 35_000), .init(.blocked, 35_000, 100_000),
            .init(.running, 100_000, 110_000), .init(.runningNoGIL, 110_000, 120_000), .init(.running, 120_000, 130_000),
            .init(.blocked, 130_000, 1_500_000), .init(.runnable, 1_500_000, 1_540_000), .init(.waitingGIL, 1_540_000, 6_600_000),
            .init(.running, 6_600_000, 6_900_000), .init(.runningNoGIL, 6_900_000, 6_910_000), .init(.running, 6_910_000, 7_000_000),
        ])
        XCTAssertEqual(pieces.first?.start, step.start)
        XCTAssertEqual(pieces.last?.end, step.end, "the pieces tile the step")
        XCTAssertTrue(zip(pieces, pieces.dropFirst()).allSatisfy { $0.end == $1.start })
    }

    func testACoroutineWaitsForTheLoopAfterItsAnswer() throws {
        var own = RealTraceBuilder.OwnDurations(result: try JSONDecoder().decode(HarnessResult.self, from: Data(#"{"makespan":1,"spawned":0,"python":"3","tasks":[]}"#.utf8)),
                                                plan: try HarnessPlan(scenario: Scenario(name: "s", tasks: []), strategy: Strategy(kind: .asyncio(executorWorkers: nil, cpuInExecutor: true)),
                                                                      profile: profile(), serverURL: "u"))
        own.guestResume = 100_000
        let step = HarnessResult.StepRecord(operation: 0, start: 0, end: 3_000_000, detail: HarnessResult.StepDetail(sent: 1_000_000))
        XCTAssertEqual(RealTraceBuilder.guestIOPieces(step, own: own),
                       [.init(.blocked, 0, 1_000_000), .init(.runnable, 1_000_000, 2_900_000), .init(.running, 2_900_000, 3_000_000)])
    }

    // MARK: A recorded real run

    /// harness.py's result of a convoy on this machine class (threads, 5 ms interval): an I/O thread making 40
    /// urlopen round trips of 200 µs beside a background pure-Python thread, instrumented.
    func recordedConvoy() throws -> (HarnessResult, HarnessPlan, Strategy) {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/convoy-threads-5ms.json")
        let scenario = Scenario(name: "convoy", tasks: [
            TaskGroup(name: "io", steps: [.repeat(count: 40, steps: [.io(IOStep(latency: .constant(.microseconds(200))))])]),
            TaskGroup(name: "cpu", background: true, steps: [.cpu(CPUStep(duration: .constant(.milliseconds(10))))]),
        ])
        let strategy = Strategy(kind: .threads(pool: nil))
        let plan = try HarnessPlan(scenario: scenario, strategy: strategy, profile: profile(), serverURL: "u")
        let result = try JSONDecoder().decode(HarnessResult.self, from: Data(contentsOf: url))
        try result.check(against: plan, path: url.path)
        return (result, plan, strategy)
    }

    func testARecordedConvoyShowsWhoHeldTheGIL() throws {
        let (result, plan, strategy) = try recordedConvoy()
        let (trace, metrics) = RealTraceBuilder.build(result: result, plan: plan, strategy: strategy)
        XCTAssertEqual(trace.lanes.map(\.name), ["MainThread", "io", "cpu"])
        let io = trace.segments(ofLane: 1), cpu = trace.segments(ofLane: 2)
        // Lanes are well formed: no overlap, no empty segment.
        for lane in [io, cpu] {
            XCTAssertTrue(lane.allSatisfy { $0.start < $0.end })
            XCTAssertTrue(zip(lane, lane.dropFirst()).allSatisfy { $0.end <= $1.start })
        }
        // The I/O thread waits for the GIL after its calls, about a switch interval at a time.
        let waits = MechanismFigures.waits(io).filter(\.forGIL)
        XCTAssertGreaterThan(waits.count, 40, "at least one GIL wait per round trip")
        let typical = waits.map(\.duration).sorted()[waits.count / 2]
        XCTAssertGreaterThan(typical, .milliseconds(3))
        XCTAssertLessThan(typical, .milliseconds(12))
        // One GIL: wherever the CPU thread's stamps prove it ran, the I/O thread is not running, up to a
        // stamp period.
        let ioRunning = io.filter { $0.state == .running }, cpuRunning = cpu.filter { $0.state == .running }
        for r in ioRunning {
            let overlap = cpuRunning.reduce(Int64(0)) { sum, c in
                sum + max(0, min(r.end, c.end).nanoseconds - max(r.start, c.start).nanoseconds)
            }
            XCTAssertLessThan(overlap, MechanismFigures.resolution.nanoseconds, "io runs at \(r.start) while cpu does")
        }
        // Every GIL wait ends with a hand-off mark on its lane.
        let marks = Set(trace.instants.filter { $0.kind == .gilHandoff }.map { "\($0.lane)/\($0.time.nanoseconds)" })
        for s in trace.segments where s.state == .waitingGIL {
            XCTAssertTrue(marks.contains("\(s.lane)/\(s.end.nanoseconds)"))
        }
        // Figures: the wait per round trip explains most of the round trip (the convoy), and the cores' busy
        // time comes from /proc/stat.
        let f = MechanismFigures(trace: trace, metrics: metrics)
        let roundTrip = Double(metrics.makespan.nanoseconds) / Double(metrics.operations)
        XCTAssertGreaterThan(Double(f.ioWaitPerRoundTrip.nanoseconds), 0.6 * roundTrip)
        XCTAssertLessThan(Double(f.ioWaitPerRoundTrip.nanoseconds), roundTrip)
        XCTAssertEqual(metrics.coreBusy.count, 2)
        XCTAssertGreaterThan(f.gilShare.first { $0.lane == "cpu" }?.share ?? 0, 0.8, "the CPU thread holds the GIL most of the time")
    }

    func testUninstrumentedResultsBuildAsBefore() throws {
        let (result, plan, strategy) = try recordedConvoy()
        var bare = result
        for i in bare.tasks.indices {
            for j in bare.tasks[i].steps.indices { bare.tasks[i].steps[j].detail = nil }
        }
        let (trace, _) = RealTraceBuilder.build(result: bare, plan: plan, strategy: strategy)
        XCTAssertFalse(trace.segments.contains { $0.state == .waitingGIL }, "without stamps there are no measured GIL waits")
        XCTAssertTrue(trace.instants.isEmpty)
    }
}
