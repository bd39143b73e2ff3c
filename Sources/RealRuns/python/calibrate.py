"""Measures this machine for `simulate calibrate`: the cost of the harness's work units and of the runtime's
mechanisms, written as raw measurements (nanoseconds) for Sources/RealRuns/MachineProfile.swift to fit.

Usage: python calibrate.py --server http://127.0.0.1:PORT/ --out CALIBRATION.json [--only STEP,STEP]
       python calibrate.py --noise --out NOISE.json   (only the fixed noise probe)
       python calibrate.py --first-call --server URL --out -   (only the first-call probe, printed)
       python calibrate.py --first-start --out -   (only the first-start probe, printed)
       python calibrate.py --pool-first-start METHOD --out -   (only the first-Pool probe, printed)
       python calibrate.py --pool-worker-costs --out -   (only the Pool worker's start and a child's exit, printed)
       python calibrate.py --first-call-races --server URL --out -   (one program's first calls, printed)

CPU work is timed with the very functions the harness runs (imported from harness.py), each point the
minimum of a few repeats (the least disturbed by other programs on the machine). Everything takes a few
seconds. Mechanism costs are medians of many repetitions.
"""
import lifeline  # noqa: F401 - dies with simulate, even on SIGKILL (lifeline.py)
import argparse
import multiprocessing
import os
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402 - the work functions the harness runs

now = time.perf_counter_ns
SHA_CHUNK = 1 << 22


def median_ns(samples):
    return int(_statistics().median(samples))


def _statistics():
    """The statistics module, imported when first needed, not at the top: a spawn or forkserver child
    re-imports this module as __mp_main__, and each module imported at the top would be paid by every child
    the process-start probes time, but not by the harness's children (harness.py imports neither
    statistics nor asyncio), so the probes would overstate a start by the imports' ~20-40 ms."""
    import statistics

    return statistics


# --------------------------------------------------------------------------------------------- CPU work


def timings(repeats, function, *args):
    """`repeats` timings of function(*args), in ns."""
    samples = []
    for _ in range(repeats):
        start = now()
        function(*args)
        samples.append(now() - start)
    return samples


def median_of(repeats, function, *args):
    """The median of `repeats` timings of function(*args), in ns: the typical cost, which is what a real
    run meets (the minimum would size every step for the best case, so real steps would run long)."""
    return median_ns(timings(repeats, function, *args))


def python_loop_points():
    harness.burn_python(300_000)  # warm up: the adaptive interpreter specialises the loop, the CPU clocks up
    return [[n, median_of(5, harness.burn_python, n)] for n in (30_000, 100_000, 300_000, 1_000_000, 2_000_000)]


def pow_points():
    """7777 ** e for exponents growing by sqrt(2) until one call takes 300 ms (long_pow's cost grows like
    e^1.58 with Karatsuba multiplication, so no single power law fits the whole range: the points are
    interpolated in log-log, and dense where steps usually are)."""
    points = []
    exponent = 500.0
    while exponent <= 4_000_000:
        e = int(exponent)
        elapsed = median_of(5 if e < 100_000 else 3, harness.burn_pow, e)
        points.append([e, elapsed])
        if elapsed > 300_000_000:
            break
        exponent *= 2 ** 0.5
    return points


def sha_points():
    harness.sha_buffer(SHA_CHUNK)
    sizes = (1 << 14, 1 << 16, 1 << 18, 1 << 20, 1 << 22, 1 << 24)
    return [[size, median_of(3, harness.burn_sha, size, SHA_CHUNK)] for size in sizes]


def numpy_points():
    """`burn_numpy` (numpy.sin in chunks that release the GIL) by element count."""
    harness.numpy_arrays()
    harness.burn_numpy(1 << 20)
    sizes = (1 << 15, 1 << 17, 1 << 19, 1 << 21, 1 << 23)
    return [[size, median_of(3, harness.burn_numpy, size)] for size in sizes]


def numba_points():
    """`burn_numba` (the nogil kernel, compiled before any timing) by iteration count."""
    harness.numba_kernel()
    counts = (100_000, 1_000_000, 10_000_000, 50_000_000)
    return [[n, median_of(3, harness.burn_numba, n)] for n in counts]


def gil_release(threads=4, target_ns=40_000_000, repeats=5):
    """Per CPU kind, how many times faster `threads` threads run `threads` equal pieces of work at once than
    one thread runs them one after another: work that releases the GIL (sha256, numpy.sin, the numba nogil
    kernel) runs on every core at once, so about the number of cores (less the cores' parallel efficiency);
    bytecode holds the GIL, so about 1. This is "NumPy releases the GIL on long operations", measured."""
    harness.sha_buffer(SHA_CHUNK)
    harness.numpy_arrays()
    harness.numba_kernel()
    kinds = {"py": (harness.burn_python, 1_000_000), "sha": (lambda n: harness.burn_sha(n, SHA_CHUNK), 1 << 22),
             "np": (harness.burn_numpy, 1 << 20), "nb": (harness.burn_numba, 10_000_000)}
    out = {}
    for kind, (function, amount) in kinds.items():
        amount = max(1, int(amount * target_ns / max(1, median_of(3, function, amount))))

        def one_after_another():
            for _ in range(threads):
                function(amount)

        def at_once():
            workers = [threading.Thread(target=function, args=(amount,)) for _ in range(threads)]
            for w in workers:
                w.start()
            for w in workers:
                w.join()

        sequential, together = [], []
        for _ in range(repeats):  # alternated, so that a drift of the machine's speed affects both
            sequential.extend(timings(1, one_after_another))
            together.extend(timings(1, at_once))
        out[kind] = _statistics().median(sequential) / max(1, _statistics().median(together))
    return out


# ------------------------------------------------------------------------------------ threads, processes


def noop():
    pass


def start_and_join(start):
    """start() then join() of a thread or process running noop."""
    worker = start(target=noop)
    worker.start()
    worker.join()


def thread_start_ns(count=200):
    return median_of(count, start_and_join, threading.Thread)


class _ChildrenRunTheHarness:
    """While open, new spawn and forkserver children run harness.py as their main script, as real runs' children
    do, instead of this file. Such a child runs its parent's main script again before its target
    (multiprocessing/spawn.py `_fixup_main_from_path`: runpy.run_path compiles the source, then runs its
    imports); Python 3.11's forkserver was meant to run it once in the server (`preload` ['__main__']), but
    `ForkServer.ensure_running` keeps the keys {'main_path', 'sys_path'} of `get_preparation_data`, which names
    it 'init_main_from_path', so the server never does and every child pays it. multiprocessing reads the
    script from `__main__.__file__`; the target is `os.getpid`, picklable without this module. What the main
    script costs a child (validation/process_scale.py --main-cost 10, 2026-12-02): forkserver 67.4 ms with
    calibrate.py, 52.6 ms with harness.py, 3.9 ms with none; spawn 106.7, 101.2 and 36.8 ms."""

    def __enter__(self):
        self.main = sys.modules["__main__"]
        self.own = getattr(self.main, "__file__", None)
        self.main.__file__ = harness.__file__
        return self

    def __exit__(self, *exc):
        if self.own is None:
            del self.main.__file__
        else:
            self.main.__file__ = self.own


def start_and_join_child(context, target=os.getpid, args=()):
    """A child process started and joined, doing nothing of its own but `target` (real runs' children first run
    their main script, harness.py, when started by spawn or forkserver: `_ChildrenRunTheHarness`)."""
    worker = context.Process(target=target, args=args)
    worker.start()
    worker.join()


def probe_in_new_interpreter(*flags):
    """What this file prints when run with `flags` (a probe's own mode, e.g. "--first-start") in a new
    interpreter, which has imported and started nothing of this process's: a probe of what a program does
    first."""
    import subprocess

    return subprocess.run([sys.executable, os.path.abspath(__file__), *flags, "--out", "-"],
                          capture_output=True, text=True, check=True, timeout=120).stdout


PROCESS_STARTS = (("fork", 10), ("forkserver", 6), ("spawn", 4))


def process_start_round():
    """One round of Process(...).start() + join() of a child doing nothing, per start method, the children
    running harness.py as their main script (as real runs' do): {method: [ns, ...]}. A program's first
    forkserver start (which starts the server itself, reused by later starts) is left out."""
    samples = {}
    with _ChildrenRunTheHarness():
        for method, count in PROCESS_STARTS:
            context = multiprocessing.get_context(method)
            if method == "forkserver":
                start_and_join_child(context)
                count -= 1
            samples[method] = timings(count, start_and_join_child, context)
    return samples


def process_start_samples(samples, new_interpreter):
    """A round of process starts (`process_start_round`) added to `samples` ({method: [ns, ...]}), in this
    process or, with `new_interpreter`, in a new one; the median of each method's samples so far.

    The calibration runs three rounds, at its start and near its end, about a minute apart: this VM sometimes
    starts processes 40-50% slower for a minute or so (a spawn start 110 ms in two of three calibrations on
    2026-12-06 against 68-87 ms in nine runs of this step alone, the matrix's spawned children meanwhile as fast
    as ever; validation/sixth-host/README.md), and the median over rounds apart keeps one such spell out of the
    profile. The later rounds run in a new interpreter, which has imported what the first round's process had:
    a fork copies its parent's page tables, and by then this process has imported numpy, numba, gevent and the
    rest (fork 5.7 ms in a first try with the rounds here, against 2-4 ms)."""
    if new_interpreter:
        import json

        rounds = json.loads(probe_in_new_interpreter("--process-start-round"))
    else:
        rounds = process_start_round()
    for method, values in rounds.items():
        samples.setdefault(method, []).extend(values)
    return {method: median_ns(values) for method, values in samples.items()}


def pool_apply_ns(count=300):
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        pool.apply(noop)
        samples = []
        for _ in range(count):
            start = now()
            pool.apply(noop)
            samples.append(now() - start)
    return median_ns(samples)


# ------------------------------------------------------------------------- cores busy at once, at scale


def _timed_after_barrier(barrier, function, args, results):
    barrier.wait()
    start = now()
    function(*args)
    results.put(now() - start)


