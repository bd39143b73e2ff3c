"""What each runtime's own scheduling costs on this machine: the defaults of the `costs` keys
uvloop_loop_iteration, trio_loop_iteration, curio_loop_iteration, twisted_loop_iteration, tornado_callback,
eventlet_switch, eventlet_spawn, tasklet_switch and tasklet_spawn (Sources/Scenario/Defaults.swift).

Run with the real-run environment's Python (the runtimes pinned in Sources/RealRuns/python/requirements.txt):
    flock /work/machine.lock .venv/bin/python docs/runtime-costs.py
Each figure is the median of 5 timings of N resumptions of one task (per resumption, in ns). asyncio's line is
the probe `simulate calibrate` uses for loop_iteration, for comparison.

With `--aiohttp`: the client's CPU per aiohttp GET over a kept-alive session against a local server process, on
asyncio's loop and on uvloop's, alternating (whether uvloop's transports make an I/O call's CPU cheaper).
"""
import statistics
import subprocess
import sys
import time

N = 20000


def per_resume(run):
    timings = []
    for _ in range(5):
        t = time.perf_counter_ns()
        run()
        timings.append((time.perf_counter_ns() - t) / N)
    return statistics.median(timings)


def in_child(code):
    """Runtimes that patch or own the process (Twisted's reactor, eventlet's hub) run in a child of their own."""
    return subprocess.run([sys.executable, "-c", code % N], capture_output=True, text=True, check=True).stdout.split()


import asyncio


async def sleeps():
    for _ in range(N):
        await asyncio.sleep(0)


def asyncio_pass():
    asyncio.run(sleeps())


def uvloop_pass():
    import uvloop
    uvloop.run(sleeps())


def trio_pass():
    import trio

    async def checkpoints():
        for _ in range(N):
            await trio.lowlevel.checkpoint()
    trio.run(checkpoints)


def curio_pass():
    import curio

    async def sleeps0():
        for _ in range(N):
            await curio.sleep(0)
    curio.run(sleeps0)


def tornado_resume():
    # A future resolved through IOLoop.add_callback and awaited: the path Tornado's own callbacks
    # (IOStream, simple_httpclient) take on top of the asyncio loop.
    import tornado.ioloop

    async def callbacks():
        io = tornado.ioloop.IOLoop.current()
        loop = asyncio.get_running_loop()
        for _ in range(N):
            f = loop.create_future()
            io.add_callback(f.set_result, None)
            await f
    asyncio.run(callbacks())


TWISTED = r'''
import time
from twisted.internet import reactor
N = %d
n = [0]; t0 = [0]
def step():
    n[0] += 1
    if n[0] >= N:
        print((time.perf_counter_ns() - t0[0]) / N); reactor.stop(); return
    reactor.callLater(0, step)
t0[0] = time.perf_counter_ns(); reactor.callLater(0, step); reactor.run()
'''

EVENTLET = r'''
import eventlet, statistics, time
N = %d
def spin():
    for _ in range(N): eventlet.sleep(0)
switch = []
for _ in range(5):
    t = time.perf_counter_ns(); eventlet.spawn(spin).wait(); switch.append((time.perf_counter_ns() - t) / N)
def nothing(): pass
spawn = []
for _ in range(5):
    t = time.perf_counter_ns()
    for g in [eventlet.spawn(nothing) for _ in range(2000)]: g.wait()
    spawn.append((time.perf_counter_ns() - t) / 2000)
print(statistics.median(switch), statistics.median(spawn))
'''


def greenlet_switch():
    import greenlet

    def a():
        for _ in range(N // 2):
            gb.switch()

    def b():
        for _ in range(N // 2):
            ga.switch()
    ga, gb = greenlet.greenlet(a), greenlet.greenlet(b)
    ga.switch()


def greenlet_spawn():
    import greenlet
    for _ in range(N):
        greenlet.greenlet(lambda: None).switch()


SERVER = r'''
import asyncio
async def handle(r, w):
    while await r.readline():
        while (await r.readline()) not in (b"\r\n", b""): pass
        w.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); await w.drain()
async def main():
    s = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(s.sockets[0].getsockname()[1], flush=True)
    await s.serve_forever()
asyncio.run(main())
'''


def aiohttp_cpu():
    import aiohttp
    import uvloop
    server = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE)
    url = "http://127.0.0.1:%d/" % int(server.stdout.readline())

    async def client(n=2000):
        async with aiohttp.ClientSession() as session:
            for i in range(50 + n):
                if i == 50:
                    t = time.process_time()
                async with session.get(url) as r:
                    await r.read()
            return (time.process_time() - t) / n * 1e6
    try:
        for _ in range(9):
            a, u = asyncio.run(client()), uvloop.run(client())
            print("aiohttp GET client CPU: asyncio %.1f us, uvloop %.1f us" % (a, u))
    finally:
        server.kill()


if "--aiohttp" in sys.argv:
    aiohttp_cpu()
    sys.exit()
print("python", sys.version.split()[0])
print("asyncio  await asyncio.sleep(0)             ", round(per_resume(asyncio_pass)))
print("uvloop   await asyncio.sleep(0)             ", round(per_resume(uvloop_pass)))
print("trio     await trio.lowlevel.checkpoint()   ", round(per_resume(trio_pass)))
print("curio    await curio.sleep(0)               ", round(per_resume(curio_pass)))
print("tornado  add_callback + await               ", round(per_resume(tornado_resume)))
print("twisted  reactor.callLater(0, f) chained    ", round(statistics.median(float(in_child(TWISTED)[0]) for _ in range(5))))
switch, spawn = in_child(EVENTLET)
print("eventlet eventlet.sleep(0) / spawn+wait     ", round(float(switch)), round(float(spawn)))
print("greenlet switch() / create+run              ", round(per_resume(greenlet_switch)), round(per_resume(greenlet_spawn)))
