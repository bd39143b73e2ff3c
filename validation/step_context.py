"""How fast the harness's pure-Python loop runs depending on where it runs (docs/model.md, "Where a step is sized").

Times `burn_python` (harness.py's loop, copied so that this file imports nothing of the harness) by its thread's
CPU time, ITERATIONS iterations at a time, on the main thread, on a new thread, in a forked child, in an asyncio
coroutine and on the main thread 3 and 20 calls deeper, the contexts in turn, ROUNDS rounds. Prints each
context's nanoseconds per iteration (median and every round) and its ratio to the main thread's.

    flock /work/machine.lock .venv/bin/python validation/step_context.py [ROUNDS [ITERATIONS]]
"""
import asyncio
import multiprocessing
import statistics
import sys
import threading
import time

cpu_time = time.thread_time_ns


def burn_python(iterations):
    flag = 0
    for _ in range(iterations):
        flag ^= 1
    return flag


def cpu_of(iterations):
    start = cpu_time()
    burn_python(iterations)
    return cpu_time() - start


def on_a_thread(iterations):
    out = []
    thread = threading.Thread(target=lambda: out.append(cpu_of(iterations)))
    thread.start()
    thread.join()
    return out[0]


def child(iterations, queue):
    queue.put(cpu_of(iterations))


def in_a_child(iterations):
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=child, args=(iterations, queue))
    process.start()
    value = queue.get()
    process.join()
    return value


async def coroutine(iterations):
    return cpu_of(iterations)


def deeper(iterations, depth):
    return cpu_of(iterations) if depth == 0 else deeper(iterations, depth - 1)


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    iterations = int(sys.argv[2]) if len(sys.argv) > 2 else 400_000
    contexts = {
        "main thread": cpu_of,
        "new thread": on_a_thread,
        "fork child": in_a_child,
        "coroutine": lambda n: asyncio.run(coroutine(n)),
        "3 calls deeper": lambda n: deeper(n, 3),
        "20 calls deeper": lambda n: deeper(n, 20),
    }
    per_iteration = {name: [] for name in contexts}
    for _ in range(rounds):
        for name, run in contexts.items():
            per_iteration[name].append(run(iterations) / iterations)
    main_median = statistics.median(per_iteration["main thread"])
    for name, values in per_iteration.items():
        median = statistics.median(values)
        print("%-16s %5.2f ns an iteration, %.2f of the main thread's  [%s]"
              % (name, median, median / main_median, " ".join("%.1f" % v for v in values)))


if __name__ == "__main__":
    main()
