"""How long a thread waits for a core when every core is busy: a thread just started against a thread woken.

Usage: python3 validation/new_thread_probe.py [N]   (N samples of each, per round; three rounds)

Beside 0, 1 and 2 CPU-bound processes (on 2 cores: a core free, one free, none), this process times
- `Thread.start()`: from the call to the new thread's first instruction (a stamp in its target), and to
  start()'s return (it waits for the thread's `_started`);
- an Event set from this thread, waking a thread asleep in `Event.wait()`: to the woken thread's stamp.
Each sample starts after 1 ms asleep in this thread, as a program's thread starts after some other work.
Prints the median, 10th and 90th percentile and mean of each, per count of CPU-bound processes.

The model queues a thread just created behind every thread that runs or waits and lets it preempt no one,
where a woken thread preempts at once (docs/model.md, "A new thread waits for a core").
"""
import multiprocessing
import statistics
import sys
import threading
import time


def spin(stop):
    x = 0
    while not stop.is_set():
        for _ in range(10000):
            x ^= 1


def starts(n):
    first = [0]

    def body():
        first[0] = time.monotonic_ns()

    out = []
    for _ in range(n):
        time.sleep(0.001)
        thread = threading.Thread(target=body)
        t0 = time.monotonic_ns()
        thread.start()
        returned = time.monotonic_ns()
        thread.join()
        out.append((first[0] - t0, returned - t0))
    return out[2:]


def event_wakes(n):
    go, back, stamp = threading.Event(), threading.Event(), [0]

    def other():
        for _ in range(n):
            go.wait()
            go.clear()
            stamp[0] = time.monotonic_ns()
            back.set()

    thread = threading.Thread(target=other)
    thread.start()
    out = []
    for _ in range(n):
        time.sleep(0.001)
        t0 = time.monotonic_ns()
        go.set()
        back.wait()
        back.clear()
        out.append(stamp[0] - t0)
    thread.join()
    return out[2:]


def summary(values):
    q = statistics.quantiles(values, n=10)
    return "median %.0f us (p10 %.0f, p90 %.0f, mean %.0f)" % (
        statistics.median(values) / 1e3, q[0] / 1e3, q[8] / 1e3, statistics.mean(values) / 1e3)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    context = multiprocessing.get_context("fork")
    first_run, returns, wakes = {}, {}, {}
    for _ in range(3):
        for busy in (0, 1, 2):
            stop = context.Event()
            spinners = [context.Process(target=spin, args=(stop,)) for _ in range(busy)]
            for p in spinners:
                p.start()
            time.sleep(0.05)
            for a, b in starts(n):
                first_run.setdefault(busy, []).append(a)
                returns.setdefault(busy, []).append(b)
            wakes.setdefault(busy, []).extend(event_wakes(n))
            stop.set()
            for p in spinners:
                p.join()
    for busy in (0, 1, 2):
        print("%d CPU-bound processes: start() to the new thread's first stamp %s; start() returns %s; "
              "a woken thread's stamp %s" % (busy, summary(first_run[busy]), summary(returns[busy]), summary(wakes[busy])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
