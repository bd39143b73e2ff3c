"""A CPU step handed to a runtime's threads, trip by trip: asyncio's `run_in_executor`, trio's `to_thread.run_sync`,
curio's `run_in_thread`, written as a user writes them (no harness).

`validation/unseen-5/ticker.json`'s shape with its CPU steps in threads: W coroutines, each R rounds of a sleep of S,
then J of pure Python through the runtime's default threads (8 x 25 rounds of 2 ms and 0.5 ms by default). Each trip
is stamped where it is submitted (the loop), where the job starts and ends (its worker) and where the coroutine
resumes (the loop); the loop thread's own CPU (`time.thread_time`) is taken over the run. Per runtime and round:
the run's wall time, the loop's CPU, the worker threads used, and the medians of submitted -> started, the job, and
ended -> resumed. The job's length comes from timing the loop itself here (the fastest of five), so it is J within
the machine's pace.

    flock /work/machine.lock .venv/bin/python validation/thread_trips.py [rounds] [asyncio,trio,curio]
    J=0.0008 ... (another job length, seconds)

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
