"""Where a trip through asyncio's executor goes, for CPU steps of two kinds sharing one default executor.

`validation/unseen-5/numeric.json`'s shape: 4 coroutines, each 10 rounds of a 4 ms step of C that releases the GIL
(sha256 in chunks of 2.34 ms, as the harness hashes) and a 2 ms step of pure Python, each through
`loop.run_in_executor(None, ...)`. Every trip is stamped where it is submitted (the loop), where the job starts and
ends (its worker) and where the coroutine resumes (the loop); the loop's `selector.select` is wrapped, so each of
its polls is timed: a poll with timeout 0 lasts a few microseconds unless the loop lost the GIL in it. Per kind:

- dispatch: submitted -> the job's first line (the worker woken, then its wait for the GIL);
- job: its first line -> its last (a C step's GIL waits between its chunks are in it);
- back to the loop: the job's end -> the first poll to return after it (the worker's own end, the self-pipe, the
  loop's wake-up and its wait for the GIL), then -> the coroutine's resume (asyncio's two passes: `_set_state`,
  then the task's wake-up).

The same four coroutines as plain threads (`threads`) are timed in each round. With `--model TRACE` (a trace from
`simulate run validation/unseen-5/numeric.json --strategies asyncio --perfetto --machine P`), it prints the
model's side of the same trips from the coroutines' lanes: submitted -> handed back (`awaiting`), handed back ->
resumed (`runnable`).

    flock /work/machine.lock .venv/bin/python validation/executor_hops.py [rounds] [both|py|c]
    python3 validation/executor_hops.py --model output/numeric/asyncio.trace.json [both|py|c]

Each round also prints the loop's and the workers' time on a core and runnable without one, from each thread's
/proc/<pid>/task/<tid>/schedstat. docs/model.md, "Waiting for a core, measured" (2026-12-07).
"""
import json
import statistics
import sys

now = None  # set in `measure` (time.monotonic_ns); the model's side imports nothing of asyncio's


