import SimEngine
import SimModel
import SimScenario

/// Random but valid scenarios for property tests: a few task groups of CPU (all three kinds), I/O and
/// sleep steps, some repeated, on 1-4 cores under either scheduler policy.
struct ScenarioGenerator {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed, stream: 99) }

    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + rng.nextIndex(below: range.count) }
    mutating func time(_ lo: Int64, _ hi: Int64) -> SimTime { .microseconds(lo + Int64(rng.nextIndex(below: Int(hi - lo + 1)))) }

    mutating func step(depth: Int = 0) -> Step {
        switch int(0...(depth == 0 ? 5 : 4)) {
        case 0, 1:
            let kind = [CPUKind.python, .cHoldsGIL, .cReleasesGIL][int(0...2)]
            return .cpu(CPUStep(duration: .uniform(time(100, 2_000), time(2_000, 12_000)), kind: kind))
        case 2, 3:
            return .io(IOStep(latency: .exponential(mean: time(50, 8_000)), cpu: .constant(time(10, 300)), connection: int(0...1) == 0 ? .new : .reuse))
        case 4:
            return .sleep(.constant(time(100, 3_000)))
        default:
            return .repeat(count: int(1...4), steps: (0..<int(1...3)).map { _ in step(depth: depth + 1) })
        }
    }

    /// A scenario; `background` adds a looping group that yields (I/O or sleep in every iteration).
    mutating func scenario(seed: UInt64, background: Bool = false, zeroCosts: Bool = false) -> Scenario {
        let groups = int(1...3)
        var tasks = (0..<groups).map { g in
            TaskGroup(name: "g\(g)", count: int(1...5), steps: (0..<int(1...4)).map { _ in step() })
        }
        if background {
            tasks.append(TaskGroup(name: "bg", count: 1, background: true, steps: [
                .cpu(CPUStep(duration: .constant(time(500, 5_000)), kind: .python)),
                .sleep(.constant(time(50, 500))),
            ]))
        }
        let policy: SchedulerPolicy = int(0...1) == 0 ? .roundRobin(timeslice: time(1_000, 100_000)) : .linux(baseSlice: .microseconds(750))
        var machine = Machine(cores: int(1...4), scheduler: policy)
        var python = PythonRuntime(switchInterval: time(500, 8_000))
        var costs = Costs()
        if zeroCosts {
            machine.contextSwitch = .zero
            machine.wakeLatency = .zero
            python.checkLatency = .zero
            costs = Costs(threadStart: .zero, processStart: [.fork: .zero, .forkserver: .zero, .spawn: .zero], pickle: .zero,
                          greenletSwitch: .zero, greenletSpawn: .zero, loopIteration: .zero, taskCreate: .zero,
                          executorHandoff: .zero, connectionSetup: .zero, connectionCPU: .zero,
                          syscall: .zero, readyRecv: .zero, ioOverhead: .zero, uvloopLoopIteration: .zero, trioLoopIteration: .zero,
                          curioLoopIteration: .zero, twistedLoopIteration: .zero, tornadoCallback: .zero,
                          eventletSwitch: .zero, eventletSpawn: .zero, taskletSwitch: .zero, taskletSpawn: .zero,
                          interpreterStart: .zero, interpreterHandoff: .zero, executorResultCPU: .zero, executorWorkerCPU: .zero,
                          executorWakeCPU: .zero,
                          poolTaskCPU: .zero, poolResultCPU: .zero, poolHandlerTurn: .zero, poolHandlerCalls: .zero)
            for waker in TimerWaker.allCases { costs.timerWakeCPU[waker] = .zero }
        }
        return Scenario(name: "generated-\(seed)", seed: seed, machine: machine, python: python, costs: costs, tasks: tasks)
    }
}

/// Every strategy worth checking, including pools, other start methods and free-threaded threads.
let allStrategyVariants: [Strategy] = [
    Strategy(kind: .sync),
    Strategy(kind: .threads(pool: nil)),
    Strategy(kind: .threads(pool: 2), label: "threads-pool2"),
    Strategy(kind: .threads(pool: nil), label: "threads-nogil", python: PythonRuntime(gil: false)),
    Strategy(kind: .processes(pool: nil, startMethod: .fork)),
    Strategy(kind: .processes(pool: 2, startMethod: .spawn), label: "processes-pool2"),
    Strategy(kind: .gevent),
    Strategy(kind: .asyncio(executorWorkers: nil, cpuInExecutor: true)),
    Strategy(kind: .asyncio(executorWorkers: 2, cpuInExecutor: false), label: "asyncio-inline"),
    Strategy(kind: .uvloop(executorWorkers: nil, cpuInExecutor: true)),
    Strategy(kind: .trio(threadLimit: 2, cpuInThread: true), label: "trio-limit2"),
    Strategy(kind: .curio(threadLimit: 64, cpuInThread: false), label: "curio-inline"),
    Strategy(kind: .curio(threadLimit: 2, cpuInThread: true), label: "curio-limit2"),
    Strategy(kind: .eventlet(tpoolSize: 20, cpuInTpool: false)),
    Strategy(kind: .eventlet(tpoolSize: 2, cpuInTpool: true), label: "eventlet-tpool2"),
    Strategy(kind: .tornado(maxClients: 2, executorWorkers: nil, cpuInExecutor: true), label: "tornado-clients2"),
    Strategy(kind: .twisted(threadLimit: 10, cpuInThread: true)),
    Strategy(kind: .tasklets),
    Strategy(kind: .interpreters(pool: 2), label: "interpreters-pool2"),
]
