"""Is every stall of a spinning executor thread a GIL hand-off? (issue #8; docs/model.md, "A stall is not always
a GIL wait")

asyncio + aiohttp, 20 clients of ten 3 ms GETs on kept-alive sessions against server.py, beside a background
coroutine that keeps a pure-Python job of 20 ms in the loop's executor (`validation/unseen-2/bgcpu.json`'s
shape). The executor's job stamps its own progress (a gap of more than 30 µs is a stall); the loop stamps every
callback it runs (`asyncio.events.Handle._run`) and every `select()` it makes. A stall with a loop callback in
it was a turn of the loop holding the GIL; one without had no Python of this process in it: the thread was off
its core. Prints, per run, the stalls of each kind and their medians, what the loop was doing when the
executor's job went on, and of the loop's turns how many callbacks each ran and how each ended.

    flock /work/machine.lock .venv/bin/python validation/stall_evidence.py [RUNS]
"""
import asyncio
import bisect
import collections
import os
import statistics
import subprocess
import sys
import tempfile
import time

import aiohttp

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "..", "Sources", "RealRuns", "python", "server.py")
pc = time.perf_counter_ns

def start_server():
    pf = tempfile.mktemp()
    p = subprocess.Popen([sys.executable, SERVER, "--port-file", pf])
    while not os.path.exists(pf): time.sleep(0.01)
    time.sleep(0.05)
    return p, int(open(pf).read())

GAPS = []
def spin(ms):
    end = pc() + ms * 1_000_000
    last = pc()
    while last < end:
        t = pc()
        if t - last > 30_000: GAPS.append((last, t))
        last = t

async def main(port, clients=20, calls=10, delay_us=3000):
    loop = asyncio.get_running_loop()
    ev = []  # (t, kind) kinds: 'S' select enter, 'E' select exit, with timeout
    sel = loop._selector
    orig = sel.select
    def select(timeout=None):
        ev.append((pc(), 'S', timeout))
        r = orig(timeout)
        ev.append((pc(), 'E', len(r)))
        return r
    sel.select = select
    HR = asyncio.events.Handle._run
    def run(self):
        ev.append((pc(), 'H', None))
        return HR(self)
    asyncio.events.Handle._run = run
    done = False
    async def bg():
        while not done:
            await loop.run_in_executor(None, spin, 20)
    async def client():
        async with aiohttp.ClientSession() as s:
            for _ in range(calls):
                async with s.get(f"http://127.0.0.1:{port}/?delay_us={delay_us}") as r:
                    await r.read()
    await client()
    ev.clear(); GAPS.clear()
    t0 = pc()
    task = asyncio.ensure_future(bg())
    await asyncio.sleep(0.03)  # spinner running
    t1 = pc()
    await asyncio.gather(*(client() for _ in range(clients)))
    t2 = pc()
    done = True
    await task
    return t1, t2, list(ev), list(GAPS)

def analyse(t1, t2, ev, gaps):
    gaps = [g for g in gaps if t1 <= g[0] <= t2]
    times = [e[0] for e in ev]
    # classify what the loop was doing when the spinner got the GIL back (gap end = loop lost/gave the GIL)
    where = collections.Counter()
    holds = []
    for a, b in gaps:
        i = bisect.bisect_right(times, b) - 1
        if i < 0: where['job went on before any loop event'] += 1; continue
        kind = ev[i][1]
        if kind == 'H':
            where['job went on right after a loop callback started'] += 1
        elif kind == 'S':
            where['job went on while the loop was in select, timeout %s' % ('0' if ev[i][2] == 0 else 'None' if ev[i][2] is None else '>0')] += 1
        else:
            where['job went on after a select returned'] += 1
        holds.append((b - a) / 1e3)
    withev = sum(1 for a, b in gaps if bisect.bisect_left(times, a) < bisect.bisect_right(times, b))
    hs = [e[0] for e in ev if e[1] == 'H']
    withh = [(b - a) / 1e3 for a, b in gaps if bisect.bisect_left(hs, a) < bisect.bisect_right(hs, b)]
    without = [(b - a) / 1e3 for a, b in gaps if not (bisect.bisect_left(hs, a) < bisect.bisect_right(hs, b))]
    where['stalls with a loop callback in them: %d, median %.0f us; without: %d, median %.0f us' % (len(withh), statistics.median(withh) if withh else 0, len(without), statistics.median(without) if without else 0)] += 0
    where['stalls holding a loop event: %d of %d' % (withev, len(gaps))] += 0
    # The loop's turns (stalls with a loop callback in them): how many callbacks each ran, how each ended (the
    # loop's last event before the job went on: inside its callbacks, where a recv or send gave the GIL back,
    # or in its selector), and the job's holds between them.
    turns = [(a, b) for a, b in gaps if bisect.bisect_left(hs, a) < bisect.bisect_right(hs, b)]
    if turns:
        ends = collections.Counter()
        for a, b in turns:
            e = ev[bisect.bisect_right(times, b) - 1]
            ends['in its selector' if e[1] == 'S' else 'inside its callbacks'] += 1
        callbacks = [bisect.bisect_right(hs, b) - bisect.bisect_left(hs, a) for a, b in turns]
        between = sorted((turns[i + 1][0] - turns[i][1]) / 1e6 for i in range(len(turns) - 1))
        where['loop turns: %d, callbacks a turn median %s; ended %s; the job\'s holds between them median %.2f ms, p90 %.2f ms'
              % (len(turns), statistics.median(callbacks), dict(ends), statistics.median(between) if between else 0,
                 between[int(len(between) * 0.9)] if between else 0)] += 0
    return len(gaps), where, holds

if __name__ == "__main__":
    srv, port = start_server()
    try:
        for rep in range(int(sys.argv[1]) if len(sys.argv) > 1 else 3):
            t1, t2, ev, gaps = asyncio.run(main(port))
            n, where, holds = analyse(t1, t2, ev, gaps)
            passes = sum(1 for e in ev if e[1] == 'S' and t1 <= e[0] <= t2)
            zero = sum(1 for e in ev if e[1] == 'S' and e[2] == 0 and t1 <= e[0] <= t2)
            print(f"run {rep}: {(t2-t1)/1e6:.0f} ms, {passes} selects ({zero} with timeout 0), the executor's job stalled {n} times;"
                  f" stalls median {statistics.median(holds):.0f} us, p90 {sorted(holds)[int(len(holds)*0.9)]:.0f};")
            for k, v in where.items(): print("   ", k, v) if v else print("   ", k)
    finally:
        srv.kill()