def describe(values):
    values = sorted(values)
    return "mean %5.0f, median %5.0f, p90 %5.0f us" % (
        statistics.mean(values), values[len(values) // 2], values[int(len(values) * 0.9)])


def measure(rounds, mode):
    import asyncio
    import bisect
    import hashlib
    import threading
    import time

    global now
    now = time.monotonic_ns
    sys.setswitchinterval(0.005)
    buffer = memoryview(b"\x5a" * (8 << 20))

    def burn(n):
        flag = 0
        for _ in range(n):
            flag ^= 1
        return flag

    def pace():
        start = time.perf_counter()
        burn(200000)
        python = (time.perf_counter() - start) / 200000
        start = time.perf_counter()
        hashlib.sha256(buffer[:4 << 20]).digest()
        return python, (4 << 20) / (time.perf_counter() - start)

    paces = sorted(pace() for _ in range(7))
    python_iterations = int(0.002 / paces[3][0])
    sha_rate = sorted(p[1] for p in paces)[3]
    sha_bytes, chunk = int(0.004 * sha_rate), int(0.00234 * sha_rate)

    def c_step():
        start = now()
        digest = hashlib.sha256()
        left = sha_bytes
        while left > 0:
            digest.update(buffer[:min(left, chunk)])
            left -= chunk
        return start, now()

    def py_step():
        start = now()
        burn(python_iterations)
        return start, now()

    def schedstats():
        """Each thread's time on a core and time runnable without one (/proc/<pid>/task/<tid>/schedstat)."""
        import os
        stats = {}
        for tid in os.listdir("/proc/self/task"):
            try:
                with open("/proc/self/task/%s/schedstat" % tid) as f:
                    on_core, waiting, _ = f.read().split()
                stats[int(tid)] = (int(on_core), int(waiting))
            except OSError:
                pass
        return stats

    delays = {}
    steps = {"both": (("c", c_step), ("py", py_step)), "py": (("py", py_step),), "c": (("c", c_step),)}[mode]
    trips, polls = [], []

    async def coroutine(loop):
        for _ in range(10):
            for kind, step in steps:
                submitted = now()
                start, end = await loop.run_in_executor(None, step)
                trips.append((kind, submitted, start, end, now()))

    async def main():
        loop = asyncio.get_running_loop()
        select = loop._selector.select

        def timed_select(timeout=None):
            before = now()
            events = select(timeout)
            polls.append((before, now(), timeout))
            return events

        loop._selector.select = timed_select
        await asyncio.gather(*(coroutine(loop) for _ in range(4)))
        delays.update(schedstats())  # before asyncio.run shuts the executor's threads down

    def in_threads():
        def run():
            for _ in range(10):
                for _, step in steps:
                    step()
        started = now()
        workers = [threading.Thread(target=run) for _ in range(4)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        return (now() - started) / 1e6

    print("2 ms of Python = %d iterations, 4 ms of sha256 = %d bytes in chunks of %d" % (
        python_iterations, sha_bytes, chunk))
    for r in range(rounds):
        trips.clear()
        polls.clear()
        before = schedstats()
        delays.clear()
        started = now()
        asyncio.run(main())
        makespan = (now() - started) / 1e6
        print("round %d: asyncio %.1f ms, threads %.1f ms" % (r + 1, makespan, in_threads()))
        returns = sorted(after for _, after, _ in polls)
        for kind, _ in steps:
            mine = [t for t in trips if t[0] == kind]
            polled, resumed = [], []
            for _, _, _, end, back in mine:
                i = bisect.bisect_left(returns, end)
                if i < len(returns) and returns[i] <= back:
                    polled.append((returns[i] - end) / 1e3)
                    resumed.append((back - returns[i]) / 1e3)
            print("  %-2s dispatch   %s" % (kind, describe([(s - sub) / 1e3 for _, sub, s, _, _ in mine])))
            print("     job        %s" % describe([(e - s) / 1e3 for _, _, s, e, _ in mine]))
            print("     to a poll  %s" % describe(polled))
            print("     to resume  %s" % describe(resumed))
            print("     round trip %s" % describe([(back - sub) / 1e3 for _, sub, _, _, back in mine]))
        loop_tid = threading.main_thread().native_id
        for role, tids in (("loop", [loop_tid]), ("workers", [t for t in delays if t != loop_tid])):
            core = sum(delays[t][0] - before.get(t, (0, 0))[0] for t in tids) / 1e6
            waited = sum(delays[t][1] - before.get(t, (0, 0))[1] for t in tids) / 1e6
            print("  %-8s on a core %.1f ms, runnable without one %.1f ms" % (role, core, waited))
        quick = [(b - a) / 1e3 for a, b, timeout in polls if timeout == 0]
        lost = [v for v in quick if v > 100]
        print("  polls with timeout 0: %d, %d of them over 100 us (%.1f ms in all)" % (
            len(quick), len(lost), sum(lost) / 1e3))


def model(path, mode):
    """The model's side: each coroutine lane's `awaiting` (submitted -> handed back) and `runnable` (handed back ->
    resumed) per trip, the trips in the program's order."""
    with open(path) as f:
        trace = json.load(f)
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    names = {e["tid"]: e["args"]["name"] for e in events if e.get("ph") == "M" and e["name"] == "thread_name"}
    kinds = {"both": ["c", "py"], "py": ["py"], "c": ["c"]}[mode]
    per = {k: ([], []) for k in kinds}
    for tid, name in names.items():
        if "coroutine" not in name:
            continue
        segments = sorted((e["ts"], e["dur"], e["name"]) for e in events
                          if e.get("ph") == "X" and e["tid"] == tid and e["pid"] == 1)
        awaiting = ready = 0.0
        trip = 0
        for _, length, state in segments:
            if state == "awaiting":
                awaiting += length
            elif state == "runnable":
                ready += length
            elif state == "running":
                if awaiting > 0:
                    kind = kinds[trip % len(kinds)]
                    per[kind][0].append(awaiting)
                    per[kind][1].append(ready)
                    trip += 1
                awaiting = ready = 0.0
    for kind in kinds:
        handed, resumed = per[kind]
        print("  %-2s submitted -> handed back %s" % (kind, describe(handed)))
        print("     handed back -> resumed  %s" % describe(resumed))
        print("     round trip             %s" % describe([a + b for a, b in zip(handed, resumed)]))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--model":
        model(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "both")
    else:
        measure(int(sys.argv[1]) if len(sys.argv) > 1 else 3, sys.argv[2] if len(sys.argv) > 2 else "both")
