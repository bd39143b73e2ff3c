"""How an asyncio loop's turns with the GIL end beside a pure-Python thread in its executor (docs/model.md,
"Workloads never tuned on, measured as a matrix": `bgcpu` asyncio, the model's worst point there).

Usage: python validation/loop_turns.py URL [RUNS]   (URL: the latency server, Sources/RealRuns/python/server.py)

A spinner in the loop's default executor runs a bytecode loop and stamps `perf_counter_ns()` every ~7 µs of it;
a gap over 100 µs between two stamps is a turn of the loop (the spinner lost the GIL). The loop's selector
records every `select` (enter, exit, timeout). Twenty aiohttp sessions make ten GETs each with a 3 ms server
delay (bgcpu's clients). Per run it prints the run's time, the loop's turns (their count and median length), the
selects, and how each turn ended: in a blocking select (the loop went idle and released the GIL, as it should),
in a `select(0)`, or elsewhere (a short GIL release such as a socket's send or recv whose race the woken spinner
won, or the spinner's drop request after its switch interval), and the spinner's run between two turns."""
import asyncio
import statistics
import sys
import time

import aiohttp

now = time.perf_counter_ns
GAP_NS = 100_000


def spin(stamps, stop):
    last = now()
    while not stop:
        flag = 0
        for _ in range(200):
            flag ^= 1
        t = now()
        if t - last > GAP_NS:
            stamps.append((last, t))
        last = t


def record_selects(loop, selects):
    selector = loop._selector  # asyncio's selector_events: _run_once calls self._selector.select(timeout)
    select = selector.select

    def recorded(timeout=None):
        start = now()
        events = select(timeout)
        selects.append((start, now(), timeout))
        return events

    selector.select = recorded


async def client(session, url):
    for _ in range(10):
        async with session.get(url, params={"delay_us": "3000"}) as response:
            await response.read()


async def one_run(url):
    stamps, selects, stop = [], [], []
    loop = asyncio.get_running_loop()
    record_selects(loop, selects)
    spinner = loop.run_in_executor(None, spin, stamps, stop)
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


if __name__ == "__main__":
    for _ in range(int(sys.argv[2]) if len(sys.argv) > 2 else 3):
        asyncio.run(one_run(sys.argv[1]))
