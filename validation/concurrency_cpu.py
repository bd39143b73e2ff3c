"""Where a request's CPU goes as the number of concurrent tasks grows: N tasks (threads with urlopen, or
coroutines each with an aiohttp session) share 400 requests of the latency server (each task makes 400 / N
of them one after another), and the client's own user and system CPU (getrusage) is divided by the requests.
The kinds and N in turn, REPS times. The server is another process; its CPU is not in the figures.

Usage: python3 validation/concurrency_cpu.py URL REPS [DELAY_US] [N,N,...]
       python3 validation/concurrency_cpu.py --starts REPS
  URL       a latency server (python Sources/RealRuns/python/server.py --port-file F; http://127.0.0.1:PORT/)
  REPS      how many times to go through the kinds and N
  DELAY_US  the server's delay for each request (default 20000, io-concurrent-200's 20 ms)
  N,...     the numbers of tasks (default 10,50,200)
`--starts`: the wall time of starting N threads that block on one Event (each start() in turn), and of
releasing and joining them, per thread, at N = 1, 10, 50, 200, 400, and of a start() and join() of a no-op
thread one at a time (calibrate.py's `thread_start`); the medians of REPS rounds.
Run it with the venv's Python, under the machine lock (docs/model.md, "Several CPU threads beside the I/O
thread": the release that wakes a sleeper). With one thread a request, a thread start (its clone and stack)
is in the figure: 400 / N of them per 400 requests.
"""
import asyncio
import resource
import statistics
import sys
import threading
import time
import urllib.request

import aiohttp



def starts(reps):
    now = time.perf_counter_ns

    def blocked(n):
        release = threading.Event()
        workers = [threading.Thread(target=release.wait) for _ in range(n)]
        begin = now()
        for w in workers:
            w.start()
        started = now()
        release.set()
        for w in workers:
            w.join()
        return (started - begin) / n / 1e3, (now() - started) / n / 1e3

    def one_at_a_time(n=200):
        begin = now()
        for _ in range(n):
            w = threading.Thread(target=lambda: None)
            w.start()
            w.join()
        return (now() - begin) / n / 1e3

    counts, rounds, single = (1, 10, 50, 200, 400), {}, []
    for _ in range(reps):
        for n in counts:
            rounds.setdefault(n, []).append(blocked(n))
        single.append(one_at_a_time())
    for n in counts:
        print("%3d threads: start %.0f us a thread, release and join %.0f us a thread"
              % (n, statistics.median(s for s, _ in rounds[n]), statistics.median(j for _, j in rounds[n])))
    print("one at a time, start and join: %.0f us" % statistics.median(single))


if sys.argv[1] == "--starts":
    starts(int(sys.argv[2]))
    sys.exit(0)
base, reps = sys.argv[1], int(sys.argv[2])
delay = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
counts = [int(x) for x in (sys.argv[4] if len(sys.argv) > 4 else "10,50,200").split(",")]
url = "%s?delay_us=%d" % (base, delay)
REQUESTS = 400


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime, r.ru_stime


def threads(n, calls):
    def work():
        for _ in range(calls):
            urllib.request.urlopen(url).read()
    workers = [threading.Thread(target=work) for _ in range(n)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


async def coroutines(n, calls):
    async def work():
        async with aiohttp.ClientSession() as session:
            for _ in range(calls):
                async with session.get(url) as response:
                    await response.read()
    await asyncio.gather(*(work() for _ in range(n)))


urllib.request.urlopen(url).read()
figures = {}
for rep in range(reps):
    for kind in ("threads", "asyncio"):
        for n in counts:
            calls = max(1, REQUESTS // n)
            (u0, s0), start = cpu(), time.perf_counter()
            threads(n, calls) if kind == "threads" else asyncio.run(coroutines(n, calls))
            (u1, s1), wall = cpu(), time.perf_counter() - start
            user, system = (u1 - u0) / (n * calls) * 1e6, (s1 - s0) / (n * calls) * 1e6
            figures.setdefault((kind, n), []).append((user, system))
            print("%s, %d tasks: user %.0f us, system %.0f us a request; %.0f ms" % (kind, n, user, system, wall * 1e3),
                  flush=True)
for (kind, n), runs in figures.items():
    print("%-7s %4d tasks: user %4.0f us, system %4.0f us a request (medians of %d)"
          % (kind, n, statistics.median(u for u, _ in runs), statistics.median(s for _, s in runs), len(runs)))
