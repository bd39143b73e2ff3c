"""Do k processes started together run at the same speed? (issue #8: `cpu-pow-2 processes` −22%)

Per CPU kind (`7777 ** n` and the pure-Python loop, the harness's own functions), k = 1, 2 and 4 forked
processes run the same work, released together at a barrier, alternating k (1, 2, 4, 1, 2, 4, ...) so that the
VM's speed modes (validation/speed_modes.py) meet each. Prints, medians over the repetitions, each process's own
time of its work and the span until the last one ended, then every pair's faster and slower time: on this VM the
two vCPUs, both busy, do not run at one speed, and the makespan of two tasks on two cores is the slower one's.
calibrate.py's `parallel_efficiency` takes the mean of the k, so it does not see this.

    flock /work/machine.lock .venv/bin/python validation/pair_speeds.py [POW_EXPONENT] [PY_ITERATIONS] [REPS]
    (defaults 180000, 4500000, 8: about 110-130 ms of work each here)
"""
import multiprocessing
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "RealRuns", "python"))
import harness  # noqa: E402 - the work functions real runs time


def work(kind, amount, barrier, results):
    barrier.wait()
    start = time.monotonic_ns()
    function, args = harness.cpu_call([kind, amount], 1 << 22)
    function(*args)
    results.put(time.monotonic_ns() - start)


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


def main():
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
