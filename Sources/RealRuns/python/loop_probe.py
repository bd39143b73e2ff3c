"""Where an event loop's time goes in a run like scenarios/mixed.json (docs/model.md, "The loop's own work").

    python loop_probe.py --server URL loop [--runtime asyncio|uvloop] [--variant none|asleep|exsleep|excpu]
    python loop_probe.py efficiency [--pairs 200]
    python loop_probe.py trips [--runtime asyncio|uvloop|trio|curio|twisted]
    python loop_probe.py --server URL fork
    python loop_probe.py --server URL run [--runtime asyncio|trio|eventlet|twisted|...] [--variant default|excpu|inline]
                         [--resolver pool|blocking]
    python loop_probe.py --server URL cold [--runtime sync|eventlet|asyncio|twisted] [--variant default|py|pow|sha|offload]
    python loop_probe.py --server URL coldsteps

`loop`: 20 coroutines, one aiohttp session each, 5 rounds of mixed.json's steps (0.8 ms of Python, a GET of
~3 ms, 0.5-2 ms of `7777 ** n`, 1.5 ms of sha256, a GET of ~40 ms; sized by output/machine.json). The CPU
steps are skipped (`none`), awaited as asyncio.sleep (`asleep`), run in the default executor as time.sleep
(`exsleep`) or run there for real (`excpu`). Prints the loop thread's CPU per request (time.thread_time_ns),
split into the part inside the selector's select() (the kernel's wait and wake-up) and outside it (Python),
and how many selects blocked.

`efficiency`: how fast each CPU kind runs while another process runs a kind on the other core, against alone,
in pairs of ~1-2 ms pieces one right after the other (so both halves meet the same speed mode of the VM).

`trips`: the loop thread's CPU per round trip of the runtime's thread helper (run_in_executor,
trio.to_thread.run_sync, curio.run_in_thread, deferToThread) with a job that sleeps 1 ms.

`fork`: the CPU of one mixed.json task's operations (its CPU steps and 10 urlopen calls with no delay) in
this process, in a forked child, and a no-op forked child's, with the children's minor page faults.

`run`: the harness's own runner for the runtime (harness.RUNNERS, the code `simulate compare` runs) on 20 tasks
of mixed.json's steps (as `loop`), timed between the runner's own start and end marks: the main thread's CPU
per request (the loop, hub or reactor: time.thread_time_ns), split at the runtime's wait for events (asyncio's
selector, trio's epoll get_events, eventlet's hub do_poll, Twisted's epoll poller), and the other threads' CPU
per request (the process's less the main thread's).

`coldsteps`: the mirror: each CPU step's CPU right after the same step and right after a request.

`cold`: one request's CPU on the calling thread right after another request and right after mixed.json's three
CPU steps (0.8 ms of Python, 1.25 ms of `7777 ** n`, 1.5 ms of sha256), 40 pairs, the medians: the client's
cost when the CPU steps have evicted its caches. `sync` is urlopen, `eventlet` its patched urlopen, `asyncio`
an aiohttp session, `twisted` Agent and readBody.

Run it alone (under the machine lock) against the latency server (server.py).
"""
import sys

