"""Request handlers as a service might run them: 40 requests, each parses a payload in pure Python (about
3 ms here) and then calls a backend that answers in 10 ms (urllib; aiohttp in asyncio), run one after
another, in a ThreadPoolExecutor of 8, in a ProcessPoolExecutor of 2, or as asyncio tasks that parse inline.

    python handlers.py {sync,threads-pool8,processes-pool2,asyncio-inline,one} --url http://127.0.0.1:PORT/

`one` times the parsing of one request alone: the sequential cost of a task's CPU work, which is all the model
is told about it (the backend's latency is known: 10 ms). Prints `took X s` last.
"""
import argparse
import sys
import time
from urllib.request import urlopen

parser = argparse.ArgumentParser()
parser.add_argument("strategy", choices=["sync", "threads-pool8", "processes-pool2", "asyncio-inline", "one"])
parser.add_argument("--url", required=True)
options = parser.parse_args()

REQUESTS = 40
BACKEND = options.url + "?delay_us=10000"


def parse(n):
    """Pure-Python work on a request: split, convert and total its fields."""
    fields = ("%d:%d" % (i, i * n) for i in range(6000))
    return sum(int(value) for key, value in (f.split(":") for f in fields))


def handle(n):
    parse(n)
    return urlopen(BACKEND).read()


async def handle_async(session, n):
    parse(n)
    async with session.get(BACKEND) as response:
        return await response.read()


def main():
    if options.strategy == "one":
        times = []
        for n in range(5):
            start = time.perf_counter()
            parse(n)
            times.append(time.perf_counter() - start)
        print("took %.6f s" % sorted(times)[2])
        return
    if options.strategy == "asyncio-inline":
        import asyncio

        import aiohttp

        async def serve():
            async def one(n):
                async with aiohttp.ClientSession() as session:  # one session per request, as handlers often do
                    return await handle_async(session, n)
            await asyncio.gather(*[one(n) for n in range(REQUESTS)])

        start = time.perf_counter()
        asyncio.run(serve())
    elif options.strategy == "sync":
        start = time.perf_counter()
        for n in range(REQUESTS):
            handle(n)
    else:
        from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

        executor = ThreadPoolExecutor(8) if options.strategy == "threads-pool8" else ProcessPoolExecutor(2)
        start = time.perf_counter()
        with executor:
            list(executor.map(handle, range(REQUESTS)))
    print("took %.6f s" % (time.perf_counter() - start))


if __name__ == "__main__":
    sys.exit(main())
