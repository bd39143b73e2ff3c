"""After each executor job ends, who runs Python next: the loop, or another worker's job?

`validation/thread_trips.py`'s workload on asyncio (8 coroutines, each 25 rounds of a 2 ms sleep and 0.5 ms of
pure Python through `loop.run_in_executor(None, ...)`), written as a user writes it, with two stamps: each job's
first and last line (its worker holds the GIL there), and the return of the loop's `selector.select` (the loop holds
the GIL from there). After each job's end, the first of those stamps from another thread says who got the GIL after
the worker: the loop (it can then resume coroutines and submit more jobs) or a worker with a job waiting. Also the
gap from the job's end to that stamp (the worker's own Python after the job is in it), and the worker threads used.

    flock /work/machine.lock .venv/bin/python validation/who_next.py [rounds] [workers]   # workers: the default executor's size
    python3 validation/who_next.py --model TRACE

With `--model TRACE` (`simulate run validation/thread_trips.json --strategies asyncio --perfetto --machine P`'s
trace), the model's side: after each executor lane's run of at least 0.4 ms, the next lane to run, the loop's or
another worker's. docs/model.md, "Not done" (2026-12-07, second session).
"""
import bisect
import json
import statistics
import sys

W, R, S = 8, 25, 0.002


def summary(loop_gaps, worker_gaps, threads=None):
    total = len(loop_gaps) + len(worker_gaps)
    median = lambda v: statistics.median(v) / 1e3 if v else 0  # noqa: E731
    return "after %d job ends: the loop next %d (%.0f%%, %.0f us later, median), a worker's job %d (%.0f us)%s" % (
        total, len(loop_gaps), 100 * len(loop_gaps) / max(1, total), median(loop_gaps), len(worker_gaps),
        median(worker_gaps), "" if threads is None else "; %d worker threads" % threads)


def measure(rounds, workers):
    import asyncio
    import selectors
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    import thread_trips

    now = time.perf_counter_ns
    iterations = int(thread_trips.loop_speed() * 0.0005)
    for _ in range(rounds):
        selects, starts, ends = [], [], []

        class Stamped(selectors.EpollSelector):
            def select(self, timeout=None):
                ready = super().select(timeout)
                selects.append(now())
                return ready

        def job():
            starts.append((now(), threading.get_ident()))
            thread_trips.burn(iterations)
            ends.append((now(), threading.get_ident()))

        async def coroutine(loop):
            for _ in range(R):
                await asyncio.sleep(S)
                await loop.run_in_executor(None, job)

        async def main():
            loop = asyncio.get_running_loop()
            if workers:
                loop.set_default_executor(ThreadPoolExecutor(workers))
            start = now()
            await asyncio.gather(*[coroutine(loop) for _ in range(W)])
            return now() - start

        loop = asyncio.SelectorEventLoop(Stamped())
        wall = loop.run_until_complete(main())
        loop.close()
        start_times = [t for t, _ in sorted(starts)]
        loop_gaps, worker_gaps = [], []
        for end, _ in ends:
            i, j = bisect.bisect_right(selects, end), bisect.bisect_right(start_times, end)
            next_select = selects[i] if i < len(selects) else None
            next_start = start_times[j] if j < len(start_times) else None
            if next_select is not None and (next_start is None or next_select < next_start):
                loop_gaps.append(next_select - end)
            elif next_start is not None:
                worker_gaps.append(next_start - end)
        print("wall %.1f ms; %s" % (wall / 1e6, summary(loop_gaps, worker_gaps, len({t for _, t in starts}))))


def model(path):
    events = json.load(open(path))["traceEvents"]
    names = {e["tid"]: e["args"]["name"] for e in events if e.get("ph") == "M" and e.get("name") == "thread_name"}
    runs = sorted((e for e in events if e.get("ph") == "X" and e["name"] == "running"
                   and names[e["tid"]].startswith(("executor", "MainThread"))), key=lambda e: e["ts"])
    starts = [e["ts"] for e in runs]
    loop_gaps, worker_gaps = [], []
    for e in runs:
        if not names[e["tid"]].startswith("executor") or e["dur"] < 400:
            continue
        end = e["ts"] + e["dur"]
        for x in runs[bisect.bisect_left(starts, end - 0.001):]:
            if x["tid"] != e["tid"]:
                gap = (x["ts"] - end) * 1e3  # the trace's microseconds, as ns
                (loop_gaps if names[x["tid"]].startswith("MainThread") else worker_gaps).append(gap)
                break
    print("model: " + summary(loop_gaps, worker_gaps))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--model":
        model(sys.argv[2])
    else:
        measure(int(sys.argv[1]) if len(sys.argv) > 1 else 3, int(sys.argv[2]) if len(sys.argv) > 2 else 0)
