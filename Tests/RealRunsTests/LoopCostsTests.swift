import Foundation
import SimEngine
import SimRealRuns
import SimScenario
import XCTest

/// What the profile's loop measurements put into a comparison's scenario (docs/model.md, "The cold wake-up",
/// "The loop's side of an executor trip", "A patched urlopen").
final class LoopCostsTests: XCTestCase {
    let syscall = SimTime.nanoseconds(15_000)

    func profile(_ extra: [String: Any]) throws -> MachineProfile {
        var raw = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(CostFitTests.calibrationJSON.utf8)) as? [String: Any])
        raw["syscall_ns"] = syscall.nanoseconds
        raw["connect_call_ns"] = 100_000
        raw["io_overhead_ns"] = 200_000
        raw["call_overlap_ratio"] = 1.4
        for (k, v) in extra { raw[k] = v }
        return try MachineProfile.fromCalibration(JSONSerialization.data(withJSONObject: raw), path: "c")
    }

    func applied(_ profile: MachineProfile, _ kind: Strategy.Kind) -> Scenario {
        RealRunner.scenarioForComparison(ExampleScenarios.ioHeavy(tasks: 2, calls: 3), strategy: Strategy(kind: kind), profile: profile)
    }

    /// Points drawn from E (1 − exp(−(w/τ)²)) give back E and τ (the grid's step is 2.7%).
    func testColdWakeFitRecoversItsCurve() throws {
        let e = 120_000.0, tau = 7_000.0
        let points = [500.0, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000].map { [$0, e * (1 - exp(-($0 / tau) * ($0 / tau)))] }
        let p = try profile(["cold_wake": points])
        let fit = try XCTUnwrap(p.coldWakeFit)
        XCTAssertEqual(Double(fit.cpu.nanoseconds), e, accuracy: e * 0.02)
        XCTAssertEqual(Double(fit.after.nanoseconds), tau * 1_000, accuracy: tau * 1_000 * 0.03)
        let costs = applied(p, .asyncio(executorWorkers: nil, cpuInExecutor: true)).costs
        XCTAssertEqual(costs.coldWakeCPU, fit.cpu)
        XCTAssertEqual(costs.coldWakeAfter, fit.after)
        XCTAssertNil(try profile(["cold_wake": [[1_000.0, 5_000.0], [20_000.0, 100_000.0]]]).coldWakeFit, "two points")
        XCTAssertNil(try profile(["cold_wake": points.map { [$0[0], -1_000.0] }]).coldWakeFit, "no cost")
    }

    /// The loop's side of an executor trip is its CPU measured per trip where the profile has it; an older
    /// profile keeps the wall-time round trip less two wake-ups, halved, and no cold wake-up.
    func testExecutorHandoffIsTheLoopsMeasuredCPU() throws {
        let p = try profile(["executor_loop_cpu_ns": 90_000])
        XCTAssertEqual(applied(p, .asyncio(executorWorkers: nil, cpuInExecutor: true)).costs.executorHandoff, .nanoseconds(90_000))
        let old = try profile([:])
        XCTAssertEqual(applied(old, .asyncio(executorWorkers: nil, cpuInExecutor: true)).costs.executorHandoff, .nanoseconds((60_000 - 30_000) / 2))
        XCTAssertEqual(applied(old, .asyncio(executorWorkers: nil, cpuInExecutor: true)).costs.coldWakeCPU, .zero)
    }

    /// The executor worker's own CPU around each job comes from the profile where it has it; an older profile
    /// keeps the defaults measured on this machine class.
    func testExecutorWorkersCostsAreTheProfiles() throws {
        let p = try profile(["executor_result_cpu_ns": 31_000, "executor_worker_cpu_ns": 8_000, "executor_wake_cpu_ns": 14_000])
        let costs = applied(p, .asyncio(executorWorkers: nil, cpuInExecutor: true)).costs
        XCTAssertEqual(costs.executorResultCPU, .nanoseconds(31_000))
        XCTAssertEqual(costs.executorWorkerCPU, .nanoseconds(8_000))
        XCTAssertEqual(costs.executorWakeCPU, .nanoseconds(14_000))
        let old = applied(try profile([:]), .asyncio(executorWorkers: nil, cpuInExecutor: true)).costs
        XCTAssertEqual(old.executorResultCPU, Defaults.executorResultCPU)
        XCTAssertEqual(old.executorWorkerCPU, Defaults.executorWorkerCPU)
        XCTAssertEqual(old.executorWakeCPU, Defaults.executorWakeCPU)
    }

    /// trio's and curio's thread trips, as multiples of asyncio's executor, are read from a calibration where it
    /// has both of a runtime's (multiples in range) and kept through a save and a load. The worker's multiple
    /// becomes the runtime's `costs.*_thread_worker`, and nothing else changes: their loops keep asyncio's hand-off
    /// (docs/model.md, "trio's and curio's threads: a job handed to one thread, a result taken in a pass of its
    /// own"). A profile without it leaves the defaults.
    func testThreadTripWorkersAreAppliedTheirLoopsRecorded() throws {
        let p = try profile(["executor_loop_cpu_ns": 90_000, "trio_thread_loop_ratio": 1.4, "trio_thread_worker_ratio": 0.9,
                             "curio_thread_loop_ratio": 0.8])
        XCTAssertEqual(p.trioThreadTrip, ThreadTripScale(loop: 1.4, worker: 0.9))
        XCTAssertNil(p.curioThreadTrip, "only one of curio's two")
        XCTAssertNil(try profile(["trio_thread_loop_ratio": 0.0, "trio_thread_worker_ratio": 0.9]).trioThreadTrip, "out of range")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("profile-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try p.save(to: path)
        XCTAssertEqual(try MachineProfile.load(from: path).trioThreadTrip, ThreadTripScale(loop: 1.4, worker: 0.9))
        let without = try profile(["executor_loop_cpu_ns": 90_000])
        for kind: Strategy.Kind in [.trio(threadLimit: 40, cpuInThread: true), .curio(threadLimit: 64, cpuInThread: true)] {
            var expected = applied(without, kind).costs
            XCTAssertEqual(expected.trioThreadWorker, Defaults.trioThreadWorker)
            XCTAssertEqual(expected.curioThreadWorker, Defaults.curioThreadWorker)
            expected.trioThreadWorker = 0.9
            XCTAssertEqual(applied(p, kind).costs, expected, "\(kind)")
        }
    }

    /// gevent's and eventlet's urlopen costs the measured multiple of urlopen's CPU, less the four short calls
    /// the model runs on their own, and no overlap excess (the multiple was measured with 20 green threads at
    /// once); threads keep urlopen's CPU and the overlap excess.
    func testPatchedUrlopenCostsItsRatio() throws {
        let p = try profile(["gevent_urlopen_ratio": 1.75, "eventlet_urlopen_ratio": 1.3])
        func io(_ s: Scenario) -> (cpu: SimTime, overlap: SimTime) {
            guard case .repeat(_, let steps) = s.tasks[0].steps[0], case .io(let io) = steps[0], case .constant(let cpu) = io.cpu else {
                XCTFail("an io step of constant CPU")
                return (.zero, .zero)
            }
            return (cpu, s.costs.connectionOverlapCPU)
        }
        XCTAssertEqual(io(applied(p, .gevent)).cpu, p.urlopenCPU.scaled(by: 1.75) - syscall * 4)
        XCTAssertEqual(io(applied(p, .gevent)).overlap, .zero)
        XCTAssertEqual(io(applied(p, .eventlet(tpoolSize: Defaults.eventletTpoolSize, cpuInTpool: false))).cpu, p.urlopenCPU.scaled(by: 1.3) - syscall * 4)
        XCTAssertEqual(io(applied(p, .threads(pool: nil))).cpu, p.urlopenCPU - syscall * 4)
        XCTAssertEqual(io(applied(p, .threads(pool: nil))).overlap, p.urlopenCPU.scaled(by: 0.4))
        // Without the ratio gevent is as before: urlopen's CPU and the overlap excess.
        let old = try profile([:])
        XCTAssertEqual(io(applied(old, .gevent)).cpu, old.urlopenCPU - syscall * 4)
        XCTAssertEqual(io(applied(old, .gevent)).overlap, old.urlopenCPU.scaled(by: 0.4))
    }
}