def _machine_busy():
    """(busy, total) jiffies of the whole machine so far (/proc/stat's first line), or None off Linux."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


def _run_at_once(context, k, function, args):
    """k processes run function(*args) together, started at a barrier. Returns the mean of their own
    timings, the fraction of the machine's cores busy meanwhile (None where /proc/stat is missing), and the
    slowest timing over the fastest."""
    barrier, results = context.Barrier(k), context.Queue()
    workers = [context.Process(target=_timed_after_barrier, args=(barrier, function, args, results)) for _ in range(k)]
    for w in workers:
        w.start()
    before = _machine_busy()
    times = [results.get() for _ in range(k)]
    after = _machine_busy()
    for w in workers:
        w.join()
    busy = None
    if before and after and after[1] > before[1]:
        busy = (after[0] - before[0]) / (after[1] - before[1])
    return sum(times) / k, busy, max(times) / max(1, min(times))


def parallel_efficiency(cores, target_ns=60_000_000, samples=20, attempts=40):
    """Per CPU kind, how fast each of k processes runs its work when k run at once (k = 2 .. cores), as a
    fraction of its speed alone: the model's `parallel_efficiency`. The two vCPUs of a small VM share a
    physical core's execution units, caches and memory bandwidth (and the host's frequency), so two busy
    ones do not each go as fast as one alone. Processes, so that no GIL is involved; the work starts at a
    barrier and each process times its own work. Alone and together alternate (1, k, 1, k, ...), so that a
    drift of the machine's speed affects both. A pair counts only if the machine was quiet: while one
    process ran alone no more than one core's worth (+15%) of the machine was busy (another program on a
    second core would slow the one alone through the shared core, and a third program would take turns with
    the k together). The median of `samples` quiet pairs (of at most `attempts`): this VM's speed swings by a
    quarter between runs a tenth of a second apart, so one pair's ratio ranges 0.6-1.3; the median of 5 pairs
    still swung 0.58-1.17 from block to block, of 20 pairs 0.79-1.01 (docs/model.md, "Cores busy at once").
    The same runs give the model's `core_speed_spread`: per kind, the median over the quiet runs of all cores
    at once of the slowest process's time over the fastest's. The processes do the same work from one
    barrier, yet on this VM one of two ends 1.06-1.30 times later than the other (validation/pair_speeds.py),
    and the makespan of k tasks on k cores is the slowest's, which the mean above does not see (docs/model.md,
    "Two busy cores, two speeds"). Returns ({kind: [[k, efficiency], ...]}, {kind: spread})."""
    context = multiprocessing.get_context("fork")
    harness.sha_buffer(SHA_CHUNK)
    kinds = {"py": (harness.burn_python, lambda n: (n,), 1_000_000, 1.0),
             "pow": (harness.burn_pow, lambda n: (n,), 200_000, 1.58),
             "sha": (harness.burn_sha, lambda n: (n, SHA_CHUNK), 1 << 24, 1.0)}
    out, spreads = {}, {}
    for kind, (function, arguments, amount, power) in kinds.items():
        # Size the work to about target_ns alone (7777 ** n grows like n^1.58).
        alone = median_of(3, function, *arguments(amount))
        amount = max(1, int(amount * (target_ns / max(1, alone)) ** (1 / power)))
        points = []
        for k in range(2, cores + 1):
            quiet, noisy = [], []
            for _ in range(attempts):
                single, busy, _ = _run_at_once(context, 1, function, arguments(amount))
                together, _, spread = _run_at_once(context, k, function, arguments(amount))
                (noisy if busy is not None and busy > 1 / cores + 0.15 else quiet).append((single / together, spread))
                if len(quiet) >= samples:
                    break
            pairs = quiet or noisy
            points.append([k, _statistics().median(ratio for ratio, _ in pairs)])
            if k == cores:
                spreads[kind] = _statistics().median(spread for _, spread in pairs)
        out[kind] = points
    return out, spreads


def _turns_on_one_core(queue, seconds, gap_ns):
    """One of two CPU-bound processes pinned to the same core: the gaps in its progress longer than `gap_ns`
    (the other's turns on the core)."""
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    gaps = []
    end = time.monotonic_ns() + int(seconds * 1e9)
    last = time.monotonic_ns()
    while last < end:
        now = time.monotonic_ns()
        if now - last > gap_ns:
            gaps.append(now - last)
        last = now
    queue.put(gaps)


def scheduler_tick_ns(seconds=1.0, gap_ns=200_000):
    """How long a CPU-bound process keeps a core that another one waits for: two processes pinned to one
    core, each timing the other's turns (the gaps in its own progress), median of both. Linux checks a
    running task's slice at its scheduler tick (CONFIG_HZ; kernel/sched/fair.c `task_tick_fair`), so a
    1.5 ms slice on 2 cores lasts a whole 4 ms tick at 250 Hz; the model takes it as the tick. None where a
    process cannot be pinned (not Linux) or no turn was seen."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    children = [context.Process(target=_turns_on_one_core, args=(queue, seconds, gap_ns)) for _ in range(2)]
    for child in children:
        child.start()
    gaps = [g for _ in children for g in queue.get()]
    for child in children:
        child.join()
    return median_ns(gaps) if gaps else None


def first_start_probe():
    """In this new interpreter (`first_start` starts it): per start method, an Event first (as the harness
    creates its `stop` before its clock starts; for spawn and forkserver that starts multiprocessing's resource
    tracker), then four children doing nothing started and joined one after another, running harness.py as
    their main script; the first one's time less the median of the next three. The forkserver's first start
    starts the server itself, a new interpreter (`ForkServer.ensure_running` spawns `python -c 'from
    multiprocessing.forkserver import main; ...'`), and the parent's request waits until it accepts; later
    starts reuse it. {start method: [ns, ...]}, one per method."""
    out = {}
    with _ChildrenRunTheHarness():
        for method in ("fork", "forkserver", "spawn"):
            context = multiprocessing.get_context(method)
            stop = context.Event()
            times = timings(4, start_and_join_child, context)
            del stop
            out[method] = times[0] - median_ns(times[1:])
    return out


def first_start(runs=5):
    """`first_start_probe` in `runs` new interpreters running this file (this one has started every method
    already): {start method: the median over the programs, ns} (docs/model.md, "A program's first start")."""
    import json

    extra = {}
    for _ in range(runs):
        for method, ns in json.loads(probe_in_new_interpreter("--first-start")).items():
            extra.setdefault(method, []).append(ns)
    return {method: median_ns(v) for method, v in extra.items()}


def pool_round(context, stop):
    """A Pool(2) built as the harness builds one (its initializer, the Event among its arguments) and one task
    waited for: the part of a pool run before its tasks' own work. The pool is closed and joined after."""
    start = now()
    pool = context.Pool(2, initializer=harness.pool_initializer, initargs=([], stop, "", 0))
    pool.apply_async(os.getpid).wait()
    elapsed = now() - start
    pool.close()
    pool.join()
    return elapsed


def pool_first_start_probe(method):
    """In this new interpreter (`pool_first_start` starts one per method, as the pool's imports are paid once
    a program): an Event first (the harness's `stop`), then six `pool_round`s; the first one's time less the
    median of the next five. A program's first Pool imports multiprocessing.pool (`BaseContext.Pool`: `from
    .pool import Pool`, with multiprocessing.connection and .util: 5.6-6.6 ms after the harness's imports,
    `python -X importtime`), which a later Pool finds done; a forkserver's first one also starts the server.
    validation/pool_first_start.py: with fork, 6.7 ms, against 1.3 ms for a first Process start."""
    with _ChildrenRunTheHarness():
        context = multiprocessing.get_context(method)
        stop = context.Event()
        times = [pool_round(context, stop) for _ in range(6)]
    return times[0] - median_ns(times[1:])


def pool_first_start(runs=5):
    """`pool_first_start_probe` in `runs` new interpreters per start method running this file: {start method:
    the median over the programs, ns} (docs/model.md, "A program's first Pool")."""
    import json

    extra = {}
    for _ in range(runs):
        for method in ("fork", "forkserver", "spawn"):
            extra.setdefault(method, []).append(json.loads(probe_in_new_interpreter("--pool-first-start", method)))
    return {method: median_ns(v) for method, v in extra.items()}


def process_exit(context, count):
    """The median time from a child's target having run (its put on a queue received) until its join returns:
    the child's exit, which `start_and_join_child` times with its start. A spawn child leaves by `sys.exit`, so
    the interpreter finalizes (8.0-9.3 ms here, 2026-12-05); fork and forkserver children leave by `os._exit`
    (multiprocessing/popen_fork.py `_launch`, forkserver.py `main`)."""
    queue = context.SimpleQueue()
    exits = []
    for _ in range(count):
        worker = context.Process(target=queue.put, args=(None,))
        worker.start()
        queue.get()
        ran = now()
        worker.join()
        exits.append(now() - ran)
    return median_ns(exits)


def pool_worker_costs():
    """`pool_worker_costs_probe` in a new interpreter running this file, whose parent is as small as the harness
    (a fork child's exit tears down a copy of its parent's address space: 2.3 ms from this calibration's own
    process after its every step, 0.5-0.8 ms from a new one, 2026-12-05)."""
    import json

    return json.loads(probe_in_new_interpreter("--pool-worker-costs"))


def pool_worker_costs_probe(counts=(("fork", 10), ("forkserver", 12), ("spawn", 8))):
    """Per start method, after a first start (forkserver's server, the resource tracker): what a Pool worker pays
    to start beyond a Process child, and a child's exit (`process_exit`), as [{method: ns}, {method: ns}].

    The first: the start + join of a child whose target is a function of multiprocessing.pool (its `mapstar`,
    over nothing) less that of a child doing nothing (`os.getpid`), taken in turn, the medians'. A spawn or
    forkserver child imports the module as it unpickles its target, as a Pool worker does for its `worker`
    (Lib/multiprocessing/pool.py); a fork child has its parent's, which imported it to build the Pool. A Pool's
    workers exit when the pool is closed, after the harness's clock stops (and after the results a program
    waits for), so the model takes a child's exit out of a pool worker's start. The children run harness.py as
    their main script."""
    import multiprocessing.pool

    extra, exits = {}, {}
    with _ChildrenRunTheHarness():
        for method, count in counts:
            context = multiprocessing.get_context(method)
            start_and_join_child(context)
            exits[method] = process_exit(context, count)
            plain, pooled = [], []
            for _ in range(count):
                plain += timings(1, start_and_join_child, context)
                pooled += timings(1, start_and_join_child, context, multiprocessing.pool.mapstar, ((os.getpid, ()),))
            extra[method] = median_ns(pooled) - median_ns(plain)
    return [extra, exits]


def pool_task_costs():
    """`pool_task_costs_probe` in a new interpreter running this file (a Pool's parent as small as the harness)."""
    import json

    return json.loads(probe_in_new_interpreter("--pool-task-costs"))


def _pool_job(loops):
    """A task of about 1 ms of Python; returns its own CPU."""
    started = time.thread_time_ns()
    x = 0
    for i in range(loops):
        x += i
    return time.thread_time_ns() - started


def pool_task_costs_probe(tasks=120, workers=2, rounds=5, turns=3000):
    """A fork Pool's own costs per task, as [worker ns, parent ns, handler turn ns, of it system calls ns]
    (docs/model.md, "A process Pool's result pipe and its worker handler").

    The worker's and the parent's CPU per task: a Pool(2) runs `tasks` tasks of about 1 ms (each worker sleeps
    on the task pipe and the parent on the result pipe between them, as under real work, so their wake-ups are
    in it), against a Pool that runs none; the worker's is the children's CPU (`RUSAGE_CHILDREN`, after the
    join) less the tasks' own, the parent's is the process's. Meanwhile the parent's worker handler is kept off
    the result pipe (`Pool._get_sentinels` without `_outqueue._reader`), so that the parent's figure leaves out
    its busy wait, which the model runs itself. The turn: `_maintain_pool` and `_wait_for_updates` on the
    workers' sentinels and a pipe that holds a byte (`wait()` returns at once, as while a result waits unread),
    and the part of it in system calls: a `waitpid(WNOHANG)` per worker and a `poll` of the sentinels. Medians
    of `rounds`."""
    import multiprocessing.pool as mpp
    import resource
    import select
    from multiprocessing.connection import Connection

    loops = 20_000
    while True:
        started = now()
        _pool_job(loops)
        if now() - started > 20_000_000:
            loops = int(loops * 1_000_000 / (now() - started))
            break
        loops *= 2
    context = multiprocessing.get_context("fork")
    sentinels = mpp.Pool._get_sentinels
    mpp.Pool._get_sentinels = lambda pool: [pool._change_notifier._reader]
    worker, parent = [], []
    try:
        for _ in range(rounds):
            spent = []
            for n in (0, tasks):
                parent0, children0 = _cpu_ns(resource.RUSAGE_SELF), _cpu_ns(resource.RUSAGE_CHILDREN)
                pool = context.Pool(workers)
                own = sum(r.get() for r in [pool.apply_async(_pool_job, (loops,)) for _ in range(n)])
                parent1 = _cpu_ns(resource.RUSAGE_SELF)
                pool.close()
                pool.join()
                spent.append((parent1 - parent0, _cpu_ns(resource.RUSAGE_CHILDREN) - children0 - own))
            worker.append((spent[1][1] - spent[0][1]) / tasks)
            parent.append((spent[1][0] - spent[0][0]) / tasks)
    finally:
        mpp.Pool._get_sentinels = sentinels
    pool = context.Pool(workers)
    read, write = os.pipe()
    os.write(write, b"x")
    ready = Connection(read, writable=False)  # closes `read`
    try:
        args = (pool._ctx, pool.Process, pool._processes, pool._pool, pool._inqueue, pool._outqueue,
                pool._initializer, pool._initargs, pool._maxtasksperchild, pool._wrap_exception)

        def turn():
            mpp.Pool._maintain_pool(*args)
            mpp.Pool._wait_for_updates([*mpp.Pool._get_worker_sentinels(pool._pool), ready, pool._change_notifier._reader],
                                       pool._change_notifier)

        pids = [p.pid for p in pool._pool]
        poller = select.poll()
        for fd in [p.sentinel for p in pool._pool] + [read, pool._change_notifier._reader.fileno()]:
            poller.register(fd, select.POLLIN)

        def calls():
            for pid in pids:
                os.waitpid(pid, os.WNOHANG)
            poller.poll(0)

        whole, syscalls = [], []
        for _ in range(rounds):
            for function, out in ((turn, whole), (calls, syscalls)):
                for _ in range(turns // 10):
                    function()
                started = now()
                for _ in range(turns):
                    function()
                out.append((now() - started) / turns)
    finally:
        pool.terminate()
        pool.join()
        os.close(write)
        ready.close()
    return [int(_statistics().median(v)) for v in (worker, parent, whole, syscalls)]


def _cpu_ns(who):
    import resource

    usage = resource.getrusage(who)
    return int((usage.ru_utime + usage.ru_stime) * 1e9)


def processes_at_scale(counts=(1, 16)):
    """Per start method, `n` children doing nothing (running harness.py as their main script when spawn or
    forkserver start them, as real runs' children do) started one after another then joined. Each row:
    [n, the parent's time in the start() calls, the time until the last join returned, the parent's own CPU
    time in the start() calls, the CPU time of the children it reaped (fork and spawn; 0 for forkserver, whose
    children the server reaps)]. The start loop's time is not the parent's work: while it forks, the children
    already started take the cores, and a spawn or forkserver start waits for the new process's exec or the
    server's fork (validation/process_scale.py: fork's loop 1.98 ms a child for 32, its CPU 0.95 ms). The
    parent's CPU is its serial share (fork() copies its page tables; spawn and forkserver send a request)."""
    import resource

    out = {}
    with _ChildrenRunTheHarness():
        for method in ("fork", "forkserver", "spawn"):
            context = multiprocessing.get_context(method)
            if method == "forkserver":
                start_and_join_child(context)
            rows = []
            for n in counts:
                samples = []
                for _ in range(3 if method != "spawn" else 2):
                    workers = [context.Process(target=os.getpid) for _ in range(n)]
                    children, cpu = _cpu_ns(resource.RUSAGE_CHILDREN), _cpu_ns(resource.RUSAGE_SELF)
                    start = now()
                    for w in workers:
                        w.start()
                    started, loop_cpu = now(), _cpu_ns(resource.RUSAGE_SELF) - cpu
                    for w in workers:
                        w.join()
                    samples.append((started - start, now() - start, loop_cpu,
                                    _cpu_ns(resource.RUSAGE_CHILDREN) - children))
                samples.sort(key=lambda s: s[1])
                rows.append([n, *samples[len(samples) // 2]])
            out[method] = rows
    return out


def noise_probe(count=15, iterations=600_000):
    """A fixed amount of pure-Python work (the same on every machine) timed `count` times: the spread of
    these timings is the machine's noise at the time a measurement was taken."""
    harness.burn_python(iterations)
    return timings(count, harness.burn_python, iterations)


def pipe_wake_ns(count=2000):
    """Half a ping-pong round trip through two pipes between two processes: the OS's cost of waking a
    blocked thread and running it (no GIL involved)."""
    a_read, a_write = os.pipe()
    b_read, b_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            for _ in range(count):
                os.read(a_read, 1)
                os.write(b_write, b"x")
        finally:
            os._exit(0)
    samples = []
    for _ in range(count):
        start = now()
        os.write(a_write, b"x")
        os.read(b_read, 1)
        samples.append(now() - start)
    os.waitpid(pid, 0)
    for fd in (a_read, a_write, b_read, b_write):
        os.close(fd)
    return median_ns(samples) // 2


def event_round_trip_ns(count=2000):
    """Two threads handing a token back and forth with Events (includes two GIL hand-offs)."""
    ping, pong = threading.Event(), threading.Event()

    def partner():
        for _ in range(count):
            ping.wait()
            ping.clear()
            pong.set()

    t = threading.Thread(target=partner)
    t.start()
    samples = []
    for _ in range(count):
        start = now()
        ping.set()
        pong.wait()
        pong.clear()
        samples.append(now() - start)
    t.join()
    return median_ns(samples)


# ------------------------------------------------------------------------------------------------ I/O


def urlopen_costs(base_url, count=100):
    """CPU (this thread's) and wall time of one urlopen(url).read() with no server delay."""
    url = base_url + "?delay_us=0"
    urllib.request.urlopen(url).read()
    cpu, wall = [], []
    for _ in range(count):
        c0, w0 = time.thread_time_ns(), now()
        with urllib.request.urlopen(url) as r:
            r.read()
        wall.append(now() - w0)
        cpu.append(time.thread_time_ns() - c0)
    return median_ns(cpu), median_ns(wall)


def server_answer_costs(base_url, clients=20, calls=10, delay_us=2000, rounds=3):
    """The latency server's own CPU per request while `clients` threads call it at once (as real runs do),
    on a new connection per call (urlopen) and on one kept-alive connection per client (http.client):
    server.py's /stats gives its process CPU time and its request count before and after."""
    import http.client
    import threading
    import urllib.parse

    def stats():
        with urllib.request.urlopen(base_url + "stats") as r:
            cpu, number = r.read().split()
        return int(cpu), int(number)

    def new_connections():
        for _ in range(calls):
            with urllib.request.urlopen(base_url + "?delay_us=%d" % delay_us) as r:
                r.read()

    def kept_alive():
        address = urllib.parse.urlsplit(base_url)
        connection = http.client.HTTPConnection(address.hostname, address.port)
        for _ in range(calls):
            connection.request("GET", "/?delay_us=%d" % delay_us)
            connection.getresponse().read()
        connection.close()

    def per_request(client):
        samples = []
        for _ in range(rounds):
            cpu0, n0 = stats()
            threads = [threading.Thread(target=client) for _ in range(clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            cpu1, n1 = stats()
            samples.append((cpu1 - cpu0) / max(1, n1 - n0 - 1))  # the first /stats is counted in n1
        return median_ns(samples)

    return per_request(new_connections), per_request(kept_alive)


def urlopen_alone_ns(base_url, count):
    """The median of `count` timings of this thread's CPU in one urlopen(url).read() with no server delay,
    one call at a time: the denominator of the ratios of calls at once (`overlapping_calls`,
    `patched_urlopen_ratio`)."""
    url = base_url + "?delay_us=0"
    samples = []
    for _ in range(count):
        start = time.thread_time_ns()
        with urllib.request.urlopen(url) as r:
            r.read()
        samples.append(time.thread_time_ns() - start)
    return median_ns(samples)


def overlapping_calls(base_url, clients=20, calls=10, delay_us=2000, pairs=5):
    """Client CPU of one urlopen(url).read() when `clients` threads call at once, as a multiple of one call
    alone: pairs of (one thread's calls one after another with no delay: its CPU per call, as urlopen_costs
    measures it; then `clients` threads started together at a barrier: this process's CPU per call from the
    barrier to the last join), the median of the pairs' ratios. Measured one right after the other, so that
    the VM's speed, which swings between two modes over seconds, is the same for both halves of a pair."""
    import threading

    url = base_url + "?delay_us=%d" % delay_us

    def overlapped_ns():
        barrier = threading.Barrier(clients + 1)

        def client():
            barrier.wait()
            for _ in range(calls):
                with urllib.request.urlopen(url) as r:
                    r.read()

        threads = [threading.Thread(target=client) for _ in range(clients)]
        for t in threads:
            t.start()
        barrier.wait()  # the threads' starts are not counted
        start = time.process_time_ns()
        for t in threads:
            t.join()
        return (time.process_time_ns() - start) / (clients * calls)

    ratios = []
    for _ in range(pairs):
        alone = urlopen_alone_ns(base_url, calls * 2)
        ratios.append(overlapped_ns() / max(1, alone))
    return _statistics().median(ratios)


def excess_ns(base_url, delay_us):
    """The wall time of one urlopen(url).read() with a server delay, beyond the delay itself."""
    start = now()
    with urllib.request.urlopen(base_url + "?delay_us=%d" % delay_us) as r:
        r.read()
    return now() - start - delay_us * 1000


def delayed_call_overhead_ns(base_url, delay_us=20000, count=10):
    """Wall time of a urlopen call with a server delay beyond the delay itself and beyond a call with no
    delay: what waking both sides after an idle wait costs on this machine (timer slack, idle CPUs)."""
    return median_ns([excess_ns(base_url, delay_us) for _ in range(count)])


def wait_costs(base_url, delays_us=(0, 50, 100, 200, 500, 1000, 2000, 5000, 20000), rounds=8, run=5, settle=2):
    """urlopen with each server delay: [delay_us, median wall ns beyond the delay]. How much longer a call
    takes than its delay grows with the delay: a wait long enough lets both sides' cores go idle (the
    haltpoll cpuidle driver halts a vCPU at once, and the host must wake it again), short ones do not.
    Measured as a program repeating one call meets it: `run` calls of a delay one after another, the first
    `settle` not counted (a call right after a longer wait runs colder: 0.9 ms beyond no delay after a 20 ms
    call against 0.45 ms after another call with none). The delays take turns a run each, `rounds` times,
    so that a change of the VM's speed (docs/model.md, "The two speeds, shown") falls on all of them alike."""
    samples = {delay: [] for delay in delays_us}
    for _ in range(rounds):
        for delay in delays_us:
            samples[delay].extend([excess_ns(base_url, delay) for _ in range(run)][settle:])
    return [[delay, median_ns(samples[delay])] for delay in delays_us]


def connect_costs(base_url, count=100):
    """TCP connect + close to the server on loopback: the connection set-up every urlopen pays."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(base_url)
    cpu, wall = [], []
    for _ in range(count):
        c0, w0 = time.thread_time_ns(), now()
        s = socket.create_connection((parts.hostname, parts.port))
        s.close()
        wall.append(now() - w0)
        cpu.append(time.thread_time_ns() - c0)
    return median_ns(cpu), median_ns(wall)


def ready_recv_ns(count=2000):
    """recv() of an answer already queued on a loopback TCP connection, ns (the median of `count`): what a
    caller that comes back after its answer arrived pays inside the call, with the GIL released and no sleep
    (the model's `costs.ready_recv`; docs/model.md, "An answer already there")."""
    import select
    import socket
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    client = socket.create_connection(listener.getsockname())
    server, _ = listener.accept()
    try:
        for s in (client, server):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        times = []
        for _ in range(count):
            server.sendall(b"x")
            select.select([client], [], [], 1.0)
            t0 = now()
            client.recv(8192)
            times.append(now() - t0)
        return median_ns(times)
    finally:
        for s in (client, server, listener):
            s.close()


def timer_slack_ns():
    """This thread's timer slack (/proc/self/timerslack_ns, Linux 4.6+): how late a timed wait's timer may fire,
    and on a quiet core does; None where the file does not exist."""
    try:
        with open("/proc/self/timerslack_ns") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


TIMED_WAITS_MS = (0.1, 0.5, 1, 2, 5, 20, 50)


def timed_wait_samples(rounds, waits_ms=TIMED_WAITS_MS, busy=True):
    """How late a thread is back from a timed futex wait that times out: {wait_ms: [late_ns, ...]}, `rounds`
    waits of each length. take_gil's COND_TIMED_WAIT is such a wait; so is `threading.Lock.acquire(timeout=T)`
    on a held lock (sem_clockwait), timed here with the GIL free. The lateness holds the timer slack, the
    wake-up of a vCPU that halted while the thread slept, and the switch to it. The lengths are taken in turn,
    one wait each, so that a change of the VM's speed falls on every length alike; with `busy`, another core
    is kept busy by a spinning process, as a thread holding the GIL keeps it (validation/timed_wait.py prints
    the spread)."""
    import subprocess
    spinner = None
    if busy and (os.cpu_count() or 1) > 1:
        spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        time.sleep(0.1)
    lock = threading.Lock()
    lock.acquire()
    late = {w: [] for w in waits_ms}
    try:
        for _ in range(rounds):
            for w in waits_ms:
                t0 = now()
                lock.acquire(timeout=w / 1000)
                late[w].append(now() - t0 - int(w * 1_000_000))
    finally:
        if spinner:
            spinner.kill()
            spinner.wait()
    return late


def timed_wait_late(rounds=25):
    """[[wait_ns, late_ns], ...]: the median of `rounds` timed waits of each length, another core busy (the
    model's `machine.timeout_idle_wake`, docs/model.md "The timed wait's idle wake-up")."""
    return [[int(w * 1_000_000), median_ns(v)] for w, v in timed_wait_samples(rounds).items()]


def socket_call_costs(base_url, count=200, delay_us=200):
    """The system calls of one urlopen, timed one by one (each releases the GIL): the median of
    getaddrinfo, socket, send and close (the short calls), connect, and how much longer recv waits than the
    delay the server was asked for (the server's own work, charged to every I/O wait)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(base_url)
    host, port = parts.hostname, parts.port
    request = ("GET %s?delay_us=%d HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
               % (parts.path or "/", delay_us, host)).encode()
    short, connects, waits = [], [], []
    for _ in range(count):
        t0 = now()
        socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
        t1 = now()
        s = socket.socket()
        t2 = now()
        s.connect((host, port))
        t3 = now()
        s.sendall(request)
        t4 = now()
        while not s.recv(8192).endswith(b"ok\n"):
            pass
        t5 = now()
        s.close()
        t6 = now()
        short.extend((t1 - t0, t2 - t1, t4 - t3, t6 - t5))
        connects.append(t3 - t2)
        waits.append(t5 - t4 - delay_us * 1000)
    return median_ns(short), median_ns(connects), max(0, median_ns(waits))


def kept_alive_overhead(base_url, count=200, delay_us=200):
    """How much longer the wait for an answer on a kept-alive connection takes than the delay asked of the
    server, ns (the median of `count` calls, the first 10 not counted): `socket_call_costs`' third figure
    for a connection that stays open, as aiohttp's session keeps it. Its request is read by the server's
    thread for the connection, already waiting in recv, where a new connection's waits for the accept loop
    to start a thread (server.py): here 81-95 us against 132-278 (docs/model.md, "A kept-alive
    connection's wait")."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(base_url)
    request = ("GET %s?delay_us=%d HTTP/1.1\r\nHost: %s\r\n\r\n" % (parts.path or "/", delay_us, parts.hostname)).encode()
    s = socket.create_connection((parts.hostname, parts.port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    waits = []
    try:
        for _ in range(count + 10):
            s.sendall(request)
            t0 = now()
            while not s.recv(8192).endswith(b"ok\n"):
                pass
            waits.append(now() - t0 - delay_us * 1000)
    finally:
        s.close()
    return max(0, median_ns(waits[10:]))


def call_shape(base_url, count=200, delay_us=200):
    """Where one urlopen(url).read() (as harness.py's `blocking_get` makes it: no timeout, a new connection)
    runs its Python between the calls that release the GIL (Py_BEGIN_ALLOW_THREADS in socketmodule.c):
    this thread's CPU (`thread_time_ns`) between one call's return and the next call's entry, median over
    `count` calls, ns, in the model's order (IOCallShape.newPieces): before getaddrinfo, socket(), connect(),
    sendall(), recv_into(); after recv_into (parsing the answer, until close); after close. setsockopt
    (a few us, GIL held) counts with the Python around it. The probe's own CPU (two
    thread_time_ns calls, measured on a wrapped no-op) is subtracted. The socket functions are patched for
    the step and restored after it. validation/call_shape.py is the documented probe (docs/model.md, "The
    shape of an I/O call")."""
    import socket

    cpu = time.thread_time_ns
    log = []
    originals = {"getaddrinfo": socket.getaddrinfo, "__init__": socket.socket.__init__,
                 "connect": socket.socket.connect, "sendall": socket.socket.sendall,
                 "recv_into": socket.socket.recv_into, "_real_close": socket.socket._real_close}

    def stamped(name, function):
        def call(*args, **kwargs):
            entered = cpu()
            try:
                return function(*args, **kwargs)
            finally:
                log.append((name, entered, cpu()))
        return call

    url = base_url + "?delay_us=%d" % delay_us
    noop = stamped("noop", lambda: None)
    gaps = []
    for _ in range(2000):
        del log[:]
        noop()
        noop()
        gaps.append(log[1][1] - log[0][2])
    gap = median_ns(gaps)
    order = ("getaddrinfo", "socket", "connect", "sendall", "recv_into", "close")
    pieces = [[] for _ in range(len(order) + 1)]
    for _ in range(20):  # urllib's opener, the server's threads
        with urllib.request.urlopen(url) as r:
            r.read()
    socket.getaddrinfo = stamped("getaddrinfo", originals["getaddrinfo"])
    socket.socket.__init__ = lambda self, *a, **k: stamped("socket", originals["__init__"])(self, *a, **k)
    socket.socket.connect = stamped("connect", originals["connect"])
    socket.socket.sendall = stamped("sendall", originals["sendall"])
    socket.socket.recv_into = stamped("recv_into", originals["recv_into"])
    socket.socket._real_close = stamped("close", originals["_real_close"])
    try:
        for _ in range(count):
            del log[:]
            start = cpu()
            with urllib.request.urlopen(url) as r:
                r.read()
            end = cpu()
            if tuple(name for name, _, _ in log) != order:
                continue  # another sequence (a second recv_into): left out of the medians
            previous = start
            for i, (_, entered, left) in enumerate(log):
                pieces[i].append(entered - previous - (gap // 2 if i == 0 else gap))
                previous = left
            pieces[-1].append(end - previous - gap // 2)
    finally:
        socket.getaddrinfo = originals["getaddrinfo"]
        for name, function in originals.items():
            if name != "getaddrinfo":
                setattr(socket.socket, name, function)
    return [max(0, median_ns(p)) if p else 0 for p in pieces]


def spin_in_bytecode(stop):
    """A CPU-bound thread beside the I/O: pure bytecode until `stop` (a threading.Event) is set."""
    while not stop.is_set():
        x = 0
        for i in range(1000):
            x += i


def gil_race(base_url, count=40, rounds=3):
    """The GIL race as urlopen meets it: the time of one urlopen(url).read() (no server delay) alone, and
    beside a thread spinning in bytecode. Every one of urlopen's system calls releases the GIL; each that
    loses it to the woken spinner costs a switch interval (the caller waits in take_gil for a drop
    request), so (beside - alone) / interval is the number of races lost per call. The model's wake-up
    latency is fitted to it (MachineProfile.gilWake). Idle cores of a VM wake in anything from 2 to 50 us
    depending on how deeply they sleep, so this is measured on the workload that matters.

    In `rounds` rounds, alone then beside, and the median of the rounds: one round of 60 calls each gave 2.9
    and 3.8 races a call in two calibrations of one machine 15 minutes apart, and 4.2 run alone in between
    (docs/model.md, "The wake-up from urlopen's races")."""
    url = base_url + "?delay_us=0"

    def call():
        with urllib.request.urlopen(url) as r:
            r.read()

    call()
    interval = sys.getswitchinterval() * 1e9
    alone_medians, lost = [], []
    for _ in range(rounds):
        alone = []
        for _ in range(count):
            start = now()
            call()
            alone.append(now() - start)
        stop = threading.Event()
        spinner = threading.Thread(target=spin_in_bytecode, args=(stop,))
        spinner.start()
        time.sleep(0.02)
        beside = []
        for _ in range(count):
            start = now()
            call()
            beside.append(now() - start)
        stop.set()
        spinner.join()
        alone_medians.append(median_ns(alone))
        lost.append(max(0.0, (_statistics().mean(beside) - _statistics().median(alone)) / interval))
    return int(_statistics().median(alone_medians)), _statistics().median(lost)


def requester_takes_signal(repeats=5):
    """The share of GIL drops whose condvar signal the thread that set the drop request takes before it
    sleeps (docs/model.md, "Which waiter gets the GIL"; the model's `machine.requester_takes_signal`): the
    median of `repeats` runs of `requester_race_once`, ~2.5 s each. One run moves by about ±0.15 on these
    VMs (12 runs on the first host: 0.53-0.82; one recorded profile of the fifth host has 0.53 where six runs
    the same day gave 0.67-0.77), far more than its 150 waits explain, so one run is not a measurement."""
    shares = [share for share in (requester_race_once() for _ in range(repeats)) if share is not None]
    return round(_statistics().median(shares), 2) if shares else None


def requester_race_once(spinners=2, interval_ms=5, rounds=150, sleep_ns=200_000, gap_ns=20_000):
    """One measurement of the requester race.

    A compact re-implementation of validation/gil_probe.py's `2 sleep 5 ROUNDS` (that file is not shipped
    with the tool): SPINNERS pure-Python threads stamp the clock in a tight loop, a gap of more than 20 us
    being time they did not hold the GIL, beside one thread that sleeps 200 us again and again. After each
    sleep that thread is the oldest waiter, first in glibc's order, so it gets the first hand-off between
    spinners unless the spinner that set the drop request takes the signal itself; the share of its waits
    that miss the first switch is this race. ~2.5 s at a 5 ms interval."""
    stop, out, calls = [False], {}, []

    def spin(index):
        gaps = []
        first = last = now()
        while not stop[0]:
            t = now()
            if t - last > gap_ns:
                gaps.append((last, t))
            last = t
        out[index] = (first, last, gaps)

    def sleeper():
        for _ in range(rounds):
            entered = now()
            time.sleep(sleep_ns / 1e9)
            calls.append((entered, now()))

    previous = sys.getswitchinterval()
    sys.setswitchinterval(interval_ms / 1000)
    threads = [threading.Thread(target=spin, args=(i,)) for i in range(spinners)]
    try:
        for t in threads:
            t.start()
        time.sleep(0.05)
        io = threading.Thread(target=sleeper)
        io.start()
        io.join()
    finally:
        stop[0] = True
        for t in threads:
            t.join()
        sys.setswitchinterval(previous)
    # Who held the GIL when: each spinner's runs between its gaps, the sleeper's from a sleep's return to
    # the next sleep; runs of one holder in a row are one hold.
    runs = [(a, b, "io") for (_, a), (b, _) in zip(calls, calls[1:])]
    for i, (first, last, gaps) in out.items():
        starts, ends = [first] + [g1 for _, g1 in gaps], [g0 for g0, _ in gaps] + [last]
        runs += [(a, b, i) for a, b in zip(starts, ends)]
    holders = []  # (start, holder, previous holder), one per hold
    for a, _, w in sorted(runs):
        if not holders or holders[-1][1] != w:
            holders.append((a, w, holders[-1][1] if holders else None))
    switches = [a for a, w, before in holders if "io" not in (w, before) and before is not None]
    won = needed = 0
    for entered, left in calls:
        ready = entered + sleep_ns
        if left > ready:
            needed += 1
            won += not any(ready < a < left for a in switches)
    return round(1 - won / needed, 2) if needed else None


def aiohttp_costs(base_url, rounds=6, count=50):
    """One request on a reused aiohttp connection, on asyncio's own loop and on uvloop's: (CPU on asyncio, wall
    on asyncio, CPU on uvloop), each the median of `rounds` rounds of `count` requests (the process's CPU: the
    loop included), the two loops in alternate rounds. Measured as two steps a minute apart, uvloop's figure came
    out 0.3x to 1.5x of asyncio's in twelve calibrations on four hosts, where alternate rounds give 0.8x-1.3x a
    round and 1.06x at the median, and the harness's runs of one workload on the two loops agree within 7%: the
    same aiohttp code, on a VM whose speed drifts over minutes (docs/model.md, "aiohttp on two loops, measured
    together"). ~0.5 s."""
    import asyncio  # here, not at the top: see _statistics

    import aiohttp
    import uvloop

    async def measure():
        async with aiohttp.ClientSession() as session:
            async with session.get(base_url, params={"delay_us": "0"}) as r:
                await r.read()
            c0, w0 = time.process_time_ns(), now()
            for _ in range(count):
                async with session.get(base_url, params={"delay_us": "0"}) as r:
                    await r.read()
            return (time.process_time_ns() - c0) // count, (now() - w0) // count

    def on(new_loop):
        loop = new_loop()
        try:
            return loop.run_until_complete(measure())
        finally:
            loop.close()

    rounds_asyncio, rounds_uvloop = [], []
    for _ in range(rounds):
        rounds_asyncio.append(on(asyncio.new_event_loop))
        rounds_uvloop.append(on(uvloop.new_event_loop))
    return (median_ns([cpu for cpu, _ in rounds_asyncio]), median_ns([wall for _, wall in rounds_asyncio]),
            median_ns([cpu for cpu, _ in rounds_uvloop]))


def aiohttp_session_ratio(base_url, count=20, pairs=11):
    """What a task of the harness's asyncio strategy pays to open its aiohttp session and connection, as a
    multiple of a request on a reused connection: pairs of (`count` requests on one open session, then
    `count` times a new ClientSession, one request, close), each the process's CPU per request; the median of
    the pairs' ratios (the halves of a pair measured together, so in the same speed mode of the VM). Eleven
    pairs (~0.35 s): four runs of five gave 2.77-4.32, four of eleven 2.72-3.09 (2026-12-03). Returns that
    ratio and the close's: `await session.close()` alone, timed the same way inside the new sessions, over the
    same reused request (the harness's task closes its session at its end, after its last request: 0.44-0.70
    in nine runs, 2026-12-05)."""
    import asyncio  # here, not at the top: see _statistics

    import aiohttp

    params = {"delay_us": "0"}

    async def reused():
        async with aiohttp.ClientSession() as session:
            async with session.get(base_url, params=params) as r:
                await r.read()
            start = time.process_time_ns()
            for _ in range(count):
                async with session.get(base_url, params=params) as r:
                    await r.read()
            return (time.process_time_ns() - start) / count

    async def opened():
        start = time.process_time_ns()
        closing = 0
        for _ in range(count):
            session = aiohttp.ClientSession()
            async with session.get(base_url, params=params) as r:
                await r.read()
            before_close = time.process_time_ns()
            await session.close()
            closing += time.process_time_ns() - before_close
        return (time.process_time_ns() - start) / count, closing / count

    async def measure():
        await opened()  # the first session pays aiohttp's lazy set-up
        ratios, close_ratios = [], []
        for _ in range(pairs):
            one = max(1, await reused())
            whole, close = await opened()
            ratios.append(whole / one)
            close_ratios.append(close / one)
        return _statistics().median(ratios), _statistics().median(close_ratios)

    return asyncio.run(measure())


def parse_like(count):
    """Interpreter work of the kind a woken thread does first (an HTTP client's parsing, a loop's callbacks):
    string formatting, dict stores, method calls; ~70 us for count=300 here."""
    table = {}
    for i in range(count):
        key = "k%d" % i
        table[key] = key.upper()
    return len(table)


def cold_wake(waits_us=(500, 1000, 2000, 5000, 10000, 20000, 50000), work=300, budget_ns=600_000_000):
    """The cold wake-up: how much more CPU a thread's first work costs after it waited `w` than after a short
    wait (200 us), per w: [[w in us, extra ns]]. The thread's CPU (time.thread_time_ns) of sleep(w) and then
    `parse_like(work)` against sleep(200 us) and the same work, in pairs one right after the other (so both
    halves meet the same speed mode of the VM), the median of the pairs' differences. This VM's idle vCPU
    halts at once (cpuidle haltpoll, guest_halt_poll_ns 0): the longer it idles, the longer its wake-up in the
    kernel and the colder the caches and TLB its next Python finds (docs/model.md, "The cold wake-up")."""
    def once(wait_s):
        start = time.thread_time_ns()
        time.sleep(wait_s)
        parse_like(work)
        return time.thread_time_ns() - start

    once(0.0002)
    out = []
    for wait in waits_us:
        pairs = max(8, min(100, budget_ns // (wait * 1000 * 2)))
        extra = []
        for _ in range(pairs):
            short = once(0.0002)
            extra.append(once(wait / 1e6) - short)
        out.append([wait, int(_statistics().median(extra))])
    return out


def timer_wake(sleep_s=0.001, trips=200, rounds=3):
    """A wake-up from a sleep's timer, per waker: {"threads": ns, "asyncio": ns, "trio": ns, "curio": ns,
    "gevent": ns}. The sleeping thread's CPU (time.thread_time_ns) per `sleep(sleep_s)` trip of one sleeper; for a
    loop or hub less its CPU per `sleep(0)` trip (a pass with no wait in the kernel, which the model charges as the
    loop's iteration), for a thread's `time.sleep` all of it. What it pays is the timer's expiry on a halted vCPU
    (this VM's idle vCPU halts at once), the return from `epoll_wait` or `clock_nanosleep`, and the loop's pass that
    runs the due timer (asyncio's `_run_once`, trio's `unrolled_run`, curio's kernel, gevent's libev timer watcher).
    The medians of `rounds` rounds, the wakers in turn each round (~3 s; docs/model.md, "A sleep's wake-up")."""
    import asyncio
    import curio
    import gevent
    import trio

    def trip_ns(run):
        start = time.thread_time_ns()
        run()
        return (time.thread_time_ns() - start) / trips

    def loop_ns(runner, sleep):
        async def sleeps(d):
            await sleep(d)
            start = time.thread_time_ns()
            for _ in range(trips):
                await sleep(d)
            return (time.thread_time_ns() - start) / trips
        return runner(sleeps, sleep_s) - runner(sleeps, 0)

    def hub_ns(d):
        def sleeps():
            gevent.sleep(d)
            return trip_ns(lambda: [gevent.sleep(d) for _ in range(trips)])
        return gevent.spawn(sleeps).get()

    wakers = {
        "threads": lambda: trip_ns(lambda: [time.sleep(sleep_s) for _ in range(trips)]),
        "asyncio": lambda: loop_ns(lambda f, d: asyncio.run(f(d)), asyncio.sleep),
        "trio": lambda: loop_ns(trio.run, trio.sleep),
        "curio": lambda: loop_ns(curio.run, curio.sleep),
        "gevent": lambda: hub_ns(sleep_s) - hub_ns(0),
    }
    found = {name: [] for name in wakers}
    for _ in range(rounds):
        for name, measure in wakers.items():
            found[name].append(measure())
    return {name: max(0, int(_statistics().median(values))) for name, values in found.items()}


def cold_request_ratio(base_url, pairs=30, rounds=5):
    """A request right after CPU steps: the calling thread's CPU (time.thread_time_ns) of one urlopen right after
    ~3.5 ms of CPU steps (0.8 ms of `burn_python`, 1.25 ms of `7777 ** n`, 1.5 ms of sha256 over the 4 MiB
    buffer: scenarios/mixed.json's steps) against the same call right after another call, in pairs one right
    after the other (both halves meet the same speed mode of the VM); per round the median cold call over the
    median warm one, the median of the rounds. The steps evict the client's code and data from the caches
    (docs/model.md, "A request after CPU steps")."""
    statistics = _statistics()
    url = "%s?delay_us=0" % base_url

    def call():
        start = time.thread_time_ns()
        with urllib.request.urlopen(url) as answer:
            answer.read()
        return time.thread_time_ns() - start

    def timed(function, *args):
        start = time.thread_time_ns()
        function(*args)
        return time.thread_time_ns() - start

    harness.sha_buffer(SHA_CHUNK)
    # Sized here, not from the earlier steps (`--only "cold request"` runs it alone): each kind's amount for its
    # target time at the machine's speed now.
    iterations = max(1, int(800_000 * 20_000 / max(1, timed(harness.burn_python, 20_000))))
    exponent = 1000
    while exponent < 1 << 20 and timed(harness.burn_pow, exponent) < 1_250_000:
        exponent = int(exponent * 1.2)
    nbytes = max(2048, int(1_500_000 * (1 << 20) / max(1, timed(harness.burn_sha, 1 << 20, SHA_CHUNK))))

    def steps():
        harness.burn_python(iterations)
        harness.burn_pow(exponent)
        harness.burn_sha(nbytes, SHA_CHUNK)

    call()
    steps()
    ratios = []
    for _ in range(rounds):
        warm, cold = [], []
        for _ in range(pairs):
            call()
            warm.append(call())
            steps()
            cold.append(call())
        ratios.append(statistics.median(cold) / max(1, statistics.median(warm)))
    return round(statistics.median(ratios), 3)


# ---------------------------------------------------------------------------------------------- asyncio


def asyncio_costs():
    import asyncio  # here, not at the top: see _statistics

    async def iterations(count=20000):
        start = now()
        for _ in range(count):
            await asyncio.sleep(0)  # one trip round the loop: one _run_once iteration
        return (now() - start) // count

    async def task_create(count=5000):
        start = now()
        await asyncio.gather(*[asyncio.ensure_future(asyncio.sleep(0)) for _ in range(count)])
        return (now() - start) // count

    async def executor(count=500):
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, noop)
        samples = []
        for _ in range(count):
            start = now()
            await loop.run_in_executor(None, noop)
            samples.append(now() - start)
        return median_ns(samples)

    async def all_of_them():
        return await iterations(), await task_create(), await executor()

    return asyncio.run(all_of_them())


def executor_loop_cpu_ns(job_s=0.001, count=300):
    """The loop's own CPU per `await loop.run_in_executor(None, time.sleep, job_s)` round trip: the loop
    thread's CPU (time.thread_time_ns) over `count` trips, per trip. The job sleeps, so the loop really waits in
    its selector and is woken by the worker's call_soon_threadsafe, as in a run whose jobs take milliseconds;
    a no-op job (`executor_round_trip_ns`) mostly finds the loop still running. run_in_executor wraps the
    concurrent future (futures.wrap_future), the worker's set_result schedules _copy_future_state through
    call_soon_threadsafe, whose self-pipe write wakes the selector; the loop then reads the pipe, copies the
    state and resumes the task (Lib/asyncio/base_events.py, futures.py, selector_events.py)."""
    import asyncio  # here, not at the top: see _statistics

    async def trips():
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, time.sleep, job_s)
        start = time.thread_time_ns()
        for _ in range(count):
            await loop.run_in_executor(None, time.sleep, job_s)
        return (time.thread_time_ns() - start) // count

    return asyncio.run(trips())


def executor_worker_costs(job_s=0.001, count=300, rounds=5):
    """The executor worker's own CPU per `run_in_executor` job, outside the job's function: (1) from the job's
    end until its result has been handed to the loop (`_WorkItem.run`'s `future.set_result`, whose done callback
    from asyncio's `wrap_future` calls `call_soon_threadsafe`, which writes the self-pipe); (2) from there to
    the next job's start when that job is already queued (`_worker`'s idle semaphore, `work_queue.get`,
    `set_running_or_notify_cancel`); (3) what the same costs more when the queue is empty and the worker
    sleeps in `get` until the next job comes, as a worker handed one step at a time does (the futex's sleep and
    wake-up, system time with the GIL released): Lib/concurrent/futures/thread.py, Lib/asyncio/futures.py
    `_chain_future`. The worker thread's CPU (time.thread_time_ns) read in the job and in a done callback added
    after asyncio's; one worker, jobs that sleep. Each round times `count` jobs one at a time, then `count` jobs
    submitted at once; the medians over `rounds` rounds (~3 s)."""
    import asyncio  # here, not at the top: see _statistics
    from concurrent.futures import ThreadPoolExecutor

    marks = {}

    def job(i):
        start = time.thread_time_ns()
        time.sleep(job_s)
        marks[i] = [start, time.thread_time_ns(), None]

    def handed_back(i):
        return lambda _: marks[i].__setitem__(2, time.thread_time_ns())

    async def trips(at_once):
        executor = ThreadPoolExecutor(max_workers=1)
        pending = []
        for i in range(count + 1):
            future = executor.submit(job, i)
            wrapped = asyncio.wrap_future(future)
            future.add_done_callback(handed_back(i))  # after wrap_future's: runs in the worker, after the write
            pending.append(wrapped)
            if not at_once:
                await wrapped
        await asyncio.gather(*pending)
        executor.shutdown()

    def gaps():
        done = [marks[i] for i in range(1, count + 1)]
        return (median_ns([m[2] - m[1] for m in done]),
                median_ns([b[0] - a[2] for a, b in zip(done, done[1:])]))

    to_loop, queued, slept = [], [], []
    for _ in range(rounds):
        marks.clear()
        asyncio.run(trips(at_once=False))
        result, rest = gaps()
        marks.clear()
        asyncio.run(trips(at_once=True))
        to_loop.append(result)
        slept.append(rest)
        queued.append(gaps()[1])
    worker = median_ns(queued)
    return median_ns(to_loop), worker, max(0, median_ns(slept) - worker)


# ----------------------------------------------------------------------------------------------- gevent


def gevent_costs():
    """A greenlet switch (gevent.sleep(0) between two greenlets: two switches through the hub per round)
    and spawn + run + join of one greenlet. gevent is imported unpatched: switching needs no patch."""
    import gevent

    count = 20000

    def yielder():
        for _ in range(count):
            gevent.sleep(0)

    gevent.get_hub()
    start = now()
    gevent.joinall([gevent.spawn(yielder), gevent.spawn(yielder)])
    switch = (now() - start) // (2 * count)
    spawns = 2000
    start = now()
    gevent.joinall([gevent.spawn(noop) for _ in range(spawns)])
    spawn = (now() - start) // spawns
    return switch, spawn


# ------------------------------------------------------------------------------------- other runtimes


def loop_iterations_ns(new_loop, count=20000):
    """One trip round an asyncio-API loop (`await asyncio.sleep(0)`) on the loop `new_loop()` makes."""
    import asyncio

    async def iterations():
        start = now()
        for _ in range(count):
            await asyncio.sleep(0)
        return (now() - start) // count

    loop = new_loop()
    try:
        return loop.run_until_complete(iterations())
    finally:
        loop.close()


def uvloop_loop_iteration_ns():
    """One trip round uvloop's loop (its aiohttp request is measured with asyncio's, `aiohttp_costs`)."""
    import uvloop

    return loop_iterations_ns(uvloop.new_event_loop)


async def switch_and_thread_ns(switch, to_thread, count=20000, calls=500):
    """On a running async runtime: the mean of `await switch()` (one trip through its scheduler) and the
    median round trip of `await to_thread(noop)` (its first call, which starts the worker, left out)."""
    start = now()
    for _ in range(count):
        await switch()
    mean = (now() - start) // count
    await to_thread(noop)
    samples = []
    for _ in range(calls):
        start = now()
        await to_thread(noop)
        samples.append(now() - start)
    return mean, median_ns(samples)


def trio_costs():
    """trio: one `checkpoint()` of a lone task (a pass of trio's scheduler, src/trio/_core/_run.py), and a
    `trio.to_thread.run_sync(noop)` round trip (its thread cache keeps the worker)."""
    import trio

    return trio.run(switch_and_thread_ns, trio.lowlevel.checkpoint, trio.to_thread.run_sync)


def curio_costs():
    """curio: one `await curio.sleep(0)` (a trip through its kernel) and a `run_in_thread(noop)` round trip."""
    import curio

    return curio.run(switch_and_thread_ns, lambda: curio.sleep(0), curio.run_in_thread)


def thread_trip_ratios(rounds=5, count=150, job_s=0.001):
    """trio's `to_thread.run_sync` and curio's `run_in_thread` against asyncio's `run_in_executor`, per round
    trip of a job that sleeps `job_s` (so that the loop really waits and is woken by the result, as in
    `executor_loop_cpu_ns`): the loop thread's CPU (time.thread_time_ns), and the worker threads' CPU outside
    the job (each worker's clock, time.pthread_getcpuclockid, less what the job itself took: handing the
    result back, the way to the next job, the sleep and the wake-up between jobs). The runtimes in turn,
    `rounds` times, each after an asyncio run; per runtime the median of its ratios to the asyncio run just
    before, so that a change of the machine's speed between rounds cancels. Returns the ratios (trio loop,
    trio worker, curio loop, curio worker), a runtime's None where it is not installed (~4 s)."""
    import asyncio  # here, not at the top: see _statistics

    def trips(run):
        """`run(timed)` starts the runtime and awaits `timed(call_in_thread)`; (loop, workers) CPU per trip."""
        workers = {}  # thread ident -> [CPU inside its jobs, the thread's clock]

        def job():
            start = time.thread_time_ns()
            time.sleep(job_s)
            ident = threading.get_ident()
            if ident not in workers:
                workers[ident] = [0, time.pthread_getcpuclockid(ident)]
            workers[ident][0] += time.thread_time_ns() - start

        def worker_clocks():
            return sum(time.clock_gettime_ns(clock) for _, clock in workers.values())

        async def timed(call_in_thread):
            await call_in_thread(job)  # starts the worker, outside the timing
            for entry in workers.values():
                entry[0] = 0
            before, loop_before = worker_clocks(), time.thread_time_ns()
            for _ in range(count):
                await call_in_thread(job)
            loop = time.thread_time_ns() - loop_before
            inside = sum(entry[0] for entry in workers.values())
            return loop / count, max(1, worker_clocks() - before - inside) / count

        return run(timed)

    def on_asyncio(timed):
        async def main():
            loop = asyncio.get_running_loop()
            return await timed(lambda f: loop.run_in_executor(None, f))
        return asyncio.run(main())

    runtimes = []
    try:
        import trio
        runtimes.append(("trio", lambda timed: trio.run(timed, trio.to_thread.run_sync)))
    except ImportError:
        pass
    try:
        import curio
        runtimes.append(("curio", lambda timed: curio.run(timed, curio.run_in_thread)))
    except ImportError:
        pass
    ratios = {name: ([], []) for name, _ in runtimes}
    for _ in range(rounds):
        for name, run in runtimes:
            base_loop, base_worker = trips(on_asyncio)
            loop, worker = trips(run)
            ratios[name][0].append(loop / base_loop)
            ratios[name][1].append(worker / base_worker)
    result = []
    for name in ("trio", "curio"):
        if name in ratios:
            result += [round(_statistics().median(ratios[name][i]), 3) for i in (0, 1)]
        else:
            result += [None, None]
    return tuple(result)


def raw_socket_request_ratios(base_url, rounds=6, count=50):
    """One request on the harness's kept-alive raw-socket connection (`harness.KeepAliveConnection`: a GET
    written whole, its answer read to its Content-Length) on trio's stream and on curio's socket, as multiples
    of an aiohttp request on a reused connection on asyncio's loop: (trio, curio). Each figure is the process's
    CPU per request (the runtime's scheduler included), the median of `rounds` rounds of `count` requests, the
    three clients in turn each round, as `aiohttp_costs` alternates its loops: this VM's speed drifts by a
    third over minutes, which moved the trio and curio figures timed alone by as much between two runs (62 and
    75 us), where the ratios stay put. The model gave these calls aiohttp's CPU, two to three times theirs
    (docs/model.md, "trio's and curio's request on a raw socket"). ~0.5 s."""
    import asyncio
    import socket

    import aiohttp
    import curio
    import trio

    host, port = harness.KeepAliveConnection.address(base_url)

    async def requests(get):
        await get()  # the first: the server's thread for the connection starts
        start = time.process_time_ns()
        for _ in range(count):
            await get()
        return (time.process_time_ns() - start) // count

    async def on_aiohttp():
        async with aiohttp.ClientSession() as session:
            async def get():
                async with session.get(base_url, params={"delay_us": "0"}) as r:
                    await r.read()
            return await requests(get)

    async def on_trio():
        stream = await trio.open_tcp_stream(host, port)
        try:
            connection = harness.KeepAliveConnection(stream.send_all, stream.receive_some, stream.aclose, base_url)
            return await requests(lambda: connection.get(0, None))
        finally:
            await stream.aclose()

    async def on_curio():
        sock = await curio.open_connection(host, port)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            connection = harness.KeepAliveConnection(sock.sendall, sock.recv, sock.close, base_url)
            return await requests(lambda: connection.get(0, None))
        finally:
            await sock.close()

    def on_asyncio():
        loop = asyncio.new_event_loop()
        try:
            return loop.run_until_complete(on_aiohttp())
        finally:
            loop.close()

    aiohttp_rounds, trio_rounds, curio_rounds = [], [], []
    for _ in range(rounds):
        aiohttp_rounds.append(on_asyncio())
        trio_rounds.append(trio.run(on_trio))
        curio_rounds.append(curio.run(on_curio))
    reference = max(1, median_ns(aiohttp_rounds))
    return median_ns(trio_rounds) / reference, median_ns(curio_rounds) / reference


def tornado_fetch_cpu_ns(base_url, count=200):
    """The process CPU of one Tornado AsyncHTTPClient fetch (no server delay): simple_httpclient opens a new
    connection per fetch, so this is connect, request, parse and close, the IOLoop's callbacks included."""
    import asyncio

    from tornado.httpclient import AsyncHTTPClient

    url = base_url + "?delay_us=0"

    async def measure():
        client = AsyncHTTPClient()
        await client.fetch(url)
        c0 = time.process_time_ns()
        for _ in range(count):
            await client.fetch(url)
        return (time.process_time_ns() - c0) // count

    return asyncio.run(measure())


def twisted_costs(base_url, count=200, calls=300):
    """Twisted (one reactor run: a reactor cannot restart): the process CPU of one Agent request + readBody
    (new connection per request), and a deferToThread(noop) round trip through the reactor's pool."""
    import warnings

    from twisted.internet import defer, reactor, threads
    from twisted.web.client import Agent, readBody

    agent = Agent(reactor)
    url = (base_url + "?delay_us=0").encode()
    out = {}

    async def measure():
        async def request():
            response = await agent.request(b"GET", url)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                await readBody(response)

        await request()
        c0 = time.process_time_ns()
        for _ in range(count):
            await request()
        out["request"] = (time.process_time_ns() - c0) // count
        await threads.deferToThread(noop)
        samples = []
        for _ in range(calls):
            start = now()
            await threads.deferToThread(noop)
            samples.append(now() - start)
        out["thread"] = median_ns(samples)

    def finish(result):
        out["error"] = result if result is not None else None
        reactor.stop()

    reactor.callWhenRunning(lambda: defer.ensureDeferred(measure()).addBoth(finish))
    reactor.run(installSignalHandlers=False)
    if out.get("error") is not None:
        out["error"].raiseException()
    return out["request"], out["thread"]


def eventlet_costs(count=20000, spawns=2000):
    """eventlet, not monkey-patched (switching needs no patch): a green-thread switch through the hub
    (`eventlet.sleep(0)` between two green threads, per switch), and spawn + run + wait of one."""
    import warnings

    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet

    def yielder():
        for _ in range(count):
            eventlet.sleep(0)

    eventlet.sleep(0)
    start = now()
    for job in [eventlet.spawn(yielder), eventlet.spawn(yielder)]:
        job.wait()
    switch = (now() - start) // (2 * count)
    start = now()
    for job in [eventlet.spawn(noop) for _ in range(spawns)]:
        job.wait()
    return switch, (now() - start) // spawns


# A child that monkey-patches first (as the harness's gevent and eventlet runs do: `_early_patch`), then
# prints its process CPU per urlopen(url).read() while `clients` green threads call at once, `calls` each with
# a 2 ms server delay (argv: gevent or eventlet, the server's base URL, clients, calls).
PATCHED_URLOPEN = """
import sys
if sys.argv[1] == "gevent":
    from gevent import monkey
    monkey.patch_all()
    import gevent
    spawn, joinall = gevent.spawn, gevent.joinall
else:
    import warnings
    warnings.filterwarnings("ignore", message=r"\\s*Eventlet is deprecated")
    import eventlet
    eventlet.monkey_patch()
    spawn = eventlet.spawn
    def joinall(jobs):
        for job in jobs:
            job.wait()
import time, urllib.request
base, clients, calls = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def client():
    for _ in range(calls):
        with urllib.request.urlopen(base + "?delay_us=2000") as r:
            r.read()
client()
start = time.process_time_ns()
joinall([spawn(client) for _ in range(clients)])
print((time.process_time_ns() - start) // (clients * calls))
"""


# A new interpreter with gevent's patching (argv: calls, rounds): the CPU of one getaddrinfo through the hub's
# thread pool on the worker thread (process CPU less the hub thread's, per call, from a greenlet), less the
# same getaddrinfo called directly; one figure per round.
RESOLVER_JOB = """
import sys, time
from gevent import monkey
monkey.patch_all()
import gevent, _socket
pool = gevent.get_hub().threadpool
args = ("127.0.0.1", 80, 0, _socket.SOCK_STREAM)
calls, rounds = int(sys.argv[1]), int(sys.argv[2])
def worker_cpu():
    for _ in range(20):
        pool.apply(_socket.getaddrinfo, args)
    process, hub = time.process_time_ns(), time.thread_time_ns()
    for _ in range(calls):
        pool.apply(_socket.getaddrinfo, args)
    return (time.process_time_ns() - process - (time.thread_time_ns() - hub)) / calls
def direct_cpu():
    start = time.thread_time_ns()
    for _ in range(calls):
        _socket.getaddrinfo(*args)
    return (time.thread_time_ns() - start) / calls
out = []
for _ in range(rounds):
    job = gevent.spawn(worker_cpu)
    job.join()
    out.append(int(job.value - direct_cpu()))
print(" ".join(map(str, out)))
"""


def resolver_job(calls=2000, rounds=5):
    """The CPU one getaddrinfo costs a worker of gevent's hub thread pool beyond the call itself (gevent's
    default resolver, gevent.resolver.thread, runs every lookup there): its Python around the call, its
    queue's lock and the async watcher that wakes the hub (docs/model.md, "gevent's resolver threads"). The
    median of `rounds` rounds of `calls` lookups in a child with gevent's patching, ~1 s; 25.6-27.8 us a job
    here, 1.4-1.9 us of it the call. None without gevent."""
    import subprocess

    try:
        child = subprocess.run([sys.executable, "-c", RESOLVER_JOB, str(calls), str(rounds)],
                               capture_output=True, text=True, check=True, timeout=120)
    except subprocess.CalledProcessError:
        return None
    return int(_statistics().median(int(v) for v in child.stdout.split()))


def patched_urlopen_ratio(base_url, kind, clients=20, calls=10, pairs=7):
    """The client CPU of one urlopen(url).read() after gevent's or eventlet's monkey patching, with `clients`
    green threads calling at once (as in a real run), as a multiple of one unpatched call alone: each patched
    socket call goes through the runtime's Python wrapper, which waits on the hub and switches greenlets
    (gevent/_socketcommon.py `_wait`, eventlet/greenio/base.py `_trampoline`). Pairs of (one thread's calls
    here with no delay, its CPU per call, as urlopen_costs measures it; then the green calls in a child started
    just after), the median of the ratios, like `overlapping_calls` for threads: a ratio does not depend on the
    VM's speed mode. Seven pairs: one pair's ratio moved from 1.29 to 1.78 on the fifth host (nine pairs,
    2026-12-04), so the median of three, recorded 1.28 there, sat at the low end (docs/model.md, "gevent's
    patched call, measured again")."""
    import subprocess

    ratios = []
    for _ in range(pairs):
        alone = urlopen_alone_ns(base_url, calls * 2)
        child = subprocess.run([sys.executable, "-c", PATCHED_URLOPEN, kind, base_url, str(clients), str(calls)],
                               capture_output=True, text=True, check=True, timeout=120)
        ratios.append(int(child.stdout.split()[-1]) / max(1, alone))
    return _statistics().median(ratios)

# A new interpreter that patches as the harness does (argv: urlopen, gevent or eventlet; the server's base URL;
# calls), then prints its thread's CPU for each of `calls` urlopen(url).read() in turn, the first included.
PROGRAM_FIRST_CALLS = """
import sys
if sys.argv[1] == "gevent":
    from gevent import monkey
    monkey.patch_all()
    import gevent
    gevent.get_hub()  # as the harness does before its clock starts
elif sys.argv[1] == "eventlet":
    import warnings
    warnings.filterwarnings("ignore", message=r"\\s*Eventlet is deprecated")
    import eventlet
    eventlet.monkey_patch()
    eventlet.sleep(0)
import time, urllib.request
cpu = []
for _ in range(int(sys.argv[3])):
    start = time.thread_time_ns()
    with urllib.request.urlopen(sys.argv[2] + "?delay_us=0", timeout=60) as r:
        r.read()
    cpu.append(time.thread_time_ns() - start)
print(" ".join(map(str, cpu)))
"""


def program_first_call(base_url, rounds=5, calls=4):
    """Per client (urlopen plain, or after gevent's or eventlet's monkey patching), the CPU a program's first
    urlopen costs beyond its next ones: the median over `rounds` new interpreters of (first call - the median
    of the next). The first builds urllib's opener and loads the resolver's state (glibc's NSS modules); under
    gevent it also creates the hub's resolver, which imports gevent.resolver.thread and starts its thread pool
    (`Hub.resolver`, gevent/hub.py). The harness's programs pay it inside their timed part. The clients
    alternate so that the VM's speed modes meet all three (docs/model.md, "A program's first call")."""
    import subprocess

    extra = {"urlopen": [], "gevent": [], "eventlet": []}
    for _ in range(rounds):
        for client in extra:
            child = subprocess.run([sys.executable, "-c", PROGRAM_FIRST_CALLS, client, base_url, str(calls)],
                                   capture_output=True, text=True, check=True, timeout=120)
            cpu = [int(v) for v in child.stdout.split()[-calls:]]
            extra[client].append(cpu[0] - _statistics().median(cpu[1:]))
    return {client: max(0, median_ns(v)) for client, v in extra.items()}


def first_call_races_probe(base_url, calls=6):
    """In a program that has not called urlopen yet (`--first-call-races`, a new interpreter), one thread spinning in
    bytecode, as a CPU-bound thread beside the program's I/O, and `calls` urlopen(url).read() one after another:
    (first call's wall - the median of the next - the same for their thread CPU) / the switch interval."""
    stop = threading.Event()
    spinner = threading.Thread(target=spin_in_bytecode, args=(stop,))
    spinner.start()
    time.sleep(0.02)
    walls, cpus = [], []
    try:
        for _ in range(calls):
            start, cpu = now(), time.thread_time_ns()
            with urllib.request.urlopen(base_url + "?delay_us=0", timeout=60) as r:
                r.read()
            cpus.append(time.thread_time_ns() - cpu)
            walls.append(now() - start)
    finally:
        stop.set()
        spinner.join()
    wall = walls[0] - _statistics().median(walls[1:])
    cpu = cpus[0] - _statistics().median(cpus[1:])
    return (wall - cpu) / (sys.getswitchinterval() * 1e9)


def program_first_call_races(base_url, rounds=7):
    """How many more GIL races a program's first urlopen loses than its next calls, beside a thread spinning in
    bytecode: per new interpreter, (the first call's wall - the median of the next calls' - the same for their
    thread CPU) / the switch interval, as `gil_race` counts races; the median over `rounds` interpreters. The
    first call's getaddrinfo encodes the host with the "idna" codec, whose first use imports encodings.idna,
    stringprep and unicodedata (Modules/socketmodule.c, `socket_getaddrinfo`): every stat, open, read and close of
    that import releases the GIL, and each release the spinner wins costs the caller a switch interval
    (docs/model.md, "The first call's import")."""
    lost = []
    for _ in range(rounds):
        lost.append(float(probe_in_new_interpreter("--first-call-races", "--server", base_url).split()[-1]))
    return max(0.0, _statistics().median(lost))


def _first_calls(base_url, calls, connection):
    """A child's first `calls` urlopen(url).read() calls (no server delay): this thread's CPU for each."""
    cpu = []
    for _ in range(calls):
        start = time.thread_time_ns()
        harness.blocking_get(base_url, 0)
        cpu.append(time.thread_time_ns() - start)
    connection.send(cpu)
    connection.close()


def first_call_probe(base_url, children=8, calls=4):
    """Per start method, the CPU a new process's first urlopen costs beyond its next ones: the median over
    `children` children of (first call - the median of the next calls). Runs in a process that has never
    called urlopen (`first_call` starts it), as the harness's parent: a forked child then builds urllib's
    opener and the resolver's state itself, copying (copy-on-write) the parent's pages that this writes (~700
    minor faults here, against ~30-50 for a spawn or forkserver child, whose interpreter is its own). The
    methods alternate (fork, forkserver, spawn, fork, ...) so that the VM's speed modes meet all three."""
    contexts = {m: multiprocessing.get_context(m) for m in ("fork", "forkserver", "spawn")}
    extra = {m: [] for m in contexts}
    for _ in range(children):
        for method, context in contexts.items():
            receiver, sender = context.Pipe(duplex=False)
            child = context.Process(target=_first_calls, args=(base_url, calls, sender))
            child.start()
            sender.close()
            cpu = receiver.recv()
            child.join()
            extra[method].append(cpu[0] - _statistics().median(cpu[1:]))
    return {m: median_ns(v) for m, v in extra.items()}


def first_call(base_url):
    """`first_call_probe` in a new interpreter running this file (this process has called urlopen already,
    so its forked children would inherit a built opener): {start method: ns} (docs/model.md, "A child's first
    call")."""
    import json

    return json.loads(probe_in_new_interpreter("--first-call", "--server", base_url))


def tasklet_switch_ns(count=100000):
    """One explicit greenlet switch (a Stackless-style `schedule()` back to the scheduler, or from it)."""
    import greenlet

    main = greenlet.getcurrent()

    def tasklet():
        while True:
            main.switch()

    other = greenlet.greenlet(tasklet)
    other.switch()
    start = now()
    for _ in range(count):
        other.switch()
    return (now() - start) // (2 * count)


def main():
    parser = argparse.ArgumentParser(description="Measure this machine for the simulation's costs.")
    parser.add_argument("--server", help="base URL of the latency server (not needed by the options that make no call: "
                                         "--noise, --first-start, --pool-*, --process-start-round)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--noise", action="store_true", help="only time the fixed noise probe")
    parser.add_argument("--first-call", action="store_true", help="only the first-call probe, printed (run by the "
                                                                        "\"first call\" step in a new interpreter)")
    parser.add_argument("--first-call-races", action="store_true", help="only one program's first-call races, printed "
                                                                              "(run by the \"first call races\" step in a new interpreter)")
    parser.add_argument("--first-start", action="store_true", help="only the first-start probe, printed (run by "
                                                                          "the \"first start\" step in a new interpreter)")
    parser.add_argument("--pool-first-start", choices=("fork", "forkserver", "spawn"),
                        help="only the first-Pool probe with this start method, printed (run by the \"pool first "
                             "start\" step in a new interpreter)")
    parser.add_argument("--pool-worker-costs", action="store_true",
                        help="only a Pool worker's start and a child's exit, printed (run by the \"pool worker start\" "
                             "step in a new interpreter)")
    parser.add_argument("--pool-task-costs", action="store_true",
                        help="only a Pool's own costs per task, printed (run by the \"pool task costs\" step in a new "
                             "interpreter)")
    parser.add_argument("--process-start-round", action="store_true",
                        help="only one round of process starts, printed (run by the later \"process start\" steps in a "
                             "new interpreter)")
    parser.add_argument("--only", help="only these steps, by name, comma-separated (to measure by hand: the result "
                                       "then lacks what `simulate calibrate` needs)")
    args = parser.parse_args()
    if args.noise:
        harness.write_json_atomically(args.out, {"noise_probe_ns": noise_probe()})
        return 0
    if args.first_start:
        import json

        print(json.dumps(first_start_probe()))
        return 0
    if args.pool_worker_costs:
        import json

        print(json.dumps(pool_worker_costs_probe()))
        return 0
    if args.pool_task_costs:
        import json

        print(json.dumps(pool_task_costs_probe()))
        return 0
    if args.pool_first_start:
        import json

        print(json.dumps(pool_first_start_probe(args.pool_first_start)))
        return 0
    if args.process_start_round:
        import json

        print(json.dumps(process_start_round()))
        return 0
    if not args.server:
        parser.error("--server is required (unless --noise, --first-start, --pool-first-start, --pool-worker-costs, "
                     "--pool-task-costs or --process-start-round)")
    if args.first_call_races:
        import json

        print(json.dumps(first_call_races_probe(args.server)))
        return 0
    if args.first_call:
        import json

        print(json.dumps(first_call_probe(args.server)))
        return 0
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    result = {"python": sys.version.split()[0], "cores": cores,
              "switch_interval_ns": int(round(sys.getswitchinterval() * 1e9))}
    process_starts = {}
    # The process starts' later rounds, a minute after the first and at the end (`process_start_samples`).
    later_process_starts = ("process start",
                            lambda: result.update(process_start_ns=process_start_samples(process_starts, new_interpreter=True)))
    steps = [
        ("speed probe", lambda: result.update(speed_probe_ns=median_ns(noise_probe()))),
        ("python loop", lambda: result.update(python_loop=python_loop_points())),
        ("7777 ** n", lambda: result.update(pow=pow_points())),
        ("sha256", lambda: result.update(sha256=sha_points(), sha_chunk=SHA_CHUNK)),
        ("thread start", lambda: result.update(thread_start_ns=thread_start_ns())),
        ("process start", lambda: result.update(process_start_ns=process_start_samples(process_starts, new_interpreter=False))),
        ("Pool.apply", lambda: result.update(pool_apply_ns=pool_apply_ns())),
        ("wake-up", lambda: result.update(wake_ns=pipe_wake_ns(), event_round_trip_ns=event_round_trip_ns())),
        ("urlopen", lambda: result.update(zip(("urlopen_cpu_ns", "urlopen_wall_ns"), urlopen_costs(args.server)))),
        ("delayed call", lambda: result.update(delayed_call_wall_ns=delayed_call_overhead_ns(args.server))),
        ("waits", lambda: result.update(wait_costs=wait_costs(args.server))),
        ("connect", lambda: result.update(zip(("connect_cpu_ns", "connect_wall_ns"), connect_costs(args.server)))),
        ("GIL race", lambda: result.update(zip(("race_call_ns", "race_lost_per_call"), gil_race(args.server)))),
        ("socket calls", lambda: result.update(zip(("syscall_ns", "connect_call_ns", "io_overhead_ns"),
                                                    socket_call_costs(args.server)))),
        ("kept-alive wait", lambda: result.update(io_overhead_reuse_ns=kept_alive_overhead(args.server))),
        # A recv whose answer is already there, and the timed waits' timer slack (~0.1 s).
        ("ready recv", lambda: result.update(ready_recv_ns=ready_recv_ns(), timer_slack_ns=timer_slack_ns())),
        # How late a timed wait's thread is back, by the wait's length (~2 s).
        ("timed wait", lambda: result.update(timed_wait_late=timed_wait_late())),
        ("server", lambda: result.update(zip(("server_answer_new_ns", "server_answer_reuse_ns"),
                                              server_answer_costs(args.server)))),
        ("aiohttp", lambda: result.update(zip(("aiohttp_cpu_ns", "aiohttp_wall_ns", "uvloop_aiohttp_cpu_ns"),
                                               aiohttp_costs(args.server)))),
        ("asyncio", lambda: result.update(zip(("loop_iteration_ns", "task_create_ns", "executor_round_trip_ns"),
                                               asyncio_costs()))),
        ("gevent", lambda: result.update(zip(("greenlet_switch_ns", "greenlet_spawn_ns"), gevent_costs()))),
        ("cores at once", lambda: result.update(zip(("parallel_efficiency", "core_speed_spread"), parallel_efficiency(cores)))),
        # Two CPU-bound processes taking turns on one core (~1 s).
        ("scheduler tick", lambda: result.update(scheduler_tick_ns=scheduler_tick_ns())),
        ("processes at scale", lambda: result.update(processes_at_scale=processes_at_scale())),
        # Last, the article's other runtimes and kernels (~8 s): the earlier steps keep their schedule (KillTests
        # signals a calibration while its multiprocessing children run).
        ("numpy", lambda: result.update(numpy_sin=numpy_points(), numpy_chunk=harness.NUMPY_CHUNK)),
        ("numba", lambda: result.update(numba_loop=numba_points())),
        ("GIL release", lambda: result.update(gil_release_speedup=gil_release())),
        ("uvloop", lambda: result.update(uvloop_loop_iteration_ns=uvloop_loop_iteration_ns())),
        ("trio", lambda: result.update(zip(("trio_checkpoint_ns", "trio_to_thread_ns"), trio_costs()))),
        ("curio", lambda: result.update(zip(("curio_switch_ns", "curio_run_in_thread_ns"), curio_costs()))),
        ("raw socket", lambda: result.update(zip(("trio_request_ratio", "curio_request_ratio"),
                                                  raw_socket_request_ratios(args.server)))),
        ("tornado", lambda: result.update(tornado_fetch_cpu_ns=tornado_fetch_cpu_ns(args.server))),
        ("twisted", lambda: result.update(zip(("twisted_request_cpu_ns", "twisted_defer_to_thread_ns"), twisted_costs(args.server)))),
        ("eventlet", lambda: result.update(zip(("eventlet_switch_ns", "eventlet_spawn_ns"), eventlet_costs()))),
        ("tasklets", lambda: result.update(tasklet_switch_ns=tasklet_switch_ns())),
        # After everything KillTests times (~3 s): calls at once and aiohttp's sessions (docs/model.md, "The
        # validation matrix").
        ("calls at once", lambda: result.update(call_overlap_ratio=overlapping_calls(args.server))),
        ("aiohttp session", lambda: result.update(zip(("aiohttp_session_ratio", "aiohttp_close_ratio"),
                                                      aiohttp_session_ratio(args.server)))),
        # Last: the loop's CPU per executor trip, the cold wake-up and the patched urlopen (~8 s; docs/model.md,
        # "The cold wake-up", "A patched urlopen").
        ("executor loop", lambda: result.update(executor_loop_cpu_ns=executor_loop_cpu_ns())),
        ("executor worker", lambda: result.update(zip(("executor_result_cpu_ns", "executor_worker_cpu_ns",
                                                       "executor_wake_cpu_ns"), executor_worker_costs()))),
        # trio's and curio's threads against it (~4 s; recorded, not applied: docs/model.md, "The harness's notes
        # of waiting for a core, taken without releasing the GIL").
        ("thread trips", lambda: result.update(zip(("trio_thread_loop_ratio", "trio_thread_worker_ratio",
                                                    "curio_thread_loop_ratio", "curio_thread_worker_ratio"),
                                                   thread_trip_ratios()))),
        ("cold wake", lambda: result.update(cold_wake=cold_wake())),
        ("timer wake", lambda: result.update(timer_wake_ns=timer_wake())),
        ("cold request", lambda: result.update(cold_request_ratio=cold_request_ratio(args.server))),
        ("patched urlopen", lambda: result.update(gevent_urlopen_ratio=patched_urlopen_ratio(args.server, "gevent"),
                                                  eventlet_urlopen_ratio=patched_urlopen_ratio(args.server, "eventlet"))),
        # A getaddrinfo's CPU on gevent's resolver thread (~1 s; docs/model.md, "gevent's resolver threads").
        ("resolver job", lambda: result.update(resolver_job_ns=resolver_job())),
        # A child's first urlopen against its next ones, per start method (~3 s; docs/model.md, "A child's first
        # call").
        ("first call", lambda: result.update(process_first_call_ns=first_call(args.server))),
        # A program's first urlopen against its next ones, plain and patched (~5 s; docs/model.md, "A program's
        # first call").
        ("program first call", lambda: result.update(program_first_call_ns=program_first_call(args.server))),
        # A program's first start against its next ones: forkserver's server (~3 s; docs/model.md, "A program's
        # first start").
        ("first start", lambda: result.update(process_first_start_ns=first_start())),
        # A program's first Pool against its next ones: multiprocessing.pool's imports (~6 s; docs/model.md, "A
        # program's first Pool").
        ("pool first start", lambda: result.update(pool_first_start_ns=pool_first_start())),
        # A Pool worker's start against a Process child's: spawn and forkserver workers import multiprocessing.pool,
        # and a child's exit, which a pool's workers make after the clock (~3 s; docs/model.md, "A Pool's workers").
        ("pool worker start", lambda: result.update(zip(("pool_worker_start_ns", "process_exit_ns"), pool_worker_costs()))),
        # A Pool's own CPU per task, the worker's and the parent's, and its worker handler's turn while a result waits
        # unread (~1 s; docs/model.md, "A process Pool's result pipe and its worker handler").
        ("pool task costs", lambda: result.update(zip(("pool_task_cpu_ns", "pool_result_cpu_ns", "pool_handler_turn_ns",
                                                       "pool_handler_calls_ns"), pool_task_costs()))),
        # The process starts again, twice, in a new interpreter, a minute after the first round and at the end
        # (~0.7 s each), the median of the three rounds kept (`process_start_samples`).
        later_process_starts,
        # Last: glibc's condvar race at the GIL's hand-off (~2.5 s; docs/model.md, "Which waiter gets the GIL").
        ("requester race", lambda: result.update(requester_takes_signal=requester_takes_signal())),
        # Where urlopen's Python runs between its GIL-releasing calls (~0.2 s; docs/model.md, "The shape of an
        # I/O call").
        ("call shape", lambda: result.update(call_shape_ns=call_shape(args.server))),
        # The races a program's first urlopen loses beside a spinning thread, beyond its next calls' (~2.5 s;
        # docs/model.md, "The first call's import").
        ("first call races", lambda: result.update(program_first_call_races=program_first_call_races(args.server))),
        later_process_starts,
    ]
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - {name for name, _ in steps}
        if unknown:
            parser.error("unknown step(s) %s; the steps are: %s" % (", ".join(sorted(unknown)), ", ".join(dict.fromkeys(n for n, _ in steps))))
        steps = [(name, step) for name, step in steps if name in wanted]
    for name, step in steps:
        started = time.monotonic()
        step()
        print("  %-14s %.2f s" % (name, time.monotonic() - started), file=sys.stderr, flush=True)
    harness.write_json_atomically(args.out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
