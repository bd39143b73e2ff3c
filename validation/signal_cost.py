"""What waking a sleeping thread costs the waker, and how long the woken thread takes to run Python again
(docs/model.md, "A release that wakes a sleeping waiter: what the hand-off costs").

drop_gil wakes a thread asleep in take_gil with a futex wake (`COND_SIGNAL(gil->cond)`, CPython 3.11
Python/ceval_gil.h; glibc's `__pthread_cond_signal` → `futex_wake`); when that thread's vCPU halted meanwhile,
the kernel's wake-up goes through the host. This times the same futex wake where no race can hide it: a
waiting thread sleeps in `threading.Lock.acquire()` (a futex wait, `sem_wait`), the main thread sleeps IDLE_MS
(both vCPUs idle), spins 50 µs in Python, then releases the lock while it holds the GIL:

- `signal_us`: how long `lock.release()` took (the waker's futex wake of a sleeping thread), against
  `no_waiter_us`, the same release with nobody waiting;
- `way_us`: from the release's start to the woken thread's first Python (the main thread sleeps right after the
  release, so the GIL is free by then): the woken thread's way back to a core and to the GIL.

The idle times are taken in turn, ROUNDS times.

    flock /work/machine.lock .venv/bin/python validation/signal_cost.py [ROUNDS] [IDLE_MS,...]

e.g. `validation/signal_cost.py 60 0.1,1,5`.
"""
import json
import statistics
import sys
import threading
import time

now = time.perf_counter_ns


def busy(us):
    end = now() + us * 1000
    while now() < end:
        pass


def quantiles(values):
    ordered = sorted(values)
    pick = lambda p: round(ordered[int(p * (len(ordered) - 1))] / 1000, 1)
    return {"p10": pick(.1), "median": pick(.5), "mean": round(statistics.mean(values) / 1000, 1), "p90": pick(.9)}


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    idles = [float(x) for x in sys.argv[2].split(",")] if len(sys.argv) > 2 else [0.1, 1, 5]
    # No forced switch during a round: the main thread keeps the GIL until it sleeps.
    sys.setswitchinterval(1.0)
    slot, ready, done, stamp = [None], threading.Semaphore(0), threading.Semaphore(0), [0]

    def waiter():
        while True:
            ready.acquire()
            lock = slot[0]
            if lock is None:
                return
            lock.acquire()  # asleep on the lock's futex until the main thread releases it
            stamp[0] = now()
            done.release()

    thread = threading.Thread(target=waiter)
    thread.start()
    figures = {i: {"signal": [], "no_waiter": [], "way": []} for i in idles}
    for _ in range(rounds):
        for idle in idles:
            lock = threading.Lock()
            lock.acquire()
            slot[0] = lock
            ready.release()
            time.sleep(idle / 1000)  # the waiter goes to sleep on the lock; both vCPUs idle
            busy(50)
            t0 = now()
            lock.release()
            t1 = now()
            time.sleep(0.0005)  # the GIL free: the waiter takes it and stamps
            done.acquire()
            alone = threading.Lock()
            alone.acquire()
            b0 = now()
            alone.release()
            b1 = now()
            figures[idle]["signal"].append(t1 - t0)
            figures[idle]["way"].append(stamp[0] - t0)
            figures[idle]["no_waiter"].append(b1 - b0)
    slot[0] = None
    ready.release()
    thread.join()
    for idle in idles:
        f = figures[idle]
        print(json.dumps({"idle_ms": idle, "rounds": rounds, "signal_us": quantiles(f["signal"]),
                          "no_waiter_us": quantiles(f["no_waiter"]), "way_us": quantiles(f["way"])}))


if __name__ == "__main__":
    main()
