"""The seed article's two jobs, written as the article writes them: a CPU-bound job (`7777 ** 200000`) and
an I/O-bound job (downloading four URLs one after another), each done 10 times sequentially, in threads, in
processes, in gevent green threads and with asyncio (the CPU job through `run_in_executor`, the downloads
through aiohttp). Only the URLs differ: they point at simulate's local latency server, which answers after
the delay each URL asks for.

    python article.py {cpu,io} {sync,threads,processes,gevent,asyncio,one} --url http://127.0.0.1:PORT/

`one` times a single job alone: the sequential cost of one task, which is all the model is told about the
CPU job. Prints `took X s` last, as the article's `timeit` does.
"""
import argparse
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("job", choices=["cpu", "io"])
parser.add_argument("strategy", choices=["sync", "threads", "processes", "gevent", "asyncio", "one"])
parser.add_argument("--url", required=True)
options = parser.parse_args()

if options.strategy == "gevent":
    import gevent.monkey

    gevent.monkey.patch_all()  # before anything imports socket, as the article says
    import gevent

from urllib.request import urlopen

N = 10
a, b = 7777, 200000
# Four URLs one after another, as the article's list of four sites; the latency server waits this long.
urls = [options.url + "?delay_us=%d" % delay for delay in (20000, 40000, 10000, 30000)]


def cpu_bound(a, b):
    return a ** b


def io_bound(urls):
    data = []
    for url in urls:
        data.append(urlopen(url).read())
    return data


def simple(n, func, *args):
    for _ in range(n):
        func(*args)


def threaded(n, func, *args):
    from threading import Thread

    jobs = [Thread(target=func, args=args) for _ in range(n)]
    for j in jobs:
        j.start()
    for j in jobs:
        j.join()


def multiprocessed(n, func, *args):
    from multiprocessing import Process

    jobs = [Process(target=func, args=args) for _ in range(n)]
    for j in jobs:
        j.start()
    for j in jobs:
        j.join()


def green_threaded(n, func, *args):
    jobs = [gevent.spawn(func, *args) for _ in range(n)]
    gevent.wait(jobs)


def asynchronous(n, job):
    import asyncio

    import aiohttp

    async def a_cpu_bound(a, b):
        return await asyncio.get_running_loop().run_in_executor(None, cpu_bound, a, b)

    async def a_io_bound(urls):
        async def download_coroutine(session, url):
            async with session.get(url, timeout=10) as response:
                await response.text()

        async with aiohttp.ClientSession() as session:
            for url in urls:
                await download_coroutine(session, url)

    async def async_func(n, func, *args):
        await asyncio.gather(*[func(*args) for _ in range(n)])

    if job == "cpu":
        return async_func(n, a_cpu_bound, a, b)
    return async_func(n, a_io_bound, urls)


def main():
    func, args = (cpu_bound, (a, b)) if options.job == "cpu" else (io_bound, (urls,))
    if options.strategy == "asyncio":
        import asyncio

        import aiohttp  # noqa: F401 - imported before the clock starts, as a program's imports are

        coroutine = asynchronous(N, options.job)
        start = time.perf_counter()
        asyncio.run(coroutine)
    else:
        run = {"sync": simple, "threads": threaded, "processes": multiprocessed, "gevent": green_threaded,
               "one": simple}[options.strategy]
        start = time.perf_counter()
        run(1 if options.strategy == "one" else N, func, *args)
    print("took %.6f s" % (time.perf_counter() - start))


if __name__ == "__main__":
    sys.exit(main())
