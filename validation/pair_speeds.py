"""Do k processes started together run at the same speed? (issue #8: `cpu-pow-2 processes` −22%)

Per CPU kind (`7777 ** n` and the pure-Python loop, the harness's own functions), k = 1, 2 and 4 forked
processes run the same work, released together at a barrier, alternating k (1, 2, 4, 1, 2, 4, ...) so that the
VM's speed modes (validation/speed_modes.py) meet each. Prints, medians over the repetitions, each process's own
time of its work and the span until the last one ended, then every pair's faster and slower time: on this VM the
two vCPUs, both busy, do not run at one speed, and the makespan of two tasks on two cores is the slower one's.
calibrate.py's `parallel_efficiency` takes the mean of the k, so it does not see this.

    flock /work/machine.lock .venv/bin/python validation/pair_speeds.py [POW_EXPONENT] [PY_ITERATIONS] [REPS]
    (defaults 180000, 4500000, 8: about 110-130 ms of work each here)

With `--pinned` (issue #8, what the asymmetry is tied to), each process is pinned (sched_setaffinity) to one
vCPU, for the two kinds and `hashlib.sha256` (GIL released; SHA_BYTES, default 160 MB, ~105 ms here): per
repetition, one process alone on vCPU 0, alone on vCPU 1, then a pair on 0 and 1. Prints each vCPU's median
time alone and in the pair, and per pair which vCPU was the slower: if one vCPU is consistently slower the
asymmetry is the core's; if the slower one flips, it is per pair; and the two alone runs of a repetition,
one after the other, compared the same way: if they differ as much, the pair's spread is each run's own speed. Unpinned pairs also record the vCPU each
process ended on (/proc/self/stat field 39) to the same end.

    flock /work/machine.lock .venv/bin/python validation/pair_speeds.py --pinned [POW_EXPONENT] [PY_ITERATIONS] [REPS] [SHA_BYTES]
"""
import multiprocessing
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "RealRuns", "python"))
import harness  # noqa: E402 - the work functions real runs time


def last_cpu():
    """The vCPU this process last ran on (field 39 of /proc/self/stat, `processor`; proc(5))."""
    with open("/proc/self/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[36])


def work(kind, amount, barrier, results, cpu=None):
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    barrier.wait()
    start = time.monotonic_ns()
    function, args = harness.cpu_call([kind, amount], 1 << 22)
    function(*args)
    elapsed = time.monotonic_ns() - start
    results.put(elapsed if cpu is None else (cpu, elapsed))


def at_once(context, k, kind, amount):
    """k processes doing the work from one barrier: (their times in ms, the span until the last ended in ms)."""
    barrier, results = context.Barrier(k + 1), context.Queue()
    workers = [context.Process(target=work, args=(kind, amount, barrier, results)) for _ in range(k)]
    for w in workers:
        w.start()
    barrier.wait()
    start = time.monotonic_ns()
    times = [results.get() / 1e6 for _ in range(k)]
    span = (time.monotonic_ns() - start) / 1e6
    for w in workers:
        w.join()
    return times, span


def pinned_at_once(context, cpus, kind, amount):
    """One process pinned to each vCPU of `cpus`, released together: {vCPU: its time in ms}."""
    barrier, results = context.Barrier(len(cpus) + 1), context.Queue()
    workers = [context.Process(target=work, args=(kind, amount, barrier, results, cpu)) for cpu in cpus]
    for w in workers:
        w.start()
    barrier.wait()
    times = dict(results.get() for _ in cpus)
    for w in workers:
        w.join()
    return {cpu: t / 1e6 for cpu, t in times.items()}


def pinned(exponent, iterations, reps, sha_bytes):
    context = multiprocessing.get_context("fork")
    med = statistics.median
    for kind, amount in (("pow", exponent), ("py", iterations), ("sha", sha_bytes)):
        alone, pair = {0: [], 1: []}, []
        for _ in range(reps):
            for cpu in (0, 1):
                alone[cpu].append(pinned_at_once(context, [cpu], kind, amount)[cpu])
            pair.append(pinned_at_once(context, [0, 1], kind, amount))
        ratios = [p[1] / p[0] for p in pair]
        print("%-3s alone: vCPU0 %.1f ms, vCPU1 %.1f ms; pair: vCPU0 %.1f ms, vCPU1 %.1f ms; "
              "pair vCPU1/vCPU0 median %.2f (range %.2f-%.2f), vCPU1 slower in %d of %d; slower/faster median %.2f"
              % (kind, med(alone[0]), med(alone[1]), med(p[0] for p in pair), med(p[1] for p in pair),
                 med(ratios), min(ratios), max(ratios), sum(r > 1 for r in ratios), len(ratios),
                 med(max(r, 1 / r) for r in ratios)))
        print("    alone (vCPU0/vCPU1 ms): %s; the two alone runs of a repetition (one after the other), slower/faster "
              "median %.2f" % (" ".join("%.0f/%.0f" % p for p in zip(alone[0], alone[1])),
                               med(max(a, b) / min(a, b) for a, b in zip(alone[0], alone[1]))))
        print("    pairs (vCPU0/vCPU1 ms): %s" % " ".join("%.0f/%.0f" % (p[0], p[1]) for p in pair))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--pinned":
        numbers = [int(a) for a in sys.argv[2:]]
        defaults = [180_000, 4_500_000, 8, 160_000_000]
        pinned(*(numbers + defaults[len(numbers):]))
        return
    exponent = int(sys.argv[1]) if len(sys.argv) > 1 else 180_000
    iterations = int(sys.argv[2]) if len(sys.argv) > 2 else 4_500_000
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    context = multiprocessing.get_context("fork")
    for kind, amount in (("pow", exponent), ("py", iterations)):
        rows = {1: [], 2: [], 4: []}
        for _ in range(reps):
            for k in rows:
                rows[k].append(at_once(context, k, kind, amount))
        med = statistics.median
        task = {k: med(statistics.mean(t) for t, _ in v) for k, v in rows.items()}
        span = {k: med(s for _, s in v) for k, v in rows.items()}
        print("%-3s " % kind + "  ".join("k=%d: task %.1f ms, span %.1f ms" % (k, task[k], span[k]) for k in rows))
        pairs = [sorted(t) for t, _ in rows[2]]
        print("    pairs (faster/slower ms): %s; slower / faster, median %.2f" % (
            " ".join("%.0f/%.0f" % (a, b) for a, b in pairs), med(b / a for a, b in pairs)))


if __name__ == "__main__":
    main()
