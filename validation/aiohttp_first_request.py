"""Where aiohttp's first request on a new ClientSession spends the thread's CPU, one coroutine alone: the
session's creation, the request up to `loop.create_connection` (its first wait: the server is an IP address, so
aiohttp resolves nothing), the connection, the send to the answer's headers, the body, a second request on
the same session, the session's close. A probe of this machine (docs/model.md, "Opening an aiohttp session").

Usage: python3 validation/aiohttp_first_request.py URL [ROUNDS]
  URL is server.py's (`python3 Sources/RealRuns/python/server.py --port-file F`, then http://127.0.0.1:PORT/);
  each request asks for a 2 ms delay. Each figure is `time.thread_time_ns()` between two points, so the loop's
  own work while it waits counts where it happens. Prints each part's median, p10 and p90 over ROUNDS
  sessions (one warm-up first). Run it under the machine lock with aiohttp installed (the project's .venv).
"""
import asyncio
import sys
import time

import aiohttp

cpu = time.thread_time_ns
PARTS = ["ClientSession()", "to create_connection", "the connection", "send to headers", "body",
         "a second request", "close"]


def main():
    url = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 60
    loop = asyncio.new_event_loop()
    marks = {}
    create_connection = loop.create_connection

    async def timed_create_connection(*args, **kwargs):
        marks["connect_in"] = cpu()
        made = await create_connection(*args, **kwargs)
        marks["connect_out"] = cpu()
        return made

    loop.create_connection = timed_create_connection

    async def session():
        m = {"start": cpu()}
        s = aiohttp.ClientSession()
        m["session"] = cpu()
        async with s.get(url, params={"delay_us": "2000"}) as r:
            m["headers"] = cpu()
            await r.read()
        m["body"] = cpu()
        async with s.get(url, params={"delay_us": "2000"}) as r:
            await r.read()
        m["second"] = cpu()
        await s.close()
        m["close"] = cpu()
        m.update(marks)
        return [m["session"] - m["start"], m["connect_in"] - m["session"], m["connect_out"] - m["connect_in"],
                m["headers"] - m["connect_out"], m["body"] - m["headers"], m["second"] - m["body"],
                m["close"] - m["second"]]

    loop.run_until_complete(session())
    rows = [loop.run_until_complete(session()) for _ in range(rounds)]
    for i, name in enumerate(PARTS):
        column = sorted(row[i] for row in rows)
        print("%-22s median %6.0f us (p10 %6.0f, p90 %6.0f)" % (
            name, column[len(column) // 2] / 1e3, column[len(column) // 10] / 1e3, column[9 * len(column) // 10] / 1e3))


if __name__ == "__main__":
    main()
