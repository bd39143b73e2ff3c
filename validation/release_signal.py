"""What a GIL release costs the releasing thread when another thread sleeps in take_gil: the COND_SIGNAL of
drop_gil (CPython 3.11 Python/ceval_gil.h) wakes that sleeper through a futex, and the releaser takes the GIL
back after its call. A probe of this machine (docs/model.md, "A release that wakes a sleeper").

Usage: python3 validation/release_signal.py [ROUNDS] [--pin] [--threads=N,N,...]
  N threads (1, 2, 4 in turn, or the --threads given; `ROUNDS` rounds of all three) each repeat 4000 / N times: about 60 µs of pure
  Python, then a 1-byte os.write and os.read on a pipe of its own (two calls that release the GIL, ~1 µs
  alone). With one thread no one sleeps in take_gil; with two or more the others do, and each release
  signals one of them. Prints per N the calls' p10 / median / p90 (µs, from before the write to the GIL back
  after the read), their mean (which counts the rare call that lost the GIL, an interval long), and the wall
  time and process CPU per round.
  Then, for the signal alone: threading.Lock.release() with a thread blocked in acquire() on that lock,
  against release() of a lock with no waiter (a futex wake, and none).
  `--pin` runs everything on one CPU (os.sched_setaffinity): the sleeper cannot run, so it is signalled
  once and after that the releases find it awake, not asleep in the futex.
Run it under the machine lock; nothing else should run.
"""
import os
import sys
import threading
import time

ns = time.perf_counter_ns


def burn(n):
    x = 0
    for i in range(n):
        x += i
    return x


def quantile(values, q):
    s = sorted(values)
    return s[int(q * (len(s) - 1))]


def worker(rounds, units, out, barrier):
    r, w = os.pipe()
    write, read = os.write, os.read
    calls = []
    barrier.wait()
    for _ in range(rounds):
        burn(units)
        t = ns()
        write(w, b"x")
        read(r, 1)
        calls.append(ns() - t)
    out.append(calls)
    os.close(r)
    os.close(w)


def releases(threads, total, units):
    out = []
    barrier = threading.Barrier(threads + 1)
    workers = [threading.Thread(target=worker, args=(total // threads, units, out, barrier)) for _ in range(threads)]
    for t in workers:
        t.start()
    wall, cpu = ns(), time.process_time_ns()
    barrier.wait()
    for t in workers:
        t.join()
    wall, cpu = ns() - wall, time.process_time_ns() - cpu
    calls = [c for o in out for c in o]
    return calls, wall / total, cpu / total


def wake_cost(samples):
    """lock.release() with a waiter blocked in acquire(), and with none, ns."""
    go = threading.Lock()
    go.acquire()
    back = threading.Lock()
    back.acquire()

    def waiter():
        for _ in range(samples):
            go.acquire()
            back.release()

    t = threading.Thread(target=waiter)
    t.start()
    woken, alone = [], []
    for _ in range(samples):
        time.sleep(0.0005)  # the waiter blocks in acquire meanwhile (this thread sleeps, the GIL is free)
        a = ns()
        go.release()
        woken.append(ns() - a)
        back.acquire()
        free = threading.Lock()
        free.acquire()
        a = ns()
        free.release()
        alone.append(ns() - a)
    t.join()
    return woken, alone


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    rounds = int(args[0]) if args else 3
    if "--pin" in sys.argv:
        os.sched_setaffinity(0, {0})
    sys.setswitchinterval(0.005)
    units = 1
    while True:  # about 60 µs of Python a round
        t = ns()
        burn(units)
        if ns() - t > 2_000_000:
            units = int(units * 60_000 / (ns() - t))
            break
        units *= 2
    counts = (1, 2, 4)
    for a in sys.argv[1:]:
        if a.startswith("--threads="):
            counts = tuple(int(x) for x in a.split("=", 1)[1].split(","))
    for r in range(rounds):
        for n in counts:
            calls, wall, cpu = releases(n, 4000, units)
            print("round %d, %d thread(s): call p10/p50/p90 %.1f/%.1f/%.1f us, mean %.1f us; per round wall %.1f us, CPU %.1f us"
                  % (r + 1, n, quantile(calls, .1) / 1e3, quantile(calls, .5) / 1e3, quantile(calls, .9) / 1e3,
                     sum(calls) / len(calls) / 1e3, wall / 1e3, cpu / 1e3), flush=True)
    woken, alone = wake_cost(400)
    print("lock.release() waking a blocked thread p10/p50/p90 %.1f/%.1f/%.1f us; with no waiter %.2f/%.2f/%.2f us"
          % (quantile(woken, .1) / 1e3, quantile(woken, .5) / 1e3, quantile(woken, .9) / 1e3,
             quantile(alone, .1) / 1e3, quantile(alone, .5) / 1e3, quantile(alone, .9) / 1e3))


if __name__ == "__main__":
    main()