if __name__ == "__main__" and "eventlet" in sys.argv:
    # eventlet patches the standard library before anything imports socket, threading or time (harness.py).
    import warnings

    warnings.filterwarnings("ignore", message="\\s*Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import statistics
import time

import harness

HERE = os.path.dirname(os.path.abspath(__file__))


def sized_steps(rng, profile):
    """mixed.json's five steps a round, five rounds, drawn as the scenario draws them, in the harness's units."""
    ns_py = profile["pythonLoop"]["nanosecondsPerUnit"]
    ns_sha = profile["sha256"]["nanosecondsPerUnit"]
    c, e = profile["bigPower"]["coefficient"], profile["bigPower"]["exponent"]
    for _ in range(5):
        py, pw = max(0.1, rng.gauss(0.8, 0.2)), rng.uniform(0.5, 2)
        yield "cpu", py, (harness.burn_python, int(py * 1e6 / ns_py))
        yield "io", 3 * rng.lognormvariate(0, 0.5), None
        yield "cpu", pw, (harness.burn_pow, int((pw * 1e6 / c) ** (1 / e)))
        yield "cpu", 1.5, (harness.burn_sha, int(1.5e6 / ns_sha), 1 << 22)
        yield "io", 40 * rng.lognormvariate(0, 0.7), None


def loop(args, profile):
    import aiohttp

    stats = {"selects": 0, "blocked": 0, "cpu": 0}

    async def task(session, rng):
        running = asyncio.get_running_loop()
        for kind, ms, work in list(sized_steps(rng, profile)):
            if kind == "io":
                async with session.get(args.server, params={"delay_us": str(int(ms * 1000))}) as r:
                    await r.read()
            elif args.variant == "asleep":
                await asyncio.sleep(ms / 1e3)
            elif args.variant == "exsleep":
                await running.run_in_executor(None, time.sleep, ms / 1e3)
            elif args.variant == "excpu":
                await running.run_in_executor(None, *work)

    async def main():
        selector = asyncio.get_running_loop()._selector
        select = selector.select

        def timed(timeout=None):
            c0, w0 = time.thread_time_ns(), time.monotonic_ns()
            events = select(timeout)
            stats["selects"] += 1
            stats["cpu"] += time.thread_time_ns() - c0
            stats["blocked"] += time.monotonic_ns() - w0 > 50_000
            return events

        selector.select = timed
        rng = random.Random(args.seed)
        sessions = [aiohttp.ClientSession() for _ in range(20)]
        c0, w0 = time.thread_time_ns(), time.monotonic_ns()
        await asyncio.gather(*[task(s, random.Random(rng.random())) for s in sessions])
        cpu, wall = time.thread_time_ns() - c0, time.monotonic_ns() - w0
        for s in sessions:
            await s.close()
        return cpu, wall

    harness.sha_buffer(1 << 22)
    if args.runtime == "uvloop":
        import uvloop

        event_loop = uvloop.new_event_loop()
    else:
        event_loop = asyncio.new_event_loop()
    cpu, wall = event_loop.run_until_complete(main())
    requests = 200
    print("%s %-7s makespan %4.0f ms; loop CPU %4.0f us a request: %3.0f in select, %4.0f outside; %d selects, %d blocked "
          "(%.0f us of CPU in each)" % (args.runtime, args.variant, wall / 1e6, cpu / requests / 1e3, stats["cpu"] / requests / 1e3,
                                         (cpu - stats["cpu"]) / requests / 1e3, stats["selects"], stats["blocked"],
                                         stats["cpu"] / max(1, stats["blocked"]) / 1e3))


KINDS = {"py": (harness.burn_python, (40000,)), "pow": (harness.burn_pow, (12000,)), "sha": (harness.burn_sha, (1 << 22, 1 << 18))}


def partner(flag, kind):
    function, arguments = KINDS[kind]
    while flag.value >= 0:
        if flag.value == 1:
            function(*arguments)
        else:
            time.sleep(0.0002)


def efficiency(args):
    harness.sha_buffer(1 << 22)
    context = multiprocessing.get_context("fork")
    for other in KINDS:
        flag = context.Value("i", 0, lock=False)
        worker = context.Process(target=partner, args=(flag, other))
        worker.start()
        for kind, (function, arguments) in KINDS.items():
            ratios = []
            for _ in range(args.pairs):
                flag.value = 0
                time.sleep(0.002)
                start = time.perf_counter_ns()
                function(*arguments)
                alone = time.perf_counter_ns() - start
                flag.value = 1
                time.sleep(0.002)
                start = time.perf_counter_ns()
                function(*arguments)
                ratios.append(alone / (time.perf_counter_ns() - start))
            quartiles = statistics.quantiles(ratios, n=4)
            print("%-3s beside %-3s: speed %.3f of alone (quartiles %.3f-%.3f)" % (kind, other, statistics.median(ratios), quartiles[0], quartiles[2]))
        flag.value = -1
        worker.join()


def trips(args, count=300, job=0.001):
    """The loop thread's CPU per trip through the runtime's thread helper."""
    async def timed(call):
        await call()
        start = time.thread_time_ns()
        for _ in range(count):
            await call()
        return (time.thread_time_ns() - start) / count

    if args.runtime == "trio":
        import trio

        cpu = trio.run(timed, lambda: trio.to_thread.run_sync(time.sleep, job))
    elif args.runtime == "curio":
        import curio

        cpu = curio.run(timed, lambda: curio.run_in_thread(time.sleep, job))
    elif args.runtime == "twisted":
        from twisted.internet import defer, reactor, threads

        out = []
        reactor.callWhenRunning(lambda: defer.ensureDeferred(timed(lambda: threads.deferToThread(time.sleep, job)))
                                .addCallback(out.append).addBoth(lambda _: reactor.stop()))
        reactor.run(installSignalHandlers=False)
        cpu = out[0]
    else:
        event_loop = asyncio.new_event_loop()
        if args.runtime == "uvloop":
            import uvloop

            event_loop = uvloop.new_event_loop()
        cpu = event_loop.run_until_complete(
            timed(lambda: asyncio.get_running_loop().run_in_executor(None, time.sleep, job)))
    print("%s: %.0f us of the loop's CPU per trip" % (args.runtime, cpu / 1e3))


def fork(args, profile, children=8):
    """One task's work in this process, in forked children, and a no-op child's start."""
    import resource

    ops = []
    for kind, ms, work in sized_steps(random.Random(args.seed), profile):
        ops.append(["io", 0] if kind == "io" else [{harness.burn_python: "py", harness.burn_pow: "pow",
                                                    harness.burn_sha: "sha"}[work[0]], work[1]])
    task = {"ops": ops, "background": False}
    harness.sha_buffer(1 << 22)

    def work():
        harness.run_blocking_task(task, harness.new_record(0, "probe", 0), harness.NeverStop, args.server, 1 << 22)

    def in_children(target):
        context = multiprocessing.get_context("fork")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        for _ in range(children):
            child = context.Process(target=target)
            child.start()
            child.join()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / children * 1e6
        return cpu, (after.ru_minflt - before.ru_minflt) / children

    work()
    start = time.process_time()
    work()
    here = (time.process_time() - start) * 1e6
    child, child_faults = in_children(work)
    noop, noop_faults = in_children(lambda: None)
    print("the task here %.0f us of CPU; in a forked child %.0f us (%.0f minor faults); a no-op child %.0f us (%.0f): "
          "the child's extra %.0f us" % (here, child, child_faults, noop, noop_faults, child - noop - here))


class TimedPoll:
    """Counts a poll function's calls, the thread CPU inside them and how many blocked (over 50 us)."""

    def __init__(self):
        self.calls = self.blocked = self.cpu = 0

    def wrap(self, poll):
        def timed(*args, **kwargs):
            c0, w0 = time.thread_time_ns(), time.monotonic_ns()
            try:
                return poll(*args, **kwargs)
            finally:
                self.calls += 1
                self.cpu += time.thread_time_ns() - c0
                self.blocked += time.monotonic_ns() - w0 > 50_000
        return timed


class PollerProxy:
    """An epoll object whose poll() is timed (Twisted's reactor keeps its select.epoll in `_poller`)."""

    def __init__(self, poller, timer):
        self._poller = poller
        self.poll = timer.wrap(poller.poll)

    def __getattr__(self, name):
        return getattr(self._poller, name)


def hook_poll(runtime, timer, resolver="pool"):
    """Puts `timer` around the runtime's wait for events, before its loop starts. With `resolver` "blocking",
    Twisted resolves names on the reactor's thread (base.py BlockingResolver) instead of in its thread pool
    (the GAIResolver that `_initThreads` installs: every Agent request's HostnameEndpoint resolves through
    deferToThreadPool on the pool the CPU steps use)."""
    if runtime in ("asyncio", "tornado"):
        import selectors

        selectors.EpollSelector.select = timer.wrap(selectors.EpollSelector.select)
    elif runtime == "trio":
        from trio._core._io_epoll import EpollIOManager

        EpollIOManager.get_events = timer.wrap(EpollIOManager.get_events)
    elif runtime == "eventlet":
        from eventlet.hubs import epolls

        epolls.Hub.do_poll = timer.wrap(epolls.Hub.do_poll)
    elif runtime == "twisted":
        from twisted.internet import reactor

        reactor._poller = PollerProxy(reactor._poller, timer)
        if resolver == "blocking":
            from twisted.internet.base import BlockingResolver

            reactor.installResolver(BlockingResolver())


def run(args, profile):
    """The harness's runner for the runtime on mixed.json-like tasks, timed from the main thread between the
    runner's own start and end marks (its imports and the loop's set-up left out)."""
    import threading

    rng = random.Random(args.seed)
    codes = {harness.burn_python: "py", harness.burn_pow: "pow", harness.burn_sha: "sha"}
    tasks = []
    for _ in range(20):
        ops = []
        for kind, ms, work in sized_steps(random.Random(rng.random()), profile):
            if kind == "io":
                ops.append(["io", int(ms * 1000)])
            elif args.variant == "asleep":
                ops.append(["sleep", int(ms * 1e6)])  # the runtime's sleep: the same timing, no CPU
            elif args.variant != "none":
                ops.append([codes[work[0]], work[1]])
        tasks.append({"ops": ops, "background": False})
    plan = {"strategy": {"kind": args.runtime}, "tasks": tasks, "server": args.server}
    if args.variant in ("excpu", "inline"):
        plan["strategy"]["cpu_in_executor"] = args.variant == "excpu"
    # The harness's probes (HarnessPlan.swift): 5 ms of each kind, its steps rescaled to the machine's speed now.
    ns_py, ns_sha = profile["pythonLoop"]["nanosecondsPerUnit"], profile["sha256"]["nanosecondsPerUnit"]
    c, e = profile["bigPower"]["coefficient"], profile["bigPower"]["exponent"]
    plan["probes"] = {"py": {"amount": int(5e6 / ns_py), "expected_ns": 5e6, "cost_exponent": 1},
                      "pow": {"amount": int((5e6 / c) ** (1 / e)), "expected_ns": 5e6, "cost_exponent": e},
                      "sha": {"amount": int(5e6 / ns_sha), "expected_ns": 5e6, "cost_exponent": 1}}
    harness.sha_buffer(1 << 22)
    harness.rescale_to_current_speed(plan, 1 << 22)
    timer = TimedPoll()
    hook_poll(args.runtime, timer, args.resolver)
    # Every mark the runner takes on the main thread (`harness.now`) notes the thread's and the process's CPU
    # and the poll counts then, so the figures cover exactly the runner's timed section.
    # The main thread's time runnable but not running (waiting for a core: the second field of
    # /proc/<pid>/task/<tid>/schedstat, nanoseconds; Documentation/scheduler/sched-stats.rst), read with one pread.
    main, clock, marks = threading.get_ident(), time.monotonic_ns, {}
    schedstat = os.open("/proc/self/task/%d/schedstat" % threading.get_native_id(), os.O_RDONLY)

    def now():
        t = clock()
        if threading.get_ident() == main:
            waited = int(os.pread(schedstat, 100, 0).split()[1])
            marks[t] = (time.thread_time_ns(), time.process_time_ns(), timer.calls, timer.blocked, timer.cpu, waited)
        return t

    harness.now = now
    # The CPU steps' own thread CPU, on the main thread and on the others (cpu_call looks them up when called).
    # Per kind too, against the same steps run back to back before the run (what calibration measures).
    steps = {"main": 0, "other": 0, "burn_python": 0, "burn_pow": 0, "burn_sha": 0}
    functions = {name: getattr(harness, name) for name in ("burn_python", "burn_pow", "burn_sha")}

    def timed_step(name, function):
        def step(*a):
            c0 = time.thread_time_ns()
            try:
                return function(*a)
            finally:
                cpu = time.thread_time_ns() - c0
                steps["main" if threading.get_ident() == main else "other"] += cpu
                steps[name] += cpu
        return step

    alone = dict.fromkeys(functions, 0)
    for task in tasks:
        for op in task["ops"]:
            if op[0] in codes.values():
                function, arguments = harness.cpu_call(op, 1 << 22)
                name = function.__name__
                c0 = time.thread_time_ns()
                function(*arguments)
                alone[name] += time.thread_time_ns() - c0
    for name, function in functions.items():
        setattr(harness, name, timed_step(name, function))
    requests = sum(op[0] == "io" for t in tasks for op in t["ops"])
    def server_cpu():
        import urllib.request

        with urllib.request.urlopen(args.server.rstrip("/") + "/stats") as answer:
            return int(answer.read().split()[0])

    steps_before, server_before, busy_before = dict(steps), server_cpu(), sum(harness.cores_busy_ns())
    t0, end, _, _ = harness.RUNNERS[args.runtime](plan, args.server, 1 << 22)
    server, busy = server_cpu() - server_before, sum(harness.cores_busy_ns()) - busy_before
    cpu, process, calls, blocked, in_poll, waited = (b - a for a, b in zip(marks[t0], marks[end]))
    on_main, on_others = (steps[k] - steps_before[k] for k in ("main", "other"))
    if any(alone.values()):
        print("  CPU steps in the run against back to back before it: " + ", ".join(
            "%s %.2f" % (name[5:], (steps[name] - steps_before[name]) / alone[name]) for name in functions if alone[name]))
    print("%-8s %-7s makespan %4.0f ms; main thread %4.0f us a request (%3.0f in poll, %4.0f in CPU steps, %4.0f the rest; "
          "%d polls, %d blocked); other threads %4.0f us a request (%4.0f in CPU steps); server %3.0f us a request; "
          "the machine busy %4.0f us a request; main thread waited for a core %3.0f ms; speed %s" % (
              args.runtime, args.variant, (end - t0) / 1e6, cpu / requests / 1e3, in_poll / requests / 1e3,
              on_main / requests / 1e3, (cpu - in_poll - on_main) / requests / 1e3, calls, blocked,
              (process - cpu) / requests / 1e3, on_others / requests / 1e3, server / requests / 1e3, busy / requests / 1e3,
              waited / 1e6, " ".join("%s %.2f" % kv for kv in sorted(plan["speed_factors"].items()))))


def cold(args, profile, pairs=40):
    """A request's CPU right after a request and right after mixed.json's CPU steps (see the module's doc)."""
    ns_py, ns_sha = profile["pythonLoop"]["nanosecondsPerUnit"], profile["sha256"]["nanosecondsPerUnit"]
    c, e = profile["bigPower"]["coefficient"], profile["bigPower"]["exponent"]
    harness.sha_buffer(1 << 22)

    # `--variant py|pow|sha`: only that one of the three steps (which of them leaves the client cold); `offload`:
    # the three run in the runtime's thread helper (asyncio's run_in_executor, Twisted's deferToThread), the
    # request on the loop as before (does a step on another thread leave the loop's client cold too?).
    kinds = ("py", "pow", "sha") if args.variant not in ("py", "pow", "sha") else (args.variant,)
    if args.variant == "offload" and args.runtime not in ("asyncio", "twisted"):
        raise SystemExit("cold --variant offload runs on asyncio or twisted")

    def steps():
        if "py" in kinds:
            harness.burn_python(int(0.8e6 / ns_py))
        if "pow" in kinds:
            harness.burn_pow(int((1.25e6 / c) ** (1 / e)))
        if "sha" in kinds:
            harness.burn_sha(int(1.5e6 / ns_sha), 1 << 22)

    def report(warm, cold):
        w, k = statistics.median(warm) / 1e3, statistics.median(cold) / 1e3
        print("%-8s a request's CPU: after a request %.0f us, after the CPU steps (%s) %.0f us (%+.0f)" % (args.runtime, w, "+".join(kinds), k, k - w))

    async def run_steps():
        if args.variant != "offload":
            steps()
        elif args.runtime == "twisted":
            from twisted.internet import threads

            await threads.deferToThread(steps)
        else:
            await asyncio.get_running_loop().run_in_executor(None, steps)

    async def measure(get):
        warm, cold = [], []
        await get()
        await get()
        for _ in range(pairs):
            c0 = time.thread_time_ns()
            await get()
            warm.append(time.thread_time_ns() - c0)
            await run_steps()
            c0 = time.thread_time_ns()
            await get()
            cold.append(time.thread_time_ns() - c0)
        report(warm, cold)

    if args.runtime in ("sync", "eventlet"):
        async def get():
            harness.blocking_get(args.server, 0)

        coroutine = measure(get)
        try:
            coroutine.send(None)  # nothing in it awaits a loop: it runs to its end here
        except StopIteration:
            pass
    elif args.runtime == "twisted":
        from twisted.internet import defer, reactor
        from twisted.web.client import Agent, readBody

        agent = Agent(reactor)

        async def get():
            await readBody(await agent.request(b"GET", args.server.encode() + b"?delay_us=0"))

        reactor.callWhenRunning(lambda: defer.ensureDeferred(measure(get)).addBoth(lambda _: reactor.stop()))
        reactor.run(installSignalHandlers=False)
    else:
        import aiohttp

        async def main():
            async with aiohttp.ClientSession() as session:
                async def get():
                    async with session.get(args.server, params={"delay_us": "0"}) as answer:
                        await answer.read()

                await measure(get)

        asyncio.run(main())


def cold_steps(args, profile, pairs=40):
    """The mirror of `cold`: each of mixed.json's CPU steps' thread CPU right after the same step and right after
    a request (urlopen, a new connection, no delay), 40 pairs each, the medians."""
    ns_py, ns_sha = profile["pythonLoop"]["nanosecondsPerUnit"], profile["sha256"]["nanosecondsPerUnit"]
    c, e = profile["bigPower"]["coefficient"], profile["bigPower"]["exponent"]
    harness.sha_buffer(1 << 22)
    kinds = {"py": (harness.burn_python, (int(0.8e6 / ns_py),)),
             "pow": (harness.burn_pow, (int((1.25e6 / c) ** (1 / e)),)),
             "sha": (harness.burn_sha, (int(1.5e6 / ns_sha), 1 << 22))}
    for name, (function, arguments) in kinds.items():
        warm, cold = [], []
        function(*arguments)
        for _ in range(pairs):
            function(*arguments)
            c0 = time.thread_time_ns()
            function(*arguments)
            warm.append(time.thread_time_ns() - c0)
            harness.blocking_get(args.server, 0)
            c0 = time.thread_time_ns()
            function(*arguments)
            cold.append(time.thread_time_ns() - c0)
        w, k = statistics.median(warm) / 1e3, statistics.median(cold) / 1e3
        print("%-3s step's CPU: after the same step %.0f us, after a request %.0f us (%+.0f)" % (name, w, k, k - w))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["loop", "efficiency", "trips", "fork", "run", "cold", "coldsteps"])
    parser.add_argument("--server", help="the latency server's base URL (loop)")
    parser.add_argument("--runtime", choices=sorted(harness.RUNNERS), default="asyncio")
    parser.add_argument("--variant", choices=["none", "asleep", "exsleep", "excpu", "inline", "default", "py", "pow", "sha", "offload"], default="excpu",
                        help="loop: where the CPU steps go; run: excpu (the runtime's threads), inline, default (the harness's), "
                             "none (no CPU steps), asleep (each CPU step a sleep as long); cold: py, pow or sha (only that step), offload (the steps in the runtime's threads)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--resolver", choices=["pool", "blocking"], default="pool", help="run: where Twisted resolves names")
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--machine", default=os.path.join(HERE, "..", "..", "..", "output", "machine.json"))
    args = parser.parse_args()
    if args.mode == "efficiency":
        efficiency(args)
        return 0
    if args.mode == "trips":
        trips(args)
        return 0
    if not args.server:
        parser.error("%s needs --server URL (python server.py --port-file F starts one)" % args.mode)
    if args.mode == "loop" and args.runtime not in ("asyncio", "uvloop"):
        parser.error("loop runs on asyncio or uvloop")
    with open(args.machine) as f:
        profile = json.load(f)
    {"loop": loop, "fork": fork, "run": run, "cold": cold, "coldsteps": cold_steps}[args.mode](args, profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
