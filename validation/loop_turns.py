"""How an asyncio loop's turns with the GIL end beside a pure-Python thread in its executor (docs/model.md,
"Workloads never tuned on, measured as a matrix": `bgcpu` asyncio, the model's worst point there).

Usage: python validation/loop_turns.py URL [RUNS [JOB_MS]]   (URL: the latency server, Sources/RealRuns/python/server.py)

With JOB_MS the spinner runs as bgcpu's background task does: jobs of JOB_MS each, the next handed to the executor
by the loop when one ends; without, one job for the whole run.

A spinner in the loop's default executor runs a bytecode loop and stamps `perf_counter_ns()` every ~7 µs of it;
a gap over 100 µs between two stamps is a turn of the loop (the spinner lost the GIL). The loop's selector
records every `select` (enter, exit, timeout). Twenty aiohttp sessions make ten GETs each with a 3 ms server
delay (bgcpu's clients). Per run it prints the run's time, the loop's turns (their count and median length), the
selects, and how each turn ended: in a blocking select (the loop went idle and released the GIL, as it should),
in a `select(0)`, or elsewhere (a short GIL release such as a socket's send or recv whose race the woken spinner
won, or the spinner's drop request after its switch interval), and the spinner's run between two turns.

It also stamps the loop's socket calls (`socket.socket.send` and `recv`, patched on the class: asyncio's selector
transport calls `self._sock.send` in `write` and `self._sock.recv` in `_read_ready__data_received`) and prints, per
kind, the share of calls that came back more than half a switch interval late (the spinner took the GIL in them,
and the loop got it back only by its drop request): the loss rate of that short release's race, the figure the
model's `Machine.shortCallLoss` gives for a call of that length; with JOB_MS, also of the calls made while a job
ran."""
import asyncio
from bisect import bisect_left
import socket
import statistics
import sys
import time

import aiohttp

now = time.perf_counter_ns
GAP_NS = 100_000
JOB_NS = int(float(sys.argv[3]) * 1e6) if len(sys.argv) > 3 else None
JOBS = []  # [start, end] of each spinner job


def spin(stamps, stop, job_ns=None):
    last = now()
    JOBS.append([last, None])
    end = last + job_ns if job_ns else None
    while not stop and (end is None or last < end):
        flag = 0
        for _ in range(200):
            flag ^= 1
        t = now()
        if t - last > GAP_NS:
            stamps.append((last, t))
        last = t
    JOBS[-1][1] = last


def record_selects(loop, selects):
    selector = loop._selector  # asyncio's selector_events: _run_once calls self._selector.select(timeout)
    select = selector.select

    def recorded(timeout=None):
        start = now()
        events = select(timeout)
        selects.append((start, now(), timeout))
        return events

    selector.select = recorded


def record_socket_calls(calls):
    """Stamps every send and recv through socket.socket (enter, exit, kind)."""
    for kind in ("send", "recv"):
        original = getattr(socket.socket, kind)

        def recorded(self, *args, _original=original, _kind=kind):
            start = now()
            try:
                return _original(self, *args)
            finally:
                calls.append((start, now(), _kind))

        setattr(socket.socket, kind, recorded)


CALLS = []
record_socket_calls(CALLS)


async def client(session, url):
    for _ in range(10):
        async with session.get(url, params={"delay_us": "3000"}) as response:
            await response.read()


async def one_run(url):
    stamps, selects, stop = [], [], []
    CALLS.clear()
    JOBS.clear()
    loop = asyncio.get_running_loop()
    record_selects(loop, selects)

    async def jobs():
        # bgcpu's background task: one job after another, each handed to the executor by the loop.
        while not stop:
            await loop.run_in_executor(None, spin, stamps, stop, JOB_NS)

    spinner = asyncio.ensure_future(jobs()) if JOB_NS else loop.run_in_executor(None, spin, stamps, stop)
    await asyncio.sleep(0.01)
    sessions = [aiohttp.ClientSession() for _ in range(20)]
    t0 = now()
    await asyncio.gather(*(client(s, url) for s in sessions))
    t1 = now()
    for s in sessions:
        await s.close()
    stop.append(True)
    await spinner
    turns = [(a, b) for a, b in stamps if a >= t0 and b <= t1]
    ended = {"blocking select": 0, "select(0)": 0, "elsewhere": 0}
    for _, back in turns:
        current = [s for s in selects if s[0] <= back <= s[1]]
        if not current:
            ended["elsewhere"] += 1
        else:
            ended["select(0)" if current[0][2] == 0 else "blocking select"] += 1
    between = [b[0] - a[1] for a, b in zip(turns, turns[1:])]
    print(f"run {(t1 - t0) / 1e6:.1f} ms: {len(turns)} turns of the loop, median {statistics.median(b - a for a, b in turns) / 1e3:.0f} us; "
          f"{len([s for s in selects if t0 <= s[0] <= t1])} selects; turns ended: {ended}; "
          f"the spinner ran {statistics.median(between) / 1e3:.0f} us between turns (median)", flush=True)
    if JOB_NS:
        # From a job's end to the next one's start: the result's way back through the loop, the coroutine's turn
        # to hand over the next job, and the worker's wake-up (the model's executor `idle` between jobs).
        done = sorted((a, b) for a, b in JOBS if b is not None and t0 <= a <= t1)
        gaps = [b[0] - a[1] for a, b in zip(done, done[1:])]
        print(f"  {len(done)} jobs; from one's end to the next one's start: median "
              f"{statistics.median(gaps) / 1e3 if gaps else 0:.0f} us, {[round(g / 1e3) for g in gaps]} us", flush=True)
    # A gap in which the loop made no socket call and no select: the spinner was off its core (preempted, e.g.
    # by the server) with or without the GIL, not a turn of the loop that shows here.
    starts = sorted([a for a, _, _ in CALLS] + [a for a, _, _ in selects])
    idle = [(a, b) for a, b in turns if bisect_left(starts, b) == bisect_left(starts, a)]
    print(f"  {len(idle)} of the turns without a socket call or select of the loop in them "
          f"(median {statistics.median(b - a for a, b in idle) / 1e3 if idle else 0:.0f} us)", flush=True)
    for kind in ("send", "recv"):
        mine = [(a, b) for a, b, k in CALLS if k == kind and t0 <= a <= t1]
        # Lost: the call came back more than half a switch interval late (it waited for a drop request).
        lost = [(a, b) for a, b in mine if b - a > sys.getswitchinterval() * 5e8]
        won = [b - a for a, b in mine if (a, b) not in set(lost)]
        if JOB_NS:
            # The calls made while a job ran (the spinner wanted the GIL back) and in the windows between jobs.
            during = [(a, b) for a, b in mine if any(j0 <= a <= (j1 or t1) for j0, j1 in JOBS)]
            lost_during = [c for c in during if c in set(lost)]
            print(f"  {kind}: {len(during)} of the calls while a job ran, {len(lost_during)} of them lost "
                  f"({len(lost_during) / max(1, len(during)):.2f}); {len(mine) - len(during)} between jobs", flush=True)
        print(f"  {kind}: {len(mine)} calls, {len(lost)} lost ({len(lost) / max(1, len(mine)):.2f}); "
              f"a won call took {statistics.median(won) / 1e3 if won else 0:.1f} us (median)", flush=True)


if __name__ == "__main__":
    for _ in range(int(sys.argv[2]) if len(sys.argv) > 2 else 3):
        asyncio.run(one_run(sys.argv[1]))
