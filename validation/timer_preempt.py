"""How late a thread runs after a wake-up on a core another process keeps busy (issue 8).

The sleeper (this process) and a competitor process are both pinned to CPU 0; the sleeper waits 5 ms, N times,
in a futex timed wait (`Lock.acquire(timeout)`, as take_gil's `COND_TIMED_WAIT`), in `time.sleep`, or for a
pipe written from CPU 1 by another process, and the time from the wait's end (the timeout, or the write) to the
sleeper running again is printed (median, p10, p90). The competitor spins throughout, or alternates a sleep and
a spin (1.7 + 4.3 ms, 3.1 + 1.9 ms), so that it is sometimes just woken when the sleeper's wait ends: the case
EEVDF protects (a task just picked keeps its core for its slice, RUN_TO_PARITY in kernel/sched/fair.c).
`validation/wake_preempt.py` does the same for a sleeper woken by a thread from the other CPU.

    flock /work/machine.lock .venv/bin/python validation/timer_preempt.py [N]
"""
import multiprocessing as mp
import os
import statistics
import sys
import threading
import time

INTERVAL = 0.005


def compete(stop, pattern):
    """Pinned to CPU 0: spin throughout (pattern None) or sleep pattern[0] s, then spin pattern[1] s, again."""
    os.sched_setaffinity(0, {0})
    x = 0
    while not stop.is_set():
        if pattern:
            time.sleep(pattern[0])
            end = time.monotonic() + pattern[1]
            while time.monotonic() < end:
                for _ in range(1000):
                    x ^= 1
        else:
            for _ in range(100000):
                x ^= 1


def timed_waits(kind, n):
    """Microseconds from each wait's end to this thread running again. "busy+futex": the sleeper spins one
    interval before each wait, as a CPU-bound thread does between its waits for the GIL (it has run as much as
    the competitor, so it has no lag to its credit when it wakes)."""
    lock = threading.Lock()
    lock.acquire()
    late = []
    x = 0
    for _ in range(n):
        if kind == "busy+futex":
            end = time.monotonic() + INTERVAL
            while time.monotonic() < end:
                for _ in range(1000):
                    x ^= 1
        start = time.monotonic_ns()
        if kind in ("futex", "busy+futex"):
            lock.acquire(timeout=INTERVAL)
        else:
            time.sleep(INTERVAL)
        late.append((time.monotonic_ns() - start) / 1000 - INTERVAL * 1e6)
    return late


def write_after_sleeps(w, n):
    os.sched_setaffinity(0, {1})
    for _ in range(n):
        time.sleep(INTERVAL)
        os.write(w, str(time.monotonic_ns()).encode().ljust(24))


def piped_waits(n):
    r, w = os.pipe()
    writer = mp.Process(target=write_after_sleeps, args=(w, n))
    writer.start()
    late = []
    for _ in range(n):
        sent = int(os.read(r, 24))
        late.append((time.monotonic_ns() - sent) / 1000)
    writer.join()
    return late


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    os.sched_setaffinity(0, {0})
    for pattern in (None, (0.0017, 0.0043), (0.0031, 0.0019)):
        stop = mp.Event()
        competitor = mp.Process(target=compete, args=(stop, pattern))
        competitor.start()
        time.sleep(0.3)
        what = "spins throughout" if pattern is None else "sleeps %.1f ms, spins %.1f ms" % (pattern[0] * 1e3, pattern[1] * 1e3)
        for kind in ("futex", "busy+futex", "sleep", "pipe"):
            late = sorted(piped_waits(n) if kind == "pipe" else timed_waits(kind, n))
            print("competitor %-26s %-10s: late by median %6.0f us, p10 %6.0f, p90 %6.0f"
                  % (what, kind, statistics.median(late), late[len(late) // 10], late[9 * len(late) // 10]), flush=True)
        stop.set()
        competitor.join()


if __name__ == "__main__":
    main()
