"""What a sleep's wake-up and a trip through a loop's thread pool cost the thread that waits, in CPU.

For each runtime, the waiting thread's own CPU (time.thread_time_ns) over N trips, per trip, in rounds (the
runtimes in turn each round, so that a drift of the VM's speed meets them all):
- `sleep D`: `await asyncio.sleep(D)`, `trio.sleep`, `curio.sleep`, `gevent.sleep`, and a thread's `time.sleep`,
  for D = 0 (the loop's pass alone, no wait in the kernel) and D > 0 (the loop blocks in epoll_wait until its
  timer; the vCPU halts, the thread is woken, the loop's pass runs the timer and resumes the task);
- `pool`: `loop.run_in_executor(None, time.sleep, 1 ms)`, `trio.to_thread.run_sync`, `curio.run_in_thread`,
  seen from the loop's thread (the job sleeps, so the loop really waits and is woken by the result).

    flock /work/machine.lock .venv/bin/python validation/wake_cpu.py [rounds] [trips]

docs/model.md, "A GIL-releasing step is a run of calls" (the misses it left) and validation/unseen-5/README.md.
"""
import asyncio
import statistics
import sys
import time

import curio
import gevent
import trio

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
TRIPS = int(sys.argv[2]) if len(sys.argv) > 2 else 300


def per_trip(start):
    return (time.thread_time_ns() - start) / TRIPS / 1000


async def loop_sleeps(sleep, d):
    """`TRIPS` sleeps of `d` on the running loop (asyncio's, trio's or curio's `sleep`), after one to warm it."""
    await sleep(d)
    start = time.thread_time_ns()
    for _ in range(TRIPS):
        await sleep(d)
    return per_trip(start)


def gevent_sleep(d):
    def run():
        gevent.sleep(d)
        start = time.thread_time_ns()
        for _ in range(TRIPS):
            gevent.sleep(d)
        return per_trip(start)
    return gevent.spawn(run).get()


def thread_sleep(d):
    time.sleep(d)
    start = time.thread_time_ns()
    for _ in range(TRIPS):
        time.sleep(d)
    return per_trip(start)


async def loop_pool_trips(submit):
    """`TRIPS` round trips of a 1 ms `time.sleep` job through the loop's thread pool (`submit(function, arg)`)."""
    await submit(time.sleep, 0.001)
    start = time.thread_time_ns()
    for _ in range(TRIPS):
        await submit(time.sleep, 0.001)
    return per_trip(start)


async def asyncio_pool():
    return await loop_pool_trips(lambda f, a: asyncio.get_running_loop().run_in_executor(None, f, a))


PROBES = []
for d in (0, 0.0001, 0.001, 0.005):
    PROBES += [
        ("asyncio sleep %g ms" % (d * 1e3), lambda d=d: asyncio.run(loop_sleeps(asyncio.sleep, d))),
        ("trio sleep %g ms" % (d * 1e3), lambda d=d: trio.run(loop_sleeps, trio.sleep, d)),
        ("curio sleep %g ms" % (d * 1e3), lambda d=d: curio.run(loop_sleeps, curio.sleep, d)),
        ("gevent sleep %g ms" % (d * 1e3), lambda d=d: gevent_sleep(d)),
    ]
    if d > 0:
        PROBES.append(("time.sleep %g ms" % (d * 1e3), lambda d=d: thread_sleep(d)))
PROBES += [
    ("asyncio run_in_executor", lambda: asyncio.run(asyncio_pool())),
    ("trio to_thread.run_sync", lambda: trio.run(loop_pool_trips, trio.to_thread.run_sync)),
    ("curio run_in_thread", lambda: curio.run(loop_pool_trips, curio.run_in_thread)),
]


def main():
    results = {name: [] for name, _ in PROBES}
    for _ in range(ROUNDS):
        for name, probe in PROBES:
            results[name].append(probe())
    for name, values in results.items():
        print("%-26s the waiting thread's CPU per trip: median %6.1f us (%s)"
              % (name, statistics.median(values), ", ".join("%.1f" % v for v in values)))


if __name__ == "__main__":
    main()
