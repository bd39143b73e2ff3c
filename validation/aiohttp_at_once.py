"""aiohttp sessions opened at once, as the harness's asyncio strategy opens them (a ClientSession per task, its
requests, its close at the task's end): where the loop's thread spends its CPU, and what a session costs against
a request on a kept-alive connection, at once and one at a time. A probe of this machine (docs/model.md, "An
aiohttp session is closed at its task's end").

Usage:
  python3 validation/aiohttp_at_once.py URL stretches N R [ROUNDS]
      N tasks at once, each a new session, R requests with a 20 ms delay, its close: the thread's CPU per task
      in each of the loop's busy stretches (between selects that waited 1 ms or more): opening and the first
      send; each answer and the next send; the last answer and the close. Medians of ROUNDS rounds (5).
  python3 validation/aiohttp_at_once.py URL ratios N [PAIRS]
      Pairs of (N kept-alive sessions making a request each at once; N tasks at once each opening a session,
      one request, its close), no delay: the process's CPU per request or session, their ratio, and the close
      timed inside the sessions (exact with N = 1; with more its awaits let other tasks run in it, flagged).
      calibrate.py's `aiohttp_session_ratio` is the N = 1 case. Medians of PAIRS pairs (11).
URL is server.py's (`python3 Sources/RealRuns/python/server.py --port-file F`, then http://127.0.0.1:PORT/). Run
it under the machine lock with aiohttp installed (the project's .venv).
"""
import asyncio
import statistics
import sys
import time

import aiohttp


def stretches(url, n, requests, rounds):
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    selector = loop._selector  # the loop's own select: where it waits, so where a busy stretch ends
    select = selector.select
    waits = []

    def timed_select(timeout=None):
        before, cpu = time.perf_counter_ns(), time.thread_time_ns()
        events = select(timeout)
        if time.perf_counter_ns() - before >= 1_000_000:
            waits.append(cpu)
        return events

    selector.select = timed_select

    async def task():
        session = aiohttp.ClientSession()
        for _ in range(requests):
            async with session.get(url, params={"delay_us": "20000"}) as r:
                await r.read()
        await session.close()

    loop.run_until_complete(asyncio.gather(*(task() for _ in range(4))))  # aiohttp's lazy set-up
    rows = []
    for _ in range(rounds):
        waits.clear()
        start = time.thread_time_ns()
        loop.run_until_complete(asyncio.gather(*(task() for _ in range(n))))
        points = [start] + waits + [time.thread_time_ns()]
        rows.append([(b - a) / 1e3 / n for a, b in zip(points, points[1:])])
    count = min(len(r) for r in rows)
    print("%d tasks at once, %d requests each: CPU per task in each busy stretch of the loop (us; median of %d "
          "rounds, stretches a round %s):" % (n, requests, rounds, sorted({len(r) for r in rows})))
    print("  " + " ".join("%.0f" % statistics.median(r[i] for r in rows) for i in range(count))
          + "  total %.0f" % statistics.median(sum(r) for r in rows))


def ratios(url, n, pairs):
    params = {"delay_us": "0"}
    cpu = time.process_time_ns
    order = [0]

    async def request(session):
        async with session.get(url, params=params) as r:
            await r.read()

    async def reused():
        sessions = [aiohttp.ClientSession() for _ in range(n)]
        await asyncio.gather(*(request(s) for s in sessions))
        start = cpu()
        await asyncio.gather(*(request(s) for s in sessions))
        spent = (cpu() - start) / n
        for s in sessions:
            await s.close()
        return spent

    async def opened():
        closing, interleaved = [0], [0]

        async def one():
            session = aiohttp.ClientSession()
            await request(session)
            order[0] += 1
            mine = order[0]
            before = cpu()
            await session.close()
            closing[0] += cpu() - before
            interleaved[0] += order[0] != mine

        start = cpu()
        await asyncio.gather(*(one() for _ in range(n)))
        return (cpu() - start) / n, closing[0] / n, interleaved[0]

    async def measure():
        await opened()
        rows = []
        for _ in range(pairs):
            one = max(1, await reused())
            whole, close, interleaved = await opened()
            rows.append((one, whole, close, interleaved))
        return rows

    rows = asyncio.run(measure())
    med = statistics.median
    print("%d at once: a kept-alive request %.0f us, a session (open, one request, close) %.0f us, its close %.0f us%s; "
          "session ratio %.2f, close ratio %.2f (medians of %d pairs)" % (
              n, med(r[0] for r in rows) / 1e3, med(r[1] for r in rows) / 1e3, med(r[2] for r in rows) / 1e3,
              " (other tasks ran inside the closes)" if any(r[3] for r in rows) else "",
              med(r[1] / r[0] for r in rows), med(r[2] / r[0] for r in rows), pairs))


def main():
    url, mode = sys.argv[1], sys.argv[2]
    if mode == "stretches":
        stretches(url, int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]) if len(sys.argv) > 5 else 5)
    elif mode == "ratios":
        ratios(url, int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 11)
    else:
        sys.exit("mode: stretches or ratios (see the docstring)")


if __name__ == "__main__":
    main()
