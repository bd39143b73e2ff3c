"""The asyncio loop's own CPU per aiohttp request, alone and beside CPU work (docs/model.md, "The cold wake-up after
a GIL wait": `bgcpu` asyncio's loop needs twice the model's GIL time).

Usage: python validation/loop_cpu.py URL [ROUNDS]   (URL: the latency server, Sources/RealRuns/python/server.py)

Twenty aiohttp sessions make ten GETs each with a 3 ms server delay (`bgcpu`'s clients), and the loop thread's
`time.thread_time_ns()` over the run, divided by the 200 requests, is its CPU per request, in four settings
taken in turn each round:
- alone;
- beside a process spinning in bytecode (the other core busy; no GIL shared);
- beside a thread spinning in bytecode in the loop's default executor, for the whole run (each GIL release the
  loop loses costs it a switch interval; validation/loop_turns.py counts them);
- beside bgcpu's background task: 20 ms spinning jobs, one after another, each handed to the executor by the
  loop.
Run with the venv's Python under the machine lock:
`flock /work/machine.lock .venv/bin/python validation/loop_cpu.py URL 5`.
"""
import asyncio
import multiprocessing
import sys
import time

import aiohttp


def spin(stop, job_ns=None):
    end = time.perf_counter_ns() + job_ns if job_ns else None
    while not stop and (end is None or time.perf_counter_ns() < end):
        flag = 0
        for _ in range(200):
            flag ^= 1


async def client(session, url):
    for _ in range(10):
        async with session.get(url, params={"delay_us": "3000"}) as response:
            await response.read()


async def one_run(url, beside):
    """The loop thread's CPU per request (us) and the run's wall time (ms), with `beside` running."""
    loop = asyncio.get_running_loop()
    stop = []

    async def jobs():
        while not stop:
            await loop.run_in_executor(None, spin, stop, 20_000_000)

    spinner = process = None
    if beside == "process":
        process = multiprocessing.Process(target=spin, args=([],))
        process.start()
    elif beside == "thread":
        spinner = loop.run_in_executor(None, spin, stop)
    elif beside == "20 ms jobs":
        spinner = asyncio.ensure_future(jobs())
    await asyncio.sleep(0.05)
    sessions = [aiohttp.ClientSession() for _ in range(20)]
    cpu0, wall0 = time.thread_time_ns(), time.perf_counter_ns()
    await asyncio.gather(*(client(s, url) for s in sessions))
    cpu1, wall1 = time.thread_time_ns(), time.perf_counter_ns()
    for s in sessions:
        await s.close()
    stop.append(True)
    if spinner is not None:
        await spinner
    if process is not None:
        process.terminate()
        process.join()
    return (cpu1 - cpu0) / 200 / 1e3, (wall1 - wall0) / 1e6


async def main(url, rounds):
    for _ in range(rounds):
        row = []
        for beside in ("alone", "process", "thread", "20 ms jobs"):
            cpu, wall = await one_run(url, beside)
            row.append(f"{beside}: {cpu:4.0f} us a request ({wall:6.1f} ms)")
        print(" | ".join(row), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5))
