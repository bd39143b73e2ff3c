"""How much longer an answer takes than the delay asked of the latency server, on a new connection and on a
kept-alive one (docs/model.md, "A kept-alive connection's wait").

Starts the project's latency server (Sources/RealRuns/python/server.py, as `simulate` does) and alternates, for
ROUNDS rounds, a block of BLOCK calls on new connections timed as `simulate calibrate` times `io_overhead`
(calibrate.py `socket_call_costs`: recv's wait after sendall, less the delay) with a block of BLOCK calls on one
kept-alive connection timed as it times `io_overhead_reuse` (`kept_alive_overhead`), each at DELAY_US, and a
block of BLOCK aiohttp requests on one kept-alive session (the harness's asyncio client), at DELAY_US and with no
delay: their wall time per request less the process's CPU per request and less the delay, the same wait as
aiohttp meets it. Prints each block's figure and the median of the blocks, in microseconds.

    flock /work/machine.lock .venv/bin/python validation/kept_alive_wait.py [ROUNDS [BLOCK [DELAY_US]]]
"""
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = os.path.join(HERE, "..", "Sources", "RealRuns", "python")
sys.path.insert(0, PYTHON)
import calibrate  # noqa: E402
from call_shape import start_server  # noqa: E402  (the latency server, started as `simulate` starts it)


def aiohttp_block(url, count, delay_us):
    """(wall, CPU) per aiohttp request on one session, ns: `count` requests after one that opens it."""
    import asyncio

    import aiohttp

    async def measure():
        async with aiohttp.ClientSession() as session:
            async with session.get(url, params={"delay_us": str(delay_us)}) as r:
                await r.read()
            c0, w0 = time.process_time_ns(), time.monotonic_ns()
            for _ in range(count):
                async with session.get(url, params={"delay_us": str(delay_us)}) as r:
                    await r.read()
            return (time.monotonic_ns() - w0) / count, (time.process_time_ns() - c0) / count

    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(measure())
    finally:
        loop.close()


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    block = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    delay_us = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    server, port = start_server()
    url = "http://127.0.0.1:%d/" % port
    new, kept, aio, aio_cpu, aio_cpu_idle = [], [], [], [], []
    try:
        for _ in range(rounds):
            new.append(calibrate.socket_call_costs(url, count=block, delay_us=delay_us)[2] / 1000)
            kept.append(calibrate.kept_alive_overhead(url, count=block, delay_us=delay_us) / 1000)
            wall, cpu = aiohttp_block(url, block, delay_us)
            aio.append((wall - cpu) / 1000 - delay_us)
            aio_cpu.append(cpu / 1000)
            aio_cpu_idle.append(aiohttp_block(url, block, 0)[1] / 1000)
    finally:
        server.kill()
        server.wait()
    for name, blocks in (("new connection", new), ("kept alive", kept), ("aiohttp", aio),
                         ("aiohttp CPU", aio_cpu), ("... no delay", aio_cpu_idle)):
        print("%-15s median of blocks %5.0f us; blocks: %s" % (
            name, statistics.median(blocks), " ".join("%.0f" % b for b in blocks)))


if __name__ == "__main__":
    main()
