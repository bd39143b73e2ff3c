"""The pace of `7777 ** n` calls run through asyncio's executor, call by call (docs/model.md, "The CPU steps' pace").

Usage: python validation/executor_pows.py [coroutines] [exponent] [runs]

Each of `coroutines` coroutines awaits four `loop.run_in_executor(None, pow)` calls with a 3 ms asyncio.sleep
after each (validation/unseen/pow8.json without its pollers). The exponent is sized for ~15 ms on this machine
when not given (as the harness sizes a step just before its run), then kept for every run, so that the runs'
makespans and each call's CPU time (`time.thread_time_ns` around the call) can be compared: a call's CPU time
is its time on a core, which waiting for the GIL does not advance. Prints per run the makespan, the calls' CPU
time in all and sorted, and the calls' planned total.
"""
import asyncio
import sys
import time

now = time.perf_counter_ns


def sized_exponent(target_ms=15.0):
    """An exponent whose `7777 ** e` takes `target_ms` here now (the middle of three timings, as harness.py)."""
    e = 50000
    for _ in range(5):
        samples = []
        for _ in range(3):
            t = now()
            7777 ** e
            samples.append((now() - t) / 1e6)
        e = int(e * (target_ms / sorted(samples)[1]) ** (1 / 1.58))  # long_pow's cost grows as n ** 1.58
    return e


def one_run(coroutines, exponent):
    cpu = []

    def job():
        c = time.thread_time_ns()
        7777 ** exponent
        cpu.append((time.thread_time_ns() - c) / 1e6)

    async def task():
        loop = asyncio.get_running_loop()
        for _ in range(4):
            await loop.run_in_executor(None, job)
            await asyncio.sleep(0.003)

    async def main():
        await asyncio.gather(*(task() for _ in range(coroutines)))

    start = now()
    asyncio.run(main())
    return (now() - start) / 1e6, cpu


if __name__ == "__main__":
    coroutines = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    exponent = int(sys.argv[2]) if len(sys.argv) > 2 else sized_exponent()
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    print("exponent %d, %d coroutines x 4 calls, planned %.0f ms of calls" % (exponent, coroutines, coroutines * 4 * 15.0))
    for r in range(runs):
        makespan, cpu = one_run(coroutines, exponent)
        print("run %d: makespan %.1f ms, calls' CPU %.1f ms; each: %s"
              % (r + 1, makespan, sum(cpu), " ".join("%.1f" % c for c in sorted(cpu))))
