"""A CPU step handed to a runtime's threads, trip by trip: asyncio's `run_in_executor`, trio's `to_thread.run_sync`,
curio's `run_in_thread`, written as a user writes them (no harness).

`validation/unseen-5/ticker.json`'s shape with its CPU steps in threads: W coroutines, each R rounds of a sleep of S,
then J of pure Python through the runtime's default threads (8 x 25 rounds of 2 ms and 0.5 ms by default). Each trip
is stamped where it is submitted (the loop), where the job starts and ends (its worker) and where the coroutine
resumes (the loop); the loop thread's own CPU (`time.thread_time`) is taken over the run. Per runtime and round:
the run's wall time, the loop's CPU, the worker threads used, and the medians of submitted -> started, the job, and
ended -> resumed. The job's length comes from timing the loop itself here (the fastest of five), so it is J within
the machine's pace. Also how many trips are in flight (submitted, not yet resumed), as shares of the run: a loop
that resumes its coroutines late runs its workers in waves, with times of none in flight between them.

    flock /work/machine.lock .venv/bin/python validation/thread_trips.py [rounds] [asyncio,trio,curio]
    J=0.0008 ... (another job length, seconds)
    python3 validation/thread_trips.py --model TRACE    # the same shares in the model's trace

With `--model TRACE` (`simulate run validation/thread_trips.json --strategies S --perfetto --machine P`'s trace, S one
strategy), a trip in flight is a coroutine lane from its `awaiting` (the job handed to a thread) to its next
`blocked` (the sleep after it resumed) or its end.

`validation/thread_trips.json` is the same workload as a scenario, for `simulate compare`.

docs/model.md, "Workloads written later, as a matrix" (2026-12-07): the model's ticker with the steps in threads.
"""
import os
import statistics
import sys
import threading
import time

W, R, S = 8, 25, 0.002
J = float(os.environ.get("J", "0.0005"))
ITERATIONS = 0  # set in main: loop iterations that take J
trips = []  # (submitted, started, ended, resumed, worker thread), ns


def burn(n):
    flag = 0
    for _ in range(n):
        flag ^= 1
    return flag


def loop_speed():
    """Iterations per second of `burn`, the fastest of five timings (the first ones run cold)."""
    best = 0
    for _ in range(5):
        n = 300000
        t = time.perf_counter()
        burn(n)
        best = max(best, n / (time.perf_counter() - t))
    return best


def job(submitted):
    started = time.perf_counter_ns()
    burn(ITERATIONS)
    return submitted, started, time.perf_counter_ns(), threading.get_ident()


def in_flight(trips_at):
    """Shares of the time from the first submit to the last resume with 0, 1, 2, ... trips in flight."""
    edges = sorted([(q, 1) for q, r in trips_at] + [(r, -1) for q, r in trips_at])
    shares, count, last = {}, 0, edges[0][0]
    for t, step in edges:
        shares[count] = shares.get(count, 0) + t - last
        count, last = count + step, t
    total = sum(shares.values()) or 1
    return " ".join("%d:%.0f%%" % (k, 100 * v / total) for k, v in sorted(shares.items()))


def model_in_flight(path):
    import json
    trace = json.load(open(path))
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events if e.get("ph") == "M" and e.get("name") == "thread_name"}
    lanes = {}
    for e in events:
        if e.get("ph") == "X" and "(coroutine)" in names.get((e["pid"], e["tid"]), ""):
            lanes.setdefault((e["pid"], e["tid"]), []).append((e["ts"], e["name"], e["ts"] + e["dur"]))
    spans = []
    for segments in lanes.values():
        start = None
        for ts, state, _ in sorted(segments):
            if state == "awaiting" and start is None:
                start = ts
            elif state == "blocked" and start is not None:
                spans.append((start, ts))
                start = None
        if start is not None:  # the last trip: resumed, then the coroutine ended
            spans.append((start, max(end for _, _, end in segments)))
    print("model: %d trips; in flight (share of the run): %s" % (len(spans), in_flight(spans)))


def summarize(name, wall, loop_cpu):
    def median_us(values):
        return statistics.median(values) / 1e3
    dispatch = [s - q for q, s, e, r, _ in trips]
    work = [e - s for q, s, e, r, _ in trips]
    back = [r - e for q, s, e, r, _ in trips]
    workers = len(set(t for *_, t in trips))
    print("%-8s wall %6.1f ms  loop CPU %5.1f ms (%4.0f us a trip)  trips %d on %d threads  submitted->started %5.0f us"
          "  job %4.0f us  ended->resumed %5.0f us" % (name, wall * 1e3, loop_cpu * 1e3, loop_cpu * 1e6 / len(trips),
                                                   len(trips), workers, median_us(dispatch), median_us(work),
                                                   median_us(back)))
    print("%-8s in flight (share of the run): %s" % (name, in_flight([(q, r) for q, s, e, r, _ in trips])))


def run_asyncio():
    import asyncio

    async def worker():
        loop = asyncio.get_running_loop()
        for _ in range(R):
            await asyncio.sleep(S)
            q, s, e, t = await loop.run_in_executor(None, job, time.perf_counter_ns())
            trips.append((q, s, e, time.perf_counter_ns(), t))

    async def main():
        cpu, t0 = time.thread_time(), time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(W)))
        return time.perf_counter() - t0, time.thread_time() - cpu
    return asyncio.run(main())


def run_trio():
    import trio

    async def worker():
        for _ in range(R):
            await trio.sleep(S)
            q, s, e, t = await trio.to_thread.run_sync(job, time.perf_counter_ns())
            trips.append((q, s, e, time.perf_counter_ns(), t))

    async def main():
        cpu, t0 = time.thread_time(), time.perf_counter()
        async with trio.open_nursery() as nursery:
            for _ in range(W):
                nursery.start_soon(worker)
        return time.perf_counter() - t0, time.thread_time() - cpu
    return trio.run(main)


def run_curio():
    import curio

    async def worker():
        for _ in range(R):
            await curio.sleep(S)
            q, s, e, t = await curio.run_in_thread(job, time.perf_counter_ns())
            trips.append((q, s, e, time.perf_counter_ns(), t))

    async def main():
        cpu, t0 = time.thread_time(), time.perf_counter()
        tasks = [await curio.spawn(worker) for _ in range(W)]
        for task in tasks:
            await task.join()
        return time.perf_counter() - t0, time.thread_time() - cpu
    return curio.run(main)


RUNTIMES = {"asyncio": run_asyncio, "trio": run_trio, "curio": run_curio}


def main():
    global ITERATIONS
    if len(sys.argv) == 3 and sys.argv[1] == "--model":
        return model_in_flight(sys.argv[2])
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    names = sys.argv[2].split(",") if len(sys.argv) > 2 else list(RUNTIMES)
    ITERATIONS = int(loop_speed() * J)
    for _ in range(rounds):
        for name in names:
            trips.clear()
            wall, cpu = RUNTIMES[name]()
            summarize(name, wall, cpu)


if __name__ == "__main__":
    sys.exit(main())
