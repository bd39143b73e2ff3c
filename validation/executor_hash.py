"""`numeric`'s asyncio run (validation/unseen-5/numeric.json) written as a user would: four coroutines, each ten rounds
of a 4 ms sha256 call in the loop's default executor (it releases the GIL) and 2 ms of Python on the loop. Prints the
makespan on stderr. Run under `validation/on_cpu.py` to see who waits for a core behind whom:

    flock /work/machine.lock .venv/bin/python validation/on_cpu.py -- validation/executor_hash.py
"""
import asyncio
import hashlib
import sys
import time

DATA = b"x" * (4 << 20)


def one_call():
    start = time.perf_counter()
    hashlib.sha256(DATA).digest()
    return time.perf_counter() - start


# Sized here: the buffer whose digest takes 4 ms alone (the fastest of five calls).
SIZE = max(1, int(4e-3 / min(one_call() for _ in range(5)) * len(DATA)))
BUFFER = (DATA * (SIZE // len(DATA) + 1))[:SIZE]


def hash_step():
    hashlib.sha256(BUFFER).digest()


def python_step(seconds):
    end = time.perf_counter() + seconds
    x = 0
    while time.perf_counter() < end:
        for i in range(200):
            x += i


async def solve():
    loop = asyncio.get_running_loop()
    for _ in range(10):
        await loop.run_in_executor(None, hash_step)
        python_step(0.002)


async def main():
    await asyncio.gather(*(solve() for _ in range(4)))


if __name__ == "__main__":
    # The window validation/on_cpu.py reads (CLOCK_MONOTONIC, as perf's clock there).
    print("MARK start", time.clock_gettime_ns(time.CLOCK_MONOTONIC), file=sys.stderr)
    start = time.perf_counter()
    asyncio.run(main())
    print("MARK end", time.clock_gettime_ns(time.CLOCK_MONOTONIC), file=sys.stderr)
    print("makespan %.1f ms (sha256 of %d bytes a call)" % ((time.perf_counter() - start) * 1e3, SIZE), file=sys.stderr)
