import Foundation
import SimEngine
import SimRealRuns
import SimScenario
import XCTest

/// What the profile's two connection ratios put into a comparison's scenario (docs/model.md, "Overlapping
/// calls that open connections"): urlopen's excess when calls overlap, aiohttp's cost of opening a session.
final class ConnectionCostsTests: XCTestCase {
    let syscall = SimTime.nanoseconds(15_000)

    /// A calibration with the socket calls timed one by one, the two ratios where given, and `more` fields.
    func profile(overlap: Double?, session: Double?, _ more: [String: Any] = [:]) throws -> MachineProfile {
        var raw = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(CostFitTests.calibrationJSON.utf8)) as? [String: Any])
        raw["syscall_ns"] = syscall.nanoseconds
        raw["connect_call_ns"] = 100_000
        raw["io_overhead_ns"] = 200_000
        if let overlap { raw["call_overlap_ratio"] = overlap }
        if let session { raw["aiohttp_session_ratio"] = session }
        raw.merge(more) { _, given in given }
        return try MachineProfile.fromCalibration(JSONSerialization.data(withJSONObject: raw), path: "c")
    }

    /// `profile` saved to a temporary file and loaded back.
    func savedAndLoaded(_ profile: MachineProfile) throws -> MachineProfile {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("profile-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try profile.save(to: path)
        return try MachineProfile.load(from: path)
    }

    func costs(_ profile: MachineProfile, _ kind: Strategy.Kind) -> Costs {
        RealRunner.scenarioForComparison(ExampleScenarios.ioHeavy(tasks: 2, calls: 3), strategy: Strategy(kind: kind), profile: profile).costs
    }

    /// urlopen (threads, gevent) pays (ratio - 1) of one call's CPU when calls overlap; aiohttp pays its
    /// session's opening instead: (ratio - 1) of a reused request's CPU, less the three short calls
    /// (getaddrinfo, socket, close) the model already runs for a new connection.
    func testRatiosBecomeCostsPerClient() throws {
        let p = try profile(overlap: 1.5, session: 3.0)
        for kind in [Strategy.Kind.threads(pool: nil), .gevent] {
            XCTAssertEqual(costs(p, kind).connectionOverlapCPU, p.urlopenCPU.scaled(by: 0.5), "\(kind)")
            XCTAssertEqual(costs(p, kind).connectionCPU, .zero, "in urlopen's measured CPU already")
        }
        let asyncio = costs(p, .asyncio(executorWorkers: nil, cpuInExecutor: true))
        XCTAssertEqual(asyncio.connectionOverlapCPU, .zero)
        // The session's close, at the task's end, takes its share (a profile without it: the ratio measured
        // when the step began to time it); the first request the rest.
        XCTAssertEqual(asyncio.sessionCloseCPU, p.aiohttpCPU.scaled(by: MachineProfile.aiohttpCloseRatioMeasured))
        XCTAssertEqual(asyncio.connectionCPU + asyncio.sessionCloseCPU, p.aiohttpCPU * 2 - syscall * 3)
        // uvloop runs the same aiohttp session per task: its session costs the same multiple of its own
        // request's CPU (the profile's uvloop figure when measured, else aiohttp's on asyncio).
        let uvloop = costs(p, .uvloop(executorWorkers: nil, cpuInExecutor: true))
        XCTAssertEqual(uvloop.connectionOverlapCPU, .zero)
        XCTAssertEqual(uvloop.connectionCPU + uvloop.sessionCloseCPU, (p.runtimes?.uvloopAiohttpCPU ?? p.aiohttpCPU) * 2 - syscall * 3)
        for kind in [Strategy.Kind.trio(threadLimit: 40, cpuInThread: true), .tornado(maxClients: 10, executorWorkers: nil, cpuInExecutor: true)] {
            XCTAssertEqual(costs(p, kind).connectionCPU, .zero, "\(kind) opens no aiohttp session")
            XCTAssertEqual(costs(p, kind).sessionCloseCPU, .zero, "\(kind) opens no aiohttp session")
        }
        for kind in [Strategy.Kind.threads(pool: nil), .gevent] {
            XCTAssertEqual(costs(p, kind).sessionCloseCPU, .zero, "\(kind): urlopen keeps no connection")
        }
        let loaded = try savedAndLoaded(p)
        XCTAssertEqual(loaded.callOverlapRatio, 1.5)
        XCTAssertEqual(loaded.aiohttpSessionRatio, 3.0)
    }

    /// The close's own ratio, where calibrate.py measured it, splits the session's cost: the close gets that
    /// multiple of a reused request, never more than the session's whole extra; the round trip keeps it.
    func testTheCloseRatioSplitsTheSessionsCost() throws {
        var p = try profile(overlap: nil, session: 3.0, ["aiohttp_close_ratio": 0.4])
        XCTAssertEqual(p.aiohttpCloseRatio, 0.4)
        let asyncio = Strategy.Kind.asyncio(executorWorkers: nil, cpuInExecutor: true)
        XCTAssertEqual(costs(p, asyncio).sessionCloseCPU, p.aiohttpCPU.scaled(by: 0.4))
        XCTAssertEqual(costs(p, asyncio).connectionCPU, p.aiohttpCPU * 2 - syscall * 3 - p.aiohttpCPU.scaled(by: 0.4))
        p.aiohttpCloseRatio = 5
        XCTAssertEqual(costs(p, asyncio).connectionCPU, .zero, "the close takes the whole extra, no more")
        XCTAssertEqual(costs(p, asyncio).sessionCloseCPU, p.aiohttpCPU * 2 - syscall * 3)
        let loaded = try savedAndLoaded(p)
        XCTAssertEqual(loaded.aiohttpCloseRatio, 5)
    }

    /// The CPU the comparison's scenario gives `kind`'s I/O calls (one figure: ioHeavy's calls are all alike).
    func callCPU(_ profile: MachineProfile, _ kind: Strategy.Kind) throws -> Distribution {
        let scenario = RealRunner.scenarioForComparison(ExampleScenarios.ioHeavy(tasks: 2, calls: 3), strategy: Strategy(kind: kind), profile: profile)
        var cpus: [Distribution] = []
        Step.forEachLeaf(in: scenario.tasks[0].steps) { leaf, _ in if case .io(let io) = leaf { cpus.append(io.cpu) } }
        XCTAssertEqual(Set(cpus.map { "\($0)" }).count, 1)
        return try XCTUnwrap(cpus.first)
    }

    /// trio's and curio's raw-socket request, as a multiple of aiohttp's, is read from a calibration and kept
    /// through a save and a load; each call of theirs costs that multiple of aiohttp's request CPU (less the send
    /// the model runs on its own), asyncio's aiohttp's own (docs/model.md, "trio's and curio's request on a raw
    /// socket"); without it they keep aiohttp's.
    func testTrioAndCurioRawSocketRatiosScaleTheirCalls() throws {
        let p = try profile(overlap: nil, session: nil, ["trio_request_ratio": 0.35, "curio_request_ratio": 0.25])
        XCTAssertEqual(p.trioRequestRatio, 0.35)
        XCTAssertEqual(p.curioRequestRatio, 0.25)
        let kinds: [Strategy.Kind] = [.trio(threadLimit: 40, cpuInThread: true), .curio(threadLimit: 64, cpuInThread: true),
                                      .asyncio(executorWorkers: nil, cpuInExecutor: true)]
        let ratios = [0.35, 0.25, 1]
        for (kind, ratio) in zip(kinds, ratios) {
            XCTAssertEqual(try callCPU(p, kind), .constant(p.aiohttpCPU.scaled(by: ratio) - syscall), "\(kind)")
        }
        let without = try profile(overlap: nil, session: nil)
        for kind in kinds { XCTAssertEqual(try callCPU(without, kind), .constant(without.aiohttpCPU - syscall), "\(kind)") }
        let loaded = try savedAndLoaded(p)
        XCTAssertEqual(loaded.trioRequestRatio, 0.35)
        XCTAssertEqual(loaded.curioRequestRatio, 0.25)
    }

    /// The cold request's ratio becomes (ratio - 1) of each client's own request CPU: urlopen's for the blocking
    /// strategies, the patched urlopen's under eventlet, Twisted's Agent's, aiohttp's for asyncio; none for a
    /// program with its own client, and none from a profile that did not measure it.
    func testColdRequestRatioScalesEachClientsCPU() throws {
        var p = try profile(overlap: 1.5, session: 3.0)
        XCTAssertEqual(costs(p, .threads(pool: nil)).coldRequestCPU, .zero)
        p.coldRequestRatio = 1.4
        p.eventletUrlopenRatio = 1.3
        var runtimes = RuntimeCosts()
        runtimes.twistedRequestCPU = .microseconds(900)
        p.runtimes = runtimes
        XCTAssertEqual(costs(p, .threads(pool: nil)).coldRequestCPU, p.urlopenCPU.scaled(by: 0.4))
        XCTAssertEqual(costs(p, .eventlet(tpoolSize: 20, cpuInTpool: false)).coldRequestCPU, p.urlopenCPU.scaled(by: 1.3).scaled(by: 0.4))
        XCTAssertEqual(costs(p, .twisted(threadLimit: 10, cpuInThread: true)).coldRequestCPU, SimTime.microseconds(900).scaled(by: 0.4))
        XCTAssertEqual(costs(p, .asyncio(executorWorkers: nil, cpuInExecutor: true)).coldRequestCPU, p.aiohttpCPU.scaled(by: 0.4))
        XCTAssertEqual(p.applyWithOwnClient(to: ExampleScenarios.ioHeavy(tasks: 2, calls: 3)).costs.coldRequestCPU, .zero)
        let loaded = try savedAndLoaded(p)
        XCTAssertEqual(loaded.coldRequestRatio, 1.4)
    }

    /// calibrate.py's `io_overhead_reuse_ns` becomes `costs.io_overhead_reuse` for every client, kept through a
    /// save and a load; a profile without it leaves it unset (kept-alive calls wait `io_overhead`), and a plain
    /// program, which brings its own server, waits neither.
    func testTheKeptAliveWaitIsApplied() throws {
        let p = try profile(overlap: nil, session: nil, ["io_overhead_reuse_ns": 91_000])
        XCTAssertEqual(p.ioOverheadReuse, .microseconds(91))
        for kind in [Strategy.Kind.threads(pool: nil), .asyncio(executorWorkers: nil, cpuInExecutor: true)] {
            XCTAssertEqual(costs(p, kind).ioOverhead(reusing: true), .microseconds(91), "\(kind)")
            XCTAssertEqual(costs(p, kind).ioOverhead(reusing: false), .microseconds(200), "\(kind)")
        }
        let loaded = try savedAndLoaded(p)
        XCTAssertEqual(loaded.ioOverheadReuse, .microseconds(91))
        let old = try profile(overlap: nil, session: nil)
        XCTAssertNil(costs(old, .threads(pool: nil)).ioOverheadReuse)
        XCTAssertEqual(costs(old, .threads(pool: nil)).ioOverhead(reusing: true), .microseconds(200))
        let own = p.applyWithOwnClient(to: ExampleScenarios.ioHeavy(tasks: 2, calls: 3)).costs
        XCTAssertEqual(own.ioOverhead(reusing: true), .zero)
    }

    /// A profile from before the ratios were measured leaves both costs as they were.
    func testOlderProfilesChangeNothing() throws {
        let p = try profile(overlap: nil, session: nil)
        XCTAssertEqual(costs(p, .threads(pool: nil)).connectionOverlapCPU, .zero)
        XCTAssertEqual(costs(p, .asyncio(executorWorkers: nil, cpuInExecutor: true)).connectionCPU, .zero)
    }
}
